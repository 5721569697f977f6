package kvscope.cli.live;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.services.SpanKind;
import kvscope.cli.Home;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Tools;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.cli.redis.Ports;
import kvscope.ctf.live.LiveUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Node.js service started in the middle of a live session (after the follower attached): its agent's event
 * classes ({@code nodejs:*}) enter the trace's metadata then, after the live reading resolved its event types. The
 * follower counts their events while the session runs and, when it ends, models them from the copy: the stored
 * model has the service's HTTP requests and Redis calls, equal to `kvscope analyze` of the relay's own files.
 */
class LiveLateClassesTest {
    private static final int CALLS = 30;
    @TempDir Path tmp;

    @Test void aServiceStartedMidSessionIsModelledWhenTheSessionEnds() throws Exception {
        try (var relay = LiveRelay.start(tmp.resolve("relay"));
             var redis = RedisServer.start(InstrumentedRedis.server())) {
            // Recorded until the calls are done (a loaded machine may take longer than any fixed duration).
            var stop = tmp.resolve("stop-recording");
            var rec = relay.record("250ms", "180s", stop, tmp.resolve("record.log"));
            LiveProtocolTest.waitForSession(LiveUrl.parse(relay.url()), rec);
            var copy = tmp.resolve("copy");
            var log = tmp.resolve("follow.log");
            var java = ProcessHandle.current().info().command().orElse("java");
            var f = new ProcessBuilder(java, "-Dkvscope.home=" + Home.dir(), "-cp", System.getProperty("java.class.path"),
                    "kvscope.cli.Kvscope", "analyze", "--live", relay.url(), "-o", copy.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Process svc = null;
            try {
                for (int i = 0; i < 300 && !(Files.exists(log) && Files.readString(log).contains("Following ")); i++) Thread.sleep(100);
                assertThat(Files.readString(log)).contains("Following ");
                try (var c = redis.client()) {
                    for (int i = 0; i < 50; i++) c.call("SET", "k" + i, "v");
                }
                Thread.sleep(1500); // the live reading has started on Redis's event classes alone
                var script = Path.of(LiveLateClassesTest.class.getResource("/kvscope/cli/multihost/services.js").toURI());
                int port = Ports.free();
                svc = node(script, "serve", "127.0.0.1:" + port, "127.0.0.1:" + redis.port(), tmp.resolve("svc.log"));
                for (int i = 0; i < 300 && !(Files.exists(tmp.resolve("svc.log")) && Files.readString(tmp.resolve("svc.log")).contains("listening")); i++) Thread.sleep(100);
                assertThat(Files.readString(tmp.resolve("svc.log"))).contains("listening");
                var caller = node(script, "call", "http://127.0.0.1:" + port, Integer.toString(CALLS), tmp.resolve("caller.log"));
                assertThat(caller.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(Files.readString(tmp.resolve("caller.log"))).contains("calls " + CALLS + "/" + CALLS);
                Files.createFile(stop);
                assertThat(rec.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(f.waitFor(90, TimeUnit.SECONDS)).as("the follower ends with the session").isTrue();
                var out = Files.readString(log);
                assertThat(f.exitValue()).as(out).isZero();
                var late = Pattern.compile("([\\d,]+) events of event classes declared after the start").matcher(out);
                assertThat(late.find()).as(out).isTrue();
                assertThat(Long.parseLong(late.group(1).replace(",", ""))).isPositive();
                assertThat(out).contains("now the model again from the copy:", "decoded from the copy's whole metadata");
            } finally {
                f.destroyForcibly();
                if (svc != null) svc.destroy();
            }
            try (var live = Analysis.analyze(List.of(copy), Analysis.Options.defaults());
                 var after = Analysis.analyze(List.of(LiveProtocolTest.relayTrace(relay.out)),
                         Analysis.Options.defaults().withCache(tmp.resolve("after")))) {
                assertThat(live.reused()).isTrue();
                var spans = spans(live);
                assertThat(spans.getOrDefault(SpanKind.SERVER, 0L)).as(spans.toString()).isEqualTo(CALLS);
                assertThat(spans.getOrDefault(SpanKind.CLIENT, 0L)).as(spans.toString()).isEqualTo(CALLS);
                assertThat(spans.getOrDefault(SpanKind.REDIS, 0L)).as(spans.toString()).isGreaterThanOrEqualTo(4L * CALLS);
                assertThat(spans).isEqualTo(spans(after));
                assertThat(live.summary().counters().events()).isEqualTo(after.summary().counters().events());
                assertThat(live.summary().latencies()).containsExactlyInAnyOrderElementsOf(after.summary().latencies());
            }
        }
    }

    /** node SCRIPT ARGS… with the agent loaded as `kvscope record -- CMD` loads it. */
    private static Process node(Path script, String mode, String a, String b, Path log) {
        var pb = new ProcessBuilder("node", script.toString(), mode, a, b).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("NODE_OPTIONS", "--require " + Home.dir().resolve("instrument/node/agent.js"));
        pb.environment().put("NODE_PATH", Home.dir().resolve("examples/microservices/node_modules").toString());
        pb.environment().put("KVSCOPE_SERVICE", "svc-" + mode);
        // It starts its work only once its session daemon registered it and enabled its events (by default it waits
        // 3 s, then runs untraced until registered: longer under load).
        pb.environment().put("LTTNG_UST_REGISTER_TIMEOUT", "-1");
        return Tools.start(pb);
    }

    private static Map<SpanKind, Long> spans(Stored s) throws IOException {
        var sf = s.services();
        var m = new TreeMap<SpanKind, Long>();
        for (long i = 0; i < sf.count(); i++) m.merge(sf.kind(i), 1L, Long::sum);
        return m;
    }
}
