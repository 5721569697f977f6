package kvscope.server;

import com.fasterxml.jackson.databind.JsonNode;
import kvscope.analysis.views.Views;
import kvscope.fixtures.SampleTraces;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static kvscope.server.Http.params;
import static kvscope.server.Http.quote;
import static org.assertj.core.api.Assertions.assertThat;

/** Every TSP endpoint and every trap of the protocol, through a real HTTP client on a loopback port. */
class TspServerTest {
    @TempDir static Path root;
    @TempDir static Path elsewhere;
    static TspServer server;
    static Http http;
    static String exp;
    static final long END = T0 + 40_000;
    static final long MAX_SAFE = (1L << 53) - 1;

    @BeforeAll
    static void start() throws Exception {
        SampleTraces.twoRequests(root.resolve("trace"));
        server = TspServer.start(new TspServer.Config("127.0.0.1", 0, List.of(root), null, null));
        http = new Http(server.url());
        var t = http.post("/tsp/api/traces", params("{\"uri\":" + quote(root.resolve("trace").toString()) + ",\"name\":\"trace\"}"));
        assertThat(t.status()).as(t.toString()).isEqualTo(200);
        var e = http.post("/tsp/api/experiments", params("{\"name\":\"exp\",\"traces\":[" + quote(t.json().get("UUID").asText()) + "]}"));
        assertThat(e.status()).as(e.toString()).isEqualTo(200);
        exp = e.json().get("UUID").asText();
        awaitCompleted(http, exp);
    }

    @AfterAll
    static void stop() { server.close(); }

    static JsonNode awaitCompleted(Http http, String exp) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            var e = http.get("/tsp/api/experiments/" + exp).json();
            if (!e.get("indexingStatus").asText().equals("RUNNING")) return e;
            Thread.sleep(20);
        }
        throw new AssertionError("analysis still running after 60 s");
    }

    private static String out(String kind, String id, String call) {
        return "/tsp/api/experiments/" + exp + "/outputs/" + kind + "/" + id + "/" + call;
    }

    private static Http.Answer ok(Http.Answer a) {
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        assertThat(a.header("Content-Type")).isEqualTo("application/json");
        return a;
    }

    private static void assertError(Http.Answer a, int status, String detailPart) {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.header("Content-Type")).isEqualTo("application/json");
        Shapes.error(a.json());
        assertThat(a.json().get("title").asText()).isNotBlank();
        assertThat(a.json().get("detail").asText()).contains(detailPart);
    }

    private static String range(long start, long end, long nbTimes) {
        return "\"requested_timerange\":{\"start\":" + start + ",\"end\":" + end + ",\"nbTimes\":" + nbTimes + "}";
    }

    private static JsonNode entry(JsonNode tree, String labelPrefix) {
        for (var e : tree.get("entries")) if (e.get("labels").get(0).asText().startsWith(labelPrefix)) return e;
        throw new AssertionError("no entry " + labelPrefix + " in " + tree);
    }

    /** Every integer field named like an id or a count stays below 2^53, where JavaScript numbers stay exact. */
    private static void assertIdsSafe(JsonNode n) {
        if (n.isObject()) {
            n.fields().forEachRemaining(f -> {
                var k = f.getKey();
                if (f.getValue().isIntegralNumber() && (k.endsWith("Id") || k.equals("id") || k.equals("index")
                        || k.equals("size") || k.equals("nbEvents") || k.equals("lowIndex")))
                    assertThat(f.getValue().asLong()).as(k).isBetween(-1L, MAX_SAFE);
                assertIdsSafe(f.getValue());
            });
        } else if (n.isArray()) n.forEach(TspServerTest::assertIdsSafe);
    }

    // ---------------------------------------------------------------- protocol basics

    @Test
    void healthIsUpWithExactlyApplicationJsonAndCors() {
        var a = ok(http.get("/tsp/api/health"));
        Shapes.required(a.json(), "ServerStatus", "status:string");
        Shapes.required(http.get("/tsp/api/identifier").json(), "ServerInfoResponse", "os:string", "productId:string",
                "tspVersion:string", "version:string");
        assertThat(a.json().get("status").asText()).isEqualTo("UP");
        assertThat(a.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(ok(http.get("/tsp/api/identifier")).json().get("tspVersion").asText()).isEqualTo("0.6.0");
    }

    @Test
    void preflightIsAnsweredForEveryPath() {
        var a = http.send("OPTIONS", "/tsp/api/experiments/" + exp + "/outputs/timeGraph/kvscope.netflow/states", null);
        assertThat(a.status()).isEqualTo(204);
        assertThat(a.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(a.header("Access-Control-Allow-Methods")).contains("POST", "DELETE", "OPTIONS");
        assertThat(a.header("Access-Control-Allow-Headers")).contains("content-type");
    }

    @Test
    void servesOnLoopbackByDefaultConfig() {
        assertThat(server.url()).startsWith("http://127.0.0.1:");
    }

    // ---------------------------------------------------------------- traces and experiments

    @Test
    void experimentReportsExactNanosecondTimesAndItsTraces() throws Exception {
        var e = ok(http.get("/tsp/api/experiments/" + exp)).json();
        Shapes.experiment(e);
        ok(http.get("/tsp/api/traces")).json().forEach(Shapes::trace);
        ok(http.get("/tsp/api/experiments")).json().forEach(Shapes::experiment);
        assertThat(e.get("indexingStatus").asText()).isEqualTo("COMPLETED");
        assertThat(e.get("start").isIntegralNumber()).isTrue();
        assertThat(e.get("start").asLong()).isEqualTo(T0);
        assertThat(e.get("end").asLong()).isEqualTo(END);
        assertThat(e.get("nbEvents").asLong()).isEqualTo(29);
        assertThat(e.get("traces")).singleElement().satisfies(t -> {
            assertThat(t.get("name").asText()).isEqualTo("trace");
            assertThat(t.get("path").asText()).isEqualTo(root.resolve("trace").toRealPath().toString());
            assertThat(t.get("indexingStatus").asText()).isEqualTo("COMPLETED");
        });
        var raw = http.get("/tsp/api/experiments/" + exp).raw().body();
        assertThat(raw).contains("\"start\":" + T0); // written as an int64, not a rounded double
        assertThat(ok(http.get("/tsp/api/experiments")).json()).anySatisfy(x -> assertThat(x.get("UUID").asText()).isEqualTo(exp));
        assertThat(ok(http.get("/tsp/api/traces")).json()).isNotEmpty();
        assertIdsSafe(e);
    }

    @Test
    void openingTheSameTraceAgainIsIdempotentAndANameClashIsAConflict() throws IOException {
        var body = params("{\"uri\":" + quote(root.resolve("trace").toString()) + ",\"name\":\"trace\"}");
        var first = ok(http.post("/tsp/api/traces", body)).json().get("UUID").asText();
        var again = ok(http.post("/tsp/api/traces", body)).json().get("UUID").asText();
        assertThat(again).isEqualTo(first);
        Files.createDirectories(root.resolve("other"));
        assertError(http.post("/tsp/api/traces", params("{\"uri\":" + quote(root.resolve("other").toString()) + ",\"name\":\"trace\"}")),
                409, "already open");
        var sameExp = http.post("/tsp/api/experiments", params("{\"name\":\"exp\",\"traces\":[" + quote(first) + "]}"));
        assertThat(ok(sameExp).json().get("UUID").asText()).isEqualTo(exp);
    }

    @Test
    void aTraceInAnExperimentCannotBeDeletedButTheExperimentCan() {
        var t = ok(http.post("/tsp/api/traces", params("{\"uri\":\"trace\",\"name\":\"relative\"}"))).json().get("UUID").asText();
        var e = ok(http.post("/tsp/api/experiments", params("{\"name\":\"doomed\",\"traces\":[" + quote(t) + "]}"))).json().get("UUID").asText();
        assertError(http.delete("/tsp/api/traces/" + t), 409, "doomed");
        assertThat(ok(http.delete("/tsp/api/experiments/" + e)).json().get("name").asText()).isEqualTo("doomed");
        assertError(http.get("/tsp/api/experiments/" + e), 404, e);
        ok(http.delete("/tsp/api/traces/" + t));
        assertError(http.get("/tsp/api/traces/" + t), 404, t);
    }

    @Test
    void tracesOpenedTogetherShareOneAnalysis(@TempDir Path dir) throws Exception {
        SampleTraces.twoRequests(dir.resolve("a").resolve("trace"));
        SampleTraces.twoRequests(dir.resolve("b").resolve("trace"));
        try (var s = TspServer.start(new TspServer.Config("127.0.0.1", 0, List.of(dir), dir.resolve("cache"), null))) {
            var e = s.registry().openTogether(null, List.of(dir.resolve("a/trace").toString(), dir.resolve("b/trace").toString()));
            assertThat(e.name()).isEqualTo("experiment");
            assertThat(e.traces()).extracting(Registry.OpenTrace::name).containsExactly("trace", "trace(2)");
            assertThat(e.traces()).allSatisfy(t -> assertThat(t.job()).isSameAs(e.job()));
            e.job().await();
            assertThat(e.job().status()).isEqualTo(Job.Status.COMPLETED);
            assertThat(e.job().events()).isEqualTo(58);
            assertThat(e.job().stored().dir()).startsWith(dir.resolve("cache"));
            var again = s.registry().openTogether(null, List.of(dir.resolve("a/trace").toString(), dir.resolve("b/trace").toString()));
            assertThat(again).isSameAs(e);
        }
    }

    @Test
    void onlyTracesUnderTheRootsCanBeOpened() throws IOException {
        assertError(http.post("/tsp/api/traces", params("{\"uri\":" + quote(root + "/trace/../../x") + "}")), 403, "..");
        assertError(http.post("/tsp/api/traces", params("{\"uri\":\"../trace\"}")), 403, "..");
        Files.createDirectories(elsewhere.resolve("secret"));
        assertError(http.post("/tsp/api/traces", params("{\"uri\":" + quote(elsewhere.resolve("secret").toString()) + "}")), 403, "outside");
        assertError(http.post("/tsp/api/traces", params("{\"uri\":\"/etc\"}")), 403, "outside");
        assertError(http.post("/tsp/api/traces", params("{\"uri\":" + quote("file://" + elsewhere.resolve("secret")) + "}")), 403, "outside");
        var link = root.resolve("link-out");
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, elsewhere.resolve("secret"));
        assertError(http.post("/tsp/api/traces", params("{\"uri\":" + quote(link.toString()) + "}")), 403, "symbolic link");
        assertError(http.post("/tsp/api/traces", params("{\"uri\":" + quote(root.resolve("missing").toString()) + "}")), 404, "no such");
        assertError(http.post("/tsp/api/traces", params("{}")), 400, "uri");
    }

    // ---------------------------------------------------------------- outputs

    @Test
    void listsEveryOutputWithItsType() {
        var outputs = ok(http.get("/tsp/api/experiments/" + exp + "/outputs")).json();
        var ids = new ArrayList<String>();
        outputs.forEach(Shapes::dataProvider);
        outputs.forEach(o -> ids.add(o.get("id").asText()));
        assertThat(ids).containsExactlyElementsOf(Views.descriptors().stream().map(d -> d.id()).toList());
        assertThat(outputs).anySatisfy(o -> assertThat(o.get("type").asText()).isEqualTo("TIME_GRAPH"));
        assertThat(outputs).anySatisfy(o -> assertThat(o.get("type").asText()).isEqualTo("TREE_TIME_XY"));
        assertThat(outputs).anySatisfy(o -> assertThat(o.get("type").asText()).isEqualTo("DATA_TREE"));
        assertThat(outputs).anySatisfy(o -> assertThat(o.get("type").asText()).isEqualTo("TABLE"));
        assertThat(ok(http.get("/tsp/api/experiments/" + exp + "/outputs/kvscope.threads")).json().get("name").asText()).isEqualTo("Threads");
    }

    @Test
    void netflowTimeGraphTreeStatesTooltipAndArrows() {
        var tree = ok(http.post(out("timeGraph", "kvscope.netflow", "tree"), params("{}")));
        assertThat(tree.json().get("status").asText()).isEqualTo("COMPLETED");
        Shapes.tree(tree.model(), true);
        var fd8 = entry(tree.model(), "fd 8");
        assertThat(fd8.get("start").asLong()).isEqualTo(T0);
        assertThat(fd8.get("end").asLong()).isEqualTo(END);
        assertThat(fd8.get("labels").get(0).asText()).isEqualTo("fd 8 · 127.0.0.1:50000 #3");
        assertIdsSafe(tree.json());
        long id = fd8.get("id").asLong();
        var states = ok(http.post(out("timeGraph", "kvscope.netflow", "states"),
                params("{" + range(T0, END, 40_000) + ",\"requested_items\":[" + id + "]}"))).model();
        Shapes.timeGraph(states);
        var rows = states.get("rows");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("entryId").asLong()).isEqualTo(id);
        var labels = new ArrayList<String>();
        rows.get(0).get("states").forEach(s -> { if (s.has("label")) labels.add(s.get("label").asText()); });
        assertThat(labels).contains("READ", "COMMAND:set", "WRITE", "COMMAND:get", "FREEING");
        rows.get(0).get("states").forEach(s -> {
            assertThat(s.get("start").isIntegralNumber()).isTrue();
            assertThat(s.get("style").get("parentKey").asText()).isNotBlank();
        });
        var tip = ok(http.post(out("timeGraph", "kvscope.netflow", "tooltip"), params("{\"requested_times\":[" + (T0 + 11_000)
                + "],\"requested_items\":[" + id + "],\"requested_element\":{\"elementType\":\"state\",\"time\":" + (T0 + 11_000)
                + ",\"duration\":1}}"))).model();
        assertThat(tip.get("Status").asText()).isEqualTo("PROCESS_COMMAND:set");
        assertThat(tip.get("Requests/Command").asText()).isEqualTo("set");
        var arrows = ok(http.post(out("timeGraph", "kvscope.netflow", "arrows"), params("{" + range(T0, END, 100) + "}")));
        assertThat(arrows.model().isArray()).isTrue();
        arrows.model().forEach(a -> Shapes.required(a, "TimeGraphArrow", "end:integer", "sourceId:integer", "start:integer", "targetId:integer"));
    }

    @Test
    void threadsAndEventLoopTimeGraphs() {
        var tree = ok(http.post(out("timeGraph", "kvscope.threads", "tree"), params("{}"))).model();
        Shapes.tree(tree, true);
        long main = entry(tree, "tid 100").get("id").asLong();
        var rows = ok(http.post(out("timeGraph", "kvscope.threads", "states"),
                params("{" + range(T0, END, 40_000) + ",\"requested_items\":[" + main + "]}"))).model().get("rows");
        var labels = new ArrayList<String>();
        rows.get(0).get("states").forEach(s -> labels.add(s.get("label").asText()));
        assertThat(labels).contains("Reading client bytes=31 fd=8", "Executing set fd=8", "Freeing client fd=8");
        var loop = ok(http.post(out("timeGraph", "kvscope.eventloop", "tree"), params("{}"))).model();
        Shapes.tree(loop, true);
        long phase = entry(loop, "Phase").get("id").asLong();
        var phases = ok(http.post(out("timeGraph", "kvscope.eventloop", "states"),
                params("{" + range(T0, END, 1000) + ",\"requested_items\":[" + phase + "]}"))).model();
        Shapes.timeGraph(phases);
        assertThat(phases.get("rows").get(0).get("states")).isNotEmpty();
    }

    @Test
    void styleAnnotationsAndMarkerSets() {
        var style = ok(http.post("/tsp/api/experiments/" + exp + "/outputs/kvscope.netflow/style", params("{}"))).model();
        Shapes.required(style, "OutputStyleModel", "styles:object");
        style.get("styles").forEach(Shapes::style);
        assertThat(style.get("styles").get("READ").get("values").get("background-color").asText()).startsWith("#");
        var ann = ok(http.post("/tsp/api/experiments/" + exp + "/outputs/kvscope.netflow/annotations",
                params("{" + range(T0, END, 100) + ",\"requested_items\":[]}"))).model();
        assertThat(ann.get("annotations").isObject()).isTrue();
        assertThat(ok(http.get("/tsp/api/experiments/" + exp + "/outputs/kvscope.netflow/annotations")).model()
                .get("annotationCategories").isArray()).isTrue();
        assertThat(ok(http.get("/tsp/api/experiments/" + exp + "/outputs/markerSets")).model().isArray()).isTrue();
    }

    @Test
    void dataVolumeXySeriesShareTheirXValues() {
        var tree = ok(http.post(out("XY", "kvscope.datavolume", "tree"), params("{}"))).model();
        Shapes.tree(tree, false);
        var busOut = entry(tree, "Bus out");
        assertThat(busOut.get("isDefault").asBoolean()).isTrue();
        var ids = new ArrayList<Long>();
        tree.get("entries").forEach(e -> { if (e.get("hasData").asBoolean()) ids.add(e.get("id").asLong()); });
        var xy = ok(http.post(out("XY", "kvscope.datavolume", "xy"),
                params("{" + range(T0, END, 200) + ",\"requested_items\":" + ids + "}"))).model();
        Shapes.xy(xy);
        var series = xy.get("series");
        assertThat(series.size()).isEqualTo(ids.size());
        var x = series.get(0).get("xValues");
        assertThat(x).hasSize(200);
        assertThat(x.get(0).asLong()).isEqualTo(T0);
        for (var s : series) {
            assertThat(s.get("xValues")).isEqualTo(x);
            assertThat(s.get("yValues")).hasSize(200);
            assertThat(s.get("seriesId").asLong()).isBetween(0L, MAX_SAFE);
        }
        double bytes = 0;
        for (var s : series) if (s.get("seriesName").asText().endsWith("bus out")) for (var y : s.get("yValues")) bytes += y.asDouble();
        assertThat(bytes * ((END - T0) / 200) / 1e9).isCloseTo(4000, org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void latencyScatterSlowestTableAndStatistics() {
        var tree = ok(http.post(out("XY", "kvscope.latency.scatter", "tree"), params("{}"))).model();
        long set = entry(tree, "set").get("id").asLong();
        var xy = ok(http.post(out("XY", "kvscope.latency.scatter", "xy"),
                params("{" + range(T0, END, 40) + ",\"requested_items\":[" + set + "]}"))).model();
        Shapes.tree(tree, false);
        Shapes.xy(xy);
        assertThat(xy.get("series").get(0).get("style").get("values").get("series-type").asText()).isEqualTo("scatter");
        assertThat(xy.get("series").get(0).get("yValues").get(9).asDouble()).isEqualTo(4000);

        var cols = ok(http.post(out("table", "kvscope.latency.slowest", "columns"), params("{}"))).model();
        Shapes.columns(cols);
        assertThat(cols.get(0).get("name").asText()).isEqualTo("Timestamp ns");
        var lines = ok(http.post(out("table", "kvscope.latency.slowest", "lines"),
                params("{\"requested_table_index\":0,\"requested_table_count\":200}"))).model();
        Shapes.table(lines);
        assertThat(lines.get("size").asLong()).isEqualTo(2);
        assertThat(lines.get("lines").get(0).get("cells").get(0).get("content").asText()).isEqualTo(Long.toString(T0 + 9000));
        assertThat(lines.get("lines").get(0).get("cells").get(2).get("content").asText()).isEqualTo("set");

        var stats = ok(http.post(out("data", "kvscope.statistics", "tree"), params("{}"))).model();
        Shapes.tree(stats, false);
        assertThat(entry(stats, "set").get("labels").get(1).asText()).isEqualTo("1");
        assertThat(stats.get("headers").get(5).get("name").asText()).isEqualTo("P99 ns w/o blocked");
        // DATA_TREE viewers fall back to the XY tree call: it answers the same tree.
        var fallback = ok(http.post(out("XY", "kvscope.statistics", "tree"), params("{}"))).model();
        assertThat(fallback.get("entries")).isEqualTo(stats.get("entries"));

        var findings = ok(http.post(out("table", "kvscope.findings", "lines"), params("{\"requested_table_index\":0,\"requested_table_count\":200}"))).model();
        Shapes.table(findings);
        Shapes.columns(ok(http.post(out("table", "kvscope.findings", "columns"), params("{}"))).model());
        assertThat(findings.get("size").asLong()).isZero();
    }

    @Test
    void stateExplorerAtARequestedTime() {
        var tree = ok(http.post(out("data", "kvscope.state.explorer", "tree"), params("{\"requested_times\":[" + (T0 + 11_000) + "]}"))).model();
        Shapes.tree(tree, false);
        boolean found = false;
        for (var e : tree.get("entries")) found |= e.get("labels").get(1).asText().equals("PROCESS_COMMAND:set");
        assertThat(found).isTrue();
        var later = ok(http.post(out("data", "kvscope.state.explorer", "tree"), params("{" + range(T0 + 35_000, T0 + 35_000, 1) + "}"))).model();
        for (var e : later.get("entries")) assertThat(e.get("labels").get(1).asText()).doesNotStartWith("PROCESS_COMMAND");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void absurdRequestsAreRefusedWithJsonErrors() {
        assertError(http.post(out("timeGraph", "kvscope.netflow", "states"), params("{" + range(T0, END, 1_000_000_000) + ",\"requested_items\":[1]}")), 400, "nbTimes");
        assertError(http.post(out("XY", "kvscope.datavolume", "xy"), params("{" + range(END, T0, 10) + "}")), 400, "before");
        assertError(http.post(out("XY", "kvscope.datavolume", "xy"), params("{\"requested_timerange\":{\"start\":1.5e18,\"end\":2,\"nbTimes\":3}}")), 400, "start");
        assertError(http.post(out("timeGraph", "kvscope.netflow", "states"), "{\"parameters\": {"), 400, "malformed JSON");
        assertError(http.post(out("timeGraph", "kvscope.netflow", "states"), "[1,2]"), 400, "object");
        assertError(http.post(out("timeGraph", "kvscope.netflow", "states"), params("{\"requested_items\":\"all\"}")), 400, "requested_items");
        assertError(http.post(out("table", "kvscope.latency.slowest", "lines"), params("{\"requested_table_count\":100000000}")), 400, "requested_table_count");
        assertError(http.post(out("timeGraph", "kvscope.netflow", "tooltip"), params("{}")), 400, "requested_times");
        assertError(http.post("/tsp/api/experiments/" + java.util.UUID.randomUUID() + "/outputs/timeGraph/kvscope.netflow/tree", params("{}")), 404, "no open experiment");
        assertError(http.post("/tsp/api/experiments/not-a-uuid/outputs/timeGraph/kvscope.netflow/tree", params("{}")), 404, "not-a-uuid");
        assertError(http.post(out("timeGraph", "kvscope.nothing", "tree"), params("{}")), 404, "kvscope.nothing");
        assertError(http.post(out("timeGraph", "kvscope.datavolume", "tree"), params("{}")), 400, "TREE_TIME_XY");
        assertError(http.post(out("timeGraph", "kvscope.netflow", "explode"), params("{}")), 404, "explode");
        assertError(http.get(out("timeGraph", "kvscope.netflow", "tree")), 405, "GET");
        assertError(http.get("/tsp/api/nothing"), 404, "nothing");
        assertError(http.post("/tsp/api/experiments", params("{\"name\":\"x\",\"traces\":[\"" + java.util.UUID.randomUUID() + "\"]}")), 404, "no open trace");
        assertError(http.post(out("timeGraph", "kvscope.netflow", "tree"), "{\"parameters\":{\"x\":\"" + "a".repeat(TspServer.MAX_BODY) + "\"}}"), 413, "limited");
    }

    @Test
    void manyRequestedItemsStayBounded() {
        var ids = new StringBuilder();
        for (int i = 0; i < Params.MAX_ITEMS + 1; i++) ids.append(i == 0 ? "" : ",").append(i);
        assertError(http.post(out("timeGraph", "kvscope.netflow", "states"), params("{" + range(T0, END, 100) + ",\"requested_items\":[" + ids + "]}")), 400, "at most");
    }

    @Test
    void concurrentViewQueriesAllSucceed() throws Exception {
        long fd8 = entry(ok(http.post(out("timeGraph", "kvscope.netflow", "tree"), params("{}"))).model(), "fd 8").get("id").asLong();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var futures = new ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 160; i++) {
                int k = i;
                futures.add(pool.submit(() -> switch (k % 4) {
                    case 0 -> http.post(out("timeGraph", "kvscope.netflow", "states"), params("{" + range(T0, END, 500 + k) + ",\"requested_items\":[" + fd8 + "]}")).status();
                    case 1 -> http.post(out("XY", "kvscope.datavolume", "tree"), params("{}")).status();
                    case 2 -> http.post(out("data", "kvscope.state.explorer", "tree"), params("{\"requested_times\":[" + (T0 + k * 200) + "]}")).status();
                    default -> http.post(out("data", "kvscope.statistics", "tree"), params("{" + range(T0, T0 + k * 250, 1) + "}")).status();
                }));
            }
            for (var f : futures) assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- analysis status

    @Test
    void statusIsRunningWhileTheAnalysisRunsThenCompleted(@TempDir Path dir) throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("slow"));
        var release = new CountDownLatch(1);
        try (var s = TspServer.start(new TspServer.Config("127.0.0.1", 0, List.of(dir), null, (e, r, t, n) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }))) {
            var h = new Http(s.url());
            var t = ok(h.post("/tsp/api/traces", params("{\"uri\":" + quote(trace.toString()) + "}"))).json();
            assertThat(t.get("indexingStatus").asText()).isEqualTo("RUNNING");
            assertThat(t.get("name").asText()).isEqualTo("slow");
            var e = ok(h.post("/tsp/api/experiments", params("{\"name\":\"slow\",\"traces\":[" + quote(t.get("UUID").asText()) + "]}"))).json();
            var id = e.get("UUID").asText();
            assertThat(e.get("indexingStatus").asText()).isEqualTo("RUNNING");
            var base = "/tsp/api/experiments/" + id + "/outputs/timeGraph/kvscope.netflow/";
            var tree = ok(h.post(base + "tree", params("{}"))).json();
            assertThat(tree.get("status").asText()).isEqualTo("RUNNING");
            assertThat(tree.get("model").get("entries")).isEmpty();
            Shapes.generic(tree);
            Shapes.tree(tree.get("model"), true);
            assertThat(ok(h.get("/tsp/api/experiments/" + id + "/outputs")).json()).isNotEmpty();
            release.countDown();
            assertThat(awaitCompleted(h, id).get("indexingStatus").asText()).isEqualTo("COMPLETED");
            assertThat(ok(h.post(base + "tree", params("{}"))).json().get("status").asText()).isEqualTo("COMPLETED");
        }
    }

    @Test
    void aTraceThatCannotBeAnalysedEndsFailedWithTheReason(@TempDir Path dir) throws Exception {
        var notATrace = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(notATrace.resolve("metadata"), "this is not TSDL");
        try (var s = TspServer.start(new TspServer.Config("127.0.0.1", 0, List.of(dir), null, null))) {
            var h = new Http(s.url());
            var t = ok(h.post("/tsp/api/traces", params("{\"uri\":\"empty\"}"))).json().get("UUID").asText();
            var id = ok(h.post("/tsp/api/experiments", params("{\"name\":\"bad\",\"traces\":[" + quote(t) + "]}"))).json().get("UUID").asText();
            var e = awaitCompleted(h, id);
            assertThat(e.get("properties").get("analysis").asText()).isEqualTo("FAILED");
            assertThat(e.get("properties").get("error").asText()).isNotBlank();
            var tree = ok(h.post("/tsp/api/experiments/" + id + "/outputs/XY/kvscope.datavolume/tree", params("{}"))).json();
            assertThat(tree.get("status").asText()).isEqualTo("FAILED");
            assertThat(tree.get("statusMessage").asText()).startsWith("Analysis failed");
        }
    }

    // ---------------------------------------------------------------- the page

    @Test
    void servesTheWebPageAndItsModules() {
        var page = http.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.raw().body()).contains("<canvas", "<script type=\"module\" src=\"web/app.js\">");
        // The page's ES modules, followed from app.js through their imports: each served as JavaScript (a browser
        // refuses a module of any other type), as it is in the resources.
        var modules = new LinkedHashMap<String, String>();
        var todo = new ArrayDeque<>(List.of("app.js"));
        while (!todo.isEmpty()) {
            var name = todo.pop();
            if (modules.containsKey(name)) continue;
            var js = http.get("/web/" + name);
            assertThat(js.status()).as(name).isEqualTo(200);
            assertThat(js.header("Content-Type")).as(name).startsWith("text/javascript");
            modules.put(name, js.raw().body());
            var imports = Pattern.compile("^import [^;]* from '\\./([A-Za-z0-9_-]+\\.js)';", Pattern.MULTILINE).matcher(js.raw().body());
            while (imports.find()) todo.add(imports.group(1));
        }
        assertThat(modules).containsKeys("tsp.js", "state.js", "timegraph.js", "services.js");
        var all = String.join("\n", modules.values());
        assertThat(all).contains("'/tsp/api'", "/outputs/timeGraph/", "requested_timerange");
        // Every output the page asks for is one the server has.
        var known = Views.descriptors().stream().map(d -> d.id()).toList();
        var used = new ArrayList<String>();
        var m = Pattern.compile("kvscope\\.[a-z.]+[a-z]").matcher(all + page.raw().body());
        while (m.find()) used.add(m.group());
        assertThat(used).isNotEmpty().allSatisfy(id -> assertThat(known).contains(id));
        assertThat(http.get("/web/style.css").header("Content-Type")).startsWith("text/css");
        assertThat(http.get("/web/..%2Fkvscope%2Fserver%2FTspServer.class").status()).isEqualTo(404);
        assertThat(http.get("/web/nothing.js").status()).isEqualTo(404);
    }
}
