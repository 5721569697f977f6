package kvscope.analysis.services;

import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.report.Units;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * What made a route's slow requests slow: their parts summed (see {@link Attribution}), the largest named as the main
 * cause with its share of their time. A route speaks up only when its slowness is a pattern, not an accident, and has
 * one cause: at least {@value #MIN_SLOW} requests and {@value #MIN_SLOW_PERCENT} % of the route slower than the
 * threshold (a garbage-collection pause or a scheduling hiccup makes a few slow requests on every route), and one
 * part — one service's own time, one hop's network, one Redis phase of one command, one MariaDB command — taking at
 * least {@value #MIN_SHARE_PERCENT} % of their time. Slowness spread thin over every hop and service is a busy
 * machine, not a cause: on the 2-core development machine, busy with other work, half of the example application's
 * healthy GET /users/:id requests took more than 17 ms even untraced, their time spread over five processes.
 */
public final class Blame {
    static final int MIN_SLOW = 3;
    static final int MIN_SLOW_PERCENT = 5;
    static final int MIN_SHARE_PERCENT = 50;

    private Blame() {}

    /**
     * The main cause of one route's slow requests.
     *
     * @param slowNs    the slow requests' latencies summed: what {@code parts} add up to
     * @param cause     the largest part
     * @param share     cause / slowNs
     * @param parts     every part of the slow requests, summed, largest first
     */
    public record Cause(String service, String route, long requests, long slow, long slowNs, long medianSlowNs,
                        Part cause, double share, List<Part> parts, long first, long last) {}

    /** Every route whose slow requests are a pattern, with their main cause; largest share of time first. */
    public static List<Cause> causes(ServicesFile f, long slowHttpNs) {
        var routes = new LinkedHashMap<String, List<Long>>();
        for (long i = 0; i < f.count(); i++) {
            if (f.isEntry(i) && f.finished(i)) routes.computeIfAbsent(f.service(i) + "\0" + f.routeKey(i), k -> new ArrayList<>()).add(i);
        }
        var out = new ArrayList<Cause>();
        for (var e : routes.entrySet()) {
            var all = e.getValue();
            var slow = all.stream().filter(i -> f.end(i) - f.start(i) >= slowHttpNs).toList();
            if (slow.size() < MIN_SLOW || slow.size() * 100L < (long) MIN_SLOW_PERCENT * all.size()) continue;
            var sum = new HashMap<String, long[]>();
            var kinds = new HashMap<String, Part>();
            long total = 0, first = Long.MAX_VALUE, last = Long.MIN_VALUE;
            var lat = new long[slow.size()];
            int k = 0;
            for (long i : slow) {
                lat[k++] = f.end(i) - f.start(i);
                total += f.end(i) - f.start(i);
                first = Math.min(first, f.start(i));
                last = Math.max(last, f.end(i));
                for (var p : f.parts(i)) {
                    var key = p.kind().ordinal() + "\0" + p.name();
                    sum.computeIfAbsent(key, x -> new long[1])[0] += p.ns();
                    kinds.putIfAbsent(key, p);
                }
            }
            if (total <= 0 || sum.isEmpty()) continue;
            var parts = new ArrayList<Part>();
            sum.forEach((key, v) -> parts.add(new Part(kinds.get(key).kind(), kinds.get(key).name(), v[0])));
            parts.sort((a, b) -> Long.compare(b.ns(), a.ns()));
            if (parts.get(0).ns() * 100 < (long) MIN_SHARE_PERCENT * total) continue;
            Arrays.sort(lat);
            var name = e.getKey().split("\0", 2);
            out.add(new Cause(name[0], name[1], all.size(), slow.size(), total, lat[(lat.length - 1) / 2], parts.get(0),
                    (double) parts.get(0).ns() / total, List.copyOf(parts), first, last));
        }
        out.sort((a, b) -> Long.compare(b.slowNs(), a.slowNs()));
        return out;
    }

    /** The causes as findings of the report (kind {@code slow-route}). */
    public static List<Finding> findings(ServicesFile f, Thresholds th) {
        var out = new ArrayList<Finding>();
        for (var c : causes(f, th.slowHttpNs())) {
            var others = new StringBuilder();
            for (var p : c.parts().subList(1, Math.min(4, c.parts().size()))) {
                if (others.length() > 0) others.append(", ");
                others.append(p.label()).append(' ').append(pct(p.ns(), c.slowNs()));
            }
            // The finding's server is the service: reports print "… on <service>" after the title.
            var title = String.format(Locale.ROOT, "%s: %d of %d requests slower than %s, mostly %s (%s of their time)",
                    c.route(), c.slow(), c.requests(), Units.duration(th.slowHttpNs()), c.cause().label(),
                    pct(c.cause().ns(), c.slowNs()));
            var why = String.format(Locale.ROOT, "%d of the %d %s requests that entered the services at %s took at least %s "
                            + "(together %s, median %s). %s of that time was %s: %s%s The parts add up to each request's "
                            + "latency (see where the time went in the report, or the Services view).",
                    c.slow(), c.requests(), c.route(), c.service(), Units.duration(th.slowHttpNs()),
                    Units.duration(c.slowNs()), Units.duration(c.medianSlowNs()), pct(c.cause().ns(), c.slowNs()),
                    c.cause().label(), meaning(c.cause()), others.length() == 0 ? "" : " Then: " + others + ".");
            out.add(new Finding("slow-route", Finding.Severity.WARNING, c.service(), c.first(), c.last(), -1, List.of(),
                    title, why, "Services", List.of()));
        }
        return out;
    }

    private static String pct(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / Math.max(1, whole));
    }

    /** What a part being the main cause means, and where to look next. */
    private static String meaning(Part p) {
        return switch (p.kind()) {
            case SERVICE -> p.name() + " itself was busy — its own code, or its event loop's queue — while no call it "
                    + "made was in flight: profile it (node --cpu-prof), look for synchronous work.";
            case NETWORK -> "time between the processes: the wire and the kernel, and the other side getting to the "
                    + "bytes — a busy or CPU-starved event loop there (Node stamps a request when its callback runs).";
            case REDIS_QUEUED -> "requests waiting inside Redis while it served other clients: Redis was busy (see the "
                    + "Event loop and Netflow views for what it did meanwhile).";
            case REDIS_READING -> "Redis reading the requests: large arguments, or TLS.";
            case REDIS_WAITING_TO_EXECUTE -> "parsed requests waiting for Redis's main thread (I/O threads handing over, "
                    + "other clients of the same batch).";
            case REDIS_EXECUTING -> "the " + p.name() + " command executing inside Redis, while every other client of "
                    + "that server waited: a slow command (SLOWLOG GET shows it on the server).";
            case REDIS_WAITING_TO_WRITE -> "replies ready but waiting for Redis to write them (the event loop busy).";
            case REDIS_WRITING -> "Redis writing the replies: large values, or a slow reader.";
            case REDIS_UNSEEN -> "Redis calls the Redis trace does not show (that server is not traced).";
            case MARIADB -> "the MariaDB " + p.name() + " from sent to answered: the query itself (its plan, its locks; the "
                    + "slow query log shows it), or MariaDB's load.";
            case UNTRACED -> "calls to " + p.name() + ", a peer that is not traced.";
            case REDIS_NOT_EXECUTED -> "Redis commands Redis answered without executing them (refused: MOVED, unknown "
                    + "commands; or queued by MULTI).";
        };
    }
}
