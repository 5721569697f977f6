package kvscope.statesystem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Compares every query kind of a history with the oracle, at interval boundaries, before the start, after the end. */
final class Checks {
    private Checks() {}

    static void same(State s, Oracle.Iv e, long t, int q) {
        String where = "at t=" + t + " q=" + q;
        if (e == null) {
            assertThat(s).as(where).isNull();
            return;
        }
        assertThat(s).as(where).isNotNull();
        assertThat(s.start()).as(where + " start").isEqualTo(e.start());
        assertThat(s.end()).as(where + " end").isEqualTo(e.end());
        assertThat(s.value()).as(where + " value").isEqualTo(e.value());
    }

    /** Times worth asking: around every interval boundary of some attributes, outside the range, random. */
    static long[] times(Oracle o, Random rnd, int max) {
        var ts = new ArrayList<Long>();
        ts.add(o.start - 1);
        ts.add(o.start);
        ts.add(o.now);
        ts.add(o.now + 1);
        ts.add(Long.MIN_VALUE);
        ts.add(Long.MAX_VALUE);
        for (int i = 0; i < max; i++) {
            var list = o.done.get(rnd.nextInt(o.done.size()));
            if (list.isEmpty() || rnd.nextInt(4) == 0) {
                ts.add(o.start - 5 + (long) (rnd.nextDouble() * (o.now - o.start + 10)));
                continue;
            }
            var iv = list.get(rnd.nextInt(list.size()));
            ts.add(iv.start() - 1);
            ts.add(iv.start());
            ts.add(iv.end());
            ts.add(iv.end() + 1);
        }
        return ts.stream().mapToLong(Long::longValue).toArray();
    }

    static void all(History h, Oracle o, long seed) {
        var rnd = new Random(seed);
        int count = o.done.size();
        assertThat(h.attributeCount()).isEqualTo(count);
        long[] ts = times(o, rnd, 300);
        for (long t : ts) {
            for (int i = 0; i < 8; i++) {
                int q = rnd.nextInt(count);
                same(h.at(t, q), o.at(t, q), t, q);
            }
        }
        var full = new FullState();
        for (int i = 0; i < 25; i++) {
            long t = ts[rnd.nextInt(ts.length)];
            h.fullAt(t, full);
            for (int q = 0; q < count; q++) same(full.state(q), o.at(t, q), t, q);
        }
        for (int i = 0; i < 10; i++) intervals(h, o, rnd);
        for (int i = 0; i < 10; i++) scan(h, o, rnd);
    }

    static void intervals(History h, Oracle o, Random rnd) {
        int q = rnd.nextInt(o.done.size());
        long span = Math.max(1, o.now - o.start);
        long t0 = o.start - 3 + (long) (rnd.nextDouble() * (span + 6));
        long t1 = t0 + (long) (rnd.nextDouble() * span / 2);
        var want = o.intervals(q, t0, t1);
        var got = new ArrayList<Oracle.Iv>();
        for (var it = h.intervals(q, t0, t1); it.next(); ) got.add(new Oracle.Iv(q, it.start(), it.end(), it.state().value()));
        assertThat(got).as("intervals of q=%d in [%d, %d]", q, t0, t1).isEqualTo(want);
    }

    static void scan(History h, Oracle o, Random rnd) {
        int count = o.done.size();
        int[] qs = rnd.ints(1 + rnd.nextInt(Math.min(count, 20)), 0, count).toArray();
        long span = Math.max(1, o.now - o.start);
        long t0 = o.start - 3 + (long) (rnd.nextDouble() * (span + 6));
        long t1 = t0 + (long) (rnd.nextDouble() * span);
        long step = Math.max(1, (t1 - t0) / (1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 1000)));
        Set<Oracle.Iv> got = new HashSet<>();
        List<Oracle.Iv> gotList = new ArrayList<>();
        h.scan(qs, t0, t1, step, (q, s, e, kind, l, d, str) -> {
            Object v = switch (kind) {
                case NULL -> null;
                case INT -> (int) l;
                case LONG -> l;
                case DOUBLE -> d;
                case STRING -> str;
            };
            var iv = new Oracle.Iv(q, s, e, v);
            got.add(iv);
            gotList.add(iv);
        });
        assertThat(gotList).as("each interval once").hasSameSizeAs(got);
        // Brute force: the samples, and for each the interval of each wanted quark containing it.
        Set<Oracle.Iv> want = new HashSet<>();
        long hi = Math.min(t1, o.now);
        var samples = new ArrayList<Long>();
        for (long s = t0; s <= hi; s += step) samples.add(s);
        if (hi >= t0) samples.add(hi); // t1 (or the end, if before t1) is a sample too
        for (int q : qs) {
            for (long s : samples) {
                var iv = o.at(s, q);
                if (iv != null) want.add(iv);
            }
        }
        assertThat(got).as("scan %s [%d, %d] step %d", java.util.Arrays.toString(qs), t0, t1, step)
                .isEqualTo(want);
    }
}
