package kvscope.cli.export;

import io.opentelemetry.proto.trace.v1.Span;
import kvscope.cli.testing.Cli;
import kvscope.fixtures.SampleTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.Collectors;

import static kvscope.fixtures.SampleTraces.us;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `kvscope export` with the services: one trace per incoming HTTP request, the services' spans in it, and the Redis
 * request each Redis call caused under that call, with its phases.
 */
class ExportServicesTest {
    private static final int REQUESTS = 5;

    private static Path trace(Path dir) { return SampleTraces.usersThroughGateway(dir.resolve("trace"), REQUESTS); }

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
