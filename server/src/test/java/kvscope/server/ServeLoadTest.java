package kvscope.server;

import com.fasterxml.jackson.databind.JsonNode;
import kvscope.fixtures.SyntheticRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static kvscope.server.Http.params;
import static kvscope.server.Http.quote;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6's load test: 50 clients at once, each issuing a mix of the view queries a viewer makes (time-graph states,
 * XY, tooltip, trees, table lines, data trees, arrows) back to back for a minute against the model of a 10 M-event
 * trace. Fails on any transport error, any non-2xx answer or any answer that is not a completed TSP response, and
 * prints p50/p99 per kind of query. A report, not a speed claim: the latencies depend on the machine's load.
 *
 * <p>{@code -Dkvscope.load.seconds=N} (default 60) and {@code -Dkvscope.load.events=N} (default 10 000 000) size it.
 */
class ServeLoadTest {
    private static final int CLIENTS = 50;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);

    @TempDir Path root;

    /** One kind of query; {@code body} draws its random parameters. */
    private record Kind(String name, String path, Body body) {}

    @FunctionalInterface
    private interface Body { String draw(SplittableRandom r); }

    /** The latencies one client measured for one kind, in ms. */
    private static final class Times {
        double[] ms = new double[256];
        int n;

        void add(double v) {
            if (n == ms.length) ms = Arrays.copyOf(ms, n * 2);
            ms[n++] = v;
        }
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // a hang fails here instead of stalling the build
    void fiftyClientsQueryEveryKindOfViewWithoutAnError() throws Exception {
        long events = Long.getLong("kvscope.load.events", 10_000_000L);
        int seconds = Integer.getInteger("kvscope.load.seconds", 60);
        var trace = root.resolve("trace");
        long t = System.nanoTime();
        SyntheticRedis.generate(trace, events, 1000, 7);
        try (var server = TspServer.start(new TspServer.Config("127.0.0.1", 0, List.of(root), null, null))) {
            var http = new Http(server.url());
            var tr = http.post("/tsp/api/traces", params("{\"uri\":" + quote(trace.toString()) + ",\"name\":\"load\"}"));
            assertThat(tr.status()).as(tr.toString()).isEqualTo(200);
            var ex = http.post("/tsp/api/experiments", params("{\"name\":\"load\",\"traces\":[" + quote(tr.json().get("UUID").asText()) + "]}"));
            assertThat(ex.status()).as(ex.toString()).isEqualTo(200);
            var exp = ex.json().get("UUID").asText();
            var info = awaitCompleted(http, exp);
            double setup = (System.nanoTime() - t) / 1e9;
            var kinds = kinds(http, "/tsp/api/experiments/" + exp + "/outputs/", info.get("start").asLong(), info.get("end").asLong());
            run(server.url(), kinds, events, seconds, setup);
        }
    }

    private static JsonNode awaitCompleted(Http http, String exp) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            var e = http.get("/tsp/api/experiments/" + exp).json();
            if (!e.get("indexingStatus").asText().equals("RUNNING")) {
                assertThat(e.get("properties").get("analysis").asText()).as(e.toString()).isEqualTo("COMPLETED");
                return e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("analysis still running after 10 minutes");
    }

    private static long[] ids(JsonNode tree, boolean withDataOnly) {
        var out = new ArrayList<Long>();
        tree.get("model").get("entries").forEach(n -> { if (!withDataOnly || n.get("hasData").asBoolean()) out.add(n.get("id").asLong()); });
        assertThat(out).as("entries of %s", tree).isNotEmpty();
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** The mix: what a viewer asks while a person zooms, scrolls, hovers and pages through tables. */
    private static List<Kind> kinds(Http http, String out, long start, long end) {
        long span = end - start;
        long[] rows = ids(http.post(out + "timeGraph/kvscope.netflow/tree", params("{}")).json(), true);
        long[] threads = ids(http.post(out + "timeGraph/kvscope.threads/tree", params("{}")).json(), true);
        long[] series = ids(http.post(out + "XY/kvscope.datavolume/tree", params("{}")).json(), true);
        long lines = http.post(out + "table/kvscope.latency.slowest/lines", params("{\"requested_table_count\":0}"))
                .json().get("model").get("size").asLong();
        assertThat(lines).as("slowest-requests table size").isPositive();
        return List.of(
                new Kind("time graph states (200 rows, zoomed)", out + "timeGraph/kvscope.netflow/states", r -> {
                    // a screenful of rows scrolled anywhere, at any zoom from the whole trace down to 10 µs
                    int first = r.nextInt(Math.max(1, rows.length - 200));
                    var items = Arrays.toString(Arrays.copyOfRange(rows, first, Math.min(rows.length, first + 200)));
                    long w = Math.max(10_000, (long) (span * Math.pow(10, -r.nextInt(6))));
                    long s = start + (long) (r.nextDouble() * (span - Math.min(w, span)));
                    return "{" + range(s, s + w, 1000) + ",\"requested_items\":" + items + "}";
                }),
                new Kind("time graph states (all threads, whole range)", out + "timeGraph/kvscope.threads/states",
                        r -> "{" + range(start, end, 1000) + ",\"requested_items\":" + Arrays.toString(threads) + "}"),
                new Kind("time graph tooltip", out + "timeGraph/kvscope.netflow/tooltip", r -> "{\"requested_items\":["
                        + rows[r.nextInt(rows.length)] + "],\"requested_times\":[" + (start + (long) (r.nextDouble() * span)) + "]}"),
                new Kind("time graph arrows", out + "timeGraph/kvscope.netflow/arrows", r -> "{" + range(start, end, 1000) + "}"),
                new Kind("time graph tree", out + "timeGraph/kvscope.netflow/tree", r -> "{}"),
                new Kind("XY data volume (1000 points)", out + "XY/kvscope.datavolume/xy", r -> {
                    long s = start + (long) (r.nextDouble() * span / 2);
                    return "{" + range(s, end, 1000) + ",\"requested_items\":" + Arrays.toString(series) + "}";
                }),
                new Kind("XY tree", out + "XY/kvscope.datavolume/tree", r -> "{}"),
                new Kind("table lines (200)", out + "table/kvscope.latency.slowest/lines", r -> "{\"requested_table_index\":"
                        + r.nextLong(Math.max(1, lines - 200)) + ",\"requested_table_count\":200}"),
                new Kind("data tree: statistics of a range", out + "data/kvscope.statistics/tree", r -> {
                    long s = start + (long) (r.nextDouble() * span / 2);
                    return "{" + range(s, s + span / 10, 1) + "}";
                }),
                new Kind("data tree: state explorer at a time", out + "data/kvscope.state.explorer/tree",
                        r -> "{\"requested_times\":[" + (start + (long) (r.nextDouble() * span)) + "]}"));
    }

    private static String range(long s, long e, int n) {
        return "\"requested_timerange\":{\"start\":" + s + ",\"end\":" + e + ",\"nbTimes\":" + n + "}";
    }

    private static void run(String base, List<Kind> kinds, long events, int seconds, double setup) throws Exception {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        var errors = new ConcurrentLinkedQueue<String>();
        var errorCount = new AtomicInteger();
        var times = new Times[CLIENTS][kinds.size()];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        var workers = new Thread[CLIENTS];
        for (int c = 0; c < CLIENTS; c++) {
            int me = c;
            for (int k = 0; k < kinds.size(); k++) times[c][k] = new Times();
            workers[c] = new Thread(() -> {
                var r = new SplittableRandom(1000 + me);
                // Each client walks the mix from its own place, so every kind is asked all the time by someone.
                for (int i = me; System.nanoTime() < deadline; i++) {
                    var kind = kinds.get(i % kinds.size());
                    var req = HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "") + kind.path())).timeout(ANSWER_TIMEOUT)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(params(kind.body().draw(r)))).build();
                    long t0 = System.nanoTime();
                    try {
                        var a = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        double ms = (System.nanoTime() - t0) / 1e6;
                        var problem = problem(a);
                        if (problem != null) {
                            if (errorCount.incrementAndGet() <= 20) errors.add(kind.name() + ": " + problem);
                        } else times[me][i % kinds.size()].add(ms);
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) return;
                        if (errorCount.incrementAndGet() <= 20) errors.add(kind.name() + ": " + e);
                    }
                }
            }, "load-client-" + c);
            workers[c].start();
        }
        for (var w : workers) w.join(ANSWER_TIMEOUT.toMillis() + TimeUnit.SECONDS.toMillis(seconds));
        for (var w : workers) assertThat(w.isAlive()).as("%s still waiting for an answer", w.getName()).isFalse();

        var table = new StringBuilder(String.format(Locale.ROOT,
                "%nServeLoadTest — %,d events, %d clients for %d s (setup %.0f s), load average %s on %d cores%n",
                events, CLIENTS, seconds, setup, loadAverage(), Runtime.getRuntime().availableProcessors()));
        table.append(String.format(Locale.ROOT, "%-46s %8s %9s %9s %9s%n", "query", "answers", "p50 ms", "p99 ms", "max ms"));
        var all = new Times();
        var answered = new int[kinds.size()];
        for (int k = 0; k < kinds.size(); k++) {
            var merged = new Times();
            for (int c = 0; c < CLIENTS; c++) for (int i = 0; i < times[c][k].n; i++) merged.add(times[c][k].ms[i]);
            for (int i = 0; i < merged.n; i++) all.add(merged.ms[i]);
            table.append(row(kinds.get(k).name(), merged));
            answered[k] = merged.n;
        }
        table.append(row("all", all));
        table.append(String.format(Locale.ROOT, "%.1f answers/s, %d errors%n", all.n / (double) seconds, errorCount.get()));
        System.out.print(table);
        assertThat(errors).as("errors (first 20 of %d)", errorCount.get()).isEmpty();
        for (int k = 0; k < kinds.size(); k++) assertThat(answered[k]).as("answers to %s", kinds.get(k).name()).isPositive();
    }

    /** Why an answer is not a good one, or null. */
    private static String problem(HttpResponse<byte[]> a) {
        if (a.statusCode() / 100 != 2) return "HTTP " + a.statusCode() + " " + new String(a.body(), java.nio.charset.StandardCharsets.UTF_8);
        if (!"application/json".equals(a.headers().firstValue("Content-Type").orElse(null)))
            return "Content-Type " + a.headers().firstValue("Content-Type");
        try {
            var json = Http.JSON.readTree(a.body());
            if (!json.path("status").asText().equals("COMPLETED") || !json.has("model")) return "not a completed answer: " + json;
        } catch (java.io.IOException e) {
            return "not JSON: " + e.getMessage();
        }
        return null;
    }

    private static String row(String name, Times t) {
        var ms = Arrays.copyOf(t.ms, t.n);
        Arrays.sort(ms);
        if (ms.length == 0) return String.format(Locale.ROOT, "%-46s %8d%n", name, 0);
        return String.format(Locale.ROOT, "%-46s %8d %9.1f %9.1f %9.1f%n", name, ms.length, ms[ms.length / 2],
                ms[Math.min(ms.length - 1, (int) Math.ceil(0.99 * ms.length) - 1)], ms[ms.length - 1]);
    }

    private static String loadAverage() {
        try {
            var parts = java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
