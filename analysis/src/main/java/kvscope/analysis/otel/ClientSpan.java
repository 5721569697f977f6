package kvscope.analysis.otel;

/**
 * One Redis client span from a user's OTLP file, reduced to what linking needs. Times in ns since the epoch, on the
 * span producer's clock. Absent numbers are −1, absent strings null.
 *
 * @param file       the span file it was read from (for messages)
 * @param line       the line of its JSON document, 0 for a document over many lines
 * @param resource   the resource's identity (service.name and instance/pid attributes): one clock per resource
 * @param command    the Redis command, lowercase, prefixes such as ioredis's "PIPELINE " removed
 * @param queued     sent inside MULTI: Redis queues it and runs it within EXEC, not as a request of its own
 * @param serverAddress server.address / net.peer.name / the address of db.connection_string
 * @param peerAddress network.peer.address / net.sock.peer.addr (the socket's address of the server)
 * @param localPort  the client socket's own port when the instrumentation records it (network.local.port, …)
 */
public record ClientSpan(String file, int line, String resource, String service, String traceId, String spanId,
                         String parentSpanId, String name, long start, long end, String command, boolean queued,
                         String statement, String serverAddress, int serverPort, String peerAddress, int peerPort,
                         int localPort) {
    public long duration() { return end - start; }

    /** Where it was read: file:line and its span id (built when asked: messages name only a few spans). */
    public String where() { return (line > 0 ? file + ":" + line : file) + " span " + spanId; }

    /** The same span of a resource (known once its resource object was read: JSON objects are unordered). */
    ClientSpan of(String resource, String service) {
        return new ClientSpan(file, line, resource, service, traceId, spanId, parentSpanId, name, start, end, command,
                queued, statement, serverAddress, serverPort, peerAddress, peerPort, localPort);
    }

    /** The server the span names, for messages: address:port. */
    public String server() {
        var a = serverAddress != null ? serverAddress : peerAddress;
        int p = serverPort > 0 ? serverPort : peerPort;
        return (a == null ? "?" : a) + ":" + (p > 0 ? Integer.toString(p) : "?");
    }
}
