package kvscope.analysis.report;

import kvscope.analysis.model.ReplicationStats;

import java.io.PrintWriter;
import java.util.Locale;

import static kvscope.analysis.report.Units.bytes;
import static kvscope.analysis.report.Units.count;
import static kvscope.analysis.report.Units.duration;
import static kvscope.analysis.report.Units.offset;

/** The report's replication section (issue #19): each master → replica link and every resync. */
final class ReplicationText {
    private ReplicationText() {}

    static void write(ReplicationStats r, long start, PrintWriter out) {
        if (r.links().isEmpty() && r.resyncs().isEmpty()) return;
        out.println();
        out.println("replication:");
        for (var l : r.links()) {
            out.printf(Locale.ROOT, "  %s → %s: %s writes applied (%s), %s of stream; lag mean %s, max %s at %s%n",
                    l.master(), l.replica(), count(l.writesApplied()), l.writesByCommand(), bytes(l.bytesApplied()),
                    duration(l.meanLagNs()), duration(l.maxLagNs()), l.maxLagAt() > 0 ? offset(l.maxLagAt(), start) : "-");
            if (l.acks() > 0) {
                out.printf(Locale.ROOT, "    %s REPLCONF ACKs, last at offset %s; offset lag at an ACK up to %s%n",
                        count(l.acks()), count(l.lastAckOffset()), bytes(l.maxOffsetLag()));
            }
            if (l.appliesUnpaired() > 0) {
                out.printf(Locale.ROOT, "    %s applies paired with no traced write (a SELECT applied apart, writes of before the trace, a master"
                                + " not traced, or one that is a replica itself: it proxies its master's stream, feeds nothing)%n",
                        count(l.appliesUnpaired()));
            }
        }
        for (var s : r.resyncs()) {
            out.printf(Locale.ROOT, "  %s %s resync of %s by %s at offset %s%s%s%n", offset(s.time(), start),
                    s.full() ? "FULL" : "partial", s.replica(), s.master(), count(s.offset()),
                    s.full() ? " (" + s.reason() + ")" : ", " + bytes(s.backlogBytes()) + " of backlog",
                    s.transferNs() >= 0 ? ", RDB transferred in " + duration(s.transferNs()) : "");
        }
        if (r.resyncsOmitted() > 0) out.printf(Locale.ROOT, "  and %s more resyncs, not listed%n", count(r.resyncsOmitted()));
        if (r.feedsDropped() > 0) {
            out.printf(Locale.ROOT, "  %s master writes fell out of the pairing queue before a replica applied them%n",
                    count(r.feedsDropped()));
        }
    }
}
