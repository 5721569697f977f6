package kvscope.analysis.segments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SegmentFileTest {
    @TempDir Path dir;

    private Path write(int n, long seed, ArrayList<Segment> kept) throws IOException {
        var file = dir.resolve("segments.bin");
        var rnd = new Random(seed);
        try (var w = new SegmentWriter(file)) {
            int s0 = w.server("127.0.0.1:7000"), s1 = w.server("127.0.0.1:7001");
            int set = w.command("set"), get = w.command("get");
            long t = 1_700_000_000_000_000_000L;
            for (int i = 0; i < n; i++) {
                t += 1 + rnd.nextInt(5000);
                long lat = 1000 + (long) (rnd.nextDouble() * rnd.nextDouble() * 1_000_000);
                var s = new Segment(i % 3 == 0 ? s1 : s0, 10 + i % 50, i, i % 2 == 0 ? set : get,
                        t - 100, t, t + lat / 8, t + lat / 4, t + lat / 2, t + lat * 3 / 4, t + lat, 30, 5, 100, 100);
                w.add(s);
                kept.add(s);
            }
        }
        return file;
    }

    @Test
    void readsBackEverySegmentInOrder() throws IOException {
        var kept = new ArrayList<Segment>();
        var file = write(5000, 1, kept);
        try (var f = SegmentFile.open(file)) {
            assertThat(f.count()).isEqualTo(5000);
            assertThat(f.servers()).containsExactly("127.0.0.1:7000", "127.0.0.1:7001");
            assertThat(f.commands()).containsExactly("set", "get");
            var read = new ArrayList<Segment>();
            f.forEach(c -> read.add(c.toSegment()));
            assertThat(read).isEqualTo(kept);
        }
    }

    /** finish() makes the segments readable through reader(), but the file says complete only after commit(). */
    @Test
    void finishedSegmentsAreReadableBeforeTheFileIsMarkedComplete() throws IOException {
        var file = dir.resolve("segments.bin");
        var kept = new ArrayList<Segment>();
        try (var w = new SegmentWriter(file)) {
            int s0 = w.server("127.0.0.1:7000"), get = w.command("get");
            long t = 1_000_000;
            for (int i = 0; i < 3 * SegmentFormat.BLOCK + 17; i++) {
                t += 1000;
                var s = new Segment(s0, 10, i, get, t - 100, t, t + 10, t + 20, t + 30, t + 40, t + 50 + i % 7, 30, 5, 1, 1);
                w.add(s);
                kept.add(s);
            }
            assertThatThrownBy(w::reader).isInstanceOf(IllegalStateException.class);
            w.finish();
            try (var r = w.reader()) {
                var read = new ArrayList<Segment>();
                r.forEach(c -> read.add(c.toSegment()));
                assertThat(read).isEqualTo(kept);
                var got = new ArrayList<Segment>();
                long t0 = kept.get(SegmentFormat.BLOCK + 5).start(), t1 = kept.get(2 * SegmentFormat.BLOCK).end();
                r.scan(t0, t1, -1, -1, c -> got.add(c.toSegment()));
                assertThat(got).isEqualTo(kept.stream().filter(s -> s.end() >= t0 && s.start() <= t1).toList());
                assertThat(r.servers()).containsExactly("127.0.0.1:7000");
            }
            assertThatThrownBy(() -> SegmentFile.open(file)).hasMessageContaining("incomplete");
            w.commit();
        }
        try (var f = SegmentFile.open(file)) {
            assertThat(f.count()).isEqualTo(kept.size());
            assertThat(f.get(kept.size() - 1)).isEqualTo(kept.get(kept.size() - 1));
        }
    }

    @Test
    void timeRangeScanReturnsExactlyTheOverlappingSegments() throws IOException {
        var kept = new ArrayList<Segment>();
        var file = write(20_000, 2, kept);
        long t0 = kept.get(7000).start() + 17, t1 = kept.get(9000).end() - 3;
        var expected = kept.stream().filter(s -> s.command() == 1 && s.end() >= t0 && s.start() <= t1).toList();
        try (var f = SegmentFile.open(file)) {
            var got = new ArrayList<Segment>();
            f.scan(t0, t1, -1, 1, c -> got.add(c.toSegment()));
            assertThat(got).isEqualTo(expected);
        }
    }

    @Test
    void percentilesAreExactNearestRank() throws IOException {
        var kept = new ArrayList<Segment>();
        var file = write(30_001, 3, kept);
        var lat = kept.stream().filter(s -> s.server() == 0 && s.command() == 0).mapToLong(Segment::latency).sorted().toArray();
        try (var f = SegmentFile.open(file)) {
            var st = LatencyStats.of(f, 0, 0, Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(st.count()).isEqualTo(lat.length);
            assertThat(st.min()).isEqualTo(lat[0]);
            assertThat(st.max()).isEqualTo(lat[lat.length - 1]);
            assertThat(st.p50()).isEqualTo(lat[(int) Math.ceil(0.5 * lat.length) - 1]);
            assertThat(st.p90()).isEqualTo(lat[(int) Math.ceil(0.9 * lat.length) - 1]);
            assertThat(st.p99()).isEqualTo(lat[(int) Math.ceil(0.99 * lat.length) - 1]);
            assertThat(st.mean()).isEqualTo(Arrays.stream(lat).average().orElseThrow());
        }
    }

    /** Every pair at once (two passes) gives what each pair alone gives, in memory and past the memory bound. */
    @Test
    void statisticsOfEveryPairAtOnceEqualEachPairAlone() throws IOException {
        var file = write(20_003, 5, new ArrayList<>());
        int saved = LatencyStats.inMemoryLimit;
        try (var f = SegmentFile.open(file)) {
            for (int limit : new int[] {saved, 1000}) {
                LatencyStats.inMemoryLimit = limit;
                var all = LatencyStats.byServerAndCommand(f);
                assertThat(all).hasSize(4);
                all.forEach((k, st) -> assertThat(st).as("pair %x, limit %d", k, limit)
                        .isEqualTo(LatencyStats.of(f, (int) (k >>> 32), (int) (long) k, Long.MIN_VALUE, Long.MAX_VALUE)));
            }
        } finally {
            LatencyStats.inMemoryLimit = saved;
        }
    }

    @Test
    void percentilesStayExactWhenTooManyToSortInMemory() throws IOException {
        var kept = new ArrayList<Segment>();
        var file = write(50_000, 4, kept);
        var lat = kept.stream().mapToLong(Segment::latency).sorted().toArray();
        int saved = LatencyStats.inMemoryLimit;
        LatencyStats.inMemoryLimit = 100; // forces the narrowing histogram passes
        try (var f = SegmentFile.open(file)) {
            var st = LatencyStats.of(f, -1, -1, Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(st.p50()).isEqualTo(lat[(int) Math.ceil(0.5 * lat.length) - 1]);
            assertThat(st.p90()).isEqualTo(lat[(int) Math.ceil(0.9 * lat.length) - 1]);
            assertThat(st.p99()).isEqualTo(lat[(int) Math.ceil(0.99 * lat.length) - 1]);
        } finally {
            LatencyStats.inMemoryLimit = saved;
        }
    }

    @Test
    void refusesAFileThatWasNotClosed() throws IOException {
        var file = dir.resolve("open.bin");
        var w = new SegmentWriter(file);
        w.add(new Segment(w.server("a"), 1, 1, w.command("get"), 1, 2, 3, 4, 5, 6, 7, 1, 1, 1, 1));
        // not closed: the analysis was killed
        assertThatThrownBy(() -> SegmentFile.open(file)).isInstanceOf(IOException.class).hasMessageContaining("incomplete");
        w.close();
        try (var f = SegmentFile.open(file)) { assertThat(f.count()).isEqualTo(1); }
    }

    @Test
    void refusesTruncatedAndForeignFiles() throws IOException {
        var file = write(3000, 5, new ArrayList<>());
        var bytes = Files.readAllBytes(file);
        var cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> SegmentFile.open(cut)).isInstanceOf(IOException.class).hasMessageContaining("cut.bin");
        var foreign = dir.resolve("foreign.bin");
        Files.writeString(foreign, "this is not a segment file at all, just some text");
        assertThatThrownBy(() -> SegmentFile.open(foreign)).hasMessageContaining("bad magic");
    }
}
