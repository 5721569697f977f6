package kvscope.statesystem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The layout of one fixed-size node on disk, and the varint codec of its intervals. Little-endian. Format version 2.
 *
 * <pre>
 * 0  int   CRC32C of bytes [4, nodeSize)          — flipped bytes are detected when the node is first read
 * 4  byte  height (0 = leaf; unsigned, so a tree is at most 256 levels deep)
 * 5  byte  flags: 1 = wide index entries, 2 = sparse quark directory
 * 6  short child count
 * 8  int   seq (node number; position = 128 + seq * nodeSize)
 * 12 int   record count
 * 16 long  start (inclusive)          24 long end (inclusive)
 * 32 int   data length                36 int  index entry count
 * 40 int   directory base quark       44 int  directory slots
 * 48 core nodes only: maxChildren × int child seq, then maxChildren × long child start
 *    quark directory: dense: slots ints, slot i = the first index entry of quark base + i, the last slot = entry
 *                     count (quark base + i owns entries [slot i, slot i + 1)); sparse (when smaller): slots pairs
 *                     (int quark, int first entry) sorted by quark, a group ending where the next pair's begins
 *    index: one entry per block of up to 4 records of one quark, sorted by (quark, start): narrow (8 bytes: int
 *           record offset in node, int start − node start, unsigned) or, if a start is 2^32 ns or more after the
 *           node's start, wide (12 bytes: int offset, long start)
 *    records, sorted by (quark, start)
 * </pre>
 *
 * A record: a tag byte {@code kind | gap << 3 | inline << 4} ({@code inline} = 1 + a small INT/LONG value or string
 * id 0..14 kept in the tag). A record starts at the previous record's end + 1 — a block's first record at its index
 * entry's start — plus, if {@code gap} is set, a varint that follows the tag (states are mostly contiguous, so most
 * records have none). Then the duration, then the value if not inline (zigzag varint, string id, or a double's 8
 * bytes).
 *
 * <p>Why the directory and small blocks: a resolution query asks for ~1 record per wanted quark per node. With the
 * directory a quark's group is found with two loads instead of a search through the index, and with blocks of 4 the
 * record holding a time is on average the 2nd decoded rather than the 4th or 5th (version 1: blocks of 8, 16-byte
 * entries carrying the quark, no directory). A typical record is 4–6 bytes.
 */
final class NodeFormat {
    private NodeFormat() {}

    static final int HEADER = 48;
    static final int BLOCK = 4;
    static final int NARROW = 8, WIDE = 12;
    static final int F_WIDE = 1, F_SPARSE = 2;
    /** The largest start − node start a narrow entry holds (unsigned 32 bits). */
    static final long NARROW_MAX = 0xFFFF_FFFFL;
    static final int O_CRC = 0, O_HEIGHT = 4, O_FLAGS = 5, O_CHILDREN = 6, O_SEQ = 8, O_COUNT = 12, O_START = 16,
            O_END = 24, O_DATALEN = 32, O_ENTRIES = 36, O_DIRBASE = 40, O_SLOTS = 44;

    static int childrenEnd(int height, int maxChildren) {
        return height == 0 ? HEADER : HEADER + maxChildren * 12;
    }

    /** Bytes of a quark directory for quarks [lo, hi], {@code distinct} of them present: the smaller layout. */
    static int dirBytes(int lo, int hi, int distinct) {
        if (distinct == 0) return 0;
        long dense = ((long) hi - lo + 2) * 4;
        return (int) Math.min(dense, (long) distinct * 8);
    }

    static boolean denseDir(int lo, int hi, int distinct) {
        return ((long) hi - lo + 2) * 4 <= (long) distinct * 8;
    }

    static int varLen(long v) {
        int bits = 64 - Long.numberOfLeadingZeros(v | 1);
        return (bits + 6) / 7;
    }

    static long zigzag(long v) { return (v << 1) ^ (v >> 63); }

    static long unzigzag(long v) { return (v >>> 1) ^ -(v & 1); }

    static int inline(int kind, long bits) {
        return (kind == StoredValues.INT || kind == StoredValues.LONG || kind == StoredValues.STRING) && bits >= 0 && bits <= 14
                ? (int) bits + 1 : 0;
    }

    static int valueLen(int kind, long bits) {
        if (inline(kind, bits) != 0) return 0;
        return switch (kind) {
            case StoredValues.NULL -> 0;
            case StoredValues.INT, StoredValues.LONG -> varLen(zigzag(bits));
            case StoredValues.DOUBLE -> 8;
            default -> varLen(bits);
        };
    }

    static int putVar(byte[] b, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    static int getInt(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    static void putInt(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
    }

    static void putLong(byte[] b, int p, long v) {
        putInt(b, p, (int) v);
        putInt(b, p + 4, (int) (v >>> 32));
    }

    /**
     * Little-endian views of a byte array, in a holder of their own: creating them spins method handles (~7 ms in a
     * fresh JVM), which only a query needs — the writer, which uses NodeFormat too, never loads this class.
     */
    private static final class LE {
        static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
        static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A read-only view of one closed node inside a little-endian buffer (a mapped segment). The header fields used
     * on every probe are read once when the view is positioned.
     */
    static final class View {
        ByteBuffer buf;
        int base, maxChildren;
        /**
         * The node's bytes when copied to the heap ({@link #onHeap}): directory and index entries are then read
         * through a byte-array view handle, one bounds-checked load each (measured at 100 M intervals: a scan runs
         * 13 % fewer instructions than through the heap buffer's getInt).
         */
        private byte[] heap;
        private int height, childCount, entries, entriesStart, entrySize, dataStart, dataLength, dirStart, dirBase,
                slots;
        private boolean wide, sparse;
        private long start, end;

        View at(ByteBuffer buf, int base, int maxChildren) {
            this.buf = buf;
            heap = null;
            this.base = base;
            this.maxChildren = maxChildren;
            height = buf.get(base + O_HEIGHT) & 0xFF;
            int flags = buf.get(base + O_FLAGS);
            wide = (flags & F_WIDE) != 0;
            sparse = (flags & F_SPARSE) != 0;
            entrySize = wide ? WIDE : NARROW;
            childCount = buf.getShort(base + O_CHILDREN) & 0xFFFF;
            entries = buf.getInt(base + O_ENTRIES);
            dataLength = buf.getInt(base + O_DATALEN);
            start = buf.getLong(base + O_START);
            end = buf.getLong(base + O_END);
            dirBase = buf.getInt(base + O_DIRBASE);
            slots = buf.getInt(base + O_SLOTS);
            dirStart = base + childrenEnd(height, maxChildren);
            entriesStart = dirStart + slots * (sparse ? 8 : 4);
            dataStart = entriesStart + entries * entrySize;
            return this;
        }

        /**
         * Copies the node's header, child table, directory and index (not its records) into {@code heap} (a heap
         * buffer of node size) and reads them from there; the records are then read by the caller from the mapping
         * it had ({@link RangeScan}). A scan probes the directory and index of many groups across the node, and
         * probing them in the mapping is slow (bounds and scope checks on every access, a cache and TLB miss per
         * group: measured at 100 M intervals, 250 ms against 125 ms with one sequential copy, which streams).
         */
        void indexOnHeap(ByteBuffer heap) {
            heap.put(0, buf, base, dataStart - base);
            at(heap, 0, maxChildren);
            this.heap = heap.array();
        }

        int height() { return height; }

        int childCount() { return childCount; }

        long start() { return start; }

        long end() { return end; }

        int dataLength() { return dataLength; }

        int entries() { return entries; }

        int childSeq(int i) { return buf.getInt(base + HEADER + 4 * i); }

        long childStart(int i) { return buf.getLong(base + HEADER + 4 * maxChildren + 8 * i); }

        long childEnd(int i) { return i + 1 < childCount ? childStart(i + 1) - 1 : end; }

        private int intAt(int at) { return heap != null ? (int) LE.INT.get(heap, at) : buf.getInt(at); }

        /** Groups in the directory (quarks with at least one record, and for a dense directory empty ones too). */
        int groups() { return sparse ? slots : Math.max(0, slots - 1); }

        int groupQuark(int k) { return sparse ? intAt(dirStart + 8 * k) : dirBase + k; }

        /** First index entry of group k. */
        int groupFrom(int k) { return sparse ? intAt(dirStart + 8 * k + 4) : intAt(dirStart + 4 * k); }

        /** One past the last index entry of group k. */
        int groupTo(int k) {
            if (!sparse) return intAt(dirStart + 4 * k + 4);
            return k + 1 < slots ? intAt(dirStart + 8 * k + 12) : entries;
        }

        /** Does group k hold entries, and are they inside the index (a checksum can match a buggy writer's node)? */
        boolean groupUsable(int from, int to) {
            return from >= 0 && from < to && to <= entries;
        }

        /** The directory group of quark q, or -1 if q has no records here. */
        int group(int q) {
            if (!sparse) {
                long k = (long) q - dirBase;
                return k >= 0 && k < slots - 1 ? (int) k : -1;
            }
            int lo = 0, hi = slots - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int mq = intAt(dirStart + 8 * mid);
                if (mq < q) lo = mid + 1;
                else if (mq > q) hi = mid - 1;
                else return mid;
            }
            return -1;
        }

        int entriesStart() { return entriesStart; }

        /** Byte offset (in the node) of entry i's first record. */
        int entryOffset(int i) { return intAt(entriesStart + i * entrySize); }

        long entryStart(int i) {
            int at = entriesStart + i * entrySize + 4;
            if (wide) return heap != null ? (long) LE.LONG.get(heap, at) : buf.getLong(at);
            return start + (intAt(at) & NARROW_MAX);
        }

        /** Byte offset (in the node) where entry i's block ends: the next block's start, or the end of the records. */
        int entryLimit(int i) { return i + 1 < entries ? entryOffset(i + 1) : recordsEnd(); }

        /** Byte offset (in the node) of the first record. */
        int recordsStart() { return dataStart - base; }

        int recordsEnd() { return dataStart - base + dataLength; }

        int dataStart() { return dataStart; }

        /** Index of the last child starting at or before t, or -1. */
        int childAt(long t) {
            int lo = 0, hi = childCount() - 1, found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (childStart(mid) <= t) {
                    found = mid;
                    lo = mid + 1;
                } else hi = mid - 1;
            }
            return found;
        }

        /**
         * From entry i (start ≤ t) of a group ending before entry {@code to}, the last entry starting at or before t:
         * linear, then galloping, so a group of one block costs one probe and one of thousands a logarithm.
         */
        int lastAtOrBefore(int i, int to, long t) {
            for (int stop = Math.min(to, i + LINEAR); i + 1 < stop; i++)
                if (entryStart(i + 1) > t) return i;
            if (i + 1 >= to) return i;
            int lo = i, step = 1;
            int hi = i + 1;
            while (hi < to && entryStart(hi) <= t) {
                lo = hi;
                step <<= 1;
                hi = lo + step;
            }
            hi = Math.min(hi, to) - 1; // answer in [lo, hi]
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (entryStart(mid) <= t) lo = mid;
                else hi = mid - 1;
            }
            return lo;
        }

        /** Entries probed one by one before galloping: groups are mostly one to a few blocks. */
        static final int LINEAR = 8;
    }

    /**
     * A forward cursor over the records of one index block, copied out of the mapping into a small array first:
     * decoding from a heap array is several times faster than byte-by-byte reads of a mapped buffer.
     */
    static final class Cursor {
        /** The cursor's own buffer for {@link #block}; {@link #over} points {@code b} at a caller's array instead. */
        private byte[] own = new byte[4096];
        private byte[] b = own;
        int p, limit, kind;
        long start, end;

        /** Positions at the first record of index entry i of the node. */
        Cursor block(View v, int i) {
            int from = v.entryOffset(i);
            int to = v.entryLimit(i);
            int len = to - from;
            // A damaged index: decode nothing.
            if (from < v.recordsStart() || len < 0 || to > v.recordsEnd()) len = 0;
            if (len > own.length) own = new byte[Math.max(len, own.length * 2)];
            b = own;
            v.buf.get(v.base + from, b, 0, len);
            p = 0;
            limit = len;
            end = v.entryStart(i) - 1;
            return this;
        }

        /**
         * An unsigned LEB128 varint; up to four bytes (deltas, durations up to 268 ms, node-relative starts) without a
         * loop. (A branch-free decoder from one 8-byte load measured slower here: most varints are 1 or 3 bytes.)
         */
        private long var() {
            byte[] b = this.b;
            int x = b[p++];
            if (x >= 0) return x;
            long v = x & 0x7F;
            x = b[p++];
            if (x >= 0) return v | (long) x << 7;
            v |= (long) (x & 0x7F) << 7;
            x = b[p++];
            if (x >= 0) return v | (long) x << 14;
            v |= (long) (x & 0x7F) << 14;
            x = b[p++];
            if (x >= 0) return v | (long) x << 21;
            v |= (long) (x & 0x7F) << 21;
            int shift = 28;
            do {
                x = b[p++];
                v |= (long) (x & 0x7F) << shift;
                shift += 7;
            } while (x < 0);
            return v;
        }

        /** Skips a varint. */
        private void skipVar() {
            while (b[p++] < 0) { }
        }

        /**
         * Positions at a block starting at time {@code blockStart}, at offset {@code from} of {@code records} (a node
         * copied to the heap), decoding in place up to {@code limit} — no copy, for a scan that decodes a few records
         * of many groups.
         */
        Cursor over(byte[] records, int from, int limit, long blockStart) {
            b = records;
            p = from;
            this.limit = limit;
            end = blockStart - 1;
            return this;
        }

        private int valueAt, inline;

        /**
         * Decodes the next record's times; its value is only skipped here and decoded by {@link #bits()} — most
         * records a query walks past are never returned. False at the end of the block.
         */
        boolean next() {
            if (p >= limit) return false;
            int tag = b[p++] & 0xFF;
            kind = tag & 7;
            start = (tag & 8) != 0 ? end + 1 + var() : end + 1;
            end = start + var();
            inline = tag >>> 4;
            valueAt = p;
            if (kind == StoredValues.DOUBLE) p += 8;
            else if (kind != StoredValues.NULL && inline == 0) skipVar();
            return true;
        }

        /** The current record's value bits (see {@link StoredValues}). */
        long bits() {
            return switch (kind) {
                case StoredValues.NULL -> 0;
                case StoredValues.INT, StoredValues.LONG -> inline != 0 ? inline - 1 : unzigzag(varAt(valueAt));
                case StoredValues.DOUBLE -> getLong(b, valueAt);
                default -> inline != 0 ? inline - 1 : varAt(valueAt);
            };
        }

        private long varAt(int at) {
            int save = p;
            p = at;
            long v = var();
            p = save;
            return v;
        }
    }

    static long getLong(byte[] b, int p) {
        return (getInt(b, p) & 0xFFFFFFFFL) | ((long) getInt(b, p + 4) << 32);
    }
}
