package kvscope.cli;

import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.record.Summary;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.RedisTools;
import kvscope.cli.redis.Tools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code kvscope demo}: the main job end to end on an embedded default. Today: build the instrumented Redis, load
 * it under a recording, summarise the trace. Each stage is one method so later issues can add theirs (a 3-node
 * cluster with PUBLISH, analysis, serving the views) without reshaping the rest.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {
                "Build the instrumented Redis (instrument/redis/build.sh; cached after the",
                "first run), start it with I/O threads, run a short redis-benchmark load",
                "(SET, GET, LPUSH) while recording every Redis event with LTTng, then print",
                "where the trace is and how many events of each kind it holds.",
                "Ctrl-C stops everything it started.",
                "",
                "Examples:",
                "  ./kvscope demo",
                "  ./kvscope demo -o /tmp/demo-trace --requests 50000 --io-threads 4",
                ""},
        footer = {"", "Exit codes: 0 ok, 1 a stage failed (the message says which and what to",
                "do), 2 usage."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "trace directory. Default: ./kvscope-demo-<time>")
    Path output;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "20000",
            description = "requests per benchmarked command. Default: ${DEFAULT-VALUE}")
    int requests;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Redis I/O threads (io-threads-do-reads yes). Default: one per core, 2 to 4")
    int ioThreads;

    @Override public Integer call() {
        if (ioThreads < 0 || ioThreads > 128) throw UserError.usage("--io-threads must be 1 to 128, not " + ioThreads);
        if (requests < 1) throw UserError.usage("--requests must be at least 1, not " + requests);
        var home = Home.dir();
        var bin = buildRedis(home);
        var dir = output != null ? output : Recording.defaultDir("kvscope-demo");
        try (var server = startRedis(bin)) {
            recordLoad(bin, server, dir);
        }
        Summary.print(dir.toAbsolutePath().normalize(), System.out);
        return 0;
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

    /** Stage 3: the load, recorded. */
    private void recordLoad(Path bin, RedisServer server, Path dir) {
        try (var rec = Recording.start(dir, Profile.FULL)) {
            stage("Recording (LTTng session " + rec.session() + ") while redis-benchmark runs SET, GET, LPUSH");
            var run = RedisTools.benchmark(bin, server.port(), Duration.ofMinutes(5),
                    "-q", "-c", "50", "-n", Integer.toString(requests), "-r", "10000", "-t", "set,get,lpush");
            // -q prints progress lines ending in \r, then one final line per test: keep the final ones.
            run.stdout().lines().map(String::strip).filter(l -> l.contains("requests per second"))
                    .forEach(l -> System.out.println("  " + l));
            rec.stop();
        }
    }

    private static void stage(String what) {
        System.out.println("==> " + what);
    }
}
