package kvscope.analysis.views;

/**
 * A time range at a resolution, as views are asked for it: [start, end] in ns, and about {@code nbTimes} samples
 * (one per pixel). Validated here so every provider can trust it.
 */
public record Query(long start, long end, int nbTimes) {
    /** The TSP bound on samples per query: a larger request is refused rather than answered slowly. */
    public static final int MAX_TIMES = 65_536;

    public Query {
        if (start < 0) throw new BadQuery("requested_timerange: start " + start + " is negative (times are ns since the epoch)");
        if (end < start) throw new BadQuery("requested_timerange: end " + end + " is before start " + start);
        if (nbTimes < 1 || nbTimes > MAX_TIMES)
            throw new BadQuery("requested_timerange: nbTimes " + nbTimes + " is outside 1.." + MAX_TIMES);
    }

    /** Distance between samples: at least 1 ns (both ends are ≥ 0, so the span cannot overflow). */
    public long step() { return Math.max(1, (end - start) / nbTimes); }

    /** A query the provider cannot answer because it is malformed: the caller's fault, not the model's. */
    public static final class BadQuery extends RuntimeException {
        public BadQuery(String message) { super(message); }
    }
}
