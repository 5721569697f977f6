package kvscope.analysis.sync;

import kvscope.ctf.ClockFix;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One host's clock against the reference host's, as estimated from the message pairs of the traces.
 *
 * @param offsetNs  what is added to the host's timestamps at {@code fix.atNs()} (its own clock offset already applied)
 * @param driftPpm  how much faster (−) or slower (+) it runs, in parts per million
 * @param boundNs   provable accuracy of every corrected timestamp of the host: the true time is within ± this
 *                  (infinite when the pairs bound it on one side only or not at all; 0 for the reference)
 * @param offsetBoundNs, driftBoundPpm the same for the offset at {@code fix.atNs()} and for the drift
 * @param pairs     message pairs used (both directions, summed over every hop of the path)
 * @param pairsByKind the same by what they are made of ({@link PairKind#label}: bus, redis calls, http), non-zero only
 * @param path      hosts from the reference to this one (the chain the estimate was composed along)
 */
public record HostClock(String host, Verdict verdict, ClockFix fix, long offsetNs, double driftPpm, double boundNs,
                        double offsetBoundNs, double driftBoundPpm, long pairs, Map<String, Long> pairsByKind,
                        List<String> path) {

    /** True when the bound is finite: the host's time is known against the reference's to ± boundNs. */
    public boolean bounded() { return Double.isFinite(boundNs); }

    /** "bus 1,204, redis calls 3,410, http 220": which conversations the estimate rests on (empty when none). */
    public String pairsText() {
        var sb = new StringBuilder();
        pairsByKind.forEach((k, n) -> sb.append(sb.length() > 0 ? ", " : "").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%,d", n)));
        return sb.toString();
    }
}
