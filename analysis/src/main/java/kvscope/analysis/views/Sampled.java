package kvscope.analysis.views;

import kvscope.statesystem.History;
import kvscope.statesystem.ValueKind;
import kvscope.statesystem.Visitor;

import java.util.Arrays;
import java.util.concurrent.ForkJoinTask;

/**
 * The intervals of some attributes at a resolution ({@link History#scan}: only intervals holding a sample time are
 * read, so a view of a 10 M-event model reads about one leaf per pixel), per attribute in time order.
 *
 * <p>The scan visits tree nodes, not time, so its intervals arrive out of order. Each one holds a sample and no two
 * of an attribute hold the same first sample, so an interval's place is its (attribute, first sample) cell: filing
 * it there sorts in one pass, with no comparisons, and leaves each attribute's intervals side by side in memory, where
 * the views read them in order. Cells are primitive arrays: nothing is boxed or allocated per interval.
 */
final class Sampled implements AutoCloseable {
    /**
     * The most (attribute × sample) cells one scan fills: 29 bytes each, so 60 MB. {@link AttributeTimeGraph} scans
     * the rows of a larger request in batches, so a request for many rows at many pixels cannot exhaust the heap.
     */
    static final long MAX_CELLS = 1L << 21;
    private static final ValueKind[] KINDS = ValueKind.values();
    private static final byte DOUBLE = (byte) ValueKind.DOUBLE.ordinal(), STRING = (byte) ValueKind.STRING.ordinal();

    private final int[] slotOfQuark;
    private final int samples;
    private final long t0, step, lastGrid;
    private final double perStep;
    private final Buf[] bufs;

    // The cells: attribute by attribute (slot), sample by sample; kind 0 (NULL) is an empty cell.
    private final Cells cells;
    private final int used;
    /** Per cell, side by side (one cache line, not three, for the scan's scattered writes): start, end, value bits. */
    private final long[] times;
    private final byte[] kind;
    private final String[] string;
    /** The filled cells, attribute by attribute, each in time order. */
    private final int[] order;
    private int filled;

    private Sampled(int attributes, int[] distinct, long t0, long t1, long step) {
        this.t0 = t0;
        this.step = step;
        this.samples = samples(t0, t1, step);
        this.lastGrid = samples - 2;
        this.perStep = 1.0 / step;
        slotOfQuark = new int[attributes];
        Arrays.fill(slotOfQuark, -1);
        for (int s = 0; s < distinct.length; s++) slotOfQuark[distinct[s]] = s;
        used = Math.multiplyExact(distinct.length, samples);
        bufs = new Buf[distinct.length];
        cells = Cells.take(used);
        times = cells.times;
        kind = cells.kind;
        string = cells.string;
        order = cells.order;
    }

    /** Gives the cells back for another query: no {@link Buf} of this scan may be read after. */
    @Override public void close() { cells.giveBack(used, filled); }

    /**
     * Sample times of a query: {@code t0 + k·step ≤ t1} for k = 0…K, and t1 itself (cell K+1, empty when t1 is on
     * the grid). At most about 2·nbTimes + 2, since step = span / nbTimes rounded down.
     */
    static int samples(long t0, long t1, long step) {
        return Math.toIntExact((t1 - t0) / step + 2);
    }

    /** Cells a scan of {@code attributes} distinct attributes over the query takes (see {@link #MAX_CELLS}). */
    static long cells(int attributes, long t0, long t1, long step) {
        return (long) attributes * samples(t0, t1, step);
    }

    /**
     * Scans {@code quarks[0..count)} (each ≥ 0, duplicates allowed) over [t0, t1] at the given step, the time range
     * cut into {@code parts} scanned at once on the common fork-join pool (1: all on the calling thread). The caller
     * keeps the cells (distinct quarks × {@link #samples}) near {@link #MAX_CELLS}.
     */
    static Sampled scan(History h, int[] quarks, int count, long t0, long t1, long step, int parts) {
        var seen = new boolean[h.attributeCount()];
        var distinct = new int[count];
        int d = 0;
        for (int i = 0; i < count; i++) {
            int q = quarks[i];
            if (!seen[q]) {
                seen[q] = true;
                distinct[d++] = q;
            }
        }
        distinct = Arrays.copyOf(distinct, d);
        var s = new Sampled(h.attributeCount(), distinct, t0, t1, step);
        if (d > 0 && t0 <= t1) {
            var qs = distinct;
            // Parts split the grid (the samples t0 + k·step), not the rows: each part reads only the subtrees of its
            // own time range, so a split costs a few upper nodes read twice, not a second walk of the whole tree.
            int grid = s.samples - 1; // grid samples k = 0…K
            parts = Math.max(1, Math.min(parts, grid / 64));
            var tasks = new ForkJoinTask<?>[parts];
            for (int p = 0; p < parts; p++) {
                long kFrom = (long) grid * p / parts, kTo = (long) grid * (p + 1) / parts - 1;
                long from = t0 + kFrom * step, to = p == parts - 1 ? t1 : t0 + kTo * step;
                // An interval starting at or before the previous part's last sample holds that sample: it is the
                // previous part's to file, even if it also holds some of this part's.
                long after = p == 0 ? Long.MIN_VALUE : from - step;
                tasks[p] = ForkJoinTask.adapt(() -> h.scan(qs, from, to, step, s.new Filer(after)));
            }
            if (parts == 1) tasks[0].invoke();
            else ForkJoinTask.invokeAll(tasks);
        }
        s.file();
        return s;
    }

    /** Files one part's intervals into their cells (parts fill disjoint cells, so they may run at once). */
    private final class Filer implements Visitor {
        private final long after;

        Filer(long after) { this.after = after; }

        @Override public void interval(int q, long s, long e, ValueKind k, long longValue, double doubleValue, String str) {
            if (k == ValueKind.NULL || s <= after) return;
            int cell = slotOfQuark[q] * samples + sampleOf(s);
            // Two intervals of one attribute cannot hold the same first sample in a sound history; if a damaged one
            // says so, keep the later (it holds the sample) rather than fail the view.
            int at = 3 * cell;
            if (kind[cell] != 0 && times[at] >= s) return;
            times[at] = s;
            times[at + 1] = e;
            times[at + 2] = k == ValueKind.DOUBLE ? Double.doubleToRawLongBits(doubleValue) : longValue;
            kind[cell] = (byte) k.ordinal();
            string[cell] = str;
        }
    }

    /** The first sample at or after s: its cell within an attribute's row of cells. */
    private int sampleOf(long s) {
        if (s <= t0) return 0;
        long d = s - t0;
        // ceil(d / step) without a division per interval: estimate, then correct (the estimate is off by one at most).
        long k = (long) (d * perStep);
        long at = k * step;
        while (at < d) {
            k++;
            at += step;
        }
        while (k > 0 && at - step >= d) {
            k--;
            at -= step;
        }
        return k > lastGrid ? samples - 1 : (int) k;
    }

    /** Lists the filled cells attribute by attribute, sample by sample: each attribute's intervals in time order. */
    private void file() {
        int o = 0;
        for (int slot = 0; slot < bufs.length; slot++) {
            int from = o;
            for (int c = slot * samples, last = c + samples; c < last; c++) {
                if (kind[c] != 0) order[o++] = c;
            }
            bufs[slot] = new Buf(this, from, o - from);
        }
        filled = o;
    }

    /** The intervals of one attribute (empty if it was not scanned). */
    Buf of(int quark) {
        if (quark < 0 || quark >= slotOfQuark.length || slotOfQuark[quark] < 0) return Buf.EMPTY;
        return bufs[slotOfQuark[quark]];
    }

    /** One attribute's non-null intervals in time order: interval i for i in [0, size). */
    static final class Buf {
        static final Buf EMPTY = new Buf(null, 0, 0);
        private final Sampled s;
        private final int from;
        final int size;

        private Buf(Sampled s, int from, int size) {
            this.s = s;
            this.from = from;
            this.size = size;
        }

        private int at(int i) { return s.order[from + i]; }

        long start(int i) { return s.times[3 * at(i)]; }

        long end(int i) { return s.times[3 * at(i) + 1]; }

        ValueKind kind(int i) { return KINDS[s.kind[at(i)]]; }

        /** The value of an INT or LONG interval (a DOUBLE's rounded toward zero; 0 for a string). */
        long longValue(int i) {
            int j = at(i);
            long bits = s.times[3 * j + 2];
            return s.kind[j] == DOUBLE ? (long) Double.longBitsToDouble(bits) : bits;
        }

        /** The value of interval i as text: numbers in decimal, strings as they are. */
        String text(int i) {
            int j = at(i);
            byte k = s.kind[j];
            if (k == STRING) return s.string[j];
            long bits = s.times[3 * j + 2];
            if (k == DOUBLE) return Double.toString(Double.longBitsToDouble(bits));
            return Long.toString(bits);
        }

        /** Do intervals i and j hold the same value (the same string instance: the model's strings are interned)? */
        boolean sameValue(int i, int j) {
            int a = at(i), b = at(j);
            return s.kind[a] == s.kind[b] && s.times[3 * a + 2] == s.times[3 * b + 2] && s.string[a] == s.string[b];
        }

        /** Index of the interval containing t, or −1. */
        int find(long t) {
            int lo = 0, hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (end(mid) < t) lo = mid + 1;
                else if (start(mid) > t) hi = mid - 1;
                else return mid;
            }
            return -1;
        }
    }
}
