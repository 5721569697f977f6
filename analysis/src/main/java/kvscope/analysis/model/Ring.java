package kvscope.analysis.model;

/**
 * State changes as primitive columns in a ring buffer that doubles when full: the two queues of {@link Reorder}.
 * Single-threaded; the owner reads the columns directly at {@link #head}.
 */
final class Ring {
    long[] t;
    int[] q;
    byte[] kind;
    long[] bits;
    String[] s;
    int head, size;

    Ring(int capacity) {
        t = new long[capacity];
        q = new int[capacity];
        kind = new byte[capacity];
        bits = new long[capacity];
        s = new String[capacity];
    }

    int mask() { return t.length - 1; }

    /** The slot after the last change, growing the ring first if it is full; {@link #size} is not changed. */
    int tail() {
        if (size == t.length) grow();
        return (head + size) & (t.length - 1);
    }

    void put(int i, long time, int quark, byte k, long b, String str) {
        t[i] = time;
        q[i] = quark;
        kind[i] = k;
        bits[i] = b;
        s[i] = str;
    }

    void move(int from, int to) { put(to, t[from], q[from], kind[from], bits[from], s[from]); }

    /** Drops the change at the head (and lets go of its string). */
    void pop() {
        s[head] = null;
        head = (head + 1) & (t.length - 1);
        size--;
    }

    private void grow() {
        var t2 = new long[t.length * 2];
        var q2 = new int[t2.length];
        var k2 = new byte[t2.length];
        var b2 = new long[t2.length];
        var s2 = new String[t2.length];
        for (int j = 0, mask = mask(); j < size; j++) {
            int from = (head + j) & mask;
            t2[j] = t[from];
            q2[j] = q[from];
            k2[j] = kind[from];
            b2[j] = bits[from];
            s2[j] = s[from];
        }
        t = t2;
        q = q2;
        kind = k2;
        bits = b2;
        s = s2;
        head = 0;
    }
}
