package kvscope.analysis.sync;

import kvscope.ctf.ClockFix;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The services' pairs as ServicePairs keeps them: many more than the cap between two hosts are thinned evenly and
 * still give an estimate whose bound holds the truth; times handed back to a host's own clock are the ones it read.
 */
class ServicePairsTest {
    static final long T0 = 1_796_400_000_000_000_000L;

    @Test void pairsBeyondTheCapAreThinnedEvenlyAndTheTruthStaysInsideTheBound() {
        // svc's clock reads true + 3.7 ms + 50 ppm·(true − T0); a call every 20 µs over 12 s, 20–400 µs each way.
        long skew = 3_700_000;
        double drift = 50e-6;
        var rnd = new Random(5);
        var pairs = new ServicePairs();
        int calls = 600_000;
        for (int i = 0; i < calls; i++) {
            long sent = T0 + i * 20_000L;
            long read = sent + 20_000 + rnd.nextInt(380_000);
            long written = read + 5_000;
            long replied = written + 20_000 + rnd.nextInt(380_000);
            pairs.add(PairKind.REDIS, "svc", svc(sent, skew, drift), "redis", read);
            pairs.add(PairKind.REDIS, "redis", written, "svc", svc(replied, skew, drift));
        }
        assertTrue(pairs.size() <= 2L * ServicePairs.MAX_PER_DIRECTION, "kept " + pairs.size());
        assertEquals(2L * calls, pairs.size() + pairs.thinned());
        var sync = new ClockSync();
        pairs.into(sync);
        var c = sync.solve().stream().filter(h -> h.host().equals("svc")).findFirst().orElseThrow();
        assertEquals(Verdict.ACCURATE, c.verdict(), c.toString());
        assertEquals(pairs.size(), c.pairsByKind().get("redis calls"));
        assertEquals("redis calls " + String.format(Locale.ROOT, "%,d", pairs.size()), c.pairsText());
        for (int k = 0; k <= 10; k++) {
            long truth = T0 + k * (calls * 20_000L / 10);
            double err = c.fix().apply(svc(truth, skew, drift)) - truth;
            assertTrue(Math.abs(err) <= c.boundNs(), "error " + err + " outside ±" + c.boundNs() + " at " + k + ": " + c);
        }
        assertTrue(c.boundNs() < 40_000, "a bound that says something: " + c);
    }

    private static long svc(long truth, long skew, double drift) { return truth + skew + Math.round(drift * (truth - T0)); }

    @Test void rawTimesAreTheOnesTheHostRead() {
        var rnd = new Random(9);
        for (int k = 0; k < 2_000; k++) {
            var fix = new ClockFix(rnd.nextLong(-10_000_000, 10_000_000), (rnd.nextDouble() - 0.5) * 2e-4,
                    T0 + rnd.nextLong(0, 60_000_000_000L));
            long t = T0 + rnd.nextLong(0, 60_000_000_000L);
            long back = ServicePairs.raw(fix, fix.apply(t));
            assertEquals(fix.apply(t), fix.apply(back), fix + " at " + t);
            assertTrue(Math.abs(back - t) <= 1, fix + ": " + t + " came back as " + back);
        }
        assertEquals(T0, ServicePairs.raw(ClockFix.NONE, T0));
    }
}
