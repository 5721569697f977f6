package kvscope.analysis.model;

import kvscope.statesystem.History;

/**
 * The sorting half of {@link Timeline}, run on the history writer's thread: takes the model's changes in the order
 * the model made them and gives them to the {@link History} in time order.
 *
 * <p>Changes made at the current event time (nearly all) go to a ring buffer already in order; the few retroactive
 * ones (a phase's start, reported at its end) go to a second ring kept sorted; committing merges the two. A change
 * older than what was already committed is applied at the committed time and counted as late, never dropped.
 */
final class Reorder {
    private final History history;
    private final long horizon;
    /** Changes given to the history per lock, so a query during the build waits at most that long. */
    private static final int PER_LOCK = 1 << 13;
    private final History.Feed feed = this::commitSome;
    private long limit;

    // Changes in order of time as they arrived; and the retroactive ones, kept sorted by time (ties: arrival
    // order). Those arrive nearly in order (the starts of successive phases), so inserting from the tail costs a step
    // or two, not a heap's log n.
    private final Ring ring = new Ring(1 << 12);
    private final Ring retro = new Ring(256);
    private long lastInOrder = Long.MIN_VALUE;

    private long committed = Long.MIN_VALUE;
    private long late;
    private long maxLateness;

    Reorder(History history, long horizon) {
        this.history = history;
        this.horizon = horizon;
    }

    /** Takes one batch of changes, then commits what is older than the batch's event time minus the horizon. */
    void take(HistoryWriter.Batch b) {
        for (int i = 0; i < b.n; i++) add(b.t[i], b.q[i], b.kind[i], b.bits[i], b.s[i]);
        long limit = b.drain ? Long.MAX_VALUE : b.now == Long.MIN_VALUE ? Long.MIN_VALUE : b.now - horizon;
        if (ring.size > (1 << 22) || retro.size > (1 << 20)) limit = Long.MAX_VALUE; // bound memory on bursts
        commitUpTo(limit);
    }

    /** Changes that arrived after later ones had been committed, and by how much at most (ns). */
    long late() { return late; }
    long maxLateness() { return maxLateness; }
    long committed() { return committed; }

    private void add(long t, int q, byte kind, long bits, String s) {
        if (t >= lastInOrder) pushRing(t, q, kind, bits, s);
        else insertRetro(t, q, kind, bits, s);
    }

    private void commitUpTo(long limit) {
        if (!due(limit)) return;
        this.limit = limit;
        history.apply(feed);
    }

    private boolean due(long limit) {
        return ring.size > 0 && ring.t[ring.head] <= limit || retro.size > 0 && retro.t[retro.head] <= limit;
    }

    /** Merges the two queues into the history, up to {@link #PER_LOCK} changes; says whether more are due. */
    private boolean commitSome(History.Writer w) {
        var r = ring;
        var x = retro;
        long limit = this.limit;
        for (int n = 0; n < PER_LOCK; n++) {
            boolean ringDue = r.size > 0 && r.t[r.head] <= limit;
            boolean retroDue = x.size > 0 && x.t[x.head] <= limit;
            if (!ringDue && !retroDue) return false;
            var from = ringDue && (!retroDue || r.t[r.head] <= x.t[x.head]) ? r : x;
            int h = from.head;
            apply(w, from.t[h], from.q[h], from.kind[h], from.bits[h], from.s[h]);
            from.pop();
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

    private void pushRing(long t, int q, byte kind, long bits, String s) {
        ring.put(ring.tail(), t, q, kind, bits, s);
        ring.size++;
        lastInOrder = t;
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
