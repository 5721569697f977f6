package kvscope.statesystem.bench;

import java.util.Arrays;

/** Percentiles of a sample of durations in nanoseconds. */
final class Stats {
    static double pct(long[] ns, double p) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.floor(p * s.length))] / 1000.0;
    }
}
