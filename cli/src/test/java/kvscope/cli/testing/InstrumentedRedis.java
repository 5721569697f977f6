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

    /** Debian's stock redis-server: the harness tests and the overhead baseline use it. */
    public static Path stockServer() {
        var p = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(p)) throw new AssertionError("Debian's redis-server is missing: apt-get install redis-server"
                + " (scripts/install-deps.sh installs it)");
        return p;
    }

    public static Path stockBin() { return Path.of("/usr/bin"); }
}
