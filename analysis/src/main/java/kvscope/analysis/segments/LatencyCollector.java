package kvscope.analysis.segments;

import kvscope.analysis.util.LongMap;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Exact latency statistics of every (server, command) pair, gathered while the segments are written, so the analysis
 * does not read its segment file again to summarise it.
 *
 * <p>Each pair keeps its count, min, max and sum, and a log-linear histogram (32 buckets per power of two, exact
 * below 32 ns). A percentile's rank falls into one bucket; only the values of that bucket need sorting. The values
 * themselves are held in memory up to {@link LatencyStats#inMemoryLimit} in all; past that they are let go and the
 * few buckets that hold the ranks are gathered in one pass over the segment file. Memory stays bounded either way.
 *
 * <p>Which latency: by default a request's time without the time its client spent blocked (BLPOP, WAIT… waiting for
 * data or replicas by design), as Redis's SLOWLOG counts it ({@code serverLatency}); each pair also counts its blocked
 * requests and their blocked time. {@link #withBlocked} gives the statistics with that time included, for the pairs
 * that blocked at all (issue #19).
 */
public final class LatencyCollector {
    static final int SUB = 32, SHIFT = 5;
    private static final int CHUNK = 1 << 16;
    private static final double[] QUANTILES = {0.50, 0.90, 0.99};

    private final LongMap<Pair> pairs = new LongMap<>();
    private final long limit;
    /** Which latency the segment file's pass reads, when the values did not all fit in memory. */
    private final boolean blockedIncluded;
    private long held;
    private boolean spilled;
    private Pair last;

    public LatencyCollector() { this(LatencyStats.inMemoryLimit); }

    LatencyCollector(long limit) { this(limit, false); }

    private LatencyCollector(long limit, boolean blockedIncluded) {
        this.limit = limit;
        this.blockedIncluded = blockedIncluded;
    }

    /** How many requests of one pair blocked and how long in all and at most (ns). */
    public record Blocked(long count, long totalNs, long maxNs) {}

    /** A request of {@code latency} (its blocked time already left out) of which the client spent {@code blockedNs} blocked. */
    public void add(int server, int command, long latency, long blockedNs) {
        add(server, command, latency);
        if (blockedNs <= 0) return;
        var p = last;
        p.blocked++;
        p.blockedNs += blockedNs;
        p.blockedMax = Math.max(p.blockedMax, blockedNs);
    }

    public void add(int server, int command, long latency) {
        long key = LatencyStats.key(server, command);
        var p = last;
        if (p == null || p.key != key) {
            p = pairs.get(key);
            if (p == null) pairs.put(key, p = new Pair(key));
            last = p;
        }
        p.count++;
        p.sum += latency;
        if (latency < p.min) p.min = latency;
        if (latency > p.max) p.max = latency;
        p.count(bucket(latency));
        if (spilled) return;
        if (held == limit) {
            spill();
            return;
        }
        p.hold(latency);
        held++;
    }

    /** Lets go of the values held so far: the statistics will be finished from the segment file. */
    private void spill() {
        spilled = true;
        for (var p : pairs.values()) p.chunks = null;
    }

    /** The bucket of a latency: exact below {@value #SUB}, then 32 per power of two (width at most 1/32 of the value). */
    static int bucket(long l) {
        if (l < SUB) return l < 0 ? 0 : (int) l;
        int e = 63 - Long.numberOfLeadingZeros(l);
        return (e - SHIFT) * SUB + (int) (l >>> (e - SHIFT));
    }

    /**
     * The statistics of every pair, keyed {@code server << 32 | command}. {@code file} holds the same segments; it is
     * read (once) only if the values did not all fit in memory.
     */
    public Map<Long, LatencyStats> finish(SegmentFile file) {
        var all = pairs.values();
        long wanted = 0;
        for (var p : all) wanted += p.target();
        var out = new HashMap<Long, LatencyStats>();
        if (!spilled || wanted <= limit) for (var p : all) p.allocate();
        if (!spilled) {
            for (var p : all) {
                for (int c = 0; c * (long) CHUNK < p.count; c++) {
                    var chunk = p.chunks[c];
                    int n = (int) Math.min(CHUNK, p.count - (long) c * CHUNK);
                    for (int i = 0; i < n; i++) p.gather(chunk[i]);
                }
                p.chunks = null;
                out.put(p.key, p.stats());
            }
            return out;
        }
        if (wanted > limit) {
            // Ranks inside buckets too full to hold: narrow them pair by pair (LatencyStats.of), bounded.
            for (var p : all) out.put(p.key, LatencyStats.of(file, (int) (p.key >>> 32), (int) p.key, Long.MIN_VALUE,
                    Long.MAX_VALUE, blockedIncluded));
            return out;
        }
        var cache = new Pair[1];
        file.forEach(c -> {
            long key = LatencyStats.key(c.server(), c.command());
            var p = cache[0];
            if (p == null || p.key != key) cache[0] = p = pairs.get(key);
            if (p != null) p.gather(blockedIncluded ? c.latency() : c.serverLatency());
        });
        for (var p : all) out.put(p.key, p.stats());
        return out;
    }

    /** The pairs with requests that blocked, keyed {@code server << 32 | command}. */
    public Map<Long, Blocked> blocked() {
        var out = new HashMap<Long, Blocked>();
        for (var p : pairs.values()) if (p.blocked > 0) out.put(p.key, new Blocked(p.blocked, p.blockedNs, p.blockedMax));
        return out;
    }

    /**
     * The statistics of the given pairs with the blocked time included: one more pass over the file (a second only
     * if they do not fit in memory), made only when some request blocked.
     */
    public static Map<Long, LatencyStats> withBlocked(SegmentFile file, Set<Long> keys) {
        if (keys.isEmpty()) return Map.of();
        var collector = new LatencyCollector(LatencyStats.inMemoryLimit, true);
        file.forEach(c -> {
            if (keys.contains(LatencyStats.key(c.server(), c.command()))) collector.add(c.server(), c.command(), c.latency());
        });
        return collector.finish(file);
    }

    private static final class Pair {
        final long key;
        long count, sum, min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        long blocked, blockedNs, blockedMax;
        int[] hist = new int[8 * SUB];
        long[][] chunks = {new long[64]};
        // Per quantile: the bucket holding its rank, the rank within that bucket, and that bucket's values.
        final int[] targets = new int[QUANTILES.length];
        final long[] within = new long[QUANTILES.length];
        final int[] sizes = new int[QUANTILES.length];
        final long[][] gathered = new long[QUANTILES.length][];
        final int[] fill = new int[QUANTILES.length];

        Pair(long key) { this.key = key; }

        void count(int b) {
            if (b >= hist.length) hist = Arrays.copyOf(hist, Math.max(b + 1, hist.length * 2));
            hist[b]++;
        }

        /** The first chunk grows from small (most pairs are rare commands); the next ones are full size. */
        void hold(long latency) {
            long i = count - 1;
            int c = (int) (i / CHUNK), o = (int) (i % CHUNK);
            if (c == chunks.length) chunks = Arrays.copyOf(chunks, c * 2);
            if (chunks[c] == null) chunks[c] = new long[CHUNK];
            else if (o == chunks[c].length) chunks[c] = Arrays.copyOf(chunks[c], Math.min(CHUNK, o * 2));
            chunks[c][o] = latency;
        }

        /** Finds each quantile's bucket; drops the histogram. Returns how many values those buckets hold. */
        long target() {
            long total = 0;
            for (int k = 0; k < QUANTILES.length; k++) {
                long rank = LatencyStats.rank(QUANTILES[k], count), seen = 0;
                int b = 0;
                while (seen + hist[b] < rank) seen += hist[b++];
                targets[k] = b;
                within[k] = rank - seen;
                sizes[k] = hist[b];
                total += hist[b];
            }
            hist = null;
            return total;
        }

        void allocate() {
            for (int k = 0; k < QUANTILES.length; k++) gathered[k] = new long[sizes[k]];
        }

        void gather(long latency) {
            int b = bucket(latency);
            for (int k = 0; k < targets.length; k++) {
                if (targets[k] == b) gathered[k][fill[k]++] = latency;
            }
        }

        LatencyStats stats() {
            var v = new long[QUANTILES.length];
            for (int k = 0; k < QUANTILES.length; k++) {
                var g = gathered[k];
                if (fill[k] != g.length) {
                    throw new IllegalStateException("segment file disagrees with the latencies written: " + fill[k] + " != " + g.length);
                }
                Arrays.sort(g);
                v[k] = g[(int) within[k] - 1];
                gathered[k] = null;
            }
            return new LatencyStats(count, min, max, (double) sum / count, v[0], v[1], v[2]);
        }
    }
}
