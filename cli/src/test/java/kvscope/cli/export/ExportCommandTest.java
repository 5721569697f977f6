package kvscope.cli.export;

import io.opentelemetry.proto.trace.v1.Span;
import kvscope.cli.testing.Cli;
import kvscope.fixtures.SampleTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `kvscope export`'s arguments and what it writes for a trace whose every state is known. */
class ExportCommandTest {

    @Test
    void writesTheTwoRequestsOfASmallTraceAsSpansWithTheirPhases(@TempDir Path dir) throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("t"));
        var out = dir.resolve("spans.json");
        var r = Cli.run("export", trace.toString(), "--format", "otlp", "-o", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("2 requests");
        var otlp = OtlpCheck.read(out);
        var requests = otlp.spans().stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).toList();
        assertThat(requests).extracting(Span::getName).containsExactlyInAnyOrder("SET", "GET");
        assertThat(requests).allSatisfy(s -> {
            assertThat(OtlpCheck.attr(s, "server.address")).isEqualTo("h1");
            assertThat(OtlpCheck.attr(s, "server.port")).isEqualTo("6379");
            assertThat(OtlpCheck.attr(s, "network.peer.address")).isEqualTo("127.0.0.1");
            assertThat(OtlpCheck.attr(s, "network.peer.port")).isEqualTo("50000");
        });
        var set = requests.stream().filter(s -> s.getName().equals("SET")).findFirst().orElseThrow();
        var phases = otlp.spans().stream().filter(s -> s.getParentSpanId().equals(set.getSpanId()))
                .map(Span::getName).toList();
        assertThat(phases).contains("reading", "executing", "writing");

        var json = dir.resolve("perfetto.json");
        r = Cli.run("export", trace.toString(), "--format", "perfetto", "-o", json.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        var stats = TraceEventCheck.read(json);
        assertThat(stats.processes()).containsValue("redis h1:6379");
    }

    @Test
    void refusesAnUnknownServerAndAnEmptyRangeSayingWhatExists(@TempDir Path dir) {
        var trace = SampleTraces.twoRequests(dir.resolve("t")).toString();
        var r = Cli.run("export", trace, "--format", "otlp", "--server", "h9:1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no server h9:1").contains("h1:6379");
        r = Cli.run("export", trace, "--format", "perfetto", "--from", "+2s", "--to", "+1s");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--from +2s is after --to +1s");
        r = Cli.run("export", trace);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--format");
    }

    @Test
    void writesToStandardOutputWithoutProgress(@TempDir Path dir) {
        var trace = SampleTraces.twoRequests(dir.resolve("t")).toString();
        var r = Cli.run("export", trace, "--format", "otlp");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("{\"resourceSpans\":[");
    }
}
