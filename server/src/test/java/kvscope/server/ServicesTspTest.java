package kvscope.server;

import kvscope.fixtures.ServicesTraceWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static kvscope.server.Http.params;
import static kvscope.server.Http.quote;
import static org.assertj.core.api.Assertions.assertThat;

/** The services outputs over the Trace Server Protocol, on a real HTTP client: shapes as the TSP says, and content. */
class ServicesTspTest {
    @TempDir static Path root;
    static TspServer server;
    static Http http;
    static String exp;

    static long us(long micros) { return T0 + micros * 1000; }

    @BeforeAll
    static void start() throws Exception {
        ServicesTraceWriter.gatewayUserGet(root.resolve("trace"));
        server = TspServer.start(new TspServer.Config("127.0.0.1", 0, List.of(root), null, null));
        http = new Http(server.url());
        var t = http.post("/tsp/api/traces", params("{\"uri\":" + quote(root.resolve("trace").toString()) + ",\"name\":\"trace\"}"));
        var e = http.post("/tsp/api/experiments", params("{\"name\":\"exp\",\"traces\":[" + quote(t.json().get("UUID").asText()) + "]}"));
        exp = e.json().get("UUID").asText();
        TspServerTest.awaitCompleted(http, exp);
    }

    @AfterAll
    static void stop() { server.close(); }

    private static String out(String kind, String id, String call) {
        return "/tsp/api/experiments/" + exp + "/outputs/" + kind + "/" + id + "/" + call;
    }

    private static Http.Answer ok(Http.Answer a) {
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        return a;
    }

    private static String range() {
        return "\"requested_timerange\":{\"start\":" + us(0) + ",\"end\":" + us(13_000) + ",\"nbTimes\":1300}";
    }

    @Test
    void theServicesTimeGraphAnswersTreeStatesArrowsAndTooltips() {
        var tree = ok(http.post(out("timeGraph", "kvscope.services", "tree"), params("{}"))).model();
        Shapes.tree(tree, true);
        var ids = new ArrayList<Long>();
        long userLane = -1;
        for (var e : tree.get("entries")) {
            if (e.get("hasData").asBoolean()) ids.add(e.get("id").asLong());
            if (e.get("labels").get(0).asText().equals("user · request 1")) userLane = e.get("id").asLong();
        }
        assertThat(userLane).isPositive();
        var states = ok(http.post(out("timeGraph", "kvscope.services", "states"), params("{" + range()
                + ",\"requested_items\":" + ids + "}"))).model();
        Shapes.timeGraph(states);
        assertThat(states.get("rows")).hasSize(ids.size());
        var arrows = ok(http.post(out("timeGraph", "kvscope.services", "arrows"), params("{" + range() + "}"))).model();
        assertThat(arrows).hasSize(2);
        arrows.forEach(a -> Shapes.required(a, "TimeGraphArrow", "end:integer", "sourceId:integer", "start:integer", "targetId:integer"));
        var tip = ok(http.post(out("timeGraph", "kvscope.services", "tooltip"), params("{\"requested_times\":[" + us(5000)
                + "],\"requested_items\":[" + userLane + "]}"))).model();
        assertThat(tip.get("Now").asText()).isEqualTo("redis get since 3.30 ms");
        var style = ok(http.post("/tsp/api/experiments/" + exp + "/outputs/kvscope.services/style", params("{}"))).model();
        assertThat(style.get("styles").has("WAIT_REDIS")).isTrue();
        assertThat(style.get("styles").has("ARROW_REDIS")).isTrue();
    }

    @Test
    void whereTheTimeWentIsATableOfEveryRequestAndATreeOfTheSlowestPerRoute() {
        var cols = ok(http.post(out("table", "kvscope.services.requests", "columns"), params("{}"))).model();
        Shapes.columns(cols);
        var lines = ok(http.post(out("table", "kvscope.services.requests", "lines"),
                params("{\"requested_table_index\":0,\"requested_table_count\":100}"))).model();
        Shapes.table(lines);
        assertThat(lines.get("size").asLong()).isEqualTo(1);
        var routes = ok(http.post(out("data", "kvscope.services.routes", "tree"), params("{" + range() + "}"))).model();
        Shapes.tree(routes, false);
        assertThat(routes.get("entries")).hasSize(2);
        assertThat(routes.get("entries").get(0).get("labels").get(7).asText()).startsWith("Redis executing (get) 89.4 %");
    }
}
