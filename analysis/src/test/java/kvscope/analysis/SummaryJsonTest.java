package kvscope.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import kvscope.analysis.model.Anomaly;
import kvscope.analysis.model.ModelCounters;
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
                assertThat(s.servers).isNotEmpty();
                assertThat(s.latencies).isNotEmpty();
                assertThat(ours(s)).isEqualTo(databind(s));
                assertThat(Files.readString(stored.dir().resolve(Analysis.SUMMARY))).isEqualTo(databind(s));
            }
        }
    }

    /** Every kind of value the summary holds, including the awkward ones (escapes, NaN, empty, null, int keys). */
    @Test
    void awkwardValuesGiveTheTextDatabindWrites() throws IOException {
        var s = new Summary();
        s.fingerprint = "quote \" backslash \\ tab \t newline \n é ✓ \u0001";
        s.counters = new ModelCounters();
        s.counters.lossRanges.add(new long[] {Long.MIN_VALUE, Long.MAX_VALUE});
        s.counters.lossRanges.add(new long[0]);
        s.counters.unknownEvents.put("redis:new_event", 3L);
        s.counters.damage.add("file at byte 7: truncated");
        var st = new ServerStats();
        st.name = "h:1";
        st.threads.put(12, new ServerStats.ThreadStats());
        st.threads.put(3, new ServerStats.ThreadStats());
        st.busOutByType.put("ping", new long[] {2, 300});
        s.servers.add(st);
        var l = new Summary.CommandLatency();
        l.mean = Double.NaN;
        s.latencies.add(l);
        var l2 = new Summary.CommandLatency();
        l2.mean = 1.0e-300 / 3;
        s.latencies.add(l2);
        var a = new Anomaly();
        a.threads.add(5);
        a.events.add("1 5 read");
        s.anomalies.add(a);
        s.series = new Summary.Series();
        s.series.requests.add(new long[] {1, 2, 3});
        assertThat(ours(s)).isEqualTo(databind(s));
        assertThat(ours(new Summary())).isEqualTo(databind(new Summary()));
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
