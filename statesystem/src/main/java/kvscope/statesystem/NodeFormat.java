package kvscope.statesystem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The layout of one fixed-size node on disk, and the varint codec of its intervals. Little-endian.
 *
 * <pre>
 * 0  int   CRC32C of bytes [4, nodeSize)          — flipped bytes are detected when the node is first read
 * 4  byte  height (0 = leaf; unsigned, so a tree is at most 256 levels deep)
 * 6  short child count
 * 8  int   seq (node number; position = 128 + seq * nodeSize)
 * 12 int   record count
 * 16 long  start (inclusive)          24 long end (inclusive)
 * 32 int   data length                36 int  index entry count
 * 40 core nodes only: maxChildren × int child seq, then maxChildren × long child start
 *    index: entries of 16 bytes (int quark, int record offset in node, long start of that record),
 *           one per block of up to 8 records of one quark, sorted by (quark, start)
 *    records, sorted by (quark, start)
 * </pre>
 *
 * A record: a tag byte {@code kind | continues << 3 | inline << 4} ({@code inline} = 1 + a small INT/LONG value or
 * string id 0..14 kept in the tag). A record that starts a block has {@code continues = 0}: the quark delta from the
 * previous record, then its start relative to the node start. Other records continue the previous one's quark, and
 * give their start relative to the previous end + 1 (usually 0: states are contiguous). Then the duration, then the
 * value if not inline (zigzag varint, string id, or a double's 8 bytes). A single query binary-searches the index and
 * decodes at most one block. A typical record is 4–7 bytes; with the index, ~10 bytes per interval on disk.
 */
final class NodeFormat {
    private NodeFormat() {}

    static final int HEADER = 40;
    static final int BLOCK = 8;
    static final int ENTRY = 16;
    static final int O_CRC = 0, O_HEIGHT = 4, O_CHILDREN = 6, O_SEQ = 8, O_COUNT = 12, O_START = 16, O_END = 24,
            O_DATALEN = 32, O_ENTRIES = 36;

    static int childrenEnd(int height, int maxChildren) {
        return height == 0 ? HEADER : HEADER + maxChildren * 12;
    }

    static int varLen(long v) {
        int bits = 64 - Long.numberOfLeadingZeros(v | 1);
        return (bits + 6) / 7;
    }

    static long zigzag(long v) { return (v << 1) ^ (v >> 63); }

    static long unzigzag(long v) { return (v >>> 1) ^ -(v & 1); }

    static int inline(int kind, long bits) {
        return (kind == Values.INT || kind == Values.LONG || kind == Values.STRING) && bits >= 0 && bits <= 14
                ? (int) bits + 1 : 0;
    }

    static int valueLen(int kind, long bits) {
        if (inline(kind, bits) != 0) return 0;
        return switch (kind) {
            case Values.NULL -> 0;
            case Values.INT, Values.LONG -> varLen(zigzag(bits));
            case Values.DOUBLE -> 8;
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
     * A read-only view of one closed node inside a little-endian buffer (a mapped segment). The header fields used
     * on every probe are read once when the view is positioned.
     */
    /**
     * Little-endian views of a byte array, in a holder of their own: creating them spins method handles (~7 ms in a
     * fresh JVM), which only a scan needs — the writer, which uses NodeFormat too, never loads this class.
     */
    private static final class LE {
        static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
        static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    }

    static final class View {
        ByteBuffer buf;
        int base, maxChildren;
        /**
         * The node's bytes when copied to the heap ({@link #onHeap}): index entries are then read through a byte-array
         * view handle, one bounds-checked load each (measured at 100 M intervals: a scan runs 13 % fewer instructions
         * than through the heap buffer's getInt).
         */
        private byte[] heap;
        private int height, childCount, entries, entriesStart, dataStart, dataLength;
        private long start, end;

        View at(ByteBuffer buf, int base, int maxChildren) {
            this.buf = buf;
            heap = null;
            this.base = base;
            this.maxChildren = maxChildren;
            height = buf.get(base + O_HEIGHT) & 0xFF;
            childCount = buf.getShort(base + O_CHILDREN) & 0xFFFF;
            entries = buf.getInt(base + O_ENTRIES);
            dataLength = buf.getInt(base + O_DATALEN);
            start = buf.getLong(base + O_START);
            end = buf.getLong(base + O_END);
            entriesStart = base + childrenEnd(height, maxChildren);
            dataStart = entriesStart + entries * ENTRY;
            return this;
        }

        /**
         * Copies the node's used bytes into {@code heap} (a heap buffer of node size) and reads it from there: a scan
         * touches a few bytes of many quark groups across the whole node, and reading them straight from the mapping
         * is slow (bounds and scope checks on every access, a native call per bulk copy, cache misses), while one
         * sequential copy streams (measured at 100 M intervals: scan CPU 105 ms with the copy, 220 ms decoding the
         * records from the mapping).
         */
        void onHeap(ByteBuffer heap) {
            heap.put(0, buf, base, dataStart - base + dataLength);
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

        int entriesStart() { return entriesStart; }

        int entryQuark(int i) {
            int at = entriesStart + i * ENTRY;
            return heap != null ? (int) LE.INT.get(heap, at) : buf.getInt(at);
        }

        int entryOffset(int i) {
            int at = entriesStart + i * ENTRY + 4;
            return heap != null ? (int) LE.INT.get(heap, at) : buf.getInt(at);
        }

        long entryStart(int i) {
            int at = entriesStart + i * ENTRY + 8;
            return heap != null ? (long) LE.LONG.get(heap, at) : buf.getLong(at);
        }

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

        /** Index of the last entry ≤ (q, t) in (quark, start) order, or -1. */
        int entryAt(int q, long t) {
            int es = entriesStart();
            int lo = 0, hi = entries() - 1, found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int eq = buf.getInt(es + mid * ENTRY);
                if (eq < q || (eq == q && buf.getLong(es + mid * ENTRY + 8) <= t)) {
                    found = mid;
                    lo = mid + 1;
                } else hi = mid - 1;
            }
            return found;
        }

        /**
         * From entry i (quark q, start ≤ t), the last entry of q starting at or before t: linear, then galloping, so
         * a quark with one block costs one probe and a quark with thousands costs a logarithm.
         */
        int lastAtOrBefore(int i, int q, long t) {
            int n = entries();
            for (int stop = Math.min(n, i + LINEAR); i + 1 < stop; i++)
                if (entryQuark(i + 1) != q || entryStart(i + 1) > t) return i;
            if (i + 1 >= n) return i;
            int lo = i, step = 1;
            int hi = i + 1;
            while (hi < n && entryQuark(hi) == q && entryStart(hi) <= t) {
                lo = hi;
                step <<= 1;
                hi = lo + step;
            }
            hi = Math.min(hi, n) - 1; // answer in [lo, hi]
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (entryQuark(mid) == q && entryStart(mid) <= t) lo = mid;
                else hi = mid - 1;
            }
            return lo;
        }

        /**
         * Entries probed one by one before galloping: groups are mostly one or two entries and the wanted quarks of a
         * scan a few dozen entries apart, where a short sequential run beats the mispredicted branches of a search.
         */
        static final int LINEAR = 32;

        /** From entry i of quark q, the first entry of a later quark (or entries()): linear, then galloping. */
        int groupEnd(int i, int q) {
            int n = entries();
            for (int k = i + 1, stop = Math.min(n, i + LINEAR); k < stop; k++) if (entryQuark(k) != q) return k;
            if (i + LINEAR >= n) return n;
            int lo = i + LINEAR - 1, step = 1;
            int hi = lo + 1;
            while (hi < n && entryQuark(hi) == q) {
                lo = hi;
                step <<= 1;
                hi = lo + step;
            }
            hi = Math.min(hi, n); // first other quark in (lo, hi]
            while (lo + 1 < hi) {
                int mid = (lo + hi) >>> 1;
                if (entryQuark(mid) == q) lo = mid;
                else hi = mid;
            }
            return hi;
        }

        /** From entry i, the first entry of quark q or a later quark (or entries()): linear, then galloping. */
        int firstEntryFrom(int i, int q) {
            int n = entries();
            for (int stop = Math.min(n, i + LINEAR); i < stop; i++) if (entryQuark(i) >= q) return i;
            if (i >= n) return n;
            int lo = i - 1, step = 1;
            int hi = i;
            while (hi < n && entryQuark(hi) < q) {
                lo = hi;
                step <<= 1;
                hi = lo + step;
            }
            hi = Math.min(hi, n); // first entry ≥ q in (lo, hi]
            while (lo + 1 < hi) {
                int mid = (lo + hi) >>> 1;
                if (entryQuark(mid) < q) lo = mid;
                else hi = mid;
            }
            return hi;
        }

        /** Index of the first entry of quark q or later, or entries(). */
        int firstEntry(int q) {
            int es = entriesStart();
            int lo = 0, hi = entries();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (buf.getInt(es + mid * ENTRY) < q) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    /**
     * A forward cursor over the records of one index block, copied out of the mapping into a small array first:
     * decoding from a heap array is several times faster than byte-by-byte reads of a mapped buffer.
     */
    static final class Cursor {
        /** The cursor's own buffer for {@link #block}; {@link #over} points {@code b} at a caller's array instead. */
        private byte[] own = new byte[4096];
        private byte[] b = own;
        int p, limit, quark, kind;
        long nodeStart, start, end;

        /** Positions at the first record of index entry i of the node (a block start: its quark is in the entry). */
        Cursor block(View v, int i) {
            int from = v.entryOffset(i);
            int to = i + 1 < v.entries() ? v.entryOffset(i + 1) : v.dataStart() - v.base + v.dataLength();
            int len = to - from;
            if (len < 0 || len > v.buf.capacity() - v.base - from) len = 0; // damaged index: decode nothing
            if (len > own.length) own = new byte[Math.max(len, own.length * 2)];
            b = own;
            v.buf.get(v.base + from, b, 0, len);
            p = 0;
            limit = len;
            nodeStart = v.start();
            quark = v.entryQuark(i);
            end = 0;
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
         * Positions at a block start at offset {@code from} of {@code records} (a node copied to the heap), decoding
         * in place up to {@code limit} — no copy, for a scan that decodes a few records of many groups.
         */
        Cursor over(byte[] records, int from, int limit, long nodeStart) {
            b = records;
            p = from;
            this.limit = limit;
            this.nodeStart = nodeStart;
            end = 0;
            return this;
        }

        private int valueAt, inline;

        /**
         * Decodes the next record's times; its value is only skipped here and decoded by {@link #bits()} — most
         * records a query walks past are never returned. False at the end of the block (or group).
         */
        boolean next() {
            if (p >= limit) return false;
            int tag = b[p++] & 0xFF;
            kind = tag & 7;
            if ((tag & 8) != 0) {
                start = end + 1 + var();
            } else {
                skipVar(); // quark delta: the block's quark comes from its index entry
                start = nodeStart + var();
            }
            end = start + var();
            inline = tag >>> 4;
            valueAt = p;
            if (kind == Values.DOUBLE) p += 8;
            else if (kind != Values.NULL && inline == 0) skipVar();
            return true;
        }

        /** The current record's value bits (see {@link Values}). */
        long bits() {
            return switch (kind) {
                case Values.NULL -> 0;
                case Values.INT, Values.LONG -> inline != 0 ? inline - 1 : unzigzag(varAt(valueAt));
                case Values.DOUBLE -> getLong(b, valueAt);
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
