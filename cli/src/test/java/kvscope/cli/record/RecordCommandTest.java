package kvscope.cli.record;

import kvscope.cli.testing.Cli;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Tools;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.cli.testing.TraceEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `kvscope record` as users run it (same picocli setup and exit codes), against a real LTTng session daemon. */
class RecordCommandTest {

    static Cli.Result kvscope(String... args) { return Cli.run(args); }

    static String sessions() {
        return Tools.run(Duration.ofSeconds(30), List.of("lttng", "list")).stdout();
    }

    @Test
    void refusesAnOutputThatIsAFile(@TempDir Path tmp) throws Exception {
        var file = Files.writeString(tmp.resolve("a-file"), "x");
        var r = kvscope("record", "-o", file.toString(), "--", "true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot write the trace to " + file, "-o DIR");
    }

    @Test
    void refusesAnOutputItCannotCreate(@TempDir Path tmp) throws Exception {
        var file = Files.writeString(tmp.resolve("a-file"), "x");
        var r = kvscope("record", "-o", file.resolve("sub").toString(), "--", "true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot write the trace to", "choose a writable directory");
    }

    @Test
    void refusesADirectoryThatAlreadyHoldsATrace(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("ust"));
        var r = kvscope("record", "-o", tmp.toString(), "--", "true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("already holds a trace");
    }

    @Test
    void aMissingCommandIsAUsageErrorAndStartsNoSession(@TempDir Path tmp) {
        var before = sessions();
        var r = kvscope("record", "-o", tmp.resolve("t").toString(), "--", "kvscope-no-such-command", "--flag");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("command not found: kvscope-no-such-command");
        assertThat(sessions()).isEqualTo(before);
    }

    @Test
    void badProfileAndDurationAreUsageErrors(@TempDir Path tmp) {
        assertThat(kvscope("record", "-o", tmp.toString(), "--profile", "heavy").exitCode()).isEqualTo(2);
        var r = kvscope("record", "-o", tmp.toString(), "--duration", "soon");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read duration 'soon'");
    }

    @Test
    void helpTeachesWithExamples() {
        var r = kvscope("record", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Examples:", "--profile", "--duration", "-- build/redis/bin/redis-benchmark");
        assertThat(r.out()).contains("nodejs:*", "NODE_OPTIONS", "instrument/node/agent.js", "-- node app.js");
    }

    /** A Node.js service that serves and calls itself once, and writes its pid and NODE_OPTIONS to argv[2]. */
    static final String NODE_SERVICE = """
            const http = require('http');
            require('fs').writeFileSync(process.argv[2], JSON.stringify({ pid: process.pid, options: process.env.NODE_OPTIONS }));
            const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', () => {
              const call = () => http.get({ host: '127.0.0.1', port: server.address().port, path: '/hello?x=1' },
                (res) => { res.resume(); res.on('end', () => { if (!process.argv[3]) server.close(); }); });
              call();
              if (process.argv[3]) setInterval(call, 20);
            });
            """;

    @Test
    void tracesTheNodeServicesOfItsCommandThroughNodeOptions(@TempDir Path tmp) throws Exception {
        var script = Files.writeString(tmp.resolve("svc.js"), NODE_SERVICE);
        var info = tmp.resolve("info.json");
        var dir = tmp.resolve("trace");
        var r = kvscope("record", "-o", dir.toString(), "--profile", "light", "--", "node", script.toString(),
                info.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        var written = Files.readString(info);
        assertThat(written).contains("--require " + NodeAgent.agent());
        long pid = Long.parseLong(written.replaceAll(".*\"pid\":(\\d+).*", "$1"));
        var node = TraceEvents.read(dir).events().stream().filter(e -> e.name().startsWith("nodejs:")).toList();
        var receive = node.stream().filter(e -> e.name().equals("nodejs:http_server_receive")).toList();
        assertThat(receive).hasSize(1);
        assertThat(receive.get(0).vpid()).isEqualTo(pid);
        assertThat(receive.get(0).str("service")).isEqualTo("svc");
        assertThat(receive.get(0).str("path")).isEqualTo("/hello");
        assertThat(node).extracting(TraceEvents.Ev::name).contains("nodejs:http_client_request",
                "nodejs:http_client_response", "nodejs:http_server_response", "nodejs:net_connect");
        assertThat(r.out()).contains("nodejs:http_server_receive");
    }

    @Test
    void recordsNodeServicesStartedElsewhereWithTheNodeOptionsItPrints(@TempDir Path tmp) throws Exception {
        var script = Files.writeString(tmp.resolve("elsewhere.js"), NODE_SERVICE);
        var info = tmp.resolve("info.json");
        var pb = new ProcessBuilder("node", script.toString(), info.toString(), "forever")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().put("NODE_OPTIONS", NodeAgent.requireOption(NodeAgent.agent()));
        var service = Tools.start(pb);
        try {
            for (int i = 0; i < 200 && !Files.exists(info); i++) Thread.sleep(50);
            assertThat(info).as("the service started").exists();
            var dir = tmp.resolve("trace");
            var r = kvscope("record", "-o", dir.toString(), "--duration", "1500ms");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("NODE_OPTIONS=\"--require " + NodeAgent.agent() + "\"");
            var calls = TraceEvents.read(dir).events().stream()
                    .filter(e -> e.name().equals("nodejs:http_client_request") && e.vpid() == service.pid()).count();
            assertThat(calls).as("requests made every 20 ms while recording 1.5 s").isGreaterThan(10);
            assertThat(Files.readString(tmp.resolve("err.txt"))).isEmpty();
        } finally {
            Tools.kill(service);
        }
    }

    @Test
    void recordsACommandAgainstTheInstrumentedRedisAndCleansUpTheSession(@TempDir Path tmp) {
        var bin = InstrumentedRedis.bin();
        try (var server = RedisServer.start(bin.resolve("redis-server"))) {
            var dir = tmp.resolve("trace");
            var r = kvscope("record", "-o", dir.toString(), "--profile", "light", "--",
                    bin.resolve("redis-cli").toString(), "-p", Integer.toString(server.port()), "EVAL",
                    "redis.call('set', 'k', 'v'); return redis.call('publish', 'news', 'hello')", "0");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("Trace written to " + dir, "redis:commands", "kvscope events");
            var session = r.out().replaceAll("(?s).*LTTng session (kvscope-[0-9a-f-]+).*", "$1");
            assertThat(sessions()).doesNotContain(session);

            var trace = TraceEvents.read(dir);
            // the light profile batches commands: the SET (nested in the EVAL) is one word of a commands event's names
            var sets = trace.filter(e -> e.is("commands") && List.of(e.str("names").split(" ")).contains("set"));
            assertThat(sets).hasSize(1);
            assertThat(sets.get(0).vpid()).isEqualTo(server.pid());
            assertThat(sets.get(0).procname()).startsWith("redis-server");
            // light profile: no read/write or event-loop detail
            assertThat(trace.count("end_read_client_query") + trace.count("poll_end") + trace.count("call_command_start"))
                    .isZero();
            // the printed count is the trace's (every instrumented process that ran meanwhile counts)
            // ... and says how many commands its batches hold (babeltrace2 shows each sequence's length)
            long held = trace.filter(e -> e.is("commands")).stream().mapToLong(e -> e.num("_fd_length")).sum();
            assertThat(held).isGreaterThanOrEqualTo(1);
            assertThat(r.out()).containsPattern("\\s" + trace.count("commands") + "  redis:commands \\(holding " + held
                    + " commands\\)\\n");
            // ... and publishes, batched too
            var pubs = trace.filter(e -> e.is("publishes"));
            assertThat(pubs).hasSize(1).allSatisfy(e -> {
                assertThat(e.num("_fd_length")).isEqualTo(1);
                assertThat(e.str("channels")).isEqualTo("news");
            });
            assertThat(r.out()).containsPattern("\\s1  redis:publishes \\(holding 1 publishes\\)\\n");
        }
    }

    @Test
    void aFailingCommandStillLeavesATraceAndExitsWithOne(@TempDir Path tmp) {
        var dir = tmp.resolve("trace");
        var r = kvscope("record", "-o", dir.toString(), "--", "sh", "-c", "exit 3");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("sh exited with status 3");
        assertThat(r.out()).contains("Trace written to " + dir);
    }

    @Test
    void recordsForADurationWithoutACommand(@TempDir Path tmp) {
        var bin = InstrumentedRedis.bin();
        try (var server = RedisServer.start(bin.resolve("redis-server"))) {
            var dir = tmp.resolve("trace");
            long t0 = System.nanoTime();
            var r = kvscope("record", "-o", dir.toString(), "--duration", "2500ms");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
            // serverCron emits server_info once per second while the server idles
            var infos = TraceEvents.read(dir).filter(e -> e.is("server_info") && e.vpid() == server.pid());
            assertThat(infos.size()).isBetween(2, 4);
            assertThat(infos).allSatisfy(e -> assertThat(e.num("port")).isEqualTo(server.port()));
        }
    }
}
