package kvscope.statesystem;

import java.util.Arrays;

/**
 * The node open at one height of the right-most branch, in memory until it closes. One object per height, reused
 * for every node of that height (no allocation per node on the build path). Records are kept in arrival order with a
 * per-quark chain, so closing walks quarks in order — the records themselves are never sorted.
 */
final class OpenNode {
    final int height;
    final int capacity;
    final int maxChildren;

    int seq;
    long start;
    int childCount;
    final int[] childSeq;
    final long[] childStart;

    int n;
    /** Bytes the node needs so far: records, index entries and the quark directory (exact). */
    int bytes;
    int entries;
    /** Some block starts 2^32 ns or more after the node: its index entries are wide (see {@link NodeFormat}). */
    boolean wide;
    /** Lowest and highest quark with records here (valid when distinctCount > 0). */
    int qlo, qhi;
    int[] quark = new int[1024];
    long[] starts = new long[1024];
    long[] ends = new long[1024];
    byte[] kinds = new byte[1024];
    long[] bits = new long[1024];
    int[] next = new int[1024];

    /** Per quark: seq of the node that last saw it (the marks below are valid only if it equals {@link #seq}). */
    int[] seen = new int[0];
    int[] first = new int[0];
    int[] last = new int[0];
    int[] count = new int[0];
    int[] distinct = new int[64];
    int distinctCount;

    OpenNode(int height, int nodeSize, int maxChildren) {
        this.height = height;
        this.maxChildren = maxChildren;
        this.capacity = nodeSize - NodeFormat.childrenEnd(height, maxChildren);
        this.childSeq = height == 0 ? new int[0] : new int[maxChildren];
        this.childStart = height == 0 ? new long[0] : new long[maxChildren];
    }

    void reset(int seq, long start) {
        this.seq = seq;
        this.start = start;
        childCount = 0;
        n = 0;
        bytes = 0;
        entries = 0;
        wide = false;
        distinctCount = 0;
    }

    boolean fullOfChildren() { return childCount == maxChildren; }

    void addChild(int seq, long start) {
        childSeq[childCount] = seq;
        childStart[childCount++] = start;
    }

    private void ensureQuark(int q) {
        if (q >= seen.length) {
            int len = Math.max(q + 1, seen.length * 2);
            int old = seen.length;
            seen = Arrays.copyOf(seen, len);
            Arrays.fill(seen, old, len, -1);
            first = Arrays.copyOf(first, len);
            last = Arrays.copyOf(last, len);
            count = Arrays.copyOf(count, len);
        }
    }

    /**
     * Bytes the record adds to the node: its encoding; if it starts a block, an index entry (and, if it is the first
     * block starting 2^32 ns or more after the node, the widening of every entry); if its quark is new here, the
     * directory's growth.
     */
    int sizeOf(int q, long s, long e, int kind, long valueBits) {
        ensureQuark(q);
        int size = 1 + NodeFormat.varLen(e - s) + NodeFormat.valueLen(kind, valueBits);
        boolean here = seen[q] == seq;
        if (here && count[q] % NodeFormat.BLOCK != 0) {
            long gap = s - ends[last[q]] - 1;
            if (gap != 0) size += NodeFormat.varLen(gap);
        } else if (wide) size += NodeFormat.WIDE;
        else if (Long.compareUnsigned(s - start, NodeFormat.NARROW_MAX) > 0)
            size += NodeFormat.WIDE + entries * (NodeFormat.WIDE - NodeFormat.NARROW);
        else size += NodeFormat.NARROW;
        if (!here) {
            int old = NodeFormat.dirBytes(qlo, qhi, distinctCount);
            size += distinctCount == 0 ? NodeFormat.dirBytes(q, q, 1)
                    : NodeFormat.dirBytes(Math.min(qlo, q), Math.max(qhi, q), distinctCount + 1) - old;
        }
        return size;
    }

    /** Adds a record; {@code size} is what {@link #sizeOf} said (the caller checked that it fits). */
    void add(int q, long s, long e, int kind, long valueBits, int size) {
        if (n == quark.length) grow();
        int i = n++;
        quark[i] = q;
        starts[i] = s;
        ends[i] = e;
        kinds[i] = (byte) kind;
        bits[i] = valueBits;
        next[i] = -1;
        if (seen[q] == seq) {
            next[last[q]] = i;
        } else {
            seen[q] = seq;
            first[q] = i;
            count[q] = 0;
            if (distinctCount == distinct.length) distinct = Arrays.copyOf(distinct, distinctCount * 2);
            if (distinctCount == 0) qlo = qhi = q;
            else {
                qlo = Math.min(qlo, q);
                qhi = Math.max(qhi, q);
            }
            distinct[distinctCount++] = q;
        }
        if (count[q]++ % NodeFormat.BLOCK == 0) {
            entries++;
            if (Long.compareUnsigned(s - start, NodeFormat.NARROW_MAX) > 0) wide = true;
        }
        last[q] = i;
        bytes += size;
    }

    private void grow() {
        int len = quark.length * 2;
        quark = Arrays.copyOf(quark, len);
        starts = Arrays.copyOf(starts, len);
        ends = Arrays.copyOf(ends, len);
        kinds = Arrays.copyOf(kinds, len);
        bits = Arrays.copyOf(bits, len);
        next = Arrays.copyOf(next, len);
    }

    /** First record index of quark q in this node, or -1. */
    int firstOf(int q) {
        return q < seen.length && seen[q] == seq ? first[q] : -1;
    }

    /** Index of the last child starting at or before t. */
    int childAt(long t) {
        int lo = 0, hi = childCount - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (childStart[mid] <= t) {
                found = mid;
                lo = mid + 1;
            } else hi = mid - 1;
        }
        return found;
    }

    /** Where {@link #encodeGroup} writes the next index entry and the next record. */
    private int encEntry, encRecord;

    /**
     * Puts the quarks with records here in {@code distinct} in order, returns their count. A dense node (quarks
     * spanning at most 4× their count) is walked by quark, which is cheaper than a sort — and at the start of a build
     * cheaper still, as the sort's code is not yet compiled (10 000 quarks, sorted interpreted, took milliseconds).
     */
    private int sortedQuarks() {
        if (distinctCount == 0) return 0;
        if ((long) qhi - qlo + 1 > 4L * distinctCount) {
            Arrays.sort(distinct, 0, distinctCount);
            return distinctCount;
        }
        int k = 0;
        for (int q = qlo; q <= qhi; q++) if (seen[q] == seq) distinct[k++] = q;
        return k;
    }

    /**
     * Writes quark q's index entries and records. One call per quark, not one loop over the whole node in
     * {@link #encode}: a fresh JVM compiles a method after a few hundred calls, while a loop inside one long call waits
     * for tens of thousands of iterations to be compiled on the stack — the first nodes of a build were encoded by the
     * interpreter (measured at 1 M changes: encoding took 80–90 ms of a 250 ms build).
     */
    private void encodeGroup(byte[] b, int q, int entrySize) {
        int entry = encEntry, p = encRecord;
        long prevEnd = 0;
        int k = 0;
        for (int i = first[q]; i >= 0; i = next[i], k++) {
            boolean blockStart = k % NodeFormat.BLOCK == 0;
            if (blockStart) {
                NodeFormat.putInt(b, entry, p);
                if (wide) NodeFormat.putLong(b, entry + 4, starts[i]);
                else NodeFormat.putInt(b, entry + 4, (int) (starts[i] - start));
                entry += entrySize;
            }
            // a block's start is in its index entry; other records start at the previous end + 1 + gap
            p = encodeRecord(b, p, kinds[i], bits[i], blockStart ? 0 : starts[i] - prevEnd - 1, ends[i] - starts[i]);
            prevEnd = ends[i];
        }
        encEntry = entry;
        encRecord = p;
    }

    private static int encodeRecord(byte[] b, int p, int kind, long v, long gap, long duration) {
        int inline = NodeFormat.inline(kind, v);
        b[p++] = (byte) (kind | (gap != 0 ? 8 : 0) | inline << 4);
        if (gap != 0) p = NodeFormat.putVar(b, p, gap);
        p = NodeFormat.putVar(b, p, duration);
        if (inline == 0) {
            switch (kind) {
                case StoredValues.NULL -> { }
                case StoredValues.INT, StoredValues.LONG -> p = NodeFormat.putVar(b, p, NodeFormat.zigzag(v));
                case StoredValues.DOUBLE -> {
                    NodeFormat.putLong(b, p, v);
                    p += 8;
                }
                default -> p = NodeFormat.putVar(b, p, v);
            }
        }
        return p;
    }

    /** Serialises the node, closed at {@code end}, into {@code b} (node-size; checksum left to the store). */
    void encode(long end, byte[] b) {
        Arrays.fill(b, 0, NodeFormat.HEADER, (byte) 0);
        boolean dense = distinctCount == 0 || NodeFormat.denseDir(qlo, qhi, distinctCount);
        int slots = distinctCount == 0 ? 0 : dense ? qhi - qlo + 2 : distinctCount;
        b[NodeFormat.O_HEIGHT] = (byte) height;
        b[NodeFormat.O_FLAGS] = (byte) ((wide ? NodeFormat.F_WIDE : 0) | (dense ? 0 : NodeFormat.F_SPARSE));
        b[NodeFormat.O_CHILDREN] = (byte) childCount;
        b[NodeFormat.O_CHILDREN + 1] = (byte) (childCount >>> 8);
        NodeFormat.putInt(b, NodeFormat.O_SEQ, seq);
        NodeFormat.putInt(b, NodeFormat.O_COUNT, n);
        NodeFormat.putLong(b, NodeFormat.O_START, start);
        NodeFormat.putLong(b, NodeFormat.O_END, end);
        NodeFormat.putInt(b, NodeFormat.O_ENTRIES, entries);
        NodeFormat.putInt(b, NodeFormat.O_DIRBASE, distinctCount == 0 ? 0 : qlo);
        NodeFormat.putInt(b, NodeFormat.O_SLOTS, slots);
        int ce = NodeFormat.childrenEnd(height, maxChildren);
        Arrays.fill(b, NodeFormat.HEADER, ce, (byte) 0);
        for (int i = 0; i < childCount; i++) {
            NodeFormat.putInt(b, NodeFormat.HEADER + 4 * i, childSeq[i]);
            NodeFormat.putLong(b, NodeFormat.HEADER + 4 * maxChildren + 8 * i, childStart[i]);
        }
        int dir = ce;
        int entrySize = wide ? NodeFormat.WIDE : NodeFormat.NARROW;
        int entry = ce + NodeFormat.dirBytes(qlo, qhi, distinctCount);
        int firstEntry = entry;
        int data = entry + entries * entrySize;
        int p = data;
        int quarks = sortedQuarks();
        int nextQuark = qlo; // dense: the next directory slot's quark
        encEntry = entry;
        encRecord = p;
        for (int d = 0; d < quarks; d++) {
            int q = distinct[d];
            int entryIndex = (encEntry - firstEntry) / entrySize;
            if (dense) {
                for (; nextQuark <= q; nextQuark++, dir += 4) NodeFormat.putInt(b, dir, entryIndex);
            } else {
                NodeFormat.putInt(b, dir, q);
                NodeFormat.putInt(b, dir + 4, entryIndex);
                dir += 8;
            }
            encodeGroup(b, q, entrySize);
        }
        entry = encEntry;
        p = encRecord;
        if (dense && distinctCount > 0) NodeFormat.putInt(b, dir, entries); // the last slot: end of the last group
        if (entry != data) throw new IllegalStateException("index entries " + (entry - firstEntry) / entrySize + " != " + entries);
        if (p - ce > bytes) throw new IllegalStateException("node " + seq + " encodes to " + (p - ce) + " bytes, sized " + bytes);
        NodeFormat.putInt(b, NodeFormat.O_DATALEN, p - data);
        Arrays.fill(b, p, b.length, (byte) 0);
    }
}
