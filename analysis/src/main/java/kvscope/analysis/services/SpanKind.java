package kvscope.analysis.services;

/** What a span stands for. The ordinal is stored: append only. */
public enum SpanKind {
    /** An HTTP request a service received and answered ({@code http_server_receive} → {@code http_server_response}). */
    SERVER("server"),
    /** An HTTP request a service made ({@code http_client_request} → {@code http_client_response}). */
    CLIENT("client"),
    /** One Redis command a service sent ({@code redis_send}) and the reply that answered it ({@code redis_reply}). */
    REDIS("redis"),
    /** One MariaDB/MySQL command ({@code mysql_send} → {@code mysql_reply}). */
    MARIADB("mariadb");

    private final String label;

    SpanKind(String label) { this.label = label; }

    public String label() { return label; }

    static final SpanKind[] ALL = values();
}
