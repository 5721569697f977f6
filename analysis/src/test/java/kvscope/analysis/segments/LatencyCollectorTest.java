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

    /**
     * Blocked time (BLPOP, WAIT…) is left out of the statistics and counted apart; with it included they equal the
     * sorted whole latencies — on the in-memory path and when the values spill (issue #19).
     */
    @Test
    void leavesBlockedTimeOutAndCountsItApart() throws IOException {
        var rnd = new Random(42);
        var file = dir.resolve("blocked.bin");
        var served = new ArrayList<Long>();
        var whole = new ArrayList<Long>();
        long blockedSum = 0, blockedMax = 0, blockedCount = 0;
        var small = new LatencyCollector(100);
        LatencyCollector collector;
        int n = 5000;
        try (var w = new SegmentWriter(file)) {
            int s = w.server("a:1"), blpop = w.command("blpop"), get = w.command("get");
            long t = 1_000_000;
            for (int i = 0; i < n; i++) {
                t += 10_000;
                long work = 1000 + rnd.nextInt(5000);
                boolean blocks = rnd.nextInt(4) == 0;
                long blocked = blocks ? 1_000_000 + rnd.nextInt(300_000_000) : 0;
                long exec = t + 500, blockStart = exec + 100, end = t + work + blocked;
                if (blocks) {
                    w.add(s, 5, i, blpop, t, t, t + 400, exec, blockStart + 10, blockStart + blocked + 50, end, 1, 1, 1, 1,
                            blockStart, blockStart + blocked, BlockReason.KEY.ordinal());
                    blockedSum += blocked;
                    blockedMax = Math.max(blockedMax, blocked);
                    blockedCount++;
                } else {
                    w.add(s, 5, i, blpop, t, t, t + 400, exec, exec + 10, exec + 50, end, 1, 1, 1, 1);
                }
                small.add(s, blpop, work, blocked);
                served.add(work);
                whole.add(work + blocked);
                w.add(s, 6, i, get, t, t, t, t, t + 7, t + 7, t + 7, 1, 1, 1, 1);
            }
            collector = w.latencies();
        }
        try (var f = SegmentFile.open(file)) {
            long key = LatencyStats.key(0, 0);
            var expectedServed = sorted(served.stream().mapToLong(Long::longValue).toArray());
            assertThat(collector.finish(f).get(key)).isEqualTo(expectedServed);
            assertThat(small.finish(f).get(key)).as("spilled").isEqualTo(expectedServed);
            assertThat(LatencyStats.of(f, 0, 0, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(expectedServed);
            var blocked = collector.blocked();
            assertThat(blocked).containsOnlyKeys(key);
            assertThat(blocked.get(key)).isEqualTo(new LatencyCollector.Blocked(blockedCount, blockedSum, blockedMax));
            var expectedWhole = sorted(whole.stream().mapToLong(Long::longValue).toArray());
            assertThat(LatencyCollector.withBlocked(f, blocked.keySet())).containsExactly(Map.entry(key, expectedWhole));
            assertThat(LatencyStats.of(f, 0, 0, Long.MIN_VALUE, Long.MAX_VALUE, true)).isEqualTo(expectedWhole);
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
