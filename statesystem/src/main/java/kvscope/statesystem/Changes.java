package kvscope.statesystem;

import java.util.Arrays;

/**
 * State changes in time order, as primitive columns, for {@link History#apply}: a builder that makes millions of
 * changes hands them over a batch at a time, so the history takes its lock once per batch rather than per change.
 */
public final class Changes {
    long[] t;
    int[] q;
    byte[] kind;
    long[] bits;
    String[] s;
    int n;

    public Changes(int capacity) {
        t = new long[capacity];
        q = new int[capacity];
        kind = new byte[capacity];
        bits = new long[capacity];
        s = new String[capacity];
    }

    public void set(long time, int quark, long value) { add(time, quark, StoredValues.LONG, value, null); }
    public void set(long time, int quark, int value) { add(time, quark, StoredValues.INT, value, null); }
    public void set(long time, int quark, double value) { add(time, quark, StoredValues.DOUBLE, Double.doubleToLongBits(value), null); }
    /** A string state; null clears. */
    public void set(long time, int quark, String value) { add(time, quark, value == null ? StoredValues.NULL : StoredValues.STRING, 0, value); }
    public void clear(long time, int quark) { add(time, quark, StoredValues.NULL, 0, null); }

    public int size() { return n; }
    public boolean isFull() { return n == t.length; }

    /** Empties the batch for reuse (and lets go of its strings). */
    public void reset() {
        Arrays.fill(s, 0, n, null);
        n = 0;
    }

    private void add(long time, int quark, int k, long b, String str) {
        if (n == t.length) throw new IllegalStateException("batch full (" + n + " changes): apply it first");
        t[n] = time;
        q[n] = quark;
        kind[n] = (byte) k;
        bits[n] = b;
        s[n] = str;
        n++;
    }
}
