package kvscope.cli;

import kvscope.ctf.write.CtfWriter;
import kvscope.ctf.write.FieldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static kvscope.ctf.write.FieldType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code kvscope serve}: analyses, opens the experiment, serves on the chosen address, refuses what it cannot do. */
class ServeCommandTest {
    @TempDir Path dir;

    static final long OFFSET_S = 1_700_000_000L;
    static final long T0 = OFFSET_S * 1_000_000_000L + 5_000_000_000L;

    /** A light-profile trace of the instrumented Redis (EVENTS.md): a client running 20 commands. */
    private Path trace(String name) {
        var out = dir.resolve(name);
        var b = CtfWriter.builder(out).env("hostname", "h9").env("domain", "ust").env("tracer_name", "lttng-ust")
                .clockOffsetSeconds(OFFSET_S)
                .context(FieldSpec.of("vpid", s32()), FieldSpec.of("vtid", s32()), FieldSpec.of("procname", textArray(17)));
        var accept = b.event("redis:accept_client", FieldSpec.of("fd", s32()), FieldSpec.of("id", u64()),
                FieldSpec.of("type", string()), FieldSpec.of("inbound", u8()), FieldSpec.of("tls", u8()),
                FieldSpec.of("peer_addr", string()), FieldSpec.of("peer_port", s32()), FieldSpec.of("local_port", s32()));
        var end = b.event("redis:call_command_end", FieldSpec.of("fd", s32()), FieldSpec.of("id", u64()),
                FieldSpec.of("name", string()), FieldSpec.of("start_ns", u64()), FieldSpec.of("duration_ns", u64()),
                FieldSpec.of("dirty", s64()), FieldSpec.of("depth", s32()));
        try (var w = b.open()) {
            w.stream(0).write(accept, T0, 7, 7, "redis-server", 9, 1L, "client", 1, 0, "127.0.0.1", 40000, 7000);
            for (int i = 0; i < 20; i++) {
                long t = T0 + 10_000 + i * 10_000L;
                w.stream(0).write(end, t, 7, 7, "redis-server", 9, 1L, "get", t - 500 - OFFSET_S * 1_000_000_000L, 500L, 0L, 0);
            }
        }
        return out;
    }

    private static ServeCommand parse(String... args) {
        var cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    private static String get(String url) throws Exception {
        var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void analysesOpensTheExperimentAndServesOnLoopback() throws Exception {
        var t = trace("mytrace");
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try (var server = parse(t.toString(), "--port", "0").start(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))) {
            var text = out.toString(StandardCharsets.UTF_8);
            assertThat(text).contains(server.url(), "ready: 21 events", "Ctrl-C");
            assertThat(server.url()).startsWith("http://127.0.0.1:");
            assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("WARNING");
            assertThat(get(server.url() + "tsp/api/health")).contains("UP");
            var exps = get(server.url() + "tsp/api/experiments");
            assertThat(exps).contains("\"name\":\"mytrace\"", "\"indexingStatus\":\"COMPLETED\"", "\"start\":" + T0);
            assertThat(get(server.url())).contains("<canvas");
        }
        // A second serve reuses the model stored beside the trace.
        var again = new ByteArrayOutputStream();
        try (var server = parse(t.toString(), "--port", "0").start(new PrintStream(again, true, StandardCharsets.UTF_8), System.err)) {
            assertThat(again.toString(StandardCharsets.UTF_8)).contains("stored model reused", server.url());
        }
    }

    @Test
    void warnsLoudlyWhenNotOnLoopback() {
        var t = trace("t");
        var err = new ByteArrayOutputStream();
        try (var server = parse(t.toString(), "--port", "0", "--bind", "0.0.0.0")
                .start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8))) {
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("WARNING", "0.0.0.0", "no authentication",
                    Integer.toString(server.port()));
        }
    }

    @Test
    void refusesMissingTracesBadPortsAndTakenPorts() throws Exception {
        assertThatThrownBy(() -> parse(dir.resolve("missing").toString()).start(System.out, System.err))
                .isInstanceOf(UserError.class).hasMessageContaining("no such file");
        assertThatThrownBy(() -> parse(dir.toString(), "--port", "70000").start(System.out, System.err))
                .isInstanceOf(UserError.class).satisfies(e -> assertThat(((UserError) e).exitCode()).isEqualTo(Failures.USAGE));
        var t = trace("t2");
        try (var taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> parse(t.toString(), "--port", Integer.toString(taken.getLocalPort())).start(System.out, System.err))
                    .isInstanceOf(UserError.class).hasMessageContaining("--port");
        }
        var cl = new CommandLine(new ServeCommand());
        cl.setExecutionExceptionHandler(new Failures());
        cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertThat(cl.execute(dir.resolve("nope").toString())).isEqualTo(Failures.BAD_INPUT);
    }

    @Test
    void aTraceThatCannotBeAnalysedIsAUserError() throws Exception {
        var bad = java.nio.file.Files.createDirectories(dir.resolve("bad"));
        java.nio.file.Files.writeString(bad.resolve("metadata"), "not TSDL at all");
        assertThatThrownBy(() -> parse(bad.toString(), "--port", "0").start(new PrintStream(new ByteArrayOutputStream()), System.err))
                .isInstanceOf(UserError.class);
    }
}
