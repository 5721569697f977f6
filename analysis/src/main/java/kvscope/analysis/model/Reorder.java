package kvscope.analysis.model;

import kvscope.statesystem.Changes;
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
    // Committed changes on their way to the history: one lock per batch.
    private final Changes out = new Changes(1 << 13);

    // In-order ring buffer.
    private long[] rTime = new long[1 << 12];
    private int[] rQuark = new int[rTime.length];
    private byte[] rKind = new byte[rTime.length];
    private long[] rBits = new long[rTime.length];
    private String[] rString = new String[rTime.length];
    private int head, size;
    private long lastInOrder = Long.MIN_VALUE;

    // Retroactive changes, kept sorted by time (ties: arrival order) in a ring. They arrive nearly in order (the
    // starts of successive phases), so inserting from the tail costs a step or two, not a heap's log n.
    private long[] xTime = new long[256];
    private int[] xQuark = new int[256];
    private byte[] xKind = new byte[256];
    private long[] xBits = new long[256];
    private String[] xString = new String[256];
    private int xHead, xSize;

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
        if (size > (1 << 22) || xSize > (1 << 20)) limit = Long.MAX_VALUE; // bound memory on bursts
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
        while (true) {
            boolean ring = size > 0 && rTime[head] <= limit;
            boolean retro = xSize > 0 && xTime[xHead] <= limit;
            if (!ring && !retro) {
                write();
                return;
            }
            if (ring && (!retro || rTime[head] <= xTime[xHead])) {
                apply(rTime[head], rQuark[head], rKind[head], rBits[head], rString[head]);
                rString[head] = null;
                head = (head + 1) & (rTime.length - 1);
                size--;
            } else {
                apply(xTime[xHead], xQuark[xHead], xKind[xHead], xBits[xHead], xString[xHead]);
                xString[xHead] = null;
                xHead = (xHead + 1) & (xTime.length - 1);
                xSize--;
            }
        }
    }

    private void apply(long t, int q, byte kind, long bits, String s) {
        if (t < committed) {
            late++;
            maxLateness = Math.max(maxLateness, committed - t);
            t = committed;
        }
        committed = t;
        // Repeats of an attribute's value (a thread's Bytes cleared again, the same request type) go through: the
        // history drops them. Dropping them here cost more (a lookup per change) than it saved.
        switch (kind) {
            case Timeline.NULL -> out.clear(t, q);
            case Timeline.INT -> out.set(t, q, (int) bits);
            case Timeline.LONG -> out.set(t, q, bits);
            default -> out.set(t, q, s);
        }
        if (out.isFull()) write();
    }

    private void pushRing(long t, int q, byte kind, long bits, String s) {
        if (size == rTime.length) growRing();
        int i = (head + size) & (rTime.length - 1);
        rTime[i] = t;
        rQuark[i] = q;
        rKind[i] = kind;
        rBits[i] = bits;
        rString[i] = s;
        size++;
        lastInOrder = t;
    }

    private void growRing() {
        int n = rTime.length * 2;
        rTime = unroll(rTime, n);
        rQuark = unroll(rQuark, n);
        rKind = unroll(rKind, n);
        rBits = unroll(rBits, n);
        rString = unroll(rString, n);
        head = 0;
    }

    private long[] unroll(long[] a, int n) {
        var b = new long[n];
        for (int k = 0; k < size; k++) b[k] = a[(head + k) & (a.length - 1)];
        return b;
    }
    private int[] unroll(int[] a, int n) {
        var b = new int[n];
        for (int k = 0; k < size; k++) b[k] = a[(head + k) & (a.length - 1)];
        return b;
    }
    private byte[] unroll(byte[] a, int n) {
        var b = new byte[n];
        for (int k = 0; k < size; k++) b[k] = a[(head + k) & (a.length - 1)];
        return b;
    }
    private String[] unroll(String[] a, int n) {
        var b = new String[n];
        for (int k = 0; k < size; k++) b[k] = a[(head + k) & (a.length - 1)];
        return b;
    }

    private void insertRetro(long t, int q, byte kind, long bits, String s) {
        if (xSize == xTime.length) growRetro();
        int mask = xTime.length - 1;
        int i = (xHead + xSize) & mask;
        // Shift later entries one place right, from the tail, until t fits (equal times keep arrival order).
        for (int k = xSize; k > 0; k--) {
            int prev = (i - 1) & mask;
            if (xTime[prev] <= t) break;
            xTime[i] = xTime[prev];
            xQuark[i] = xQuark[prev];
            xKind[i] = xKind[prev];
            xBits[i] = xBits[prev];
            xString[i] = xString[prev];
            i = prev;
        }
        xTime[i] = t;
        xQuark[i] = q;
        xKind[i] = kind;
        xBits[i] = bits;
        xString[i] = s;
        xSize++;
    }

    private void growRetro() {
        int n = xTime.length * 2, mask = xTime.length - 1;
        var t = new long[n];
        var q = new int[n];
        var k = new byte[n];
        var b = new long[n];
        var s = new String[n];
        for (int j = 0; j < xSize; j++) {
            int from = (xHead + j) & mask;
            t[j] = xTime[from];
            q[j] = xQuark[from];
            k[j] = xKind[from];
            b[j] = xBits[from];
            s[j] = xString[from];
        }
        xTime = t;
        xQuark = q;
        xKind = k;
        xBits = b;
        xString = s;
        xHead = 0;
    }

    private void write() {
        if (out.size() == 0) return;
        history.apply(out);
        out.reset();
    }
}
