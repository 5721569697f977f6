package kvscope.analysis.segments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statistics gathered while writing equal those of the sorted latencies (nearest rank), on every path: all values
 * in memory, values let go and the rank buckets gathered from the file, and buckets too full so pairs are narrowed.
 */
class LatencyCollectorTest {
    @TempDir Path dir;

    @Test
    void equalsSortingOnEveryPath() throws IOException {
        for (long seed = 1; seed <= 6; seed++) {
            var rnd = new Random(seed);
            var file = dir.resolve("s" + seed + ".bin");
            var byPair = new HashMap<Long, List<Long>>();
            int n = 1 + rnd.nextInt(30_000);
            var collectors = new LatencyCollector[] {new LatencyCollector(), new LatencyCollector(n / 2), new LatencyCollector(7)};
            try (var w = new SegmentWriter(file)) {
                int[] servers = {w.server("a:1"), w.server("b:2")};
                int[] commands = {w.command("get"), w.command("set"), w.command("keys")};
                long t = 1_000_000;
                for (int i = 0; i < n; i++) {
                    t += rnd.nextInt(1000);
                    int s = servers[rnd.nextInt(2)], c = commands[rnd.nextInt(rnd.nextBoolean() ? 1 : 3)];
                    // Small exact values, ties, a long tail, zero and (damaged clock) negative latencies.
                    long lat = switch (rnd.nextInt(6)) {
                        case 0 -> rnd.nextInt(40);
                        case 1 -> 5000;
                        case 2 -> -rnd.nextInt(3);
                        case 3 -> (long) Math.exp(rnd.nextDouble() * 40);
                        default -> 1000 + rnd.nextInt(100_000);
                    };
                    long start = t, end = t + lat;
                    w.add(s, 5, i, c, start, start, start, start, end, end, end, 1, 1, 1, 1);
                    for (var col : collectors) col.add(s, c, lat);
                    byPair.computeIfAbsent(LatencyStats.key(s, c), k -> new ArrayList<>()).add(lat);
                }
            }
            try (var f = SegmentFile.open(file)) {
                var expected = new HashMap<Long, LatencyStats>();
                byPair.forEach((k, v) -> expected.put(k, sorted(v.stream().mapToLong(Long::longValue).toArray())));
                for (var col : collectors) assertThat(col.finish(f)).as("seed %d", seed).isEqualTo(expected);
                assertThat(LatencyStats.byServerAndCommand(f)).isEqualTo(expected);
            }
        }
    }

    /** The oracle: sort everything, take nearest ranks (the value at rank ⌈p·N⌉). */
    private static LatencyStats sorted(long[] all) {
        java.util.Arrays.sort(all);
        int n = all.length;
        long sum = 0;
        for (long l : all) sum += l;
        return new LatencyStats(n, all[0], all[n - 1], (double) sum / n, all[(int) Math.ceil(0.50 * n) - 1],
                all[(int) Math.ceil(0.90 * n) - 1], all[(int) Math.ceil(0.99 * n) - 1]);
    }

    @Test
    void bucketsAreOrderedAndNarrow() {
        int prev = -1;
        for (long l = -5; l < 5_000_000; l += 1 + l / 50) {
            int b = LatencyCollector.bucket(l);
            assertThat(b).isGreaterThanOrEqualTo(prev);
            prev = b;
        }
        assertThat(LatencyCollector.bucket(Long.MAX_VALUE)).isGreaterThan(LatencyCollector.bucket(Long.MAX_VALUE / 2));
        for (long l = 0; l < 32; l++) assertThat(LatencyCollector.bucket(l)).isEqualTo((int) l);
        // A bucket never spans more than 1/32 of its values.
        var first = new HashMap<Integer, Long>();
        var last = new HashMap<Integer, Long>();
        for (long l = 32; l < 1 << 20; l++) {
            first.putIfAbsent(LatencyCollector.bucket(l), l);
            last.put(LatencyCollector.bucket(l), l);
        }
        for (Map.Entry<Integer, Long> e : first.entrySet()) {
            assertThat(last.get(e.getKey()) - e.getValue() + 1).isLessThanOrEqualTo(Math.max(1, e.getValue() / 32 + 1));
        }
    }
}
