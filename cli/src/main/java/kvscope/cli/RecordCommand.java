package kvscope.cli;

import kvscope.cli.record.Durations;
import kvscope.cli.record.NodeAgent;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.record.RecordingSummary;
import kvscope.cli.record.RelayUrl;
import kvscope.cli.redis.Cleanup;
import kvscope.cli.redis.Tools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code kvscope record}: an LTTng session around a command, a fixed time, or until Ctrl-C. */
@Command(name = "record", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {
                "Record instrumented processes (Redis, the Node.js services) into a CTF trace with LTTng.",
                "",
                "Record the events of instrumented processes (the Redis built by",
                "instrument/redis/build.sh, Node.js services running the agent of",
                "instrument/node) into a CTF trace directory, with an LTTng session of its own.",
                "",
                "It starts the LTTng session daemon if none runs, enables redis:* (or the",
                "light profile) and nodejs:* with the contexts vpid, vtid and procname, runs",
                "CMD (or waits for --duration, or for Ctrl-C), then stops and destroys the",
                "session and prints how many events of each name the trace holds. Processes",
                "started before recording are traced too, while it records.",
                "",
                "Node.js: CMD runs with NODE_OPTIONS=\"--require <kvscope>/instrument/node/agent.js\"",
                "appended to any NODE_OPTIONS it had, so every Node.js process it starts is",
                "traced with no change to its code (the agent's addon is built first if",
                "missing). Services started elsewhere are recorded too when they were started",
                "with that NODE_OPTIONS: `kvscope record` without CMD prints the exact line.",
                "",
                "Examples:",
                "  kvscope record -o trace -- build/redis/bin/redis-benchmark -t set,get",
                "  kvscope record -o trace -- node app.js    # a Node.js service, traced",
                "  kvscope record -o trace --duration 30s   # what runs now, for 30 s",
                "  kvscope record --profile light           # until Ctrl-C; production-cheap",
                "  kvscope events trace --limit 20          # then look at the events",
                "",
                "Several hosts: run `kvscope aggregate -o DIR` on one machine, then on each",
                "host `kvscope record --relay AGGREGATOR -- CMD`: every host's session streams",
                "to the aggregator's relay daemon (lttng-relayd), which writes DIR/HOSTNAME/….",
                "`kvscope analyze DIR` then synchronises the hosts' clocks from the messages",
                "they exchanged and analyses them as one system.",
                ""},
        footer = {"", "Exit codes: 0 ok, 1 the command or LTTng failed (the message says what",
                "to do), 2 usage."})
final class RecordCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "trace directory (created; must not hold a trace). Default: ./kvscope-trace-<time>")
    Path output;

    @Option(names = "--relay", paramLabel = "HOST[:PORT]",
            description = "stream to the lttng-relayd of `kvscope aggregate` on HOST (control port, default 5342;"
                    + " data port = control + 1) instead of writing a local trace")
    String relay;

    @Option(names = "--live", paramLabel = "PERIOD", arity = "0..1", fallbackValue = "1s",
            description = "with --relay: a live session, which `kvscope serve --live net://RELAY` follows while it"
                    + " runs; the tracer flushes to the relay every PERIOD (default 1s when given without one)")
    String live;

    @Option(names = "--duration", paramLabel = "D",
            description = "record for this long (30s, 500ms, 2m); with CMD, stop CMD when it is over")
    String duration;

    @Option(names = "--profile", paramLabel = "full|light", defaultValue = "full",
            description = "full: every Redis event; light: per command, cluster bus and connection life cycle"
                    + " only (instrument/redis/profile-light.txt). Both record every nodejs:* event."
                    + " Default: ${DEFAULT-VALUE}")
    String profile;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "command to run while recording (after --)")
    List<String> command;

    @Override public Integer call() {
        var prof = parseProfile(profile);
        var limit = duration == null ? null : Durations.parse(duration);
        if (command != null && !command.isEmpty() && !Tools.onPath(command.get(0))) {
            throw UserError.usage("command not found: " + command.get(0)
                    + " (give a program on PATH or a path to an executable after --)");
        }
        if (relay != null && output != null) {
            throw UserError.usage("--relay and -o exclude each other: with --relay the trace is written by the relay"
                    + " daemon, in the directory `kvscope aggregate -o DIR` was given");
        }
        if (live != null && relay == null) {
            throw UserError.usage("--live needs --relay: a live session streams to a relay daemon, whose live port a"
                    + " viewer follows (kvscope aggregate, or lttng-relayd)");
        }
        long liveUs = live == null ? 0 : Durations.parse(live).toNanos() / 1000;
        if (live != null && liveUs < 1000) throw UserError.usage("--live " + live + ": give a period of at least 1ms");
        var url = relay == null ? null : RelayUrl.of(relay);
        var dir = output != null ? output : Recording.defaultDir("kvscope-trace");
        var out = System.out;
        boolean runs = command != null && !command.isEmpty();
        if (runs) NodeAgent.ensureBuilt(out);
        var rec = url != null ? Recording.streaming(url, prof, liveUs) : Recording.start(dir, prof);
        if (url != null) out.println("Streaming to the relay daemon at " + url + (liveUs > 0 ? " (live session "
                + rec.session() + ": kvscope serve --live net://RELAY/host/" + hostname() + "/" + rec.session() + ")" : ""));
        var finisher = new Finisher(rec);
        Cleanup.register(finisher);
        int rc = 0;
        try {
            out.println("Recording (" + prof.name().toLowerCase() + " profile, LTTng session " + rec.session() + ")"
                    + (runs ? "" : (limit == null ? "; press Ctrl-C to stop" : " for " + duration)));
            if (runs) {
                rc = runCommand(limit);
            } else {
                out.println("Node.js services are recorded when started with NODE_OPTIONS=\""
                        + NodeAgent.requireOption(NodeAgent.agent()).replace("\"", "\\\"") + "\"");
                waitFor(limit);
            }
        } finally {
            Cleanup.unregister(finisher);
            finisher.close();
        }
        if (rc != 0) {
            throw new UserError(command.get(0) + " exited with status " + rc + " (the trace above holds what it did)");
        }
        return 0;
    }

    private int runCommand(Duration limit) {
        var pb = new ProcessBuilder(command).inheritIO();
        // Every Node.js process CMD starts (and their children: the variable is inherited) loads the agent.
        pb.environment().put("NODE_OPTIONS", NodeAgent.nodeOptions(System.getenv("NODE_OPTIONS"), NodeAgent.agent()));
        var p = Tools.start(pb);
        AutoCloseable killer = () -> Tools.kill(p);
        Cleanup.register(killer);
        try {
            if (limit == null) return p.waitFor();
            if (p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) return p.exitValue();
            System.out.println("--duration " + duration + " is over: stopping " + command.get(0));
            Tools.kill(p);
            return 0;
        } catch (InterruptedException e) {
            Tools.kill(p);
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            Cleanup.unregister(killer);
        }
    }

    /** Sleeps for the duration, or forever: Ctrl-C then ends the JVM and the finisher runs from its exit hook. */
    private static void waitFor(Duration limit) {
        try {
            if (limit == null) {
                new CountDownLatch(1).await();
            } else {
                Thread.sleep(limit.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Profile parseProfile(String text) {
        return switch (text.toLowerCase()) {
            case "full" -> Profile.FULL;
            case "light" -> Profile.LIGHT;
            default -> throw UserError.usage("unknown --profile '" + text + "': use full or light");
        };
    }

    /**
     * Stops and destroys the session, then prints the summary: run once, by the normal path or by the exit hook
     * when Ctrl-C ends the JVM, so an interrupted recording still ends as a readable trace.
     */
    private static final class Finisher implements AutoCloseable {
        private final Recording rec;
        private boolean done;

        Finisher(Recording rec) { this.rec = rec; }

        @Override public synchronized void close() {
            if (done) return;
            done = true;
            try {
                rec.stop();
            } finally {
                rec.close();
            }
            if (rec.dir() != null) RecordingSummary.print(rec.dir(), System.out);
            else System.out.println("Trace streamed to the relay daemon: it is in the aggregator's directory, under this"
                    + " host's name.");
        }
    }

    /** This host's name as LTTng's session daemon gives it to the relay (gethostname, which /proc shows). */
    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "HOST";
        }
    }
}
