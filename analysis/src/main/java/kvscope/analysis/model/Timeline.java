package kvscope.analysis.model;

import kvscope.statesystem.History;

import java.io.IOException;

/**
 * The model's writes to the {@link History}, reordered by time.
 *
 * <p>Why: the instrumented Redis reports a short phase with one event at its end carrying the phase's start
 * ({@code start_ns}, see instrument/redis/EVENTS.md), so the model learns that a connection was READ_CLIENT from
 * {@code start_ns} only after other threads and servers have reported later events. The history accepts times in
 * order only; changes are held for a horizon of trace time and committed sorted ({@link Reorder}).
 *
 * <p>The model thread only appends each change to a batch of primitive columns; sorting and writing the history
 * happen on the writer's thread ({@link HistoryWriter}). Why: the model makes six or seven changes per event, and
 * sorting them on the model thread made it the one that limited the analysis on two cores.
 */
final class Timeline {
    static final byte NULL = 0, INT = 1, LONG = 2, STRING = 4;

    private final History history;
    private final Reorder reorder;
    private final HistoryWriter writer;
    private HistoryWriter.Batch out;

    /** @param horizon how long (ns of trace time) a change may arrive after later ones and still be placed exactly */
    Timeline(History history, long horizon) {
        this.history = history;
        this.writer = new HistoryWriter(history, horizon);
        this.reorder = writer.reorder();
        this.out = writer.batch();
    }

    void set(long t, int q, String v) { add(t, q, v == null ? NULL : STRING, 0, v); }
    void set(long t, int q, long v) { add(t, q, LONG, v, null); }
    void set(long t, int q, int v) { add(t, q, INT, v, null); }
    void clear(long t, int q) { add(t, q, NULL, 0, null); }

    private void add(long t, int q, byte kind, long bits, String s) {
        var b = out;
        int i = b.n;
        b.t[i] = t;
        b.q[i] = q;
        b.kind[i] = kind;
        b.bits[i] = bits;
        b.s[i] = s;
        if ((b.n = i + 1) == HistoryWriter.BATCH) out = writer.submit(b);
    }

    /**
     * Says that every later change comes from an event at {@code now} or after; changes older than {@code now −
     * horizon} may then be committed. Call once per event with the event's time, before its changes.
     */
    void advance(long now) { out.now = now; }

    /** Commits everything and waits until the history holds it. */
    void flush() {
        out.drain = true;
        out = writer.submit(out);
        writer.await();
    }

    /** Changes that arrived after later ones had been committed, and by how much at most (ns); after a flush. */
    long late() { return reorder.late(); }
    long maxLateness() { return reorder.maxLateness(); }

    /** Stops the writer thread without completing the history (the analysis failed). */
    void abandon() {
        writer.shutdown();
    }

    /** Commits everything and ends the history at {@code end}, which is then durable and marked complete. */
    void complete(long end) throws IOException {
        finish(end);
        history.commit();
    }

    /** Like {@link #complete} but leaves the history to {@link History#commit() commit}: it is queryable, not durable. */
    void finish(long end) throws IOException {
        try {
            flush();
        } finally {
            writer.shutdown();
        }
        history.finish(Math.max(end, reorder.committed()));
    }
}
