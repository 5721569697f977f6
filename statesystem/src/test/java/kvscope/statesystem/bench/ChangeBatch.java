package kvscope.statesystem.bench;

import kvscope.statesystem.History;

import java.util.Arrays;

/**
 * The bench's changes in time order, as primitive columns, handed to {@link History#apply(History.Feed)} a batch at
 * a time — one lock per batch — as the analysis hands over its own (analysis.model.Reorder).
 */
final class ChangeBatch implements History.Feed {
    private static final byte LONG = 0, INT = 1, STRING = 2;

    private final long[] t;
    private final int[] q;
    private final byte[] kind;
    private final long[] bits;
    private final String[] s;
    private int n;

    ChangeBatch(int capacity) {
        t = new long[capacity];
        q = new int[capacity];
        kind = new byte[capacity];
        bits = new long[capacity];
        s = new String[capacity];
    }

    void set(long time, int quark, long value) { add(time, quark, LONG, value, null); }

    void set(long time, int quark, int value) { add(time, quark, INT, value, null); }

    /** A string state; null clears. */
    void set(long time, int quark, String value) { add(time, quark, STRING, 0, value); }

    boolean isFull() { return n == t.length; }

    /** Empties the batch for reuse (and lets go of its strings). */
    void reset() {
        Arrays.fill(s, 0, n, null);
        n = 0;
    }

    private void add(long time, int quark, byte k, long b, String str) {
        if (n == t.length) throw new IllegalStateException("batch full (" + n + " changes): apply it first");
        t[n] = time;
        q[n] = quark;
        kind[n] = k;
        bits[n] = b;
        s[n] = str;
        n++;
    }

    /** The whole batch under one lock. */
    @Override public boolean into(History.Writer w) {
        for (int i = 0; i < n; i++) {
            switch (kind[i]) {
                case LONG -> w.set(t[i], q[i], bits[i]);
                case INT -> w.set(t[i], q[i], (int) bits[i]);
                default -> w.set(t[i], q[i], s[i]);
            }
        }
        return false;
    }
}
