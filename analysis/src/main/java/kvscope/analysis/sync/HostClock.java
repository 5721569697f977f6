package kvscope.analysis.sync;

import kvscope.ctf.ClockFix;

import java.util.List;

/**
 * One host's clock against the reference host's, as estimated from the message pairs of the traces.
 *
 * @param offsetNs  what is added to the host's timestamps at {@code fix.atNs()} (its own clock offset already applied)
 * @param driftPpm  how much faster (−) or slower (+) it runs, in parts per million
 * @param boundNs   provable accuracy of every corrected timestamp of the host: the true time is within ± this
 *                  (infinite when the pairs bound it on one side only or not at all; 0 for the reference)
 * @param offsetBoundNs, driftBoundPpm the same for the offset at {@code fix.atNs()} and for the drift
 * @param pairs     message pairs used (both directions, summed over every hop of the path)
 * @param path      hosts from the reference to this one (the chain the estimate was composed along)
 */
public record HostClock(String host, Verdict verdict, ClockFix fix, long offsetNs, double driftPpm, double boundNs,
                        double offsetBoundNs, double driftBoundPpm, long pairs, List<String> path) {

    /** True when the bound is finite: the host's time is known against the reference's to ± boundNs. */
    public boolean bounded() { return Double.isFinite(boundNs); }
}
