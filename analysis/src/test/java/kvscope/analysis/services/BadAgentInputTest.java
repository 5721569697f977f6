package kvscope.analysis.services;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.segments.Segment;
import kvscope.fixtures.ServicesTraceWriter;
import kvscope.fixtures.ServicesTraceWriter.Conn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static kvscope.analysis.services.ServicesTest.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the agent may get wrong — fields missing or out of range, spans whose other end never appears, a service killed
 * mid-request — is counted with where it was seen, never fatal, and leaves the Redis model exactly as it would be
 * without the agent's events.
 */
class BadAgentInputTest {
    @TempDir Path dir;

    private Path write(Map<String, Object[]> layout, Consumer<ServicesTraceWriter> body) {
        var trace = dir.resolve("t" + System.nanoTime());
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS, layout)) {
            body.accept(w);
        }
        return trace;
    }

    private static Map<String, Long> problems(ServicesFile f) {
        return f.problems().stream().collect(Collectors.toMap(Problems.Problem::what, Problems.Problem::count, Long::sum,
                LinkedHashMap::new));
    }

    private static List<Segment> segments(Stored s) throws IOException {
        var out = new ArrayList<Segment>();
        s.segments().forEach(c -> out.add(c.toSegment()));
        return out;
    }

    /** The same Redis events as {@link ServicesTest#userRead}, without any of the agent's. */
    private Stored redisAlone() throws IOException {
        var alone = dir.resolve("alone");
        try (var w = new ServicesTraceWriter(alone, "h1", REDIS)) {
            w.serverInfo(us(0), 6379);
            w.accept(us(20), 8, 5, R);
            w.request(8, 5, "get", us(1500), us(1750), us(1760), us(1770), us(1780), us(11_790), us(11_800), us(11_810));
        }
        return Analysis.analyze(List.of(alone), Analysis.Options.defaults());
    }

    @Test
    void eventsOfAnAgentWithoutAFieldAreCountedByNameAndNotUsed() throws IOException {
        var layout = new LinkedHashMap<>(ServicesTraceWriter.NODE_EVENTS);
        // An agent whose http_server_receive has no span (and so no way to pair its response).
        var receive = new ArrayList<>(List.of(layout.get("nodejs:http_server_receive")));
        int at = receive.indexOf("span");
        receive.remove(at);
        receive.remove(at);
        layout.put("nodejs:http_server_receive", receive.toArray());
        var trace = write(layout, w -> {
            w.serverInfo(us(0), 6379);
            w.accept(us(20), 8, 5, R);
            w.node(us(100), GATEWAY, "gateway", "http_server_receive", 20, "GET", "/x", "127.0.0.1", 50000, "127.0.0.1", 3000);
            w.node(us(200), GATEWAY, "gateway", "http_server_response", 1L, 200, 10L, "/x", 0);
            w.request(8, 5, "get", us(1500), us(1750), us(1760), us(1770), us(1780), us(11_790), us(11_800), us(11_810));
        });
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults()); var alone = redisAlone()) {
            var p = problems(s.services());
            assertThat(p).containsEntry("nodejs:http_server_receive events without span (an agent of another version?): not used", 1L)
                    .containsKey("HTTP responses for a request never received (the trace started inside it, or a garbled span id)");
            assertThat(s.services().count()).isZero();
            assertThat(segments(s)).isEqualTo(segments(alone));
            assertThat(s.summary().counters().unknownEvents()).isEmpty();
        }
    }

    @Test
    void garbledFieldsAreCountedWithWhereTheyWereSeen() throws IOException {
        var trace = write(ServicesTraceWriter.NODE_EVENTS, w -> {
            var bad = new Conn("127.0.0.1", 70_000, "127.0.0.1", 3000);
            w.receive(us(100), GATEWAY, "gateway", 0, "GET", "/no-span", LOAD);   // span 0
            w.receive(us(110), GATEWAY, "gateway", 5, "GET", "/bad-port", bad);    // port 70000
            w.respond(us(120), GATEWAY, "gateway", 5, 42, "/bad-port");          // status 42
            w.respond(us(130), GATEWAY, "gateway", 99, 200, "/never");           // never received
            w.respond(us(140), GATEWAY, "gateway", 5, 200, "/bad-port");         // answered twice
            w.redisReply(us(150), REDISGW, "redisgw", R, 1);                     // nothing sent on it
            w.redisSend(us(160), REDISGW, "redisgw", 0, R, "get", (int) 4_000_000_000L); // an absurd pipeline
            w.redisReply(us(170), REDISGW, "redisgw", R, 3);                     // 2 more replies than calls
            w.node(us(180), 399, "", "http_server_receive", 6L, 20, "GET", "/anon", "127.0.0.1", 50001, "127.0.0.1", 3000);
            w.node(us(190), REDISGW, "redisgw", "stream_unparsed", 22, R.src(), R.srcPort(), R.dst(), R.dstPort(), "resp",
                    "reply", "not RESP: '<'", 12L);
            w.node(us(200), REDISGW, "redisgw", "agent_error", "redis_write", "TypeError: x is undefined", 1L);
        });
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var f = s.services();
            var p = problems(f);
            assertThat(p).containsEntry("HTTP requests received without a span id: not used", 1L)
                    .containsEntry("events with a port outside 0..65535: their connection is not joined", 1L)
                    .containsEntry("HTTP responses with a status outside 100..599", 1L)
                    .containsEntry("HTTP responses for a request never received (the trace started inside it, or a garbled span id)", 1L)
                    .containsEntry("HTTP requests answered twice: the first answer is kept", 1L)
                    .containsEntry("Redis replies on a connection before any command was seen sent on it, with no request "
                            + "Redis had in flight then to answer (the trace started after it)", 1L)
                    .containsEntry("Redis writes claiming more than 100000 commands: counted as one", 1L)
                    .containsEntry("Redis replies no command was waiting for (answers to commands sent before the "
                            + "recording started, or a garbled count)", 2L)
                    .containsEntry("processes whose events name no service (KVSCOPE_SERVICE, package.json): shown as \"pid N\"", 1L)
                    .containsEntry("bytes the agent could not follow on Redis or MySQL connections (the calls around them "
                            + "may be paired with the wrong replies)", 1L)
                    .containsEntry("exceptions inside the agent's hooks (the events they should have emitted may be missing)", 1L);
            assertThat(f.problems().stream().filter(x -> x.what().startsWith("exceptions")).findFirst().orElseThrow().examples())
                    .singleElement().asString().endsWith("redisgw (pid 302) in redis_write: TypeError: x is undefined");
            var first = f.problems().stream().filter(x -> x.what().startsWith("events with a port")).findFirst().orElseThrow();
            assertThat(first.examples()).singleElement().asString().contains("gateway (pid 300)").contains("src_port 70000");
            assertThat(f.services()).extracting(ServicesFile.Service::name).contains("pid 399");
        }
    }

    @Test
    void aServiceKilledMidRequestLeavesItsSpansUnansweredAndItsCallerSeesTheError() throws IOException {
        var trace = write(ServicesTraceWriter.NODE_EVENTS, w -> {
            w.serverInfo(us(0), 6379);
            w.accept(us(20), 8, 5, R);
            w.receive(us(1000), GATEWAY, "gateway", 1, "GET", "/users/7", LOAD);
            w.call(us(1100), GATEWAY, "gateway", 2, 1, "GET", "/users/7", G);
            w.receive(us(1300), USER, "user", 10, "GET", "/users/7", G);
            w.call(us(1400), USER, "user", 11, 10, "POST", "/get", U);
            w.receive(us(1600), REDISGW, "redisgw", 20, "POST", "/get", U);
            w.redisSend(us(1700), REDISGW, "redisgw", 20, R, "get", 1);
            w.request(8, 5, "get", us(1500), us(1750), us(1760), us(1770), us(1780), us(11_790), us(11_800), us(11_810));
            // The Redis gateway is killed here: no reply read, no response. The user service sees the socket close.
            w.node(us(12_000), USER, "user", "http_client_response", 11L, 10L, 0, 0L, U.src(), U.srcPort(), U.dst(),
                    U.dstPort(), "socket hang up");
            w.respond(us(12_100), USER, "user", 10, 502, "/users/:id");
            w.answered(us(12_200), GATEWAY, "gateway", 2, 1, 502, G);
            w.respond(us(12_300), GATEWAY, "gateway", 1, 502, "/users/:id");
        });
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults()); var alone = redisAlone()) {
            var f = s.services();
            var p = problems(f);
            assertThat(p).containsEntry("HTTP requests never answered (the service stopped, or the trace ended first)", 1L)
                    .containsEntry("Redis calls never answered (the caller stopped, or the trace ended first)", 1L);
            long gw = entry(f);
            assertThat(f.status(gw)).isEqualTo(502);
            var parts = parts(f, gw);
            assertThat(parts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(f.end(gw) - f.start(gw));
            // The killed service's part of the time still shows what it was doing: waiting on Redis's GET.
            assertThat(parts).containsKey("Redis executing (get)");
            long failed = -1;
            for (long i = 0; i < f.count(); i++) if (f.kind(i) == SpanKind.CLIENT && f.failed(i)) failed = i;
            assertThat(f.error(failed)).isEqualTo("socket hang up");
            // The unanswered spans last to the end of the trace: a search late in it still finds them.
            var late = new ArrayList<Long>();
            f.forEach(f.end() - 1, f.end(), late::add);
            assertThat(late).extracting(f::unfinished).contains(true);
            assertThat(segments(s)).isEqualTo(segments(alone));
        }
    }

    @Test
    void aCallWhosePeerNeverAppearsIsTimeOfAnUntracedPeer() throws IOException {
        var trace = write(ServicesTraceWriter.NODE_EVENTS, w -> {
            var ext = new Conn("127.0.0.1", 41500, "10.9.9.9", 443);
            w.receive(us(1000), GATEWAY, "gateway", 1, "GET", "/weather", LOAD);
            w.call(us(1100), GATEWAY, "gateway", 2, 1, "GET", "/forecast", ext);
            w.answered(us(5100), GATEWAY, "gateway", 2, 1, 200, ext);
            w.respond(us(5200), GATEWAY, "gateway", 1, 200, "/weather");
        });
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var f = s.services();
            assertThat(parts(f, entry(f))).containsEntry("not traced (10.9.9.9:443)", 4_000_000L)
                    .containsEntry("gateway own time", 200_000L);
            assertThat(problems(f)).containsEntry(
                    "HTTP calls whose server never appears in the trace (the peer is not traced, or never answered)", 1L);
        }
    }

    @Test
    void spansInFlightWhenTheTracerDiscardedEventsAreMarkedAndCounted() throws IOException {
        var trace = write(ServicesTraceWriter.NODE_EVENTS, w -> {
            w.receive(us(100), GATEWAY, "gateway", 1, "GET", "/x", LOAD);
            // Fills the agent's stream's first packet, so the loss, counted in the second, lands while span 1 is open.
            for (int i = 0; i < 3000; i++) {
                w.node(us(200) + i, GATEWAY, "gateway", "net_connect", 0L, 30, "127.0.0.1", 40000 + i % 1000, "127.0.0.1", 9);
            }
            w.stream(1).discard(7);
            w.respond(us(9000), GATEWAY, "gateway", 1, 200, "/x");
            w.receive(us(9100), GATEWAY, "gateway", 2, "GET", "/x", LOAD);
            w.respond(us(9200), GATEWAY, "gateway", 2, 200, "/x");
        });
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var f = s.services();
            assertThat(s.summary().counters().lostEvents()).isEqualTo(7);
            assertThat(problems(f)).containsEntry("spans in flight when the tracer discarded events (their times may be wrong)", 1L);
            assertThat(f.count()).isEqualTo(2);
            assertThat(f.lost(0)).isTrue();
            assertThat(f.lost(1)).isFalse();
        }
    }
}
