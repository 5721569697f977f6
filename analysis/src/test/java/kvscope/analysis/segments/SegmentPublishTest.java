package kvscope.analysis.segments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live session's views read the segments written so far ({@link SegmentWriter#publish}, {@link SegmentWriter#written})
 * while the writer goes on: they see exactly what was published — in order, with the names known then — and what is
 * added later only at the next publish; the file still ends complete.
 */
class SegmentPublishTest {
    @TempDir Path dir;

    private static Segment segment(int server, int command, int i) {
        long t = 1_000_000 + 10_000L * i;
        return new Segment(server, 10 + i % 7, i, command, t - 50, t, t + 100, t + 200, t + 300 + i, t + 400 + i,
                t + 500 + i, 30, 5, 100, 100);
    }

    @Test
    void theSegmentsPublishedAreReadWhileMoreAreWritten() throws IOException {
        var file = dir.resolve("segments.bin");
        var kept = new ArrayList<Segment>();
        try (var w = new SegmentWriter(file)) {
            assertThat(w.written()).as("nothing published yet").isNull();
            int s0 = w.server("127.0.0.1:7000"), set = w.command("set");
            int n1 = 2 * SegmentFormat.BLOCK + 33;
            for (int i = 0; i < n1; i++) {
                var s = segment(s0, set, i);
                w.add(s);
                kept.add(s);
            }
            w.publish();
            int get = w.command("get");
            for (int i = n1; i < n1 + 500; i++) w.add(segment(s0, get, i)); // not published yet
            try (var f = w.written()) {
                assertThat(f.count()).isEqualTo(n1);
                assertThat(f.commands()).containsExactly("set");
                var read = new ArrayList<Segment>();
                f.forEach(c -> read.add(c.toSegment()));
                assertThat(read).isEqualTo(kept);
                // The block index of what was published: a range scan finds the last published segment.
                var last = kept.get(kept.size() - 1);
                var found = new ArrayList<Segment>();
                f.scan(last.end(), last.end(), -1, -1, c -> found.add(c.toSegment()));
                assertThat(found).contains(last);
            }
            w.publish();
            try (var f = w.written()) {
                assertThat(f.count()).isEqualTo(n1 + 500);
                assertThat(f.commands()).containsExactly("set", "get");
                assertThat(f.get(n1 + 499).command()).isEqualTo(get);
            }
        }
        try (var f = SegmentFile.open(file)) {
            assertThat(f.count()).as("the file ends complete").isEqualTo(kept.size() + 500);
        }
    }
}
