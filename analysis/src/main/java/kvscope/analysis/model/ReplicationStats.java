package kvscope.analysis.model;

import java.util.List;
import java.util.Map;

/**
 * What the model saw of replication (issue #19): each master → replica link, and each (re)synchronisation a master
 * answered. Stored in summary.json; the findings and the report read it.
 *
 * @param links         one per (master, replica) pair seen applying the master's stream or acknowledging it
 * @param resyncs       every PSYNC/SYNC a master answered, in time order
 * @param feedsDropped  master writes forgotten before any replica applied them (the bounded queue of a master whose
 *                      replicas are not traced, or lag more than its capacity)
 * @param resyncsOmitted resyncs beyond the first 10 000 (counted, not listed)
 */
public record ReplicationStats(List<Link> links, List<Resync> resyncs, long feedsDropped, long resyncsOmitted) {
    public ReplicationStats {
        links = links == null ? List.of() : List.copyOf(links);
        resyncs = resyncs == null ? List.of() : List.copyOf(resyncs);
    }

    static final ReplicationStats NONE = new ReplicationStats(List.of(), List.of(), 0, 0);

    /**
     * A replica's link to its master.
     *
     * @param master           the master server's name (host:port), or its address when it is not traced
     * @param replica          the replica server's name, or address:listening-port when it is not traced
     * @param writesApplied    master writes (repl_feed) this replica applied, each paired by offset
     * @param writesByCommand  of those, how many of each command (lower case)
     * @param bytesApplied     replication stream bytes the replica applied (sum of repl_apply.bytes)
     * @param applies          repl_apply events of the replica
     * @param appliesUnpaired  applies of an offset no traced master write ended at (SELECT, PING, MULTI parts, or the
     *                         master's write before the trace)
     * @param meanLagNs        mean time from the master's feed to the replica's apply, over paired writes
     * @param maxLagNs         the largest such time, and when (the apply) it was seen
     * @param maxOffsetLag     the largest master offset minus acknowledged offset at a REPLCONF ACK, and when
     * @param acks             REPLCONF ACKs the master received from this replica
     * @param lastAckOffset    the offset of its last ACK (-1 if none)
     */
    public record Link(String master, String replica, long writesApplied, Map<String, Long> writesByCommand,
                       long bytesApplied, long applies, long appliesUnpaired, long meanLagNs, long maxLagNs,
                       long maxLagAt, long maxOffsetLag, long maxOffsetLagAt, long acks, long lastAckOffset) {
        public Link {
            writesByCommand = writesByCommand == null ? Map.of() : Map.copyOf(writesByCommand);
        }
    }

    /**
     * A synchronisation a master answered (repl_sync), with how it ended.
     *
     * @param full             full resync (an RDB is transferred) or partial (the backlog from the asked offset)
     * @param reason           why full: what masterTryPartialResynchronization() refused, or SYNC; empty if partial
     * @param requestedOffset  the offset the replica asked to continue from (-1: none, a first sync)
     * @param offset           the master's replication offset at the time
     * @param backlogBytes     partial: the backlog bytes sent
     * @param transferNs       full: from the master's answer to the replica online (RDB transferred), -1 if unseen
     * @param loadedAt         full: when the replica (if traced) finished loading the RDB, -1 if unseen
     */
    public record Resync(String master, String replica, long time, boolean full, String reason, long requestedOffset,
                         long offset, long backlogBytes, long transferNs, long loadedAt) {}
}
