package kvscope.cli;

import kvscope.analysis.Analysis;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.report.Report;
import kvscope.analysis.report.Units;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.record.RecordingSummary;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.RedisTools;
import kvscope.cli.redis.Tools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code kvscope demo}: the main job end to end on an embedded default — build the instrumented Redis, start a
 * standalone server with I/O threads and a 3-node cluster, record a mixed load (redis-benchmark SET/GET/LPUSH, and
 * PUBLISH on node 1 to a subscriber on node 2), analyse it, print what the report says and serve the views. One
 * method per stage.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {
                "The main job on an embedded default: record, analyse, report and serve a Redis under load.",
                "",
                "It builds the instrumented Redis",
                "(instrument/redis/build.sh; cached after the first run), starts a server with",
                "I/O threads and a 3-node cluster on loopback, records every Redis event with",
                "LTTng while redis-benchmark runs SET, GET, LPUSH on the server and a client",
                "PUBLISHes on cluster node 1 to a subscriber on node 2, analyses the trace,",
                "prints the report's summary and findings, then serves the views in a browser.",
                "Ctrl-C stops everything it started.",
                "",
                "Examples:",
                "  ./kvscope demo",
                "  ./kvscope demo -o /tmp/demo-trace --requests 50000 --io-threads 4",
                "  ./kvscope demo --no-serve              stop after the report",
                "  ./kvscope demo --scenario microservices",
                "",
                "--scenario microservices runs the paper's use case IV-B1 instead: MariaDB,",
                "the instrumented Redis and a 3-node cluster (for the order events), the",
                "example application's Node.js services (examples/microservices) traced by",
                "the agent with no change to their code, and its load with three problems",
                "injected — a slow Redis command on GET /ranking, a slow MariaDB query on",
                "GET /orders/:id, CPU burnt in a service on POST /login. It prints where",
                "each route's time went and the findings beside what each problem cost as",
                "measured without the trace (SLOWLOG, MariaDB's slow log, the service's",
                "own count), then serves the views (the Services view, where the time went).",
                ""},
        footer = {"", "Exit codes: 0 ok, 1 a stage failed (the message says which and what to",
                "do), 2 usage."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "trace directory. Default: ./kvscope-demo-<time>")
    Path output;

    enum Scenario { redis, microservices }

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "redis",
            description = "redis (a benchmarked server and a cluster's PUBLISH) or microservices (the Node.js services "
                    + "around Redis, with injected problems). Default: ${DEFAULT-VALUE}")
    Scenario scenario;

    @Option(names = "--requests", paramLabel = "N",
            description = "redis: requests per benchmarked command (default 20000); microservices: requests of the "
                    + "healthy routes, a fifth as many of the problem routes (default 400)")
    Integer requests;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Redis I/O threads (io-threads-do-reads yes). Default: one per core, 2 to 4")
    int ioThreads;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the page (127.0.0.1). Default: ${DEFAULT-VALUE}; a free one if it is taken")
    int port;

    @Option(names = "--no-serve", description = "Stop after the report instead of serving the views")
    boolean noServe;

    static final int PUBLISHES = 200;

    @Override public Integer call() {
        if (ioThreads < 0 || ioThreads > 128) throw UserError.usage("--io-threads must be 1 to 128, not " + ioThreads);
        if (requests == null) requests = scenario == Scenario.microservices ? 400 : 20000;
        if (requests < 1) throw UserError.usage("--requests must be at least 1, not " + requests);
        var home = Home.dir();
        var bin = buildRedis(home);
        var dir = output != null ? output : Recording.defaultDir("kvscope-demo");
        if (scenario == Scenario.microservices) {
            new MicroservicesDemo(dir.toAbsolutePath().normalize(), requests).run(bin);
            if (!noServe) serve(dir);
            return 0;
        }
        try (var server = startRedis(bin); var cluster = startCluster(bin)) {
            recordLoad(bin, server, cluster, dir);
        }
        RecordingSummary.print(dir.toAbsolutePath().normalize(), System.out);
        report(dir);
        if (!noServe) serve(dir);
        return 0;
    }

    /** Stage 2b: a 3-node cluster, for PUBLISH crossing the cluster bus (the paper's use case 3). */
    private static RedisCluster startCluster(Path bin) {
        stage("Starting a 3-node instrumented Redis cluster on loopback");
        var cluster = RedisCluster.start(bin.resolve("redis-server"), 3);
        System.out.println("  ports " + cluster.nodes().stream().map(n -> Integer.toString(n.port())).toList());
        return cluster;
    }

    /** Stage 4: the model, and what the report says of it. */
    private static void report(Path dir) {
        stage("Analysing the trace (kvscope analyze " + dir + ")");
        try (var stored = Analysis.analyze(List.of(dir), Analysis.Options.defaults())) {
            var r = Report.of(stored);
            for (var s : r.servers()) {
                System.out.printf(Locale.ROOT, "  %-26s", s.name());
                for (var c : s.commands().stream().limit(4).toList()) {
                    System.out.printf(Locale.ROOT, "  %s %s p50 %s p99 %s;", c.name(), Units.count(c.count()),
                            Units.duration(c.p50Ns()), Units.duration(c.p99Ns()));
                }
                if (s.bus().bytesOut() > 0) System.out.print("  bus out " + Units.bytes(s.bus().bytesOut()));
                System.out.println();
            }
            var kinds = new EnumMap<Flow.Hop, long[]>(Flow.Hop.class);
            stored.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (k, ss, sf, st, ds, df, dt) ->
                    kinds.computeIfAbsent(k, x -> new long[1])[0]++);
            Function<Flow.Hop, String> n =
                    k -> Units.count(kinds.getOrDefault(k, new long[1])[0]);
            System.out.printf(Locale.ROOT, "Netflow arrows: %s PUBLISH → cluster links, %s across the bus, %s to subscribers%n",
                    n.apply(Flow.Hop.PUBLISH_TO_BUS), n.apply(Flow.Hop.BUS),
                    n.apply(Flow.Hop.DELIVER));
            System.out.println("findings:" + (r.findings().isEmpty() ? " none" : ""));
            for (var f : r.findings()) {
                System.out.println("  [" + f.severity() + "] " + f.title() + (f.server().isEmpty() ? "" : " on " + f.server()));
            }
            System.out.println("the whole report: ./kvscope report " + dir + "   (--format html -o report.html for plots)");
        } catch (IOException e) {
            throw new UserError("analysing " + dir + ": " + e.getMessage());
        }
    }

    /** Stage 5: the views, until Ctrl-C. */
    private void serve(Path dir) {
        stage("Serving the views (kvscope serve " + dir + ")");
        var serve = new ServeCommand();
        serve.traces = List.of(dir);
        serve.bind = "127.0.0.1";
        serve.port = portOrFree(port);
        serve.run();
    }

    private static int portOrFree(int port) {
        try (var s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return port;
        } catch (IOException taken) {
            System.out.println("  port " + port + " is taken: using a free one");
            return 0;
        }
    }

    /** Stage 1: the instrumented Redis, built by the instrumentation's own script (it does nothing when cached). */
    private static Path buildRedis(Path home) {
        var script = home.resolve("instrument/redis/build.sh");
        if (!Files.isExecutable(script)) {
            throw new UserError("missing " + script + ": this checkout has no instrumented Redis build script");
        }
        stage("Building the instrumented Redis (" + home.relativize(script) + ")");
        var p = Tools.start(new ProcessBuilder(script.toString()).directory(home.toFile()).inheritIO());
        try {
            int rc = p.waitFor();
            if (rc != 0) throw new UserError(home.relativize(script) + " failed with status " + rc + " (its output is above)");
        } catch (InterruptedException e) {
            Tools.kill(p);
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while building Redis");
        }
        var bin = Home.redisBin();
        if (!Files.isExecutable(bin.resolve("redis-server"))) {
            throw new UserError("the build finished but " + bin.resolve("redis-server") + " is missing");
        }
        return bin;
    }

    /**
     * Stage 2: one server with threaded I/O, so the trace shows reads handed to I/O threads. Redis's I/O threads
     * busy-wait for work, so more of them than cores makes everything crawl (measured: 4 threads on 2 cores served
     * about 2k requests/s instead of 50k+): by default one per core, at most 4.
     */
    private RedisServer startRedis(Path bin) {
        int threads = ioThreads > 0 ? ioThreads : Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        stage("Starting the instrumented redis-server with io-threads " + threads);
        var server = RedisServer.start(bin.resolve("redis-server"), "io-threads " + threads, "io-threads-do-reads yes");
        System.out.println("  pid " + server.pid() + ", port " + server.port());
        return server;
    }

    /** Stage 3: the load, recorded: the benchmark on the server while PUBLISH crosses the cluster. */
    private void recordLoad(Path bin, RedisServer server, RedisCluster cluster, Path dir) {
        try (var rec = Recording.start(dir, Profile.FULL);
             var sub = cluster.node(1).client();
             var pub = cluster.node(0).client()) {
            stage("Recording (LTTng session " + rec.session() + "): redis-benchmark SET, GET, LPUSH; "
                    + PUBLISHES + " PUBLISH on cluster node 1 to a subscriber on node 2");
            sub.call("SUBSCRIBE", "demo-news");
            var publishing = CompletableFuture.runAsync(() -> {
                var message = "m".repeat(512);
                for (int i = 0; i < PUBLISHES; i++) pub.call("PUBLISH", "demo-news", message);
                for (int i = 0; i < PUBLISHES; i++) sub.read();
            });
            var run = RedisTools.benchmark(bin, server.port(), Duration.ofMinutes(5),
                    "-q", "-c", "50", "-n", Integer.toString(requests), "-r", "10000", "-t", "set,get,lpush");
            // -q prints progress lines ending in \r, then one final line per test: keep the final ones.
            run.stdout().lines().map(String::strip).filter(l -> l.contains("requests per second"))
                    .forEach(l -> System.out.println("  " + l));
            publishing.join();
            System.out.println("  " + PUBLISHES + " messages published on node 1 reached the subscriber on node 2");
            sleep(1100); // every server says who it is (server_info) once a second: the model names them host:port
            rec.stop();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void stage(String what) {
        System.out.println("==> " + what);
    }
}
