package kvscope.analysis.sync;

import java.util.Arrays;

/**
 * Messages from one host to another: when each was sent (sender's clock) and received (receiver's clock). With a cap,
 * the list is thinned evenly beyond it (every other one kept, then every fourth…), so what is kept still spans the
 * whole trace — a hull's bound stays provable, only less tight — and memory stays bounded (16 bytes a pair).
 */
final class PairList {
    private final int cap;
    private long[] v = new long[64];
    private int size, stride = 1;
    private long seen;

    /** A list that keeps every pair. */
    PairList() { this(Integer.MAX_VALUE); }

    /** A list that keeps at most {@code cap} pairs (a power of two), thinned evenly beyond it. */
    PairList(int cap) { this.cap = cap; }

    void add(long send, long receive) {
        if (seen++ % stride != 0) return;
        if (size == cap) {
            for (int i = 0; i < size / 2; i++) {
                v[2 * i] = v[4 * i];
                v[2 * i + 1] = v[4 * i + 1];
            }
            size /= 2;
            stride *= 2;
            if ((seen - 1) % stride != 0) return;
        }
        if (2 * size + 2 > v.length) v = Arrays.copyOf(v, v.length * 2);
        v[2 * size] = send;
        v[2 * size + 1] = receive;
        size++;
    }

    int size() { return size; }
    long send(int i) { return v[2 * i]; }
    long receive(int i) { return v[2 * i + 1]; }

    /** Pairs given but not kept (beyond the cap). */
    long thinned() { return seen - size; }

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
