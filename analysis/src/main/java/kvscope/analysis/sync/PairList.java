package kvscope.analysis.sync;

import java.util.Arrays;

/** Messages from one host to another: when each was sent (sender's clock) and received (receiver's clock). */
final class PairList {
    private long[] v = new long[64];
    private int size;

    void add(long send, long receive) {
        if (2 * size + 2 > v.length) v = Arrays.copyOf(v, v.length * 2);
        v[2 * size] = send;
        v[2 * size + 1] = receive;
        size++;
    }

    int size() { return size; }
    long send(int i) { return v[2 * i]; }
    long receive(int i) { return v[2 * i + 1]; }

    /** The middle of the times on the receiving side's clock (where a drift's reference time is best put). */
    long receiveMid() {
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            lo = Math.min(lo, receive(i));
            hi = Math.max(hi, receive(i));
        }
        return size == 0 ? 0 : lo + (hi - lo) / 2;
    }
}
