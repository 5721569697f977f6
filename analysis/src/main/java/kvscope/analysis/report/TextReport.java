package kvscope.analysis.report;

import kvscope.analysis.otel.OwnSpansText;
import kvscope.analysis.services.ServicesText;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;

import static kvscope.analysis.report.Units.*;

/** The report as text for a terminal: one block per server, tables aligned, numbers in human units. */
public final class TextReport {
    private TextReport() {}

    public static void write(Report r, PrintWriter out) {
        var c = r.counters();
        out.printf(Locale.ROOT, "kvscope report: %d server%s, %s of trace from %s, %s events%n", r.servers().size(),
                r.servers().size() == 1 ? "" : "s", duration(r.end() - r.start()), instant(r.start()), count(c.events()));
        if (r.commandsOnly()) {
            out.println("  light profile: latencies are command execution only (no read or write events recorded)");
        }
        if (r.lostEvents() > 0 || c.lostCountUnknown() > 0) {
            out.printf(Locale.ROOT, "  LOST EVENTS: the tracer discarded %s events in %s ranges; %s requests in flight were dropped%n",
                    count(r.lostEvents()), count(c.lostRanges()), count(c.requestsAffectedByLoss()));
        }
        for (var d : c.damage()) {
            out.println("  TRACE DAMAGED: " + d + " — everything after this point of that stream is missing from the results");
        }
        if (!c.unknownEvents().isEmpty()) out.println("  events not used by the model: " + c.unknownEvents());
        for (var l : c.layout()) out.println("  LAYOUT: " + l);
        if (!c.otherProviders().isEmpty()) {
            out.println("  events of other providers (in the trace, not in the Redis model; kvscope events lists them): "
                    + c.otherProvidersByProvider());
        }
        if (c.lateStates() > 0) {
            out.printf(Locale.ROOT, "  %s states were reported later than the model's reorder window and placed up to %s late%n",
                    count(c.lateStates()), duration(c.maxLatenessNs()));
        }
        clocks(r, out);
        for (var s : r.servers()) server(r, s, out);
        ReplicationText.write(r.replication(), r.start(), out);
        if (r.services() != null) ServicesText.write(r.services(), r.start(), out);
        if (r.ownSpans() != null) OwnSpansText.write(r.ownSpans(), r.start(), out);
        out.println();
        out.println(r.findings().isEmpty() ? "findings: none" : "findings (" + r.findings().size() + "):");
        for (var f : r.findings()) {
            out.printf(Locale.ROOT, "%n  [%s] %s%s%s%n", f.severity(), f.title(), f.server().isEmpty() ? "" : " on " + f.server(),
                    f.start() > 0 ? " at " + offset(f.start(), r.start()) : "");
            for (var line : wrap(f.explanation(), 100)) out.println("    " + line);
            if (!f.events().isEmpty()) {
                out.println("    events:");
                for (var e : f.events()) out.println("      " + e);
            }
            out.println("    see: the " + f.view() + " view" + (f.start() > 0 ? " at " + offset(f.start(), r.start()) : ""));
        }
        out.flush();
    }

    private static void server(Report r, Report.Server s, PrintWriter out) {
        out.println();
        out.println("== " + s.name() + " ==");
        if (s.commands().isEmpty()) {
            out.println("  no requests");
        } else {
            // Blocked time (BLPOP, WAIT… waiting by design) is its own column; the latencies leave it out unless asked.
            boolean blocking = s.commands().stream().anyMatch(k -> k.blocked() > 0);
            if (blocking) out.println("  " + latencyNote(s.commands().get(0).blockedIncluded()));
            out.printf(Locale.ROOT, "  %-18s %-6s %10s %10s %10s %10s %10s %10s%s%n", "command", "type", "count", "req/s", "p50", "p90",
                    "p99", "max", blocking ? "  blocked (time in all)" : "");
            for (var k : s.commands()) {
                out.printf(Locale.ROOT, "  %-18s %-6s %10s %10.1f %10s %10s %10s %10s%s%n", k.name(), k.type(), count(k.count()),
                        k.perSecond(), duration(k.p50Ns()), duration(k.p90Ns()), duration(k.p99Ns()), duration(k.maxNs()),
                        k.blocked() > 0 ? "  " + count(k.blocked()) + " (" + duration(k.blockedNs()) + ")" : "");
            }
        }
        if (!s.slowest().isEmpty()) {
            out.println("  slowest requests (read → execute → reply written):");
            for (var w : s.slowest()) {
                out.printf(Locale.ROOT, "    %10s  %-12s fd=%-5d id=%-6d at %s  (before execution %s, execution %s, until reply written %s%s)%n",
                        duration(w.latencyNs()), w.command(), w.fd(), w.clientId(), offset(w.start(), r.start()),
                        duration(w.readNs()), duration(w.executeNs()), duration(w.replyNs()),
                        w.blockedNs() > 0 ? ", of it blocked " + duration(w.blockedNs()) + ": " + w.unblocked() : "");
            }
        }
        if (!s.blocked().isEmpty()) {
            // Waiting by design (BLPOP, WAIT…): shown, not blamed (the slow-request finding leaves it out).
            out.print("  blocked clients (by type and how it ended):");
            s.blocked().forEach((k, v) -> out.printf(Locale.ROOT, " %s %s (%s in all);", k, count(v[0]), duration(v[1])));
            out.println();
        }
        if (s.unansweredRequests() > 0 || s.unfinishedAtEnd() > 0) {
            out.printf(Locale.ROOT, "  requests without a reply: %s (client freed first), %s still in flight at the end of the trace%n",
                    count(s.unansweredRequests()), count(s.unfinishedAtEnd()));
        }
        var cn = s.connections();
        out.printf(Locale.ROOT, "  connections: %s accepted %s, %s freed", count(cn.accepted()), cn.byType(), count(cn.freed()));
        if (cn.seenMidLife() > 0) {
            out.printf(Locale.ROOT, ", %s already open when seen first", count(cn.seenMidLife()));
            long unnamed = cn.seenMidLife() - cn.namedBySnapshot();
            if (cn.snapshots() > 0) out.printf(Locale.ROOT, " (%s named by the snapshot, %s never named)",
                    count(cn.namedBySnapshot()), count(unnamed));
            else out.print(" (no snapshot named them: record with the snapshot_* events)");
        }
        out.println();
        for (var t : s.threads()) {
            out.printf(Locale.ROOT, "  thread %-7d %-4s  %s commands, %s reads, %s writes, busy %s%n", t.tid(), t.role(),
                    count(t.commands()), count(t.reads()), count(t.writes()), duration(t.busyNs()));
        }
        var el = s.eventLoop();
        if (el.iterations() > 0) {
            out.printf(Locale.ROOT, "  event loop: %s iterations, longest %s at %s%n", count(el.iterations()),
                    duration(el.longestNs()), offset(el.longestAt(), r.start()));
        }
        if (!s.redirects().isEmpty()) {
            out.printf(Locale.ROOT, "  requests redirected (not executed here): %s%n", String.join(", ",
                    s.redirects().entrySet().stream().map(e -> count(e.getValue()) + " " + e.getKey().toUpperCase(Locale.ROOT)).toList()));
        }
        var b = s.bus();
        if (b.bytesOut() > 0 || b.bytesIn() > 0 || b.publishes() > 0) {
            out.printf(Locale.ROOT, "  cluster bus: out %s, in %s", bytes(b.bytesOut()), bytes(b.bytesIn()));
            if (b.publishes() > 0) {
                out.printf(Locale.ROOT, "; %s PUBLISH with %s of payload", count(b.publishes()), bytes(b.publishedPayloadBytes()));
            }
            out.println();
            flows(out, "    sent by type:     ", b.outByType());
            flows(out, "    received by type: ", b.inByType());
            flows(out, "    sent to:          ", b.outByLink());
            flows(out, "    received from:    ", b.inByLink());
        }
    }

    /** Several hosts: how each one's clock was put on the reference host's time line, and how well it is known. */
    private static void clocks(Report r, PrintWriter out) {
        if (r.clocks().isEmpty()) return;
        out.println();
        out.println("== clocks of " + r.clocks().size() + " hosts (synchronised from the traces' message pairs) ==");
        out.printf(Locale.ROOT, "  %-20s %12s %14s %14s %8s  %s%n", "host", "offset", "drift", "accuracy", "pairs", "verdict");
        for (var c : r.clocks()) {
            var drift = String.format(Locale.ROOT, "%+.2f ppm", c.driftPpm());
            var bound = c.boundNs() == null ? "unbounded" : "± " + duration(Math.round(c.boundNs()));
            if (c.verdict().equals("reference")) bound = "-";
            out.printf(Locale.ROOT, "  %-20s %12s %14s %14s %8s  %s%s%n", c.host(), signed(c.offsetNs()), drift, bound,
                    count(c.pairs()), c.meaning(), (c.path().size() > 2 ? " (via " + String.join(" → ", c.path()) + ")" : "")
                            + kinds(c.pairsByKind()));
        }
    }

    /** "; pairs: bus 1,204, redis calls 3,410, http 220" — which conversations put the clock there. */
    private static String kinds(Map<String, Long> byKind) {
        if (byKind == null || byKind.isEmpty()) return "";
        var parts = new ArrayList<String>();
        byKind.forEach((k, n) -> parts.add(k + " " + count(n)));
        return "; pairs: " + String.join(", ", parts);
    }

    private static String signed(long ns) { return (ns < 0 ? "-" : "+") + duration(Math.abs(ns)); }

    static List<String> wrap(String text, int width) {
        var lines = new ArrayList<String>();
        var line = new StringBuilder();
        for (var word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0) lines.add(line.toString());
        return lines;
    }

    private static void flows(PrintWriter out, String label, List<Report.Flow> flows) {
        if (flows.isEmpty()) return;
        var sb = new StringBuilder(label);
        for (int i = 0; i < flows.size(); i++) {
            var f = flows.get(i);
            if (i > 0) sb.append(", ");
            sb.append(f.name()).append(' ').append(bytes(f.bytes())).append(" (").append(count(f.messages())).append(')');
        }
        out.println(sb);
    }

    /** What the latency columns count, when some requests blocked (issue #19). */
    static String latencyNote(boolean blockedIncluded) {
        return blockedIncluded
                ? "latency includes the time clients spent blocked (--slow-with-blocked)"
                : "latency leaves out the time clients spent blocked, as Redis's SLOWLOG does (--slow-with-blocked counts it)";
    }
}
