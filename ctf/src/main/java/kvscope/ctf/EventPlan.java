package kvscope.ctf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * A decode plan for the body of one event class (stream event context, event context, payload) made only of integers,
 * floats, strings and text arrays — what LTTng-UST writes for nearly every event. Compiled once at open, it replaces
 * the per-member alignment, bounds and byte-order work of {@link Decoder#struct} with precomputed offsets.
 *
 * <p>The body is cut into segments, each a fixed layout ending at a string or at the end of the body. A segment's
 * member offsets depend only on where it starts modulo 64 bits (no alignment above 64 is allowed in a plan); it
 * always starts on a byte, so there are 8 phases, and the offsets of all 8 are computed here. At run time a segment
 * costs one bounds check; each member is one load (an 8-byte load and two shifts when it is whole bytes at a byte
 * offset). Byte-order changes inside a byte are found at compile time (no plan then).
 *
 * <p>Reading is lazy: {@link #skip} checks a body and finds its strings (it has to: they say where the rest starts),
 * and integers and text arrays are read only when asked for ({@link #load}, {@link #textStart}) or when something
 * needs every cell ({@link #fill}); an analysis reading a few fields of an event does not pay for the others. The values and cells are exactly those {@link Decoder#struct} produces. When anything
 * is amiss in the data (a segment past the content, a string without NUL, a body not starting on a byte)
 * {@link #skip} returns false having changed nothing that matters, and the caller decodes the body the generic way,
 * which reports the error precisely.
 */
final class EventPlan {
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static final int TEXT = 1, BE = 2, SIGNED = 4, BYTE_LOAD = 8, FLOAT32 = 16;
    /** Cells of a body above this take the generic path (an op word has 12 bits for a cell). */
    private static final int MAX_CELLS = 4096;

    /**
     * One word per fixed member and phase, at {@code opAt[8 * segment + phase]} onwards: the member's bit offset from
     * the segment start (high 32 bits), its cell from the body start (bits 12-23), flags (bits 7-11) and size in
     * bits (bits 0-6; text arrays keep their byte length in {@link #textLength}). One load per member.
     */
    private final long[] ops;
    private final int[] textLength;
    /** Per segment: its fixed members' range (for the text lengths), and its terminating string's cell (-1: none). */
    private final int[] segFirst, segEnd, strCell;
    /** Per segment and phase ({@code 8 * segment + phase}): first op word, the string's offset, the fixed span. */
    private final int[] opAt, strOff;
    private final long[] span;
    /** The cell of each slot of the body, counted from the body's first cell. */
    private final Map<Integer, Integer> slotCells = new HashMap<>();

    /**
     * Where the field in {@code slot} is among the body's cells — the same in every event of the class, so
     * {@link Event} finds a field without the slot positions, which plans do not fill in — or -1.
     */
    int cellOfSlot(int slot) {
        return slotCells.getOrDefault(slot, -1);
    }

    /**
     * Fixed members (integers, floats, text arrays) by slot: their segment, and their op word for each of the
     * segment's 8 phases; text arrays also their length in bytes.
     */
    private final Map<Integer, Integer> scalarSegs = new HashMap<>();
    private final Map<Integer, long[]> scalarOps = new HashMap<>();
    private final Map<Integer, Integer> textLengths = new HashMap<>();

    /** The segment of the integer, float or text array in {@code slot}, or -1 (see {@link #load}). */
    int segmentOfSlot(int slot) {
        return scalarSegs.getOrDefault(slot, -1);
    }

    /** The op words (by phase) of the integer, float or text array in {@code slot}, or null. */
    long[] opsOfSlot(int slot) {
        return scalarOps.get(slot);
    }

    /** The length in bytes of the text array in {@code slot} (a string ends at its first NUL within it), or -1. */
    int textLengthOfSlot(int slot) {
        return textLengths.getOrDefault(slot, -1);
    }

    /** Where the text array of op word {@code op} starts (a byte index), in a segment starting at bit {@code segStart}. */
    static int textStart(long segStart, long op) {
        return (int) ((segStart + (op >>> 32)) >>> 3);
    }

    /** Number of segments (the length {@link #skip} needs for the segment starts). */
    int segments() {
        return segFirst.length;
    }

    /** Cells of the whole body, and where the event context and the payload start among them. */
    final int cells, eventContextCell, payloadCell;
    /** Byte order of the body's last integer or float (lastBigEndian after it): 0 little, 1 big, -1 none. */
    private final int lastOrder;

    private EventPlan(Builder b) {
        int n = b.segs.size();
        segFirst = new int[n];
        segEnd = new int[n];
        strCell = new int[n];
        opAt = new int[8 * n];
        strOff = new int[8 * n];
        span = new long[8 * n];
        textLength = b.ints(b.size);
        var words = new ArrayList<Long>();
        for (int i = 0; i < n; i++) {
            var s = b.segs.get(i);
            segFirst[i] = s.first;
            segEnd[i] = s.end;
            strCell[i] = s.strCell;
            if (s.strSlot >= 0) slotCells.put(s.strSlot, s.strCell);
            for (int ph = 0; ph < 8; ph++) {
                opAt[8 * i + ph] = words.size();
                for (int j = s.first; j < s.end; j++) {
                    int f = b.flags.get(j);
                    long low = ((f & TEXT) != 0 ? 0 : b.size.get(j)) | (long) f << 7 | (long) b.cell.get(j) << 12;
                    words.add((long) s.off[ph][j - s.first] << 32 | low);
                }
                strOff[8 * i + ph] = s.strOff[ph];
                span[8 * i + ph] = s.span[ph];
            }
        }
        ops = new long[words.size()];
        for (int i = 0; i < ops.length; i++) ops[i] = words.get(i);
        for (int j = 0; j < b.slot.size(); j++) slotCells.put(b.slot.get(j), b.cell.get(j));
        for (int i = 0; i < n; i++) {
            var s = b.segs.get(i);
            for (int j = s.first; j < s.end; j++) {
                if ((b.flags.get(j) & TEXT) != 0) textLengths.put(b.slot.get(j), textLength[j]);
                var byPhase = new long[8];
                for (int ph = 0; ph < 8; ph++) byPhase[ph] = ops[opAt[8 * i + ph] + j - s.first];
                scalarOps.put(b.slot.get(j), byPhase);
                scalarSegs.put(b.slot.get(j), i);
            }
        }
        cells = b.cells;
        eventContextCell = b.eventContextCell;
        payloadCell = b.payloadCell;
        lastOrder = b.lastOrder;
        fixedOnly = n == 1 && strCell[0] < 0;
    }

    /**
     * The plan for a class's body, or null when a scope holds anything else (nested structs, variants, sequences,
     * arrays of numbers), an alignment above 64 bits, a byte-order change inside a byte, or too many fields.
     */
    static EventPlan build(Node streamContext, Node context, Node payload) {
        var b = new Builder();
        if (!b.scope(streamContext)) return null;
        b.eventContextCell = b.cells;
        if (!b.scope(context)) return null;
        b.payloadCell = b.cells;
        // An empty payload struct is skipped whole (no alignment), as the generic decoder does.
        if (payload != null && payload.members.length > 0 && !b.scope(payload)) return null;
        if (!b.finish() || b.cells > MAX_CELLS) return null;
        return new EventPlan(b);
    }

    /**
     * Decodes the integers and floats of a body {@link #skip} went over (the same packet buffer {@code b}, the segment
     * starts it left in {@code seg}) into their cells, counted from {@code k0}: the body is then fully decoded.
     */
    void fill(byte[] b, long[] v, int k0, long[] seg) {
        var ops = this.ops;
        for (int s = 0; s < segFirst.length; s++) {
            long p = seg[s];
            int w = opAt[8 * s + ((int) (p >>> 3) & 7)];
            for (int j = segFirst[s], e = segEnd[s]; j < e; j++) {
                long op = ops[w++];
                int f = (int) op;
                int c = k0 + ((f >>> 12) & (MAX_CELLS - 1));
                if ((f & TEXT << 7) == 0) {
                    v[c] = load(b, p, op);
                } else {
                    int start = (int) ((p + (op >>> 32)) >>> 3);
                    v[c] = start;
                    v[c + 1] = Decoder.findNul(b, start, start + textLength[j]) - start;
                }
            }
        }
    }

    /** {@link #quick} words: the byte offset (high 32 bits), the shift (low 6 bits) and these flags. */
    static final long QUICK_SIGNED = 1 << 6, QUICK_NONE = 1 << 7;

    /**
     * The op word {@link Event#getLong} reads an integer with in one 8-byte little-endian load: for a whole-byte
     * little-endian integer at a byte offset, its byte offset from the segment start, the shift that leaves its bits
     * at the top of the load and whether it is signed; {@link #QUICK_NONE} for anything else (big-endian, bit fields,
     * floats), which {@link #load} reads.
     */
    static long quick(long op) {
        int f = (int) op;
        if ((f & (BYTE_LOAD << 7)) == 0 || (f & ((BE | FLOAT32 | TEXT) << 7)) != 0) return QUICK_NONE;
        int bits = f & 127;
        return ((op >>> 32) >>> 3) << 32 | ((f & SIGNED << 7) != 0 ? QUICK_SIGNED : 0) | ((64 - bits) & 63);
    }

    /**
     * The value of the integer or float described by {@code op} (an op word for the phase of {@code segStart}) in a
     * segment starting at bit {@code segStart}: what the generic decoder stores in its cell. The segment was checked to
     * lie within the packet content, and the packet buffer has slack for the 8-byte load.
     */
    static long load(byte[] b, long segStart, long op) {
        long at = segStart + (op >>> 32);
        int f = (int) op;
        int bits = f & 127;
        long r;
        if ((f & BYTE_LOAD << 7) != 0) {
            // Whole bytes at a byte offset: the low (little-endian) or high (big-endian) bytes of one 8-byte load.
            int ls = 64 - bits;
            int bi = (int) (at >>> 3);
            r = (f & BE << 7) != 0 ? (long) BE64.get(b, bi) : (long) LE64.get(b, bi) << ls;
            r = (f & SIGNED << 7) != 0 ? r >> ls : r >>> ls;
        } else {
            r = Decoder.extract(b, at, bits, (f & BE << 7) != 0);
            if ((f & SIGNED << 7) != 0) r = (r << (64 - bits)) >> (64 - bits);
        }
        if ((f & FLOAT32 << 7) != 0) r = Double.doubleToRawLongBits(Float.intBitsToFloat((int) r));
        return r;
    }

    /**
     * Checks the body at the decoder's position, moves past it and appends its {@link #cells} cells to {@code ev},
     * decoding only its strings (it has to find where they end anyway): integers, floats and text arrays are read on
     * demand from the segment starts stored in {@code seg} ({@link #load}, {@link #textStart}), or all at once by
     * {@link #fill} when something needs the cells (the string cells are the only ones filled in before). Slot positions are left alone (see {@link #cellOfSlot}). False,
     * with the position and {@code ev.n} untouched, when the generic path must decode the body.
     */
    boolean skip(Decoder d, DecodedValues ev, long[] seg) {
        int k0 = ev.n;
        // No room for fill() later (the cell array a reader holds must stay the one in use): the generic path grows it.
        if (k0 + cells > ev.v.length) return false;
        long end = skipFrom(d.buf, d.bit, d.limit, ev.v, k0, seg);
        if (end < 0) return false;
        ev.n = k0 + cells;
        d.bit = end;
        if (lastOrder >= 0) d.lastBigEndian = lastOrder == 1;
        return true;
    }

    /**
     * {@link #skip} on its own: checks the body at bit {@code p} of packet buffer {@code b} (content ending at bit
     * {@code lim}), stores its segment starts in {@code seg} and its strings' cells from {@code v[k0]} on, which
     * must have room for {@link #cells}. Returns the bit after the body, or -1 (nothing else changed) when the generic
     * path must decode it.
     */
    long skipFrom(byte[] b, long p, long lim, long[] v, int k0, long[] seg) {
        return fixedOnly ? fixedEnd(p, lim, seg) : skipSegments(b, p, lim, v, k0, seg);
    }

    /** Whether the body is one segment without a string: {@link #fixedEnd} checks it. */
    boolean fixedOnly() {
        return fixedOnly;
    }

    /** {@link #skipFrom} for a {@link #fixedOnly} body: one bounds check. Tiny, so the JIT always inlines it. */
    long fixedEnd(long p, long lim, long[] seg) {
        long end = p + span[(int) (p >>> 3) & 7];
        if ((p & 7) != 0 || end > lim) return -1;
        seg[0] = p;
        return end;
    }

    /** {@link #skipFrom} for bodies with strings. */
    private long skipSegments(byte[] b, long p, long lim, long[] v, int k0, long[] seg) {
        if ((p & 7) != 0) return -1;
        var span = this.span;
        var strCell = this.strCell;
        for (int s = 0; s < strCell.length; s++) {
            int sp = 8 * s + ((int) (p >>> 3) & 7);
            long fixed = span[sp];
            if (p + fixed > lim) return -1;
            seg[s] = p;
            int sc = strCell[s];
            if (sc < 0) {
                p += fixed;
                continue;
            }
            // Only strings are looked at here: they say where the rest of the body starts.
            int start = (int) ((p + strOff[sp]) >>> 3);
            int end = (int) (lim >>> 3);
            int z = Decoder.findNulInPacket(b, start, end);
            if (z >= end) return -1;
            v[k0 + sc] = start;
            v[k0 + sc + 1] = z - start;
            p = (long) (z + 1) << 3;
        }
        return p;
    }

    /** Whether the body is one segment without a string (see {@link #skipFrom}). */
    private final boolean fixedOnly;

    /** The byte order after the body: big-endian when its last integer or float is. */
    boolean endsBigEndian() {
        return lastOrder == 1;
    }


    /** Lays the body out once per phase, member by member, in the generic decoder's order and alignment rules. */
    private static final class Builder {
        final ArrayList<Integer> flags = new ArrayList<>(), size = new ArrayList<>(), slot = new ArrayList<>(),
                cell = new ArrayList<>();
        final ArrayList<Seg> segs = new ArrayList<>();
        int cells, eventContextCell, payloadCell, lastOrder = -1;
        /** Items of the current segment: an alignment (kind 0), a fixed member (1) or the closing string (2). */
        final ArrayList<long[]> items = new ArrayList<>();
        int segFirst;
        boolean ok = true;

        static final class Seg {
            int first, end, strSlot = -1, strCell = -1;
            int[][] off;
            int[] strOff;
            long[] span;
        }

        int[] ints(ArrayList<Integer> l) {
            var a = new int[l.size()];
            for (int i = 0; i < a.length; i++) a[i] = l.get(i);
            return a;
        }

        boolean scope(Node n) {
            if (n == null) return true;
            if (n.kind != Node.STRUCT || n.align > 64) return false;
            items.add(new long[] {0, n.align});
            for (int i = 0; i < n.members.length; i++) {
                var c = n.members[i];
                int s = n.slots[i];
                if (s < 0 || (s & Node.PACKET_SLOT) != 0) return false;
                if (c.kind == Node.INT || c.kind == Node.FLOAT) {
                    if (c.size < 1 || c.size > 64 || c.align > 64) return false;
                    int f = (c.bigEndian ? BE : 0) | (c.signed && c.kind == Node.INT ? SIGNED : 0)
                            | (c.kind == Node.FLOAT && c.size == 32 ? FLOAT32 : 0);
                    // Only the event header moves the clock or names the event: nothing here needs more than a load.
                    int order = c.bigEndian ? 1 : 0;
                    if (lastOrder >= 0 && order != lastOrder) orderChecks.add(flags.size());
                    lastOrder = order;
                    member(f, c.size, s, 1, 1 << Integer.numberOfTrailingZeros(Math.max(1, c.align)), c.size);
                } else if (c.kind == Node.ARRAY && c.text && c.align <= 8 && c.length >= 0 && c.length <= 1 << 20) {
                    member(TEXT, (int) c.length, s, 2, 8, c.length * 8);
                } else if (c.kind == Node.STRING) {
                    items.add(new long[] {2, s, cells});
                    cells += 2;
                    closeSegment();
                } else {
                    return false;
                }
            }
            return true;
        }

        /**
         * Members whose byte order differs from the previous integer's, checked once laid out. The body's first
         * integer needs no check against the header's order: it always starts on a byte (the body does, and only
         * alignment, text and strings can come before it).
         */
        final ArrayList<Integer> orderChecks = new ArrayList<>();

        private void member(int f, int sizeOrLength, int s, int cellCount, int align, long bits) {
            items.add(new long[] {1, align, bits, flags.size()});
            flags.add(f);
            size.add(sizeOrLength);
            slot.add(s);
            cell.add(cells);
            cells += cellCount;
        }

        /** Lays out the pending items for the 8 byte phases and starts a new segment. */
        private void closeSegment() {
            var seg = new Seg();
            seg.first = segFirst;
            seg.end = flags.size();
            seg.off = new int[8][seg.end - seg.first];
            seg.strOff = new int[8];
            seg.span = new long[8];
            for (int ph = 0; ph < 8; ph++) {
                long start = ph * 8L, at = start;
                for (var it : items) {
                    long a = it[1];
                    if (it[0] == 0) {
                        if (a > 1) at = (at + a - 1) & -a;
                    } else if (it[0] == 1) {
                        if (a > 1) at = (at + a - 1) & -a;
                        int j = (int) it[3];
                        if (at - start > Integer.MAX_VALUE / 2) ok = false;
                        seg.off[ph][j - seg.first] = (int) (at - start);
                        at += it[2];
                    } else {
                        at = (at + 7) & ~7L;
                        seg.strOff[ph] = (int) (at - start);
                        seg.strSlot = (int) it[1];
                        seg.strCell = (int) it[2];
                    }
                }
                seg.span[ph] = at - start;
            }
            // Static per-member facts: offsets differ between phases by whole bytes only, so phase 0 tells.
            for (int j = seg.first; j < seg.end; j++) {
                int o = seg.off[0][j - seg.first];
                int f = flags.get(j);
                if ((f & TEXT) == 0 && (o & 7) == 0 && (size.get(j) & 7) == 0) flags.set(j, f | BYTE_LOAD);
            }
            for (int j : orderChecks) {
                // A byte-order change is only allowed on a byte boundary (the generic decoder reports the error).
                if (j >= seg.first && j < seg.end && (seg.off[0][j - seg.first] & 7) != 0) ok = false;
            }
            orderChecks.clear();
            segs.add(seg);
            items.clear();
            segFirst = flags.size();
        }

        boolean finish() {
            closeSegment();
            return ok;
        }
    }
}
