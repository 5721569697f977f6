package kvscope.analysis.findings;

/**
 * When a detector speaks up. Defaults suit a Redis serving sub-millisecond requests; each can be set on the
 * command line ({@code kvscope report --slow 5ms --stall 20ms --amplification 3 --backlog 4MiB}).
 *
 * @param slowNs        a request slower than this (server side) is a slow request
 * @param stallNs       an event-loop iteration busier than this is a stall
 * @param amplification bus bytes sent per byte of PUBLISH payload above which the bus is amplifying
 * @param backlogBytes  a client's reply bytes waiting to be written above which its output buffer is a backlog
 * @param slowHttpNs    an HTTP request entering the services slower than this (end to end at the first traced
 *                      service) is a slow request of its route
 * @param replicaLagNs  a replica that applied a write of its master later than this after the master fed it is
 *                      behind
 * @param slowWithBlocked whether a blocked client's wait (BLPOP, WAIT… waiting for data or replicas by design) counts
 *                      toward {@code slowNs}; by default it does not, as in Redis's SLOWLOG
 */
public record Thresholds(long slowNs, long stallNs, double amplification, long backlogBytes, long slowHttpNs,
                         long replicaLagNs, boolean slowWithBlocked) {
    /**
     * Replica lag: on a LAN a replica applies a write well under a millisecond after its master fed it; 100 ms behind
     * means reads from it are visibly stale and WAIT stalls.
     */
    public static final Thresholds DEFAULT = new Thresholds(10_000_000L, 20_000_000L, 2.0, 1 << 20, 20_000_000L,
            100_000_000L, false);

    public Thresholds(long slowNs, long stallNs, double amplification, long backlogBytes, long slowHttpNs,
                      long replicaLagNs) {
        this(slowNs, stallNs, amplification, backlogBytes, slowHttpNs, replicaLagNs, DEFAULT.slowWithBlocked);
    }

    public Thresholds(long slowNs, long stallNs, double amplification, long backlogBytes, long slowHttpNs,
                      boolean slowWithBlocked) {
        this(slowNs, stallNs, amplification, backlogBytes, slowHttpNs, DEFAULT.replicaLagNs, slowWithBlocked);
    }

    public Thresholds(long slowNs, long stallNs, double amplification, long backlogBytes, long slowHttpNs) {
        this(slowNs, stallNs, amplification, backlogBytes, slowHttpNs, DEFAULT.replicaLagNs, DEFAULT.slowWithBlocked);
    }

    public Thresholds(long slowNs, long stallNs, double amplification, long backlogBytes) {
        this(slowNs, stallNs, amplification, backlogBytes, DEFAULT.slowHttpNs);
    }

    public Thresholds(long slowNs, long stallNs, double amplification) {
        this(slowNs, stallNs, amplification, DEFAULT.backlogBytes);
    }
}
