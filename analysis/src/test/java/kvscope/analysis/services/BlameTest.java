package kvscope.analysis.services;

import kvscope.analysis.Analysis;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.report.JsonReport;
import kvscope.analysis.report.Report;
import kvscope.analysis.report.TextReport;
import kvscope.fixtures.ServicesTraceWriter;
import kvscope.fixtures.ServicesTraceWriter.Conn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static kvscope.analysis.services.ServicesTest.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The main cause of a route's slow requests, named with its share; routes without a pattern of slowness get none. */
class BlameTest {
    @TempDir Path dir;

    static final Conn RC = new Conn("127.0.0.1", 43000, "127.0.0.1", 6379);

    /**
     * 20 × GET /slow: the gateway calls Redis, whose command executes 50 ms; 20 × GET /fast (1 ms, no call); and
     * GET /hiccup: 40 requests of 1 ms and one of 30 ms spent in the gateway itself (an accident, not a pattern).
     */
    private Path trace() {
        var trace = dir.resolve("trace");
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            w.serverInfo(us(0), 6379);
            w.accept(us(10), 8, 5, RC);
            long t = 1000, span = 1;
            for (int i = 0; i < 20; i++, t += 60_000, span++) {
                var c = new Conn("127.0.0.1", 50000 + i, "127.0.0.1", 3000);
                w.receive(us(t), GATEWAY, "gateway", span, "GET", "/slow", c);
                w.redisSend(us(t + 500), GATEWAY, "gateway", span, RC, "debug", 1);
                w.request(8, 5, "debug", us(t + 400), us(t + 520), us(t + 525), us(t + 530), us(t + 535), us(t + 50_535),
                        us(t + 50_540), us(t + 50_545));
                w.redisReply(us(t + 50_600), GATEWAY, "gateway", RC, 1);
                w.respond(us(t + 51_000), GATEWAY, "gateway", span, 200, "/slow");
            }
            for (int i = 0; i < 61; i++, t += 2000, span++) {
                var c = new Conn("127.0.0.1", 51000 + i, "127.0.0.1", 3000);
                var path = i < 20 ? "/fast" : "/hiccup";
                w.receive(us(t), GATEWAY, "gateway", span, "GET", path, c);
                w.respond(us(t + (i == 30 ? 30_000 : 1000)), GATEWAY, "gateway", span, 200, path);
                if (i == 30) t += 30_000;
            }
        }
        return trace;
    }

    @Test
    void theSlowRouteIsBlamedOnRedisWithItsShareAndTheOthersOnNothing() throws IOException {
        try (var stored = Analysis.analyze(List.of(trace()), Analysis.Options.defaults())) {
            var causes = Blame.causes(stored.services(), Thresholds.DEFAULT.slowHttpNs());
            assertThat(causes).singleElement().satisfies(c -> {
                assertThat(c.route()).isEqualTo("GET /slow");
                assertThat(c.slow()).isEqualTo(20);
                assertThat(c.cause().label()).isEqualTo("Redis executing (debug)");
                assertThat(c.share()).isCloseTo(50.0 / 51.0, within(1e-9));
            });
            var findings = Findings.detect(stored, Thresholds.DEFAULT).stream().filter(f -> f.kind().equals("slow-route")).toList();
            assertThat(findings).singleElement().satisfies(f -> {
                assertThat(f.server()).isEqualTo("gateway");
                assertThat(f.title()).isEqualTo("GET /slow: 20 of 20 requests slower than 20.00 ms, mostly "
                        + "Redis executing (debug) (98.0 % of their time)");
                assertThat(f.view()).isEqualTo("Services");
            });

            var report = Report.of(stored);
            var text = new StringWriter();
            TextReport.write(report, new PrintWriter(text));
            assertThat(text.toString()).contains("== services: 1, 101 spans, 81 requests entered them ==")
                    .contains("where the time went: GET /slow on gateway, its 10 slowest requests")
                    .contains("Redis executing (debug) 500.00 ms 98.0 %")
                    .contains("agent input: every event used and joined");
            var json = new StringWriter();
            JsonReport.write(report, json);
            assertThat(json.toString()).contains("\"services\" : {").contains("\"slowest_parts\" : [")
                    .contains("\"part\" : \"Redis executing (debug)\"");
        }
    }

    @Test
    void oneRequestIsFollowedHopByHop() throws IOException {
        var trace = dir.resolve("one");
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            userRead(w, 0, 1, 10, 20, 30, 5, true);
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var f = stored.services();
            long i = ServicesReport.find(f, GATEWAY + ".1");
            assertThat(i).isEqualTo(entry(f));
            var tree = RequestTree.of(f, stored.segments(), i);
            var out = new StringWriter();
            ServicesText.write(tree, f.start(), new PrintWriter(out));
            assertThat(out.toString()).contains("request 300.1: GET /users/:id on gateway")
                    .contains("Redis executing (get)").contains("redis redisgw get")
                    .contains("h1:6379 fd 8 client 5: queued 10.0 µs, read 10.0 µs, waited 10.0 µs, executed 10.01 ms")
                    .contains("mariadb mysqlgw select");
            assertThat(ServicesReport.find(f, "1.2")).isEqualTo(-1);
            assertThat(ServicesReport.find(f, "nonsense")).isEqualTo(-1);
        }
    }

    @Test
    void slownessSpreadOverEveryHopAndServiceIsNoCause() throws IOException {
        var trace = dir.resolve("spread");
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            long t = 1000;
            for (int i = 0; i < 10; i++, t += 40_000) {
                var load = new Conn("127.0.0.1", 50000 + i, "127.0.0.1", 3000);
                var g = new Conn("127.0.0.1", 41000 + i, "127.0.0.1", 3001);
                // 30 ms: 10 in the gateway, 10 between the two, 10 in the user service.
                w.receive(us(t), GATEWAY, "gateway", 2 * i + 1, "GET", "/spread", load);
                w.call(us(t + 5000), GATEWAY, "gateway", 2 * i + 2, 2 * i + 1, "GET", "/spread", g);
                w.receive(us(t + 10_000), USER, "user", i + 1, "GET", "/spread", g);
                w.respond(us(t + 20_000), USER, "user", i + 1, 200, "/spread");
                w.answered(us(t + 25_000), GATEWAY, "gateway", 2 * i + 2, 2 * i + 1, 200, g);
                w.respond(us(t + 30_000), GATEWAY, "gateway", 2 * i + 1, 200, "/spread");
            }
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var parts = parts(stored.services(), entry(stored.services()));
            assertThat(parts).containsEntry("gateway own time", 10_000_000L).containsEntry("user own time", 10_000_000L)
                    .containsEntry("network (gateway → user)", 10_000_000L);
            assertThat(Blame.causes(stored.services(), Thresholds.DEFAULT.slowHttpNs())).isEmpty();
        }
    }
}
