package kvscope.analysis.views;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.fixtures.SyntheticRedis;
import kvscope.statesystem.History;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Sampled} against the definition of a scan at a resolution: for each sample time (t0 + k·step ≤ t1, and t1),
 * the interval holding it — asked of the history one point query at a time — listed once, in time order. On a
 * synthetic model with thousands of intervals per attribute, at random ranges, resolutions and splits.
 */
class SampledTest {
    @TempDir static Path dir;
    static Stored stored;
    static History h;

    @BeforeAll
    static void analyse() throws IOException {
        var trace = dir.resolve("trace");
        SyntheticRedis.generate(trace, 60_000, 12, 5);
        stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults());
        h = stored.history();
    }

    @AfterAll
    static void close() throws IOException { stored.close(); }

    /** Start, end and text of each non-null interval holding a sample, by point queries. */
    private static List<String> expected(int q, long t0, long t1, long step) {
        var out = new ArrayList<String>();
        if (t0 > t1) return out;
        long lastStart = Long.MIN_VALUE;
        for (long k = 0; ; k++) {
            long t = t0 + k * step;
            if (t > t1) t = t1;
            var s = h.at(t, q);
            if (s != null && !s.isNull() && s.start() != lastStart) {
                out.add(s.start() + ".." + s.end() + " " + s.value());
                lastStart = s.start();
            }
            if (t == t1) return out;
        }
    }

    private static List<String> actual(Sampled.Buf b) {
        var out = new ArrayList<String>();
        for (int i = 0; i < b.size; i++) out.add(b.start(i) + ".." + b.end(i) + " " + b.text(i));
        return out;
    }

    @Test
    void holdsTheIntervalOfEverySampleOnceInTimeOrderWhateverTheSplit() {
        int[] statuses = h.match("*", "Connections", "*", "Status");
        int[] phases = h.match("*", "EventLoop", "*");
        assertThat(statuses).hasSizeGreaterThan(5);
        var quarks = new int[statuses.length + phases.length + 1];
        System.arraycopy(statuses, 0, quarks, 0, statuses.length);
        System.arraycopy(phases, 0, quarks, statuses.length, phases.length);
        quarks[quarks.length - 1] = statuses[0]; // asked twice: filed once
        long start = h.start(), end = h.end(), span = end - start;
        var rnd = new SplittableRandom(11);
        int checked = 0;
        for (int round = 0; round < 40; round++) {
            long t0 = round == 0 ? start : start - span / 10 + (long) (rnd.nextDouble() * span);
            long t1 = round == 0 ? end : t0 + (long) (rnd.nextDouble() * span * Math.pow(10, -rnd.nextInt(4)));
            t0 = Math.max(0, t0);
            int n = 1 + rnd.nextInt(round % 3 == 0 ? 5000 : 300);
            long step = new Query(t0, t1, n).step();
            int parts = 1 + rnd.nextInt(4);
            try (var s = Sampled.scan(h, quarks, quarks.length, t0, t1, step, parts)) {
                for (int q : quarks) {
                    // The history moves a t0 before its start to the first sample at or after it.
                    long first = t0 < start ? t0 + (start - t0 + step - 1) / step * step : t0;
                    var want = expected(q, first, Math.min(t1, end), step);
                    assertThat(actual(s.of(q))).as("quark %d over [%d, %d] step %d in %d parts", q, t0, t1, step, parts)
                            .isEqualTo(want);
                    checked += want.size();
                }
            }
        }
        assertThat(checked).as("intervals compared").isGreaterThan(10_000);
    }
}
