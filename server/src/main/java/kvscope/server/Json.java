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
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /**
     * Sends a JSON body. The Content-Type is exactly {@code application/json}: tsp-typescript-client parses a body
     * only when the header equals that string, so a charset suffix would make every view fail.
     */
    static void send(HttpExchange x, int status, Object body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (var out = x.getResponseBody()) {
                out.write(bytes);
            }
        } else x.close();
    }

    /** TSP's {@code GenericResponse}: the model, and whether the analysis behind it is still running. */
    record Generic(Object model, String status, String statusMessage) {}
}
