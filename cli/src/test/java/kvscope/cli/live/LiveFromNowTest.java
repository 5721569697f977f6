package kvscope.cli.live;

import kvscope.analysis.Analysis;
import kvscope.analysis.Summary;
import kvscope.analysis.model.ServerStats;
import kvscope.cli.Home;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Resp;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.ctf.live.LiveUrl;
import kvscope.statesystem.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `kvscope analyze --live … --from-now` attaching to a recording that has run for a while (VIEWER_SEEK_LAST): the
 * named pooled connections were opened, and used, before the follower attached. Its copy must begin after the
 * relay's trace does (the earlier packets are not read), its model must meet the pool mid-life and name every such
 * connection from Redis's periodic snapshot (issue #21), and the model built live must equal `kvscope analyze` of
 * the copy it kept.
 */
class LiveFromNowTest {
    private static final int POOL = 4;
    @TempDir Path tmp;

    @Test void aSessionFollowedFromNowNamesWhatExistedFromItsSnapshot() throws Exception {
        var names = new HashMap<Integer, String>();
        try (var relay = LiveRelay.start(tmp.resolve("relay"));
             var redis = RedisServer.start(InstrumentedRedis.server())) {
            var pool = new ArrayList<Resp>();
            Process f = null;
            try {
                for (int i = 0; i < POOL; i++) {
                    var c = redis.client();
                    pool.add(c);
                    c.call("CLIENT", "SETNAME", "pool-" + i);
                }
                for (var line : ((String) pool.get(0).call("CLIENT", "LIST")).split("\n")) {
                    int fd = Integer.parseInt(line.replaceAll(".* fd=(\\d+) .*", "$1").strip());
                    var name = line.replaceAll(".* name=(\\S*) .*", "$1").strip();
                    names.put(fd, name);
                }
                // Recorded until the load after the attach is done (under load the follower's start takes a while).
                var stop = tmp.resolve("stop-recording");
                var rec = relay.record("250ms", "180s", stop, tmp.resolve("record.log"));
                LiveProtocolTest.waitForSession(LiveUrl.parse(relay.url()), rec);
                load(pool, 3_000);
                var copy = tmp.resolve("copy");
                var log = tmp.resolve("follow.log");
                var java = ProcessHandle.current().info().command().orElse("java");
                f = new ProcessBuilder(java, "-Dkvscope.home=" + Home.dir(), "-cp", System.getProperty("java.class.path"),
                        "kvscope.cli.Kvscope", "analyze", "--live", relay.url(), "--from-now", "-o", copy.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                for (int i = 0; i < 300 && !(Files.exists(log) && Files.readString(log).contains("Following ")); i++) Thread.sleep(100);
                assertThat(Files.readString(log)).contains("from now");
                load(pool, 11_000); // past the periodic snapshot, 10 s after the first
                Files.createFile(stop);
                assertThat(rec.waitFor(40, TimeUnit.SECONDS)).isTrue();
                assertThat(f.waitFor(60, TimeUnit.SECONDS)).as("the follower ends with the session").isTrue();
                var out = Files.readString(log);
                assertThat(f.exitValue()).as(out).isZero();
                assertThat(out).contains("the session ended");

                try (var live = Analysis.analyze(List.of(copy), Analysis.Options.defaults());
                     var again = Analysis.analyze(List.of(copy), Analysis.Options.defaults().withCache(tmp.resolve("again")));
                     var whole = Analysis.analyze(List.of(LiveProtocolTest.relayTrace(relay.out)),
                             Analysis.Options.defaults().withCache(tmp.resolve("whole")))) {
                    assertThat(live.reused()).isTrue();
                    var a = live.summary();
                    var w = whole.summary();
                    // The 3 s of load before the attach are in the relay's trace, not in the copy.
                    assertThat(a.start() - w.start()).as("the copy begins after the recording did").isGreaterThan(1_000_000_000L);
                    assertThat(a.counters().events()).isLessThan(w.counters().events()).isPositive();
                    assertThat(a.counters().events()).isEqualTo(again.summary().counters().events());
                    assertThat(a.latencies()).containsExactlyInAnyOrderElementsOf(again.summary().latencies());
                    var st = server(a, redis.port());
                    assertThat(st.connectionsSeenMidLife()).as("the pool is met mid-life").isGreaterThanOrEqualTo(POOL);
                    assertThat(st.connectionsNamedBySnapshot()).isEqualTo(st.connectionsSeenMidLife());
                    var h = live.history();
                    for (var e : names.entrySet()) {
                        if (!e.getValue().startsWith("pool-")) continue;
                        var fd = Integer.toString(e.getKey());
                        assertThat(str(h, h.end(), st.name(), "Connections", fd, "Client")).isEqualTo(e.getValue());
                    }
                }
            } finally {
                if (f != null) f.destroyForcibly();
                for (var c : pool) c.close();
            }
        }
    }

    /** SETs on every pooled connection, one round every 20 ms, for ms milliseconds. */
    private static void load(List<Resp> pool, long ms) throws Exception {
        long end = System.currentTimeMillis() + ms;
        for (int round = 0; System.currentTimeMillis() < end; round++) {
            for (var c : pool) c.call("SET", "k" + round, "v");
            Thread.sleep(20);
        }
    }

    private static ServerStats server(Summary s, int port) {
        return s.servers().stream().filter(x -> x.name().endsWith(":" + port)).findFirst()
                .orElseThrow(() -> new AssertionError("no server named *:" + port));
    }

    private static String str(History h, long t, String... path) {
        int q = h.lookup(path);
        assertThat(q).as(String.join("/", path)).isNotNegative();
        var s = h.at(t, q);
        return s == null || s.isNull() ? null : String.valueOf(s.value());
    }
}
