package kvscope.analysis.services;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The requests that entered the services, per route: count, status codes, latency percentiles (exact), the slowest
 * ones and where their time went together. Read from the stored spans at report time, for any time range.
 */
public final class Routes {
    private Routes() {}

    /**
     * One route of one service.
     *
     * @param slow       requests at least {@code slowNs} long
     * @param slowest    the slowest requests (span indexes), slowest first
     * @param slowParts  where the slowest requests' time went, summed, largest first
     * @param slowestNs  their summed latency: what {@code slowParts} add up to
     */
    public record Route(String service, String route, long count, Map<Integer, Long> statuses, long unanswered,
                        long p50Ns, long p90Ns, long p99Ns, long maxNs, long slow, List<Long> slowest,
                        List<Part> slowParts, long slowestNs) {}

    private static final Pattern ID = Pattern.compile(
            "\\d+|[0-9a-fA-F]{8,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** A path with its ids (numbers, long hex, UUIDs) replaced by {@code :id}: requests of one route group together. */
    public static String generalise(String path) {
        if (path == null || path.isEmpty()) return "?";
        var parts = path.split("/", -1);
        for (int i = 0; i < parts.length; i++) if (ID.matcher(parts[i]).matches()) parts[i] = ":id";
        return String.join("/", parts);
    }

    /** Every route's statistics over the entry requests that started in [t0, t1], busiest first. */
    public static List<Route> of(ServicesFile f, long t0, long t1, int slowest, long slowNs) {
        var groups = new LinkedHashMap<String, List<Long>>();
        long from = f.firstStartingAt(t0);
        for (long i = from; i < f.count() && f.start(i) <= t1; i++) {
            if (!f.isEntry(i)) continue;
            groups.computeIfAbsent(f.service(i) + "\0" + f.routeKey(i), k -> new ArrayList<>()).add(i);
        }
        var out = new ArrayList<Route>();
        for (var e : groups.entrySet()) {
            var key = e.getKey().split("\0", 2);
            out.add(route(f, key[0], key[1], e.getValue(), slowest, slowNs));
        }
        out.sort((a, b) -> a.count() != b.count() ? Long.compare(b.count(), a.count()) : a.route().compareTo(b.route()));
        return out;
    }

    private static Route route(ServicesFile f, String service, String route, List<Long> spans, int slowest, long slowNs) {
        var statuses = new TreeMap<Integer, Long>();
        var lat = new ArrayList<long[]>(); // [latency, span]
        long unanswered = 0, slow = 0;
        for (long i : spans) {
            if (!f.finished(i)) {
                unanswered++;
                continue;
            }
            statuses.merge(f.status(i), 1L, Long::sum);
            long l = f.end(i) - f.start(i);
            lat.add(new long[] {l, i});
            if (l >= slowNs) slow++;
        }
        lat.sort((a, b) -> Long.compare(a[0], b[0]));
        int n = lat.size();
        var top = new ArrayList<Long>();
        var sum = new HashMap<String, long[]>();
        var kinds = new HashMap<String, Part>();
        long slowestNs = 0;
        for (int k = n - 1; k >= 0 && top.size() < slowest; k--) {
            long i = lat.get(k)[1];
            top.add(i);
            slowestNs += lat.get(k)[0];
            for (var p : f.parts(i)) {
                var key = p.kind().ordinal() + "\0" + p.name();
                sum.computeIfAbsent(key, x -> new long[1])[0] += p.ns();
                kinds.putIfAbsent(key, p);
            }
        }
        var parts = new ArrayList<Part>();
        sum.forEach((k, v) -> parts.add(new Part(kinds.get(k).kind(), kinds.get(k).name(), v[0])));
        parts.sort((a, b) -> Long.compare(b.ns(), a.ns()));
        return new Route(service, route, spans.size(), statuses, unanswered, pct(lat, 0.50), pct(lat, 0.90),
                pct(lat, 0.99), n == 0 ? 0 : lat.get(n - 1)[0], slow, top, parts, slowestNs);
    }

    /** The nearest-rank percentile of sorted latencies (0 when none). */
    private static long pct(List<long[]> sorted, double q) {
        if (sorted.isEmpty()) return 0;
        int k = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, k)))[0];
    }
}
