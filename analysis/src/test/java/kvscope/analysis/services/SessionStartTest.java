package kvscope.analysis.services;

import kvscope.analysis.Analysis;
import kvscope.fixtures.ServicesTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static kvscope.analysis.services.ServicesTest.G;
import static kvscope.analysis.services.ServicesTest.GATEWAY;
import static kvscope.analysis.services.ServicesTest.LOAD;
import static kvscope.analysis.services.ServicesTest.REDIS;
import static kvscope.analysis.services.ServicesTest.USER;
import static kvscope.analysis.services.ServicesTest.us;
import static org.assertj.core.api.Assertions.assertThat;

/** What a session's start leaves in the services: processes reached one after the other, and LTTng-UST's blind window. */
class SessionStartTest {
    @TempDir Path dir;

    private static final String BEFORE_SERVER = "http calls answered before the session reached their server (a "
            + "traced process of the same host, its first event after the response)";
    private static final String NO_SERVER = "HTTP calls whose server never appears in the trace (the peer is not "
            + "traced, or never answered)";

    @Test
    void responsesOfRequestsNeverSeenBeginAreExplainedOnlyBeforeTheFirstSnapshot() throws IOException {
        // LTTng-UST drops the events a process writes after its tracepoints switched on and before its session is
        // active: a request received then has a response and no receive. Before the process's first snapshot that is
        // the trace starting inside it; after it (the snapshot names every request in flight), a problem.
        for (boolean snapshots : new boolean[] {true, false}) {
            var trace = dir.resolve("snap" + snapshots);
            try (var w = new ServicesTraceWriter(trace, "h1", REDIS, snapshots
                    ? ServicesTraceWriter.NODE_EVENTS_WITH_SNAPSHOT : ServicesTraceWriter.NODE_EVENTS)) {
                w.respond(us(100), GATEWAY, "gateway", 7, 200, "/a");
                w.answered(us(120), GATEWAY, "gateway", 8, 0, 200, G);
                if (snapshots) {
                    w.node(us(200), GATEWAY, "gateway", "snapshot_start", 1L, 0, 0, 0, 0L);
                    w.node(us(201), GATEWAY, "gateway", "snapshot_end", 1L, 0, 0, 1_000L);
                }
                w.receive(us(300), GATEWAY, "gateway", 9, "GET", "/b", LOAD);
                w.respond(us(400), GATEWAY, "gateway", 9, 200, "/b");
                w.respond(us(500), GATEWAY, "gateway", 10, 200, "/c");
            }
            try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
                var f = s.services();
                var problems = new HashMap<String, Long>();
                for (var p : f.problems()) problems.put(p.what(), p.count());
                if (snapshots) {
                    assertThat(f.stats()).containsEntry("HTTP responses of requests begun before the process was traced "
                            + "(met before its first snapshot)", 1L).containsEntry("HTTP client responses of calls begun "
                            + "before the process was traced (met before its first snapshot)", 1L);
                    assertThat(problems).containsOnly(Map.entry(NodeSnapshot.RESPONSE_NOT_RECEIVED, 1L));
                } else {
                    assertThat(problems).containsOnly(Map.entry(NodeSnapshot.RESPONSE_NOT_RECEIVED, 2L),
                            Map.entry(NodeSnapshot.RESPONSE_NOT_SENT, 1L));
                }
            }
        }
    }

    @Test
    void aCallAnsweredBeforeTheCalleeWasTracedIsNotAMissingPeer() throws IOException {
        // The gateway is traced from 0 µs, the user service from 1,000 µs (its first event): the first call was
        // answered at 300 µs, before; the third, at 1,400 µs, after, with no server span: still a problem.
        var trace = dir.resolve("t");
        try (var w = new ServicesTraceWriter(trace, "h1", REDIS)) {
            w.receive(us(0), GATEWAY, "gateway", 1, "GET", "/a", LOAD);
            w.call(us(100), GATEWAY, "gateway", 2, 1, "GET", "/early", G);
            w.answered(us(300), GATEWAY, "gateway", 2, 1, 200, G);
            w.call(us(950), GATEWAY, "gateway", 3, 1, "GET", "/u", G);
            w.receive(us(1000), USER, "user", 10, "GET", "/u", G);
            w.respond(us(1100), USER, "user", 10, 200, "/u");
            w.answered(us(1150), GATEWAY, "gateway", 3, 1, 200, G);
            w.call(us(1300), GATEWAY, "gateway", 4, 1, "POST", "/v", G);
            w.answered(us(1400), GATEWAY, "gateway", 4, 1, 200, G);
            w.respond(us(1500), GATEWAY, "gateway", 1, 200, "/a");
        }
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var f = s.services();
            assertThat(f.stats()).containsEntry("http hops joined", 1L).containsEntry(BEFORE_SERVER, 1L);
            assertThat(f.problems()).singleElement().satisfies(p -> {
                assertThat(p.what()).isEqualTo(NO_SERVER);
                assertThat(p.count()).isEqualTo(1);
            });
            int noPeer = 0;
            for (long i = 0; i < f.count(); i++) if (f.kind(i) == SpanKind.CLIENT && f.noPeer(i)) noPeer++;
            assertThat(noPeer).as("calls shown with no traced server").isEqualTo(2);
        }
    }
}
