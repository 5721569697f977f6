package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored real LTTng trace (test resources, see its README) read by kvscope and by babeltrace2. */
class StoredLttngTraceTest {
    @TempDir Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void readsAStoredLttngTraceLikeBabeltraceApartFromItsStaleEmptyStrings() throws Exception {
        var trace = TestSupport.resource("traces/lttng-kvtest");
        var expected = TestSupport.babeltrace(dir, List.of(trace));
        var actual = TestSupport.kvscope(List.of(trace));
        // babeltrace2 2.0.4 reuses pooled event objects and does not clear a string field when the decoded string
        // is empty, so it shows the previous event's text there. Where kvscope reads "", take babeltrace2's value
        // as unknown (checked against the raw bytes when this test was written; WriterRoundTripTest checks empty
        // strings against what was written).
        int masked = 0;
        var fixed = new ArrayList<Map<String, Object>>();
        for (int i = 0; i < expected.size(); i++) {
            var exp = expected.get(i);
            if (i < actual.size() && !exp.containsKey("lost")) {
                var act = actual.get(i);
                var expFields = new LinkedHashMap<>((Map<String, Object>) exp.get("fields"));
                var actFields = (Map<String, Object>) act.get("fields");
                for (var e : actFields.entrySet()) {
                    if ("".equals(e.getValue()) && !"".equals(expFields.get(e.getKey()))) {
                        expFields.put(e.getKey(), "");
                        masked++;
                    }
                }
                exp = new LinkedHashMap<>(exp);
                exp.put("fields", expFields);
            }
            fixed.add(exp);
        }
        TestSupport.assertSameEvents(fixed, actual);
        assertThat(masked).as("stale empty strings masked").isLessThan(60);
        assertThat(actual).hasSize(479);
        assertThat(actual.stream().filter(m -> m.containsKey("lost")).count()).isEqualTo(5);
        try (var t = Trace.open(trace)) {
            assertThat(t.traces()).hasSize(1);
            assertThat(t.traces().get(0).env()).containsEntry("domain", "ust").containsEntry("tracer_name", "lttng-ust");
            var range = t.timeRange();
            assertThat(range.end() - range.start()).isPositive();
            assertThat(t.eventType("kvtest:ints").fieldNames()).startsWith("s8", "u8", "s16");
        }
    }
}
