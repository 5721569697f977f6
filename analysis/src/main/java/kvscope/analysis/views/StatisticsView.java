package kvscope.analysis.views;

import kvscope.analysis.Summary;
import kvscope.analysis.segments.LatencyStats;
import kvscope.analysis.segments.SegmentFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Statistics: per server and command, count, min, mean, p50, p99 and max latency — exact (nearest rank, see
 * {@link LatencyStats}) and without the time clients spent blocked (BLPOP, WAIT… waiting by design, as Redis's
 * SLOWLOG counts), then how many requests blocked and for how long in all (issue #19). The whole trace is answered
 * from the stored summary; a narrower range is recomputed from the segments overlapping it.
 */
final class StatisticsView implements Provider.DataTree {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.statistics", "Latency statistics",
            "Per server and command: count, min, mean, p50, p99, max latency (ns) without the time clients spent blocked "
                    + "(as Redis's SLOWLOG), then the requests that blocked and their blocked time", Tsp.ProviderType.DATA_TREE);
    static final List<Tsp.Header> HEADERS = List.of(Tsp.Header.of("Server / command", "STRING"),
            Tsp.Header.of("Count", "NUMBER"), Tsp.Header.of("Min ns w/o blocked", "NUMBER"),
            Tsp.Header.of("Mean ns w/o blocked", "NUMBER"), Tsp.Header.of("P50 ns w/o blocked", "NUMBER"),
            Tsp.Header.of("P99 ns w/o blocked", "NUMBER"), Tsp.Header.of("Max ns w/o blocked", "NUMBER"),
            Tsp.Header.of("Blocked", "NUMBER"), Tsp.Header.of("Blocked ns", "NUMBER"));

    private final SegmentFile segments;
    private final Summary summary;
    /** Per server: the commands it ran (segment indexes), busiest first, as the summary lists them. */
    private final Map<Integer, List<Integer>> commands = new LinkedHashMap<>();
    private Tsp.Tree whole;

    StatisticsView(SegmentFile segments, Summary summary) {
        this.segments = segments;
        this.summary = summary;
        for (var l : summary.latencies()) {
            int s = segments.serverIndex(l.server()), k = segments.commandIndex(l.command());
            if (s >= 0 && k >= 0) commands.computeIfAbsent(s, x -> new ArrayList<>()).add(k);
        }
    }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public Tsp.Tree tree(long start, long end) {
        boolean all = start <= summary.start() && end >= summary.end();
        if (all) {
            synchronized (this) {
                if (whole == null) whole = compute(Long.MIN_VALUE, Long.MAX_VALUE);
                return whole;
            }
        }
        return compute(start, end);
    }

    private Tsp.Tree compute(long t0, long t1) {
        int width = segments.commands().size() + 1;
        var entries = new ArrayList<Tsp.Entry>();
        for (var e : commands.entrySet()) {
            int s = e.getKey();
            long serverId = 1 + (long) s * width;
            var blocked = new long[2];
            var total = LatencyStats.of(segments, s, -1, t0, t1, blocked);
            entries.add(Tsp.Entry.data(serverId, -1, labels(segments.servers().get(s), total, blocked)));
            for (int k : e.getValue()) {
                var b = new long[2];
                var st = t0 == Long.MIN_VALUE ? fromSummary(s, k) : LatencyStats.of(segments, s, k, t0, t1, b);
                if (st.count() == 0) continue;
                if (t0 == Long.MIN_VALUE) b = blockedFromSummary(s, k);
                entries.add(Tsp.Entry.data(serverId + 1 + k, serverId, labels(segments.commands().get(k), st, b)));
            }
        }
        return new Tsp.Tree(HEADERS, -1, entries);
    }

    private LatencyStats fromSummary(int s, int k) {
        var server = segments.servers().get(s);
        var command = segments.commands().get(k);
        for (var l : summary.latencies()) {
            if (l.server().equals(server) && l.command().equals(command))
                return new LatencyStats(l.count(), l.min(), l.max(), l.mean(), l.p50(), l.p90(), l.p99());
        }
        return LatencyStats.EMPTY;
    }

    private long[] blockedFromSummary(int s, int k) {
        var server = segments.servers().get(s);
        var command = segments.commands().get(k);
        for (var l : summary.latencies()) {
            if (l.server().equals(server) && l.command().equals(command)) return new long[] {l.blocked(), l.blockedNs()};
        }
        return new long[2];
    }

    private static List<String> labels(String name, LatencyStats st, long[] blocked) {
        return List.of(name, Long.toString(st.count()), Long.toString(st.min()), Long.toString(Math.round(st.mean())),
                Long.toString(st.p50()), Long.toString(st.p99()), Long.toString(st.max()), Long.toString(blocked[0]),
                Long.toString(blocked[1]));
    }
}
