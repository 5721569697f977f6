package kvscope.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import kvscope.analysis.Analysis;
import kvscope.analysis.views.Query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kvscope's HTTP server: the Trace Server Protocol under {@code /tsp/api} and the web page at {@code /}. Built on
 * the JDK's {@code HttpServer}; every answer is JSON (or a static file), every error a TSP {@code ErrorResponse},
 * and cross-origin calls are allowed, since the VS Code and Theia trace viewers call from their own origins.
 *
 * <pre>{@code
 * try (var server = TspServer.start(new TspServer.Config("127.0.0.1", 8080, List.of(traceDir), null, null))) {
 *     var trace = server.registry().openTrace(traceDir.toString(), null);
 *     System.out.println(server.url());
 * }
 * }</pre>
 */
public final class TspServer implements AutoCloseable {
    /** Request bodies larger than this are refused (413): TSP bodies are a few KB. */
    static final int MAX_BODY = 1 << 20;

    /**
     * @param bind     address to listen on (loopback unless the user says otherwise)
     * @param port     0 picks a free port
     * @param roots    the only directories traces may be opened from
     * @param cache    where models are stored (null: beside each trace, as {@code kvscope analyze} does)
     * @param progress also told of every analysis's progress (null: nobody)
     */
    public record Config(String bind, int port, List<Path> roots, Path cache, Analysis.Progress progress) {}

    private final HttpServer http;
    private final ExecutorService workers;
    private final Registry registry;
    private final TspApi api;
    private final Web web = new Web();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TspServer(HttpServer http, ExecutorService workers, Registry registry) {
        this.http = http;
        this.workers = workers;
        this.registry = registry;
        this.api = new TspApi(registry);
    }

    /** Binds and starts serving. @throws IOException if the address cannot be bound (port taken, say) */
    public static TspServer start(Config config) throws IOException {
        // A client that opens a connection and never finishes its request must not hold a worker forever; the JDK
        // server reads these once, when its first instance starts.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) System.setProperty("sun.net.httpserver.maxReqTime", "30");
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) System.setProperty("sun.net.httpserver.maxRspTime", "300");
        // Answers are streamed: without TCP_NODELAY the last small segment of one waits for the client's delayed ACK
        // (Nagle), 40 ms added to a 125 KB XY answer.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
        var registry = new Registry(new TraceAccess(config.roots()), config.cache(), config.progress());
        var http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(config.bind()), config.port()), 128);
        var n = new AtomicInteger();
        // A few workers: views are CPU-bound on a small machine, and one slow query must not block the others.
        var workers = Executors.newFixedThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors() * 2), r -> {
            var t = new Thread(r, "kvscope-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(workers);
        var server = new TspServer(http, workers, registry);
        http.createContext("/", server::serve);
        http.start();
        return server;
    }

    public Registry registry() { return registry; }

    public int port() { return http.getAddress().getPort(); }

    /** The page's URL, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        var a = http.getAddress().getAddress();
        var host = a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return "http://" + host + ":" + port() + "/";
    }

    private void serve(HttpExchange x) {
        try (x) {
            var h = x.getResponseHeaders();
            h.set("Access-Control-Allow-Origin", "*");
            h.set("Access-Control-Allow-Headers", "origin, content-type, accept, authorization");
            h.set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS, HEAD");
            var method = x.getRequestMethod();
            var path = x.getRequestURI().getRawPath();
            try {
                if (method.equals("OPTIONS")) {
                    h.set("Access-Control-Max-Age", "86400");
                    x.sendResponseHeaders(204, -1);
                    return;
                }
                if (path.equals("/tsp/api") || path.startsWith("/tsp/api/")) {
                    var body = readBody(x);
                    var answer = api.handle(method, segments(path.substring("/tsp/api".length())), body);
                    Json.send(x, answer.status(), answer.body());
                } else web.serve(x, method, path);
            } catch (ApiError e) {
                Json.send(x, e.status, e.body());
            } catch (Query.BadQuery e) {
                Json.send(x, 400, new ApiError.Body("Bad request", e.getMessage()));
            } catch (RuntimeException e) {
                // A bug, or a damaged model file: say what, never hang up without an answer.
                Json.send(x, 500, new ApiError.Body("Internal error", String.valueOf(e)));
            }
        } catch (IOException e) {
            // The client went away mid-answer: nothing left to tell it.
        }
    }

    private static byte[] readBody(HttpExchange x) throws IOException {
        try (var in = x.getRequestBody()) {
            var bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY)
                throw new ApiError(413, "Payload too large", "request bodies are limited to " + MAX_BODY + " bytes");
            return bytes;
        }
    }

    /** "/experiments/abc/outputs" → [experiments, abc, outputs], percent-decoded. */
    private static List<String> segments(String path) {
        var out = new ArrayList<String>();
        for (var s : path.split("/")) {
            if (s.isEmpty()) continue;
            try {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("bad percent-encoding in the path: " + s);
            }
        }
        return out;
    }

    /** Stops listening, waits briefly for answers in flight, and closes the stored models. */
    @Override public void close() {
        if (!closed.compareAndSet(false, true)) return; // Ctrl-C's hook and a try-with-resources may both close
        http.stop(0);
        workers.shutdownNow();
        try {
            registry.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
