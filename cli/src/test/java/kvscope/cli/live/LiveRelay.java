package kvscope.cli.live;

import kvscope.cli.Home;
import kvscope.cli.redis.Ports;
import kvscope.cli.redis.Tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real lttng-relayd on loopback ports of its own (control, data, live), and `kvscope record --relay … --live`
 * sessions streaming to it, for the live tests. Everything started here is stopped by process id.
 */
final class LiveRelay implements AutoCloseable {
    final Path out;
    final int control, data, live;
    private final Process relayd;
    private final Path log;
    private final List<Process> started = new ArrayList<>();

    private LiveRelay(Path out, int control, int data, int live, Process relayd, Path log) {
        this.out = out;
        this.control = control;
        this.data = data;
        this.live = live;
        this.relayd = relayd;
        this.log = log;
    }

    static LiveRelay start(Path out) throws IOException, InterruptedException {
        Files.createDirectories(out);
        int control = Ports.free(), data = Ports.free(), live = Ports.free();
        var log = out.resolveSibling(out.getFileName() + ".relayd.log");
        var relayd = Tools.start(new ProcessBuilder("lttng-relayd", "--output=" + out,
                "--control-port=tcp://127.0.0.1:" + control, "--data-port=tcp://127.0.0.1:" + data,
                "--live-port=tcp://127.0.0.1:" + live).redirectErrorStream(true).redirectOutput(log.toFile()));
        var r = new LiveRelay(out, control, data, live, relayd, log);
        for (int i = 0; i < 100 && !r.listening(); i++) Thread.sleep(100);
        if (!r.listening()) {
            r.close();
            throw new AssertionError("lttng-relayd does not listen on its live port " + live + ":\n" + Files.readString(log));
        }
        return r;
    }

    private boolean listening() {
        try (var s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", live), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** net://127.0.0.1:LIVE, the relay's viewer address. */
    String url() { return "net://127.0.0.1:" + live; }

    /** Starts `kvscope record --relay … --live PERIOD --duration D` in a JVM of its own; its output goes to {@code log}. */
    Process record(String period, String duration, Path log) throws IOException {
        return record(period, duration, null, log);
    }

    /**
     * The same recording until {@code stop} exists (a command that waits for it: the session ends when the test's work
     * is done, however long a loaded machine takes), {@code duration} at most.
     */
    Process record(String period, String duration, Path stop, Path log) throws IOException {
        var java = ProcessHandle.current().info().command().orElse("java");
        var cmd = new ArrayList<>(List.of(java, "-Dkvscope.home=" + Home.dir(), "-cp", System.getProperty("java.class.path"),
                "kvscope.cli.Kvscope", "record", "--relay", "127.0.0.1:" + control + ":" + data, "--live", period,
                "--duration", duration));
        if (stop != null) cmd.addAll(List.of("--", "bash", "-c", "while [ ! -e \"$1\" ]; do sleep 0.1; done", "_", stop.toString()));
        var pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        var p = pb.start();
        started.add(p);
        return p;
    }

    /** Stops the relay daemon at once (SIGKILL): what a relay that crashes does to its viewers. */
    void kill() {
        relayd.destroyForcibly();
    }

    String log() throws IOException { return Files.readString(log); }

    @Override public void close() throws InterruptedException {
        for (var p : started) {
            if (!p.isAlive()) continue;
            p.destroy(); // record's exit hook stops and destroys its session
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        relayd.destroy();
        if (!relayd.waitFor(10, TimeUnit.SECONDS)) relayd.destroyForcibly();
    }
}
