package kvscope.ctf.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the packets of one stream. Events are encoded straight into the packet buffer, field by field, with
 * CTF alignment relative to the packet start; a packet is closed when its content passes the writer's packet size.
 */
public final class StreamWriter {
    private static final long CLOCK_27 = 1L << 27;

    private final CtfWriter w;
    private final int cpu;
    private final FileChannel ch;
    private byte[] buf = new byte[1 << 16];
    private long bit;
    private boolean open;
    private long seq;
    private long discarded;
    private long beginCycles, lastCycles = Long.MIN_VALUE, clock;
    private final long offsetNs;
    // the event being written
    private final List<FieldType> flat = new ArrayList<>();
    private int next = -1;
    private CtfWriter.EventDef current;

    StreamWriter(CtfWriter w, int cpu, Path file) {
        this.w = w;
        this.cpu = cpu;
        this.offsetNs = w.offsetSeconds * 1_000_000_000L + w.offsetExtraNs;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts events as discarded by the tracer: reported by readers before the current (or next) packet's events. */
    public StreamWriter discard(long n) {
        discarded += n;
        return this;
    }

    /** Starts an event at {@code tsNs} (ns since the epoch, not before the previous event of this stream). */
    public StreamWriter begin(CtfWriter.EventDef e, long tsNs) {
        if (next >= 0) throw new IllegalStateException("event " + current.name() + " is not finished (call end())");
        long cycles = tsNs - offsetNs;
        if (cycles < 0) throw new IllegalArgumentException("timestamp " + tsNs + " is before the clock offset");
        if (lastCycles != Long.MIN_VALUE && cycles < lastCycles)
            throw new IllegalArgumentException("timestamp " + tsNs + " goes back in time on stream " + cpu);
        // Close the packet when the largest event seen so far might not fit, so packets stay at their size.
        if (open && bit + maxEventBits > (long) w.packetBytes * 8) closePacket();
        if (!open) openPacket(cycles);
        eventStart = bit;
        // LTTng's compact header holds the low 27 bits; readers rebuild the rest from the previous timestamp.
        align(8);
        if (e.id() < 31 && cycles - clock < CLOCK_27) {
            bits(e.id(), 5, w.bigEndian);
            bits(cycles & (CLOCK_27 - 1), 27, w.bigEndian);
        } else {
            bits(31, 5, w.bigEndian);
            align(8);
            bits(e.id(), 32, w.bigEndian);
            align(8);
            bits(cycles, 64, w.bigEndian);
        }
        clock = cycles;
        lastCycles = cycles;
        current = e;
        // A struct is aligned on its most aligned member (CTF 1.8 §4.2.1): so are the context and payload scopes.
        if (!w.context.isEmpty()) align(alignOf(w.context));
        payloadStart = w.context.size();
        payloadAlign = alignOf(e.fields());
        flat.clear();
        for (var f : w.context) flat.add(f.type());
        for (var f : e.fields()) flat.add(f.type());
        next = 0;
        if (flat.isEmpty()) next = -1;
        return this;
    }

    private long maxEventBits = 64 * 8, eventStart;

    /** Ends the event; every field must have been given. */
    public void end() {
        if (next >= 0) throw new IllegalStateException("event " + current.name() + " misses values from field " + next);
        maxEventBits = Math.max(maxEventBits, bit - eventStart + 64);
    }

    private int payloadStart, payloadAlign;

    static int alignOf(List<FieldSpec> fields) {
        int a = 1;
        for (var f : fields) a = Math.max(a, alignOf(f.type()));
        return a;
    }

    static int alignOf(FieldType t) {
        if (t instanceof FieldType.Int i) return i.align();
        if (t instanceof FieldType.Enum e) return e.container().align();
        if (t instanceof FieldType.Float f) return f.dbl() ? 64 : 32;
        if (t instanceof FieldType.Array a) return alignOf(a.element());
        if (t instanceof FieldType.Sequence s) return Math.max(8, alignOf(s.element()));
        return 8; // strings and text
    }

    private FieldType nextType() {
        if (next < 0) throw new IllegalStateException("no field left to write in this event");
        if (next == payloadStart) align(payloadAlign);
        var t = flat.get(next++);
        if (next == flat.size()) next = -1;
        return t;
    }

    public StreamWriter putLong(long v) {
        var t = nextType();
        if (t instanceof FieldType.Int i) integer(i, v);
        else if (t instanceof FieldType.Enum en) integer(en.container(), v);
        else if (t instanceof FieldType.Float f) flt(f, v);
        else throw new IllegalArgumentException("field is " + t + ", not an integer");
        return this;
    }

    public StreamWriter putDouble(double v) {
        var t = nextType();
        if (t instanceof FieldType.Float f) flt(f, v);
        else throw new IllegalArgumentException("field is " + t + ", not a float");
        return this;
    }

    public StreamWriter putString(String s) {
        return putString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A string, text array or text sequence from UTF-8 bytes (no NUL inside for strings). */
    public StreamWriter putString(byte[] utf8) {
        var t = nextType();
        if (t instanceof FieldType.Str) {
            align(8);
            rawBytes(utf8, utf8.length);
            bits(0, 8, false);
        } else if (t instanceof FieldType.Array a && a.element() instanceof FieldType.Text) {
            align(8);
            rawBytes(utf8, Math.min(utf8.length, a.length()));
            for (int k = utf8.length; k < a.length(); k++) bits(0, 8, false);
        } else if (t instanceof FieldType.Sequence s && s.element() instanceof FieldType.Text) {
            align(8);
            bits(utf8.length, 32, w.bigEndian);
            rawBytes(utf8, utf8.length);
        } else {
            throw new IllegalArgumentException("field is " + t + ", not a string");
        }
        return this;
    }

    /** An array or sequence of numbers (or of strings, as a List), or any value: the generic put. */
    public StreamWriter put(Object v) {
        var t = flat.get(next < 0 ? 0 : next);
        if (next < 0) throw new IllegalStateException("no field left to write in this event");
        if (v instanceof String s) return putString(s);
        if (v instanceof byte[] b && !(t instanceof FieldType.Array a0 && !(a0.element() instanceof FieldType.Text))
                && !(t instanceof FieldType.Sequence s0 && !(s0.element() instanceof FieldType.Text))) return putString(b);
        if (v instanceof Double d) return t instanceof FieldType.Float ? putDouble(d) : putLong(d.longValue());
        if (v instanceof Float f) return putDouble(f);
        if (v instanceof Number n) return putLong(n.longValue());
        nextType();
        if (t instanceof FieldType.Array a) {
            var list = asList(v);
            if (list.size() != a.length()) throw new IllegalArgumentException("array of " + a.length() + " needs as many values, not " + list.size());
            align(alignOf(a.element())); // even when empty: readers align an array on its element type
            for (var x : list) value(a.element(), x);
        } else if (t instanceof FieldType.Sequence s) {
            var list = asList(v);
            align(8);
            bits(list.size(), 32, w.bigEndian);
            align(alignOf(s.element()));
            for (var x : list) value(s.element(), x);
        } else {
            throw new IllegalArgumentException("cannot write " + v + " as " + t);
        }
        return this;
    }

    private static List<?> asList(Object v) {
        if (v instanceof List<?> l) return l;
        if (v instanceof long[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof int[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof double[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof Object[] a) return List.of(a);
        throw new IllegalArgumentException("not an array value: " + v);
    }

    private void value(FieldType t, Object x) {
        if (t instanceof FieldType.Int i) integer(i, ((Number) x).longValue());
        else if (t instanceof FieldType.Enum e) integer(e.container(), ((Number) x).longValue());
        else if (t instanceof FieldType.Float f) flt(f, ((Number) x).doubleValue());
        else if (t instanceof FieldType.Str) {
            align(8);
            var b = ((String) x).getBytes(StandardCharsets.UTF_8);
            rawBytes(b, b.length);
            bits(0, 8, false);
        } else if (t instanceof FieldType.Text) {
            integer(new FieldType.Int(8, true, 8, false, false), ((Number) x).longValue());
        } else if (t instanceof FieldType.Array a) {
            var list = asList(x);
            if (list.size() != a.length()) throw new IllegalArgumentException("array of " + a.length() + " needs as many values");
            align(alignOf(a.element()));
            for (var y : list) value(a.element(), y);
        } else {
            throw new IllegalArgumentException("cannot write " + x + " as " + t);
        }
    }

    /** Writes a whole event from values (context fields first, then payload): for tests and small traces. */
    public void write(CtfWriter.EventDef e, long tsNs, Object... values) {
        begin(e, tsNs);
        for (var v : values) put(v);
        end();
    }

    private void integer(FieldType.Int i, long v) {
        align(i.align());
        bits(i.bits() == 64 ? v : v & ((1L << i.bits()) - 1), i.bits(), i.bigEndian() || w.bigEndian);
    }

    private void flt(FieldType.Float f, double v) {
        align(f.dbl() ? 64 : 32);
        if (f.dbl()) bits(Double.doubleToRawLongBits(v), 64, w.bigEndian);
        else bits(Float.floatToRawIntBits((float) v) & 0xFFFFFFFFL, 32, w.bigEndian);
    }

    private void ensure(long bits) {
        long need = (bit + bits + 7) / 8 + 16;
        if (need > buf.length) {
            if (need > Integer.MAX_VALUE - 64) throw new IllegalStateException("packet too large");
            buf = Arrays.copyOf(buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 64, buf.length * 2L)));
        }
    }

    private void align(int a) {
        if (a > 1) {
            long nb = (bit + a - 1) & -(long) a;
            ensure(nb - bit);
            bit = nb;
        }
    }

    private void rawBytes(byte[] b, int len) {
        if ((bit & 7) != 0) throw new IllegalStateException("unaligned bytes");
        ensure(len * 8L);
        System.arraycopy(b, 0, buf, (int) (bit >>> 3), len);
        bit += len * 8L;
    }

    /** Writes {@code size} bits of {@code v}; the buffer ahead is zero, so bits are OR-ed in. */
    private boolean lastBigEndian;

    private void bits(long v, int size, boolean be) {
        if (be != lastBigEndian) {
            if ((bit & 7) != 0) throw new IllegalArgumentException("CTF cannot change byte order in the middle of a byte (bit " + bit + ")");
            lastBigEndian = be;
        }
        ensure(size);
        if ((bit & 7) == 0 && (size & 7) == 0) {
            int i = (int) (bit >>> 3);
            int n = size >>> 3;
            if (!be) for (int k = 0; k < n; k++) buf[i + k] = (byte) (v >>> (8 * k));
            else for (int k = 0; k < n; k++) buf[i + k] = (byte) (v >>> (8 * (n - 1 - k)));
        } else if (!be) {
            for (int k = 0; k < size; k++) {
                long p = bit + k;
                if (((v >>> k) & 1) != 0) buf[(int) (p >>> 3)] |= (byte) (1 << (p & 7));
            }
        } else {
            for (int k = 0; k < size; k++) {
                long p = bit + k;
                if (((v >>> (size - 1 - k)) & 1) != 0) buf[(int) (p >>> 3)] |= (byte) (1 << (7 - (p & 7)));
            }
        }
        bit += size;
    }

    private void openPacket(long beginCycles) {
        Arrays.fill(buf, 0, buf.length, (byte) 0);
        bit = 0;
        lastBigEndian = w.bigEndian;
        this.beginCycles = beginCycles;
        clock = beginCycles;
        boolean be = w.bigEndian;
        bits(0xC1FC1FC1L, 32, be);
        rawBytes(w.uuid, 16);
        bits(0, 32, be);       // stream_id
        bits(cpu, 64, be);     // stream_instance_id
        // packet context: timestamp_begin, timestamp_end, content_size, packet_size, packet_seq_num, events_discarded, cpu_id
        bits(beginCycles, 64, be);
        bit += 64 * 5;         // patched when the packet closes
        bits(cpu, 32, be);
        open = true;
    }

    private void patch(int byteOffset, long v) {
        long save = bit;
        bit = byteOffset * 8L;
        for (int k = 0; k < 8; k++) buf[byteOffset + k] = 0;
        bits(v, 64, w.bigEndian);
        bit = save;
    }

    private void closePacket() {
        if (next >= 0) throw new IllegalStateException("event " + current.name() + " is not finished");
        long content = bit;
        long bytes = (content + 7) / 8;
        long packet = (bytes + w.padTo - 1) / w.padTo * w.padTo;
        ensure(packet * 8 - bit);
        int ctx = 32; // after the 32-byte packet header
        patch(ctx + 8, lastCycles == Long.MIN_VALUE ? beginCycles : Math.max(lastCycles, beginCycles));
        patch(ctx + 16, content);
        patch(ctx + 24, packet * 8);
        patch(ctx + 32, seq++);
        patch(ctx + 40, discarded);
        try {
            var bb = ByteBuffer.wrap(buf, 0, (int) packet);
            while (bb.hasRemaining()) ch.write(bb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        open = false;
    }

    void close() {
        try {
            if (open) closePacket();
            ch.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
