package kvscope.analysis.views;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.fixtures.ServicesTraceWriter;
import kvscope.fixtures.ServicesTraceWriter.Conn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** The Services view, the requests table and the routes tree, on one request through three services into Redis. */
class ServicesViewsTest {
    @TempDir Path dir;

    static long us(long micros) { return T0 + micros * 1000; }

    static final Conn LOAD = new Conn("127.0.0.1", 50000, "127.0.0.1", 3000);
    static final Conn G = new Conn("127.0.0.1", 41000, "127.0.0.1", 3001);
    static final Conn R = new Conn("127.0.0.1", 43000, "127.0.0.1", 6379);

    /** gateway (pid 300) → user (301), which GETs from Redis (fd 8) for 10 ms. */
    private Stored analysed() throws IOException {
        var trace = dir.resolve("trace");
        ServicesTraceWriter.gatewayUserGet(trace);
        return Analysis.analyze(List.of(trace), Analysis.Options.defaults());
    }

    private static Map<String, Long> ids(Tsp.Tree t) {
        return t.entries().stream().collect(Collectors.toMap(e -> e.labels().get(0), Tsp.Entry::id, (a, b) -> a));
    }

    @Test
    void servicesAreRowsWithTheirWaitsAndArrowsLeadIntoTheRedisConnection() throws IOException {
        try (var stored = analysed()) {
            var view = (Provider.TimeGraph) Views.of(stored).find("kvscope.services").orElseThrow();
            var tree = view.tree();
            var ids = ids(tree);
            assertThat(ids).containsKeys("gateway", "gateway · request 1", "user", "user · request 1", "h1:6379");
            long fdRow = tree.entries().stream().filter(e -> e.labels().get(0).startsWith("fd 8")).findFirst().orElseThrow().id();
            var netflow = (Provider.TimeGraph) Views.of(stored).find("kvscope.netflow").orElseThrow();
            assertThat(netflow.tree().entries()).extracting(Tsp.Entry::id).contains(fdRow);

            var q = new Query(us(0), us(13_000), 13_000); // 1 µs per sample
            var rows = view.states(q, new long[] {ids.get("gateway · request 1"), ids.get("user · request 1"), ids.get("user"), fdRow})
                    .rows().stream().collect(Collectors.toMap(Tsp.Row::entryId, Tsp.Row::states));
            assertThat(rows.get(ids.get("gateway · request 1"))).extracting(s -> s.style().parentKey() + " " + s.label())
                    .containsExactly("HANDLING GET /users/:id", "WAIT_SERVICE → user", "HANDLING GET /users/:id");
            assertThat(rows.get(ids.get("user · request 1"))).extracting(s -> s.style().parentKey() + " " + s.label())
                    .containsExactly("HANDLING GET /users/:id", "WAIT_REDIS redis get", "HANDLING GET /users/:id");
            var redisWait = rows.get(ids.get("user · request 1")).get(1);
            assertThat(redisWait.start()).isEqualTo(us(1700));
            assertThat(redisWait.end()).isEqualTo(us(11_900));
            assertThat(rows.get(ids.get("user"))).extracting(s -> s.style().parentKey())
                    .containsExactly("HANDLING", "WAIT_REDIS", "HANDLING");
            assertThat(rows.get(fdRow)).extracting(Tsp.TimeGraphState::label).contains("COMMAND:get");

            var arrows = view.arrows(q);
            assertThat(arrows).extracting(a -> a.style().parentKey() + " " + a.sourceId() + "→" + a.targetId()).containsExactlyInAnyOrder(
                    "ARROW_HTTP " + ids.get("gateway · request 1") + "→" + ids.get("user · request 1"),
                    "ARROW_REDIS " + ids.get("user · request 1") + "→" + fdRow);
            var toRedis = arrows.stream().filter(a -> a.targetId() == fdRow).findFirst().orElseThrow();
            assertThat(toRedis.start()).isEqualTo(us(1700));
            assertThat(toRedis.end()).isEqualTo(us(1760));

            assertThat(view.tooltip(ids.get("user · request 1"), us(5000))).containsEntry("Request", "GET /users/7")
                    .containsEntry("Id", "301.10").containsEntry("Now", "redis get since 3.30 ms");
            assertThat(view.tooltip(ids.get("gateway"), us(5000))).containsEntry("Requests in flight", "1");
            // A whole-trace answer at a coarse resolution stays one state per pixel or so.
            var coarse = view.states(new Query(us(0), us(13_000), 10), new long[] {ids.get("user · request 1")}).rows().get(0);
            assertThat(coarse.states().size()).isLessThanOrEqualTo(11);
        }
    }

    @Test
    void everyRequestHasItsSplitInTheTableAndTheSlowestPerRouteInTheTree() throws IOException {
        try (var stored = analysed()) {
            var table = (Provider.Table) Views.of(stored).find("kvscope.services.requests").orElseThrow();
            var cols = table.columns().stream().map(Tsp.Column::name).toList();
            var lines = table.lines(0, 100, new long[0]);
            assertThat(lines.size()).isEqualTo(1);
            var cells = lines.lines().get(0).cells().stream().map(Tsp.Cell::content).toList();
            assertThat(cells.get(cols.indexOf("Request"))).isEqualTo("300.1");
            assertThat(cells.get(cols.indexOf("Route"))).isEqualTo("GET /users/:id");
            assertThat(cells.get(cols.indexOf("Main part"))).isEqualTo("Redis executing (get)");
            long latency = Long.parseLong(cells.get(cols.indexOf("Latency ns")));
            assertThat(latency).isEqualTo(11_200_000);
            long sum = 0;
            for (int c = cols.indexOf("Services' own time ns"); c < cols.indexOf("Parts"); c++) sum += Long.parseLong(cells.get(c));
            assertThat(sum).isEqualTo(latency);
            assertThat(cells.get(cols.indexOf("Parts"))).startsWith("REDIS_EXECUTING:get:10010000;");

            var routes = (Provider.DataTree) Views.of(stored).find("kvscope.services.routes").orElseThrow();
            var tree = routes.tree(us(0), us(20_000));
            assertThat(tree.entries()).hasSize(2);
            assertThat(tree.entries().get(0).labels().subList(0, 3)).containsExactly("GET /users/:id", "gateway", "1");
            assertThat(tree.entries().get(1).labels().get(0)).isEqualTo("300.1");
            assertThat(tree.entries().get(1).parentId()).isEqualTo(tree.entries().get(0).id());
            assertThat(routes.tree(us(20_000), us(30_000)).entries()).isEmpty();
        }
    }

    @Test
    void aTraceOfServicesWithoutRedisIsDrawnToo() throws IOException {
        var trace = dir.resolve("no-redis");
        try (var w = new ServicesTraceWriter(trace, "h1", 100)) {
            w.receive(us(1000), 300, "gateway", 1, "GET", "/a", LOAD);
            w.call(us(1100), 300, "gateway", 2, 1, "GET", "/b", G);
            w.receive(us(1300), 301, "user", 10, "GET", "/b", G);
            w.respond(us(1400), 301, "user", 10, 200, "/b");
            w.answered(us(1500), 300, "gateway", 2, 1, 200, G);
            w.respond(us(1600), 300, "gateway", 1, 200, "/a");
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var view = (Provider.TimeGraph) Views.of(stored).find("kvscope.services").orElseThrow();
            var ids = ids(view.tree());
            assertThat(ids).containsOnlyKeys("gateway", "gateway · request 1", "user", "user · request 1");
            var rows = view.states(new Query(us(0), us(2000), 100), ids.values().stream().mapToLong(Long::longValue).toArray()).rows();
            assertThat(rows).hasSize(4).allSatisfy(r -> assertThat(r.states()).isNotEmpty());
            assertThat(view.arrows(new Query(us(0), us(2000), 100))).hasSize(1);
        }
    }
}
