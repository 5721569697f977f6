package kvscope.analysis.views;

import java.lang.ref.SoftReference;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The arrays {@link Sampled} files a scan's intervals into, kept between queries. A 1000-row × 1000-px query needs
 * about 30 MB of them; allocated afresh each time they are "humongous" to the garbage collector, which then starts a
 * collection nearly every query. A few sets are kept, softly (the collector may still take them when memory is short).
 */
final class Cells {
    /** Sets kept for reuse: one per query that can run at once on a small machine, and a few more. */
    private static final int KEPT = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
    private static final ConcurrentLinkedQueue<SoftReference<Cells>> FREE = new ConcurrentLinkedQueue<>();

    /** Start, end and value bits of each cell, side by side. */
    final long[] times;
    /** ValueKind.ordinal() of each cell's interval; 0 (NULL) is an empty cell. */
    final byte[] kind;
    final String[] string;
    /** Filled cells in (attribute, sample) order. */
    final int[] order;

    private Cells(int capacity) {
        times = new long[Math.multiplyExact(3, capacity)];
        kind = new byte[capacity];
        string = new String[capacity];
        order = new int[capacity];
    }

    int capacity() { return kind.length; }

    /** A set of at least {@code n} empty cells. */
    static Cells take(int n) {
        for (SoftReference<Cells> ref; (ref = FREE.poll()) != null; ) {
            var c = ref.get();
            if (c != null && c.capacity() >= n) return c;
            // too small (or collected): dropped, so the pool follows the sizes asked for
        }
        // Rounded up, so queries at slightly different widths share one set.
        return new Cells((int) Math.min(Integer.MAX_VALUE - 8, Math.max(1 << 16, Long.highestOneBit(Math.max(1, n - 1)) << 1)));
    }

    /**
     * Empties the cells of the first {@code used} that are filled (the first {@code filled} of {@link #order}) and
     * keeps the set for another query.
     */
    void giveBack(int used, int filled) {
        if (filled < used / 8) { // a sparse scan (a zoomed view): clear what it filled, not every cell it could have
            for (int i = 0; i < filled; i++) {
                kind[order[i]] = 0;
                string[order[i]] = null;
            }
        } else {
            Arrays.fill(kind, 0, used, (byte) 0);
            Arrays.fill(string, 0, used, null); // no strings of a closed model kept alive
        }
        if (FREE.size() < KEPT) FREE.offer(new SoftReference<>(this));
    }
}
