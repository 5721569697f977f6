package kvscope.analysis.model;

import kvscope.statesystem.History;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The sorting half of {@link Timeline}, run on the history writer's thread: takes the model's changes in the order
 * the model made them and gives them to the {@link History} in time order.
 *
 * <p>Changes made at the current event time (nearly all) stay in the batches they came in, already in order: the
 * batches are held until their last change is committed, then handed back for reuse. Why: copying every change into
 * a queue of our own was a third of this thread's work, and this thread is the one that limits an analysis. The few
 * retroactive changes (a phase's start, reported at its end) are moved to a ring kept sorted; committing merges the
 * two. A change older than what was already committed is applied at the committed time and counted as late, never
 * dropped.
 */
final class Reorder {
    /** Changes given to the history per lock, so a query during the build waits at most that long. */
    private static final int PER_LOCK = 1 << 13;
    /** Batches held at most (a horizon longer than memory allows commits early): 4 M changes, about 100 MB. */
    static final int MAX_HELD = (1 << 22) / HistoryWriter.BATCH;
    /** The kind of a change moved from its batch to {@link #retro}. */
    private static final byte MOVED = -1;

    private final History history;
    private final long horizon;
    private final Consumer<HistoryWriter.Batch> release;
    private final History.Feed feed = this::commitSome;
    private long limit;

    // The batches holding uncommitted in-order changes, oldest first, and the next change of the oldest; and the
    // retroactive changes, kept sorted by time (ties: arrival order). Those arrive nearly in order (the starts of
    // successive phases), so inserting from the tail costs a step or two, not a heap's log n.
    private final ArrayDeque<HistoryWriter.Batch> held = new ArrayDeque<>();
    private int cursor;
    private final Ring retro = new Ring(256);
    private long lastInOrder = Long.MIN_VALUE;

    private long committed = Long.MIN_VALUE;
    private long late;
    private long maxLateness;

    /** @param release takes back a batch whose changes are all committed */
    Reorder(History history, long horizon, Consumer<HistoryWriter.Batch> release) {
        this.history = history;
        this.horizon = horizon;
        this.release = release;
    }

    /**
     * Takes one batch of changes (and holds it until they are committed), then commits what is older than the
     * batch's event time minus the horizon.
     */
    void take(HistoryWriter.Batch b) {
        long last = lastInOrder;
        long[] t = b.t;
        byte[] kind = b.kind;
        for (int i = 0, n = b.n; i < n; i++) {
            if (t[i] >= last) {
                last = t[i];
            } else {
                insertRetro(t[i], b.q[i], kind[i], b.bits[i], b.s[i]);
                kind[i] = MOVED;
            }
        }
        lastInOrder = last;
        long limit = b.drain ? Long.MAX_VALUE : b.now == Long.MIN_VALUE ? Long.MIN_VALUE : b.now - horizon;
        held.addLast(b);
        if (held.size() > MAX_HELD || retro.size > (1 << 20)) limit = Long.MAX_VALUE; // bound memory on bursts
        commitUpTo(limit);
    }

    /** Hands back every batch still held, uncommitted (the analysis failed). */
    void abandon() {
        for (var b : held) release.accept(b);
        held.clear();
        cursor = 0;
    }

    /** Changes that arrived after later ones had been committed, and by how much at most (ns). */
    long late() { return late; }
    long maxLateness() { return maxLateness; }
    long committed() { return committed; }

    private void commitUpTo(long limit) {
        if (due(limit)) {
            this.limit = limit;
            history.apply(feed);
        }
        head(); // hands back a batch whose last change is committed
    }

    /**
     * The oldest held batch with a change left, at {@link #cursor}, past moved changes; batches done are handed
     * back. Null when none.
     */
    private HistoryWriter.Batch head() {
        var b = held.peekFirst();
        while (b != null) {
            int i = cursor;
            while (i < b.n && b.kind[i] == MOVED) i++;
            cursor = i;
            if (i < b.n) return b;
            held.pollFirst();
            release.accept(b);
            cursor = 0;
            b = held.peekFirst();
        }
        return null;
    }

    private boolean due(long limit) {
        var b = head();
        return b != null && b.t[cursor] <= limit || retro.size > 0 && retro.t[retro.head] <= limit;
    }

    /** Merges the two queues into the history, up to {@link #PER_LOCK} changes; says whether more are due. */
    private boolean commitSome(History.Writer w) {
        var x = retro;
        long limit = this.limit;
        for (int n = 0; n < PER_LOCK; n++) {
            var b = head();
            boolean batchDue = b != null && b.t[cursor] <= limit;
            boolean retroDue = x.size > 0 && x.t[x.head] <= limit;
            if (!batchDue && !retroDue) return false;
            if (batchDue && (!retroDue || b.t[cursor] <= x.t[x.head])) {
                int i = cursor++;
                apply(w, b.t[i], b.q[i], b.kind[i], b.bits[i], b.s[i]);
            } else {
                int h = x.head;
                apply(w, x.t[h], x.q[h], x.kind[h], x.bits[h], x.s[h]);
                x.pop();
            }
        }
        return due(limit);
    }

    private void apply(History.Writer w, long t, int q, byte kind, long bits, String s) {
        if (t < committed) {
            late++;
            maxLateness = Math.max(maxLateness, committed - t);
            t = committed;
        }
        committed = t;
        // Repeats of an attribute's value (a thread's Bytes cleared again, the same request type) go through: the
        // history drops them. Dropping them here cost more (a lookup per change) than it saved.
        switch (kind) {
            case Timeline.NULL -> w.clear(t, q);
            case Timeline.INT -> w.set(t, q, (int) bits);
            case Timeline.LONG -> w.set(t, q, bits);
            default -> w.set(t, q, s);
        }
    }

    private void insertRetro(long t, int q, byte kind, long bits, String s) {
        var x = retro;
        int i = x.tail(), mask = x.mask();
        // Shift later entries one place right, from the tail, until t fits (equal times keep arrival order).
        for (int k = x.size; k > 0; k--) {
            int prev = (i - 1) & mask;
            if (x.t[prev] <= t) break;
            x.move(prev, i);
            i = prev;
        }
        x.put(i, t, q, kind, bits, s);
        x.size++;
    }
}
