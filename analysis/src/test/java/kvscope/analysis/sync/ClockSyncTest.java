package kvscope.analysis.sync;

import kvscope.analysis.Analysis;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.report.Report;
import kvscope.analysis.report.TextReport;
import kvscope.ctf.Trace;
import kvscope.fixtures.SkewedCluster;
import kvscope.fixtures.SkewedCluster.Host;
import kvscope.fixtures.SkewedCluster.Link;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hosts whose clocks are wrong by a known amount (SkewedCluster): the estimate must hold the truth within the bound
 * it reports, the bound must be tight enough to mean something, and the model built afterwards must have every
 * arrow forward in time.
 */
class ClockSyncTest {
    @TempDir Path dir;

    private static Map<String, HostClock> byHost(Clocks c) {
        return c.hosts().stream().collect(Collectors.toMap(HostClock::host, Function.identity()));
    }

    /** The true time of every reading of h's clock within the trace lies within ± bound of the corrected reading. */
    private static void assertTruthInside(Host h, HostClock c) {
        assertTrue(c.bounded(), c.toString());
        for (long k = 0; k <= 20; k++) {
            long reading = h.clock(T0 + k * SkewedCluster.SPAN_NS / 20);
            double err = c.fix().apply(reading) - h.truth(reading);
            assertTrue(Math.abs(err) <= c.boundNs(), h + ": error " + err + " ns outside ±" + c.boundNs() + " at " + k);
        }
        // The drift: the host's clock runs 1 + drift times true time, so the correction's slope is 1/(1+drift) − 1.
        double trueDrift = (1 / (1 + h.drift()) - 1) * 1e6;
        assertTrue(Math.abs(c.driftPpm() - trueDrift) <= c.driftBoundPpm() + 1e-9,
                h + ": drift " + c.driftPpm() + " ppm, true " + trueDrift + " ± " + c.driftBoundPpm());
    }

    @Test void offsetAndDriftInsideTheBoundAndEveryArrowForward() throws Exception {
        var a = new Host("node-a", 0, 0);
        var b = new Host("node-b", -3_700_000, 50e-6);
        long publishes = SkewedCluster.write(dir, List.of(a, b), List.of(new Link(0, 1, false)), 1);
        // Without synchronisation, messages to node-b would arrive before they were sent.
        var pairsUnsynced = new ClockSync();
        try (var t = Trace.open(dir)) {
            var bus = new BusPairs(t);
            for (var e : t) bus.accept(e);
            bus.into(pairsUnsynced);
        }
        assertTrue(pairsUnsynced.backwards() > 100, "unsynchronised, messages to node-b arrive before they leave");
        var clocks = Clocks.estimate(List.of(dir));
        var m = byHost(clocks);
        assertEquals(Verdict.REFERENCE, m.get("node-a").verdict());
        var cb = m.get("node-b");
        assertEquals(Verdict.ACCURATE, cb.verdict(), cb.toString());
        assertTruthInside(b, cb);
        // Delays of 50–400 µs each way: the bound is far below the skew it corrects.
        assertTrue(cb.boundNs() < 400_000, "bound " + cb.boundNs());
        assertTrue(cb.pairs() > 300, "pairs " + cb.pairs());

        var cache = dir.resolve("cache");
        try (var stored = Analysis.analyze(List.of(dir), Analysis.Options.defaults().withCache(cache))) {
            assertEquals(2, stored.clocks().hosts().size());
            assertEquals(cb.fix(), stored.clocks().hosts().get(1).fix());
            long[] bus = {0}, backwards = {0};
            stored.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sf, st, ds, df, dt) -> {
                if (dt < st) backwards[0]++;
                if (kind == Flow.Hop.BUS) bus[0]++;
            });
            assertEquals(0, backwards[0], "arrows going backwards after synchronisation");
            assertEquals(publishes, bus[0], "every publish crossing the bus has its arrow");
            var text = new StringWriter();
            TextReport.write(Report.of(stored), new PrintWriter(text));
            assertTrue(text.toString().contains("== clocks of 2 hosts"), text.toString());
            var line = text.toString().lines().filter(l -> l.trim().startsWith("node-b")).findFirst().orElseThrow();
            assertTrue(line.contains("accurate") && line.contains("±") && line.contains("ppm"), line);
        }
    }

    @Test void chainedAcrossHostsAndAHostWithoutPairs() throws Exception {
        var a = new Host("node-a", 0, 0);
        var b = new Host("node-b", 1_200_000, -30e-6);
        var c = new Host("node-c", 30_000_000_000L, 20e-6); // 30 s ahead: a skew far larger than the 2 s trace
        var d = new Host("node-d", 5_000_000, 0);
        SkewedCluster.write(dir, List.of(a, b, c, d), List.of(new Link(0, 1, false), new Link(2, 1, false)), 2);
        var m = byHost(Clocks.estimate(List.of(dir)));
        assertEquals(Verdict.ACCURATE, m.get("node-c").verdict());
        assertEquals(List.of("node-a", "node-b", "node-c"), m.get("node-c").path());
        assertTruthInside(b, m.get("node-b"));
        assertTruthInside(c, m.get("node-c"));
        var none = m.get("node-d");
        assertEquals(Verdict.NONE, none.verdict());
        assertTrue(none.fix().isNone() && !none.bounded() && none.pairs() == 0);
    }

    @Test void pairsInOneDirectionOnlyGiveTheLeastShiftThatKeepsArrowsForward() throws Exception {
        var a = new Host("node-a", 0, 0);
        var b = new Host("node-b", -3_700_000, 0);
        SkewedCluster.write(dir, List.of(a, b), List.of(new Link(0, 1, true)), 3);
        var cb = byHost(Clocks.estimate(List.of(dir))).get("node-b");
        assertEquals(Verdict.ONE_DIRECTION, cb.verdict());
        assertTrue(!cb.bounded());
        // The shift is at least what the true skew's direction needs minus the longest delay (400 µs) and no more
        // than the true skew: messages a→b say "b is at least this far behind", never "at most".
        assertTrue(cb.offsetNs() >= 3_700_000 - 450_000 && cb.offsetNs() <= 3_700_000, "offset " + cb.offsetNs());
        try (var stored = Analysis.analyze(List.of(dir), Analysis.Options.defaults().withCache(dir.resolve("cache")))) {
            long[] backwards = {0};
            stored.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sf, st, ds, df, dt) -> {
                if (dt < st) backwards[0]++;
            });
            assertEquals(0, backwards[0]);
        }
    }
}
