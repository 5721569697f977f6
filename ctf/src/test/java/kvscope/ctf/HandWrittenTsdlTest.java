package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TSDL the writer does not produce, written by hand: typedefs, named structs and variants, nested structs, a
 * variant selected by an enum, two-dimensional arrays, network
 * byte order, a big-endian float, negative enum ranges, a stream without event header (one event class), a callsite
 * block, and a clock with a frequency other than 1 GHz. Read by kvscope and babeltrace2 and checked value by value.
 */
class HandWrittenTsdlTest {
    @TempDir Path dir;

    static final String METADATA = """
            /* CTF 1.8 */
            typealias integer { size = 8; align = 8; signed = false; } := uint8_t;
            typealias integer { size = 16; align = 8; signed = true; } := int16_t;
            typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
            typealias integer { size = 64; align = 8; signed = false; } := uint64_t;
            typedef integer { size = 16; align = 8; signed = false; byte_order = network; } net16_t;
            trace {
                major = 1; minor = 8;
                byte_order = le;
                packet.header := struct { uint32_t magic; uint32_t stream_id; };
            };
            env { hostname = "handmade"; answer = 42; };
            clock { name = "slow"; freq = 1000000; offset_s = 100; offset = 500000; };
            typealias integer { size = 64; align = 8; signed = false; map = clock.slow.value; } := slow_clock_t;
            struct pair { uint8_t a; int16_t b; };
            enum kind : uint8_t { NUM = 0, TEXT = 1, NEG = -3 ... -1 };
            variant choice { uint32_t NUM; string TEXT; };
            callsite { name = "x"; func = "f"; file = "f.c"; line = 1; ip = 0x1; };
            stream {
                id = 0;
                packet.context := struct { slow_clock_t timestamp_begin; slow_clock_t timestamp_end;
                    uint64_t content_size; uint64_t packet_size; uint64_t events_discarded; uint32_t cpu_id; };
                event.header := struct { uint8_t id; slow_clock_t timestamp; };
                event.context := struct { enum kind ctxkind; };
            };
            event {
                name = "hand:made"; id = 3; stream_id = 0;
                fields := struct {
                    struct pair p;
                    enum kind k;
                    variant choice <k> v;
                    uint8_t grid[2][3];
                    net16_t port;
                    floating_point { exp_dig = 11; mant_dig = 53; align = 64; byte_order = be; } be_double;
                    integer { size = 8; align = 8; signed = true; } neg;
                };
            };
            stream {
                id = 1;
                packet.context := struct { slow_clock_t timestamp_begin; slow_clock_t timestamp_end;
                    uint64_t content_size; uint64_t packet_size; uint32_t cpu_id; };
            };
            event { name = "hand:only"; stream_id = 1; fields := struct { slow_clock_t t; uint32_t x; }; };
            """;

    @Test
    void readsHandWrittenTsdlLikeBabeltrace() throws Exception {
        var trace = Files.createDirectories(dir.resolve("t"));
        Files.writeString(trace.resolve("metadata"), METADATA);
        // stream 0: two events
        Files.write(trace.resolve("s0"), packet(0, 1_000, 4_000, true, bb -> {
            event(bb, 2_000, 1, 7, -300, 0, "ignored", 77, 0, "unused", 0x1234, 2.5, -128); // k = NUM, ctxkind = TEXT
            event(bb, 3_000, 0, 8, 300, 1, "text-by-k", 0, 0, "x", 0xBEEF, -0.125, 5);              // k = TEXT, ctxkind = NUM
        }));
        // stream 1: no event header, one event class; its clock-mapped payload integer neither moves the clock nor
        // shows (as in babeltrace2), but a handle reads it
        Files.write(trace.resolve("s1"), packet(1, 2_400, 2_600, false, bb -> bb.putLong(2_500).putInt(99)));

        var actual = TestSupport.kvscope(List.of(trace));
        var expected = TestSupport.babeltrace(dir, List.of(trace));
        TestSupport.assertSameEvents(expected, actual);
        assertThat(actual).hasSize(3);
        // 1 MHz clock, offset 100 s + 500000 cycles: cycle c is 100.5 s + c µs after the epoch
        assertThat(actual.get(0).get("ts")).isEqualTo(BigInteger.valueOf(100_500_000_000L + 2_000_000L));
        assertThat(actual.get(1).get("name")).isEqualTo("hand:only");
        assertThat(actual.get(1).get("ts")).isEqualTo(BigInteger.valueOf(100_500_000_000L + 2_400_000L));
        @SuppressWarnings("unchecked") var f = (Map<String, Object>) actual.get(0).get("fields");
        assertThat(f.get("p")).isEqualTo(Map.of("a", BigInteger.valueOf(7), "b", BigInteger.valueOf(-300)));
        assertThat(f.get("v")).isEqualTo(BigInteger.valueOf(77));
        assertThat(f.get("grid")).isEqualTo(List.of(
                List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO),
                List.of(BigInteger.valueOf(3), BigInteger.valueOf(4), BigInteger.valueOf(5))));
        assertThat(f.get("port")).isEqualTo(BigInteger.valueOf(0x1234));
        assertThat(f.get("be_double")).isEqualTo(2.5);
        try (var t = Trace.open(trace)) {
            assertThat(t.traces().get(0).env()).containsEntry("hostname", "handmade").containsEntry("answer", 42L);
            var made = t.eventType("hand:made");
            var k = made.field("k");
            var port = made.field("port");
            var a = made.field("p.a");
            var grid = made.field("grid");
            var ctxkind = t.field("ctxkind");
            var clockField = t.eventType("hand:only").field("t");
            int n = 0;
            for (var e : t) {
                if (e.type() != made) {
                    assertThat(e.getLong(clockField)).isEqualTo(2_500);
                    continue;
                }
                assertThat(e.enumLabel(k)).isEqualTo(n == 0 ? "NUM" : "TEXT");
                assertThat(e.getString(ctxkind)).isEqualTo(n == 0 ? "TEXT" : "NUM");
                assertThat(e.getLong(port)).isEqualTo(n == 0 ? 0x1234 : 0xBEEF);
                assertThat(e.getLong(a)).isEqualTo(7 + n);
                assertThat(e.length(grid)).isEqualTo(2);
                n++;
            }
            assertThat(n).isEqualTo(2);
        }
    }

    /** One "hand:made" event: header, context, payload (alignment relative to the packet start, as CTF says). */
    private static void event(ByteBuffer bb, long ts, int ctxkind, int a, int b, int k, String text, long num,
                              long wnum, String wtext, int port, double d, int neg) {
        bb.put((byte) 3).putLong(ts);           // header: id, timestamp
        bb.put((byte) ctxkind);                 // stream event context
        while (bb.position() % 8 != 0) bb.put((byte) 0); // the payload struct is aligned like its double (64 bits)
        bb.put((byte) a).putShort((short) b);   // p
        bb.put((byte) k);                       // k
        if (k == 0) bb.putInt((int) num); else putString(bb, text);           // v (selected by k)
        for (int i = 0; i < 6; i++) bb.put((byte) i);                          // grid[2][3]
        bb.order(ByteOrder.BIG_ENDIAN).putShort((short) port);                 // network order
        while (bb.position() % 8 != 0) bb.put((byte) 0);                       // align 64 for the double
        bb.putDouble(d).order(ByteOrder.LITTLE_ENDIAN);
        bb.put((byte) neg);
    }

    private static void putString(ByteBuffer bb, String s) {
        bb.put(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).put((byte) 0);
    }

    /** A packet: header (magic, stream id), context, then the events; content and packet sizes filled in. */
    private static byte[] packet(int streamId, long begin, long end, boolean discarded, java.util.function.Consumer<ByteBuffer> events) {
        var bb = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0xC1FC1FC1).putInt(streamId).putLong(begin).putLong(end);
        int sizes = bb.position();
        bb.putLong(0).putLong(0);
        if (discarded) bb.putLong(0);
        bb.putInt(0);
        events.accept(bb);
        int content = bb.position();
        int size = (content + 63) / 64 * 64 + 64; // padding after the content
        bb.putLong(sizes, content * 8L).putLong(sizes + 8, size * 8L);
        return java.util.Arrays.copyOf(bb.array(), size);
    }
}
