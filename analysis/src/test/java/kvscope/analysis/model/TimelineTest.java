package kvscope.analysis.model;

import kvscope.statesystem.Config;
import kvscope.statesystem.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model thread hands changes over in the order it makes them; the history must hold them in time order, exactly
 * when they come within the horizon, and at the time already committed (counted late) when they do not.
 */
class TimelineTest {
    @TempDir Path dir;

    private record Change(long t, int q, Object v, int arrival) {}

    /** Random changes, a tenth of them retroactive within the horizon, against a sort of the same changes. */
    @Test
    void retroactiveChangesWithinTheHorizonArePlacedExactly() throws IOException {
        for (long seed = 1; seed <= 5; seed++) {
            var rnd = new Random(seed);
            long horizon = 1_000 + rnd.nextInt(50_000);
            var changes = new ArrayList<Change>();
            long end;
            try (var h = History.create(dir.resolve("h" + seed + ".ht"), new Config(4096, 4))) {
                int[] q = new int[50];
                for (int i = 0; i < q.length; i++) q[i] = h.getOrCreate("a", Integer.toString(i));
                var tl = new Timeline(h, horizon);
                String[] labels = {"READ", "WRITE", "REGISTERED"};
                long now = 1_000_000;
                // More changes than batches and rings hold at once, so batches are handed over mid-stream.
                for (int i = 0; i < 120_000; i++) {
                    now += rnd.nextInt(20);
                    tl.advance(now);
                    long t = rnd.nextInt(10) == 0 ? now - rnd.nextInt((int) horizon) : now;
                    int a = q[rnd.nextInt(q.length)];
                    Object v = switch (rnd.nextInt(4)) {
                        case 0 -> null;
                        case 1 -> (long) rnd.nextInt(3);
                        default -> labels[rnd.nextInt(labels.length)];
                    };
                    if (v == null) tl.clear(t, a);
                    else if (v instanceof Long l) tl.set(t, a, (long) l);
                    else tl.set(t, a, (String) v);
                    changes.add(new Change(t, a, v, i));
                }
                end = now + 1;
                tl.complete(end);
                assertThat(tl.late()).as("seed %d", seed).isZero();
            }
            try (var h = History.open(dir.resolve("h" + seed + ".ht"))) {
                changes.sort(Comparator.comparingLong(Change::t).thenComparingInt(Change::arrival));
                var last = new Object[200];
                var set = new boolean[200];
                for (int i = 0; i < changes.size(); i++) {
                    var c = changes.get(i);
                    last[c.q()] = c.v();
                    set[c.q()] = true;
                    // Check once all changes at this time are applied (the last one at a time wins).
                    if (i + 1 < changes.size() && changes.get(i + 1).t() == c.t()) continue;
                    if (rnd.nextInt(50) != 0) continue;
                    for (int a = 0; a < set.length; a++) {
                        if (!set[a]) continue;
                        var st = h.at(c.t(), a);
                        assertThat(st.value()).as("seed %d, quark %d at %d", seed, a, c.t()).isEqualTo(last[a]);
                    }
                }
            }
        }
    }

    /** A horizon longer than memory allows: changes are committed early, nothing blocks or is lost. */
    @Test
    void moreChangesThanTheHorizonCanHoldAreCommittedEarlyAndExactly() throws IOException {
        try (var h = History.create(dir.resolve("burst.ht"), Config.DEFAULT)) {
            int a = h.getOrCreate("a"), b = h.getOrCreate("b");
            var tl = new Timeline(h, Long.MAX_VALUE / 4);
            long n = (1 << 22) + 3 * HistoryWriter.BATCH;
            for (long i = 0; i < n; i++) {
                long t = 1_000 + 2 * i;
                tl.advance(t);
                tl.set(t, a, i);
                if (i % 1000 == 0) tl.set(t - 1, b, i); // retroactive by 1 ns: within what is still held
            }
            tl.complete(1_000 + 2 * n);
            assertThat(tl.late()).isZero();
            assertThat(h.at(1_000 + 2 * 12_345, a).longValue()).isEqualTo(12_345);
            assertThat(h.at(1_000 + 2 * (n - 1), a).longValue()).isEqualTo(n - 1);
            assertThat(h.at(1_000 + 2 * 5_000 - 1, b).longValue()).isEqualTo(5_000);
            assertThat(h.at(1_000 + 2 * 5_000 - 2, b).longValue()).isEqualTo(4_000);
        }
    }

    @Test
    void aChangeOlderThanTheHorizonIsAppliedWhenCommittedAndCounted() throws IOException {
        try (var h = History.create(dir.resolve("late.ht"), Config.DEFAULT)) {
            int a = h.getOrCreate("a"), b = h.getOrCreate("b");
            var tl = new Timeline(h, 100);
            tl.advance(1_000);
            tl.set(1_000, a, "x");
            tl.advance(2_000);
            tl.set(2_000, b, 1L);
            tl.advance(3_000);
            tl.flush();               // everything up to 3 000 is in the history
            tl.set(1_500, a, "late"); // 1 500 ns late: beyond the horizon
            tl.complete(4_000);
            assertThat(tl.late()).isEqualTo(1);
            assertThat(tl.maxLateness()).isEqualTo(500);
            assertThat(h.at(1_600, a).string()).isEqualTo("x");
            assertThat(h.at(2_000, a).string()).isEqualTo("late");
        }
    }

    @Test
    void repeatsOfTheCurrentValueMakeNoInterval() throws IOException {
        try (var h = History.create(dir.resolve("repeat.ht"), Config.DEFAULT)) {
            int a = h.getOrCreate("a");
            var tl = new Timeline(h, 100);
            var label = "REGISTERED";
            for (long t = 1_000; t < 2_000; t += 10) {
                tl.advance(t);
                tl.set(t, a, label);
            }
            tl.complete(2_000);
            long intervals = 0;
            for (var it = h.intervals(a, 0, 2_000); it.next(); ) intervals++;
            assertThat(intervals).isEqualTo(1);
            assertThat(h.at(1_500, a)).satisfies(s -> {
                assertThat(s.start()).isEqualTo(1_000);
                assertThat(s.string()).isEqualTo(label);
            });
        }
    }

}
