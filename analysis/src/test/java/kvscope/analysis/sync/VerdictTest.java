package kvscope.analysis.sync;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verdicts the pairs alone decide: too few to bound the drift, contradictory, absent. */
class VerdictTest {
    static final long T = 1_700_000_000_000_000_000L;

    @Test void onePairEachWayBoundsTheOffsetNotTheDrift() {
        var s = new ClockSync();
        s.host("b", T, T + 1_000_000_000);
        // b's clock is 5 ms behind: a→b arrives 100 µs later in true time, b→a likewise.
        s.pair("a", T + 10_000_000, "b", T + 10_000_000 + 100_000 - 5_000_000);
        s.pair("b", T + 20_000_000 - 5_000_000, "a", T + 20_000_000 + 100_000);
        var b = s.solve().get(1);
        assertEquals(Verdict.APPROXIMATE, b.verdict(), b.toString());
        assertEquals(0, b.driftPpm(), 1e-9);
        assertTrue(Math.abs(b.offsetNs() - 5_000_000) <= b.offsetBoundNs(), b.toString());
        assertFalse(Double.isFinite(b.driftBoundPpm()));
    }

    @Test void pairsThatNoLinearClockSatisfiesFail() {
        var s = new ClockSync();
        s.host("b", T, T + 1_000_000);
        // The same instant, a message each way that each arrived before the other was sent: impossible.
        s.pair("a", T + 500_000, "b", T + 100_000);
        s.pair("b", T + 500_000, "a", T + 100_000);
        s.pair("a", T + 600_000, "b", T + 200_000);
        s.pair("b", T + 600_000, "a", T + 200_000);
        var b = s.solve().get(1);
        assertEquals(Verdict.FAIL, b.verdict(), b.toString());
        assertFalse(b.bounded());
    }

    @Test void aHostThatTalkedToNoOneIsNotSynchronisedAndSaysSo() {
        var s = new ClockSync();
        s.pair("a", T, "b", T + 1000);
        s.host("c", T, T + 1000);
        var c = s.solve().get(2);
        assertEquals("c", c.host());
        assertEquals(Verdict.NONE, c.verdict());
        assertTrue(c.fix().isNone());
        assertTrue(c.verdict().text().contains("own clock offset"));
    }
}
