package kvscope.cli.testing;

import kvscope.cli.Home;

import java.nio.file.Files;
import java.nio.file.Path;

/** The instrumented Redis build the recording tests need; its absence is a failure that says how to fix it. */
public final class InstrumentedRedis {
    private InstrumentedRedis() {}

    public static Path bin() {
        var bin = Home.redisBin();
        for (var tool : new String[] {"redis-server", "redis-cli", "redis-benchmark"}) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                throw new AssertionError("the instrumented Redis is not built (" + bin.resolve(tool) + " is missing):"
                        + " run instrument/redis/build.sh (./run-tests builds it before the Java tests)");
            }
        }
        return bin;
    }

    public static Path server() { return bin().resolve("redis-server"); }

    /**
     * blockonbackground.so from Redis's own tests/modules, built by instrument/redis/build-test-module.sh: a module is
     * the only way Redis 7.0 blocks a client with BLOCKED_MODULE.
     */
    public static Path blockingModule() {
        var so = Home.dir().resolve("build/redis/modules/blockonbackground.so");
        if (!Files.isRegularFile(so)) {
            throw new AssertionError("Redis's test module is not built (" + so + " is missing): run"
                    + " instrument/redis/build-test-module.sh (./run-tests builds it before the Java tests)");
        }
        return so;
    }

    /** Debian's stock redis-server: the harness tests and the overhead baseline use it. */
    public static Path stockServer() {
        var p = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(p)) throw new AssertionError("Debian's redis-server is missing: apt-get install redis-server"
                + " (scripts/install-deps.sh installs it)");
        return p;
    }

    public static Path stockBin() { return Path.of("/usr/bin"); }
}
