package kvscope.analysis.views;

import kvscope.statesystem.History;
import kvscope.statesystem.ValueKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Replication (issue #19): per replica, its lag over time — the time from its master feeding a write to the replica
 * applying it ({@code <replica>/Replication/Lag}, ms), and the offset lag its master saw at each REPLCONF ACK
 * ({@code <master>/Replication/Replicas/<replica>/Offset lag}, bytes). A sample shows the largest value set within
 * its step: a replica catching up applies its backlog within microseconds, so the worst lag holds for microseconds
 * and a sampled query would miss it. That reads every interval of the range (one per write applied): the cost of a
 * query grows with the writes in view, not with its pixels. Before the first value: 0.
 */
final class ReplicationView implements Provider.Xy {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.replication", "Replication",
            "Per replica: lag behind its master (write fed → applied, ms) and offset lag at its ACKs (bytes)",
            Tsp.ProviderType.TREE_TIME_XY);
    private static final Tsp.Axis X = new Tsp.Axis("Time", "ns", "TIMESTAMP");
    private static final Tsp.Axis LAG = new Tsp.Axis("Lag", "ms", "NUMBER");
    private static final Tsp.Axis OFFSET = new Tsp.Axis("Offset lag", "B", "NUMBER");
    private static final Tsp.StyleRef LINE = new Tsp.StyleRef(null, Map.of("series-type", "line"));

    /** A series: a quark whose values are sampled; lag (ns, shown in ms) or offset lag (bytes). */
    private record Spec(long id, String name, int quark, boolean lag) {}

    private final History h;
    private List<Tsp.Entry> entries;
    private Map<Long, Spec> specs;

    ReplicationView(History h) { this.h = h; }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    private synchronized void ensureBuilt() {
        if (entries != null) return;
        var e = new ArrayList<Tsp.Entry>();
        var s = new HashMap<Long, Spec>();
        // A parent per replica server (its quark), the master's ACK series of it listed under the same replica name.
        var parents = new HashMap<String, Long>();
        long nextId = h.attributeCount();
        for (int server : h.children(-1)) {
            int lag = h.lookupUnder(server, "Replication", "Lag");
            if (lag < 0) continue;
            var name = h.name(server);
            long parent = parent(e, parents, name, nextId++);
            s.put((long) lag, new Spec(lag, name + " lag", lag, true));
            e.add(Tsp.Entry.xy(lag, parent, "Lag (ms)", true, true));
        }
        for (int server : h.children(-1)) {
            int replicas = h.lookupUnder(server, "Replication", "Replicas");
            if (replicas < 0) continue;
            for (int r : h.children(replicas)) {
                int q = h.lookupUnder(r, "Offset lag");
                if (q < 0) continue;
                var replica = h.name(r);
                long parent = parent(e, parents, replica, nextId++);
                s.put((long) q, new Spec(q, replica + " offset lag at ACKs (" + h.name(server) + ")", q, false));
                e.add(Tsp.Entry.xy(q, parent, "Offset lag at ACKs (B)", true, true));
            }
        }
        entries = List.copyOf(e);
        specs = Map.copyOf(s);
    }

    private static long parent(List<Tsp.Entry> e, Map<String, Long> parents, String replica, long id) {
        return parents.computeIfAbsent(replica, k -> {
            e.add(Tsp.Entry.xy(id, -1, k, false, false));
            return id;
        });
    }

    @Override public Tsp.Tree tree() {
        ensureBuilt();
        return new Tsp.Tree(List.of(Tsp.Header.of("Series", "STRING")), -1, entries);
    }

    @Override public Tsp.Xy xy(Query q, long[] items) {
        ensureBuilt();
        int n = q.nbTimes();
        long step = q.step();
        var x = new long[n];
        for (int k = 0; k < n; k++) x[k] = q.start() + k * step;
        var series = new ArrayList<Tsp.Series>();
        var done = new HashSet<Long>();
        for (long id : items) {
            var sp = specs.get(id);
            if (sp == null || !done.add(id)) continue;
            var y = new double[n];
            // Sample k covers [x_k, x_k + step): the largest value of the intervals overlapping it.
            h.scan(new int[] {sp.quark()}, q.start(), q.start() + (long) n * step, 1, (qq, s, e, kind, l, d, str) -> {
                if (kind == ValueKind.NULL) return;
                double v = sp.lag() ? l / 1e6 : l;
                long lo = Math.max(0, Math.floorDiv(s - q.start(), step)), hi = Math.min(n - 1, Math.floorDiv(e - q.start(), step));
                for (long k = lo; k <= hi; k++) y[(int) k] = Math.max(y[(int) k], v);
            });
            series.add(new Tsp.Series(sp.id(), sp.name(), x, y, LINE, X, sp.lag() ? LAG : OFFSET));
        }
        return new Tsp.Xy("Replication", series);
    }
}
