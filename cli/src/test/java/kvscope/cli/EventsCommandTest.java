package kvscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import kvscope.ctf.write.CtfWriter;
import kvscope.ctf.write.FieldSpec;
import kvscope.ctf.write.FieldType;
import kvscope.cli.testing.Cli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kvscope events` as users run it: formats, limit, time order across streams, lost events, bad input. */
class EventsCommandTest {
    static Cli.Result kvscope(String... args) { return Cli.run(args); }

    @TempDir Path tmp;
    Path trace;

    static final long T0 = 1_700_000_000_000_000_000L;

    @BeforeEach
    void writeTrace() {
        trace = tmp.resolve("node-1");
        var b = CtfWriter.builder(trace).env("hostname", "node-1").clockOffsetSeconds(1_699_999_000L)
                .context(FieldSpec.of("vtid", FieldType.s32()), FieldSpec.of("procname", FieldType.textArray(17)));
        var start = b.event("redis:call_command_start", FieldSpec.of("fd", FieldType.s32()), FieldSpec.of("id", FieldType.u64()),
                FieldSpec.of("name", FieldType.string()));
        var write = b.event("redis:write_to_client", FieldSpec.of("fd", FieldType.s32()), FieldSpec.of("nwritten", FieldType.s64()),
                FieldSpec.of("ratio", FieldType.f64()), FieldSpec.of("keys", new FieldType.Sequence(FieldType.u16())));
        try (var w = b.open()) {
            w.stream(0).write(start, T0 + 10, 7, "redis-server", 12, -1L, "GET \"k\"\n✓");
            w.stream(1).write(write, T0 + 5, 8, "redis-server", 13, 42L, 0.5, new long[] {1, 2});
            w.stream(1).discard(3);
            w.stream(0).write(write, T0 + 20, 7, "redis-server", 12, 5L, -2.25, new long[] {});
        }
    }

    @Test
    void printsJsonLinesInTimeOrderAcrossStreams() {
        var r = kvscope("events", trace.toString(), "--format", "jsonl");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().split("\n")).containsExactly(
                "{\"ts\":" + (T0 + 5) + ",\"lost\":3}",
                "{\"ts\":" + (T0 + 5) + ",\"name\":\"redis:write_to_client\",\"cpu\":1,\"context\":{\"vtid\":8,\"procname\":\"redis-server\"},"
                        + "\"fields\":{\"fd\":13,\"nwritten\":42,\"ratio\":0.5,\"_keys_length\":2,\"keys\":[1,2]}}",
                "{\"ts\":" + (T0 + 10) + ",\"name\":\"redis:call_command_start\",\"cpu\":0,\"context\":{\"vtid\":7,\"procname\":\"redis-server\"},"
                        + "\"fields\":{\"fd\":12,\"id\":18446744073709551615,\"name\":\"GET \\\"k\\\"\\n✓\"}}",
                "{\"ts\":" + (T0 + 20) + ",\"name\":\"redis:write_to_client\",\"cpu\":0,\"context\":{\"vtid\":7,\"procname\":\"redis-server\"},"
                        + "\"fields\":{\"fd\":12,\"nwritten\":5,\"ratio\":-2.25,\"_keys_length\":0,\"keys\":[]}}");
    }

    @Test
    void printsReadableTextAndStopsAtTheLimit() {
        var r = kvscope("events", trace.toString(), "--limit", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        var lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("node-1 LOST 3 events");
        assertThat(lines[1]).startsWith("[2023-11-14 22:13:20.000000005] (+0.000000000) node-1 redis:write_to_client: { cpu_id = 1 }, "
                + "{ vtid = 8, procname = \"redis-server\" }, { fd = 13, nwritten = 42, ratio = 0.5, _keys_length = 2, keys = [ [0] = 1, [1] = 2 ] }");
        assertThat(kvscope("events", trace.toString(), "--limit", "0").out()).isEmpty();
    }

    @Test
    void findsTracesBelowADirectory() {
        var r = kvscope("events", tmp.toString(), "--format", "jsonl");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().split("\n")).hasSize(4);
    }

    @Test
    void badPathsAndUsageGiveExitCodesAndMessages() throws Exception {
        var missing = kvscope("events", tmp.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("nope: does not exist");
        var empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(kvscope("events", empty.toString()).err()).contains("no CTF trace found");
        assertThat(kvscope("events", trace.toString(), "--limit", "-1").exitCode()).isEqualTo(2);
        assertThat(kvscope("events", trace.toString(), "--format", "xml").exitCode()).isEqualTo(2);
        assertThat(kvscope("events").exitCode()).isEqualTo(2);
    }

    @Test
    void aDamagedTracePrintsWhatItCanThenSaysWhereItBroke() throws Exception {
        var stream = trace.resolve("channel0_1");
        var bytes = Files.readAllBytes(stream);
        bytes[0] = 0; // packet magic
        Files.write(stream, bytes);
        var r = kvscope("events", trace.toString(), "--format", "jsonl");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("damaged trace after 0 events", stream.toString(), "at byte 0", "bad packet magic");
    }
}
