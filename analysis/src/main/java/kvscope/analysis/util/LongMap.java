package kvscope.analysis.util;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An open-addressing map from long keys to objects: no boxing of keys on the per-event lookup path. */
public final class LongMap<V> {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] keys = new long[16];
    private Object[] values = new Object[16];
    private int size;

    public LongMap() { Arrays.fill(keys, EMPTY); }

    @SuppressWarnings("unchecked")
    public V get(long key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) return (V) values[i];
            if (k == EMPTY) return null;
        }
    }

    public void put(long key, V value) {
        if (key == EMPTY) throw new IllegalArgumentException("reserved key");
        if ((size + 1) * 2 > keys.length) grow();
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == key) { values[i] = value; return; }
            if (keys[i] == EMPTY) { keys[i] = key; values[i] = value; size++; return; }
        }
    }

    public int size() { return size; }

    public void clear() {
        Arrays.fill(keys, EMPTY);
        Arrays.fill(values, null);
        size = 0;
    }

    @SuppressWarnings("unchecked")
    public List<V> values() {
        var out = new ArrayList<V>(size);
        for (int i = 0; i < keys.length; i++) if (keys[i] != EMPTY) out.add((V) values[i]);
        return out;
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        var oldK = keys;
        var oldV = values;
        keys = new long[oldK.length * 2];
        values = new Object[oldK.length * 2];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldK.length; i++) if (oldK[i] != EMPTY) put(oldK[i], (V) oldV[i]);
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
