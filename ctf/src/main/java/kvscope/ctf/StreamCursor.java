package kvscope.ctf;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Walks one data stream file packet by packet, decoding one event ahead so the merge can order streams by time.
 * A packet is read whole into a reused byte array (bounded by the packet size, itself checked against the file).
 * Discarded-event counts are turned into lost-event items exactly where babeltrace2 puts them: before the first
 * event of the packet whose {@code events_discarded} grew, spanning from the previous packet's end to this one's end.
 */
final class StreamCursor {
    static final int EVENT = 0, LOST = 1, END = 2, ERROR = 3;
    private static final long CTF_MAGIC = 0xC1FC1FC1L;

    final TraceData trace;
    final Path file;
    final int order;
    private FileChannel ch;
    private long fileSize;
    final Decoder d = new Decoder();
    final DecodedValues pkt;
    final DecodedValues ev;
    TraceData.StreamClass sc;
    private boolean inPacket;
    private long packetStart, nextPacket;

    int kind = END;
    /** Where each scope's values start in {@link #ev}, for rendering every field in order. */
    int streamContextAt, eventContextAt, payloadAt;
    /**
     * The current event's class, as its global index ({@link TraceData.EventClass#index}; see {@link #cls()}). The
     * per-event state is kept in primitives: a reference store costs a GC write barrier, and this runs per event.
     */
    int clsIndex;
    private final TraceData.EventClass[] classes;
    private final int firstClass;
    /** The current event's body is checked but not decoded ({@link EventPlan#skip}): its class's plan reads it. */
    boolean lazy;
    /** Where the current event's body segments start (bits), for reads and {@link #materialize}. */
    final long[] seg;
    long ts;
    long key;
    int cpu = -1;
    long lostCount, lostStart, lostEnd;
    CtfException error;
    private long prevDiscarded = -1, prevEnd;
    private long tsBegin, tsEnd;
    private final long[] bytesRead;

    StreamCursor(TraceData trace, Path file, int order, long[] bytesRead) {
        this.trace = trace;
        this.file = file;
        this.order = order;
        this.bytesRead = bytesRead;
        int pslots = 1, eslots = 1;
        for (var s : trace.streams) {
            pslots = Math.max(pslots, s.packetSlots);
            eslots = Math.max(eslots, s.eventBase);
        }
        for (var e : trace.events) eslots = Math.max(eslots, e.slots);
        pkt = new DecodedValues(pslots);
        ev = new DecodedValues(eslots);
        int segs = 1, cells = 0;
        for (var e : trace.events) {
            if (e.plan == null) continue;
            segs = Math.max(segs, e.plan.segments());
            cells = Math.max(cells, e.plan.cells);
        }
        seg = new long[segs];
        // Room for a header's cells and any planned body: EventPlan.skip leaves growing to the generic path.
        ev.grow(cells + 16);
        d.pkt = pkt;
        classes = trace.events.toArray(new TraceData.EventClass[0]);
        firstClass = classes.length == 0 ? 0 : classes[0].index;
    }

    /** The current event's class. */
    TraceData.EventClass cls() {
        return classes[clsIndex - firstClass];
    }

    /** Moves to the next item; false at the end of the file. Errors become an ERROR item at the last timestamp. */
    boolean advance() {
        var hp = packedHeader;
        if (hp != null && kind == EVENT && d.bit < d.limit && decodeFast(hp)) return true;
        return advanceAny();
    }

    private boolean advanceAny() {
        if (kind == ERROR) return false;
        try {
            if (ch == null && mem == null) open();
            while (true) {
                if (inPacket && d.bit < d.limit) {
                    decodeEvent();
                    return true;
                }
                if (!loadPacket()) {
                    kind = END;
                    return false;
                }
                if (kind == LOST) return true;
            }
        } catch (Decoder.DecodeError e) {
            fail(packetStart + (e.bit >>> 3), e.getMessage());
        } catch (IOException e) {
            fail(packetStart, "cannot read: " + e.getMessage());
        } catch (CtfException e) {
            error = e;
            kind = ERROR;
        }
        return true;
    }

    private void fail(long offset, String message) {
        error = new CtfException(file, offset, message);
        kind = ERROR;
    }

    private void open() throws IOException {
        if (mem != null) return;
        ch = FileChannel.open(file, StandardOpenOption.READ);
        fileSize = ch.size();
    }

    void close() {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // closing a read-only channel has nothing to lose
        }
    }

    /**
     * Packets are read with positional reads into the reused packet buffer. Not memory-mapped: mapped windows stay
     * resident until the garbage collector happens to unmap them, so the process's RSS grew with the trace size
     * (3.8 GB for a 3.4 GB trace); a read per packet costs little next to decoding it.
     */
    private void readFully(long at, int len) throws IOException {
        if (d.buf.length < len + Decoder.SLACK) d.buf = new byte[Math.max(len + Decoder.SLACK, Math.min(Integer.MAX_VALUE - 64, d.buf.length * 2))];
        if (at + len > fileSize) throw new CtfException(file, fileSize, "file ended while reading a packet");
        if (mem != null) {
            if (at < memAt) throw new CtfException(file, at, "read before the packet the relay sent (at " + memAt + ")");
            System.arraycopy(mem, (int) (at - memAt), d.buf, 0, len);
            Arrays.fill(d.buf, len, len + Decoder.SLACK, (byte) 0);
            return;
        }
        var bb = ByteBuffer.wrap(d.buf, 0, len);
        while (bb.hasRemaining()) {
            int n = ch.read(bb, at + bb.position());
            if (n < 0) throw new CtfException(file, at + bb.position(), "file ended while reading a packet");
        }
        Arrays.fill(d.buf, len, len + Decoder.SLACK, (byte) 0);
    }

    /**
     * Live reading (kvscope.ctf.live): the stream's next packet, as the relay sent it, starting at {@code offset} in
     * the stream. Called once this cursor has handed out every item of the packet before; the cursor keeps a
     * reference to {@code bytes} until the next call (one packet per stream is all a live merge holds).
     */
    void feed(long offset, byte[] bytes, int length) {
        mem = bytes;
        memAt = offset;
        nextPacket = offset;
        fileSize = offset + length;
        inPacket = false;
        if (kind != ERROR) kind = END;
    }

    /** Goes on where {@code before} (the same stream, decoded with older metadata) stopped: discarded-event counts. */
    void continueFrom(StreamCursor before) {
        prevDiscarded = before.prevDiscarded;
        prevEnd = before.prevEnd;
    }

    /** The end time (ns) of the packet read last, or Long.MIN_VALUE before the first. */
    long packetEndNs() {
        return anyPacket ? trace.toNs(tsEnd) : Long.MIN_VALUE;
    }

    /** Live reading: the packet fed last ({@link #feed}); null when reading a file. */
    private byte[] mem;
    private long memAt;
    private boolean anyPacket;

    /** Walks packet headers only: {first timestamp_begin, last timestamp_end} in ns, or null when empty. */
    long[] scanPackets() {
        long[] r = null;
        try {
            open();
            headersOnly = true;
            while (loadPacket()) {
                long b = trace.toNs(tsBegin), e = trace.toNs(tsEnd);
                if (r == null) r = new long[] {b, e};
                else { r[0] = Math.min(r[0], b); r[1] = Math.max(r[1], e); }
            }
        } catch (Decoder.DecodeError e) {
            throw new CtfException(file, packetStart + (e.bit >>> 3), e.getMessage());
        } catch (IOException e) {
            throw new CtfException(file, packetStart, "cannot read: " + e.getMessage(), e);
        }
        return r;
    }

    private boolean headersOnly;

    /** Bytes of this stream file behind its next event: the packets done, and the current one up to its position. */
    long consumed() { return inPacket ? packetStart + d.bit / 8 : Math.min(nextPacket, fileSize); }

    private boolean loadPacket() throws IOException {
        inPacket = false;
        lazy = false; // the buffer is about to hold another packet
        if (nextPacket >= fileSize) return false;
        packetStart = nextPacket;
        long remaining = fileSize - packetStart;
        int chunk = (int) Math.min(remaining, 4096);
        while (true) {
            readFully(packetStart, chunk);
            d.bit = 0;
            d.limit = chunk * 8L;
            d.lastBigEndian = trace.bigEndian;
            d.updateClock = false;
            try {
                decodePacketHeader();
                break;
            } catch (Decoder.DecodeError e) {
                if (chunk >= remaining || chunk >= (1 << 24)) throw e;
                chunk = (int) Math.min(remaining, chunk * 4L);
            }
        }
        long headerBits = d.bit;
        long packetBits = sc.packetSize >= 0 ? pkt.v[pkt.pos[sc.packetSize]] : remaining * 8;
        long contentBits = sc.contentSize >= 0 ? pkt.v[pkt.pos[sc.contentSize]] : packetBits;
        if (sc.packetSize >= 0 && sc.contentSize < 0) contentBits = packetBits;
        if (packetBits % 8 != 0 || packetBits <= 0)
            throw new CtfException(file, packetStart, "packet_size " + packetBits + " bits is not a positive whole number of bytes");
        if (Long.compareUnsigned(packetBits / 8, remaining) > 0)
            throw new CtfException(file, packetStart, "packet of " + packetBits / 8 + " bytes runs past the end of the file ("
                    + remaining + " bytes left)");
        if (Long.compareUnsigned(contentBits, packetBits) > 0 || contentBits < headerBits)
            throw new CtfException(file, packetStart, "content_size " + contentBits + " bits does not fit in packet_size "
                    + packetBits + " bits after the " + headerBits + "-bit packet header and context");
        if (packetBits / 8 > Integer.MAX_VALUE - 64)
            throw new CtfException(file, packetStart, "packet of " + packetBits / 8 + " bytes is larger than 2 GB");
        int contentBytes = (int) ((contentBits + 7) / 8);
        if (contentBytes > chunk && !headersOnly) readFully(packetStart, contentBytes);
        d.limit = contentBits;
        d.bit = headerBits;
        nextPacket = packetStart + packetBits / 8;
        bytesRead[0] += packetBits / 8;
        inPacket = true;
        tsBegin = sc.tsBegin >= 0 ? pkt.v[pkt.pos[sc.tsBegin]] : d.clock;
        tsEnd = sc.tsEnd >= 0 ? pkt.v[pkt.pos[sc.tsEnd]] : tsBegin;
        anyPacket = true;
        if (sc.tsBegin >= 0) d.clock = tsBegin;
        cpu = sc.cpuId >= 0 ? (int) pkt.v[pkt.pos[sc.cpuId]] : -1;
        if (sc.discarded >= 0) {
            long cur = pkt.v[pkt.pos[sc.discarded]];
            long diff = prevDiscarded < 0 ? cur : cur - prevDiscarded;
            long startCycles = prevDiscarded < 0 ? tsBegin : prevEnd;
            prevDiscarded = cur;
            if (diff != 0) {
                kind = LOST;
                lostCount = diff;
                lostStart = trace.toNs(startCycles);
                lostEnd = trace.toNs(tsEnd);
                ts = lostEnd;
                key = lostStart;
                prevEnd = tsEnd;
                return true;
            }
        }
        prevEnd = tsEnd;
        kind = EVENT;
        return true;
    }

    private void decodePacketHeader() {
        pkt.reset();
        var th = trace.packetHeader;
        if (th != null) d.decode(th, pkt);
        long sid = -1;
        var s0 = trace.streams.get(0);
        if (s0.magic >= 0 && th != null) {
            long magic = pkt.v[pkt.pos[s0.magic]];
            if (magic != CTF_MAGIC)
                throw new CtfException(file, packetStart, String.format("bad packet magic 0x%08X, expected 0x%08X", magic, CTF_MAGIC));
        }
        if (s0.streamId >= 0 && th != null) sid = pkt.v[pkt.pos[s0.streamId]];
        var s = trace.streamClass(sid);
        if (s == null) throw new CtfException(file, packetStart, "packet names stream class " + sid + ", which the metadata does not declare");
        sc = s;
        packedHeader = s.headerPlan != null && s.headerPlan.packed() ? s.headerPlan : null;
        if (s.packetContext != null) d.decode(s.packetContext, pkt);
    }

    /** Decodes the current event's integers and floats into their cells if {@link EventPlan#skip} left them. */
    void materialize() {
        if (!lazy) return;
        lazy = false;
        cls().plan.fill(d.buf, ev.v, streamContextAt, seg);
    }

    /** The current packet's header plan when it can decode headers in one load ({@link HeaderPlan#packedBits}). */
    private HeaderPlan packedHeader;
    private static final VarHandle LE64 =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The common case in one small method the JIT inlines into the merge loop: a header of one little-endian id and
     * clock value read in one 8-byte load (LTTng's compact header), an event id the metadata declares, a body its
     * class's plan checks ({@link EventPlan#skipFrom}). The header's values are not stored (only the clock moves):
     * nothing reads them for a planned class, whose body cells start at 0. Anything else, or a failed check, returns
     * false with nothing changed, and the general path decodes the event and reports any error precisely.
     */
    private boolean decodeFast(HeaderPlan hp) {
        var d = this.d;
        var b = d.buf;
        long p = (d.bit + hp.align - 1) & -(long) hp.align;
        long x = (long) LE64.get(b, (int) (p >>> 3)); // the packet buffer has slack past the content
        var packed = hp.packedBits;
        int id = (int) x & (packed.length - 1);
        int bits = packed[id];
        long lim = d.limit;
        if (bits == 0 || p + bits > lim) return false;
        var byId = sc.byId;
        TraceData.EventClass c;
        EventPlan plan;
        if (id >= byId.length || (c = byId[id]) == null || (plan = c.plan) == null) return false;
        long end = plan.fixedOnly() ? plan.fixedEnd(p + bits, lim, seg) : plan.skipFrom(b, p + bits, lim, ev.v, 0, seg);
        if (end < 0) return false;
        int idSize = hp.idSize;
        long clock = Decoder.nextClock(d.clock, bits - idSize, (x >>> idSize) & ((1L << (bits - idSize)) - 1));
        d.clock = clock;
        d.bit = end;
        d.lastBigEndian = plan.endsBigEndian(); // the header is little-endian
        ev.n = plan.cells;
        lazy = true;
        streamContextAt = 0;
        eventContextAt = plan.eventContextCell;
        payloadAt = plan.payloadCell;
        clsIndex = c.index;
        ts = trace.toNs(clock);
        key = ts;
        return true;
    }

    private void decodeEvent() {
        lazy = false;
        long start = d.bit;
        ev.reset();
        d.updateClock = true;
        var s = sc;
        TraceData.EventClass c;
        if (s.eventHeader != null) {
            d.eventId = 0;
            var hp = s.headerPlan;
            if (hp == null || !hp.decode(d, s.eventHeader, ev)) {
                if (s.lttngHeader) d.header(s.eventHeader, ev); else d.struct(s.eventHeader, ev);
            }
            c = s.event(d.eventId);
            if (c == null) throw new Decoder.DecodeError(start, "event id " + d.eventId + " is not declared in the metadata for stream class " + s.id);
        } else {
            c = s.only;
            if (c == null) throw new Decoder.DecodeError(start, "stream class " + s.id + " has no event header and " + s.events.size() + " event classes");
        }
        // Only the event header moves the clock: babeltrace2 ignores clock-mapped integers of the other scopes.
        d.updateClock = false;
        int body = ev.n;
        var plan = c.plan;
        if (plan != null && plan.skip(d, ev, seg)) {
            lazy = true;
            streamContextAt = body;
            eventContextAt = body + plan.eventContextCell;
            payloadAt = body + plan.payloadCell;
        } else {
            streamContextAt = ev.n;
            if (s.eventContext != null) d.struct(s.eventContext, ev);
            eventContextAt = ev.n;
            if (c.context != null) d.struct(c.context, ev);
            payloadAt = ev.n;
            if (c.payload != null && c.payload.members.length > 0) d.struct(c.payload, ev);
        }
        if (d.bit == start) throw new Decoder.DecodeError(start, "an event of class '" + c.name + "' takes no space: the stream would never end");
        clsIndex = c.index;
        ts = trace.toNs(d.clock);
        key = ts;
        kind = EVENT;
    }
}
