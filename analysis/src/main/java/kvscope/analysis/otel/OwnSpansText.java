package kvscope.analysis.otel;

import kvscope.analysis.report.Units;

import java.io.PrintWriter;
import java.util.Locale;

import static kvscope.analysis.report.Units.count;
import static kvscope.analysis.report.Units.duration;

/** The user's own spans in the text report. */
public final class OwnSpansText {
    private OwnSpansText() {}

    public static void write(OwnSpansReport r, long traceStart, PrintWriter out) {
        out.println();
        out.println("== your spans (" + String.join(", ", r.files()) + ") ==");
        out.printf(Locale.ROOT, "  %s spans read, %s Redis client spans: %s linked, %s ambiguous, %s not linked%n",
                count(r.spansSeen()), count(r.redisSpans()), count(r.linked()), count(r.ambiguous()), count(r.unlinked()));
        for (var c : r.clocks()) out.println("  " + clock(c));
        for (var x : r.reasons()) {
            out.printf(Locale.ROOT, "  %s: %s%n", x.what(), count(x.count()));
            for (var e : x.examples()) out.println("      " + e);
        }
        if (r.slowest().isEmpty()) return;
        out.println("  slowest linked spans:");
        for (var l : r.slowest()) {
            out.printf(Locale.ROOT, "    %s %s span %s (trace %s) → %s fd %d, client %d%n", Units.offset(l.start(), traceStart),
                    l.service() == null ? "" : l.service(), l.spanId(), l.traceId(), l.server(), l.fd(), l.clientId());
            out.println("      " + l.summary());
            var s = l.split();
            out.printf(Locale.ROOT, "      before Redis %s | queued %s | reading %s | waiting to execute %s | executing %s "
                            + "| waiting to write %s | writing %s | after Redis %s%n", duration(s.beforeRedisNs()),
                    duration(s.queuedNs()), duration(s.readingNs()), duration(s.waitingToExecuteNs()),
                    duration(s.executingNs()), duration(s.waitingToWriteNs()), duration(s.writingNs()),
                    duration(s.afterRedisNs()));
        }
    }

    /** A resource's clock, for people: "unknown_service:node: +0.20 ms from the trace (±25 µs, starts in whole ms; 600 of 600 spans fit)". */
    public static String clock(SpanLinks.Clock c) {
        return String.format(Locale.ROOT, "clock of %s: %s%s from the trace's (±%s%s; %d of %d spans fit)%s", c.resource(),
                c.offsetNs() < 0 ? "-" : "+", duration(Math.abs(c.offsetNs())), duration(c.toleranceNs()),
                c.quantumNs() > 0 ? ", span starts in whole " + (c.quantumNs() >= 1_000_000 ? "ms" : "µs")
                        + ": each span somewhere in the next " + duration(c.quantumNs()) : "",
                c.fitted(), c.spans(), c.note() == null ? "" : "; " + c.note());
    }
}
