package kvscope.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.Map;

/**
 * The web page: static files from the server's resources ({@code kvscope/web/}), which call the same TSP endpoints
 * as any trace viewer. Only plain file names are served, so no path can reach another resource.
 */
final class Web {
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    void serve(HttpExchange x, String method, String path) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD"))
            throw new ApiError(405, "Method not allowed", method + " " + path);
        var name = path.equals("/") ? "index.html" : path.startsWith("/web/") ? path.substring(5) : null;
        if (name == null || !name.matches("[A-Za-z0-9_-]+\\.[a-z]+")) throw ApiError.notFound("no page " + path);
        var type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        byte[] bytes;
        try (var in = Web.class.getResourceAsStream("/kvscope/web/" + name)) {
            if (in == null || type == null) throw ApiError.notFound("no page " + path);
            bytes = in.readAllBytes();
        }
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        if (method.equals("HEAD")) {
            x.sendResponseHeaders(200, -1);
            return;
        }
        x.sendResponseHeaders(200, bytes.length);
        try (var out = x.getResponseBody()) {
            out.write(bytes);
        }
    }
}
