package kvscope.cli;

import kvscope.analysis.Analysis;
import kvscope.analysis.LiveModel;
import kvscope.analysis.Stored;
import kvscope.analysis.report.Units;
import kvscope.analysis.sync.Clocks;
import kvscope.analysis.sync.Verdict;
import kvscope.ctf.CtfException;
import kvscope.ctf.LiveStats;
import kvscope.ctf.Trace;
import kvscope.ctf.live.LiveSession;
import kvscope.ctf.live.LiveUrl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A running session followed through a relay's live port and analysed as it runs (`analyze --live`, `serve
 * --live`): the relay's packets go through {@link Trace#live} into the same pass as a recorded trace's, and the model
 * is stored, beside the copy of the trace kept in {@code out}, when the session ends.
 */
final class LiveFollow implements AutoCloseable {
    /** How long the relay may take to answer one request before the reading gives up with a message. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    final LiveSession session;
    final Trace trace;
    private final Consumer<String> notes;
    private volatile long events;
    /** Several hosts: their clocks as estimated from the pairs seen so far (null before the first estimate). */
    private volatile Clocks clocks;

    private LiveFollow(LiveSession session, Trace trace, Consumer<String> notes) {
        this.session = session;
        this.trace = trace;
        this.notes = notes;
    }

    /**
     * Connects and attaches; waits until the session has recorded something (its metadata).
     * @throws UserError saying what is wrong with the address, the relay or the session
     */
    static LiveFollow open(String url, boolean fromNow, Path out, Consumer<String> notes) {
        var urls = new ArrayList<LiveUrl>();
        try {
            for (var part : url.split(",")) urls.add(LiveUrl.parse(part));
        } catch (IllegalArgumentException e) {
            throw UserError.usage("--live: " + e.getMessage());
        }
        LiveSession s;
        try {
            s = LiveSession.open(urls, fromNow, out, TIMEOUT, notes);
        } catch (CtfException e) {
            throw new UserError(e.getMessage());
        }
        try {
            return new LiveFollow(s, Trace.live(s), notes);
        } catch (CtfException e) {
            s.close();
            throw new UserError(e.getMessage());
        }
    }

    /** Events handed to the model so far. */
    long events() { return events; }

    LiveStats stats() { return trace.liveStats(); }

    /** How far the model is behind real time (ns): now minus the safe time; -1 before the first event. */
    long lagNs() {
        long safe = stats().safeNs();
        if (safe == Long.MIN_VALUE) return -1;
        return Math.max(0, System.currentTimeMillis() * 1_000_000L - safe);
    }

    /** How far behind, for the page: "live — 2.1 s behind · 12,345 events". */
    String shortText() {
        long lag = lagNs();
        return "live — " + (lag < 0 ? "waiting for the first event" : String.format(Locale.ROOT, "%.1f s behind", lag / 1e9))
                + " · " + Units.count(events) + " events" + clocksText(" · clocks so far:");
    }

    /** One line on how the following goes. */
    String describe() {
        var st = stats();
        long lag = lagNs();
        return String.format(Locale.ROOT, "live %s: %s events, %s, %d streams, %s packets (%s), waited %s times",
                session.names().size() == 1 ? session.url() : session.names().size() + " sessions", Units.count(events), lag < 0 ? "no event yet" : String.format(Locale.ROOT, "%.1f s behind", lag / 1e9),
                st.streams(), Units.count(st.packets()), Units.bytes(st.packetBytes()), Units.count(st.waits()))
                + (st.lateEvents() == 0 ? "" : ", " + Units.count(st.lateEvents()) + " events of event classes declared after"
                        + " the start (not in the live model: decoded from the copy at the end)")
                + clocksText("; clocks so far (not applied live):");
    }

    /**
     * {@code lead} then "host-b -3.700 ms ± 0.012 ms accurate (bus 120)": every host but the
     * reference, as the pairs seen so far estimate it; empty for one host or before the first estimate.
     */
    String clocksText(String lead) {
        var c = clocks;
        if (c == null || c.hosts().isEmpty()) return "";
        var sb = new StringBuilder(lead);
        for (var h : c.hosts()) {
            if (h.verdict() == Verdict.REFERENCE) continue;
            sb.append(' ').append(h.host()).append(' ').append(String.format(Locale.ROOT, "%+.3f ms", h.offsetNs() / 1e6));
            if (h.bounded()) sb.append(String.format(Locale.ROOT, " ± %.3f ms", h.boundNs() / 1e6));
            sb.append(' ').append(h.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            if (h.pairs() > 0) sb.append(" (").append(h.pairsText()).append(')');
        }
        return sb.toString();
    }

    /**
     * Runs the analysis until the session ends (blocking), telling {@code progress} as events come.
     * The model is stored under {@code cache}, or the copy's .kvscope.
     */
    Stored analyze(Path cache, Analysis.Progress progress, Consumer<LiveModel> growing) throws IOException {
        var opts = Analysis.Options.defaults().withCache(cache).withForce(true).withProgress(new Analysis.Progress() {
            @Override public void update(long e, long read, long total, long ns) {
                events = e;
                if (progress != null) progress.update(e, read, total, ns);
            }

            @Override public void clocks(Clocks soFar) {
                clocks = soFar;
            }

            // Several hosts: what was modelled live, and the synchronised analysis of the copy that follows.
            @Override public void stage(String what) {
                notes.accept(what);
                if (progress != null) progress.stage(what);
            }
        });
        return Analysis.analyzeLive(trace, session.out(), opts, growing);
    }

    /** Prints {@link #describe()} every {@code period} on a daemon thread until the returned handle is closed. */
    AutoCloseable report(PrintStream out, Duration period) {
        var t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(period.toMillis());
                    out.println(describe());
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "kvscope-live-status");
        t.setDaemon(true);
        t.start();
        return t::interrupt;
    }

    @Override public void close() {
        session.close();
    }
}
