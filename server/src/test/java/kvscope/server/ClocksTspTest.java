package kvscope.server;

import kvscope.fixtures.SampleTraces;
import kvscope.fixtures.SkewedCluster;
import kvscope.fixtures.SkewedCluster.Host;
import kvscope.fixtures.SkewedCluster.Link;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static kvscope.server.Http.params;
import static kvscope.server.Http.quote;
import static org.assertj.core.api.Assertions.assertThat;

/** The clocks of several hosts in the experiment's properties (the page's "Clocks of the hosts" table), none for one host. */
class ClocksTspTest {
    @TempDir Path root;

    private static String experiment(Http http, Path trace) {
        var t = http.post("/tsp/api/traces", params("{\"uri\":" + quote(trace.toString()) + ",\"name\":" + quote(trace.getFileName().toString()) + "}"));
        assertThat(t.status()).as(t.toString()).isEqualTo(200);
        var e = http.post("/tsp/api/experiments", params("{\"name\":" + quote("exp-" + trace.getFileName()) + ",\"traces\":[" + quote(t.json().get("UUID").asText()) + "]}"));
        assertThat(e.status()).as(e.toString()).isEqualTo(200);
        return e.json().get("UUID").asText();
    }

    @Test void perHostOffsetDriftBoundPairsAndVerdict() throws Exception {
        SkewedCluster.write(root.resolve("two"), List.of(new Host("node-a", 0, 0), new Host("node-b", -3_700_000, 50e-6),
                new Host("node-c", 0, 0)), List.of(new Link(0, 1, false)), 7);
        SampleTraces.twoRequests(root.resolve("one"));
        try (var server = TspServer.start(new TspServer.Config("127.0.0.1", 0, List.of(root), null, null))) {
            var http = new Http(server.url());
            var props = TspServerTest.awaitCompleted(http, experiment(http, root.resolve("two"))).get("properties");
            assertThat(props.get("clock:node-a").asText()).startsWith("reference; offset +0 ns; drift +0.00 ppm; reference");
            assertThat(props.get("clock:node-b").asText()).matches("accurate; offset \\+3\\.[0-9]+ ms; drift -[0-9.]+ ppm; ± [0-9.]+ µs; [0-9]+ pairs \\(bus [0-9,]+\\); accurate");
            assertThat(props.get("clock:node-c").asText()).startsWith("none; offset +0 ns; drift +0.00 ppm; unbounded; 0 pairs; not synchronised");
            var single = TspServerTest.awaitCompleted(http, experiment(http, root.resolve("one"))).get("properties");
            assertThat(single.fieldNames()).toIterable().noneMatch(n -> n.startsWith("clock:"));
        }
    }
}
