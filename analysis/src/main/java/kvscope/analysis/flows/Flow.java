package kvscope.analysis.flows;

/**
 * One causal link between two connections (an arrow of the Netflow view, paper Figs. 6–7): what happened on
 * {@code (srcServer, srcFd)} at {@code srcTime} caused what happened on {@code (dstServer, dstFd)} at {@code dstTime}.
 * Servers are indexes into the segment file's server names.
 */
public record Flow(Hop kind, int srcServer, int srcFd, long srcTime, int dstServer, int dstFd, long dstTime) {

    /** What the arrow stands for. The ordinal is stored: append only. */
    public enum Hop {
        /** A client's PUBLISH queued a message on a cluster link of its node. */
        PUBLISH_TO_BUS("publish → bus"),
        /** A message sent on one node's cluster link, processed by another node. */
        BUS("cluster bus"),
        /** A message that arrived over the bus, written to a subscriber of the receiving node. */
        DELIVER("bus → subscriber"),
        /** A client's PUBLISH, written to a subscriber of the same node. */
        PUBLISH_LOCAL("publish → subscriber"),
        /**
         * A request refused with MOVED or ASK, and the next request for the same slot on the node it named. Paired
         * by slot and order (the client itself is not traced), so a busy slot hit by other clients may mislead.
         */
        REDIRECT("MOVED/ASK → retry"),
        /** A write a master fed its replicas, applied by a replica (paired by replication offset; issue #19). */
        REPLICATION("master → replica");

        private final String label;

        Hop(String label) { this.label = label; }

        public String label() { return label; }

        static final Hop[] ALL = values();
    }
}
