package kvscope.analysis;

import kvscope.analysis.services.ServicesFile;
import kvscope.analysis.services.SpanKind;
import kvscope.analysis.sync.Verdict;
import kvscope.fixtures.RedisTraceWriter;
import kvscope.fixtures.ServicesTraceWriter;
import kvscope.fixtures.ServicesTraceWriter.Conn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The services combined across host models (docs/combine.md), on written traces: host-r a Redis, host-s a service
 * calling it whose clock is 0.6 ms ahead and which has no bus link — only its Redis calls can put it on host-r's time.
 * The combination of the two hosts' models equals the one-go analysis of both traces: the clocks (host-s accurate, as
 * in one go; without the services' state in pairs.bin it was none), each call's request, the joins' counts. (The real
 * processes across network namespaces: cli's ServiceHostsTest.)
 */
class CombinedServicesTest {
    static final long SKEW_NS = 600_000;
    static final int CALLS = 400;
    @TempDir Path tmp;

    @Test void serviceHostCombinedEqualsOneGo() throws IOException {
        var exp = tmp.resolve("experiment");
        write(exp);
        for (var h : List.of("host-r", "host-s")) {
            try (var s = Analysis.analyze(List.of(exp.resolve(h)), Analysis.Options.defaults().withCache(tmp.resolve("models").resolve(h)))) {
                assertTrue(Files.size(s.dir().resolve(Analysis.PAIRS)) > 0);
            }
        }
        try (var one = Analysis.analyze(List.of(exp), Analysis.Options.defaults());
             var all = Analysis.analyze(List.of(tmp.resolve("models")), Analysis.Options.defaults())) {
            var s = all.clocks().hosts().stream().filter(h -> h.host().equals("host-s")).findFirst().orElseThrow();
            assertEquals(Verdict.ACCURATE, s.verdict(), s.toString());
            assertTrue(Math.abs(s.offsetNs() + SKEW_NS) <= s.boundNs(), s.toString());
            assertEquals(one.clocks(), all.clocks());
            assertEquals(one.services().stats(), all.services().stats());
            assertEquals((long) CALLS, all.services().stats().get("redis calls linked"));
            assertEquals(links(one), links(all));
        }
        // A pairs.bin cut inside the services' state: refused with what to do, not an index error.
        var pairs = tmp.resolve("models").resolve("host-s").resolve(Analysis.PAIRS);
        var bytes = Files.readAllBytes(pairs);
        Files.write(pairs, Arrays.copyOf(bytes, bytes.length - 1000));
        var e = assertThrows(IOException.class, () -> Analysis.analyze(List.of(tmp.resolve("models")),
                Analysis.Options.defaults().withForce(true)).close());
        assertTrue(e.getMessage().contains("cut short or damaged") && e.getMessage().contains("--force"), e.getMessage());
    }

    /** Each Redis call (service, start) → its request (server, client, command start), on the combined time line. */
    private static Map<String, String> links(Stored s) throws IOException {
        ServicesFile f = s.services();
        var out = new TreeMap<String, String>();
        for (long i = 0; i < f.count(); i++) {
            if (f.kind(i) != SpanKind.REDIS) continue;
            var g = f.link(i) < 0 ? null : s.segments().get(f.link(i));
            out.put(f.service(i) + " " + f.start(i), g == null ? "-" : s.segments().servers().get(g.server()) + " "
                    + g.clientId() + " " + g.commandStart());
        }
        assertEquals(CALLS, out.size());
        return out;
    }

    private static void write(Path exp) {
        long t0 = RedisTraceWriter.T0 + 10_000_000;
        var conn = new Conn[4];
        for (int k = 0; k < conn.length; k++) conn[k] = new Conn("10.0.0.2", 40_000 + k, "10.0.0.1", 6379);
        try (var r = new ServicesTraceWriter(exp.resolve("host-r"), "host-r", 100)) {
            r.serverInfo(t0 - 5_000_000, 6379);
            for (int k = 0; k < conn.length; k++) r.accept(t0 - 4_000_000 + k, 10 + k, k + 1, conn[k]);
            for (int i = 0; i < CALLS; i++) {
                long t = t0 + i * 50_000L;
                r.request(10 + i % 4, i % 4 + 1, "get", t + 2_000, t + 3_000, t + 4_000, t + 5_000, t + 6_000, t + 7_000,
                        t + 8_000, t + 9_000);
            }
        }
        try (var s = new ServicesTraceWriter(exp.resolve("host-s"), "host-s", 900)) {
            for (int i = 0; i < CALLS; i++) {
                long t = t0 + i * 50_000L + SKEW_NS;
                s.receive(t - 2_000, 300, "api", i + 1, "GET", "/items/:id", new Conn("10.0.0.3", 50_000 + i, "10.0.0.2", 8080));
                s.redisSend(t, 300, "api", i + 1, conn[i % 4], "get", 1);
                s.redisReply(t + 11_000, 300, "api", conn[i % 4], 1);
                s.respond(t + 13_000, 300, "api", i + 1, 200, "/items/:id");
            }
        }
    }
}
