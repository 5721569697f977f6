package kvscope.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client against a running server, with the answer parsed as JSON when it is JSON. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    Http(String base) { this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base; }

    record Answer(int status, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + raw.body(), e);
            }
        }

        String header(String name) { return raw.headers().firstValue(name).orElse(null); }

        /** The model of a GenericResponse (checked to be one). */
        JsonNode model() { return Shapes.generic(json()); }

        @Override public String toString() { return status + " " + raw.body(); }
    }

    Answer send(String method, String path, String body) {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            var r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r);
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Answer get(String path) { return send("GET", path, null); }

    Answer post(String path, String body) { return send("POST", path, body); }

    Answer delete(String path) { return send("DELETE", path, null); }

    /** {"parameters": params}. */
    static String params(String params) { return "{\"parameters\":" + params + "}"; }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
