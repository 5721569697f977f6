package kvscope.ctf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The current event of an iteration over a {@link Trace}. One object is reused for every event: read what you need
 * before moving on, and do not keep it. Field reads go through {@link Field} handles resolved once.
 *
 * <p>Lost-event records come in the same stream of items, in time order: {@link #isLost()} is true, {@link #type()}
 * is {@link EventType#LOST}, {@link #lostCount()} says how many events the tracer discarded between
 * {@link #lostStart()} and {@link #timestamp()} (the end of the range).
 */
public final class Event {
    StreamCursor s;
    /** Index of the current event's class in field handles' arrays (the last index for lost-event records). */
    int ci;
    /** The current event's value cells and slot positions (its cursor's, cached here to save two loads a read). */
    long[] v;
    int[] pos;
    /** The cell where the current event's body (stream event context, event context, payload) starts. */
    int body;
    /**
     * The body's integers and floats are not decoded yet ({@link EventPlan#skip}): integers are read from the packet
     * {@link #buf} at the segment starts {@link #seg}; anything else decodes the body first ({@link #at}).
     */
    boolean lazy;
    long[] seg;
    byte[] buf;
    private final StringCache strings = new StringCache();
    private static final VarHandle LE64 =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The type of each event class by {@link #ci} ({@link EventType#LOST} at the lost-record index). */
    private final EventType[] types;

    Event(EventType[] types) {
        this.types = types;
    }

    /**
     * Points this event at the current item of cursor {@code c}, of class {@code ci}. References are stored only
     * when they change (rarely but for the cursor): each store costs a GC write barrier, and this runs per event.
     */
    void load(StreamCursor c, int ci) {
        if (s != c) {
            s = c;
            seg = c.seg;
        }
        var b = c.d.buf;
        if (buf != b) buf = b;
        var ev = c.ev;
        if (v != ev.v) v = ev.v;
        if (pos != ev.pos) pos = ev.pos;
        this.ci = ci;
        body = c.streamContextAt;
        lazy = c.lazy;
    }

    /** The event type; {@link EventType#LOST} for a lost-events record. */
    public EventType type() { return types[ci]; }

    public String name() { return type().name(); }

    /** Nanoseconds since the epoch (the trace clock's offset applied). For lost events, the end of the range. */
    public long timestamp() { return s.ts; }

    /** The CPU from the packet context ({@code cpu_id}), or -1 when the stream does not say. */
    public int cpu() { return s.cpu; }

    /** The trace this event comes from: its environment (hostname, per-PID procname) and directory. */
    public TraceInfo trace() { return s.trace.info; }

    public boolean isLost() { return s.kind == StreamCursor.LOST; }

    /**
     * Number of events discarded by the tracer (0 for ordinary events): the difference of the packets'
     * {@code events_discarded} counters modulo 2^64, as babeltrace2 reports it — read it as unsigned. A counter
     * that went backwards (seen in LTTng per-UID traces) gives a huge unsigned value, negative as a long.
     */
    public long lostCount() { return s.kind == StreamCursor.LOST ? s.lostCount : 0; }

    /** Start of the range in which events were discarded (ns since the epoch). */
    public long lostStart() { return s.kind == StreamCursor.LOST ? s.lostStart : s.ts; }

    /** The data stream file the event was read from. */
    public Path streamFile() { return s.file; }

    /** True when this event has the field (always false for lost-event records). */
    public boolean has(Field f) {
        return ci < f.slotByClass.length && f.slotByClass[ci] >= 0;
    }

    /** Where the field's value starts among the current event's cells. */
    private int at(Field f) {
        if (lazy) {
            s.materialize();
            lazy = false;
        }
        int i = ci;
        if (i < f.slotByClass.length) {
            int c = f.bodyCellByClass[i];
            if (c >= 0) return body + c;
            int sl = f.slotByClass[i];
            if (sl >= 0) return pos[sl];
        }
        throw absent(f);
    }

    private RuntimeException absent(Field f) {
        return new NoSuchElementException("event " + name() + " has no field '" + f.name() + "' (check has(field) or field.exists())");
    }

    private Node node(Field f) { return f.nodeByClass[ci]; }

    /**
     * An integer or enumeration field's value (unsigned 64-bit values come back as their bit pattern: use
     * {@link Long#toUnsignedString}); a float is truncated; a string or array gives its length.
     */
    public long getLong(Field f) {
        int i = ci;
        var ops = f.intOps;
        int at = 9 * i;
        if (at + 8 < ops.length) {
            long h = ops[at];
            if (h >= 0) {
                if (!lazy) return v[body + (int) (h >>> 32)];
                long p = seg[(int) h & 0xFFFF];
                int ph = (int) (p >>> 3) & 7;
                long q = ops[at + 1 + ph];
                if ((q & EventPlan.QUICK_NONE) != 0) return EventPlan.load(buf, p, f.lazyOps[(i << 3) | ph]);
                // One load; the shift (q's low 6 bits) moves the value's bits to the top, the second one back down.
                long x = (long) LE64.get(buf, (int) (p >>> 3) + (int) (q >>> 32)) << q;
                return (q & EventPlan.QUICK_SIGNED) != 0 ? x >> q : x >>> q;
            }
            int sl = f.intSlotByClass[i];
            if (sl >= 0) return v[pos[sl]];
        }
        return anyLong(f);
    }

    /** {@link #getLong} for any other field, kept apart so that the integer fast path stays small enough to inline. */
    private long anyLong(Field f) {
        int p = at(f);
        var n = node(f);
        long v = this.v[p];
        if (n.kind == Node.FLOAT) return (long) Double.longBitsToDouble(v);
        if (n.kind == Node.STRING || n.text) return this.v[p + 1];
        return v;
    }

    /** A floating-point field's value; integers are converted (unsigned ones by value). */
    public double getDouble(Field f) {
        int p = at(f);
        var n = node(f);
        long v = this.v[p];
        if (n.kind == Node.FLOAT) return Double.longBitsToDouble(v);
        if (n.kind == Node.INT && !n.signed && v < 0) return (double) (v >>> 1) * 2.0 + (v & 1);
        return v;
    }

    /**
     * A string or text array/sequence as a Java string (invalid UTF-8 replaced by U+FFFD). Repeated values come from
     * a small cache, so a field like {@code procname} does not allocate per event. Other kinds give their value as text.
     */
    public String getString(Field f) {
        int i = ci;
        if (i < f.textCellByClass.length && f.textCellByClass[i] >= 0) {
            int sg = f.textSegByClass[i];
            int start, len;
            if (lazy && sg >= 0) {
                long p = seg[sg];
                start = EventPlan.textStart(p, f.textOps[(i << 3) | ((int) (p >>> 3) & 7)]);
                len = Decoder.textLength(buf, start, f.textLenByClass[i]);
            } else {
                int c = body + f.textCellByClass[i];
                start = (int) v[c];
                len = (int) v[c + 1];
            }
            // One call site: C2 inlines the cache once, which keeps this method small enough to be inlined itself.
            return strings.get(buf, start, len);
        }
        return anyString(f);
    }

    /** {@link #getString} for any other field, kept apart so that the string fast path stays small enough to inline. */
    private String anyString(Field f) {
        int p = at(f);
        var n = node(f);
        if (n.kind == Node.STRING || n.text) return strings.get(s.d.buf, (int) this.v[p], (int) this.v[p + 1]);
        if (n.kind == Node.INT) {
            var label = n.label(this.v[p]);
            if (label != null) return label;
            return n.signed ? Long.toString(this.v[p]) : Long.toUnsignedString(this.v[p]);
        }
        if (n.kind == Node.FLOAT) return Double.toString(Double.longBitsToDouble(this.v[p]));
        var sb = new StringBuilder();
        EventFormat.appendJsonValue(sb, n, this.v, p, s.d.buf);
        return sb.toString();
    }

    /** Compares a string field with ASCII/UTF-8 bytes without creating a String. */
    public boolean stringEquals(Field f, byte[] utf8) {
        int p = at(f);
        var n = node(f);
        if (n.kind != Node.STRING && !n.text) return false;
        int off = (int) this.v[p], len = (int) this.v[p + 1];
        return Arrays.equals(s.d.buf, off, off + len, utf8, 0, utf8.length);
    }

    /** The label an enumeration field's value maps to, or null. */
    public String enumLabel(Field f) {
        int p = at(f);
        return node(f).label(this.v[p]);
    }

    /** The element count of an array or sequence field (not text ones, which read as strings). */
    public int length(Field f) {
        int p = at(f);
        var n = node(f);
        if ((n.kind != Node.ARRAY && n.kind != Node.SEQUENCE) || n.text) throw new IllegalArgumentException("field '" + f.name() + "' is not an array");
        return (int) this.v[p];
    }

    /** Element {@code i} of an array or sequence of integers (or floats, truncated). */
    public long getLong(Field f, int i) {
        int p = at(f);
        var n = node(f);
        if ((n.kind != Node.ARRAY && n.kind != Node.SEQUENCE) || n.text || (n.element.kind != Node.INT && n.element.kind != Node.FLOAT))
            throw new IllegalArgumentException("field '" + f.name() + "' is not an array of numbers");
        long len = this.v[p];
        if (i < 0 || i >= len) throw new IndexOutOfBoundsException("index " + i + " of " + len + " in '" + f.name() + "'");
        long v = this.v[p + 1 + i];
        return n.element.kind == Node.FLOAT ? (long) Double.longBitsToDouble(v) : v;
    }

    /** Element {@code i} of an array or sequence of floats (integers converted). */
    public double getDouble(Field f, int i) {
        int p = at(f);
        var n = node(f);
        if ((n.kind != Node.ARRAY && n.kind != Node.SEQUENCE) || n.text) throw new IllegalArgumentException("field '" + f.name() + "' is not an array");
        long len = this.v[p];
        if (i < 0 || i >= len) throw new IndexOutOfBoundsException("index " + i + " of " + len + " in '" + f.name() + "'");
        long v = this.v[p + 1 + i];
        return n.element.kind == Node.FLOAT ? Double.longBitsToDouble(v) : v;
    }

    /** A small direct-mapped cache of decoded strings, keyed by their bytes. */
    static final class StringCache {
        private final String[] strs = new String[512];
        private final byte[][] keys = new byte[512][];
        /** Per slot, side by side (one array to check): the string's length (-1: empty slot) and its two key words. */
        private final long[] slots = new long[4 * 512];

        StringCache() {
            for (int h = 0; h < 512; h++) slots[4 * h] = -1;
        }
        private static final VarHandle LE64 =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        String get(byte[] buf, int off, int len) {
            if (len > 16) return getLonger(buf, off, len);
            // Up to 16 bytes a string is its own key: its length and two 8-byte loads masked to it (the packet
            // buffer has slack after the content). Most strings of a trace are such (names, commands, procname).
            int rest = len - 8;
            long a = (long) LE64.get(buf, off) & (len >= 8 ? -1L : ~(-1L << (len << 3)));
            long z = (long) LE64.get(buf, off + 8) & (rest >= 8 ? -1L : rest <= 0 ? 0 : ~(-1L << (rest << 3)));
            int h = (int) (((a * 0x9E3779B97F4A7C15L) ^ (z * 0xC2B2AE3D27D4EB4FL) ^ len) >>> 55);
            var sl = slots;
            int k = h << 2;
            if (sl[k] == len && sl[k + 1] == a && sl[k + 2] == z) return strs[h];
            return miss(buf, off, len, h, a, z);
        }

        /** {@link #get} for strings above 16 bytes: keyed by their first and last 8 bytes, then compared whole. */
        private String getLonger(byte[] buf, int off, int len) {
            if (len > 64) return new String(buf, off, len, StandardCharsets.UTF_8);
            long a = (long) LE64.get(buf, off);
            long z = (long) LE64.get(buf, off + len - 8);
            int h = (int) (((a * 0x9E3779B97F4A7C15L) ^ (z * 0xC2B2AE3D27D4EB4FL) ^ len) >>> 55);
            var sl = slots;
            int k = h << 2;
            if (sl[k] == len && sl[k + 1] == a && sl[k + 2] == z
                    && Arrays.equals(keys[h], 0, len, buf, off, off + len)) return strs[h];
            return miss(buf, off, len, h, a, z);
        }

        /** Decodes a string the cache does not hold and keeps it in slot {@code h} (apart: the hit path stays small). */
        private String miss(byte[] buf, int off, int len, int h, long a, long z) {
            var str = new String(buf, off, len, StandardCharsets.UTF_8);
            if (len > 16) keys[h] = Arrays.copyOfRange(buf, off, off + len);
            strs[h] = str;
            slots[4 * h] = len;
            slots[4 * h + 1] = a;
            slots[4 * h + 2] = z;
            return str;
        }
    }
}
