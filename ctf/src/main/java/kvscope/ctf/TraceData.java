package kvscope.ctf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kvscope.ctf.tsdl.Metadata;
import kvscope.ctf.tsdl.TsdlException;
import kvscope.ctf.tsdl.TsdlParser;

/** One trace directory: its metadata compiled into decoders, and its data stream files. */
final class TraceData {
    /** A compiled stream class; slots of the packet roles are -1 when the packet header or context lacks them. */
    static final class StreamClass {
        long id;
        Node packetContext, eventHeader, eventContext;
        /** The header has LTTng's shape and is decoded by {@link Decoder#header}. */
        boolean lttngHeader;
        /** Its fixed-offset plan, when it has one. */
        HeaderPlan headerPlan;
        int packetSlots, eventBase;
        int magic = -1, streamId = -1, tsBegin = -1, tsEnd = -1, contentSize = -1, packetSize = -1,
                discarded = -1, cpuId = -1, seqNum = -1;
        final Map<Long, EventClass> events = new HashMap<>();
        EventClass[] byId = new EventClass[0];
        EventClass only;
        Map<String, Compiler.SlotRef> contextFields = Map.of();

        EventClass event(long id) {
            if (id >= 0 && id < byId.length) return byId[(int) id];
            return events.get(id);
        }
    }

    /** A compiled event class: one per (trace, event) pair; its {@code index} is global across the open trace set. */
    static final class EventClass {
        int index;
        long id;
        String name;
        int logLevel;
        StreamClass stream;
        Node context, payload;
        int slots;
        EventType type;
        /** The fast decode plan of the class's body, or null when the generic decoder must do it. */
        EventPlan plan;
        /** Shown field paths → slot: stream event context, then event context, then payload (payload wins). */
        final Map<String, Compiler.SlotRef> fields = new HashMap<>();
    }

    final TraceInfo info;
    final Path dir;
    final Node packetHeader;
    final List<StreamClass> streams = new ArrayList<>();
    final List<EventClass> events = new ArrayList<>();
    final List<Path> files;
    final long freq, offsetS, offsetCycles;
    final boolean bigEndian;
    /** The correction onto the reference host's clock ({@link Trace#synchronize}); NONE until then. */
    ClockFix fix = ClockFix.NONE;

    TraceData(int index, Path dir, int firstEventIndex, boolean plans) {
        this(index, dir, dir.resolve("metadata"), MetadataFile.read(dir.resolve("metadata")), firstEventIndex, plans, dataFiles(dir));
    }

    /**
     * A trace whose metadata text came from elsewhere (a live session: kvscope.ctf.live) and whose packets are fed to
     * its cursors ({@link StreamCursor#feed}); {@code mdFile} names it in messages.
     */
    TraceData(int index, Path dir, Path mdFile, String metadata, int firstEventIndex, boolean plans, List<Path> files) {
        this.dir = dir;
        Metadata md;
        try {
            md = TsdlParser.parse(metadata);
        } catch (TsdlException e) {
            throw new CtfException(mdFile, -1, "metadata " + e.getMessage(), e);
        }
        bigEndian = md.bigEndian();
        var clock = md.clocks().isEmpty() ? null : md.clocks().values().iterator().next();
        freq = clock == null ? 1_000_000_000L : clock.freq();
        offsetS = clock == null ? 0 : clock.offsetSeconds();
        offsetCycles = clock == null ? 0 : clock.offsetCycles();
        info = new TraceInfo(index, dir, md.env(), clock == null ? null : clock.name(), freq, md.uuid(),
                offsetS * 1_000_000_000L + (freq == 1_000_000_000L ? offsetCycles
                        : (long) ((double) offsetCycles * 1e9 / freq)), clock == null ? null : clock.uuid());
        try {
            var c = new Compiler(md.bigEndian());
            c.space(true, 0);
            packetHeader = c.compileScope("trace.packet.header", md.packetHeader());
            int headerSlots = c.nextSlot();
            var ph = c.table("trace.packet.header");
            int magic = slot(ph, "magic"), streamId = slot(ph, "stream_id");
            for (var sc : md.streams()) {
                var s = new StreamClass();
                s.id = sc.id();
                c.space(true, headerSlots);
                s.packetContext = c.compileScope("stream.packet.context", sc.packetContext());
                s.packetSlots = c.nextSlot();
                var pc = c.table("stream.packet.context");
                s.magic = magic;
                s.streamId = streamId;
                s.tsBegin = slot(pc, "timestamp_begin");
                s.tsEnd = slot(pc, "timestamp_end");
                s.contentSize = slot(pc, "content_size");
                s.packetSize = slot(pc, "packet_size");
                s.discarded = slot(pc, "events_discarded");
                s.cpuId = slot(pc, "cpu_id");
                s.seqNum = slot(pc, "packet_seq_num");
                c.space(false, 0);
                s.eventHeader = c.compileScope("stream.event.header", sc.eventHeader());
                s.lttngHeader = Decoder.isLttngHeader(s.eventHeader);
                if (s.lttngHeader && plans) s.headerPlan = HeaderPlan.build(s.eventHeader);
                s.eventContext = c.compileScope("stream.event.context", sc.eventContext());
                s.eventBase = c.nextSlot();
                s.contextFields = shownTable(c.table("stream.event.context"));
                long maxId = -1;
                for (var ec : md.events()) {
                    if (ec.streamId() != sc.id() && !(ec.streamId() == -1 && md.streams().size() == 1)) continue;
                    var e = new EventClass();
                    e.index = firstEventIndex + events.size();
                    e.id = ec.id() < 0 ? 0 : ec.id();
                    e.name = ec.name();
                    e.logLevel = ec.logLevel();
                    e.stream = s;
                    c.dropEventScopes();
                    c.space(false, s.eventBase);
                    e.context = c.compileScope("event.context", ec.context());
                    e.payload = c.compileScope("event.fields", ec.fields());
                    e.slots = c.nextSlot();
                    e.plan = plans ? EventPlan.build(s.eventContext, e.context, e.payload) : null;
                    e.fields.putAll(s.contextFields);
                    e.fields.putAll(shownTable(c.table("event.context")));
                    e.fields.putAll(shownTable(c.table("event.fields")));
                    if (s.events.put(e.id, e) != null)
                        throw new CtfException(mdFile, -1, "two events have id " + e.id + " in stream " + s.id);
                    maxId = Math.max(maxId, e.id);
                    events.add(e);
                }
                if (maxId >= 0 && maxId < 65536) {
                    s.byId = new EventClass[(int) maxId + 1];
                    for (var e : s.events.values()) s.byId[(int) e.id] = e;
                }
                if (s.events.size() == 1) s.only = s.events.values().iterator().next();
                streams.add(s);
            }
            if (streams.isEmpty()) {
                // A trace with no stream block has one implicit stream (CTF 1.8 §7.3.3).
                var s = new StreamClass();
                s.id = -1;
                s.packetSlots = headerSlots;
                streams.add(s);
            }
        } catch (TsdlException e) {
            throw new CtfException(mdFile, -1, "metadata " + e.getMessage(), e);
        }
        this.files = files;
    }

    private static int slot(Map<String, Compiler.SlotRef> t, String name) {
        var r = t.get(name);
        return r == null || r.node().kind != Node.INT ? -1 : r.slot() & ~Node.PACKET_SLOT;
    }

    private static Map<String, Compiler.SlotRef> shownTable(Map<String, Compiler.SlotRef> raw) {
        var out = new HashMap<String, Compiler.SlotRef>();
        for (var e : raw.entrySet()) {
            var parts = e.getKey().split("\\.");
            var sb = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) sb.append('.');
                sb.append(Compiler.shown(parts[i]));
            }
            out.put(sb.toString(), e.getValue());
        }
        return out;
    }

    StreamClass streamClass(long id) {
        if (streams.size() == 1 && (id == -1 || streams.get(0).id == -1 || streams.get(0).id == id)) return streams.get(0);
        for (var s : streams) if (s.id == id) return s;
        return null;
    }

    /** Converts clock cycles to nanoseconds since the epoch (clock offset applied, CTF 1.8 §8). */
    long toNs(long cycles) {
        long ns = ownNs(cycles);
        return fix == ClockFix.NONE ? ns : fix.apply(ns);
    }

    /** Clock cycles to ns since the epoch on the trace's own clock (its offset applied, no synchronisation). */
    private long ownNs(long cycles) {
        if (freq == 1_000_000_000L) return offsetS * 1_000_000_000L + offsetCycles + cycles;
        long total = offsetCycles + cycles;
        long sec = Long.divideUnsigned(total, freq);
        long rem = Long.remainderUnsigned(total, freq);
        long frac = rem < Long.MAX_VALUE / 1_000_000_000L ? rem * 1_000_000_000L / freq : (long) (rem * 1e9 / freq);
        return (offsetS + sec) * 1_000_000_000L + frac;
    }

    private static List<Path> dataFiles(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        var n = p.getFileName().toString();
                        return !n.equals("metadata") && !n.startsWith(".");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CtfException(dir, -1, "cannot list the trace directory: " + e.getMessage(), e);
        }
    }
}
