package kvscope.analysis.sync;

import kvscope.ctf.ClockFix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Synchronises the clocks of several hosts from the messages they exchanged: the convex-hull method ({@link Hull})
 * for each pair of hosts that talked, then a tree of the best-known pairs from a reference host (the first by name
 * among those that talked), the corrections composed along its paths — Trace Compass's SyncSpanningTree, with the
 * hop chosen by the bound it proves instead of by name.
 */
public final class ClockSync {
    /** Cost of a hop bounded on one side only: taken only when no bounded path exists. */
    private static final double ONE_SIDED_COST = 1e18;

    private final Map<String, Integer> ids = new TreeMap<>();
    private final List<String> names = new ArrayList<>();
    private final Map<Long, PairList> pairs = new HashMap<>();
    /** Per direction of a pair of hosts, how many of its pairs are of each {@link PairKind}. */
    private final Map<Long, long[]> kinds = new HashMap<>();
    private final Map<String, long[]> spans = new HashMap<>();

    /** A host that has events (with or without pairs): its time span on its own clock. */
    public void host(String host, long start, long end) {
        id(host);
        var s = spans.computeIfAbsent(host, h -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        s[0] = Math.min(s[0], start);
        s[1] = Math.max(s[1], end);
    }

    /** A cluster-bus message sent by {@code from} at {@code send} (its clock), received by {@code to} at {@code receive} (its clock). */
    public void pair(String from, long send, String to, long receive) { pair(PairKind.BUS, from, send, to, receive); }

    /** A message of this kind sent by {@code from} at {@code send} (its clock), received by {@code to} at {@code receive}. */
    public void pair(PairKind kind, String from, long send, String to, long receive) {
        if (from.equals(to)) return;
        host(from, send, send);
        host(to, receive, receive);
        long k = key(id(from), id(to));
        pairs.computeIfAbsent(k, x -> new PairList()).add(send, receive);
        kinds.computeIfAbsent(k, x -> new long[PairKind.values().length])[kind.ordinal()]++;
    }

    /** Messages received before they were sent, on the hosts' own clocks: what synchronisation has to mend. */
    long backwards() {
        long n = 0;
        for (var l : pairs.values()) for (int i = 0; i < l.size(); i++) if (l.receive(i) < l.send(i)) n++;
        return n;
    }

    private int id(String host) {
        var i = ids.get(host);
        if (i == null) {
            ids.put(host, i = names.size());
            names.add(host);
        }
        return i;
    }

    private static long key(int from, int to) { return ((long) from << 32) | to; }

    private PairList list(int from, int to) {
        var l = pairs.get(key(from, to));
        return l != null ? l : new PairList();
    }

    /** Every host's clock against the reference's, in host name order. */
    public List<HostClock> solve() {
        int n = names.size();
        var talked = new boolean[n];
        for (long k : pairs.keySet()) {
            talked[(int) (k >>> 32)] = true;
            talked[(int) k] = true;
        }
        int ref = -1;
        for (var e : ids.entrySet()) if (ref < 0 && talked[e.getValue()]) ref = e.getValue();
        if (ref < 0 && n > 0) ref = ids.values().iterator().next();
        // Dijkstra over the hosts, a hop's cost being the bound it proves.
        var cost = new double[n];
        var parent = new int[n];
        var hop = new Estimate[n];
        Arrays.fill(cost, Double.POSITIVE_INFINITY);
        Arrays.fill(parent, -1);
        var queue = new PriorityQueue<double[]>((a, b) -> Double.compare(a[0], b[0]));
        if (ref >= 0) {
            cost[ref] = 0;
            queue.add(new double[] {0, ref});
        }
        var done = new boolean[n];
        while (!queue.isEmpty()) {
            int u = (int) queue.poll()[1];
            if (done[u]) continue;
            done[u] = true;
            for (int v = 0; v < n; v++) {
                if (done[v] || v == u) continue;
                var toV = list(u, v);
                var fromV = list(v, u);
                if (toV.size() + fromV.size() == 0) continue;
                var e = estimate(toV, fromV, spans.get(names.get(v)), kindsBetween(u, v));
                if (e.verdict == Verdict.FAIL || e.verdict == Verdict.NONE) {
                    if (hop[v] == null) hop[v] = e; // said in the report if no other path is found
                    continue;
                }
                double c = cost[u] + (Double.isFinite(e.bound) ? e.bound : ONE_SIDED_COST);
                if (c < cost[v]) {
                    cost[v] = c;
                    parent[v] = u;
                    hop[v] = e;
                    queue.add(new double[] {c, v});
                }
            }
        }
        var out = new ArrayList<HostClock>();
        for (var e : ids.entrySet()) out.add(clock(e.getValue(), ref, parent, hop));
        return out;
    }

    /** Pairs of each kind between two hosts, both directions. */
    private long[] kindsBetween(int a, int b) {
        var sum = new long[PairKind.values().length];
        for (long k : new long[] {key(a, b), key(b, a)}) {
            var c = kinds.get(k);
            if (c != null) for (int i = 0; i < sum.length; i++) sum[i] += c[i];
        }
        return sum;
    }

    /** The non-zero counts by kind, in {@link PairKind} order. */
    static Map<String, Long> byKind(long[] counts) {
        var out = new LinkedHashMap<String, Long>();
        for (var k : PairKind.values()) if (counts[k.ordinal()] > 0) out.put(k.label(), counts[k.ordinal()]);
        return out;
    }

    private HostClock clock(int h, int ref, int[] parent, Estimate[] hop) {
        var name = names.get(h);
        if (h == ref) return new HostClock(name, Verdict.REFERENCE, ClockFix.NONE, 0, 0, 0, 0, 0, 0, Map.of(), List.of(name));
        if (parent[h] < 0) {
            var e = hop[h];
            if (e != null && e.verdict == Verdict.FAIL) {
                return new HostClock(name, Verdict.FAIL, e.fix, e.fix.offsetNs(), e.fix.drift() * 1e6,
                        Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, e.pairs,
                        byKind(e.kinds), List.of(name));
            }
            return new HostClock(name, Verdict.NONE, ClockFix.NONE, 0, 0, Double.POSITIVE_INFINITY,
                    Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0, Map.of(), List.of(name));
        }
        // Compose from the reference down: fix(h) = fix(parent) after the hop's.
        var chain = new ArrayList<Integer>();
        for (int v = h; v != ref; v = parent[v]) chain.add(0, v);
        var fix = ClockFix.NONE;
        var verdict = Verdict.ACCURATE;
        double bound = 0, offsetBound = 0, driftBound = 0;
        long used = 0;
        var usedKinds = new long[PairKind.values().length];
        var path = new ArrayList<String>();
        path.add(names.get(ref));
        for (int v : chain) {
            var e = hop[v];
            fix = fix.after(e.fix);
            verdict = verdict.worse(e.verdict);
            bound += e.bound;
            offsetBound += e.offsetBound;
            driftBound += e.driftBound;
            used += e.pairs;
            for (int k = 0; k < usedKinds.length; k++) usedKinds[k] += e.kinds[k];
            path.add(names.get(v));
        }
        return new HostClock(name, verdict, fix, fix.offsetNs(), fix.drift() * 1e6, bound, offsetBound,
                driftBound * 1e6, used, byKind(usedKinds), List.copyOf(path));
    }

    /** One hop: host H's clock onto R's, from R→H and H→R messages. */
    record Estimate(Verdict verdict, ClockFix fix, double bound, double offsetBound, double driftBound, long pairs,
                    long[] kinds) {
        Estimate(Verdict verdict, ClockFix fix, double bound, double offsetBound, double driftBound, long pairs) {
            this(verdict, fix, bound, offsetBound, driftBound, pairs, new long[PairKind.values().length]);
        }
    }

    static Estimate estimate(PairList toH, PairList fromH, long[] spanH, long[] kinds) {
        var e = estimate(toH, fromH, spanH);
        return new Estimate(e.verdict(), e.fix(), e.bound(), e.offsetBound(), e.driftBound(), e.pairs(), kinds);
    }

    static Estimate estimate(PairList toH, PairList fromH, long[] spanH) {
        long pairs = toH.size() + fromH.size();
        long t = spanH != null && spanH[0] <= spanH[1] ? spanH[0] + (spanH[1] - spanH[0]) / 2 : toH.receiveMid();
        double x0 = spanH != null ? spanH[0] - t : 0, x1 = spanH != null ? spanH[1] - t : 0;
        var hull = new Hull(toH, fromH, t);
        double inf = Double.POSITIVE_INFINITY;
        if (!hull.hasLower() && !hull.hasUpper()) return new Estimate(Verdict.NONE, ClockFix.NONE, inf, inf, inf, 0);
        if (!hull.hasLower() || !hull.hasUpper()) {
            // Bounded on one side: the least correction that puts every receive after its send (none if none is needed).
            double c = hull.hasLower() ? Math.max(0, hull.lo(0, 0)) : Math.min(0, hull.hi(0, 0));
            return new Estimate(Verdict.ONE_DIRECTION, new ClockFix(Math.round(c), 0, t), inf, inf, inf, pairs);
        }
        double best = hull.widest();
        if (hull.gap(best) < 0) {
            double c = (hull.lo(best, 0) + hull.hi(best, 0)) / 2;
            return new Estimate(Verdict.FAIL, new ClockFix(Math.round(c), best, t), inf, inf, inf, pairs);
        }
        double dmin = hull.edge(best, -Hull.MAX_DRIFT), dmax = hull.edge(best, Hull.MAX_DRIFT);
        if (dmin <= -Hull.MAX_DRIFT || dmax >= Hull.MAX_DRIFT) {
            // Messages too few or too close in time to bound the drift: assume none (or the nearest possible).
            double d = Math.max(dmin, Math.min(dmax, 0));
            double lo = hull.lo(d, 0), hi = hull.hi(d, 0), c = (lo + hi) / 2;
            return new Estimate(Verdict.APPROXIMATE, new ClockFix(Math.round(c), d, t), (hi - lo) / 2, (hi - lo) / 2,
                    inf, pairs);
        }
        double d = (dmin + dmax) / 2;
        double c = (hull.lo(d, 0) + hull.hi(d, 0)) / 2;
        double offsetBound = Math.max(hull.maxHi(dmin, dmax, 0) - c, c - hull.minLo(dmin, dmax, 0));
        double bound = offsetBound;
        for (double x : new double[] {x0, x1}) {
            double mid = c + d * x;
            bound = Math.max(bound, Math.max(hull.maxHi(dmin, dmax, x) - mid, mid - hull.minLo(dmin, dmax, x)));
        }
        // Rounding the offset to whole ns moves the estimate by up to half a ns: say so in the bound.
        return new Estimate(Verdict.ACCURATE, new ClockFix(Math.round(c), d, t), bound + 0.5, offsetBound + 0.5,
                (dmax - dmin) / 2, pairs);
    }
}
