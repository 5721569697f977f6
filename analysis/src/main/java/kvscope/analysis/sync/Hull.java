package kvscope.analysis.sync;

/**
 * The convex-hull method (Duda, Harrus, Haddad, Bernard, "Estimating Global Time in Distributed Systems", ICDCS
 * 1987) for one pair of hosts: which corrections {@code r = h + c + d·(h − T)} of host H's clock onto reference R's
 * keep every message after its sending. A message R→H sent at {@code s} (R's clock) and received at {@code r} (H's)
 * says {@code c + d·(r − T) > s − r}; one H→R says {@code c + d·(s − T) < r − s}. For a drift {@code d} the offset
 * then lies in [{@code lo(d)}, {@code hi(d)}]: {@code lo} is a maximum of lines (convex), {@code hi} a minimum
 * (concave), so their gap is concave and the feasible drifts form one interval, found by ternary search and
 * bisection. Every correction in that polygon is possible; the estimate is its middle, and the bound is how far the
 * polygon reaches from it — provable as long as the pairs are causal and the clocks linear over the trace.
 */
final class Hull {
    /** Drifts searched: ±1000 ppm, far beyond any quartz (tens of ppm); a drift at this limit means "not bounded". */
    static final double MAX_DRIFT = 1e-3;
    private static final int ITERATIONS = 200;

    /** Points of the lower bounds (R→H) and of the upper bounds (H→R): x = h − T, y = bound on the correction. */
    private final double[] ax, ay, bx, by;

    Hull(PairList toH, PairList fromH, long t) {
        // toH: (send on R, receive on H) pairs; fromH: (send on H, receive on R).
        int na = toH.size(), nb = fromH.size();
        ax = new double[na];
        ay = new double[na];
        for (int i = 0; i < na; i++) {
            long s = toH.send(i), r = toH.receive(i);
            ax[i] = r - t;
            ay[i] = s - r;
        }
        bx = new double[nb];
        by = new double[nb];
        for (int i = 0; i < nb; i++) {
            long s = fromH.send(i), r = fromH.receive(i);
            bx[i] = s - t;
            by[i] = r - s;
        }
    }

    boolean hasLower() { return ax.length > 0; }
    boolean hasUpper() { return bx.length > 0; }

    /** The least offset allowed at drift d, plus d·x (the correction at x = h − T): convex in d. */
    double lo(double d, double x) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < ax.length; i++) m = Math.max(m, ay[i] - d * (ax[i] - x));
        return m;
    }

    /** The greatest offset allowed at drift d, plus d·x: concave in d. */
    double hi(double d, double x) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < bx.length; i++) m = Math.min(m, by[i] - d * (bx[i] - x));
        return m;
    }

    double gap(double d) { return hi(d, 0) - lo(d, 0); }

    /** The drift with the widest gap (a maximum of a concave function). */
    double widest() {
        double a = -MAX_DRIFT, b = MAX_DRIFT;
        for (int i = 0; i < ITERATIONS; i++) {
            double m1 = a + (b - a) / 3, m2 = b - (b - a) / 3;
            if (gap(m1) <= gap(m2)) a = m1;
            else b = m2;
        }
        return (a + b) / 2;
    }

    /** The end of the feasible drifts from inside (gap ≥ 0 there) towards {@code limit}. */
    double edge(double inside, double limit) {
        if (gap(limit) >= 0) return limit;
        double a = inside, b = limit;
        for (int i = 0; i < ITERATIONS; i++) {
            double m = (a + b) / 2;
            if (gap(m) >= 0) a = m;
            else b = m;
        }
        return a;
    }

    /** The greatest correction at x over drifts in [d0, d1] (hi + d·x is concave). */
    double maxHi(double d0, double d1, double x) {
        double a = d0, b = d1;
        for (int i = 0; i < ITERATIONS; i++) {
            double m1 = a + (b - a) / 3, m2 = b - (b - a) / 3;
            if (hi(m1, x) <= hi(m2, x)) a = m1;
            else b = m2;
        }
        return Math.max(hi((a + b) / 2, x), Math.max(hi(d0, x), hi(d1, x)));
    }

    /** The least correction at x over drifts in [d0, d1] (lo + d·x is convex). */
    double minLo(double d0, double d1, double x) {
        double a = d0, b = d1;
        for (int i = 0; i < ITERATIONS; i++) {
            double m1 = a + (b - a) / 3, m2 = b - (b - a) / 3;
            if (lo(m1, x) >= lo(m2, x)) a = m1;
            else b = m2;
        }
        return Math.min(lo((a + b) / 2, x), Math.min(lo(d0, x), lo(d1, x)));
    }
}
