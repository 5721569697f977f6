package kvscope.analysis.export;

/**
 * The part of a stored analysis to export: a time range (ns since the epoch, inclusive) and one server (an index into
 * the segment file's server names) or all ({@code server < 0}).
 */
public record Selection(long from, long to, int server) {
    public static final Selection ALL = new Selection(Long.MIN_VALUE, Long.MAX_VALUE, -1);

    public Selection {
        if (from > to) throw new IllegalArgumentException("--from is after --to");
    }

    public boolean hasServer(int s) { return server < 0 || server == s; }

    public boolean overlaps(long start, long end) { return end >= from && start <= to; }
}
