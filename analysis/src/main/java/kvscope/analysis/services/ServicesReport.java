package kvscope.analysis.services;

import kvscope.analysis.findings.Thresholds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The services part of {@code kvscope report}: the services and what they did, every route's requests (count,
 * statuses, exact percentiles), where the time of each route's slowest requests went, the joins and what could not be
 * joined. Its JSON form is part of the report's contract ({@code "services": {"routes": [...]}}).
 */
public record ServicesReport(long spans, long requests, List<ServiceRow> services, List<RouteRow> routes,
                             Map<String, Long> joins, Map<String, Long> events, List<Problems.Problem> problems) {

    /** Requests listed per route (their parts summed, each with its own). */
    public static final int SLOWEST = 10;

    /** One service: the spans of each kind it has, and how many of its requests were in flight at most (lanes). */
    public record ServiceRow(String name, long requestsHandled, long httpCalls, long redisCalls, long mariadbCalls,
                             long unanswered, int lanes) {}

    /** One route: statistics of its requests, and where the time of its slowest ones went. */
    public record RouteRow(String service, String route, long count, Map<Integer, Long> statuses, long unanswered,
                           long p50Ns, long p90Ns, long p99Ns, long maxNs, long slow, long slowestNs,
                           List<Share> slowestParts, List<Request> slowest) {}

    /** A part of some latency and its share of it. */
    public record Share(String part, String kind, String name, long ns, double percent) {
        static List<Share> of(List<Part> parts, long whole) {
            var out = new ArrayList<Share>(parts.size());
            for (var p : parts) {
                out.add(new Share(p.label(), p.kind().name(), p.name(), p.ns(), Math.round(1000.0 * p.ns() / Math.max(1, whole)) / 10.0));
            }
            return out;
        }
    }

    /** One request and where its time went; {@code id} is what {@code kvscope report --request} takes. */
    public record Request(String id, long start, long latencyNs, int status, List<Share> parts) {}

    public static ServicesReport of(ServicesFile f, Thresholds th) { return of(f, th, SLOWEST); }

    public static ServicesReport of(ServicesFile f, Thresholds th, int slowest) {
        var rows = new LinkedHashMap<String, long[]>(); // handled, http, redis, mariadb, unanswered
        long requests = 0;
        for (long i = 0; i < f.count(); i++) {
            var r = rows.computeIfAbsent(f.service(i), k -> new long[5]);
            r[f.kind(i).ordinal()]++;
            if (!f.finished(i)) r[4]++;
            if (f.isEntry(i)) requests++;
        }
        var lanes = new TreeMap<String, Integer>();
        for (var s : f.services()) lanes.put(s.name(), s.lanes());
        var services = new ArrayList<ServiceRow>();
        rows.forEach((name, r) -> services.add(new ServiceRow(name, r[0], r[1], r[2], r[3], r[4], lanes.getOrDefault(name, 0))));
        var routes = new ArrayList<RouteRow>();
        for (var r : Routes.of(f, Long.MIN_VALUE, Long.MAX_VALUE, slowest, th.slowHttpNs())) {
            var list = new ArrayList<Request>();
            for (long i : r.slowest()) list.add(request(f, i));
            routes.add(new RouteRow(r.service(), r.route(), r.count(), r.statuses(), r.unanswered(), r.p50Ns(), r.p90Ns(),
                    r.p99Ns(), r.maxNs(), r.slow(), r.slowestNs(), Share.of(r.slowParts(), r.slowestNs()), list));
        }
        return new ServicesReport(f.count(), requests, services, routes, f.stats(), f.events(), f.problems());
    }

    static Request request(ServicesFile f, long i) {
        long latency = f.end(i) - f.start(i);
        return new Request(id(f, i), f.start(i), latency, f.status(i), Share.of(f.parts(i), latency));
    }

    /** A span's id for users: the process and the agent's span id ("812.57"), unique within a trace. */
    public static String id(ServicesFile f, long i) { return f.pid(i) + "." + Long.toUnsignedString(f.spanId(i)); }

    /** The server span with this id ({@link #id}), or -1. */
    public static long find(ServicesFile f, String id) {
        var parts = id.trim().split("\\.", 2);
        if (parts.length != 2) return -1;
        try {
            int pid = Integer.parseInt(parts[0]);
            long span = Long.parseUnsignedLong(parts[1]);
            for (long i = 0; i < f.count(); i++) {
                if (f.kind(i) == SpanKind.SERVER && f.pid(i) == pid && f.spanId(i) == span) return i;
            }
        } catch (NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
