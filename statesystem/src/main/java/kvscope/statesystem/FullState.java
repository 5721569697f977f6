package kvscope.statesystem;

import java.util.Arrays;

/**
 * The state of every attribute at one time: filled by {@link History#fullAt(long, FullState)}, reusable across queries
 * (no allocation per query once sized). Indexed by quark.
 */
public final class FullState {
    long time;
    byte[] kinds = new byte[0];
    long[] bits = new long[0];
    long[] starts = new long[0];
    long[] ends = new long[0];
    String[] strings = new String[0];
    int size;

    void reset(long t, int count) {
        time = t;
        if (kinds.length < count) {
            int n = Math.max(count, kinds.length * 2);
            kinds = new byte[n];
            bits = new long[n];
            starts = new long[n];
            ends = new long[n];
            strings = new String[n];
        }
        size = count;
        Arrays.fill(kinds, 0, count, (byte) -1);
        Arrays.fill(strings, 0, count, null);
    }

    void put(int q, long start, long end, int kind, long valueBits, String s) {
        kinds[q] = (byte) kind;
        starts[q] = start;
        ends[q] = end;
        bits[q] = valueBits;
        strings[q] = s;
    }

    /** The time queried. */
    public long time() { return time; }

    /** Number of quarks covered (the attribute count at query time). */
    public int size() { return size; }

    /** False if the time was outside the history, so no attribute has a state. */
    public boolean known(int q) { return q < size && kinds[q] >= 0; }

    public ValueKind kind(int q) { return known(q) ? ValueKind.of(kinds[q]) : ValueKind.NULL; }

    public long start(int q) { return starts[q]; }

    public long end(int q) { return ends[q]; }

    public long longValue(int q) { return kinds[q] == ValueKind.DOUBLE.ordinal() ? (long) Double.longBitsToDouble(bits[q]) : bits[q]; }

    public int intValue(int q) { return (int) longValue(q); }

    public double doubleValue(int q) { return kinds[q] == ValueKind.DOUBLE.ordinal() ? Double.longBitsToDouble(bits[q]) : bits[q]; }

    public String string(int q) { return strings[q]; }

    /** One attribute's state as a record (allocates), or null if unknown. */
    public State state(int q) {
        if (!known(q)) return null;
        return StoredValues.state(q, starts[q], ends[q], kinds[q], bits[q], strings[q]);
    }
}
