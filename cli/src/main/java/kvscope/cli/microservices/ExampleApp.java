package kvscope.cli.microservices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import kvscope.cli.UserError;
import kvscope.cli.record.NodeAgent;
import kvscope.cli.redis.Tools;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The example microservice application (examples/microservices) driven from Java: started by its own start.sh with
 * the Node.js agent preloaded (NODE_OPTIONS, as {@code kvscope record -- CMD} does), loaded by its load.js (untraced,
 * like the paper's JMeter), stopped by stop.sh. What it started is stopped by {@link #close} whatever happens.
 */
public final class ExampleApp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The injected problems (0: off), each on one route of its own (see examples/microservices/README.md).
     *
     * @param slowRedisMs GET /ranking: its EVAL spins this long in Redis
     * @param slowSqlMs   GET /orders/:id: a SELECT SLEEP of this long in MariaDB
     * @param burnMs      POST /login: the user service spins on the CPU this long
     */
    public record Problems(int slowRedisMs, int slowSqlMs, int burnMs) {
        public static final Problems NONE = new Problems(0, 0, 0);
    }

    public static final String SLOW_REDIS_ROUTE = "GET /ranking", SLOW_SQL_ROUTE = "GET /orders/:id",
            BURN_ROUTE = "POST /login";

    private final Path home, dir;
    private final JsonNode env;
    private boolean stopped;

    private ExampleApp(Path home, Path dir, JsonNode env) {
        this.home = home;
        this.dir = dir;
        this.env = env;
    }

    /**
     * Starts MariaDB, a Redis (the instrumented one of build/redis/bin) and the six services on free ports in
     * {@code dir}; order events go to {@code pubRedis} and are read on {@code subRedis} (host:port, null: the cache's
     * Redis). The services load the agent.
     */
    public static ExampleApp start(Path home, Path dir, Problems problems, String pubRedis, String subRedis) {
        var cmd = new ArrayList<>(List.of(home.resolve("examples/microservices/start.sh").toString(), "--dir", dir.toString(),
                "--slow-redis-ms", Integer.toString(problems.slowRedisMs()), "--slow-sql-ms",
                Integer.toString(problems.slowSqlMs()), "--burn-ms", Integer.toString(problems.burnMs())));
        if (pubRedis != null) cmd.addAll(List.of("--pub-redis", pubRedis));
        if (subRedis != null) cmd.addAll(List.of("--sub-redis", subRedis));
        var pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("NODE_OPTIONS", NodeAgent.nodeOptions(pb.environment().get("NODE_OPTIONS"), NodeAgent.agent()));
        var run = run(pb, Duration.ofMinutes(5));
        var envFile = dir.resolve("env.json");
        if (run.exit != 0 || !Files.isRegularFile(envFile)) {
            stopQuietly(home, dir);
            throw new UserError("examples/microservices/start.sh failed (exit " + run.exit + "):\n" + tail(run.output, 30));
        }
        try {
            return new ExampleApp(home, dir, JSON.readTree(envFile.toFile()));
        } catch (IOException e) {
            stopQuietly(home, dir);
            throw new UserError("cannot read " + envFile + ": " + e.getMessage());
        }
    }

    public Path dir() { return dir; }
    public JsonNode env() { return env; }
    public String gateway() { return env.get("gateway").asText(); }
    public String serviceUrl(String name) { return env.get("services").get(name).get("url").asText(); }
    public long servicePid(String name) { return env.get("services").get(name).get("pid").asLong(); }
    /** The cache's Redis, host:port. */
    public String redis() { return env.get("redis").get("address").asText(); }
    public Path mariadbSlowLog() { return Path.of(env.get("mariadb").get("slowLog").asText()); }

    /** What load.js printed as JSON (its own measure of every request, per route). */
    public record Load(JsonNode summary, String output) {
        public JsonNode route(String route) { return summary.get("routes").get(route); }
    }

    /**
     * Runs load.js against the gateway: {@code requests} requests (or {@code seconds}) from {@code concurrency}
     * clients with the route weights {@code mix} (null: load.js's default); not traced.
     */
    public Load load(int requests, int seconds, int concurrency, String mix, Path json) {
        return load(requests, seconds, concurrency, mix, json, null);
    }

    /** The same, with load.js's {@code --log}: one JSON line per request, its start and end in CLOCK_MONOTONIC ns. */
    public Load load(int requests, int seconds, int concurrency, String mix, Path json, Path log) {
        var cmd = new ArrayList<>(List.of("node", home.resolve("examples/microservices/load.js").toString(), "--env",
                dir.resolve("env.json").toString(), "--requests", Integer.toString(requests), "--duration",
                Integer.toString(seconds), "--concurrency", Integer.toString(concurrency), "--json", json.toString()));
        if (mix != null) cmd.addAll(List.of("--mix", mix));
        if (log != null) cmd.addAll(List.of("--log", log.toString()));
        var pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().remove("NODE_OPTIONS");
        var run = run(pb, Duration.ofSeconds(seconds + 120L));
        if (run.exit != 0) throw new UserError("load.js failed (exit " + run.exit + "):\n" + tail(run.output, 30));
        try {
            return new Load(JSON.readTree(json.toFile()), run.output);
        } catch (IOException e) {
            throw new UserError("cannot read load.js's summary " + json + ": " + e.getMessage());
        }
    }

    /** GET (or POST with a JSON body) on a service; the body of the answer as JSON. */
    public JsonNode http(String method, String url, String body) {
        try {
            var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            if (body == null) b.GET();
            else b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            var r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops everything start.sh started (stop.sh); later calls do nothing. */
    public void stop() {
        if (stopped) return;
        stopped = true;
        stopQuietly(home, dir);
    }

    @Override public void close() { stop(); }

    private static void stopQuietly(Path home, Path dir) {
        var pb = new ProcessBuilder(home.resolve("examples/microservices/stop.sh").toString(), dir.toString())
                .redirectErrorStream(true);
        run(pb, Duration.ofMinutes(2));
    }

    private record Run(int exit, String output) {}

    /** Runs a process to its end (output kept, in a file: a chatty script never blocks on a full pipe). */
    private static Run run(ProcessBuilder pb, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("kvscope-example", ".log");
            pb.redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            var p = Tools.start(pb);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                Tools.kill(p);
                return new Run(-1, Files.readString(out) + "\n(killed after " + timeout.toSeconds() + " s)");
            }
            return new Run(p.exitValue(), Files.readString(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            try {
                if (out != null) Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a temp file left behind
            }
        }
    }

    static String tail(String text, int lines) {
        var all = text.strip().split("\n");
        return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
}
