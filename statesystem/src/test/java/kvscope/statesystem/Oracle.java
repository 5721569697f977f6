package kvscope.statesystem;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Brute-force model of a history: every interval of every attribute in a flat list, answered by linear search. Shares
 * nothing with the tree but the documented semantics (same value continues; same-time sets: last wins; every
 * attribute null from the start).
 */
final class Oracle {
    record Iv(int q, long start, long end, Object value) {
        boolean contains(long t) { return start <= t && t <= end; }
    }

    final List<List<Iv>> done = new ArrayList<>();
    final List<Object> cur = new ArrayList<>();
    final List<Long> curStart = new ArrayList<>();
    long start = Long.MIN_VALUE, now = Long.MIN_VALUE;
    boolean closed;

    void attribute(int q) {
        while (done.size() <= q) {
            done.add(new ArrayList<>());
            cur.add(null);
            curStart.add(Long.MIN_VALUE);
        }
    }

    void set(long t, int q, Object v) {
        if (start == Long.MIN_VALUE) start = t;
        now = t;
        if (Objects.equals(cur.get(q), v) && sameKind(cur.get(q), v)) return;
        long s = curStart.get(q) == Long.MIN_VALUE ? start : curStart.get(q);
        if (t > s) done.get(q).add(new Iv(q, s, t - 1, cur.get(q)));
        cur.set(q, v);
        curStart.set(q, t);
    }

    private static boolean sameKind(Object a, Object b) {
        return a == null ? b == null : b != null && a.getClass() == b.getClass();
    }

    void complete(long t) {
        if (start == Long.MIN_VALUE) start = t;
        now = t;
        for (int q = 0; q < done.size(); q++) {
            long s = curStart.get(q) == Long.MIN_VALUE ? start : curStart.get(q);
            done.get(q).add(new Iv(q, s, t, cur.get(q)));
        }
        closed = true;
    }

    /** State at t, with end = ONGOING for a state not yet ended; null outside [start, now]. */
    Iv at(long t, int q) {
        if (start == Long.MIN_VALUE || t < start || t > now) return null;
        for (Iv iv : done.get(q)) if (iv.contains(t)) return iv;
        if (!closed) {
            long s = curStart.get(q) == Long.MIN_VALUE ? start : curStart.get(q);
            if (s <= t) return new Iv(q, s, State.ONGOING, cur.get(q));
        }
        return null;
    }

    /** Every interval of q (ended ones, then the ongoing one) intersecting [t0, t1] within [start, now]. */
    List<Iv> intervals(int q, long t0, long t1) {
        var out = new ArrayList<Iv>();
        if (start == Long.MIN_VALUE) return out;
        long lo = Math.max(t0, start), hi = Math.min(t1, now);
        for (Iv iv : done.get(q)) if (iv.start <= hi && iv.end >= lo) out.add(iv);
        if (!closed) {
            long s = curStart.get(q) == Long.MIN_VALUE ? start : curStart.get(q);
            if (s <= hi && lo <= hi) out.add(new Iv(q, s, State.ONGOING, cur.get(q)));
        }
        return out;
    }

    static Object value(State s) { return s == null ? null : s.value(); }
}
