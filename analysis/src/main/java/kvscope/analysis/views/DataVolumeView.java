package kvscope.analysis.views;

import kvscope.analysis.segments.SegmentFile;
import kvscope.statesystem.History;
import kvscope.statesystem.ValueKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Data volume (paper Figs. 7–8): bytes/s in and out per server — on the cluster bus (total and per peer link), from
 * the cumulative counters {@code Bus/{Out,In}/Bytes} and {@code Bus/Links/<peer>/{Out,In}/Bytes}, and on client
 * connections, from the request segments' bytes; and the payload bytes clients PUBLISHed ({@code Bus/Published/Bytes}),
 * which bus out is compared with. The rate over a sample gap is the counter's difference over the gap,
 * so a zoomed-out view loses no bytes between samples.
 */
final class DataVolumeView implements Provider.Xy {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.datavolume", "Data volume",
            "Bytes/s in and out per server: clients and the cluster bus (total and per link)", Tsp.ProviderType.TREE_TIME_XY);
    private static final Tsp.Axis X = new Tsp.Axis("Time", "ns", "TIMESTAMP");
    private static final Tsp.Axis Y = new Tsp.Axis("Throughput", "B/s", "NUMBER");
    private static final Tsp.StyleRef LINE = new Tsp.StyleRef(null, Map.of("series-type", "line"));

    /** A series: a cumulative counter (quark ≥ 0), or client bytes of a server from the segments (quark −1). */
    private record Spec(long id, String name, int quark, int server, boolean out) {}

    private final History h;
    private final SegmentFile segments;
    private List<Tsp.Entry> entries;
    private Map<Long, Spec> specs;

    DataVolumeView(History h, SegmentFile segments) {
        this.h = h;
        this.segments = segments;
    }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    private synchronized void ensureBuilt() {
        if (entries != null) return;
        var e = new ArrayList<Tsp.Entry>();
        var s = new HashMap<Long, Spec>();
        // Client series get ids past every quark, so no id is used twice.
        long nextId = h.attributeCount();
        for (int server : h.children(-1)) {
            int bus = h.lookupUnder(server, "Bus");
            if (bus < 0) continue;
            var name = h.name(server);
            e.add(Tsp.Entry.xy(server, -1, name, false, false));
            int segServer = segments.serverIndex(name);
            for (boolean out : new boolean[] {false, true}) {
                var spec = new Spec(nextId++, name + " clients " + (out ? "out" : "in"), -1, segServer, out);
                s.put(spec.id(), spec);
                e.add(Tsp.Entry.xy(spec.id(), server, "Clients " + (out ? "out" : "in"), true, true));
            }
            counter(e, s, server, h.lookupUnder(bus, "Out", "Bytes"), name + " bus out", "Bus out", true);
            counter(e, s, server, h.lookupUnder(bus, "In", "Bytes"), name + " bus in", "Bus in", true);
            // The payload clients PUBLISHed: bus out over it is the amplification of redis/redis#12196, over any range.
            counter(e, s, server, h.lookupUnder(bus, "Published", "Bytes"), name + " published", "Published payload", true);
            // Replication (issue #19): the stream a master fed its replicas, and what a replica applied of its master's.
            counter(e, s, server, h.lookupUnder(server, "Replication", "Out", "Bytes"), name + " replication out",
                    "Replication out", true);
            counter(e, s, server, h.lookupUnder(server, "Replication", "In", "Bytes"), name + " replication in",
                    "Replication in", true);
            int links = h.lookupUnder(bus, "Links");
            if (links >= 0) {
                for (int link : h.children(links)) {
                    var peer = h.name(link);
                    counter(e, s, server, h.lookupUnder(link, "Out", "Bytes"), name + " → " + peer, "Link " + peer + " out", false);
                    counter(e, s, server, h.lookupUnder(link, "In", "Bytes"), name + " ← " + peer, "Link " + peer + " in", false);
                }
            }
        }
        entries = List.copyOf(e);
        specs = Map.copyOf(s);
    }

    private void counter(List<Tsp.Entry> e, Map<Long, Spec> s, int parent, int q, String name, String label, boolean isDefault) {
        if (q < 0) return;
        s.put((long) q, new Spec(q, name, q, -1, false));
        e.add(Tsp.Entry.xy(q, parent, label, true, isDefault));
    }

    @Override public Tsp.Tree tree() {
        ensureBuilt();
        return new Tsp.Tree(List.of(Tsp.Header.of("Series", "STRING")), -1, entries);
    }

    @Override public Tsp.Xy xy(Query q, long[] items) {
        ensureBuilt();
        int n = q.nbTimes();
        long step = q.step();
        // Samples s_0 … s_n with s_0 one step before the range: rate k is over (s_k, s_(k+1)], shown at s_(k+1).
        long first = q.start() - step;
        var x = new long[n];
        for (int k = 0; k < n; k++) x[k] = q.start() + k * step;
        var wanted = new ArrayList<Spec>();
        for (long id : items) {
            var sp = specs.get(id);
            if (sp != null && !wanted.contains(sp)) wanted.add(sp);
        }
        var series = new ArrayList<Tsp.Series>(wanted.size());
        for (var sp : wanted) {
            var y = sp.quark() >= 0 ? counterRate(sp.quark(), first, step, n) : clientRate(sp, first, step, n);
            series.add(new Tsp.Series(sp.id(), sp.name(), x, y, LINE, X, Y));
        }
        return new Tsp.Xy("Data volume", series);
    }

    /** Bytes/s of a cumulative counter: its value at each sample (carried over nulls), differenced. */
    private double[] counterRate(int quark, long first, long step, int n) {
        var v = new long[n + 1];
        var known = new boolean[n + 1];
        long last = first + n * step;
        h.scan(new int[] {quark}, first, last, step, (qq, s, e, kind, l, d, str) -> {
            if (kind == ValueKind.NULL) return;
            long lo = Math.max(0, ceilDiv(s - first, step)), hi = Math.min(n, Math.floorDiv(e - first, step));
            for (long k = lo; k <= hi; k++) {
                v[(int) k] = l;
                known[(int) k] = true;
            }
        });
        long prev = 0;
        for (int k = 0; k <= n; k++) {
            if (known[k]) prev = v[k];
            else v[k] = prev; // before the first write the counter is 0; a gap keeps the last value
        }
        var y = new double[n];
        for (int k = 0; k < n; k++) y[k] = Math.max(0, v[k + 1] - v[k]) * 1e9 / step;
        return y;
    }

    /** Bytes/s of a server's clients: each request's bytes counted at its end, in the gap holding it. */
    private double[] clientRate(Spec sp, long first, long step, int n) {
        var bytes = new long[n];
        if (sp.server() >= 0) {
            segments.scan(first + 1, first + n * step, sp.server(), -1, c -> {
                long t = c.end();
                if (t <= first) return;
                long k = (t - first - 1) / step;
                if (k < n) bytes[(int) k] += sp.out() ? c.bytesOut() : c.bytesIn();
            });
        }
        var y = new double[n];
        for (int k = 0; k < n; k++) y[k] = bytes[k] * 1e9 / step;
        return y;
    }

    private static long ceilDiv(long a, long b) { return -Math.floorDiv(-a, b); }
}
