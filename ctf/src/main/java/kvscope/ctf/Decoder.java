package kvscope.ctf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decodes compiled {@link Node}s from one packet held in a byte array, at a bit position, into {@link DecodedValues}.
 * Every read is bounds-checked against the packet's content size, so damaged data ends in a {@link DecodeError}
 * naming the bit offset, never an out-of-range access or an allocation larger than the packet.
 */
final class Decoder {
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** Slack after the content so an 8-byte load at the last byte (plus one for unaligned reads) stays in the array. */
    static final int SLACK = 16;

    /** A decoding failure at a bit offset in the current packet. */
    static final class DecodeError extends RuntimeException {
        final long bit;
        DecodeError(long bit, String message) {
            super(message, null, false, false);
            this.bit = bit;
        }
    }

    byte[] buf = new byte[4096 + SLACK];
    long bit;
    long limit;
    /** The stream clock in cycles; mapped integers update it with wrap-around (CTF 1.8 §8). */
    long clock;
    boolean updateClock;
    long eventId;
    DecodedValues pkt;

    void align(int a) {
        if (a > 1) bit = (bit + a - 1) & -(long) a;
    }

    /** Byte order of the last value read: CTF forbids changing it in the middle of a byte (babeltrace2 refuses too). */
    boolean lastBigEndian;

    long readBits(int size, boolean bigEndian) {
        long b = bit;
        if (bigEndian != lastBigEndian) {
            if ((b & 7) != 0) throw new DecodeError(b, "the byte order changes in the middle of a byte");
            lastBigEndian = bigEndian;
        }
        if (b + size > limit) throw new DecodeError(b, "a " + size + "-bit value runs past the end of the packet content");
        bit = b + size;
        return extract(buf, b, size, bigEndian);
    }

    /**
     * The {@code size}-bit (1..64) unsigned value at bit {@code p} of {@code b}, in either byte order: one 8-byte load
     * plus one byte when the value straddles it. The packet buffer keeps {@link #SLACK} zero bytes past the content,
     * so the load never runs off the array. Small enough for the JIT to inline into every caller on the hot path.
     */
    static long extract(byte[] b, long p, int size, boolean bigEndian) {
        int i = (int) (p >>> 3);
        int sh = (int) (p & 7);
        long r;
        if (!bigEndian) {
            r = (long) LE64.get(b, i) >>> sh;
            if (sh + size > 64) r |= (b[i + 8] & 0xFFL) << (64 - sh);
            return r & (-1L >>> (64 - size));
        }
        r = (long) BE64.get(b, i) << sh;
        if (sh + size > 64) r |= (b[i + 8] & 0xFFL) >>> (8 - sh);
        return r >>> (64 - size);
    }

    long readInt(Node n) {
        align(n.align);
        long r = readBits(n.size, n.bigEndian);
        if (n.signed && n.size < 64) r = (r << (64 - n.size)) >> (64 - n.size);
        return r;
    }

    void updateClock(int size, long value) {
        clock = nextClock(clock, size, value);
    }

    /** The clock after a {@code size}-bit clock value: its low bits replaced, the rest moved on by one if they wrapped. */
    static long nextClock(long clock, int size, long value) {
        if (size >= 64) return value;
        long mask = (1L << size) - 1;
        long next = (clock & ~mask) | value;
        if (Long.compareUnsigned(value, clock & mask) < 0) next += 1L << size;
        return next;
    }

    private static void put(DecodedValues out, long x) {
        if (out.n == out.v.length) out.grow(out.n + 1);
        out.v[out.n++] = x;
    }

    /** Decodes one value of type {@code n}, appending to {@code out}. */
    void decode(Node n, DecodedValues out) {
        switch (n.kind) {
            case Node.INT -> {
                long r = readInt(n);
                if (n.clock && updateClock) updateClock(n.size, r);
                if (n.eventId) eventId = r;
                put(out, r);
            }
            case Node.STRUCT -> struct(n, out);
            case Node.STRING -> {
                align(8);
                int start = (int) (bit >>> 3);
                int end = (int) (limit >>> 3);
                var b = buf;
                int i = findNul(b, start, end);
                if (i >= end) throw new DecodeError(bit, "a string has no terminating NUL before the end of the packet content");
                if (out.n + 2 > out.v.length) out.grow(out.n + 2);
                out.v[out.n++] = start;
                out.v[out.n++] = i - start;
                bit = (long) (i + 1) << 3;
            }
            case Node.FLOAT -> {
                align(n.align);
                long r = readBits(n.size, n.bigEndian);
                if (n.size == 32) r = Double.doubleToRawLongBits(Float.intBitsToFloat((int) r));
                put(out, r);
            }
            case Node.ARRAY -> array(n, n.length, out);
            case Node.SEQUENCE -> {
                long len = lengthValue(n.lengthSlot, out);
                array(n, len, out);
            }
            case Node.VARIANT -> {
                long tag = valueAt(n.tagSlot, out);
                int opt;
                var table = n.optionByValue;
                if (table != null && tag >= 0 && tag < table.length) {
                    opt = table[(int) tag];
                } else {
                    int li = n.tagNode.labelIndex(tag);
                    opt = li < 0 ? -1 : n.optionOfLabel[li];
                }
                if (opt < 0) throw new DecodeError(bit, "variant tag value " + tag + " selects no option");
                put(out, opt);
                decode(n.members[opt], out);
            }
            default -> throw new IllegalStateException("node kind " + n.kind);
        }
    }

    /**
     * The hot loop: integers, floats, strings and text arrays of a struct are decoded inline (one bounds check,
     * no calls); other members go through {@link #decode}. Value cells are reserved up front (at most 2 per member).
     */
    void struct(Node n, DecodedValues out) {
        if (n.align > 1) bit = (bit + n.align - 1) & -(long) n.align;
        var m = n.members;
        var slots = n.slots;
        var packed = n.packed;
        int len = m.length;
        if (out.n + 2 * len > out.v.length) out.grow(out.n + 2 * len);
        var v = out.v;
        var pos = out.pos;
        var b = buf;
        int k = out.n;
        long p = bit;
        final long lim = limit;
        boolean lbe = lastBigEndian;
        for (int i = 0; i < len; i++) {
            int s = slots[i];
            if (s >= 0) pos[s & ~Node.PACKET_SLOT] = k;
            int inf = packed[i];
            int cat = (inf >>> 12) & 3;
            if (cat <= Node.CAT_SCALAR_POST) {
                long a = 1L << (inf & 31);
                p = (p + a - 1) & -a;
                int size = (inf >>> 5) & 127;
                if (p + size > lim) throw pastEnd(p, size);
                boolean be = (inf & (1 << 14)) != 0;
                if (be != lbe) {
                    if ((p & 7) != 0) throw orderChange(p);
                    lbe = be;
                }
                long r = extract(b, p, size, be);
                p += size;
                int ss = (inf >>> 15) & 63;
                r = (r << ss) >> ss;
                if (cat == Node.CAT_SCALAR_POST) r = post(m[i], size, r);
                v[k++] = r;
                continue;
            }
            var c = m[i];
            int kind = c.kind;
            if (kind == Node.STRING || (kind == Node.ARRAY && c.text)) {
                p = (p + 7) & ~7L;
                int start = (int) (p >>> 3);
                int end;
                if (kind == Node.STRING) {
                    end = (int) (lim >>> 3);
                    int j = findNul(b, start, end);
                    if (j >= end) throw noNul(p);
                    v[k++] = start;
                    v[k++] = j - start;
                    p = (long) (j + 1) << 3;
                } else {
                    long bits = c.length * 8;
                    if (p + bits > lim) throw pastEnd(p, (int) Math.min(Integer.MAX_VALUE, bits));
                    end = start + (int) c.length;
                    int j = findNul(b, start, end);
                    v[k++] = start;
                    v[k++] = j - start;
                    p += bits;
                }
            } else if (kind == Node.VARIANT && c.optionByValue != null && (c.tagSlot & Node.PACKET_SLOT) == 0
                    && c.scalarOptions) {
                // LTTng's event headers: a variant of small structs of integers, decoded here without recursion.
                long tag = v[pos[c.tagSlot]];
                var table = c.optionByValue;
                int opt = tag >= 0 && tag < table.length ? table[(int) tag] : -1;
                if (opt < 0) throw new DecodeError(p, "variant tag value " + tag + " selects no option");
                v[k++] = opt;
                var o = c.members[opt];
                if (o.align > 1) p = (p + o.align - 1) & -(long) o.align;
                var om = o.members;
                if (k + om.length > v.length) {
                    out.grow(k + om.length + 2 * (len - i));
                    v = out.v;
                }
                for (var x : om) {
                    int a = x.align;
                    if (a > 1) p = (p + a - 1) & -(long) a;
                    int size = x.size;
                    if (p + size > lim) throw pastEnd(p, size);
                    boolean be = x.bigEndian;
                    if (be != lbe) {
                        if ((p & 7) != 0) throw orderChange(p);
                        lbe = be;
                    }
                    long r = extract(b, p, size, be);
                    p += size;
                    int ss = x.signShift;
                    r = (r << ss) >> ss;
                    if (x.special) {
                        if (x.clock && updateClock) updateClock(size, r);
                        if (x.eventId) eventId = r;
                    }
                    v[k++] = r;
                }
            } else {
                bit = p;
                out.n = k;
                lastBigEndian = lbe;
                decode(c, out);
                lbe = lastBigEndian;
                p = bit;
                k = out.n;
                if (k + 2 * (len - i) > out.v.length) out.grow(k + 2 * (len - i));
                v = out.v;
                pos = out.pos;
            }
        }
        bit = p;
        out.n = k;
        lastBigEndian = lbe;
    }

    /** A float's value as double bits; a clock-mapped integer updates the clock, an event id is noted. */
    private long post(Node c, int size, long r) {
        if (c.kind == Node.FLOAT) {
            if (size == 32) r = Double.doubleToRawLongBits(Float.intBitsToFloat((int) r));
        } else {
            if (c.clock && updateClock) updateClock(size, r);
            if (c.eventId) eventId = r;
        }
        return r;
    }

    /**
     * True for LTTng's event header shapes (compact and large): an integer id selecting, through a variant, a struct
     * of integers holding the timestamp (and, when extended, the real id). {@link #header} decodes those straight.
     */
    static boolean isLttngHeader(Node h) {
        if (h == null || h.kind != Node.STRUCT || h.members.length != 2) return false;
        var id = h.members[0];
        var v = h.members[1];
        if (id.kind != Node.INT || !id.eventId || id.clock || v.kind != Node.VARIANT) return false;
        if (!v.scalarOptions || v.optionByValue == null || v.tagSlot != h.slots[0]) return false;
        return true;
    }

    /** Decodes an event header for which {@link #isLttngHeader} holds; same values and slots as {@link #struct}. */
    void header(Node h, DecodedValues out) {
        long p = bit;
        if (h.align > 1) p = (p + h.align - 1) & -(long) h.align;
        if (out.n + 8 > out.v.length) out.grow(out.n + 8);
        var v = out.v;
        var pos = out.pos;
        var b = buf;
        final long lim = limit;
        boolean lbe = lastBigEndian;
        int k = out.n;
        var idn = h.members[0];
        if (idn.align > 1) p = (p + idn.align - 1) & -(long) idn.align;
        pos[h.slots[0]] = k;
        int size = idn.size;
        if (p + size > lim) throw pastEnd(p, size);
        if (idn.bigEndian != lbe) {
            if ((p & 7) != 0) throw orderChange(p);
            lbe = idn.bigEndian;
        }
        long id = extract(b, p, size, lbe);
        p += size;
        id = (id << idn.signShift) >> idn.signShift;
        v[k++] = id;
        var variant = h.members[1];
        pos[h.slots[1]] = k;
        var table = variant.optionByValue;
        int opt = id >= 0 && id < table.length ? table[(int) id] : -1;
        if (opt < 0) throw new DecodeError(p, "variant tag value " + id + " selects no option");
        v[k++] = opt;
        var o = variant.members[opt];
        if (o.align > 1) p = (p + o.align - 1) & -(long) o.align;
        long evid = id;
        var om = o.members;
        if (k + om.length > v.length) {
            out.grow(k + om.length);
            v = out.v;
        }
        for (var x : om) {
            if (x.align > 1) p = (p + x.align - 1) & -(long) x.align;
            size = x.size;
            if (p + size > lim) throw pastEnd(p, size);
            if (x.bigEndian != lbe) {
                if ((p & 7) != 0) throw orderChange(p);
                lbe = x.bigEndian;
            }
            long r = extract(b, p, size, lbe);
            p += size;
            r = (r << x.signShift) >> x.signShift;
            if (x.clock && updateClock) updateClock(size, r);
            if (x.eventId) evid = r;
            v[k++] = r;
        }
        bit = p;
        lastBigEndian = lbe;
        eventId = evid;
        out.n = k;
    }

    // Error construction lives out of the hot loop so the JIT keeps that loop small.
    private static DecodeError pastEnd(long p, int bits) {
        return new DecodeError(p, "a " + bits + "-bit value runs past the end of the packet content");
    }

    private static DecodeError orderChange(long p) {
        return new DecodeError(p, "the byte order changes in the middle of a byte");
    }

    private static DecodeError noNul(long p) {
        return new DecodeError(p, "a string has no terminating NUL before the end of the packet content");
    }

    /**
     * {@link #findNul} for the packet buffer, whose {@link #SLACK} bytes past the content let it read 8 bytes at a
     * time up to the end without a byte loop: less code, so the fast paths calling it stay small enough to inline.
     */
    static int findNulInPacket(byte[] b, int from, int end) {
        for (int j = from; j < end; j += 8) {
            long x = (long) LE64.get(b, j);
            long t = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (t != 0) return Math.min(j + (Long.numberOfTrailingZeros(t) >>> 3), end);
        }
        return end;
    }

    /**
     * The length of the text in the {@code max}-byte array at {@code start}: up to its first NUL. The first 16 bytes
     * are tested without a loop (the packet buffer has slack past the content), the rest by {@link #findNul}.
     */
    static int textLength(byte[] b, int start, int max) {
        long x = (long) LE64.get(b, start);
        long t = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
        if (t == 0) {
            x = (long) LE64.get(b, start + 8);
            t = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (t == 0) return max <= 16 ? max : findNulInPacket(b, start + 16, start + max) - start;
            return Math.min(8 + (Long.numberOfTrailingZeros(t) >>> 3), max);
        }
        return Math.min(Long.numberOfTrailingZeros(t) >>> 3, max);
    }

    /** Index of the first NUL in {@code b[from, end)}, or {@code end}: eight bytes at a time (SWAR zero-byte test). */
    static int findNul(byte[] b, int from, int end) {
        int j = from;
        while (j + 8 <= end) {
            long x = (long) LE64.get(b, j);
            long t = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (t != 0) return j + (Long.numberOfTrailingZeros(t) >>> 3);
            j += 8;
        }
        while (j < end && b[j] != 0) j++;
        return j;
    }

    private long valueAt(int slot, DecodedValues out) {
        if ((slot & Node.PACKET_SLOT) != 0) return pkt.v[pkt.pos[slot & ~Node.PACKET_SLOT]];
        return out.v[out.pos[slot]];
    }

    private long lengthValue(int slot, DecodedValues out) {
        return valueAt(slot, out);
    }

    private void array(Node n, long len, DecodedValues out) {
        var el = n.element;
        align(n.align);
        long remaining = limit - bit;
        if (len < 0 || (el.minBits > 0 && len > remaining / el.minBits) || (el.minBits == 0 && len > (1 << 20)))
            throw new DecodeError(bit, "an array of " + Long.toUnsignedString(len) + " elements cannot fit in the "
                    + remaining + " bits left in the packet content");
        if (n.text) {
            // Text arrays are shown as strings up to the first NUL (babeltrace2 does the same).
            if ((bit & 7) != 0) throw new DecodeError(bit, "a text array is not byte-aligned");
            int start = (int) (bit >>> 3);
            int k = 0;
            while (k < len && buf[start + k] != 0) k++;
            if (out.n + 2 > out.v.length) out.grow(out.n + 2);
            out.v[out.n++] = start;
            out.v[out.n++] = k;
            bit += len * 8;
            return;
        }
        put(out, len);
        int cells = el.kind == Node.STRING ? 2 : 1;
        if (el.kind == Node.INT || el.kind == Node.FLOAT) {
            if (out.n + len * cells > out.v.length) out.grow((int) (out.n + len * cells));
        }
        for (long i = 0; i < len; i++) decode(el, out);
    }
}
