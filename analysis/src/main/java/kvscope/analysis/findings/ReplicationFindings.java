package kvscope.analysis.findings;

import kvscope.analysis.Summary;
import kvscope.analysis.report.Units;

import java.util.List;
import java.util.Locale;

/**
 * Replication (issue #19): a replica that fell behind its master beyond {@link Thresholds#replicaLagNs} (the time
 * from the master feeding a write to the replica applying it), and every full resync, with why the master refused a
 * partial one and how long the RDB took to reach the replica.
 */
final class ReplicationFindings {
    private ReplicationFindings() {}

    static void detect(Summary sum, Thresholds th, List<Finding> out) {
        var rep = sum.replication();
        for (var l : rep.links()) {
            if (l.maxLagNs() <= th.replicaLagNs()) continue;
            out.add(new Finding("replica-lag", Finding.Severity.WARNING, l.replica(), l.maxLagAt() - l.maxLagNs(),
                    l.maxLagAt(), -1, List.of(),
                    String.format(Locale.ROOT, "replica %s fell %s behind master %s", l.replica(),
                            Units.duration(l.maxLagNs()), l.master()),
                    String.format(Locale.ROOT, "Of the %s writes of %s that replica %s applied (paired by replication "
                                    + "offset: the master's offset after feeding a write is the replica's after applying "
                                    + "it), the latest was applied %s after the master fed it (mean %s, threshold %s). "
                                    + "Its REPLCONF ACKs showed it up to %s behind the master's offset. A replica behind "
                                    + "serves stale reads, and WAIT or min-replicas-to-write stall writers on it: look "
                                    + "for what kept the replica from reading its master link then (a slow command or "
                                    + "a fork on the replica, a busy host, the network).",
                            Units.count(l.writesApplied()), l.master(), l.replica(), Units.duration(l.maxLagNs()),
                            Units.duration(l.meanLagNs()), Units.duration(th.replicaLagNs()), Units.bytes(l.maxOffsetLag())),
                    "Replication", List.of()));
        }
        for (var r : rep.resyncs()) {
            if (!r.full()) continue;
            var transfer = r.transferNs() >= 0
                    ? "The RDB reached the replica " + Units.duration(r.transferNs()) + " after the master answered"
                    + (r.loadedAt() >= 0 ? ", and the replica had loaded it " + Units.duration(r.loadedAt() - r.time())
                    + " after the answer" : "") + "."
                    : "The replica was not seen online before the trace ended: the RDB transfer time is unknown.";
            out.add(new Finding("full-resync", Finding.Severity.INFO, r.master(), r.time(),
                    r.time() + Math.max(0, r.transferNs()), -1, List.of(),
                    "full resync of replica " + r.replica() + ": " + r.reason(),
                    String.format(Locale.ROOT, "Master %s answered replica %s with a full resynchronisation (%s%s) at "
                                    + "replication offset %s: it forks to write an RDB of the whole dataset and sends it, "
                                    + "and the replica drops its data and loads it. %s A full resync at a replica's first "
                                    + "attach is expected; a repeated one means partial resyncs fail (a backlog too small "
                                    + "for the time the link was down: repl-backlog-size, or a replica restarted "
                                    + "without its replication id).",
                            r.master(), r.replica(), r.reason(),
                            r.requestedOffset() >= 0 ? "; it asked to continue from offset " + r.requestedOffset() : "",
                            Units.count(r.offset()), transfer),
                    "Replication", List.of()));
        }
    }
}
