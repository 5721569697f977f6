package kvscope.cli.otel;

import kvscope.analysis.Analysis;
import kvscope.analysis.otel.SpanLink;
import kvscope.analysis.views.Provider;
import kvscope.analysis.views.Tsp;
import kvscope.analysis.views.Views;
import kvscope.cli.testing.Cli;
import kvscope.fixtures.SampleTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static kvscope.fixtures.SampleTraces.us;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `kvscope analyze --spans` on span files users really have: good ones, garbled lines, spans to a server the trace
 * does not hold, files without a Redis span, files that are not there. Nothing crashes; everything is linked or
 * counted with what and where. On {@link SampleTraces#twoRequests}: SET read at 9 µs, reply written at 12.2 µs; GET
 * read at 21.2 µs, reply written at 23.5 µs.
 */
class OwnSpansInputTest {
    private static String span(String id, String op, int port, long start, long end) {
        return "{\"traceId\":\"0123456789abcdef0123456789abcdef\",\"spanId\":\"" + id + "\",\"name\":\"" + op
                + "\",\"kind\":3,\"startTimeUnixNano\":\"" + start + "\",\"endTimeUnixNano\":\"" + end + "\",\"attributes\":["
                + "{\"key\":\"db.system.name\",\"value\":{\"stringValue\":\"redis\"}},"
                + "{\"key\":\"db.operation.name\",\"value\":{\"stringValue\":\"" + op + "\"}},"
                + "{\"key\":\"db.query.text\",\"value\":{\"stringValue\":\"" + op + " k\"}},"
                + "{\"key\":\"server.address\",\"value\":{\"stringValue\":\"127.0.0.1\"}},"
                + "{\"key\":\"server.port\",\"value\":{\"intValue\":\"" + port + "\"}}]}";
    }

    private static String doc(String... spans) {
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"shop\"}}]},"
                + "\"scopeSpans\":[{\"scope\":{\"name\":\"t\"},\"spans\":[" + String.join(",", spans) + "]}]}]}";
    }

    @Test
    void linksGoodSpansAndCountsGarbledLinesAndUnknownServersWithWhere(@TempDir Path dir) throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("trace"));
        var file = dir.resolve("spans.jsonl");
        Files.writeString(file, doc(span("00000000000000a1", "set", 6379, us(8), us(14)))
                + "\n{\"resourceSpans\": [ {\"resource\": garbled\n"
                + doc(span("00000000000000a2", "GET", 6379, us(20), us(25)), span("00000000000000a3", "get", 7000, us(20), us(25)))
                + "\n");
        var r = Cli.run("analyze", trace.toString(), "--spans", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("3 Redis client spans: 2 linked, 0 ambiguous, 1 not linked")
                .contains("garbled lines (not JSON; the other lines were read): 1 (first: " + file + ":2: ")
                .contains("spans to a server not in the trace").contains("127.0.0.1:7000");
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var links = stored.spanLinks().links();
            var seg = stored.segments();
            assertThat(links).filteredOn(l -> l.state() == SpanLink.State.LINKED).extracting(
                    l -> seg.commands().get(seg.get(l.segment()).command())).containsExactlyInAnyOrder("set", "get");
            // The page's table (TSP kvscope.ownspans): every span, in time order, the linked ones beside their request.
            var table = (Provider.Table) Views.of(stored).find("kvscope.ownspans").orElseThrow();
            var t = table.lines(0, 100, null);
            assertThat(t.size()).isEqualTo(3);
            var rows = t.lines().stream().map(l -> l.cells().stream().map(Tsp.Cell::content).toList()).toList();
            assertThat(rows.get(0)).containsSubsequence("LINKED", "1.000", "1", "set", "shop", "00000000000000a1");
            assertThat(rows.get(0).get(10)).as("fd").isEqualTo("8");
            assertThat(Long.parseLong(rows.get(0).get(13))).as("executing: call_command_start 10.5 µs → call_command_end 11.5 µs").isEqualTo(1000);
            assertThat(rows).anySatisfy(row -> assertThat(row).contains("UNLINKED")
                    .anySatisfy(c -> assertThat(c).startsWith("not linked: spans to a server not in the trace")));
        }
        r = Cli.run("report", trace.toString());
        assertThat(r.out()).contains("== your spans").contains("this 6.0 µs SET client span:");
    }

    @Test
    void aFileWithoutRedisSpansSaysSo(@TempDir Path dir) throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("trace"));
        var file = dir.resolve("http.json");
        Files.writeString(file, doc("{\"traceId\":\"0123456789abcdef0123456789abcdef\",\"spanId\":\"00000000000000b1\","
                + "\"name\":\"GET /\",\"kind\":2,\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\",\"attributes\":[]}"));
        var r = Cli.run("analyze", trace.toString(), "--spans", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("0 Redis client spans").contains("WARNING: no Redis client spans in")
                .contains("spans that are not Redis calls (no db.system / db.system.name = redis): 1 (first: " + file + ":1 span 00000000000000b1)");
    }

    @Test
    void notJsonAtAllOrNotThereIsAClearMessage(@TempDir Path dir) throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("trace"));
        var junk = dir.resolve("junk.json");
        Files.write(junk, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0});
        var r = Cli.run("analyze", trace.toString(), "--spans", junk.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("garbled lines (not JSON; the other lines were read): 1 (first: " + junk + ":1: ");
        var other = dir.resolve("other.json");
        Files.writeString(other, "{\"resource_logs\": []}\n");
        r = Cli.run("analyze", trace.toString(), "--spans", other.toString());
        assertThat(r.out()).contains("JSON documents that are not OTLP trace data (no resourceSpans array): 1 (first: " + other + ":1)");
        r = Cli.run("analyze", trace.toString(), "--spans", dir.resolve("missing.json").toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("missing.json: no such span file");
    }

    @Test
    void aSpanThatStartedBeforeTheRecordingIsNotLinkedAndSaysWhy(@TempDir Path dir) throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("trace"));
        var file = dir.resolve("edge.json");
        // Its SET may have been sent before the recording started: the SET in the trace is another span's, perhaps.
        Files.writeString(file, doc(span("00000000000000d1", "set", 6379, us(-5), us(14)), span("00000000000000d2", "get", 6379, us(20), us(25))));
        var r = Cli.run("analyze", trace.toString(), "--spans", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 Redis client spans: 1 linked, 0 ambiguous, 1 not linked")
                .contains("spans at the edge of the recording (started before it or ended after it: their request may "
                        + "not be in the trace): 1 (first: " + file + ":1 span 00000000000000d1");
    }

    @Test
    void theClientsLocalPortNamesTheConnection(@TempDir Path dir) throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("trace"));
        var file = dir.resolve("ports.json");
        // The trace's client is 127.0.0.1:50000: a span from local port 50001 was not served by its requests.
        var local = ",{\"key\":\"network.local.port\",\"value\":{\"intValue\":\"%d\"}}]}";
        Files.writeString(file, doc(span("00000000000000e1", "set", 6379, us(8), us(14)).replace("]}", local.formatted(50000)),
                span("00000000000000e2", "get", 6379, us(20), us(25)).replace("]}", local.formatted(50001))));
        var r = Cli.run("analyze", trace.toString(), "--spans", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 Redis client spans: 1 linked, 0 ambiguous, 1 not linked")
                .contains("spans with no request of their command on their server within their time");
    }

    @Test
    void oneDocumentOverManyLinesIsReadWhole(@TempDir Path dir) throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("trace"));
        var file = dir.resolve("pretty.json");
        Files.writeString(file, doc(span("00000000000000c1", "set", 6379, us(8), us(14))).replace(",", ",\n  "));
        var r = Cli.run("analyze", trace.toString(), "--spans", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 Redis client spans: 1 linked");
    }
}
