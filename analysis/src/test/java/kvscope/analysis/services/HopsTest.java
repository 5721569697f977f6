package kvscope.analysis.services;

import kvscope.analysis.Analysis;
import kvscope.fixtures.ServicesTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static kvscope.analysis.services.ServicesTest.G;
import static kvscope.analysis.services.ServicesTest.GATEWAY;
import static kvscope.analysis.services.ServicesTest.LOAD;
import static kvscope.analysis.services.ServicesTest.REDIS;
import static kvscope.analysis.services.ServicesTest.USER;
import static kvscope.analysis.services.ServicesTest.us;
import static org.assertj.core.api.Assertions.assertThat;

/** HTTP calls ↔ the server spans of their callee, when a session reached the caller before the callee. */
class HopsTest {
    @TempDir Path dir;

    private static final String BEFORE_SERVER = "http calls answered before the session reached their server (a "
            + "traced process of the same host, its first event after the response)";
    private static final String NO_SERVER = "HTTP calls whose server never appears in the trace (the peer is not "
            + "traced, or never answered)";

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
