package kvscope.ctf;

/**
 * A decode plan for an LTTng-shaped event header ({@link Decoder#isLttngHeader}: an id selecting, through a
 * variant, a struct of integers) whose alignments are at most a byte: then, from the header's byte-aligned start,
 * every member of every option sits at a fixed bit offset. One bounds check (for the longest option) replaces the
 * per-member alignment, bounds and byte-order work; the values, cells and slots are those {@link Decoder#header}
 * produces, and anything unusual (too close to the content end, an id selecting no option) is left to it.
 */
final class HeaderPlan {
    private static final int BE = 1, CLOCK = 2, EVENT_ID = 4;

    private final int idSignShift;
    private final boolean idBigEndian;
    /** Per option: its members as (bit offset from the header start) << 32 | sign shift << 16 | flags << 8 | size. */
    private final long[][] ops;
    /** Per option: bits from the header start to its end, and the byte order after it. */
    private final long[] bits;
    private final boolean[] lastBigEndian;
    /** The longest option's end: one bounds check covers any option. */
    private final long maxBits;
    /**
     * Per id value, for {@link StreamCursor}'s fast path: the header's length in bits when the id selects an option made of one
     * unsigned clock integer right after the id, everything little-endian and within 64 bits (LTTng's compact header:
     * a 5-bit id and a 27-bit timestamp); 0 otherwise. Null when no id value qualifies.
     */
    final int[] packedBits;
    /** Bits of the id, and the header's alignment in bits (at least a byte). */
    final int idSize, align;

    private HeaderPlan(Node h, int idSize, int idSignShift, boolean idBigEndian, long[][] ops, long[] bits, boolean[] lastBigEndian) {
        this.align = h.align;
        this.idSize = idSize;
        this.idSignShift = idSignShift;
        this.idBigEndian = idBigEndian;
        this.ops = ops;
        this.bits = bits;
        this.lastBigEndian = lastBigEndian;
        long max = 0;
        for (long b : bits) max = Math.max(max, b);
        this.maxBits = max;
        var optionById = h.members[1].optionByValue;
        int[] packed = null;
        if (!idBigEndian && idSignShift == 0 && idSize <= 16) {
            packed = new int[1 << idSize];
            boolean any = false;
            for (int id = 0; id < packed.length; id++) {
                int opt = id < optionById.length ? optionById[id] : -1;
                if (opt < 0 || ops[opt].length != 1) continue;
                long op = ops[opt][0];
                int size = (int) op & 127, flags = (int) (op >>> 8) & 7, ss = (int) (op >>> 16) & 63;
                if ((op >>> 32) == idSize && flags == CLOCK && ss == 0 && size < 64 && bits[opt] <= 64) {
                    packed[id] = (int) bits[opt];
                    any = true;
                }
            }
            if (!any) packed = null;
        }
        this.packedBits = packed;
    }

    /** Whether {@link StreamCursor}'s fast path can decode some headers in one load (see {@link #packedBits}). */
    boolean packed() {
        return packedBits != null;
    }

    /** The plan for an LTTng-shaped header, or null when some alignment exceeds a byte or the byte order changes inside one. */
    static HeaderPlan build(Node h) {
        if (h.align < 8) return null;
        var id = h.members[0];
        var variant = h.members[1];
        if (id.align > 8 || id.size < 1 || id.size > 64) return null;
        var ops = new long[variant.members.length][];
        var bits = new long[ops.length];
        var last = new boolean[ops.length];
        for (int o = 0; o < ops.length; o++) {
            var opt = variant.members[o];
            if (opt.align > 8) return null;
            long at = id.size;
            at = (at + opt.align - 1) & -(long) opt.align;
            boolean order = id.bigEndian;
            ops[o] = new long[opt.members.length];
            for (int j = 0; j < opt.members.length; j++) {
                var x = opt.members[j];
                if (x.kind != Node.INT || x.align > 8 || x.size < 1 || x.size > 64) return null;
                at = (at + x.align - 1) & -(long) x.align;
                if (x.bigEndian != order && (at & 7) != 0) return null; // Decoder.header reports it
                order = x.bigEndian;
                int flags = (x.bigEndian ? BE : 0) | (x.clock ? CLOCK : 0) | (x.eventId ? EVENT_ID : 0);
                ops[o][j] = at << 32 | (long) x.signShift << 16 | flags << 8 | x.size;
                at += x.size;
            }
            bits[o] = at;
            last[o] = order;
        }
        return new HeaderPlan(h, id.size, id.signShift, id.bigEndian, ops, bits, last);
    }

    /** Decodes the header {@code h} at the decoder's position; false (nothing changed) when the generic path must. */
    boolean decode(Decoder d, Node h, DecodedValues out) {
        long p = (d.bit + h.align - 1) & -(long) h.align;
        if (p + maxBits > d.limit) return false;
        var b = d.buf;
        long id = Decoder.extract(b, p, idSize, idBigEndian);
        id = (id << idSignShift) >> idSignShift;
        var table = h.members[1].optionByValue;
        int opt = id >= 0 && id < table.length ? table[(int) id] : -1;
        if (opt < 0) return false;
        var o = ops[opt];
        if (out.n + 2 + o.length > out.v.length) out.grow(out.n + 2 + o.length);
        var v = out.v;
        int k = out.n;
        out.pos[h.slots[0]] = k;
        v[k++] = id;
        out.pos[h.slots[1]] = k;
        v[k++] = opt;
        long evid = id;
        for (long op : o) {
            int size = (int) op & 127;
            int f = (int) (op >>> 8) & 7;
            int ss = (int) (op >>> 16) & 63;
            long r = Decoder.extract(b, p + (op >>> 32), size, (f & BE) != 0);
            r = (r << ss) >> ss;
            if ((f & CLOCK) != 0 && d.updateClock) d.updateClock(size, r);
            if ((f & EVENT_ID) != 0) evid = r;
            v[k++] = r;
        }
        out.n = k;
        d.bit = p + bits[opt];
        d.lastBigEndian = lastBigEndian[opt];
        d.eventId = evid;
        return true;
    }
}
