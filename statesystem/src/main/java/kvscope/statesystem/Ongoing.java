package kvscope.statesystem;

import java.util.Arrays;

/**
 * What is not yet an interval: each attribute's value since its last change (Trace Compass's transient state). A
 * change ends the ongoing value, which becomes an interval for {@link RightBranch}; when the history is completed,
 * every ongoing value ends at once. While the history is being built, queries answer from here for the states that
 * have not ended ({@code end == State.ONGOING}).
 *
 * <p>Columns of primitives indexed by quark, grown with the attribute tree. The builder writes under the history's
 * write lock, queries read under its read lock.
 */
final class Ongoing {
    private byte[] kind = new byte[0];
    private long[] bits = new long[0];
    /** When each ongoing value began; Long.MIN_VALUE: null since the history's start (never set). */
    private long[] since = new long[0];

    /** Makes room for quarks below {@code attributeCount}: a new attribute is null since the history's start. */
    void grow(int attributeCount) {
        if (attributeCount <= kind.length) return;
        int len = Math.max(attributeCount, kind.length * 2);
        int old = kind.length;
        kind = Arrays.copyOf(kind, len);
        bits = Arrays.copyOf(bits, len);
        since = Arrays.copyOf(since, len);
        Arrays.fill(since, old, len, Long.MIN_VALUE);
    }

    int kind(int q) { return kind[q]; }

    long bits(int q) { return bits[q]; }

    /** When q's ongoing value began: its last change, or the history's start if it never changed. */
    long since(int q, long historyStart) {
        long s = since[q];
        return s == Long.MIN_VALUE ? historyStart : s;
    }

    /** Does q hold this value already (same kind and bits)? Then setting it again does not split its interval. */
    boolean holds(int q, int kind, long bits) { return this.kind[q] == kind && this.bits[q] == bits; }

    /** q holds this value from t on (the caller has stored the interval of the value it replaces). */
    void begin(int q, long t, int kind, long bits) {
        this.kind[q] = (byte) kind;
        this.bits[q] = bits;
        since[q] = t;
    }

    /** The depth a stack attribute holds: its INT value, 0 if null (or not a depth at all). */
    int stackDepth(int q, AttributeTree attrs) {
        if (kind[q] != StoredValues.INT || bits[q] <= 0) return 0;
        if (bits[q] >= 1 << 20)
            throw new IllegalStateException("stack " + attrs.path(q) + " is " + bits[q] + " deep: not a stack?");
        return (int) bits[q];
    }

    // ---------------------------------------------------------------- queries while building

    /** Single query: q's ongoing value if it began at or before t (the tree holds what ended before). */
    boolean find(int q, long t, long historyStart, Queries.Hit hit, Strings strings) {
        long s = since(q, historyStart);
        if (s > t) return false;
        hit.start = s;
        hit.end = State.ONGOING;
        hit.kind = kind[q];
        hit.bits = bits[q];
        hit.string = hit.kind == StoredValues.STRING ? strings.get(hit.bits) : null;
        return true;
    }

    /** Full query: the ongoing value of every attribute the tree had no state for at t. */
    void fill(FullState out, long t, int attributeCount, long historyStart, Strings strings) {
        for (int q = 0; q < attributeCount; q++) {
            if (out.kinds[q] >= 0) continue;
            long s = since(q, historyStart);
            if (s <= t) Queries.put(out, q, s, State.ONGOING, kind[q], bits[q], strings);
        }
    }

    /** Range query: the ongoing value of each attribute the scan still wants, if it holds a sample time. */
    void scan(int[] quarks, RangeScan scan, long historyStart, long now, Visitor visitor, Strings strings) {
        for (int q : quarks) {
            if (!scan.want[q]) continue;
            scan.want[q] = false; // a quark listed twice is still visited once
            long s = since(q, historyStart);
            if (scan.covers(s, now)) StoredValues.visit(visitor, q, s, State.ONGOING, kind[q], bits[q],
                    kind[q] == StoredValues.STRING ? strings.get(bits[q]) : null);
        }
    }
}
