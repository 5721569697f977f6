package kvscope.analysis.report;

import kvscope.analysis.Stored;
import kvscope.analysis.services.ServicesHtml;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static kvscope.analysis.report.Svg.esc;
import static kvscope.analysis.report.Units.*;

/** The report as one self-contained HTML file: the text report's content plus plots, readable offline. */
public final class HtmlReport {
    /** Latency buckets: powers of two from 1 µs (bucket i holds [2^i, 2^(i+1)) µs). */
    static final int BUCKETS = 24;

    private HtmlReport() {}

    public static void write(Report r, Stored stored, PrintWriter out) throws IOException {
        out.println("<!doctype html><html><head><meta charset='utf-8'><title>kvscope report</title><style>"
                + "body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}"
                + "td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #ddd}td:first-child,th:first-child{text-align:left}"
                + "h2{margin-top:2em;border-bottom:2px solid #4e79a7}.warn{color:#b00}svg{display:block;margin:1em 0}"
                + ".t{font-weight:bold;font-size:13px}.l{font-size:11px;fill:#555}pre{background:#f6f6f6;padding:1em;white-space:pre-wrap}</style></head><body>");
        out.printf(Locale.ROOT, "<h1>kvscope report</h1><p>%d server(s), %s of trace from %s, %s events.</p>%n",
                r.servers().size(), duration(r.end() - r.start()), instant(r.start()), count(r.counters().events()));
        if (r.commandsOnly()) out.println("<p class='warn'>Light profile: latencies are command execution only.</p>");
        if (r.lostEvents() > 0) {
            out.printf(Locale.ROOT, "<p class='warn'>The tracer discarded %s events; %s requests in flight were dropped.</p>%n",
                    count(r.lostEvents()), count(r.counters().requestsAffectedByLoss()));
        }
        findings(r, out);
        if (r.services() != null) ServicesHtml.write(r.services(), r.start(), out);
        var hist = histograms(r, stored);
        var series = r.series();
        for (int si = 0; si < r.servers().size(); si++) {
            var s = r.servers().get(si);
            boolean blocking = s.commands().stream().anyMatch(k -> k.blocked() > 0);
            out.printf("<h2>%s</h2>%n", esc(s.name()));
            if (blocking) out.printf("<p>%s</p>%n", esc(TextReport.latencyNote(s.commands().get(0).blockedIncluded())));
            out.printf("<table><tr><th>command</th><th>type</th><th>count</th><th>req/s</th><th>p50</th><th>p90</th><th>p99</th><th>max</th>%s</tr>%n",
                    blocking ? "<th>blocked (time in all)</th>" : "");
            for (var k : s.commands()) {
                out.printf(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%.1f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>%s</tr>%n",
                        esc(k.name()), k.type(), count(k.count()), k.perSecond(), duration(k.p50Ns()), duration(k.p90Ns()),
                        duration(k.p99Ns()), duration(k.maxNs()), !blocking ? ""
                                : "<td>" + (k.blocked() > 0 ? count(k.blocked()) + " (" + duration(k.blockedNs()) + ")" : "") + "</td>");
            }
            out.println("</table>");
            if (!s.blocked().isEmpty()) {
                // Waiting by design (BLPOP, WAIT…): shown apart, left out of the slow-request finding.
                out.print("<p>blocked clients (by type and how it ended):");
                s.blocked().forEach((k, v) -> out.printf(Locale.ROOT, " %s %s (%s in all);", esc(k), count(v[0]), duration(v[1])));
                out.println("</p>");
            }
            var h = hist.get(si);
            if (!h.names.isEmpty()) {
                var labels = new String[BUCKETS];
                for (int i = 0; i < BUCKETS; i++) labels[i] = duration((1L << i) * 1000);
                out.println(Svg.histogram("Latency distribution (read start → reply written)", h.names, h.counts, labels));
            }
            if (series != null) {
                int k = series.servers().indexOf(s.name());
                if (k >= 0) {
                    var xl = "each point: " + duration(series.bucketNs()) + " of trace";
                    out.println(Svg.lines("Requests completed per interval", List.of(s.name()), List.of(series.requests().get(k)), "requests", xl));
                    if (s.bus().bytesOut() > 0 || s.bus().bytesIn() > 0) {
                        out.println(Svg.lines("Cluster bus volume per interval", List.of("out", "in"),
                                List.of(series.busOut().get(k), series.busIn().get(k)), "bytes", xl));
                    }
                }
            }
        }
        // Everything else as the text report says it: one source of truth for the wording.
        var text = new StringWriter();
        TextReport.write(r, new PrintWriter(text));
        out.printf("<h2>Details</h2><pre>%s</pre>%n</body></html>%n", esc(text.toString()));
        out.flush();
    }

    /** Findings first: what went wrong matters more than the tables. */
    private static void findings(Report r, PrintWriter out) {
        out.printf("<h2>Findings (%d)</h2>%n", r.findings().size());
        if (r.findings().isEmpty()) {
            out.println("<p>The detectors found nothing wrong.</p>");
            return;
        }
        for (var f : r.findings()) {
            var color = switch (f.severity()) {
                case CRITICAL -> "#b00";
                case WARNING -> "#b60";
                default -> "#357";
            };
            out.printf(Locale.ROOT, "<div style='border-left:4px solid %s;padding:.2em .8em;margin:.8em 0'><b style='color:%s'>%s</b> "
                            + "<b>%s</b>%s%s<p>%s</p>", color, color, f.severity(), esc(f.title()),
                    f.server().isEmpty() ? "" : " on " + esc(f.server()), f.start() > 0 ? " at " + offset(f.start(), r.start()) : "",
                    esc(f.explanation()));
            if (!f.events().isEmpty()) out.printf("<pre>%s</pre>", esc(String.join("\n", f.events())));
            out.printf("<p style='color:#555'>See the %s view%s.</p></div>%n", esc(f.view()),
                    f.start() > 0 ? " at " + offset(f.start(), r.start()) : "");
        }
    }

    private record Hist(List<String> names, List<long[]> counts) {}

    private static List<Hist> histograms(Report r, Stored stored) throws IOException {
        var sf = stored.segments();
        var out = new ArrayList<Hist>();
        for (var s : r.servers()) {
            var names = new ArrayList<String>();
            var counts = new ArrayList<long[]>();
            int si = sf.serverIndex(s.name());
            for (var k : s.commands().stream().limit(Svg.COLORS.length).toList()) {
                var c = new long[BUCKETS];
                sf.scan(Long.MIN_VALUE, Long.MAX_VALUE, si, sf.commandIndex(k.name()), cur -> {
                    long us = Math.max(1, (k.blockedIncluded() ? cur.latency() : cur.serverLatency()) / 1000);
                    c[Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(us))]++;
                });
                names.add(k.name());
                counts.add(c);
            }
            out.add(new Hist(names, counts));
        }
        return out;
    }
}
