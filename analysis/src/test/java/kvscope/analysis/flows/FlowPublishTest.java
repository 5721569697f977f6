package kvscope.analysis.flows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live session's Netflow view draws the flows written so far ({@link FlowWriter#publish}, {@link FlowWriter#written})
 * while the writer goes on: exactly those published, run by run; what is added later shows at the next publish.
 */
class FlowPublishTest {
    @TempDir Path dir;

    private static List<Flow> all(FlowFile f) {
        var out = new ArrayList<Flow>();
        f.forEach(Long.MIN_VALUE, Long.MAX_VALUE, (k, ss, sf, st, ds, df, dt) -> out.add(new Flow(k, ss, sf, st, ds, df, dt)));
        return out;
    }

    @Test
    void theFlowsPublishedAreReadWhileMoreAreWritten() throws IOException {
        var file = dir.resolve("flows.bin");
        var kept = new ArrayList<Flow>();
        try (var w = new FlowWriter(file)) {
            assertThat(w.written()).as("nothing published yet").isNull();
            for (int i = 0; i < 3000; i++) {
                var f = new Flow(Flow.Hop.BUS, 0, 10 + i % 3, 1_000L * i, 1, 20, 1_000L * i + 400);
                w.add(f.kind(), f.srcServer(), f.srcFd(), f.srcTime(), f.dstServer(), f.dstFd(), f.dstTime(), f.dstTime());
                kept.add(f);
            }
            w.newRun(); // a second run, emitted earlier than the first's last
            var early = new Flow(Flow.Hop.BUS, 1, 20, 500, 0, 10, 900);
            w.add(early.kind(), early.srcServer(), early.srcFd(), early.srcTime(), early.dstServer(), early.dstFd(),
                    early.dstTime(), early.dstTime());
            kept.add(early);
            w.publish();
            w.add(Flow.Hop.BUS, 0, 10, 5_000_000, 1, 20, 5_000_400, 5_000_400); // not published yet
            try (var f = w.written()) {
                assertThat(f.count()).isEqualTo(3001);
                assertThat(f.runs()).isEqualTo(2);
                assertThat(all(f)).containsExactlyInAnyOrderElementsOf(kept);
            }
            w.publish();
            try (var f = w.written()) {
                assertThat(f.count()).isEqualTo(3002);
                var late = new ArrayList<Flow.Hop>();
                f.forEach(5_000_000, 5_000_000, (k, ss, sf, st, ds, df, dt) -> late.add(k));
                assertThat(late).containsExactly(Flow.Hop.BUS);
            }
        }
        try (var f = FlowFile.open(file)) {
            assertThat(f.count()).as("the file ends complete").isEqualTo(3002);
        }
    }
}
