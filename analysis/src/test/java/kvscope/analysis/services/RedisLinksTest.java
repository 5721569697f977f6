package kvscope.analysis.services;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.fixtures.ServicesTraceWriter;
import kvscope.fixtures.ServicesTraceWriter.Conn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static kvscope.analysis.services.ServicesTest.REDIS;
import static kvscope.fixtures.RedisTraceWriter.raw;
import static kvscope.analysis.services.ServicesTest.REDISGW;
import static kvscope.analysis.services.ServicesTest.us;
import static org.assertj.core.api.Assertions.assertThat;

/** Redis calls ↔ requests of the model: connection by address and port, then order, names checked. */
class RedisLinksTest {
    @TempDir Path dir;

    static final Conn R = new Conn("127.0.0.1", 43000, "127.0.0.1", 6379);
    static final Conn U = new Conn("127.0.0.1", 42000, "127.0.0.1", 3002);

    private Stored trace(Consumer<ServicesTraceWriter> body) throws IOException {
        var trace = dir.resolve("t" + System.nanoTime());
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            w.serverInfo(us(0), 6379);
            w.accept(us(10), 8, 5, R);
            w.receive(us(100), REDISGW, "redisgw", 1, "POST", "/x", U);
            body.accept(w);
            w.respond(us(9000), REDISGW, "redisgw", 1, 200, "/x");
        }
        return Analysis.analyze(List.of(trace), Analysis.Options.defaults());
    }

    /** The model's command of each Redis call (null: not linked), in call order. */
    private static List<String> links(Stored s) throws IOException {
        var f = s.services();
        var out = new ArrayList<String>();
        for (long i = 0; i < f.count(); i++) {
            if (f.kind(i) != SpanKind.REDIS) continue;
            long g = f.link(i);
            out.add(g < 0 ? null : s.segments().commands().get(s.segments().get(g).command()));
        }
        return out;
    }

    private static void req(ServicesTraceWriter w, String cmd, long at) {
        w.request(8, 5, cmd, us(at), us(at + 10), us(at + 11), us(at + 12), us(at + 13), us(at + 14), us(at + 15), us(at + 16));
    }

    @Test
    void aPipelineIsLinkedCommandByCommandInOrder() throws IOException {
        try (var s = trace(w -> {
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "set", 3);
            req(w, "set", 300);
            req(w, "get", 400);
            req(w, "incr", 500);
            w.redisReply(us(600), REDISGW, "redisgw", R, 3);
        })) {
            assertThat(links(s)).containsExactly("set", "get", "incr");
            var f = s.services();
            assertThat(f.stats()).containsEntry("redis calls linked", 3L).containsEntry("redis requests without a call", 0L);
            assertThat(f.problems()).isEmpty();
            // The unnamed calls of the pipeline are named by their request in the parts.
            long srv = ServicesTest.entry(f);
            assertThat(ServicesTest.parts(f, srv)).containsKeys("Redis executing (set)", "Redis executing (get)", "Redis executing (incr)");
        }
    }

    @Test
    void commandsQueuedByMultiHoldTheirPlaceWithoutARequest() throws IOException {
        try (var s = trace(w -> {
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "multi", 4);
            req(w, "multi", 300);
            w.redis(us(400), "end_process_command", "fd", 8, "id", 5L); // SET queued: no call_command
            w.redis(us(410), "end_process_command", "fd", 8, "id", 5L); // SET queued
            req(w, "exec", 500);
            w.redisReply(us(600), REDISGW, "redisgw", R, 4);
            w.redisSend(us(700), REDISGW, "redisgw", 1, R, "get", 1);
            req(w, "get", 800);
            w.redisReply(us(900), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("multi", null, null, "exec", "get");
            assertThat(s.services().stats()).containsEntry("redis calls linked", 3L)
                    .containsEntry("redis calls Redis processed without executing (queued by MULTI, refused)", 2L)
                    .containsEntry("redis calls without a request", 0L).containsEntry("redis requests without a call", 0L);
            assertThat(s.services().problems()).isEmpty();
        }
    }

    @Test
    void aRequestTheAgentMissedIsCountedAndTheRestStillLinks() throws IOException {
        try (var s = trace(w -> {
            req(w, "info", 150); // sent before the agent watched the socket
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "get", 1);
            req(w, "get", 300);
            w.redisReply(us(400), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("get");
            assertThat(s.services().stats()).containsEntry("redis requests without a call", 1L);
            assertThat(s.services().problems()).singleElement().satisfies(p -> {
                assertThat(p.what()).startsWith("Redis requests on services' connections with no call seen");
                assertThat(p.examples()).singleElement().asString().contains("request info fd 8");
            });
        }
    }

    @Test
    void requestsRedisProcessedBeforeTheAgentsFirstCallAreSkippedNotPairedOneOff() throws IOException {
        // Redis's session began before the agent's: a GET Redis processed before the first call the agent saw. By name
        // alone each call would take the GET before its own (both links outside their call).
        try (var s = trace(w -> {
            req(w, "get", 150);
            w.redisSend(us(2000), REDISGW, "redisgw", 1, R, "get", 1);
            req(w, "get", 2100);
            w.redisReply(us(2200), REDISGW, "redisgw", R, 1);
            w.redisSend(us(4000), REDISGW, "redisgw", 1, R, "get", 1);
            req(w, "get", 4100);
            w.redisReply(us(4200), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("get", "get");
            assertThat(s.services().stats()).containsEntry("redis links outside their call", 0L)
                    .containsEntry("redis requests without a call", 1L).containsEntry("redis calls without a request", 0L);
        }
    }

    @Test
    void requestsAnsweredBeforeTheAgentsFirstEventAreBeforeItsSession() throws IOException {
        // Redis answered the GET (at 34 µs) before the agent's first event in the process (100 µs): its session had
        // not reached the process yet (issue #21).
        try (var s = trace(w -> {
            req(w, "get", 20);
            w.redisSend(us(2000), REDISGW, "redisgw", 1, R, "get", 1);
            req(w, "get", 2100);
            w.redisReply(us(2200), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("get");
            assertThat(s.services().stats()).containsEntry("redis requests without a call", 0L)
                    .containsEntry("redis requests answered before the agent's session reached the service", 1L)
                    .containsEntry("redis calls without a request", 0L);
            assertThat(s.services().problems()).isEmpty();
        }
    }

    @Test
    void callsAnsweredBeforeRedisWasTracedAreNotCallsWithoutARequest() throws IOException {
        // The agent's session reached the service before Redis's: the first GET was answered (300 µs) before the
        // first request the Redis trace has (2100 µs); aligned by name it would take the next call's request.
        try (var s = trace(w -> {
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "get", 1);
            w.redisReply(us(300), REDISGW, "redisgw", R, 1);
            w.redisSend(us(2000), REDISGW, "redisgw", 1, R, "get", 1);
            req(w, "get", 2100);
            w.redisReply(us(2200), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly(null, "get");
            assertThat(s.services().stats()).containsEntry("redis calls answered before the Redis trace of their server began", 1L)
                    .containsEntry("redis calls without a request", 0L).containsEntry("redis links outside their call", 0L);
            assertThat(s.services().problems()).isEmpty();
        }
    }

    @Test
    void aCallInFlightWhenRedissTraceBeganIsNotTheNextCallsRequest() throws IOException {
        // Redis's first traced request is another connection's (1000 µs); the first GET was sent before it (200 µs) and
        // its reply read after it (2500 µs), and this connection's first traced request (3100 µs) began after that
        // reply: Redis ran the first GET untraced. Aligned by name, it would take the second GET's request.
        try (var s = trace(w -> {
            w.accept(us(20), 9, 6, new Conn("127.0.0.1", 43001, "127.0.0.1", 6379));
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "get", 1);
            w.request(9, 6, "ping", us(1000), us(1010), us(1011), us(1012), us(1013), us(1014), us(1015), us(1016));
            w.redisReply(us(2500), REDISGW, "redisgw", R, 1);
            w.redisSend(us(3000), REDISGW, "redisgw", 1, R, "get", 1);
            req(w, "get", 3100);
            w.redisReply(us(3200), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly(null, "get");
            assertThat(s.services().stats()).containsEntry("redis calls answered before the Redis trace of their server began", 1L)
                    .containsEntry("redis calls without a request", 0L).containsEntry("redis links outside their call", 0L);
        }
    }

    @Test
    void aReplyWithNoSendIsTheRequestInFlightAtAttach() throws IOException {
        // The GET was sent before the agent's session, its reply read after: the agent saw a reply with no command
        // sent; Redis's request of it is the one in flight at attach, not a request without a call (issue #21).
        try (var s = trace(w -> {
            req(w, "get", 150);
            w.redisReply(us(180), REDISGW, "redisgw", R, 1);
            w.redisSend(us(2000), REDISGW, "redisgw", 1, R, "set", 1);
            req(w, "set", 2100);
            w.redisReply(us(2200), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("set");
            assertThat(s.services().stats()).containsEntry("redis requests without a call", 0L)
                    .containsEntry("redis requests in flight at the agent's attach (sent before its session; it saw the reply only)", 1L)
                    .containsEntry("redis requests answered before the agent's session reached the service", 0L);
            assertThat(s.services().problems()).isEmpty();
        }
    }

    @Test
    void aReplyWithNoSendAndNoRequestIsStillReported() throws IOException {
        try (var s = trace(w -> {
            w.redisReply(us(180), REDISGW, "redisgw", R, 2);
            w.redisSend(us(2000), REDISGW, "redisgw", 1, R, "set", 1);
            req(w, "set", 2100);
            w.redisReply(us(2200), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("set");
            assertThat(s.services().problems()).singleElement().satisfies(p -> {
                assertThat(p.what()).startsWith("Redis replies on a connection before any command was seen sent on it");
                assertThat(p.count()).isEqualTo(2);
            });
        }
    }

    /** Like {@link #trace}, but Redis's session begins at {@code redisAt} µs and its snapshot names R (met mid-life). */
    private Stored midLife(long redisAt, Consumer<ServicesTraceWriter> body) throws IOException {
        var trace = dir.resolve("t" + System.nanoTime());
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            w.receive(us(100), REDISGW, "redisgw", 1, "POST", "/x", U);
            w.serverInfo(us(redisAt), 6379);
            w.redis(us(redisAt + 1), "snapshot_client", "seq", 1L, "fd", 8, "id", 5L, "type", "client", "inbound", 1,
                    "peer_addr", R.src(), "peer_port", R.srcPort(), "local_port", R.dstPort());
            body.accept(w);
            w.respond(us(9000), REDISGW, "redisgw", 1, 200, "/x");
        }
        return Analysis.analyze(List.of(trace), Analysis.Options.defaults());
    }

    @Test
    void repliesReadBeforeRedisWasTracedAnswerRequestsItRanUntraced() throws IOException {
        // lttng start reached the gateway first: it read two replies before Redis's session reached Redis, so
        // Redis's requests of them are in no trace (AttachedInFlightTest, one run in seven).
        try (var s = midLife(1000, w -> {
            w.redisReply(us(180), REDISGW, "redisgw", R, 2);
            w.redisSend(us(2000), REDISGW, "redisgw", 1, R, "set", 1);
            req(w, "set", 2100);
            w.redisReply(us(2200), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("set");
            assertThat(s.services().stats()).containsEntry("redis replies read before the Redis trace of their server "
                    + "began (answers to requests Redis ran before its session)", 2L);
            assertThat(s.services().problems()).isEmpty();
        }
        // Read after Redis's first traced request (another client's): Redis was traced then, so a reply with no
        // request is still a problem.
        try (var s = midLife(1000, w -> {
            w.request(9, 6, "get", us(1200), us(1210), us(1211), us(1212), us(1213), us(1214), us(1215), us(1216));
            w.redisReply(us(1500), REDISGW, "redisgw", R, 1);
            w.redisSend(us(2000), REDISGW, "redisgw", 1, R, "set", 1);
            req(w, "set", 2100);
            w.redisReply(us(2200), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("set");
            assertThat(s.services().stats()).doesNotContainKey("redis replies read before the Redis trace of their "
                    + "server began (answers to requests Redis ran before its session)");
            assertThat(s.services().problems()).singleElement().satisfies(p -> {
                assertThat(p.what()).startsWith("Redis replies on a connection before any command was seen sent on it");
                assertThat(p.count()).isEqualTo(1);
            });
        }
    }

    @Test
    void commandsThatDisagreeAreLinkedByOrderAndCounted() throws IOException {
        try (var s = trace(w -> {
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "get", 1);
            req(w, "set", 300);
            w.redisReply(us(400), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("set");
            assertThat(s.services().stats()).containsEntry("redis links by order with another command", 1L);
            assertThat(s.services().problems()).extracting(Problems.Problem::what)
                    .containsExactly("Redis calls linked by order to a request of another command");
        }
    }

    @Test
    void redisMayAcceptAConnectionAfterItsFirstCallWasSent() throws IOException {
        // The kernel completes the handshake before Redis calls accept(): the service sends at once, Redis accepts
        // when its event loop next runs (seen 1.18 ms later on an idle machine, MicroservicesScenarioTest). The same
        // address was accepted before (fd 8, at 10 µs): the connection is the one accepted before its first reply.
        try (var s = trace(w -> {
            w.redisSend(us(1000), REDISGW, "redisgw", 1, R, "hello", 1);
            w.accept(us(2500), 9, 6, R);
            w.request(9, 6, "hello", us(2600), us(2610), us(2611), us(2612), us(2613), us(2614), us(2615), us(2616));
            w.redisReply(us(2700), REDISGW, "redisgw", R, 1);
        })) {
            assertThat(links(s)).containsExactly("hello");
            assertThat(s.services().stats()).containsEntry("redis calls on untraced connections", 0L)
                    .containsEntry("redis links outside their call", 0L);
        }
    }

    @Test
    void callsOnAConnectionRedisNeverAcceptedAreUnseenInsideRedis() throws IOException {
        var other = new Conn("127.0.0.1", 43999, "127.0.0.1", 6380);
        try (var s = trace(w -> {
            w.redisSend(us(200), REDISGW, "redisgw", 1, other, "get", 1);
            w.redisReply(us(400), REDISGW, "redisgw", other, 1);
        })) {
            assertThat(links(s)).containsExactly((String) null);
            var f = s.services();
            assertThat(ServicesTest.parts(f, ServicesTest.entry(f))).containsEntry("Redis (not seen inside) (get)", 200_000L);
            assertThat(f.problems()).extracting(Problems.Problem::count).containsExactly(1L);
        }
    }

    @Test
    void bytesWaitingWhileRedisWorksForOthersAreRedisQueueNotNetwork() throws IOException {
        try (var s = trace(w -> {
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "get", 1);
            // Redis is busy until 1200 µs (another client's command), polls from 1200, sees the bytes at 1210.
            w.request(8, 5, "get", us(1200), us(1210), us(1220), us(1230), us(1240), us(1250), us(1260), us(1270));
            w.redisReply(us(1300), REDISGW, "redisgw", R, 1);
        })) {
            var parts = ServicesTest.parts(s.services(), ServicesTest.entry(s.services()));
            // queued: 200 → 1200 (Redis busy) + 1210 → 1220 (read not started); network: the poll's wake-up, the reply.
            assertThat(parts).containsEntry("Redis queued (get)", 1_010_000L).containsEntry("network (redisgw → h1:6379)", 40_000L);
        }
    }

    @Test
    void aSubscribeToSeveralChannelsIsConfirmedOncePerChannelWithoutAProblem() throws IOException {
        try (var s = trace(w -> {
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "subscribe", 1);
            req(w, "subscribe", 300);
            w.redisReply(us(400), REDISGW, "redisgw", R, 3); // SUBSCRIBE a b c: three confirmations
        })) {
            assertThat(links(s)).containsExactly("subscribe");
            assertThat(s.services().problems()).isEmpty();
            assertThat(s.services().stats()).containsEntry("redis subscription confirmations (a reply per further channel)", 2L);
        }
    }

    @Test
    void mysqlCommandsWithoutAResponseDoNotTakeTheNextOnesReply() throws IOException {
        var d = new Conn("127.0.0.1", 45000, "127.0.0.1", 3306);
        try (var s = trace(w -> {
            w.mysqlSend(us(200), REDISGW, "redisgw", 1, d, "stmt_prepare");
            w.mysqlReply(us(300), REDISGW, "redisgw", d, true);
            w.mysqlSend(us(400), REDISGW, "redisgw", 1, d, "stmt_execute");
            w.mysqlSend(us(410), REDISGW, "redisgw", 1, d, "stmt_close");
            w.mysqlReply(us(2400), REDISGW, "redisgw", d, true);
        })) {
            var f = s.services();
            var durations = new ArrayList<Long>();
            for (long i = 0; i < f.count(); i++) if (f.kind(i) == SpanKind.MARIADB) durations.add(f.end(i) - f.start(i));
            assertThat(durations).containsExactly(100_000L, 2_000_000L, 0L);
            assertThat(f.problems()).isEmpty();
        }
    }

    @Test
    void withTheLightProfileACallIsLinkedByNameAndItsTimeIsExecutionAndNetwork() throws IOException {
        var trace = dir.resolve("light");
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS, ServicesTraceWriter.NODE_EVENTS, true)) {
            w.serverInfo(us(0), 6379);
            w.accept(us(10), 8, 5, R);
            w.receive(us(100), REDISGW, "redisgw", 1, "POST", "/x", U);
            w.redisSend(us(200), REDISGW, "redisgw", 1, R, "get", 1);
            w.redisSend(us(210), REDISGW, "redisgw", 1, R, "set", 1);
            // The light profile's batch: both commands, each with its start and duration, written after them.
            w.redis(us(600), "commands", "fd", new int[] {8, 8}, "id", new long[] {5, 5}, "names", "get set",
                    "start_ns", new long[] {raw(us(300)), raw(us(400))}, "duration_ns", new long[] {50_000, 20_000},
                    "dirty", new long[] {0, 1}, "depth", new long[] {0, 0});
            w.redisReply(us(700), REDISGW, "redisgw", R, 2);
            w.respond(us(800), REDISGW, "redisgw", 1, 200, "/x");
        }
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            assertThat(links(s)).containsExactly("get", "set");
            var parts = ServicesTest.parts(s.services(), ServicesTest.entry(s.services()));
            // [200, 700): the two calls in flight together; Redis executed get [300, 350) and set [400, 420).
            assertThat(parts).containsEntry("Redis executing (get)", 50_000L).containsEntry("Redis executing (set)", 20_000L)
                    .containsEntry("network (redisgw → h1:6379)", 430_000L).containsEntry("redisgw own time", 200_000L);
        }
    }
}

