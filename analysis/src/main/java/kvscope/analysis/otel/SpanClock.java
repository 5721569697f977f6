package kvscope.analysis.otel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The offset between a span producer's clock and the trace's. A span contains the request that served it: it starts
 * before the command is written and ends after the reply is read, so at the span's true offset o,
 * {@code span.start + o ≤ request.start} and {@code request.answered ≤ span.end + o}: each (span, request of its
 * command nearby) pair allows the offsets [answered − end, start − start].
 *
 * <p>Spans are stamped coarser than they are measured: the JavaScript SDK (sdk-trace 2.x) takes a span's start from
 * {@code Date.now()} — whole milliseconds, rounded down — and its end as start + a precise duration, so each span is
 * shifted earlier by its own δ ∈ [0, 1 ms). The quantum q is read from the spans (all starts whole ms → 1 ms), and
 * the resource's offsets are a range [o, o + q): the base o is where the most spans have some pair, each pair's
 * interval widened by q — a sweep over those intervals; where several places have that many, their hull, so that the
 * tolerance covers them all.
 */
final class SpanClock {
    /** The largest offset looked for: further apart, the spans are reported as not linked (no request near them). */
    static final long WINDOW_NS = 20_000_000;
    /** Added to the estimate's own uncertainty: timestamps of one machine taken µs apart still differ by rounding. */
    static final long SLACK_NS = 20_000;
    /**
     * Spans used for the estimate, spread over the resource's spans: every one up to this many (one left out may need
     * an offset the others do not show), bounded whatever the file.
     */
    static final int SAMPLE = 50_000;
    /** Requests per span considered for the estimate, the nearest to it. */
    static final int PER_SPAN = 64;

    /**
     * The spans' offsets lie in [offsetNs − toleranceNs, offsetNs + quantumNs + toleranceNs].
     *
     * @param spans  spans the estimate used; {@code fitted} of them have a request at the offset
     */
    record Estimate(long offsetNs, long toleranceNs, long quantumNs, long spans, long fitted) {
        /** Whether a span may be at offsets [a, b] (its pair with a request) under this estimate. */
        boolean allows(long a, long b) { return a <= b && a <= offsetNs + quantumNs + toleranceNs && b >= offsetNs - toleranceNs; }

        /** The offset of a pair [a, b] under this estimate: the middle of what both allow. */
        long pick(long a, long b) {
            long lo = Math.max(a, offsetNs - toleranceNs), hi = Math.min(b, offsetNs + quantumNs + toleranceNs);
            return lo <= hi ? lo + (hi - lo) / 2 : offsetNs + quantumNs / 2;
        }
    }

    private SpanClock() {}

    /** The granularity of the spans' start times: 1 ms when all are whole milliseconds, 1 µs when whole µs, else 0. */
    static long quantum(List<ClientSpan> spans) {
        if (spans.size() < 2) return 0;
        boolean ms = true, us = true;
        for (var s : spans) {
            ms &= s.start() % 1_000_000 == 0;
            us &= s.start() % 1_000 == 0;
        }
        return ms ? 1_000_000 : us ? 1_000 : 0;
    }

    /**
     * @param candidates for the span at a position of {@code spans}: the requests of its command within ±WINDOW_NS of
     *                   it (any offset)
     */
    static Estimate estimate(List<ClientSpan> spans, IntFunction<List<Req>> candidates) {
        int n = spans.size();
        long q = quantum(spans);
        if (n == 0) return new Estimate(0, SLACK_NS, q, 0, 0);
        int step = Math.max(1, (n + SAMPLE - 1) / SAMPLE);
        // Interval endpoints packed in one long each, sorted as primitives: (position + 2^30) << 23 | close << 22 |
        // span number (positions are within ±(WINDOW_NS + q), spans fewer than 2^22).
        var ends = new long[1024];
        int count = 0, used = 0;
        var near = new ArrayList<Req>();
        for (int i = 0; i < n; i += step, used++) {
            var s = spans.get(i);
            near.clear();
            near.addAll(candidates.apply(i));
            // The requests nearest the span's start: the one that served it is among them unless the server runs
            // more than PER_SPAN of that command in the window around it.
            if (near.size() > PER_SPAN) {
                near.sort((x, y) -> Long.compare(Math.abs(x.start() - s.start()), Math.abs(y.start() - s.start())));
                near.subList(PER_SPAN, near.size()).clear();
            }
            for (var g : near) {
                long a = g.answered() - s.end(), b = g.start() - s.start();
                if (a > b) continue;
                a = Math.max(a - q, -WINDOW_NS - q);  // base o with o + δ in [a, b] for some δ in [0, q)
                b = Math.min(b, WINDOW_NS);
                if (a > b) continue;
                if (count + 2 > ends.length) ends = Arrays.copyOf(ends, ends.length * 2);
                ends[count++] = pack(a, 0, used);
                ends[count++] = pack(b, 1, used);
            }
        }
        if (count == 0) return new Estimate(0, SLACK_NS, q, used, 0);
        Arrays.sort(ends, 0, count); // opens before closes at one position: touching intervals overlap
        // The most spans covered at once, then the hull of every place that many are: the offset is somewhere there.
        var active = new int[used];
        int covered = 0, best = 0;
        for (int k = 0; k < count; k++) {
            int sp = (int) (ends[k] & SPAN_MASK);
            if ((ends[k] & CLOSE) == 0) { if (active[sp]++ == 0) best = Math.max(best, ++covered); }
            else if (--active[sp] == 0) covered--;
        }
        Arrays.fill(active, 0);
        covered = 0;
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (int k = 0; k < count; k++) {
            int sp = (int) (ends[k] & SPAN_MASK);
            long pos = position(ends[k]);
            if ((ends[k] & CLOSE) == 0) {
                if (active[sp]++ == 0 && ++covered == best) lo = Math.min(lo, pos);
            } else {
                if (covered == best) hi = Math.max(hi, pos);
                if (--active[sp] == 0) covered--;
            }
        }
        return new Estimate(lo + (hi - lo) / 2, (hi - lo) / 2 + SLACK_NS, q, used, best);
    }

    private static final long CLOSE = 1L << 22, SPAN_MASK = CLOSE - 1, BIAS = 1L << 30;

    private static long pack(long position, int close, int span) {
        return ((position + BIAS) << 23) | ((long) close << 22) | span;
    }

    private static long position(long packed) { return (packed >>> 23) - BIAS; }
}
