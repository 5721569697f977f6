package kvscope.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;

/** The one JSON mapper, and how every JSON answer leaves the server (headers the TSP clients insist on). */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .registerModule(TspJson.module());

    /**
     * Sends a JSON body, streamed as Jackson writes it (chunked): a 4 MB time graph is never held whole in memory,
     * and its first bytes leave while the rest is written. The Content-Type is exactly {@code application/json}:
     * tsp-typescript-client parses a body only when the header equals that string, so a charset suffix would make
     * every view fail. Answers are plain records and maps, so writing one cannot fail half-way except when the
     * client goes away (an IOException the caller expects).
     */
    static void send(HttpExchange x, int status, Object body) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, 0);
        try (var out = x.getResponseBody()) {
            MAPPER.writeValue(out, body);
        }
    }

    /** TSP's {@code GenericResponse}: the model, and whether the analysis behind it is still running. */
    record Generic(Object model, String status, String statusMessage) {}
}
