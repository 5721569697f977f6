package kvscope.cli.record;

import kvscope.cli.UserError;
import kvscope.cli.redis.Cleanup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One LTTng recording session writing a CTF trace into a directory: created, configured and started by
 * {@link #start}; {@link #stop()} flushes it; {@link #close()} destroys the session (stopping it first if needed).
 * A JVM exit (Ctrl-C) closes a session still open, so none is left behind in the shared session daemon.
 */
public final class Recording implements AutoCloseable {
    static final String CHANNEL = "kvscope";

    /** Contexts every event carries: which process and thread emitted it, by what name (issue 2 §3). */
    private static final String[] CONTEXTS = {"vpid", "vtid", "procname"};

    private final String session;
    private final Path dir;
    private boolean stopped;
    private boolean closed;

    private Recording(String session, Path dir) {
        this.session = session;
        this.dir = dir;
    }

    /** Creates and starts a session writing to {@code dir} (created if missing) with the events of {@code profile}. */
    public static Recording start(Path dir, Profile profile) {
        var out = prepareDir(dir);
        Lttng.ensureSessionDaemon();
        var session = uniqueSessionName();
        Lttng.create(session, out.toString());
        return configure(new Recording(session, out), profile);
    }

    /**
     * Creates and starts a session streaming to the lttng-relayd at {@code relayUrl} (see {@link RelayUrl}): the
     * trace is written on the relay's host, under its output directory, in a folder named after this host.
     */
    public static Recording streaming(String relayUrl, Profile profile) {
        return streaming(relayUrl, profile, 0);
    }

    /** The same, as a live session ({@code liveTimerUs} > 0) that `kvscope serve --live` can follow while it runs. */
    public static Recording streaming(String relayUrl, Profile profile, long liveTimerUs) {
        Lttng.ensureSessionDaemon();
        var session = uniqueSessionName();
        if (liveTimerUs > 0) Lttng.createLive(session, relayUrl, liveTimerUs);
        else Lttng.createStreaming(session, relayUrl);
        return configure(new Recording(session, null), profile);
    }

    private static Recording configure(Recording rec, Profile profile) {
        var session = rec.session;
        Cleanup.register(rec);
        try {
            Lttng.enableChannel(session, CHANNEL);
            for (var rule : profile.rulesBeforeStart()) Lttng.enableEvents(session, CHANNEL, rule);
            Lttng.addContexts(session, CHANNEL, CONTEXTS);
            Lttng.start(session);
            // The snapshot triggers last: a snapshot must not begin before each process's session is active
            // (Profile.SNAPSHOT_TRIGGERS says why).
            var triggers = profile.rulesAfterStart();
            if (!triggers.isEmpty()) Lttng.enableEvents(session, CHANNEL, new EventRule(triggers, List.of()));
        } catch (RuntimeException e) {
            try {
                rec.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup); // the first failure is the one that explains what went wrong
            }
            throw e;
        }
        return rec;
    }

    /** A default output directory: {@code kvscope-trace-<local time>} in the current directory. */
    public static Path defaultDir(String prefix) {
        var stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of(prefix + "-" + stamp).toAbsolutePath();
    }

    private static String uniqueSessionName() {
        var stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        var bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return "kvscope-" + stamp + "-" + HexFormat.of().formatHex(bytes);
    }

    /**
     * Checks that we can write where the trace goes before involving LTTng, whose own error for this ("Error:
     * Failed to create output directory") does not say what to do. An existing trace there is refused: two traces
     * in one directory would be read as one.
     */
    static Path prepareDir(Path dir) {
        var out = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new UserError("cannot write the trace to " + out + ": it is a file, not a directory; choose another -o DIR");
            }
            Files.createDirectories(out);
            if (Files.exists(out.resolve("ust")) || Files.exists(out.resolve("metadata"))) {
                throw new UserError(out + " already holds a trace; choose a new or empty directory with -o DIR");
            }
            var probe = Files.createTempFile(out, ".kvscope-probe", "");
            Files.delete(probe);
        } catch (IOException e) {
            throw new UserError("cannot write the trace to " + out + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); choose a writable directory with -o DIR");
        }
        return out;
    }

    /** The local trace directory, or null when the session streams to a relay daemon. */
    public Path dir() { return dir; }

    public String session() { return session; }

    /** Stops recording and waits until every buffered event is in the trace files. */
    public synchronized void stop() {
        if (stopped) return;
        stopped = true;
        Lttng.stop(session);
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        Cleanup.unregister(this);
        try {
            if (!stopped) stop();
        } finally {
            var run = Lttng.destroy(session);
            if (!run.ok()) System.err.println("kvscope: could not destroy LTTng session " + session + ": " + run.describe());
        }
    }

    @Override public String toString() { return "LTTng session " + session + " -> " + dir; }
}
