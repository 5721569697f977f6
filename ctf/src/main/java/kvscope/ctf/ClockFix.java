package kvscope.ctf;

/**
 * A correction of one trace's clock onto a reference host's time line: {@code t' = t + offsetNs + drift·(t − atNs)}.
 * The drift is kept relative to a time inside the trace ({@code atNs}) so that a double holds it exactly enough: a
 * term {@code drift·t} with {@code t} ≈ 1.8e18 ns would lose hundreds of ns to rounding, {@code drift·(t − atNs)}
 * over a trace of hours loses less than one.
 *
 * @param offsetNs what to add at {@code atNs}
 * @param drift    rate of the trace's clock against the reference, minus one (5e-5 = 50 ppm slow)
 * @param atNs     the time (on the trace's own clock, ns since the epoch) the offset is measured at
 */
public record ClockFix(long offsetNs, double drift, long atNs) {
    public static final ClockFix NONE = new ClockFix(0, 0, 0);

    public long apply(long t) {
        return drift == 0 ? t + offsetNs : t + offsetNs + Math.round(drift * (double) (t - atNs));
    }

    public boolean isNone() { return offsetNs == 0 && drift == 0; }

    /** This correction after {@code first}: a trace's clock to first's reference, then on to this one's. */
    public ClockFix after(ClockFix first) {
        long at = first.atNs;
        long mid = first.apply(at);
        long off = first.offsetNs + offsetNs + Math.round(drift * (double) (mid - atNs));
        return new ClockFix(off, first.drift + drift + first.drift * drift, at);
    }
}
