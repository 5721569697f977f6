package kvscope.analysis.views;

import kvscope.analysis.Summary;
import kvscope.analysis.segments.SegmentFile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Events latency (paper Fig. 9): each request's latency against its start time, a series per server and command.
 * One point per sample gap and series — the slowest request starting in it — so the payload follows the width of the
 * view, not the number of requests, and every series shares the same x values (what TSP viewers assume).
 */
final class LatencyScatterView implements Provider.Xy {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.latency.scatter", "Events latency",
            "Request latency against time, per server and command (the slowest request per pixel)",
            Tsp.ProviderType.TREE_TIME_XY);
    private static final Tsp.Axis X = new Tsp.Axis("Time", "ns", "TIMESTAMP");
    private static final Tsp.Axis Y = new Tsp.Axis("Latency", "ns", "DURATION");
    private static final Tsp.StyleRef SCATTER = new Tsp.StyleRef(null, Map.of("series-type", "scatter"));

    private record Spec(long id, String name, int server, int command) {}

    private final SegmentFile segments;
    private final List<Tsp.Entry> entries = new ArrayList<>();
    private final Map<Long, Spec> specs = new HashMap<>();

    LatencyScatterView(SegmentFile segments, Summary summary) {
        this.segments = segments;
        int commands = segments.commands().size();
        var added = new HashSet<Integer>();
        for (var l : summary.latencies()) {
            int s = segments.serverIndex(l.server()), k = segments.commandIndex(l.command());
            if (s < 0 || k < 0) continue;
            long serverId = 1 + (long) s * (commands + 1);
            if (added.add(s)) entries.add(Tsp.Entry.xy(serverId, -1, l.server(), false, false));
            var spec = new Spec(serverId + 1 + k, l.server() + " " + l.command(), s, k);
            specs.put(spec.id(), spec);
            entries.add(Tsp.Entry.xy(spec.id(), serverId, l.command(), true, true));
        }
    }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public Tsp.Tree tree() {
        return new Tsp.Tree(List.of(Tsp.Header.of("Command", "STRING")), -1, List.copyOf(entries));
    }

    @Override public Tsp.Xy xy(Query q, long[] items) {
        int n = q.nbTimes();
        long step = q.step();
        var x = new long[n];
        for (int k = 0; k < n; k++) x[k] = q.start() + k * step;
        var wanted = new ArrayList<Spec>();
        var seriesOf = new int[segments.servers().size()][segments.commands().size()];
        for (var row : seriesOf) Arrays.fill(row, -1);
        for (long id : items) {
            var sp = specs.get(id);
            if (sp == null || seriesOf[sp.server()][sp.command()] >= 0) continue;
            seriesOf[sp.server()][sp.command()] = wanted.size();
            wanted.add(sp);
        }
        var y = new double[wanted.size()][n];
        if (!wanted.isEmpty()) {
            segments.scan(q.start(), q.end(), -1, -1, c -> {
                int i = seriesOf[c.server()][c.command()];
                long t = c.start();
                if (i < 0 || t < q.start() || t > q.end()) return;
                int k = (int) Math.min(n - 1, (t - q.start()) / step);
                double l = c.latency();
                if (l > y[i][k]) y[i][k] = l;
            });
        }
        var series = new ArrayList<Tsp.Series>(wanted.size());
        for (int i = 0; i < wanted.size(); i++) {
            var sp = wanted.get(i);
            series.add(new Tsp.Series(sp.id(), sp.name(), x, y[i], SCATTER, X, Y));
        }
        return new Tsp.Xy("Events latency", series);
    }
}
