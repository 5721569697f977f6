package kvscope.cli.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import kvscope.analysis.Analysis;
import kvscope.cli.Home;
import kvscope.cli.redis.Ports;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Tools;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.ctf.live.LiveUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `kvscope serve --live` on a real live session (lttng-relayd on loopback, the instrumented Redis, redis-benchmark
 * started after the server): while the session runs, the served TSP experiment is RUNNING with the live property
 * ("live — … s behind"), its event count and end time grow as requests happen; after the session is destroyed it is
 * COMPLETED with the events of a `kvscope analyze` of the relay's own files, its views answer, and the stored model is
 * the one `kvscope report` of the copy reuses.
 */
class ServeLiveTest {
    @TempDir Path tmp;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode experiment(int port) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tsp/api/experiments"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var list = json.readTree(r.body());
        assertThat(list.size()).as(r.body()).isEqualTo(1);
        return list.get(0);
    }

    private JsonNode post(int port, String exp, String path, String body) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tsp/api/experiments/" + exp + "/outputs/" + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private static Process load(RedisServer redis, Path log) {
        return Tools.start(new ProcessBuilder(InstrumentedRedis.bin().resolve("redis-benchmark").toString(),
                "-p", Integer.toString(redis.port()), "-n", "10000", "-c", "4", "-t", "set,get,incr", "-q")
                .redirectErrorStream(true).redirectOutput(log.toFile()));
    }

    @Test void thePageFollowsTheSessionAndEndsWithTheModelOfTheWholeTrace() throws Exception {
        try (var relay = LiveRelay.start(tmp.resolve("relay"));
             var redis = RedisServer.start(InstrumentedRedis.server())) {
            var rec = relay.record("250ms", "20s", tmp.resolve("record.log"));
            LiveProtocolTest.waitForSession(LiveUrl.parse(relay.url()), rec);
            int port = Ports.free();
            var copy = tmp.resolve("copy");
            var log = tmp.resolve("serve.log");
            var java = ProcessHandle.current().info().command().orElse("java");
            var serve = new ProcessBuilder(java, "-Dkvscope.home=" + Home.dir(), "-cp", System.getProperty("java.class.path"),
                    "kvscope.cli.Kvscope", "serve", "--live", relay.url(), "-o", copy.toString(), "--port", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                for (int i = 0; i < 300 && !Files.readString(log).contains("kvscope serve: "); i++) {
                    assertThat(serve.isAlive()).as(Files.readString(log)).isTrue();
                    Thread.sleep(100);
                }
                assertThat(Files.readString(log)).contains("kvscope serve: http://127.0.0.1:" + port);
                var l1 = load(redis, tmp.resolve("load1.log"));
                assertThat(l1.waitFor(60, TimeUnit.SECONDS)).isTrue();
                // Requests made after the server started show up while the session still runs.
                JsonNode first = null;
                for (int i = 0; i < 150; i++) {
                    var e = experiment(port);
                    if (e.get("indexingStatus").asText().equals("RUNNING") && e.get("nbEvents").asLong() > 0
                            && e.get("end").asLong() > e.get("start").asLong()) {
                        first = e;
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(first).as(Files.readString(log)).isNotNull();
                assertThat(first.get("properties").get("live").asText()).matches("live — [0-9.]+ s behind · [0-9,]+ events");
                // The Threads time graph answers from the model being built: Redis's main thread, with states.
                var exp = first.get("UUID").asText();
                var tree = post(port, exp, "timeGraph/kvscope.threads/tree", "{}");
                assertThat(tree.get("status").asText()).isEqualTo("RUNNING");
                var entries = tree.get("model").get("entries");
                assertThat(entries.size()).as(tree.toString()).isPositive();
                var ids = new StringBuilder();
                for (var en : entries) ids.append(ids.length() == 0 ? "" : ",").append(en.get("id").asLong());
                var states = post(port, exp, "timeGraph/kvscope.threads/states", "{\"parameters\":{\"requested_timerange\":"
                        + "{\"start\":" + first.get("start").asLong() + ",\"end\":" + first.get("end").asLong() + ",\"nbTimes\":500},"
                        + "\"requested_items\":[" + ids + "]}}");
                long drawn = 0;
                for (var row : states.get("model").get("rows")) drawn += row.get("states").size();
                assertThat(drawn).as("states drawn while the session runs: " + states).isPositive();
                // The segment-based views answer too, from what the model has written so far, and say it is partial.
                JsonNode stats = null;
                for (int i = 0; i < 100; i++) {
                    stats = post(port, exp, "data/kvscope.statistics/tree", "{\"parameters\":{}}");
                    if (stats.get("model").get("entries").size() > 0 || !experiment(port).get("indexingStatus").asText().equals("RUNNING")) break;
                    Thread.sleep(200);
                }
                assertThat(stats.get("status").asText()).as(stats.toString()).isEqualTo("RUNNING");
                assertThat(stats.get("statusMessage").asText()).as(stats.toString()).contains("partial: up to");
                assertThat(stats.get("model").get("entries").size()).as("statistics while the session runs: " + stats).isPositive();
                var l2 = load(redis, tmp.resolve("load2.log"));
                assertThat(l2.waitFor(60, TimeUnit.SECONDS)).isTrue();
                JsonNode later = null;
                for (int i = 0; i < 150; i++) {
                    var e = experiment(port);
                    if (!e.get("indexingStatus").asText().equals("RUNNING")) break;
                    if (e.get("end").asLong() > first.get("end").asLong() && e.get("nbEvents").asLong() > first.get("nbEvents").asLong()) {
                        later = e;
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(later).as("the end time and event count grew while the session ran\n" + Files.readString(log)).isNotNull();
                assertThat(rec.waitFor(40, TimeUnit.SECONDS)).isTrue();
                JsonNode done = null;
                for (int i = 0; i < 300; i++) {
                    var e = experiment(port);
                    if (e.get("indexingStatus").asText().equals("COMPLETED")) {
                        done = e;
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(done).as(Files.readString(log)).isNotNull();
                assertThat(done.get("properties").get("analysis").asText()).as(done.toString()).isEqualTo("COMPLETED");
                var outputs = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tsp/api/experiments/"
                        + done.get("UUID").asText() + "/outputs")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(outputs.statusCode()).isEqualTo(200);
                assertThat(outputs.body()).contains("kvscope.netflow");
                try (var after = Analysis.analyze(List.of(LiveProtocolTest.relayTrace(relay.out)),
                        Analysis.Options.defaults().withCache(tmp.resolve("after")));
                     var kept = Analysis.analyze(List.of(copy), Analysis.Options.defaults())) {
                    assertThat(done.get("nbEvents").asLong()).isEqualTo(after.summary().counters().events());
                    assertThat(done.get("start").asLong()).isEqualTo(after.summary().start());
                    assertThat(done.get("end").asLong()).isEqualTo(after.summary().end());
                    assertThat(kept.reused()).isTrue();
                    assertThat(kept.summary().latencies()).containsExactlyInAnyOrderElementsOf(after.summary().latencies());
                }
                for (int i = 0; i < 50 && !Files.readString(log).contains("the session ended"); i++) Thread.sleep(100);
                assertThat(Files.readString(log)).contains("the session ended", "kvscope report " + copy);
            } finally {
                serve.destroy();
                if (!serve.waitFor(20, TimeUnit.SECONDS)) serve.destroyForcibly();
            }
        }
    }
}
