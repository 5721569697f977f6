package kvscope.analysis.services;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.segments.Segment;
import kvscope.fixtures.ServicesTraceWriter.Conn;
import kvscope.fixtures.ServicesTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The integration from exact event sequences of both providers: one request through four services down into Redis
 * and MariaDB, every span, hop, link and part checked against the times written.
 */
class ServicesTest {
    @TempDir Path dir;

    static final int REDIS = 100, GATEWAY = 300, USER = 301, REDISGW = 302, MYSQLGW = 303;
    static final Conn LOAD = new Conn("127.0.0.1", 50000, "127.0.0.1", 3000);
    static final Conn G = new Conn("127.0.0.1", 41000, "127.0.0.1", 3001);
    static final Conn U = new Conn("127.0.0.1", 42000, "127.0.0.1", 3002);
    static final Conn R = new Conn("127.0.0.1", 43000, "127.0.0.1", 6379);
    static final Conn M = new Conn("127.0.0.1", 44000, "127.0.0.1", 3003);
    static final Conn D = new Conn("127.0.0.1", 45000, "127.0.0.1", 3306);

    static long us(long micros) { return T0 + micros * 1000; }

    /**
     * GET /users/7 at the gateway → the user service → the Redis gateway, whose GET executes 10 ms in Redis (a cache
     * miss), then → the MySQL gateway, whose SELECT takes 10 ms. Times in µs after T0.
     */
    static void userRead(ServicesTraceWriter w, long at, long gwSpan, long userSpan, long rgwSpan, long sqlSpan,
                         long redisId, boolean acceptFirst) {
        long o = at;
        if (acceptFirst) {
            w.serverInfo(us(o), 6379);
            w.node(us(o + 10), REDISGW, "redisgw", "net_connect", 0L, 22, R.src(), R.srcPort(), R.dst(), R.dstPort());
            w.accept(us(o + 20), 8, redisId, R);
        }
        w.receive(us(o + 1000), GATEWAY, "gateway", gwSpan, "GET", "/users/7", LOAD);
        w.call(us(o + 1100), GATEWAY, "gateway", gwSpan + 1, gwSpan, "GET", "/users/7", G);
        w.receive(us(o + 1300), USER, "user", userSpan, "GET", "/users/7", G);
        w.call(us(o + 1400), USER, "user", userSpan + 1, userSpan, "POST", "/get", U);
        w.receive(us(o + 1600), REDISGW, "redisgw", rgwSpan, "POST", "/get", U);
        w.redisSend(us(o + 1700), REDISGW, "redisgw", rgwSpan, R, "get", 1);
        w.request(8, redisId, "get", us(o + 1500), us(o + 1750), us(o + 1760), us(o + 1770), us(o + 1780), us(o + 11_790),
                us(o + 11_800), us(o + 11_810));
        w.redisReply(us(o + 11_900), REDISGW, "redisgw", R, 1);
        w.respond(us(o + 12_000), REDISGW, "redisgw", rgwSpan, 200, "/get");
        w.answered(us(o + 12_100), USER, "user", userSpan + 1, userSpan, 200, U);
        w.call(us(o + 12_200), USER, "user", userSpan + 2, userSpan, "POST", "/user", M);
        w.receive(us(o + 12_400), MYSQLGW, "mysqlgw", sqlSpan, "POST", "/user", M);
        w.mysqlSend(us(o + 12_500), MYSQLGW, "mysqlgw", sqlSpan, D, "select");
        w.mysqlReply(us(o + 22_500), MYSQLGW, "mysqlgw", D, true);
        w.respond(us(o + 22_600), MYSQLGW, "mysqlgw", sqlSpan, 200, "/user");
        w.answered(us(o + 22_700), USER, "user", userSpan + 2, userSpan, 200, M);
        w.respond(us(o + 22_800), USER, "user", userSpan, 200, "/users/:id");
        w.answered(us(o + 22_900), GATEWAY, "gateway", gwSpan + 1, gwSpan, 200, G);
        w.respond(us(o + 23_000), GATEWAY, "gateway", gwSpan, 200, "/users/:id");
    }

    private Path oneUserRead() {
        var trace = dir.resolve("trace");
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            userRead(w, 0, 1, 10, 20, 30, 5, true);
        }
        return trace;
    }

    static Map<String, Long> parts(ServicesFile f, long span) {
        var out = new TreeMap<String, Long>();
        for (var p : f.parts(span)) out.put(p.label(), p.ns());
        return out;
    }

    static long entry(ServicesFile f) {
        for (long i = 0; i < f.count(); i++) if (f.isEntry(i)) return i;
        throw new AssertionError("no entry request");
    }

    @Test
    void aRequestBecomesSpansJoinedAcrossServicesAndIntoRedis() throws IOException {
        try (var stored = Analysis.analyze(List.of(oneUserRead()), Analysis.Options.defaults())) {
            var f = stored.services();
            assertThat(f.count()).isEqualTo(9);
            assertThat(f.services()).extracting(ServicesFile.Service::name)
                    .containsExactlyInAnyOrder("gateway", "user", "redisgw", "mysqlgw");
            assertThat(f.stats()).containsEntry("http hops joined", 3L).containsEntry("redis calls linked", 1L)
                    .containsEntry("http requests from untraced clients", 1L).containsEntry("redis requests without a call", 0L);
            assertThat(f.problems()).isEmpty();

            long gw = entry(f);
            assertThat(f.service(gw)).isEqualTo("gateway");
            assertThat(f.routeKey(gw)).isEqualTo("GET /users/:id");
            assertThat(f.status(gw)).isEqualTo(200);
            assertThat(f.end(gw) - f.start(gw)).isEqualTo(22_000_000);
            // The tree: gateway server → its call → user server → calls to the Redis and MySQL gateways → …
            var call = f.children(gw);
            assertThat(call).singleElement().satisfies(c -> assertThat(f.kind(c)).isEqualTo(SpanKind.CLIENT));
            long userServer = f.link(call.get(0));
            assertThat(f.service(userServer)).isEqualTo("user");
            assertThat(f.parent(userServer)).isEqualTo(call.get(0));
            assertThat(f.children(userServer)).extracting(f::kind).containsExactly(SpanKind.CLIENT, SpanKind.CLIENT);

            // The Redis call is the GET request of the model.
            long redisCall = -1;
            for (long i = 0; i < f.count(); i++) if (f.kind(i) == SpanKind.REDIS) redisCall = i;
            var seg = stored.segments().get(f.link(redisCall));
            assertThat(stored.segments().commands().get(seg.command())).isEqualTo("get");
            assertThat(seg.fd()).isEqualTo(8);
            assertThat(seg.clientId()).isEqualTo(5);

            var parts = parts(f, gw);
            assertThat(parts).containsEntry("gateway own time", 200_000L).containsEntry("user own time", 300_000L)
                    .containsEntry("redisgw own time", 200_000L).containsEntry("mysqlgw own time", 200_000L)
                    .containsEntry("network (gateway → user)", 300_000L).containsEntry("network (user → redisgw)", 300_000L)
                    .containsEntry("network (user → mysqlgw)", 300_000L).containsEntry("network (redisgw → h1:6379)", 140_000L)
                    .containsEntry("Redis queued (get)", 10_000L).containsEntry("Redis reading (get)", 10_000L)
                    .containsEntry("Redis waiting to execute (get)", 10_000L).containsEntry("Redis executing (get)", 10_010_000L)
                    .containsEntry("Redis waiting to write (get)", 10_000L).containsEntry("Redis writing (get)", 10_000L)
                    .containsEntry("MariaDB (select)", 10_000_000L);
            assertThat(parts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(22_000_000L);
            assertThat(f.parts(gw).get(0).label()).isEqualTo("Redis executing (get)");
        }
    }

    @Test
    void callsThatNameNoParentSpanAreCountedPerKind() throws IOException {
        var trace = dir.resolve("orphans");
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            userRead(w, 0, 1, 10, 20, 30, 5, true);
            // Made outside any request the agent saw (or where it lost the context): span / parent 0.
            w.redisSend(us(30_000), REDISGW, "redisgw", 0L, R, "ping", 2);
            w.redisReply(us(30_100), REDISGW, "redisgw", R, 2);
            w.mysqlSend(us(30_200), MYSQLGW, "mysqlgw", 0L, D, "select");
            w.mysqlReply(us(30_300), MYSQLGW, "mysqlgw", D, true);
            w.call(us(30_400), USER, "user", 99, 0L, "GET", "/ping", U);
            w.answered(us(30_500), USER, "user", 99, 0L, 200, U);
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            String tail = " calls with no parent span (outside any request, or its context not followed)";
            assertThat(stored.services().stats()).containsEntry("redis" + tail, 2L).containsEntry("mysql" + tail, 1L)
                    .containsEntry("http" + tail, 1L);
        }
        try (var stored = Analysis.analyze(List.of(oneUserRead()), Analysis.Options.defaults())) {
            assertThat(stored.services().stats().keySet()).noneMatch(k -> k.contains("no parent span"));
        }
    }

    @Test
    void theRedisModelIsTheSameWithOrWithoutTheServicesEvents() throws IOException {
        var both = oneUserRead();
        var alone = dir.resolve("alone");
        try (var w = new ServicesTraceWriter(alone, "h1", REDIS)) {
            w.serverInfo(us(0), 6379);
            w.accept(us(20), 8, 5, R);
            w.request(8, 5, "get", us(1500), us(1750), us(1760), us(1770), us(1780), us(11_790), us(11_800), us(11_810));
        }
        try (var a = Analysis.analyze(List.of(both), Analysis.Options.defaults());
             var b = Analysis.analyze(List.of(alone), Analysis.Options.defaults())) {
            assertThat(segments(a)).isEqualTo(segments(b));
            assertThat(a.summary().counters().unknownEvents()).isEmpty();
            assertThat(b.services().count()).isZero();
            assertThat(a.summary().latencies()).usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(b.summary().latencies());
        }
    }

    private static List<Segment> segments(Stored s) throws IOException {
        var out = new ArrayList<Segment>();
        s.segments().forEach(c -> out.add(c.toSegment()));
        return out;
    }

    @Test
    void spansAreDrawnInLanesSoOneRowNeverHoldsTwoRequests() throws IOException {
        var trace = dir.resolve("trace");
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            // Three overlapping requests at the gateway, untraced downstream: lanes 0, 1, then 0 again.
            var c1 = new Conn("127.0.0.1", 50001, "127.0.0.1", 3000);
            var c2 = new Conn("127.0.0.1", 50002, "127.0.0.1", 3000);
            w.receive(us(0), GATEWAY, "gateway", 1, "GET", "/a", c1);
            w.receive(us(10), GATEWAY, "gateway", 2, "GET", "/a", c2);
            w.respond(us(20), GATEWAY, "gateway", 1, 200, "/a");
            w.receive(us(30), GATEWAY, "gateway", 3, "GET", "/a", c1);
            w.respond(us(40), GATEWAY, "gateway", 2, 200, "/a");
            w.respond(us(50), GATEWAY, "gateway", 3, 200, "/a");
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var f = stored.services();
            assertThat(f.services()).containsExactly(new ServicesFile.Service("gateway", 2));
            var lanes = new ArrayList<Integer>();
            for (long i = 0; i < f.count(); i++) lanes.add(f.lane(i));
            assertThat(lanes).containsExactly(0, 1, 0);
            var routes = Routes.of(f, Long.MIN_VALUE, Long.MAX_VALUE, 10, 25_000);
            assertThat(routes).singleElement().satisfies(r -> {
                assertThat(r.route()).isEqualTo("GET /a");
                assertThat(r.count()).isEqualTo(3);
                assertThat(r.statuses()).isEqualTo(Map.of(200, 3L));
                assertThat(r.slow()).isEqualTo(1);
                assertThat(r.p50Ns()).isEqualTo(20_000);
                assertThat(r.maxNs()).isEqualTo(30_000);
            });
        }
    }

    @Test
    void pathsWithoutARouteAreGroupedWithTheirIdsGeneralised() {
        assertThat(Routes.generalise("/users/42/orders/9f8e7d6c5b4a")).isEqualTo("/users/:id/orders/:id");
        assertThat(Routes.generalise("/health")).isEqualTo("/health");
        assertThat(Routes.generalise("")).isEqualTo("?");
        assertThat(Routes.generalise("/a/" + "0123abcd-0000-1111-2222-333344445555")).isEqualTo("/a/:id");
    }

    static String describe(ServicesFile f) {
        var sb = new StringBuilder();
        for (long i = 0; i < f.count(); i++) {
            sb.append(i).append(' ').append(f.kind(i)).append(' ').append(f.service(i)).append(" parent ").append(f.parent(i))
                    .append(" link ").append(f.link(i)).append('\n');
        }
        return sb + f.problems().stream().map(Object::toString).collect(Collectors.joining("\n"));
    }
}
