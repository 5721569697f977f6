package kvscope.cli.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real redis-server process on loopback, in its own temp directory, answering PING when {@link #start} returns.
 * {@link #close()} stops it (SHUTDOWN NOSAVE, then a kill if it lingers) and deletes its directory; a JVM exit does
 * the same for servers still running.
 */
public final class RedisServer implements AutoCloseable {
    private static final int START_TIMEOUT_MS = 15_000;

    private final Process process;
    private final Path dir;
    private final int port;
    private final int tlsPort;
    private volatile boolean closed;

    private RedisServer(Process process, Path dir, int port, int tlsPort) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.tlsPort = tlsPort;
    }

    /** Starts {@code binary} with our defaults plus {@code config} lines (e.g. "io-threads 4"). */
    public static RedisServer start(Path binary, String... config) {
        return start(binary, null, List.of(config));
    }

    /**
     * Starts {@code binary}; with {@code tls} non-null it also listens for TLS on a second port (clients need not
     * present a certificate). The plain port stays open so the harness can always PING and SHUTDOWN.
     */
    public static RedisServer start(Path binary, TlsCerts tls, List<String> config) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalArgumentException("no redis-server at " + binary);
        }
        IllegalStateException last = null;
        // A free port can be taken between our probe and Redis's bind: retry a couple of times.
        for (int attempt = 0; attempt < 3; attempt++) {
            var dir = TempDirs.create("kvscope-redis");
            int port = Ports.free();
            int tlsPort = tls == null ? 0 : Ports.free();
            try {
                return launch(binary, dir, port, tls, tlsPort, config);
            } catch (IllegalStateException e) {
                TempDirs.deleteRecursively(dir);
                last = e;
                if (!e.getMessage().contains("Address already in use")) throw e;
            }
        }
        throw last;
    }

    /** Starts {@code binary} on a given port: a restart of a server on the port it had (Redis's test suite does it). */
    public static RedisServer startOn(Path binary, int port, String... config) {
        var dir = TempDirs.create("kvscope-redis");
        try {
            return launch(binary, dir, port, null, 0, List.of(config));
        } catch (IllegalStateException e) {
            TempDirs.deleteRecursively(dir);
            throw e;
        }
    }

    private static RedisServer launch(Path binary, Path dir, int port, TlsCerts tls, int tlsPort, List<String> config) {
        var lines = new ArrayList<>(List.of(
                "bind 127.0.0.1",
                "port " + port,
                "dir " + dir,
                "daemonize no",
                "protected-mode no",
                "save \"\"",
                "appendonly no",
                "logfile " + dir.resolve("redis.log")));
        if (tls != null) {
            lines.addAll(List.of(
                    "tls-port " + tlsPort,
                    "tls-cert-file " + tls.serverCert(),
                    "tls-key-file " + tls.serverKey(),
                    "tls-ca-cert-file " + tls.caCert(),
                    "tls-auth-clients no"));
        }
        lines.addAll(config);
        var conf = dir.resolve("redis.conf");
        try {
            Files.write(conf, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var pb = new ProcessBuilder(binary.toString(), conf.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile());
        var p = Tools.start(pb);
        var server = new RedisServer(p, dir, port, tlsPort);
        Cleanup.register(server);
        try {
            server.awaitPing();
        } catch (RuntimeException e) {
            var log = server.logTail();
            server.close();
            throw new IllegalStateException("redis-server " + binary + " did not start on port " + port + ": "
                    + e.getMessage() + "\n" + log, e);
        }
        return server;
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException("it exited with " + process.exitValue());
            try (var c = Resp.connect(port, 1000)) {
                if ("PONG".equals(c.call("PING"))) return;
            } catch (RuntimeException e) {
                // not listening yet (or still loading): retry until the deadline
                if (System.nanoTime() > deadline) throw new IllegalStateException("no PONG within " + START_TIMEOUT_MS + " ms", e);
            }
            sleep(20);
        }
    }

    public int port() { return port; }

    /** The TLS port, or 0 without TLS. */
    public int tlsPort() { return tlsPort; }

    public long pid() { return process.pid(); }

    public Path dir() { return dir; }

    public boolean isAlive() { return process.isAlive(); }

    /** A new client connection on the plain port. */
    public Resp client() { return Resp.connect(port, 10_000); }

    /** One command on a short-lived connection. */
    public Object call(String... args) {
        try (var c = client()) {
            return c.call(args);
        }
    }

    /** Server CPU time (user + system, all threads) so far, from /proc/&lt;pid&gt;/stat, in clock ticks. */
    public long cpuTicks() { return ProcStat.cpuTicks(pid()); }

    /** How long the server's main thread (its event loop) has waited for a CPU, ns ({@link ProcStat#runQueueWaitNs}). */
    public long runQueueWaitNs() { return ProcStat.runQueueWaitNs(pid()); }

    /** The main thread's CPU time so far, in ns ({@link ProcStat#mainThreadCpuNs}). */
    public long mainThreadCpuNs() { return ProcStat.mainThreadCpuNs(pid()); }

    /** The last lines of the server's log file, for error messages. */
    public String logTail() {
        try {
            var log = dir.resolve("redis.log");
            var text = Files.exists(log) ? Files.readString(log) : "";
            var out = dir.resolve("stdout.log");
            if (Files.exists(out)) text = Files.readString(out) + text;
            return text.length() > 3000 ? "…" + text.substring(text.length() - 3000) : text;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        Cleanup.unregister(this);
        if (process.isAlive()) {
            try (var c = Resp.connect(port, 1000)) {
                c.send("SHUTDOWN", "NOSAVE");
                c.read(); // the server closes the connection: EOF is the expected answer
            } catch (RuntimeException ignored) {
                // no answer: the kill below takes over
            }
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) Tools.kill(process);
            } catch (InterruptedException e) {
                Tools.kill(process);
                Thread.currentThread().interrupt();
            }
        }
        TempDirs.deleteRecursively(dir);
    }

    @Override public String toString() { return "redis-server pid " + pid() + " port " + port; }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
