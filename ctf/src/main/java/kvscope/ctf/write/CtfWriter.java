package kvscope.ctf.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a CTF 1.8 trace shaped like LTTng-UST's: TSDL metadata (plain or packetized), one stream class with
 * LTTng's compact event header (5-bit id, 27-bit timestamp, extended when needed) and packet context
 * (timestamps, sizes, sequence number, {@code events_discarded}, {@code cpu_id}), one data file per stream.
 *
 * <pre>{@code
 * var b = CtfWriter.builder(dir).env("hostname", "node-1")
 *         .context(FieldSpec.of("vtid", FieldType.s32()), FieldSpec.of("procname", FieldType.textArray(16)));
 * var start = b.event("redis:call_command_start", FieldSpec.of("fd", FieldType.s32()), FieldSpec.of("cmd", FieldType.string()));
 * try (var w = b.open()) {
 *     var s = w.stream(0);
 *     s.begin(start, ts).putLong(1234).putString("redis-server").putLong(7).putString("GET").end();
 *     s.write(start, ts + 10, 1234, "redis-server", 8, "SET");   // the same, generic and slower
 * }
 * }</pre>
 * Values are given context fields first, then payload fields, in declaration order; a sequence takes its
 * elements only (its length field is written by the writer). Timestamps are ns since the epoch, non-decreasing per stream.
 */
public final class CtfWriter implements AutoCloseable {

    /** An event class of the trace being written: pass it to {@link StreamWriter#begin}. */
    public record EventDef(int id, String name, List<FieldSpec> fields) {}

    public static Builder builder(Path dir) { return new Builder(dir); }

    public static final class Builder {
        private final Path dir;
        private final Map<String, Object> env = new LinkedHashMap<>();
        private final List<FieldSpec> context = new ArrayList<>();
        private final List<EventDef> events = new ArrayList<>();
        private long offsetSeconds, offsetExtraNs;
        private int packetBytes = 64 * 1024;
        private int padTo = 4096;
        private boolean bigEndian;
        private boolean packetized;

        private Builder(Path dir) { this.dir = dir; }

        /** An {@code env} entry (a String or a whole number). */
        public Builder env(String key, Object value) {
            if (!(value instanceof String) && !(value instanceof Long) && !(value instanceof Integer))
                throw new IllegalArgumentException("env values are strings or whole numbers");
            env.put(key, value);
            return this;
        }

        /** Clock {@code offset_s}: timestamps are written as ns since this many seconds after the epoch. */
        public Builder clockOffsetSeconds(long s) { offsetSeconds = s; offsetExtraNs = 0; return this; }

        /**
         * Clock {@code offset_s} and {@code offset} (ns, the clock counting ns) from one value: a trace written again
         * keeps the exact offset LTTng gave it, so raw clock values in its fields (start_ns) still mean the same time.
         */
        public Builder clockOffsetNs(long ns) {
            offsetSeconds = Math.floorDiv(ns, 1_000_000_000L);
            offsetExtraNs = Math.floorMod(ns, 1_000_000_000L);
            return this;
        }

        /** A packet is closed once its content reaches this many bytes; packets are padded to multiples of {@code padTo}. */
        public Builder packetBytes(int bytes, int padTo) {
            if (bytes < 256 || padTo < 1) throw new IllegalArgumentException("packet size " + bytes + ", padding " + padTo);
            packetBytes = bytes;
            this.padTo = padTo;
            return this;
        }

        /** The trace byte order (integers without an explicit one follow it). */
        public Builder bigEndian(boolean be) { bigEndian = be; return this; }

        /** Write the metadata in packets (binary headers, magic 0x75D11D57) like LTTng, instead of plain text. */
        public Builder packetizedMetadata(boolean p) { packetized = p; return this; }

        /** Per-event context fields (LTTng's {@code vpid}, {@code vtid}, {@code procname} contexts). */
        public Builder context(FieldSpec... fields) { context.addAll(List.of(fields)); return this; }

        public EventDef event(String name, FieldSpec... fields) {
            var e = new EventDef(events.size(), name, List.of(fields));
            events.add(e);
            return e;
        }

        public CtfWriter open() {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new CtfWriter(this);
        }
    }

    final Path dir;
    final List<FieldSpec> context;
    final List<EventDef> events;
    final long offsetSeconds, offsetExtraNs;
    final int packetBytes, padTo;
    final boolean bigEndian, packetized;
    final Map<String, Object> env;
    final byte[] uuid;
    private final UUID uuidObj;
    private final Map<Integer, StreamWriter> streams = new LinkedHashMap<>();

    private CtfWriter(Builder b) {
        dir = b.dir;
        context = List.copyOf(b.context);
        events = List.copyOf(b.events);
        offsetSeconds = b.offsetSeconds;
        offsetExtraNs = b.offsetExtraNs;
        packetBytes = b.packetBytes;
        padTo = b.padTo;
        bigEndian = b.bigEndian;
        packetized = b.packetized;
        env = new LinkedHashMap<>(b.env);
        uuidObj = UUID.nameUUIDFromBytes((dir.toAbsolutePath() + "/" + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
        var bb = ByteBuffer.allocate(16).putLong(uuidObj.getMostSignificantBits()).putLong(uuidObj.getLeastSignificantBits());
        uuid = bb.array();
    }

    /** The stream of one CPU (file {@code channel0_<cpu>}), created on first use. */
    public StreamWriter stream(int cpu) {
        return streams.computeIfAbsent(cpu, c -> new StreamWriter(this, c, dir.resolve("channel0_" + c)));
    }

    /** Flushes every stream and writes the metadata. */
    @Override public void close() {
        for (var s : streams.values()) s.close();
        try {
            var text = MetadataText.text(this, uuidObj.toString());
            var bytes = text.getBytes(StandardCharsets.UTF_8);
            Files.write(dir.resolve("metadata"), packetized ? packetize(bytes) : bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] packetize(byte[] text) {
        int chunk = 4096 - 37;
        var out = ByteBuffer.allocate((text.length / chunk + 1) * 4096).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < text.length; off += chunk) {
            int len = Math.min(chunk, text.length - off);
            int start = out.position();
            out.putInt(0x75D11D57).put(uuid).putInt(0).putInt((37 + len) * 8).putInt(4096 * 8);
            out.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 1).put((byte) 8);
            out.put(text, off, len);
            out.position(start + 4096);
        }
        return Arrays.copyOf(out.array(), out.position());
    }
}
