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
    /** The last grid sample is t0 + lastK·step (unsigned), the last one ≤ t1. */
    private final long lastK;
    private final Visitor visitor;
    final boolean[] want;
    private final int[] sorted;
    private final NodeFormat.Cursor cur = new NodeFormat.Cursor();
    /**
     * Records are copied from the mapping in windows of this many bytes, as the scan moves forward through a node
     * (groups are in quark order, the wanted quarks sorted, and a group's blocks in time order), each window starting
     * at the next block wanted: a query for few attributes skips what lies between their groups, where a copy of the
     * whole node did not. (Reading the records straight from the mapping is twice as slow as copying them: see
     * {@link NodeFormat.View#indexOnHeap}. At 100 M intervals, 1 000 of 10 000 attributes, windows of 16, 64 and
     * 256 KiB measured the same.)
     */
    private static final int WINDOW = 16 << 10;
    private byte[] window = new byte[WINDOW];
    /** The node's mapping (its view reads the heap copy of the index) and the node-relative span in the window. */
    private ByteBuffer mapped;
    private int mappedBase, windowLo, windowHi;
    private final ArrayList<ByteBuffer> heaps = new ArrayList<>();
    private final ArrayList<NodeFormat.View> views = new ArrayList<>();

    RangeScan(NodeStore store, Strings strings, int nodeSize, int maxChildren, long t0, long t1, long step,
              Visitor visitor, int attributeCount, int[] quarks) {
        this.store = store;
        this.strings = strings;
        this.nodeSize = nodeSize;
        this.maxChildren = maxChildren;
        this.t0 = t0;
        this.t1 = t1;
        this.step = step;
        this.lastK = t1 >= t0 ? Long.divideUnsigned(t1 - t0, step) : -1;
        this.visitor = visitor;
        this.want = new boolean[attributeCount];
        for (int q : quarks) want[q] = true;
        this.sorted = IntStream.of(quarks).sorted().distinct().toArray();
    }

    /**
     * The first sample time ≥ s (t1 is a sample too; there are none before t0), or Long.MAX_VALUE if none. Exact for
     * any times and step: differences of times are taken as unsigned numbers (t0 ≤ s ≤ t1, so they fit), and a grid
     * sample beyond t1 is never formed, so nothing overflows (a step near Long.MAX_VALUE once wrapped to a false hit).
     */
    long sampleAtOrAfter(long s) {
        if (s > t1) return Long.MAX_VALUE;
        if (s <= t0) return t0;
        long d = s - t0;
        long k = Long.divideUnsigned(d, step);
        if (d - k * step != 0) k++; // one division, not a second for the remainder
        return Long.compareUnsigned(k, lastK) > 0 ? t1 : t0 + k * step;
    }

    /** Does [s, e] contain a sample time? */
    boolean covers(long s, long e) {
        long lo = Math.max(s, t0), hi = Math.min(e, t1);
        if (lo > hi) return false;
        return hi == t1 || sampleAtOrAfter(lo) <= hi;
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

    /** A closed node covering [ns, ne] and its subtree; depth picks this level's heap buffer and view. */
    void closed(int seq, long ns, long ne, int depth) {
        if (!covers(ns, ne)) return;
        var v = store.view(seq, view(depth));
        var heap = heap(depth);
        mapped = v.buf;
        mappedBase = v.base;
        windowLo = windowHi = 0;
        v.indexOnHeap(heap);
        long first = sampleAtOrAfter(v.start()); // the node's first sample: most groups start before it
        for (int q : sorted) {
            int k = v.group(q);
            if (k < 0) continue;
            int from = v.groupFrom(k), to = v.groupTo(k);
            if (v.groupUsable(from, to)) quark(v, q, from, to, first);
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

    private NodeFormat.View view(int depth) {
        while (views.size() <= depth) views.add(new NodeFormat.View());
        return views.get(depth);
    }

    /**
     * The first sample ≥ x, given t, a sample ≤ x: a step on without a division when x is within a step of t (the
     * usual case: an interval a sample ends in), else {@link #sampleAtOrAfter}. Differences that overflow take the
     * division, which is always right.
     */
    long sampleFrom(long t, long x) {
        if (x <= t) return t;
        long d = x - t;
        if (d > 0 && d <= step && t1 - t >= step) return t + step;
        return sampleAtOrAfter(x);
    }

    /**
     * Quark q's records in one node (its group: index entries [from, to)), in one forward pass from the block holding
     * the first sample: each record is checked against the next sample (two compares), emitted if it holds it, and
     * whenever the next sample lies beyond the next block's start the pass jumps through the index, so blocks holding
     * no sample are never decoded. Within a group records follow each other in time; in a core node they have gaps
     * (q's states in between live in the children), which cost a compare too, not a search.
     */
    private void quark(NodeFormat.View v, int q, int from, int to, long first) {
        long gs = v.entryStart(from);
        long t = sampleFrom(first, gs); // most groups start before the node's first sample, or within a step
        long nodeEnd = v.end();
        if (t > nodeEnd) return; // also "no sample left" (Long.MAX_VALUE): records end within the node
        int block = from;
        long nextBlock = gs; // ≤ t: the first turn jumps to the block holding t
        while (true) {
            if (t >= nextBlock) { // the record holding t starts in a later block: skip the blocks in between
                block = v.lastAtOrBefore(block, to, t);
                if (!load(v, block)) return;
                nextBlock = block + 1 < to ? v.entryStart(block + 1) : Long.MAX_VALUE;
            }
            if (!cur.next()) { // the block's end: on to the next block of the group, if any
                if (++block >= to || !load(v, block)) return;
                nextBlock = block + 1 < to ? v.entryStart(block + 1) : Long.MAX_VALUE;
                continue;
            }
            long e = cur.end;
            if (e < t) continue;
            long s = cur.start;
            if (s > t) { // a gap before this record: q's state at t lives in another node
                t = sampleFrom(t, s);
                if (t > nodeEnd) return;
                if (t > e) continue;
            }
            emit(q, s, e, cur.kind, cur.bits());
            if (e >= t1) return;
            t = sampleFrom(t, e + 1);
            if (t > nodeEnd) return;
        }
    }

    /**
     * Points the cursor at block i, in the window of the node's records copied to the heap, first moving the window
     * on if the block is beyond it. False if the index says the block lies outside the records: a checksum can match
     * a node a buggy writer got wrong, and nothing outside them is decoded.
     */
    private boolean load(NodeFormat.View v, int i) {
        int at = v.entryOffset(i), limit = v.entryLimit(i);
        if (at < v.recordsStart() || limit < at || limit > v.recordsEnd()) return false;
        if (at < windowLo || limit > windowHi) {
            int len = Math.min(v.recordsEnd() - at, Math.max(WINDOW, limit - at));
            if (len > window.length) window = new byte[len];
            mapped.get(mappedBase + at, window, 0, len);
            windowLo = at;
            windowHi = at + len;
        }
        cur.over(window, at - windowLo, limit - windowLo, v.entryStart(i));
        return true;
    }

    void emit(int q, long s, long e, int kind, long bits) {
        StoredValues.visit(visitor, q, s, e, kind, bits, kind == StoredValues.STRING ? strings.get(bits) : null);
    }
}
