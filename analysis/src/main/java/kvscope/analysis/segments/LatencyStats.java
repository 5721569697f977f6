package kvscope.analysis.segments;

import java.util.Arrays;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Exact latency statistics of a set of segments. Percentiles use the nearest-rank definition (the value at rank
 * ⌈p·N⌉ of the sorted latencies), so every figure is a latency some request really had.
 */
public record LatencyStats(long count, long min, long max, double mean, long p50, long p90, long p99) {

    public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0, 0);

    /** Up to this many latencies are sorted in memory; beyond, ranks are found by narrowing histograms (bounded memory). */
    static int inMemoryLimit = 4 << 20;

    /**
     * Statistics of the segments of one server and command (−1 = any) overlapping [t0, t1], without the time clients
     * spent blocked (as Redis's SLOWLOG counts; issue #19).
     */
    public static LatencyStats of(SegmentFile f, int server, int command, long t0, long t1) {
        return of(f, server, command, t0, t1, false);
    }

    /** @param blockedIncluded whether a blocked client's wait (BLPOP, WAIT…) counts in each latency */
    public static LatencyStats of(SegmentFile f, int server, int command, long t0, long t1, boolean blockedIncluded) {
        return of(f, server, command, t0, t1, blockedIncluded, null);
    }

    /**
     * As {@link #of(SegmentFile, int, int, long, long)}, and in the same pass over the segments: how many of them
     * blocked and their blocked time in all, added into {@code blocked} ([count, ns]).
     */
    public static LatencyStats of(SegmentFile f, int server, int command, long t0, long t1, long[] blocked) {
        return of(f, server, command, t0, t1, false, blocked);
    }

    private static LatencyStats of(SegmentFile f, int server, int command, long t0, long t1, boolean blockedIncluded,
                                   long[] blocked) {
        ToLongFunction<SegmentFile.Cursor> latency = blockedIncluded ? SegmentFile.Cursor::latency : SegmentFile.Cursor::serverLatency;
        var sum = new long[4]; // count, min, max, sum
        sum[1] = Long.MAX_VALUE;
        sum[2] = Long.MIN_VALUE;
        f.scan(t0, t1, server, command, c -> {
            long l = latency.applyAsLong(c);
            sum[0]++;
            sum[1] = Math.min(sum[1], l);
            sum[2] = Math.max(sum[2], l);
            sum[3] += l;
            if (blocked != null) {
                long b = c.blockedNs();
                if (b > 0) {
                    blocked[0]++;
                    blocked[1] += b;
                }
            }
        });
        long n = sum[0];
        if (n == 0) return EMPTY;
        long[] ranks = {rank(0.50, n), rank(0.90, n), rank(0.99, n)};
        long[] values = n <= inMemoryLimit
                ? sortedRanks(f, server, command, t0, t1, (int) n, ranks, latency)
                : new long[] {narrow(f, server, command, t0, t1, ranks[0], sum[1], sum[2], latency),
                        narrow(f, server, command, t0, t1, ranks[1], sum[1], sum[2], latency),
                        narrow(f, server, command, t0, t1, ranks[2], sum[1], sum[2], latency)};
        return new LatencyStats(n, sum[1], sum[2], (double) sum[3] / n, values[0], values[1], values[2]);
    }

    /**
     * Statistics of every (server, command) pair of the file, keyed {@code server << 32 | command}: one pass over the
     * file, a second only if the latencies do not all fit in memory ({@link LatencyCollector}).
     */
    public static Map<Long, LatencyStats> byServerAndCommand(SegmentFile f) {
        var collector = new LatencyCollector();
        f.forEach(c -> collector.add(c.server(), c.command(), c.serverLatency(), c.blockedNs()));
        return collector.finish(f);
    }

    static long key(int server, int command) { return ((long) server << 32) | (command & 0xFFFFFFFFL); }

    /** 1-based nearest rank of quantile q among n values. */
    static long rank(double q, long n) { return Math.max(1, (long) Math.ceil(q * n)); }

    private static long[] sortedRanks(SegmentFile f, int server, int command, long t0, long t1, int n, long[] ranks,
                                      ToLongFunction<SegmentFile.Cursor> latency) {
        var all = new long[n];
        var i = new int[1];
        f.scan(t0, t1, server, command, c -> all[i[0]++] = latency.applyAsLong(c));
        Arrays.sort(all);
        var out = new long[ranks.length];
        for (int k = 0; k < ranks.length; k++) out[k] = all[(int) ranks[k] - 1];
        return out;
    }

    /**
     * The value of 1-based rank {@code rank} among latencies in [lo, hi]: each pass counts into a linear histogram of
     * that range and keeps only the bucket holding the rank, until the bucket is small enough to sort.
     */
    private static long narrow(SegmentFile f, int server, int command, long t0, long t1, long rank, long lo, long hi,
                               ToLongFunction<SegmentFile.Cursor> latency) {
        final int buckets = 4096;
        while (true) {
            if (lo == hi) return lo;
            long width = Math.max(1, (hi - lo) / buckets + 1);
            var counts = new long[buckets];
            final long low = lo, high = hi;
            var below = new long[1];
            f.scan(t0, t1, server, command, c -> {
                long l = latency.applyAsLong(c);
                if (l < low) below[0]++;
                else if (l <= high) counts[(int) ((l - low) / width)]++;
            });
            long seen = below[0];
            int b = 0;
            while (seen + counts[b] < rank) seen += counts[b++];
            long bucketLo = lo + b * width;
            long bucketHi = Math.min(hi, bucketLo + width - 1);
            if (counts[b] <= inMemoryLimit) {
                var vals = new long[(int) counts[b]];
                var i = new int[1];
                f.scan(t0, t1, server, command, c -> {
                    long l = latency.applyAsLong(c);
                    if (l >= bucketLo && l <= bucketHi) vals[i[0]++] = l;
                });
                Arrays.sort(vals);
                return vals[(int) (rank - seen) - 1];
            }
            lo = bucketLo;
            hi = bucketHi;
        }
    }
}
