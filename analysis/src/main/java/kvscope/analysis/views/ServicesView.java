package kvscope.analysis.views;

import kvscope.analysis.flows.FlowFile;
import kvscope.analysis.report.Units;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.services.ServicesFile;
import kvscope.analysis.services.ServicesReport;
import kvscope.analysis.services.SpanKind;
import kvscope.statesystem.History;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Services (paper Fig. 5, top): a row per service — what it does with its requests in flight: handling one (its own
 * time), or all waiting on another service, on Redis, on MariaDB — and under it a row per lane, one request at a time
 * with its calls. Arrows go from a call to the request it reached in the callee, and from a Redis call to the
 * connection's row of the Redis Netflow view (the same row, same id, drawn here too), where the request continues.
 * Read from the stored spans ({@code services.bin}), never the trace.
 */
final class ServicesView implements Provider.TimeGraph {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.services", "Services",
            "A row per service and per concurrent request: handling it, or waiting on another service, Redis, MariaDB; "
                    + "arrows to the callee and to the Redis connection", Tsp.ProviderType.TIME_GRAPH);
    /** Service rows have ids from here (above any quark of the model), lanes follow their service's id. */
    static final long BASE = 1L << 30;
    static final int SPACE = 4096;
    static final int MAX_ARROWS = 20_000;

    private final ServicesFile f;
    private final SegmentFile segments;
    private final History h;
    private final NetflowView netflow;
    private final Map<String, Integer> serviceIndex = new HashMap<>();
    private List<Tsp.Entry> entries;
    private Set<Long> netflowRows;
    /** The Netflow row (fd quark) of each Redis connection a service used, by (pid, local port, Redis port). */
    private final Map<Long, Integer> connRow = new HashMap<>();

    ServicesView(ServicesFile f, SegmentFile segments, History h, FlowFile flows) {
        this.f = f;
        this.segments = segments;
        this.h = h;
        this.netflow = new NetflowView(h, flows, segments.servers());
        var list = f.services();
        for (int k = 0; k < list.size(); k++) serviceIndex.put(list.get(k).name(), k);
    }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    static long serviceRow(int k) { return BASE + (long) k * SPACE; }

    private long laneRow(long span) {
        int k = serviceIndex.getOrDefault(f.service(span), 0);
        return serviceRow(k) + 1 + Math.min(SPACE - 2, Math.max(0, f.lane(span)));
    }

    private synchronized void ensureBuilt() {
        if (entries != null) return;
        var out = new ArrayList<Tsp.Entry>();
        // The range of whichever has events: a trace without Redis events has an empty history, one without the
        // agent's events an empty span file (their times are Long.MIN_VALUE then).
        long start = h.start() == Long.MIN_VALUE ? f.start() : f.start() == Long.MIN_VALUE ? h.start() : Math.min(h.start(), f.start());
        long end = Math.max(h.end(), f.end());
        var list = f.services();
        for (int k = 0; k < list.size(); k++) {
            var s = list.get(k);
            out.add(Tsp.Entry.timeGraph(serviceRow(k), -1, s.name(), true, start, end));
            for (int l = 0; l < Math.min(s.lanes(), SPACE - 1); l++) {
                out.add(Tsp.Entry.timeGraph(serviceRow(k) + 1 + l, serviceRow(k), s.name() + " · request " + (l + 1), true, start, end));
            }
        }
        // The Redis connections the services' calls went to, as the Netflow view shows them (same ids).
        var rows = new HashSet<Long>();
        for (long i = 0; i < f.count(); i++) {
            if (f.kind(i) != SpanKind.REDIS || f.link(i) < 0) continue;
            int q = connection(i);
            if (q >= 0) rows.add((long) q);
        }
        var parents = new HashSet<Long>();
        for (var e : netflow.tree().entries()) if (rows.contains(e.id())) parents.add(e.parentId());
        for (var e : netflow.tree().entries()) {
            if (rows.contains(e.id()) || parents.contains(e.id())) out.add(e);
        }
        netflowRows = rows;
        entries = List.copyOf(out);
    }

    /** The Netflow row of a linked Redis call's connection: its request's (server, fd) quark; -1 when none. */
    private int connection(long call) {
        long key = ((long) f.pid(call) << 32) ^ ((long) f.srcPort(call) << 16) ^ f.dstPort(call) ^ ((long) f.trace(call) << 56);
        synchronized (connRow) {
            var q = connRow.get(key);
            if (q != null) return q;
        }
        long g = f.link(call);
        int q = -1;
        if (g >= 0 && g < segments.count()) {
            var s = segments.get(g);
            int root = h.lookup(segments.servers().get(s.server()));
            int conns = root < 0 ? -1 : h.lookupUnder(root, "Connections");
            q = conns < 0 ? -1 : h.lookupUnder(conns, Integer.toString(s.fd()));
        }
        synchronized (connRow) {
            connRow.put(key, q);
        }
        return q;
    }

    @Override public Tsp.Tree tree() {
        ensureBuilt();
        return new Tsp.Tree(List.of(Tsp.Header.of("Service", "STRING")), -1, entries);
    }

    /** A drawn stretch of a row, before it is fitted to the resolution. */
    private record Piece(long start, long end, String style, String label) {}

    @Override public Tsp.TimeGraph states(Query q, long[] items) {
        ensureBuilt();
        var wanted = new HashSet<Long>();
        var fromNetflow = new ArrayList<Long>();
        for (long id : items) {
            if (id >= BASE) wanted.add(id);
            else if (netflowRows.contains(id)) fromNetflow.add(id);
        }
        var rows = new ArrayList<Tsp.Row>();
        if (!wanted.isEmpty()) {
            var byLane = new HashMap<Long, List<Piece>>();
            var byService = new HashMap<Long, List<Piece>>();
            f.forEach(q.start(), q.end(), i -> {
                if (!root(i)) return;
                long lane = laneRow(i);
                long service = lane - 1 - Math.min(SPACE - 2, Math.max(0, f.lane(i)));
                if (!wanted.contains(lane) && !wanted.contains(service)) return;
                var pieces = flatten(i, q.start(), q.end());
                byLane.computeIfAbsent(lane, x -> new ArrayList<>()).addAll(pieces);
                byService.computeIfAbsent(service, x -> new ArrayList<>()).addAll(pieces);
            });
            for (long id : wanted) {
                boolean isService = (id - BASE) % SPACE == 0;
                var pieces = isService ? aggregate(byService.getOrDefault(id, List.of())) : byLane.getOrDefault(id, List.of());
                var sorted = new ArrayList<>(pieces);
                sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
                rows.add(new Tsp.Row(id, fit(sorted, q)));
            }
        }
        if (!fromNetflow.isEmpty()) {
            rows.addAll(netflow.states(q, fromNetflow.stream().mapToLong(Long::longValue).toArray()).rows());
        }
        return new Tsp.TimeGraph(rows);
    }

    /** A span drawn on a lane of its own: a server span, or a call made outside any request. */
    private boolean root(long i) {
        return f.kind(i) == SpanKind.SERVER || f.parent(i) < 0;
    }

    private long endOf(long i) { return f.finished(i) ? f.end(i) : f.end(); }

    /** A lane's stretch for one request: handling it, with what it waited on painted over, clipped to [t0, t1]. */
    private List<Piece> flatten(long i, long t0, long t1) {
        var out = new ArrayList<Piece>();
        long s = Math.max(t0, f.start(i)), e = Math.min(t1, endOf(i));
        if (e < s) return out;
        if (f.kind(i) != SpanKind.SERVER) {
            out.add(new Piece(s, e, waitStyle(i), waitLabel(i)));
            return out;
        }
        var label = f.method(i) + " " + (f.route(i) != null ? f.route(i) : f.path(i));
        out.add(new Piece(s, e, Styles.HANDLING, label));
        for (int c : f.children(i)) {
            long cs = Math.max(s, callStart(c)), ce = Math.min(e, callEnd(c));
            if (ce < cs) continue;
            paint(out, new Piece(cs, ce, waitStyle(c), waitLabel(c)));
        }
        return out;
    }

    /** A call's start; an HTTP call joined to its callee started no later than the callee (see Hops, Attribution). */
    private long callStart(long c) {
        long sv = joined(c);
        return sv < 0 ? f.start(c) : Math.min(f.start(c), f.start(sv));
    }

    /** A call's end: its own (the callee's finish may be stamped later; see Hops). */
    private long callEnd(long c) { return endOf(c); }

    private long joined(long c) { return f.kind(c) == SpanKind.CLIENT && f.link(c) >= 0 && !f.noPeer(c) ? f.link(c) : -1; }

    /** Paints p over the disjoint, ordered pieces of one request. */
    private static void paint(List<Piece> pieces, Piece p) {
        var next = new ArrayList<Piece>(pieces.size() + 2);
        for (var x : pieces) {
            if (x.end() < p.start() || x.start() > p.end()) {
                next.add(x);
                continue;
            }
            if (x.start() < p.start()) next.add(new Piece(x.start(), p.start() - 1, x.style(), x.label()));
            if (x.end() > p.end()) next.add(new Piece(p.end() + 1, x.end(), x.style(), x.label()));
        }
        next.add(p);
        next.sort((a, b) -> Long.compare(a.start(), b.start()));
        pieces.clear();
        pieces.addAll(next);
    }

    private String waitStyle(long c) {
        return switch (f.kind(c)) {
            case CLIENT -> f.noPeer(c) || f.link(c) < 0 ? Styles.WAIT_UNTRACED : Styles.WAIT_SERVICE;
            case REDIS -> Styles.WAIT_REDIS;
            case MARIADB -> Styles.WAIT_MARIADB;
            case SERVER -> Styles.HANDLING;
        };
    }

    private String waitLabel(long c) {
        return switch (f.kind(c)) {
            case CLIENT -> "→ " + (f.link(c) >= 0 && !f.noPeer(c) ? f.service(f.link(c)) : f.dstAddr(c) + ":" + f.dstPort(c));
            case REDIS -> "redis " + (f.name(c) == null ? "(pipelined)" : f.name(c));
            case MARIADB -> "mariadb " + f.name(c);
            case SERVER -> f.method(c) + " " + f.path(c);
        };
    }

    /** What a service does at each instant with all its requests in flight: handling one, else what most wait on. */
    private static List<Piece> aggregate(List<Piece> pieces) {
        if (pieces.isEmpty()) return pieces;
        var bounds = new ArrayList<long[]>(pieces.size() * 2); // [time, +1 start / -1 end, style index]
        var styles = List.of(Styles.HANDLING, Styles.WAIT_MARIADB, Styles.WAIT_REDIS, Styles.WAIT_SERVICE, Styles.WAIT_UNTRACED);
        for (var p : pieces) {
            int k = Math.max(0, styles.indexOf(p.style()));
            bounds.add(new long[] {p.start(), 1, k});
            bounds.add(new long[] {p.end() + 1, -1, k});
        }
        bounds.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        var count = new int[styles.size()];
        var out = new ArrayList<Piece>();
        int in = 0;
        for (int i = 0; i < bounds.size(); ) {
            long t = bounds.get(i)[0];
            while (i < bounds.size() && bounds.get(i)[0] == t) {
                var b = bounds.get(i++);
                count[(int) b[2]] += (int) b[1];
                in += (int) b[1];
            }
            if (in <= 0 || i >= bounds.size()) continue;
            long until = bounds.get(i)[0] - 1;
            int best = count[0] > 0 ? 0 : -1;
            for (int k = 1; k < count.length && best < 0; k++) if (count[k] > 0) best = k;
            for (int k = 1; k < count.length; k++) if (best > 0 && count[k] > count[best]) best = k;
            out.add(new Piece(t, until, styles.get(best), in + " in flight"));
        }
        return out;
    }

    /** The pieces of one row fitted to the resolution: at most about one state per sample, as the other views answer. */
    private static List<Tsp.TimeGraphState> fit(List<Piece> pieces, Query q) {
        long step = q.step(), t0 = q.start();
        var out = new ArrayList<Tsp.TimeGraphState>();
        long start = 0, end = 0, longest = 0;
        String style = null, label = null;
        for (var p : pieces) {
            long len = p.end() - p.start() + 1;
            if (style != null && ((p.start() - t0) / step == (start - t0) / step || p.start() <= end)) {
                // The same pixel: one state, shown as the longer of the two.
                if (len > longest) {
                    longest = len;
                    style = p.style();
                    label = p.label();
                }
                end = Math.max(end, p.end());
                continue;
            }
            if (style != null && p.start() - end <= step && style.equals(p.style()) && Objects.equals(label, p.label())) {
                end = Math.max(end, p.end());
                continue;
            }
            if (style != null) out.add(state(start, end, style, label, step));
            start = p.start();
            end = p.end();
            longest = len;
            style = p.style();
            label = p.label();
        }
        if (style != null) out.add(state(start, end, style, label, step));
        return out;
    }

    private static Tsp.TimeGraphState state(long s, long e, String style, String label, long step) {
        return new Tsp.TimeGraphState(s, e, e - s + 1 >= step ? label : null, 0, Styles.ref(style));
    }

    @Override public List<Tsp.Arrow> arrows(Query q) {
        ensureBuilt();
        var out = new ArrayList<Tsp.Arrow>();
        var seen = new HashSet<Long>();
        long step = q.step();
        f.forEach(q.start(), q.end(), i -> {
            if (out.size() >= MAX_ARROWS) return;
            var kind = f.kind(i);
            if (kind == SpanKind.CLIENT && f.link(i) >= 0 && !f.noPeer(i)) {
                long src = laneRow(i), dst = laneRow(f.link(i));
                if (keep(seen, src, dst, callStart(i), q, step)) {
                    out.add(new Tsp.Arrow(src, dst, callStart(i), f.start(f.link(i)), Styles.ref(Styles.ARROW_HTTP)));
                }
            } else if (kind == SpanKind.REDIS && f.link(i) >= 0) {
                int row = connection(i);
                if (row < 0) return;
                long src = laneRow(i);
                if (!keep(seen, src, row, f.start(i), q, step)) return;
                var g = segments.get(f.link(i));
                out.add(new Tsp.Arrow(src, row, f.start(i), Math.max(f.start(i), g.start()), Styles.ref(Styles.ARROW_REDIS)));
            }
        });
        return out;
    }

    /** One arrow per (source row, target row, pixel): a full-range answer stays small whatever the trace. */
    private static boolean keep(Set<Long> seen, long src, long dst, long t, Query q, long step) {
        long pixel = (Math.max(t, q.start()) - q.start()) / step;
        return seen.add(((src * 31 + dst) * 0x9E3779B97F4A7C15L) ^ pixel);
    }

    @Override public Map<String, String> tooltip(long item, long time) {
        ensureBuilt();
        var out = new LinkedHashMap<String, String>();
        if (item < BASE) return netflowRows.contains(item) ? netflow.tooltip(item, time) : out;
        boolean isService = (item - BASE) % SPACE == 0;
        var inFlight = new int[1];
        f.forEach(time, time, i -> {
            if (!root(i)) return;
            long lane = laneRow(i);
            long service = lane - 1 - Math.min(SPACE - 2, Math.max(0, f.lane(i)));
            if (isService ? service != item : lane != item) return;
            if (f.start(i) > time || endOf(i) < time) return;
            inFlight[0]++;
            if (isService) return;
            describe(i, time, out);
        });
        if (isService) out.put("Requests in flight", Integer.toString(inFlight[0]));
        return out;
    }

    private void describe(long i, long time, Map<String, String> out) {
        if (f.kind(i) == SpanKind.SERVER) {
            out.put("Request", f.method(i) + " " + f.path(i));
            if (f.route(i) != null) out.put("Route", f.route(i));
            out.put("Id", ServicesReport.id(f, i));
            out.put("Status", f.finished(i) ? Integer.toString(f.status(i)) : "never answered");
            if (f.finished(i)) out.put("Latency", Units.duration(f.end(i) - f.start(i)));
            var parts = f.parts(i);
            if (!parts.isEmpty()) out.put("Mostly", parts.get(0).label() + " " + Units.duration(parts.get(0).ns()));
            for (int c : f.children(i)) {
                if (callStart(c) <= time && callEnd(c) >= time) out.put("Now", waitLabel(c) + " since " + Units.duration(time - callStart(c)));
            }
        } else {
            out.put("Call", waitLabel(i));
            out.put("Made outside any request", "yes");
        }
    }
}
