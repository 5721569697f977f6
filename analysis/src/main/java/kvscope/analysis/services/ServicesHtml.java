package kvscope.analysis.services;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static kvscope.analysis.report.Units.*;

/**
 * The services part of the HTML report: the routes, and for each the split of its slowest requests' time as one
 * stacked bar (a colour per kind of part), so the route whose time goes to Redis, MariaDB or a service shows at once.
 */
public final class ServicesHtml {
    private ServicesHtml() {}

    /** A colour per kind of part, the same as the page's. */
    static final Map<PartKind, String> COLOURS = new LinkedHashMap<>();

    static {
        COLOURS.put(PartKind.SERVICE, "#4e79a7");
        COLOURS.put(PartKind.NETWORK, "#bab0ac");
        COLOURS.put(PartKind.REDIS_QUEUED, "#ff9896");
        COLOURS.put(PartKind.REDIS_READING, "#2ca02c");
        COLOURS.put(PartKind.REDIS_WAITING_TO_EXECUTE, "#ffbb78");
        COLOURS.put(PartKind.REDIS_EXECUTING, "#1f77b4");
        COLOURS.put(PartKind.REDIS_WAITING_TO_WRITE, "#f7b6d2");
        COLOURS.put(PartKind.REDIS_WRITING, "#ff7f0e");
        COLOURS.put(PartKind.REDIS_UNSEEN, "#c5b0d5");
        COLOURS.put(PartKind.MARIADB, "#9467bd");
        COLOURS.put(PartKind.UNTRACED, "#7f7f7f");
        COLOURS.put(PartKind.REDIS_NOT_EXECUTED, "#dbdb8d");
    }

    public static void write(ServicesReport r, long traceStart, PrintWriter out) {
        out.printf(Locale.ROOT, "<h2>Services</h2>%n<p>%d services, %s spans; %s requests entered them.</p>%n",
                r.services().size(), count(r.spans()), count(r.requests()));
        out.println("<table><tr><th>route</th><th>service</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>status</th></tr>");
        for (var rt : r.routes()) {
            out.printf(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
                    esc(rt.route()), esc(rt.service()), count(rt.count()), duration(rt.p50Ns()), duration(rt.p90Ns()),
                    duration(rt.p99Ns()), duration(rt.maxNs()), esc(rt.statuses().toString()));
        }
        out.println("</table>");
        out.println("<h3>Where the time of each route's slowest requests went</h3>");
        out.print("<p>");
        for (var e : COLOURS.entrySet()) {
            out.printf("<span style='white-space:nowrap;margin-right:1em'><i style='display:inline-block;width:10px;height:10px;"
                    + "background:%s'></i> %s</span>", e.getValue(), esc(e.getKey().label()));
        }
        out.println("</p>");
        int w = 700, row = 22, label = 260;
        var routes = r.routes().stream().filter(rt -> rt.slowestNs() > 0).toList();
        out.printf(Locale.ROOT, "<svg width='%d' height='%d' font-size='11'>%n", label + w + 80, routes.size() * row + 4);
        for (int k = 0; k < routes.size(); k++) {
            var rt = routes.get(k);
            int y = k * row + 2;
            out.printf(Locale.ROOT, "<text x='0' y='%d'>%s</text>%n", y + 14, esc(rt.route() + " (" + rt.service() + ")"));
            double x = label;
            for (var p : rt.slowestParts()) {
                double pw = w * p.percent() / 100.0;
                if (pw <= 0) continue;
                out.printf(Locale.ROOT, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='%s'><title>%s: %s, %.1f %%</title></rect>%n",
                        x, y, pw, row - 4, COLOURS.getOrDefault(PartKind.valueOf(p.kind()), "#888"), esc(p.part()),
                        duration(p.ns()), p.percent());
                x += pw;
            }
            out.printf(Locale.ROOT, "<text x='%d' y='%d'>%s</text>%n", label + w + 4, y + 14,
                    duration(rt.slowestNs() / Math.max(1, rt.slowest().size())) + " avg");
        }
        out.println("</svg>");
        out.println("<table><tr><th>route</th><th>request</th><th>at</th><th>latency</th><th>where the time went</th></tr>");
        for (var rt : r.routes()) {
            for (var q : rt.slowest().subList(0, Math.min(ServicesText.SHOWN, rt.slowest().size()))) {
                out.printf(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td style='text-align:left'>%s</td></tr>%n",
                        esc(rt.route()), esc(q.id()), offset(q.start(), traceStart), duration(q.latencyNs()),
                        esc(ServicesText.shares(q.parts(), 5)));
            }
        }
        out.println("</table>");
        if (!r.problems().isEmpty()) {
            out.println("<h3>Agent input that could not be used or joined</h3><table>");
            for (var p : r.problems()) {
                out.printf(Locale.ROOT, "<tr><td>%s</td><td style='text-align:left'>%s<br><small>%s</small></td></tr>%n",
                        count(p.count()), esc(p.what()), esc(String.join(" · ", p.examples())));
            }
            out.println("</table>");
        }
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
