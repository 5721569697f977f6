package kvscope.cli.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** redis-benchmark and redis-cli runs against a server we started, with a timeout, output captured. */
public final class RedisTools {
    private RedisTools() {}

    /**
     * Runs {@code redis-benchmark} from {@code binDir} against {@code port} with {@code args}
     * (e.g. "-n", "10000", "-t", "set,get"); fails with the tool's output unless it succeeds.
     */
    public static ToolRun benchmark(Path binDir, int port, Duration timeout, String... args) {
        var cmd = new ArrayList<>(List.of(binDir.resolve("redis-benchmark").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        return Tools.run(timeout, cmd).orThrow();
    }

    /** Like {@link #benchmark} over TLS, trusting the given certificates' CA. */
    public static ToolRun benchmarkTls(Path binDir, int tlsPort, TlsCerts certs, Duration timeout, String... args) {
        var cmd = new ArrayList<>(List.of(binDir.resolve("redis-benchmark").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(tlsPort), "--tls", "--cacert", certs.caCert().toString()));
        cmd.addAll(List.of(args));
        return Tools.run(timeout, cmd).orThrow();
    }

    /** Runs {@code redis-cli} from {@code binDir} against {@code port} with {@code args}. */
    public static ToolRun cli(Path binDir, int port, Duration timeout, String... args) {
        var cmd = new ArrayList<>(List.of(binDir.resolve("redis-cli").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        return Tools.run(timeout, cmd).orThrow();
    }
}
