package kvscope.analysis.views;

import kvscope.statesystem.History;
import kvscope.statesystem.Kind;

import java.util.Arrays;

/**
 * The intervals of some attributes at a resolution ({@link History#scan}: only intervals holding a sample time are
 * read, so a view of a 10 M-event model reads about one leaf per pixel), kept per attribute in time order, in
 * primitive arrays: nothing is boxed or allocated per interval.
 */
final class Sampled {
    private final int[] slotOfQuark;
    private final Buf[] bufs;

    private Sampled(int[] slotOfQuark, Buf[] bufs) {
        this.slotOfQuark = slotOfQuark;
        this.bufs = bufs;
    }

    /** Scans {@code quarks} (each ≥ 0, duplicates allowed) over the query's range at its resolution. */
    static Sampled scan(History h, int[] quarks, long t0, long t1, long step) {
        var slot = new int[h.attributeCount()];
        Arrays.fill(slot, -1);
        int n = 0;
        for (int q : quarks) if (slot[q] < 0) slot[q] = n++;
        var bufs = new Buf[n];
        for (int i = 0; i < n; i++) bufs[i] = new Buf();
        var distinct = new int[n];
        for (int q : quarks) distinct[slot[q]] = q;
        if (n > 0 && t0 <= t1) {
            h.scan(distinct, t0, t1, step, (q, s, e, kind, l, d, str) -> {
                if (kind != Kind.NULL) bufs[slot[q]].add(s, e, kind, l, d, str);
            });
        }
        for (var b : bufs) b.sort();
        return new Sampled(slot, bufs);
    }

    /** The intervals of one attribute (empty if it was not scanned). */
    Buf of(int quark) {
        if (quark < 0 || quark >= slotOfQuark.length || slotOfQuark[quark] < 0) return Buf.EMPTY;
        return bufs[slotOfQuark[quark]];
    }

    /** One attribute's non-null intervals in time order. */
    static final class Buf {
        static final Buf EMPTY = new Buf();
        int size;
        long[] start = new long[8], end = new long[8], longs = new long[8];
        double[] doubles = new double[8];
        Kind[] kinds = new Kind[8];
        String[] strings = new String[8];

        void add(long s, long e, Kind kind, long l, double d, String str) {
            if (size == start.length) {
                int n = size * 2;
                start = Arrays.copyOf(start, n);
                end = Arrays.copyOf(end, n);
                longs = Arrays.copyOf(longs, n);
                doubles = Arrays.copyOf(doubles, n);
                kinds = Arrays.copyOf(kinds, n);
                strings = Arrays.copyOf(strings, n);
            }
            start[size] = s;
            end[size] = e;
            longs[size] = l;
            doubles[size] = d;
            kinds[size] = kind;
            strings[size] = str;
            size++;
        }

        /** The value of interval i as text: numbers in decimal, strings as they are. */
        String text(int i) {
            return switch (kinds[i]) {
                case STRING -> strings[i];
                case INT, LONG -> Long.toString(longs[i]);
                case DOUBLE -> Double.toString(doubles[i]);
                case NULL -> null;
            };
        }

        /** Index of the interval containing t, or −1. */
        int find(long t) {
            int lo = 0, hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (end[mid] < t) lo = mid + 1;
                else if (start[mid] > t) hi = mid - 1;
                else return mid;
            }
            return -1;
        }

        /** The scan visits tree nodes, not time: order the intervals by start (they never overlap). */
        void sort() {
            boolean sorted = true;
            for (int i = 1; i < size && sorted; i++) sorted = start[i - 1] <= start[i];
            if (sorted) return;
            var idx = new int[size];
            for (int i = 0; i < size; i++) idx[i] = i;
            mergeSort(idx, new int[size], 0, size);
            start = permute(start, idx);
            end = permute(end, idx);
            longs = permute(longs, idx);
            var d = new double[size];
            var k = new Kind[size];
            var s = new String[size];
            for (int i = 0; i < size; i++) {
                d[i] = doubles[idx[i]];
                k[i] = kinds[idx[i]];
                s[i] = strings[idx[i]];
            }
            doubles = d;
            kinds = k;
            strings = s;
        }

        private long[] permute(long[] a, int[] idx) {
            var out = new long[size];
            for (int i = 0; i < size; i++) out[i] = a[idx[i]];
            return out;
        }

        private void mergeSort(int[] a, int[] tmp, int lo, int hi) {
            if (hi - lo < 2) return;
            int mid = (lo + hi) >>> 1;
            mergeSort(a, tmp, lo, mid);
            mergeSort(a, tmp, mid, hi);
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = start[a[i]] <= start[a[j]] ? a[i++] : a[j++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
            System.arraycopy(tmp, lo, a, lo, hi - lo);
        }
    }
}
