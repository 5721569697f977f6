package kvscope.analysis.otel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the streaming reader keeps of a document: whole documents only, whatever order its fields come in. */
class OtlpSpanReaderTest {
    private static String span(String id, String cmd) {
        return "{\"traceId\":\"0000000000000000000000000000000" + id.charAt(id.length() - 1) + "\",\"spanId\":\"" + id
                + "\",\"name\":\"" + cmd + "\",\"kind\":3,\"startTimeUnixNano\":\"1000\",\"endTimeUnixNano\":\"2000\","
                + "\"attributes\":[{\"key\":\"db.system\",\"value\":{\"stringValue\":\"redis\"}},"
                + "{\"key\":\"db.statement\",\"value\":{\"stringValue\":\"" + cmd + " " + "k".repeat(400) + "\"}},"
                + "{\"key\":\"server.port\",\"value\":{\"intValue\":\"6379\"}}]}";
    }

    @Test
    void aLineGarbledHalfWayKeepsNoneOfItsSpansAndTheResourceMayComeAfterThem(@TempDir Path dir) throws Exception {
        var f = dir.resolve("s.json");
        Files.writeString(f, String.join("\n",
                // the resource after its spans (JSON objects are unordered)
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + span("00000000000000a1", "set") + "]}],"
                        + "\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"shop\"}}]}}]}",
                "",
                // a span read, then the line breaks off: nothing of it is kept
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + span("00000000000000a2", "get") + ",{\"traceId\": tru",
                "[1, 2]",
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + span("00000000000000a3", "get") + "]}]}]}") + "\n");
        var r = OtlpSpanReader.read(List.of(f));
        assertThat(r.spans()).extracting(ClientSpan::spanId).containsExactly("00000000000000a1", "00000000000000a3");
        var first = r.spans().get(0);
        assertThat(first.service()).isEqualTo("shop");
        assertThat(first.resource()).isEqualTo("service.name=shop");
        assertThat(first.where()).isEqualTo(f + ":1 span 00000000000000a1");
        assertThat(first.statement()).hasSize(OtlpSpanReader.MAX_STATEMENT + 1).endsWith("…");
        assertThat(r.spans().get(1).resource()).isEqualTo("(no resource attributes)");
        assertThat(r.documents()).isEqualTo(2);
        assertThat(r.spansSeen()).isEqualTo(2);
        assertThat(r.unusable().count("garbled lines (not JSON; the other lines were read)")).isEqualTo(1);
        assertThat(r.unusable().count("JSON documents that are not OTLP trace data (no resourceSpans array)")).isEqualTo(1);
        assertThat(r.unusable().all()).filteredOn(x -> x.what().startsWith("garbled")).singleElement()
                .satisfies(x -> assertThat(x.examples().get(0)).startsWith(f + ":3: "));
    }

    @Test
    void spansPastTheCapAreCountedWithWhere(@TempDir Path dir) throws Exception {
        var f = dir.resolve("s.json");
        Files.writeString(f, "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + span("00000000000000b1", "set") + ","
                + span("00000000000000b2", "get") + "," + span("00000000000000b3", "get") + "]}]}]}\n");
        var r = OtlpSpanReader.read(List.of(f), 2);
        assertThat(r.spans()).hasSize(2);
        assertThat(r.unusable().all()).filteredOn(x -> x.what().equals(OtlpSpanReader.OVER)).singleElement()
                .satisfies(x -> {
                    assertThat(x.count()).isEqualTo(1);
                    assertThat(x.examples()).containsExactly(f + ":1 span 00000000000000b3");
                });
    }
}
