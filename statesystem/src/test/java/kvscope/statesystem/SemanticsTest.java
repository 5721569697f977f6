package kvscope.statesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented semantics of building, one rule per test. */
class SemanticsTest {
    @TempDir Path dir;

    private History create() throws Exception {
        return History.create(dir.resolve("h.ht"), new Config(4096, 4));
    }

    @Test
    void aFeedBuildsWhatTheSingleChangeSettersBuildAndIsAskedUntilItIsDone() throws Exception {
        var random = new java.util.Random(7);
        int n = 5_000;
        long[] t = new long[n];
        int[] kind = new int[n], a = new int[n];
        long[] v = new long[n];
        for (int i = 0, time = 100; i < n; i++) {
            time += random.nextInt(3); // equal times too
            t[i] = time;
            kind[i] = random.nextInt(4);
            a[i] = random.nextInt(5);
            v[i] = random.nextInt(3); // repeats too
        }
        try (var one = History.create(dir.resolve("one.ht"), new Config(4096, 4));
             var two = History.create(dir.resolve("two.ht"), new Config(4096, 4))) {
            int[] q1 = new int[5], q2 = new int[5];
            for (int k = 0; k < 5; k++) {
                q1[k] = one.getOrCreate("x", "a" + k);
                q2[k] = two.getOrCreate("x", "a" + k);
            }
            for (int i = 0; i < n; i++) {
                switch (kind[i]) {
                    case 0 -> one.set(t[i], q1[a[i]], v[i]);
                    case 1 -> one.set(t[i], q1[a[i]], (int) v[i]);
                    case 2 -> one.set(t[i], q1[a[i]], v[i] == 0 ? null : "s" + v[i]);
                    default -> one.clear(t[i], q1[a[i]]);
                }
            }
            int[] next = {0}, calls = {0};
            two.apply(w -> {
                calls[0]++;
                for (int m = 0; m < 97 && next[0] < n; m++, next[0]++) {
                    int i = next[0];
                    switch (kind[i]) {
                        case 0 -> w.set(t[i], q2[a[i]], v[i]);
                        case 1 -> w.set(t[i], q2[a[i]], (int) v[i]);
                        case 2 -> w.set(t[i], q2[a[i]], v[i] == 0 ? null : "s" + v[i]);
                        default -> w.clear(t[i], q2[a[i]]);
                    }
                }
                return next[0] < n;
            });
            assertThat(calls[0]).isEqualTo((n + 96) / 97);
            one.complete(t[n - 1] + 10);
            two.complete(t[n - 1] + 10);
            assertThat(two.intervalCount()).isEqualTo(one.intervalCount());
            for (int k = 0; k < 5; k++) {
                var i1 = one.intervals(q1[k], one.start(), one.end());
                var i2 = two.intervals(q2[k], two.start(), two.end());
                while (i1.next()) {
                    assertThat(i2.next()).isTrue();
                    assertThat(i2.state()).isEqualTo(i1.state());
                }
                assertThat(i2.next()).isFalse();
            }
        }
    }

    @Test
    void settingTheSameValueAgainDoesNotSplitTheInterval() throws Exception {
        try (var h = create()) {
            int q = h.getOrCreate("a");
            h.set(10, q, "x");
            h.set(20, q, "x");
            h.set(30, q, "y");
            h.complete(40);
            assertThat(h.at(25, q)).isEqualTo(new State(q, 10, 29, ValueKind.STRING, 0, 0, "x"));
        }
    }

    @Test
    void aRenamedAttributeKeepsItsChildrenAndIntervalsUnderItsNewNameAlsoAfterReopening() throws Exception {
        var file = dir.resolve("h.ht");
        try (var h = create()) {
            int server = h.getOrCreate("redis-server-42");
            int status = h.getOrCreateUnder(server, "Connections", "7", "Status");
            int other = h.getOrCreate("h:6380");
            h.set(10, status, "READ");
            assertThat(h.rename(server, "h:6380")).as("a sibling has that name").isFalse();
            assertThat(h.rename(server, "h:6379")).isTrue();
            h.set(20, status, "WRITE");
            assertThat(h.lookup("redis-server-42")).isEqualTo(-1);
            assertThat(h.lookup("h:6379", "Connections", "7", "Status")).isEqualTo(status);
            assertThat(h.lookup("h:6380")).isEqualTo(other);
            assertThat(h.getOrCreate("redis-server-42")).as("the old name is free again").isNotEqualTo(server);
            h.complete(30);
        }
        try (var h = History.open(file)) {
            int status = h.lookup("h:6379", "Connections", "7", "Status");
            assertThat(h.at(15, status).value()).isEqualTo("READ");
            assertThat(h.at(25, status).value()).isEqualTo("WRITE");
            assertThat(h.name(h.parent(h.parent(h.parent(status))))).isEqualTo("h:6379");
        }
    }

    @Test
    void intAndLongOfEqualValueAreDifferentStates() throws Exception {
        try (var h = create()) {
            int q = h.getOrCreate("a");
            h.set(10, q, 5);
            h.set(20, q, 5L);
            h.complete(30);
            assertThat(h.at(15, q).kind()).isEqualTo(ValueKind.INT);
            assertThat(h.at(25, q).kind()).isEqualTo(ValueKind.LONG);
            assertThat(h.at(25, q).start()).isEqualTo(20);
        }
    }

    @Test
    void lastSetAtTheSameTimeWins() throws Exception {
        try (var h = create()) {
            int q = h.getOrCreate("a");
            h.set(10, q, 1L);
            h.set(10, q, 2L);
            h.complete(20);
            assertThat(h.at(10, q).longValue()).isEqualTo(2);
            assertThat(h.at(10, q).start()).isEqualTo(10);
        }
    }

    @Test
    void everyAttributeIsNullFromTheStartUntilFirstSet() throws Exception {
        try (var h = create()) {
            int a = h.getOrCreate("a");
            h.set(100, a, 1L);
            int b = h.getOrCreate("b"); // created later: still null since the start
            h.set(200, b, 2.5);
            h.complete(300);
            assertThat(h.at(150, b)).isEqualTo(new State(b, 100, 199, ValueKind.NULL, 0, 0, null));
            assertThat(h.at(250, b).doubleValue()).isEqualTo(2.5);
        }
    }

    @Test
    void noStateBeforeTheStartOrAfterTheEnd() throws Exception {
        try (var h = create()) {
            int a = h.getOrCreate("a");
            assertThat(h.at(0, a)).isNull();
            h.set(100, a, 1L);
            assertThat(h.at(99, a)).isNull();
            assertThat(h.at(101, a)).isNull(); // after the latest time seen: not known yet
            assertThat(h.at(100, a).end()).isEqualTo(State.ONGOING);
            h.complete(300);
            assertThat(h.at(301, a)).isNull();
            assertThat(h.at(300, a).end()).isEqualTo(300);
        }
    }

    @Test
    void stacksKeepDepthAndLevels() throws Exception {
        try (var h = create()) {
            int s = h.getOrCreate("thread", "ops");
            h.push(10, s, "read");
            h.push(20, s, "decode");
            assertThat(h.pop(30, s)).isTrue();
            assertThat(h.pop(40, s)).isTrue();
            assertThat(h.pop(50, s)).isFalse();
            h.complete(60);
            int l1 = h.lookup("thread", "ops", "1"), l2 = h.lookup("thread", "ops", "2");
            assertThat(h.at(25, s).intValue()).isEqualTo(2);
            assertThat(h.at(25, l1).string()).isEqualTo("read");
            assertThat(h.at(25, l2).string()).isEqualTo("decode");
            assertThat(h.at(35, l2).isNull()).isTrue();
            assertThat(h.at(35, s).intValue()).isEqualTo(1);
            assertThat(h.at(45, s).isNull()).isTrue();
            assertThat(h.at(45, l1).isNull()).isTrue();
        }
    }

    @Test
    void removeClearsTheAttributeAndItsDescendants() throws Exception {
        try (var h = create()) {
            int c = h.getOrCreate("conn", "16");
            int st = h.getOrCreateUnder(c, "Status");
            h.set(10, c, 1);
            h.set(10, st, "READ");
            h.remove(20, c);
            h.complete(30);
            assertThat(h.at(25, c).isNull()).isTrue();
            assertThat(h.at(25, st).isNull()).isTrue();
            assertThat(h.at(15, st).string()).isEqualTo("READ");
        }
    }

    @Test
    void rejectsTimeGoingBackwardsAndWritesAfterClose() throws Exception {
        try (var h = create()) {
            int a = h.getOrCreate("a");
            h.set(100, a, 1L);
            assertThatThrownBy(() -> h.set(99, a, 2L)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("backwards");
            h.complete(200);
            assertThatThrownBy(() -> h.set(300, a, 2L)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> h.getOrCreate("b")).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void attributeTreeNavigatesAndSurvivesReopen() throws Exception {
        Path f = dir.resolve("h.ht");
        try (var h = History.create(f, new Config(4096, 4))) {
            int s1 = h.getOrCreate("server-1", "Connections", "16", "Status");
            h.getOrCreate("server-1", "Connections", "17", "Status");
            h.getOrCreate("server-2", "Connections", "3", "Status");
            h.getOrCreate("server-2", "Connections", "3", "Memory");
            assertThat(h.getOrCreate("server-1", "Connections", "16", "Status")).isEqualTo(s1);
            h.set(1, s1, "x");
            h.complete(2);
        }
        try (var h = History.open(f)) {
            int s1 = h.lookup("server-1", "Connections", "16", "Status");
            assertThat(h.path(s1)).isEqualTo("server-1/Connections/16/Status");
            assertThat(h.name(s1)).isEqualTo("Status");
            assertThat(h.name(h.parent(s1))).isEqualTo("16");
            assertThat(h.lookup("server-1", "nope")).isEqualTo(-1);
            assertThat(h.match("*", "Connections", "*", "Status")).hasSize(3);
            assertThat(h.match("server-2", "Connections", "3", "*")).hasSize(2);
            assertThat(h.children(-1)).hasSize(2);
            assertThat(h.parent(h.lookup("server-1"))).isEqualTo(-1);
            assertThat(h.attributeCount()).isEqualTo(11);
            assertThat(h.at(1, s1).string()).isEqualTo("x");
        }
    }

    @Test
    void emptyHistoryRoundTrips() throws Exception {
        Path f = dir.resolve("empty.ht");
        try (var h = History.create(f, new Config(4096, 4))) {
            h.complete(5);
        }
        try (var h = History.open(f)) {
            h.verify();
            assertThat(h.attributeCount()).isZero();
            assertThat(h.start()).isEqualTo(5);
            assertThat(h.end()).isEqualTo(5);
            var full = new FullState();
            h.fullAt(5, full);
            assertThat(full.size()).isZero();
        }
    }

    @Test
    void fullQueryOutsideTheHistoryKnowsNothing() throws Exception {
        try (var h = create()) {
            int a = h.getOrCreate("a");
            h.set(10, a, 1L);
            h.complete(20);
            var full = new FullState();
            h.fullAt(9, full);
            assertThat(full.known(a)).isFalse();
            h.fullAt(21, full);
            assertThat(full.known(a)).isFalse();
            h.fullAt(15, full);
            assertThat(full.known(a)).isTrue();
            assertThat(full.longValue(a)).isEqualTo(1);
            assertThat(full.start(a)).isEqualTo(10);
            assertThat(full.end(a)).isEqualTo(20);
        }
    }

    /** Nodes far too small for the number of busy attributes make the tree degenerate: it fails loudly, not slowly. */
    @Test
    void tooSmallNodesForTheAttributesFailLoudly() throws Exception {
        try (var h = History.create(dir.resolve("small.ht"), new Config(1024, 2))) {
            int[] qs = new int[400];
            for (int i = 0; i < qs.length; i++) qs[i] = h.getOrCreate("a" + i);
            var rnd = new java.util.Random(1);
            assertThatThrownBy(() -> {
                for (long t = 0; t < 10_000_000; t++) h.set(t, qs[rnd.nextInt(qs.length)], t);
            }).isInstanceOf(IllegalStateException.class).hasMessageContaining("too small");
        }
    }
}
