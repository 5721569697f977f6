package kvscope.analysis.model;

import kvscope.statesystem.History;

import java.io.IOException;
import java.util.Arrays;

/**
 * The model's writes to the {@link History}, reordered by time.
 *
 * <p>Why: the instrumented Redis reports a short phase with one event at its end carrying the phase's start
 * ({@code start_ns}, see instrument/redis/EVENTS.md), so the model learns that a connection was READ_CLIENT from
 * {@code start_ns} only after other threads and servers have reported later events. The history accepts times in
 * order only; this buffer holds changes for a horizon of trace time and commits them sorted. Changes made at the
 * current event time (nearly all) go to a ring buffer already in order; the few retroactive ones go to a small heap;
 * committing merges the two. A change older than what was already committed is applied at the committed time and
 * counted as late, never dropped.
 */
final class Timeline {
    static final byte NULL = 0, INT = 1, LONG = 2, STRING = 4;

    private final History history;
    private final long horizon;

    // In-order ring buffer.
    private long[] rTime = new long[1 << 12];
    private int[] rQuark = new int[rTime.length];
    private byte[] rKind = new byte[rTime.length];
    private long[] rBits = new long[rTime.length];
    private String[] rString = new String[rTime.length];
    private int head, size;
    private long lastInOrder = Long.MIN_VALUE;

    // Retroactive changes: a binary heap on (time, seq).
    private long[] hTime = new long[256];
    private long[] hSeq = new long[256];
    private int[] hQuark = new int[256];
    private byte[] hKind = new byte[256];
    private long[] hBits = new long[256];
    private String[] hString = new String[256];
    private int hSize;
    private long seq;

    private long committed = Long.MIN_VALUE;
    private long late;
    private long maxLateness;

    /** @param horizon how long (ns of trace time) a change may arrive after later ones and still be placed exactly */
    Timeline(History history, long horizon) {
        this.history = history;
        this.horizon = horizon;
    }

    void set(long t, int q, String v) { add(t, q, v == null ? NULL : STRING, 0, v); }
    void set(long t, int q, long v) { add(t, q, LONG, v, null); }
    void set(long t, int q, int v) { add(t, q, INT, v, null); }
    void clear(long t, int q) { add(t, q, NULL, 0, null); }

    private void add(long t, int q, byte kind, long bits, String s) {
        if (t >= lastInOrder && hSize == 0 || t >= lastInOrder && t >= hTime[0]) {
            pushRing(t, q, kind, bits, s);
        } else {
            pushHeap(t, q, kind, bits, s);
        }
    }

    /** Commits every change older than {@code now − horizon}; call once per event with the event's time. */
    void advance(long now) {
        long limit = now - horizon;
        if (size > rTime.length - 16 || hSize > (1 << 20)) limit = Long.MAX_VALUE; // bound memory on bursts
        commitUpTo(limit);
    }

    /** Commits everything (end of trace). */
    void flush() { commitUpTo(Long.MAX_VALUE); }

    /** Changes that arrived after later ones had been committed, and by how much at most (ns). */
    long late() { return late; }
    long maxLateness() { return maxLateness; }

    private void commitUpTo(long limit) {
        while (true) {
            boolean ring = size > 0 && rTime[head] <= limit;
            boolean heap = hSize > 0 && hTime[0] <= limit;
            if (!ring && !heap) return;
            if (ring && (!heap || rTime[head] <= hTime[0])) {
                apply(rTime[head], rQuark[head], rKind[head], rBits[head], rString[head]);
                rString[head] = null;
                head = (head + 1) & (rTime.length - 1);
                size--;
            } else {
                apply(hTime[0], hQuark[0], hKind[0], hBits[0], hString[0]);
                popHeap();
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
        switch (kind) {
            case NULL -> history.clear(t, q);
            case INT -> history.set(t, q, (int) bits);
            case LONG -> history.set(t, q, bits);
            default -> history.set(t, q, s);
        }
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

    private void pushHeap(long t, int q, byte kind, long bits, String s) {
        if (hSize == hTime.length) {
            int n = hSize * 2;
            hTime = Arrays.copyOf(hTime, n);
            hSeq = Arrays.copyOf(hSeq, n);
            hQuark = Arrays.copyOf(hQuark, n);
            hKind = Arrays.copyOf(hKind, n);
            hBits = Arrays.copyOf(hBits, n);
            hString = Arrays.copyOf(hString, n);
        }
        int i = hSize++;
        set(i, t, seq++, q, kind, bits, s);
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!less(i, p)) break;
            swap(i, p);
            i = p;
        }
    }

    private void popHeap() {
        hSize--;
        if (hSize > 0) {
            set(0, hTime[hSize], hSeq[hSize], hQuark[hSize], hKind[hSize], hBits[hSize], hString[hSize]);
            int i = 0;
            while (true) {
                int l = 2 * i + 1, r = l + 1, m = i;
                if (l < hSize && less(l, m)) m = l;
                if (r < hSize && less(r, m)) m = r;
                if (m == i) break;
                swap(i, m);
                i = m;
            }
        }
        hString[hSize] = null;
    }

    private boolean less(int a, int b) {
        return hTime[a] < hTime[b] || hTime[a] == hTime[b] && hSeq[a] < hSeq[b];
    }

    private void set(int i, long t, long sq, int q, byte kind, long bits, String s) {
        hTime[i] = t;
        hSeq[i] = sq;
        hQuark[i] = q;
        hKind[i] = kind;
        hBits[i] = bits;
        hString[i] = s;
    }

    private void swap(int a, int b) {
        long t = hTime[a]; hTime[a] = hTime[b]; hTime[b] = t;
        long s = hSeq[a]; hSeq[a] = hSeq[b]; hSeq[b] = s;
        int q = hQuark[a]; hQuark[a] = hQuark[b]; hQuark[b] = q;
        byte k = hKind[a]; hKind[a] = hKind[b]; hKind[b] = k;
        long x = hBits[a]; hBits[a] = hBits[b]; hBits[b] = x;
        String y = hString[a]; hString[a] = hString[b]; hString[b] = y;
    }

    void close(long end) throws IOException {
        flush();
        history.close(Math.max(end, committed));
    }
}
