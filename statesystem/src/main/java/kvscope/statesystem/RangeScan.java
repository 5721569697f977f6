package kvscope.statesystem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.stream.IntStream;

/**
 * One range query at a resolution ({@link History#scan}): walks the subtrees whose time range holds a sample time and,
 * in each node, only the blocks of the wanted attributes that hold one. Sample times are {@code t0 + k·step ≤ t1}
 * and {@code t1}; an interval is visited if it contains one, exactly once (it is stored in one node only).
 */
final class RangeScan {
    private final NodeStore store;
    private final Strings strings;
    private final int nodeSize, maxChildren;
    final long t0, t1, step;
    private final Visitor visitor;
    final boolean[] want;
    private final int[] sorted;
    private final NodeFormat.Cursor cur = new NodeFormat.Cursor();
    private final ArrayList<ByteBuffer> heaps = new ArrayList<>();

    RangeScan(NodeStore store, Strings strings, int nodeSize, int maxChildren, long t0, long t1, long step,
              Visitor visitor, int attributeCount, int[] quarks) {
        this.store = store;
        this.strings = strings;
        this.nodeSize = nodeSize;
        this.maxChildren = maxChildren;
        this.t0 = t0;
        this.t1 = t1;
        this.step = step;
        this.visitor = visitor;
        this.want = new boolean[attributeCount];
        for (int q : quarks) want[q] = true;
        this.sorted = IntStream.of(quarks).sorted().distinct().toArray();
    }

    /** The first sample time ≥ s (t1 is a sample too; there are none before t0), or Long.MAX_VALUE if none. */
    long sampleAtOrAfter(long s) {
        if (s > t1) return Long.MAX_VALUE;
        if (s <= t0) return t0;
        long k = (s - t0 + step - 1) / step;
        long sample = t0 + k * step;
        return sample > t1 || sample < t0 ? t1 : sample;
    }

    /** Does [s, e] contain a sample time? */
    boolean covers(long s, long e) {
        long lo = Math.max(s, t0), hi = Math.min(e, t1);
        if (lo > hi) return false;
        if (hi == t1) return true;
        long k = Math.floorDiv(lo - t0 + step - 1, step);
        long sample = t0 + k * step;
        return sample >= lo && sample <= hi;
    }

    /** The open right-most branch from height h down (while building), and the closed subtrees it points to. */
    void open(OpenNode[] branch, int h, long now) {
        OpenNode node = branch[h];
        if (!covers(node.start, now)) return;
        for (int i = 0; i < node.n; i++) {
            int q = node.quark[i];
            if (q < want.length && want[q] && covers(node.starts[i], node.ends[i]))
                emit(q, node.starts[i], node.ends[i], node.kinds[i], node.bits[i]);
        }
        for (int c = 0; c < node.childCount; c++) {
            long cs = node.childStart[c];
            int seq = node.childSeq[c];
            if (h > 0 && seq == branch[h - 1].seq) open(branch, h - 1, now);
            else {
                long ce = c + 1 < node.childCount ? node.childStart[c + 1] - 1 : now;
                if (covers(cs, ce)) closed(seq, cs, ce, 0);
            }
        }
    }

    /** A closed node covering [ns, ne] and its subtree; depth picks this level's heap buffer. */
    void closed(int seq, long ns, long ne, int depth) {
        if (!covers(ns, ne)) return;
        var v = store.view(seq, new NodeFormat.View());
        v.onHeap(heap(depth), nodeSize);
        int n = v.entries();
        int i = 0;
        for (int q : sorted) { // wanted quarks in order: gallop from one group to the next
            i = v.firstEntryFrom(i, q);
            if (i >= n) break;
            if (v.entryQuark(i) != q) continue;
            int end = v.groupEnd(i, q);
            quark(v, q, i, end);
            i = end;
        }
        int children = v.childCount();
        for (int c = 0; c < children; c++) {
            long cs = v.childStart(c);
            long ce = v.childEnd(c);
            if (covers(cs, ce)) closed(v.childSeq(c), cs, ce, depth + 1);
        }
    }

    /** A node-size heap buffer per recursion depth: the node's child table is still read after the recursion. */
    private ByteBuffer heap(int depth) {
        while (heaps.size() <= depth) heaps.add(ByteBuffer.allocate(nodeSize).order(ByteOrder.LITTLE_ENDIAN));
        return heaps.get(depth);
    }

    /**
     * Quark q's records in one node (index entries [from, to)), visited sample by sample: gallop to the block
     * holding the sample, decode forward to the record containing it, emit, jump to the first sample after that
     * record. Blocks holding no sample are never decoded, so the work follows the number of samples more than the
     * number of intervals.
     */
    private void quark(NodeFormat.View v, int q, int from, int to) {
        long t = sampleAtOrAfter(v.entryStart(from));
        if (t == Long.MAX_VALUE || t > v.end()) return;
        cur.group(v, from, to);
        int block = -1;
        boolean have = false, advance = false;
        int k = 0;
        while (t != Long.MAX_VALUE) {
            int b = cur.lastBlockAtOrBefore(k, t);
            if (b != block) {
                block = b;
                k = b;
                cur.seek(b);
                have = cur.next();
            } else if (advance) {
                have = cur.next(); // decoded only now: the next sample may have been in a later block
            }
            advance = false;
            while (have && cur.end < t) have = cur.next();
            if (!have) return; // the group is exhausted
            if (cur.start <= t) {
                emit(q, cur.start, cur.end, cur.kind, cur.bits());
                // the next sample after this interval: usually the next one (no division), else computed
                t = cur.end - t < step && t <= t1 - step ? t + step : sampleAtOrAfter(cur.end + 1);
                advance = true;
            } else {
                t = sampleAtOrAfter(cur.start); // a gap: q's state then lives in another node
            }
        }
    }

    void emit(int q, long s, long e, int kind, long bits) {
        Values.visit(visitor, q, s, e, kind, bits, kind == Values.STRING ? strings.get(bits) : null);
    }
}
