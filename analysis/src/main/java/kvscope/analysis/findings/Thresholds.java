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
 */
public record Thresholds(long slowNs, long stallNs, double amplification, long backlogBytes, long slowHttpNs) {
    public static final Thresholds DEFAULT = new Thresholds(10_000_000L, 20_000_000L, 2.0, 1 << 20, 20_000_000L);

    public Thresholds(long slowNs, long stallNs, double amplification, long backlogBytes) {
        this(slowNs, stallNs, amplification, backlogBytes, DEFAULT.slowHttpNs);
    }

    public Thresholds(long slowNs, long stallNs, double amplification) {
        this(slowNs, stallNs, amplification, DEFAULT.backlogBytes);
    }
}
