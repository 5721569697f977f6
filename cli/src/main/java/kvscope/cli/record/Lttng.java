package kvscope.cli.record;

import kvscope.cli.UserError;
import kvscope.cli.redis.ToolRun;
import kvscope.cli.redis.Tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The lttng command-line client, one method per control command we use. Failures become {@link UserError}s that
 * say what to do (install LTTng, start or reach the session daemon).
 */
final class Lttng {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Lttng() {}

    /** Makes sure lttng is installed and a session daemon answers for this user, starting one if none runs. */
    static void ensureSessionDaemon() {
        if (!Tools.onPath("lttng")) {
            throw new UserError("LTTng is not installed: apt-get install lttng-tools liblttng-ust-dev");
        }
        // Start one only when none runs at all: `lttng list` also fails transiently while other users' sessions
        // come and go, and a second daemon would take over the shared sockets and break everyone's sessions.
        if (daemonRuns() || daemonAnswers()) return;
        if (!Tools.onPath("lttng-sessiond")) {
            throw new UserError("lttng-sessiond is missing: apt-get install lttng-tools");
        }
        // --no-kernel: kvscope only records user-space (UST) events, so a missing kernel tracer is not an error.
        var run = Tools.run(TIMEOUT, List.of("lttng-sessiond", "--daemonize", "--no-kernel"));
        if (!run.ok() || !daemonAnswers()) {
            throw new UserError("cannot start the LTTng session daemon (" + run.describe().strip() + ").\n"
                    + "  Run as root, or add your user to the 'tracing' group (adduser $USER tracing, then log in again),"
                    + " or start it yourself: lttng-sessiond --daemonize");
        }
    }

    /** Whether an lttng-sessiond process of this user (or root's, which serves everyone in the tracing group) runs. */
    static boolean daemonRuns() {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().command()
                .map(c -> c.endsWith("/lttng-sessiond") || c.equals("lttng-sessiond")).orElse(false));
    }

    private static boolean daemonAnswers() {
        var run = Tools.run(TIMEOUT, List.of("lttng", "--no-sessiond", "list"));
        return run.ok();
    }

    static void create(String session, String outputDir) {
        lttng("create", session, "--output=" + outputDir);
    }

    /** A session streaming to an lttng-relayd ({@code net://HOST[:CTRL[:DATA]]}) instead of writing locally. */
    static void createStreaming(String session, String url) {
        lttng("create", session, "--set-url=" + url);
    }

    /**
     * A streaming session that a viewer can follow while it runs ({@code --live}): the tracer flushes its buffers
     * to the relay every {@code timerUs} µs, even half-full ones, and sends inactivity beacons for quiet streams.
     */
    static void createLive(String session, String url, long timerUs) {
        lttng("create", session, "--live=" + timerUs, "--set-url=" + url);
    }

    /**
     * One channel for everything, with buffers large enough that a loaded Redis (about 1 M events/s) does not
     * overrun them while the consumer drains (tracing-cost.md measured 0 discards with 4 x 4 MiB per CPU).
     */
    static void enableChannel(String session, String channel) {
        lttng("enable-channel", "--userspace", "--session=" + session, "--subbuf-size=4M", "--num-subbuf=4", channel);
    }

    static void enableEvents(String session, String channel, EventRule rule) {
        var args = new ArrayList<>(List.of("enable-event", "--userspace", "--session=" + session,
                "--channel=" + channel, String.join(",", rule.names())));
        if (!rule.excluded().isEmpty()) args.add("--exclude=" + String.join(",", rule.excluded()));
        lttng(args.toArray(String[]::new));
    }

    static void addContexts(String session, String channel, String... contexts) {
        var args = new ArrayList<>(List.of("add-context", "--userspace", "--session=" + session, "--channel=" + channel));
        for (var c : contexts) args.add("--type=" + c);
        lttng(args.toArray(String[]::new));
    }

    static void start(String session) { lttng("start", session); }

    /** Stops recording; lttng waits until the buffers are flushed, so the trace is complete when this returns. */
    static void stop(String session) {
        var run = Tools.run(TIMEOUT, List.of("lttng", "--no-sessiond", "stop", session));
        // A session that never started (its start failed) is already stopped: nothing to flush, not an error.
        if (!run.ok() && !run.stderr().contains("already stopped")) throw refused(run);
    }

    static ToolRun destroy(String session) {
        return Tools.run(TIMEOUT, List.of("lttng", "--no-sessiond", "destroy", session));
    }

    private static void lttng(String... args) {
        var cmd = new ArrayList<String>();
        cmd.add("lttng");
        cmd.add("--no-sessiond");
        cmd.addAll(List.of(args));
        var run = Tools.run(TIMEOUT, cmd);
        if (!run.ok()) throw refused(run);
    }

    private static UserError refused(ToolRun run) {
        if (run.stderr().contains("No UST consumer detected")) {
            // Seen when lttng-consumerd died under a running lttng-sessiond: every session then fails this way.
            return new UserError("the LTTng session daemon has lost its consumer daemon (lttng-consumerd), so it"
                    + " cannot record anything. Restart it: stop lttng-sessiond (it is shared: make sure no one else"
                    + " is recording), then run lttng-sessiond --daemonize.\n  " + run.describe());
        }
        return new UserError("LTTng refused: " + run.describe()
                + "\n  (if every lttng command fails, e.g. `lttng create x && lttng enable-channel -u c -s x`, the session"
                + " daemon is unhealthy: restart lttng-sessiond)");
    }
}
