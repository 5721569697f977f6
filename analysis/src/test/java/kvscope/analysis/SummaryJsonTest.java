package kvscope.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import kvscope.analysis.model.Anomaly;
import kvscope.analysis.model.Counters;
import kvscope.analysis.model.ServerStats;
import kvscope.fixtures.SampleTraces;
import kvscope.fixtures.SyntheticRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** summary.json is written without databind, yet reads as the same text databind would have written. */
class SummaryJsonTest {
    @TempDir Path dir;

    private static final ObjectMapper DATABIND = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private static String ours(Summary s) throws IOException {
        var out = new ByteArrayOutputStream();
        SummaryJson.write(out, s);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String databind(Summary s) throws IOException {
        return DATABIND.writerWithDefaultPrettyPrinter().writeValueAsString(s);
    }

    @Test
    void analysedTracesGiveTheTextDatabindWrites() throws IOException {
        var traces = List.of(SampleTraces.publishAcrossCluster(dir.resolve("cluster")), dir.resolve("synthetic"));
        SyntheticRedis.generate(traces.get(1), 200_000, 20, 7);
        for (var t : traces) {
            try (var stored = Analysis.analyze(List.of(t), Analysis.Options.defaults())) {
                var s = stored.summary();
                assertThat(s.servers()).isNotEmpty();
                assertThat(s.latencies()).isNotEmpty();
                assertThat(ours(s)).isEqualTo(databind(s));
                assertThat(Files.readString(stored.dir().resolve(Analysis.SUMMARY))).isEqualTo(databind(s));
            }
        }
    }

    /** Every kind of value the summary holds, including the awkward ones (escapes, NaN, empty, null, int keys). */
    @Test
    void awkwardValuesGiveTheTextDatabindWrites() throws IOException {
        var lossRanges = List.of(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, new long[0]);
        var counters = new Counters(0, 0, 0, 0, 0, lossRanges, 0, 0, Map.of("redis:new_event", 3L),
                List.of("file at byte 7: truncated"), Map.of(), 0, 0, 0, List.of("redis:x has no fd: not modelled from it: \"q\""),
                Map.of("sched_switch", 2L));
        var noThread = new ServerStats.ThreadStats(false, 0, 0, 0, 0);
        var st = new ServerStats("h:1", null, 0, 0, false, 0, false, 0, Map.of(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                Map.of(), 0, 0, 0, 0, 0, Map.of("ping", new long[] {2, 300}), Map.of(), Map.of(), Map.of(),
                Map.of(12, noThread, 3, noThread), 0, 0, 0, Map.of());
        var l = new Summary.CommandLatency(null, null, null, 0, 0, Double.NaN, 0, 0, 0, 0);
        var l2 = new Summary.CommandLatency(null, null, null, 0, 0, 1.0e-300 / 3, 0, 0, 0, 0);
        var a = new Anomaly(null, null, 0, 0, 0, List.of(5), List.of("1 5 read"));
        var series = new Summary.Series(0, 0, List.of(), List.of(new long[] {1, 2, 3}), List.of(), List.of());
        var s = new Summary(Analysis.VERSION, "quote \" backslash \\ tab \t newline \n é ✓ \u0001", List.of(), 0, 0, 0,
                false, counters, List.of(st), List.of(l, l2), List.of(a), List.of(), List.of(), series);
        assertThat(ours(s)).isEqualTo(databind(s));
        assertThat(ours(Summary.empty())).isEqualTo(databind(Summary.empty()));
    }

    @Test
    void writtenSummaryReadsBackEqual() throws IOException {
        var t = SampleTraces.twoRequests(dir.resolve("trace"));
        try (var built = Analysis.analyze(List.of(t), Analysis.Options.defaults());
             var reused = Analysis.analyze(List.of(t), Analysis.Options.defaults())) {
            assertThat(built.reused()).isFalse();
            assertThat(reused.reused()).isTrue();
            assertThat(databind(reused.summary())).isEqualTo(databind(built.summary()));
        }
    }
}
