package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records real LTTng-UST traces of a small C program using every field type (ctf/src/test/c), in several threads
 * and processes, through a channel with tiny sub-buffers so the tracer discards events, and checks kvscope reads
 * every event and every loss exactly as babeltrace2 does.
 */
class LttngDifferentialTest {
    @TempDir static Path dir;
    static Path program;

    @BeforeAll
    static void compileProgram() throws Exception {
        program = Lttng.compile(dir);
    }

    static Path record(String name, boolean perPid, int subbuf, int[][] runs) throws Exception {
        return Lttng.record(dir, program, name, perPid, subbuf, runs);
    }

    @Test
    void readsPerUidBuffersWithDiscardedEventsExactlyLikeBabeltrace() throws Exception {
        var trace = record("uid", false, 4096, new int[][] {{3, 400}, {2, 400}});
        var expected = TestSupport.babeltrace(dir, List.of(trace));
        var actual = TestSupport.kvscope(List.of(trace));
        TestSupport.assertSameEvents(expected, actual);
        // Each thread runs on its own CPU (kvtest.c pins them), and each CPU has its own buffer: at least two threads
        // keep events however full the buffers get. The per-PID test checks every thread shows.
        assertCoverage(actual, 1, 2);
        assertThat(actual.stream().filter(m -> m.containsKey("lost")).count())
                .as("lost-event records (tiny sub-buffers must overflow)").isPositive();
    }

    @Test
    void readsPerPidBuffersOfSeveralProcessesAsOneTraceSet() throws Exception {
        // Sub-buffers large enough that every thread keeps events (the per-UID test covers discarding).
        var trace = record("pid", true, 65536, new int[][] {{2, 60}, {1, 60}, {2, 60}});
        try (var t = Trace.open(trace)) {
            // Other instrumented processes running on the machine get (empty) per-PID traces in the session too.
            var ours = t.traces().stream().filter(i -> "kvtest".equals(i.envString("procname"))).toList();
            assertThat(ours).as("one trace per kvtest process").hasSize(3);
            for (var info : t.traces()) assertThat(info.dir().toString()).contains("/ust/pid/");
        }
        var expected = TestSupport.babeltrace(dir, List.of(trace));
        var actual = TestSupport.kvscope(List.of(trace));
        TestSupport.assertSameEvents(expected, actual);
        assertCoverage(actual, 3, 5);
    }

    @SuppressWarnings("unchecked")
    private static void assertCoverage(List<Map<String, Object>> events, int processes, int threads) {
        var names = new HashSet<Object>();
        var vpids = new HashSet<Object>();
        var vtids = new HashSet<Object>();
        for (var m : events) {
            if (m.containsKey("lost")) continue;
            names.add(m.get("name"));
            var ctx = (Map<String, Object>) m.get("context");
            vpids.add(ctx.get("vpid"));
            vtids.add(ctx.get("vtid"));
        }
        assertThat(names).contains("kvtest:ints", "kvtest:floats", "kvtest:texts", "kvtest:arrays", "kvtest:enums", "kvtest:empty");
        assertThat(vpids).hasSizeGreaterThanOrEqualTo(processes);
        assertThat(vtids).hasSizeGreaterThanOrEqualTo(threads);
    }

    @Test
    void handlesResolveContextAndPayloadFieldsOnRealEvents() throws Exception {
        var trace = record("api", false, 65536, new int[][] {{1, 20}});
        try (var t = Trace.open(trace)) {
            var ints = t.eventType("kvtest:ints");
            var s64 = ints.field("s64");
            var u64 = ints.field("u64");
            var vtid = t.field("vtid");
            var procname = t.field("procname");
            var missing = ints.field("no_such_field");
            assertThat(missing.exists()).isFalse();
            assertThat(t.eventType("kvtest:nope").exists()).isFalse();
            int n = 0;
            long last = Long.MIN_VALUE;
            for (var e : t) {
                assertThat(e.timestamp()).isGreaterThanOrEqualTo(last);
                last = e.timestamp();
                assertThat(e.has(vtid)).isTrue();
                assertThat(e.getString(procname)).isEqualTo("kvtest");
                assertThat(e.has(missing)).isFalse();
                if (e.type() == ints) {
                    long v = e.getLong(s64);
                    assertThat(e.getLong(u64)).isEqualTo(v * 0x9E3779B97F4A7C15L);
                    n++;
                }
            }
            assertThat(n).isEqualTo(20);
            var range = t.timeRange();
            assertThat(range.start()).isLessThanOrEqualTo(range.end());
            assertThat(t.bytesRead()).isEqualTo(t.totalBytes());
        }
    }
}
