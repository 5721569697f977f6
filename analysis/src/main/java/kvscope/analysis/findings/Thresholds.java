package kvscope.analysis.findings;

/**
 * When a detector speaks up. Defaults suit a Redis serving sub-millisecond requests; each can be set on the
 * command line ({@code kvscope report --slow 5ms --stall 20ms --amplification 3}).
 *
 * @param slowNs        a request slower than this (server side) is a slow request
 * @param stallNs       an event-loop iteration busier than this is a stall
 * @param amplification bus bytes sent per byte of PUBLISH payload above which the bus is amplifying
 */
public record Thresholds(long slowNs, long stallNs, double amplification) {
    public static final Thresholds DEFAULT = new Thresholds(10_000_000L, 20_000_000L, 2.0);
}
