package kvscope.statesystem;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The resolution query against the oracle where its arithmetic and its skipping can go wrong: few attributes in
 * small nodes (long groups of many index blocks per node, so the scan jumps blocks; many splits, so core nodes hold
 * gapped records), times near both ends of the long range and negative, samples anchored far before the start
 * ({@code Long.MIN_VALUE}), a last sample at {@code Long.MAX_VALUE}, steps from one tick to more than the range.
 * The expected answer is computed per interval ("does it hold a sample?") with exact arithmetic, independently of
 * the scan's walk over samples.
 */
class ScanPropertiesTest {

    private static final long[] BASES = {1_000, -3_000_000_000L, Long.MIN_VALUE + 1_000, Long.MAX_VALUE - 100_000_000L};

    @Property(tries = 300)
    void scanMatchesTheOracleAtAnyResolutionAndTimeRange(
            @ForAll @IntRange(min = 1, max = 6) int attributes,
            @ForAll @IntRange(min = 100, max = 6000) int ops,
            @ForAll @IntRange(min = 0, max = 3) int base,
            @ForAll @IntRange(min = 2, max = 8) int maxChildren,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed) throws Exception {
        Path dir = Files.createTempDirectory("sht-scan");
        Path file = dir.resolve("h.ht");
        try (var h = History.create(file, new Config(4096, maxChildren))) {
            var s = new Script(h, attributes, ops, seed);
            s.t = BASES[base];
            s.createAttributes();
            s.run(ops / 2);
            var rnd = new Random(seed);
            if (s.o.start != Long.MIN_VALUE) for (int i = 0; i < 20; i++) check(h, s.o, rnd);
            s.run(ops - ops / 2);
            s.close();
            for (int i = 0; i < 20; i++) check(h, s.o, rnd);
            try (var r = History.open(file)) {
                for (int i = 0; i < 20; i++) check(r, s.o, rnd);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    static void check(History h, Oracle o, Random rnd) {
        int count = o.done.size();
        int[] qs = rnd.ints(1 + rnd.nextInt(count), 0, count).toArray();
        long span = o.now - o.start;
        long t0 = switch (rnd.nextInt(5)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> o.start;
            case 2 -> o.start - 1 - rnd.nextInt(10_000);
            default -> o.start + (long) (rnd.nextDouble() * span);
        };
        long t1 = switch (rnd.nextInt(5)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> o.now;
            case 2 -> o.now + 1 + rnd.nextInt(10_000);
            default -> Math.max(t0, o.start + (long) (rnd.nextDouble() * span));
        };
        long step = switch (rnd.nextInt(6)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> span + 1 + rnd.nextInt(1000);
            case 2 -> 1 + rnd.nextInt(50); // about one sample per interval or more: every block decoded
            default -> Math.max(1, span / (1 + rnd.nextInt(3000)));
        };
        if (BigInteger.valueOf(Math.min(t1, o.now)).subtract(BigInteger.valueOf(Math.max(t0, o.start)))
                .divide(BigInteger.valueOf(step)).compareTo(BigInteger.valueOf(200_000)) > 0)
            step = Math.max(1, span / 1000); // keep the expected answer cheap
        var got = new ArrayList<Oracle.Iv>();
        h.scan(qs, t0, t1, step, (q, s, e, kind, l, d, str) -> got.add(new Oracle.Iv(q, s, e, switch (kind) {
            case NULL -> null;
            case INT -> (int) l;
            case LONG -> l;
            case DOUBLE -> d;
            case STRING -> str;
        })));
        String what = "scan " + java.util.Arrays.toString(qs) + " [" + t0 + ", " + t1 + "] step " + step;
        assertThat(new HashSet<>(got)).as(what + ": each interval once").hasSameSizeAs(got);
        assertThat(new HashSet<>(got)).as(what).isEqualTo(expected(o, qs, t0, t1, step));
    }

    /** Every interval of a wanted quark that holds a sample t0 + k·step ≤ t1 or min(t1, end), in exact arithmetic. */
    static Set<Oracle.Iv> expected(Oracle o, int[] qs, long t0, long t1, long step) {
        Set<Oracle.Iv> want = new HashSet<>();
        if (o.start == Long.MIN_VALUE) return want;
        var first = BigInteger.valueOf(t0);
        var st = BigInteger.valueOf(step);
        long hi = Math.min(t1, o.now);
        for (int q : qs) {
            List<Oracle.Iv> ivs = o.intervals(q, t0, t1);
            for (var iv : ivs) {
                long end = iv.end() == State.ONGOING ? o.now : iv.end();
                long lo = Math.max(iv.start(), t0), top = Math.min(end, hi);
                if (lo > top) continue;
                if (top == hi) { // the last sample
                    want.add(iv);
                    continue;
                }
                // the first grid sample ≥ lo: t0 + ceil((lo - t0) / step) · step
                var k = BigInteger.valueOf(lo).subtract(first).add(st).subtract(BigInteger.ONE).divide(st);
                var sample = first.add(k.multiply(st));
                if (sample.compareTo(BigInteger.valueOf(top)) <= 0) want.add(iv);
            }
        }
        return want;
    }
}
