package kvscope.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import kvscope.fixtures.SyntheticRedis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * bench/views: the view queries a person's browser makes, over real HTTP against the TSP server, on a model of a
 * 10 M-event trace (1 000 client connections): p50/p99 of each, against the 200 ms target.
 *
 * <pre>java -cp … kvscope.server.ViewsBench [events in millions] [connections]</pre>
 */
public final class ViewsBench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
    /** Enough that p99 is not simply the slowest answer (with 30 it was: one hiccup of a shared machine decided it). */
    private static final int REPS = 100;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    private ViewsBench(String base) { this.base = base; }

    public static void main(String[] args) throws Exception {
        long events = (long) (args.length > 0 ? Double.parseDouble(args[0]) * 1e6 : 10e6);
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        var root = Files.createTempDirectory("kvscope-bench-views");
        // Traces of gigabytes: gone when the bench ends, however it ends (a full disk fails every later run).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
        var trace = root.resolve("trace");
        System.err.printf(Locale.ROOT, "generating %,d events, %d connections…%n", events, clients);
        SyntheticRedis.generate(trace, events, clients, 7);
        try (var server = TspServer.start(new TspServer.Config("127.0.0.1", 0, List.of(root), null, null))) {
            var b = new ViewsBench(server.url().replaceAll("/$", ""));
            b.run(trace, events, clients);
        }
    }

    private JsonNode post(String path, String body) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    /** Only the size of the answer: the client's own parsing is not what is measured. */
    private long postSize(String path, String body) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(path + ": " + r.statusCode());
        return r.body().length;
    }

    private JsonNode get(String path) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private void run(Path trace, long events, int clients) throws Exception {
        var t = post("/tsp/api/traces", "{\"parameters\":{\"uri\":\"" + trace + "\",\"name\":\"bench\"}}");
        var e = post("/tsp/api/experiments", "{\"parameters\":{\"name\":\"bench\",\"traces\":[\"" + t.get("UUID").asText() + "\"]}}");
        var exp = e.get("UUID").asText();
        long t0 = System.nanoTime();
        System.err.println("analysing…");
        while (!"COMPLETED".equals(get("/tsp/api/experiments/" + exp).get("indexingStatus").asText())) Thread.sleep(200);
        double analysis = (System.nanoTime() - t0) / 1e9;
        var info = get("/tsp/api/experiments/" + exp);
        long start = info.get("start").asLong(), end = info.get("end").asLong();
        String out = "/tsp/api/experiments/" + exp + "/outputs/";

        var tree = post(out + "timeGraph/kvscope.netflow/tree", "{\"parameters\":{}}").get("model");
        var rows = new ArrayList<Long>();
        tree.get("entries").forEach(n -> { if (n.path("hasData").asBoolean(true) && rows.size() < 1000) rows.add(n.get("id").asLong()); });
        var xyTree = post(out + "XY/kvscope.datavolume/tree", "{\"parameters\":{}}").get("model");
        var series = new ArrayList<Long>();
        xyTree.get("entries").forEach(n -> { if (n.get("hasData").asBoolean()) series.add(n.get("id").asLong()); });
        var rnd = new SplittableRandom(1);
        long span = end - start;

        var loadBefore = loadAverage();
        var results = new ArrayList<String[]>();
        results.add(measure("time graph states, " + rows.size() + " rows × 1000 px, whole range", () -> postSize(out
                + "timeGraph/kvscope.netflow/states", body(start, end, 1000, rows))));
        results.add(measure("XY data volume, " + series.size() + " series × 1000 points", () -> postSize(out
                + "XY/kvscope.datavolume/xy", body(start, end, 1000, series))));
        results.add(measure("time graph states, zoomed to 1 % of the range", () -> {
            long s = start + (long) (rnd.nextDouble() * span * 0.99);
            return postSize(out + "timeGraph/kvscope.netflow/states", body(s, s + span / 100, 1000, rows));
        }));
        results.add(measure("state explorer at a random time", () -> {
            long at = start + (long) (rnd.nextDouble() * span);
            return postSize(out + "data/kvscope.state.explorer/tree", "{\"parameters\":{\"requested_times\":[" + at + "]}}");
        }));
        System.out.println();
        System.out.printf(Locale.ROOT, "bench/views — %,d events, %d connections, analysed in %.1f s; %d requests each, over HTTP%n",
                events, clients, analysis, REPS);
        // The machine is shared: a loaded one answers slower, so the table says how loaded it was.
        System.out.printf(Locale.ROOT, "load average %s before the queries, %s after, on %d cores%n", loadBefore, loadAverage(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("%-58s %9s %9s %9s %11s  %s%n", "query", "p50 ms", "p99 ms", "max ms", "bytes", "target p99 ≤ 200 ms");
        for (var r : results) System.out.printf("%-58s %9s %9s %9s %11s  %s%n", (Object[]) r);
    }

    private static String loadAverage() {
        try {
            var f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String body(long s, long e, int n, List<Long> items) {
        return "{\"parameters\":{\"requested_timerange\":{\"start\":" + s + ",\"end\":" + e + ",\"nbTimes\":" + n
                + "},\"requested_items\":" + items + "}}";
    }

    @FunctionalInterface
    interface Call { long run() throws Exception; }

    private static String[] measure(String what, Call call) throws Exception {
        call.run(); // warm-up
        var ms = new double[REPS];
        long bytes = 0;
        for (int i = 0; i < REPS; i++) {
            long t = System.nanoTime();
            bytes = call.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        double p99 = ms[Math.min(REPS - 1, (int) Math.ceil(0.99 * REPS) - 1)];
        return new String[] {what, String.format(Locale.ROOT, "%.1f", ms[REPS / 2]), String.format(Locale.ROOT, "%.1f", p99),
                String.format(Locale.ROOT, "%.1f", ms[REPS - 1]), String.format(Locale.ROOT, "%,d", bytes), p99 <= 200 ? "met" : "MISSED"};
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
