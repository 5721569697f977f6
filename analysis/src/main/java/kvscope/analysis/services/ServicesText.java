package kvscope.analysis.services;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

import static kvscope.analysis.report.Units.*;

/** The services part of the text report, and one request followed hop by hop ({@code --request}). */
public final class ServicesText {
    private ServicesText() {}

    /** Requests whose split is printed one by one, per route (all of them are in the json form). */
    static final int SHOWN = 3;

    public static void write(ServicesReport r, long traceStart, PrintWriter out) {
        out.println();
        out.printf(Locale.ROOT, "== services: %d, %s spans, %s requests entered them ==%n", r.services().size(),
                count(r.spans()), count(r.requests()));
        out.printf(Locale.ROOT, "  %-14s %10s %10s %10s %10s %10s %6s%n", "service", "requests", "http calls", "redis", "mariadb",
                "unanswered", "lanes");
        for (var s : r.services()) {
            out.printf(Locale.ROOT, "  %-14s %10s %10s %10s %10s %10s %6d%n", s.name(), count(s.requestsHandled()),
                    count(s.httpCalls()), count(s.redisCalls()), count(s.mariadbCalls()), count(s.unanswered()), s.lanes());
        }
        if (!r.routes().isEmpty()) {
            out.println();
            out.printf(Locale.ROOT, "  %-32s %-10s %8s %10s %10s %10s %10s  %s%n", "route", "service", "count", "p50", "p90",
                    "p99", "max", "status");
            for (var rt : r.routes()) {
                out.printf(Locale.ROOT, "  %-32s %-10s %8s %10s %10s %10s %10s  %s%s%n", rt.route(), rt.service(),
                        count(rt.count()), duration(rt.p50Ns()), duration(rt.p90Ns()), duration(rt.p99Ns()),
                        duration(rt.maxNs()), rt.statuses(), rt.unanswered() > 0 ? " unanswered " + rt.unanswered() : "");
            }
        }
        for (var rt : r.routes()) {
            if (rt.slowest().isEmpty()) continue;
            out.println();
            out.printf(Locale.ROOT, "  where the time went: %s on %s, its %d slowest requests (%s together)%n", rt.route(),
                    rt.service(), rt.slowest().size(), duration(rt.slowestNs()));
            out.println("    " + shares(rt.slowestParts(), 6));
            for (var q : rt.slowest().subList(0, Math.min(SHOWN, rt.slowest().size()))) {
                out.printf(Locale.ROOT, "    request %s at %s: %s, status %d: %s%n", q.id(), offset(q.start(), traceStart),
                        duration(q.latencyNs()), q.status(), shares(q.parts(), 4));
            }
        }
        out.println();
        var j = r.joins();
        out.printf(Locale.ROOT, "  joins: %s HTTP hops; %s of %s Redis calls linked to a request of the model, %s "
                        + "processed by Redis without executing (queued by MULTI, refused), %s without a request; %s "
                        + "requests of the services' connections without a call%n",
                count(j.getOrDefault("http hops joined", 0L)), count(j.getOrDefault("redis calls linked", 0L)),
                count(j.getOrDefault("redis calls", 0L)),
                count(j.getOrDefault("redis calls Redis processed without executing (queued by MULTI, refused)", 0L)),
                count(j.getOrDefault("redis calls without a request", 0L) + j.getOrDefault("redis calls on untraced connections", 0L)),
                count(j.getOrDefault("redis requests without a call", 0L)));
        var unused = r.events().keySet().stream().filter(k -> k.endsWith("(not used by this kvscope)")).toList();
        if (!unused.isEmpty()) out.println("  agent events not used: " + unused);
        if (r.problems().isEmpty()) {
            out.println("  agent input: every event used and joined");
        } else {
            out.println("  agent input that could not be used or joined:");
            for (var p : r.problems()) {
                out.printf(Locale.ROOT, "    %8s  %s%n", count(p.count()), p.what());
                for (var x : p.examples()) out.println("              e.g. " + x);
            }
        }
        out.flush();
    }

    /** "Redis executing (debug) 50.12 ms 91.0 % · user own time 1.20 ms 2.2 % · …" */
    static String shares(List<ServicesReport.Share> parts, int max) {
        var sb = new StringBuilder();
        for (int i = 0; i < parts.size() && i < max; i++) {
            var p = parts.get(i);
            if (i > 0) sb.append(" · ");
            sb.append(p.part()).append(' ').append(duration(p.ns())).append(' ')
                    .append(String.format(Locale.ROOT, "%.1f %%", p.percent()));
        }
        if (parts.size() > max) sb.append(" · ").append(parts.size() - max).append(" more");
        return sb.toString();
    }

    /** One request, hop by hop. */
    public static void write(RequestTree t, long traceStart, PrintWriter out) {
        out.printf(Locale.ROOT, "request %s: %s on %s at %s, status %d, %s%n", t.id(), t.route(), t.service(),
                offset(t.start(), traceStart), t.status(), t.latencyNs() < 0 ? "never answered" : duration(t.latencyNs()));
        out.println("where the time went:");
        for (var p : t.parts()) {
            out.printf(Locale.ROOT, "  %-44s %12s %6.1f %%%n", p.part(), duration(p.ns()), p.percent());
        }
        out.println("hop by hop (start after the request's start, duration):");
        node(t.root(), 1, out);
        out.flush();
    }

    private static void node(RequestTree.Node n, int depth, PrintWriter out) {
        var head = "  ".repeat(depth) + n.kind() + " " + n.service() + " " + n.what();
        out.printf(Locale.ROOT, "%-64s +%-12s %12s  %s%n", head, duration(n.offsetNs()),
                n.durationNs() < 0 ? "unanswered" : duration(n.durationNs()), n.detail());
        for (var c : n.children()) node(c, depth + 1, out);
    }
}
