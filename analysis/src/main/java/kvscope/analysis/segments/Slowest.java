package kvscope.analysis.segments;

/**
 * The N slowest requests of a segment file, for the report, the slowest-requests view and the slow-request finding:
 * one pass over the matching segments with a min-heap of N on primitive arrays, so memory is bounded by N whatever
 * the file holds. Slowest first; of equal latencies, the one that completed first (the lower index) comes first and
 * is the one kept at the cut.
 *
 * @param indexes the segments' indexes in the file, slowest first
 * @param matching how many segments matched (of the server and command, at or above the minimum latency)
 */
public record Slowest(long[] indexes, long matching) {

    /**
     * @param server a server index of the file, or -1 for every server
     * @param command a command index of the file, or -1 for every command
     * @param minLatencyNs segments faster than this do not match
     */
    public static Slowest of(SegmentFile sf, int n, int server, int command, long minLatencyNs) {
        return of(sf, n, server, command, minLatencyNs, true);
    }

    /**
     * @param withBlocked whether a blocked client's wait (BLPOP, WAIT…) counts: false ranks by the latency without
     *                    it, as Redis's SLOWLOG does
     */
    public static Slowest of(SegmentFile sf, int n, int server, int command, long minLatencyNs, boolean withBlocked) {
        var heap = new Heap(Math.max(0, n));
        long[] matching = {0};
        sf.scan(Long.MIN_VALUE, Long.MAX_VALUE, server, command, c -> {
            long l = withBlocked ? c.latency() : c.serverLatency();
            if (l < minLatencyNs) return;
            matching[0]++;
            heap.offer(l, c.index());
        });
        return new Slowest(heap.drainSlowestFirst(), matching[0]);
    }

    /** The n slowest segments of one server (-1: every server), all commands. */
    public static long[] of(SegmentFile sf, int n, int server) {
        return of(sf, n, server, -1, Long.MIN_VALUE).indexes();
    }

    /**
     * A min-heap of (latency, index) by "slower": its root is the fastest kept, of equal latencies the latest. Offers
     * come in index order, so a segment as slow as the root never displaces it (the earlier one stays).
     */
    private static final class Heap {
        private final long[] latency, index;
        private int size;

        Heap(int capacity) {
            latency = new long[capacity];
            index = new long[capacity];
        }

        /** Is a faster than b (so nearer the root)? Of equal latencies the later one is. */
        private boolean faster(int a, int b) {
            return latency[a] < latency[b] || latency[a] == latency[b] && index[a] > index[b];
        }

        void offer(long l, long i) {
            if (size < latency.length) {
                int k = size++;
                latency[k] = l;
                index[k] = i;
                while (k > 0 && faster(k, (k - 1) / 2)) {
                    swap(k, (k - 1) / 2);
                    k = (k - 1) / 2;
                }
            } else if (size > 0 && l > latency[0]) {
                latency[0] = l;
                index[0] = i;
                siftDown(0, size);
            }
        }

        private void siftDown(int k, int end) {
            while (true) {
                int a = 2 * k + 1, b = a + 1, m = k;
                if (a < end && faster(a, m)) m = a;
                if (b < end && faster(b, m)) m = b;
                if (m == k) return;
                swap(k, m);
                k = m;
            }
        }

        private void swap(int i, int j) {
            long t = latency[i]; latency[i] = latency[j]; latency[j] = t;
            t = index[i]; index[i] = index[j]; index[j] = t;
        }

        /** Pops every entry, fastest first, written from the back: the result is slowest first. */
        long[] drainSlowestFirst() {
            var out = new long[size];
            for (int last = size - 1; last >= 0; last--) {
                out[last] = index[0];
                latency[0] = latency[last];
                index[0] = index[last];
                siftDown(0, last);
            }
            size = 0;
            return out;
        }
    }
}
