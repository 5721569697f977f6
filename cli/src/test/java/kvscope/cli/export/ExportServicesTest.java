package kvscope.cli.export;

import io.opentelemetry.proto.trace.v1.Span;
import kvscope.cli.testing.Cli;
import kvscope.fixtures.ServicesTraceWriter;
import kvscope.fixtures.ServicesTraceWriter.Conn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.Collectors;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `kvscope export` with the services: one trace per incoming HTTP request, the services' spans in it, and the Redis
 * request each Redis call caused under that call, with its phases.
 */
class ExportServicesTest {
    private static final int REQUESTS = 5;

    static long us(long micros) { return T0 + micros * 1000; }

    /** Five GET /users/:id through gateway (pid 300) → user (301), whose Redis GET executes 10 ms. */
    private static Path trace(Path dir) {
        var trace = dir.resolve("trace");
        var r = new Conn("127.0.0.1", 43000, "127.0.0.1", 6379);
        try (var w = new ServicesTraceWriter(trace, "h1", 100)) {
            w.serverInfo(us(0), 6379);
            w.accept(us(20), 8, 5, r);
            for (int k = 0; k < REQUESTS; k++) {
                long o = k * 20_000L, span = 10L * k + 1;
                var load = new Conn("127.0.0.1", 50000 + k, "127.0.0.1", 3000);
                var g = new Conn("127.0.0.1", 41000 + k, "127.0.0.1", 3001);
                w.receive(us(o + 1000), 300, "gateway", span, "GET", "/users/" + k, load);
                w.call(us(o + 1100), 300, "gateway", span + 1, span, "GET", "/users/" + k, g);
                w.receive(us(o + 1300), 301, "user", span, "GET", "/users/" + k, g);
                w.redisSend(us(o + 1700), 301, "user", span, r, "get", 1);
                w.request(8, 5, "get", us(o + 1500), us(o + 1750), us(o + 1760), us(o + 1770), us(o + 1780), us(o + 11_790),
                        us(o + 11_800), us(o + 11_810));
                w.redisReply(us(o + 11_900), 301, "user", r, 1);
                w.respond(us(o + 12_000), 301, "user", span, 200, "/users/:id");
                w.answered(us(o + 12_100), 300, "gateway", span + 1, span, 200, g);
                w.respond(us(o + 12_200), 300, "gateway", span, 200, "/users/:id");
            }
        }
        return trace;
    }

    @Test
    void eachIncomingRequestIsOneTraceWithTheRedisRequestUnderTheCallThatSentIt(@TempDir Path dir) throws Exception {
        var out = dir.resolve("spans.json");
        var r = Cli.run("export", trace(dir).toString(), "--format", "otlp", "-o", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        var otlp = OtlpCheck.read(out);
        // The findings (the slow GETs) are events of a span of the server's own.
        assertThat(otlp.spans()).filteredOn(s -> s.getName().equals("kvscope findings")).singleElement()
                .satisfies(s -> assertThat(s.getEventsList()).isNotEmpty());
        var byTrace = otlp.spans().stream().filter(s -> !s.getName().equals("kvscope findings")).collect(Collectors.groupingBy(s -> OtlpCheck.hex(s.getTraceId())));
        assertThat(byTrace).as("one trace per GET /users/:id").hasSize(REQUESTS);
        for (var spans : byTrace.values()) {
            var root = spans.stream().filter(s -> s.getParentSpanId().isEmpty()).toList();
            assertThat(root).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
                assertThat(s.getName()).isEqualTo("GET /users/:id");
                assertThat(OtlpCheck.attr(s, "http.response.status_code")).isEqualTo("200");
            });
            var redis = spans.stream().filter(s -> "redis".equals(OtlpCheck.attr(s, "db.system.name"))
                    && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).toList();
            assertThat(redis).as("the Redis request of this HTTP request").singleElement().satisfies(s -> {
                var call = otlp.byId().get(s.getParentSpanId());
                assertThat(call.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
                assertThat(call.getName()).isEqualTo("GET");
                assertThat(OtlpCheck.attr(call, "db.system.name")).isEqualTo("redis");
                assertThat(s.getEndTimeUnixNano() - s.getStartTimeUnixNano()).as("readable → reply written")
                        .isEqualTo(us(11_810) - us(1_750));
            });
            // gateway server, its HTTP call, user server, its Redis call; the Redis request and its six phases.
            assertThat(spans).hasSize(4 + 1 + 6);
        }
        assertThat(otlp.data().getResourceSpansList()).extracting(rs -> rs.getResource().getAttributes(0).getValue().getStringValue())
                .containsExactlyInAnyOrder("redis", "gateway", "user");

        var json = dir.resolve("perfetto.json");
        r = Cli.run("export", trace(dir.resolve("again")).toString(), "--format", "perfetto", "-o", json.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        var stats = TraceEventCheck.read(json);
        assertThat(stats.processes().values()).containsExactlyInAnyOrder("redis h1:6379", "gateway", "user");
        assertThat(stats.async().get("server")).as("HTTP server spans").isEqualTo(2L * REQUESTS);
        assertThat(stats.async().get("redis")).as("Redis calls").isEqualTo(REQUESTS);
    }
}
