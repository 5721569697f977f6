package kvscope.cli.live;

import kvscope.analysis.Analysis;
import kvscope.analysis.Summary;
import kvscope.cli.Home;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Tools;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.ctf.live.LiveUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `kvscope analyze --live` following a real live session (lttng-relayd on loopback, the instrumented Redis under
 * redis-benchmark started after the follower attached): while the session runs the follower reports events arriving;
 * once the session is destroyed the stored model equals `kvscope analyze` of the relay's own files of that session —
 * the same events, requests per command, connections — and is reused by `kvscope report` of the copy. A relay killed
 * mid-way gives a message naming the relay and what failed, and the model of what arrived is kept.
 */
class LiveAnalyzeTest {
    @TempDir Path tmp;

    private Process follow(String url, Path copy, Path log) throws Exception {
        var java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Dkvscope.home=" + Home.dir(), "-cp", System.getProperty("java.class.path"),
                "kvscope.cli.Kvscope", "analyze", "--live", url, "-o", copy.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** `kvscope analyze --live` on the relay's session once it exists, returned when it follows it. */
    private Process followOnceRecording(LiveRelay relay, Process rec, Path copy, Path log) throws Exception {
        LiveProtocolTest.waitForSession(LiveUrl.parse(relay.url()), rec);
        var f = follow(relay.url(), copy, log);
        waitFor(log, "Following ", f);
        return f;
    }

    private static Process load(RedisServer redis, Path log, int n) {
        return Tools.start(new ProcessBuilder(InstrumentedRedis.bin().resolve("redis-benchmark").toString(),
                "-p", Integer.toString(redis.port()), "-n", Integer.toString(n), "-c", "4", "-t", "set,get,incr,lpush", "-q")
                .redirectErrorStream(true).redirectOutput(log.toFile()));
    }

    /** The live event counts the follower printed, in order. */
    private static List<Long> progress(String log) {
        var m = Pattern.compile("^live \\S+: ([\\d,]+) events", Pattern.MULTILINE).matcher(log);
        var out = new ArrayList<Long>();
        while (m.find()) out.add(Long.parseLong(m.group(1).replace(",", "")));
        return out;
    }

    private static void waitFor(Path log, String text, Process p) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) return;
            if (!p.isAlive()) break;
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in:\n" + (Files.exists(log) ? Files.readString(log) : "(no output)"));
    }

    @Test void theModelBuiltLiveEqualsTheAnalysisOfTheRelaysTrace() throws Exception {
        try (var relay = LiveRelay.start(tmp.resolve("relay"));
             var redis = RedisServer.start(InstrumentedRedis.server())) {
            var rec = relay.record("250ms", "14s", tmp.resolve("record.log"));
            var copy = tmp.resolve("copy");
            var log = tmp.resolve("follow.log");
            var f = followOnceRecording(relay, rec, copy, log);
            try {
                // Requests that happen after the follower started, in two bursts: it reports both while running.
                var l1 = load(redis, tmp.resolve("load1.log"), 10_000);
                assertThat(l1.waitFor(60, TimeUnit.SECONDS)).isTrue();
                Thread.sleep(2500);
                var during = progress(Files.readString(log));
                var l2 = load(redis, tmp.resolve("load2.log"), 10_000);
                assertThat(l2.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(rec.waitFor(40, TimeUnit.SECONDS)).isTrue();
                assertThat(f.waitFor(60, TimeUnit.SECONDS)).as("the follower ends with the session").isTrue();
                var out = Files.readString(log);
                assertThat(f.exitValue()).as(out).isZero();
                assertThat(during).as("events reported while the session ran:\n" + out).isNotEmpty();
                // The first burst's events reached the model while the session ran (how many depends on the load).
                assertThat(during.get(during.size() - 1)).as(out).isPositive();
                var all = progress(out);
                assertThat(all.get(all.size() - 1)).as(out).isGreaterThan(during.get(during.size() - 1));
                assertThat(out).contains("the session ended", "model stored in " + copy.resolve(".kvscope"));
            } finally {
                f.destroyForcibly();
            }
            try (var live = Analysis.analyze(List.of(copy), Analysis.Options.defaults());
                 var after = Analysis.analyze(List.of(LiveProtocolTest.relayTrace(relay.out)),
                         Analysis.Options.defaults().withCache(tmp.resolve("after")))) {
                assertThat(live.reused()).as("report of the copy reuses the model built live").isTrue();
                var a = live.summary();
                var b = after.summary();
                assertThat(a.counters().events()).isEqualTo(b.counters().events());
                assertThat(a.counters().damage()).isEmpty();
                assertThat(requests(a)).isEqualTo(requests(b));
                assertThat(requests(a).getOrDefault("set", 0L)).as(requests(a).toString()).isGreaterThanOrEqualTo(10_000);
                assertThat(connections(a)).isEqualTo(connections(b));
                assertThat(a.latencies()).containsExactlyInAnyOrderElementsOf(b.latencies());
            }
        }
    }

    @Test void aRelayThatDiesMidWayGivesAMessageAndKeepsWhatArrived() throws Exception {
        try (var relay = LiveRelay.start(tmp.resolve("relay"));
             var redis = RedisServer.start(InstrumentedRedis.server())) {
            var rec = relay.record("250ms", "30s", tmp.resolve("record.log"));
            var copy = tmp.resolve("copy");
            var log = tmp.resolve("follow.log");
            var f = followOnceRecording(relay, rec, copy, log);
            try {
                var l1 = load(redis, tmp.resolve("load1.log"), 10_000);
                assertThat(l1.waitFor(60, TimeUnit.SECONDS)).isTrue();
                for (int i = 0; i < 100 && progress(Files.readString(log)).stream().noneMatch(n -> n > 0); i++) Thread.sleep(100);
                relay.kill();
                assertThat(f.waitFor(60, TimeUnit.SECONDS)).as("the follower ends when the relay goes away").isTrue();
                var out = Files.readString(log);
                assertThat(out).contains("the reading stopped: relay 127.0.0.1:" + relay.live, "the model of what arrived is stored");
                try (var kept = Analysis.analyze(List.of(copy), Analysis.Options.defaults())) {
                    assertThat(kept.reused()).isTrue();
                    assertThat(kept.summary().counters().events()).isPositive();
                    assertThat(kept.summary().counters().damage()).singleElement().asString().contains("relay 127.0.0.1:" + relay.live);
                }
            } finally {
                f.destroyForcibly();
            }
        }
    }

    private static Map<String, Long> requests(Summary s) {
        var m = new TreeMap<String, Long>();
        for (var l : s.latencies()) m.merge(l.command(), l.count(), Long::sum);
        return m;
    }

    private static Map<String, Long> connections(Summary s) {
        var m = new TreeMap<String, Long>();
        for (var st : s.servers()) m.put(st.name(), st.connectionsAccepted());
        return m;
    }
}
