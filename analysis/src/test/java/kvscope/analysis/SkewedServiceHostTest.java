package kvscope.analysis;

import kvscope.analysis.sync.Verdict;
import kvscope.fixtures.RedisTraceWriter;
import kvscope.fixtures.ServicesTraceWriter;
import kvscope.fixtures.ServicesTraceWriter.Conn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service host whose clock is 3.7 ms off Redis's host (beyond the linker's 1 ms slack) calling Redis on pooled
 * connections made before the recording (Redis's snapshot names them), on which Redis processed commands before the
 * first call the agent saw (issue #16 §2). Which request is which call must not depend on the clocks, which the first
 * pass does not know yet: calls irregularly spaced fit their requests at one place only, and the estimate from them
 * holds the truth; calls at a regular pace fit at several places, which is said and kept out of the estimate — never
 * an estimate tight and wrong (before: "accurate" at −0.98 ms ± 5 µs for +3.7 ms).
 */
class SkewedServiceHostTest {
    static final long SKEW_NS = 3_700_000;
    static final int CALLS = 400, CONNS = 4, BEFORE = 5;
    static final String AMBIGUOUS = "redis connections whose calls fit Redis's requests at several places (kept out of the clock estimate)";
    @TempDir Path tmp;

    @Test void aheadIrregularCallsLinkedAndEstimateHoldsTruth() throws IOException { irregular(SKEW_NS); }

    @Test void behindIrregularCallsLinkedAndEstimateHoldsTruth() throws IOException { irregular(-SKEW_NS); }

    @Test void regularCallsSaidAmbiguousNeverATightWrongEstimate() throws IOException {
        for (long skew : new long[] {SKEW_NS, -SKEW_NS}) {
            var exp = tmp.resolve("regular" + skew);
            write(exp, skew, false);
            try (var one = Analysis.analyze(List.of(exp), Analysis.Options.defaults())) {
                var s = one.clocks().hosts().stream().filter(h -> h.host().equals("host-s")).findFirst().orElseThrow();
                assertEquals(CONNS, one.services().stats().get(AMBIGUOUS), one.services().stats().toString());
                assertTrue(s.verdict() == Verdict.NONE || Math.abs(s.offsetNs() + skew) <= s.boundNs(), skew + ": " + s);
            }
        }
    }

    private void irregular(long skew) throws IOException {
        var exp = tmp.resolve("experiment");
        write(exp, skew, true);
        try (var one = Analysis.analyze(List.of(exp), Analysis.Options.defaults())) {
            var stats = one.services().stats();
            var s = one.clocks().hosts().stream().filter(h -> h.host().equals("host-s")).findFirst().orElseThrow();
            assertEquals(Verdict.ACCURATE, s.verdict(), s + " " + stats);
            assertTrue(Math.abs(s.offsetNs() + skew) <= s.boundNs(), s.toString());
            assertEquals((long) CALLS, stats.get("redis calls linked"), stats.toString());
            assertEquals(0L, stats.get("redis links outside their call"), stats.toString());
            assertEquals(0L, stats.get("redis links by order with another command"), stats.toString());
            assertEquals(0L, stats.get(AMBIGUOUS), stats.toString());
            // Each host's model on its own, combined: the same joins and clocks (the hosts told apart by their ranges).
            for (var h : List.of("host-r", "host-s")) {
                Analysis.analyze(List.of(exp.resolve(h)), Analysis.Options.defaults().withCache(tmp.resolve("models").resolve(h))).close();
            }
            try (var all = Analysis.analyze(List.of(tmp.resolve("models")), Analysis.Options.defaults())) {
                assertEquals(one.clocks(), all.clocks());
                assertEquals(stats, all.services().stats());
            }
        }
    }

    /**
     * host-r: Redis, its snapshot naming the connections, and the requests of calls at one pace: {@link #BEFORE} on
     * each connection before the service's first call the agent saw, then one per call, then {@link #BEFORE} more
     * after its last (its trace ended first); host-s: the service, {@code skew} ahead. Irregular: the calls 0–40 µs
     * off a 50 µs pace (a call takes 11 µs, Redis's part of it 2 µs, so a call paired with another call's request
     * admits no common offset); regular: on it, so that shifting all pairs by one admits one as well.
     */
    private static void write(Path exp, long skew, boolean irregular) {
        long t0 = RedisTraceWriter.T0 + 20_000_000;
        var conn = new Conn[CONNS];
        for (int k = 0; k < CONNS; k++) conn[k] = new Conn("10.0.0.2", 40_000 + k, "10.0.0.1", 6379);
        int extra = BEFORE * CONNS;
        var at = new long[CALLS + 2 * extra];
        for (int i = -extra; i < CALLS + extra; i++) at[i + extra] = t0 + i * 50_000L + (irregular ? Math.floorMod(i * 7919L, 41) * 1_000 : 0);
        try (var r = new ServicesTraceWriter(exp.resolve("host-r"), "host-r", 100)) {
            r.serverInfo(t0 - 5_000_000, 6379);
            for (int k = 0; k < CONNS; k++) {
                var c = conn[k];
                r.redis(t0 - 4_000_000 + k, "snapshot_client", "seq", 1L, "fd", 10 + k, "id", (long) k + 1, "type", "client",
                        "inbound", 1, "peer_addr", c.src(), "peer_port", c.srcPort(), "local_port", c.dstPort());
            }
            for (int i = -extra; i < CALLS + extra; i++) {
                long t = at[i + extra];
                int k = Math.floorMod(i, CONNS);
                r.request(10 + k, k + 1, "get", t + 2_000, t + 3_000, t + 4_000, t + 5_000, t + 6_000, t + 7_000,
                        t + 8_000, t + 9_000);
            }
        }
        try (var s = new ServicesTraceWriter(exp.resolve("host-s"), "host-s", 900)) {
            for (int i = 0; i < CALLS; i++) {
                long t = at[i + extra] + skew;
                s.receive(t - 2_000, 300, "api", i + 1, "GET", "/items/:id", new Conn("10.0.0.3", 50_000 + i, "10.0.0.2", 8080));
                s.redisSend(t, 300, "api", i + 1, conn[i % CONNS], "get", 1);
                s.redisReply(t + 11_000, 300, "api", conn[i % CONNS], 1);
                s.respond(t + 13_000, 300, "api", i + 1, 200, "/items/:id");
            }
        }
    }
}
