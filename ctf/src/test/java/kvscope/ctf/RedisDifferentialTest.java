package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real trace of the instrumented Redis (built by instrument/redis/build.sh, which ./run-tests runs before the
 * Maven build) under redis-benchmark load: kvscope must read it exactly as babeltrace2 does.
 */
class RedisDifferentialTest {
    @TempDir Path dir;

    @Test
    void readsATraceOfTheInstrumentedRedisLikeBabeltrace() throws Exception {
        var bin = TestSupport.home().resolve("build/redis/bin");
        assertThat(bin.resolve("redis-server")).as("the instrumented Redis (run instrument/redis/build.sh)").isExecutable();
        Lttng.ensureSessionDaemon(dir);
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var trace = Lttng.record(dir, "redis", "redis:*", 1 << 20, () -> {
            var server = new ProcessBuilder(bin.resolve("redis-server").toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
            try {
                waitForPing(bin, port);
                TestSupport.run(dir, 120, List.of(bin.resolve("redis-benchmark").toString(), "-p", Integer.toString(port),
                        "-n", "1000", "-c", "4", "-t", "set,get,lpush", "-q"));
            } finally {
                server.destroy();
                if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
            }
        });
        var expected = TestSupport.babeltrace(dir, List.of(trace));
        var actual = TestSupport.kvscope(List.of(trace));
        TestSupport.assertSameEvents(expected, actual);
        var names = new HashSet<Object>();
        for (var m : actual) names.add(m.get("name"));
        assertThat(names).contains("redis:call_command_start");
        assertThat(actual.size()).isGreaterThan(3000);
    }

    private static void waitForPing(Path bin, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            var p = new ProcessBuilder(bin.resolve("redis-cli").toString(), "-p", Integer.toString(port), "ping")
                    .redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            if (out.contains("PONG")) return;
            if (System.nanoTime() > deadline) throw new AssertionError("redis-server did not answer on port " + port + ": " + out);
            Thread.sleep(50);
        }
    }
}
