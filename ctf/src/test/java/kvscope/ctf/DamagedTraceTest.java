package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import kvscope.ctf.write.CtfWriter;
import kvscope.ctf.write.FieldSpec;
import kvscope.ctf.write.FieldType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged traces end in a {@link CtfException} naming the file, the byte offset and what was expected. */
class DamagedTraceTest {
    // Layout written by CtfWriter: 32-byte packet header, then the packet context at byte 32:
    // timestamp_begin, timestamp_end, content_size, packet_size, packet_seq_num, events_discarded (8 bytes
    // each), cpu_id (4); the first event header at byte 84, its payload (u32 a, u32 length, u8 b[]) at 88.
    static final int CONTENT_SIZE = 48, PACKET_SIZE = 56, FIRST_EVENT = 84;
    static final int EVENTS = 400;

    @TempDir Path dir;
    Path trace, stream;
    List<Long> packetStarts;

    @BeforeEach
    void write() throws IOException {
        trace = dir.resolve("t");
        var b = CtfWriter.builder(trace).packetBytes(1024, 1024).env("hostname", "h");
        var e = b.event("t:seq", FieldSpec.of("a", FieldType.u32()), FieldSpec.of("b", new FieldType.Sequence(FieldType.u8())));
        try (var w = b.open()) {
            for (int i = 0; i < EVENTS; i++) w.stream(0).write(e, 1_000_000L + i * 10L, i, new long[] {1, 2, 3});
        }
        stream = trace.resolve("channel0_0");
        packetStarts = new ArrayList<>();
        var bytes = Files.readAllBytes(stream);
        for (long off = 0; off < bytes.length; ) {
            packetStarts.add(off);
            off += ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong((int) off + PACKET_SIZE) / 8;
        }
        assertThat(packetStarts).as("the trace has several packets").hasSizeGreaterThan(3);
    }

    private void patch(long at, long value, int bytes) throws IOException {
        var all = Files.readAllBytes(stream);
        for (int k = 0; k < bytes; k++) all[(int) at + k] = (byte) (value >>> (8 * k));
        Files.write(stream, all);
    }

    /** Reads until the error; returns the events delivered before it and the error. */
    private record Outcome(int events, CtfException error) {}

    private Outcome readAll() {
        int n = 0;
        try (var t = Trace.open(trace)) {
            var a = t.eventType("t:seq").field("a");
            for (var e : t) {
                assertThat(e.getLong(a)).isEqualTo(n);
                n++;
            }
            return new Outcome(n, null);
        } catch (CtfException e) {
            return new Outcome(n, e);
        }
    }

    private int eventsBefore(long packetStart) {
        int n = 0;
        try (var t = Trace.open(trace)) {
            for (var e : t) {
                if (t.bytesRead() > packetStart) break;
                n++;
            }
        }
        return n;
    }

    @Test
    void readsTheUndamagedTrace() {
        assertThat(readAll()).isEqualTo(new Outcome(EVENTS, null));
    }

    @Test
    void rejectsTruncatedPacketWithOffsetAfterDeliveringEarlierEvents() throws IOException {
        long third = packetStarts.get(2);
        int before = eventsBefore(third);
        try (var ch = java.nio.channels.FileChannel.open(stream, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(third + 100);
        }
        var o = readAll();
        assertThat(o.events()).isEqualTo(before).isPositive();
        assertThat(o.error().file()).isEqualTo(stream);
        assertThat(o.error().offset()).isEqualTo(third);
        assertThat(o.error().getMessage()).contains("runs past the end of the file");
    }

    @Test
    void rejectsBadPacketMagic() throws IOException {
        long second = packetStarts.get(1);
        patch(second, 0xDEADBEEFL, 4);
        var o = readAll();
        assertThat(o.events()).isPositive().isLessThan(EVENTS);
        assertThat(o.error().offset()).isEqualTo(second);
        assertThat(o.error().getMessage()).contains("bad packet magic 0xDEADBEEF, expected 0xC1FC1FC1");
    }

    @Test
    void rejectsImpossiblePacketSizes() throws IOException {
        patch(packetStarts.get(1) + PACKET_SIZE, 1L << 40, 8);
        var o = readAll();
        assertThat(o.error().getMessage()).contains("runs past the end of the file");
        assertThat(o.error().offset()).isEqualTo(packetStarts.get(1));
    }

    @Test
    void rejectsContentSizeLargerThanPacketSize() throws IOException {
        patch(CONTENT_SIZE, 1L << 20, 8);
        var o = readAll();
        assertThat(o.events()).isZero();
        assertThat(o.error().getMessage()).contains("content_size").contains("does not fit");
    }

    @Test
    void rejectsAnEventIdTheMetadataDoesNotDeclare() throws IOException {
        // compact header: 5-bit id then 27-bit timestamp, little-endian bit order
        var all = Files.readAllBytes(stream);
        all[FIRST_EVENT] = (byte) ((all[FIRST_EVENT] & ~0x1F) | 30);
        Files.write(stream, all);
        var o = readAll();
        assertThat(o.error().offset()).isEqualTo(FIRST_EVENT);
        assertThat(o.error().getMessage()).contains("event id 30 is not declared");
    }

    @Test
    void aFourGigabyteSequenceLengthDoesNotAllocate() throws IOException {
        patch(FIRST_EVENT + 8, 0xFFFFFFF0L, 4);
        var o = readAll();
        assertThat(o.error().getMessage()).contains("4294967280 elements cannot fit");
        assertThat(o.error().offset()).isEqualTo(FIRST_EVENT + 12);
    }

    @Test
    void reportsMetadataSyntaxErrorsWithTheirLine() throws IOException {
        var md = trace.resolve("metadata");
        var text = Files.readString(md).replace("stream_id = 0;", "stream_id = ;");
        Files.writeString(md, text);
        assertThatThrownBy(() -> Trace.open(trace)).isInstanceOf(CtfException.class)
                .hasMessageContaining("metadata").hasMessageContaining("line ").hasMessageContaining("expected a value");
    }

    @Test
    void reportsUnknownTypes() throws IOException {
        var md = trace.resolve("metadata");
        Files.writeString(md, Files.readString(md).replace("uint32_t __b_length", "mystery_t __b_length"));
        assertThatThrownBy(() -> Trace.open(trace)).isInstanceOf(CtfException.class).hasMessageContaining("unknown type 'mystery_t'");
    }

    @Test
    void reportsBadPacketizedMetadataMagic() throws IOException {
        var md = trace.resolve("metadata");
        var text = Files.readAllBytes(md);
        var packet = ByteBuffer.allocate(37 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        packet.putInt(0x75D11D57).put(new byte[16]).putInt(0).putInt((37 + text.length) * 8).putInt((37 + text.length) * 8)
                .put(new byte[] {0, 0, 0, 1, 8}).put(text);
        var bytes = packet.array();
        Files.write(md, bytes);
        try (var t = Trace.open(trace)) {
            assertThat(t.eventType("t:seq").exists()).isTrue();
        }
        var twice = new byte[bytes.length * 2];
        System.arraycopy(bytes, 0, twice, 0, bytes.length);
        System.arraycopy(bytes, 0, twice, bytes.length, bytes.length);
        twice[bytes.length] = 0x11;
        Files.write(md, twice);
        assertThatThrownBy(() -> Trace.open(trace)).isInstanceOf(CtfException.class)
                .hasMessageContaining("at byte " + bytes.length).hasMessageContaining("bad metadata packet magic");
    }

    @Test
    void saysWhenAPathHoldsNoTrace() throws IOException {
        assertThatThrownBy(() -> Trace.open(dir.resolve("nope"))).isInstanceOf(CtfException.class).hasMessageContaining("does not exist");
        var empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> Trace.open(empty)).isInstanceOf(CtfException.class).hasMessageContaining("no CTF trace found");
        Files.writeString(dir.resolve("file.txt"), "x", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Trace.open(dir.resolve("file.txt"))).isInstanceOf(CtfException.class).hasMessageContaining("is a file");
    }
}
