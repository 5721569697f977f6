package kvscope.cli;

import kvscope.cli.record.Durations;
import kvscope.cli.record.RelayUrl;
import kvscope.cli.redis.Cleanup;
import kvscope.cli.redis.Tools;
import kvscope.ctf.CtfException;
import kvscope.ctf.Trace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code kvscope aggregate}: an lttng-relayd that collects the sessions of several hosts into one experiment. */
@Command(name = "aggregate", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {
                "Collect the traces of several hosts into one directory, through LTTng's relay daemon.",
                "",
                "Starts lttng-relayd listening on --listen (all interfaces by default), control",
                "port --port (5342) and data port --port + 1, writing every session it receives",
                "under DIR/HOSTNAME/SESSION-DATE/ (the relay's own layout; the host name is the",
                "one the trace itself records). On each host run",
                "  kvscope record --relay THIS_HOST[:PORT] -- CMD",
                "When --duration is over or on Ctrl-C, the relay is stopped and the hosts",
                "received are listed. Then: kvscope analyze DIR (the hosts' clocks are",
                "synchronised from the messages they exchanged) and kvscope serve DIR.",
                "",
                "Examples:",
                "  kvscope aggregate -o experiment                 # until Ctrl-C",
                "  kvscope aggregate -o experiment --duration 2m --listen 198.51.100.1",
                ""},
        footer = {"", "Exit codes: 0 ok, 1 the relay daemon failed (the message says why), 2 usage."})
final class AggregateCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "the experiment directory (created): one sub-directory per host")
    Path output;

    @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "0.0.0.0",
            description = "address to listen on. Default: ${DEFAULT-VALUE} (every interface)")
    String listen;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + RelayUrl.DEFAULT_PORT,
            description = "control port (the data port is this + 1). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--duration", paramLabel = "D", description = "stop after this long (30s, 2m); default: Ctrl-C")
    String duration;

    @Override public Integer call() throws Exception {
        if (port < 1 || port > 65534) throw UserError.usage("--port " + port + ": give a port between 1 and 65534");
        var limit = duration == null ? null : Durations.parse(duration);
        if (!Tools.onPath("lttng-relayd")) throw new UserError("lttng-relayd is not installed: apt-get install lttng-tools");
        var dir = output.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create " + dir + " (" + e.getMessage() + "); choose a writable -o DIR");
        }
        var cmd = List.of("lttng-relayd", "--output=" + dir, "--control-port=tcp://" + listen + ":" + port,
                "--data-port=tcp://" + listen + ":" + (port + 1),
                // The live port (for viewers) stays on this machine.
                "--live-port=tcp://127.0.0.1:" + (port + 2));
        var log = Files.createTempFile("kvscope-relayd", ".log");
        var relayd = Tools.start(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()));
        // Ctrl-C ends the JVM: its exit hook stops the relay and still lists what was received.
        var listed = new boolean[1];
        AutoCloseable stop = () -> {
            stop(relayd);
            synchronized (listed) {
                if (!listed[0]) listHosts(dir);
                listed[0] = true;
            }
        };
        Cleanup.register(stop);
        try {
            // A relay that cannot bind its ports exits at once: say so rather than wait for hosts that cannot come.
            if (relayd.waitFor(500, TimeUnit.MILLISECONDS)) {
                throw new UserError("lttng-relayd exited at once (status " + relayd.exitValue() + "): "
                        + Files.readString(log).strip() + "\n  Is another relay daemon listening on port " + port
                        + "? Use --port to choose another.");
            }
            System.out.println("Relay daemon listening on " + listen + ":" + port + " (data " + (port + 1) + "), writing to "
                    + dir + (limit == null ? "; press Ctrl-C to stop" : " for " + duration));
            System.out.println("On each host: kvscope record --relay <this host>" + (port == RelayUrl.DEFAULT_PORT ? "" : ":" + port)
                    + " -- CMD");
            if (limit == null) relayd.waitFor();
            else relayd.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            Cleanup.unregister(stop);
            Files.deleteIfExists(log);
        }
        stop.close();
        return 0;
    }

    /** SIGTERM: lttng-relayd closes its streams and indexes before it exits. */
    private static void stop(Process relayd) throws InterruptedException {
        if (!relayd.isAlive()) return;
        relayd.destroy();
        if (!relayd.waitFor(10, TimeUnit.SECONDS)) Tools.kill(relayd);
    }

    /** The hosts received, by what their traces say (env hostname, clock uuid), not by directory name. */
    static void listHosts(Path dir) {
        Map<String, String> hosts = new TreeMap<>();
        try (var t = Trace.open(dir)) {
            for (var info : t.traces()) {
                hosts.merge(info.host(), dir.relativize(info.dir()) + (info.clockUuid() == null ? "" : " (clock " + info.clockUuid() + ")"),
                        (a, b) -> a + ", " + b);
            }
        } catch (CtfException e) {
            System.out.println("No trace received in " + dir + " (" + e.getMessage() + ")");
            return;
        }
        System.out.println(hosts.size() + " host" + (hosts.size() == 1 ? "" : "s") + " received:");
        hosts.forEach((h, d) -> System.out.println("  " + h + ": " + d));
        System.out.println("Next: kvscope analyze " + dir + "   (then kvscope report / serve " + dir + ")");
    }

}
