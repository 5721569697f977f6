package kvscope.cli.export;

import io.opentelemetry.proto.trace.v1.Span;
import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.RedisTools;
import kvscope.cli.redis.TempDirs;
import kvscope.cli.testing.Cli;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `kvscope export` on a real trace: a server of the instrumented Redis under redis-benchmark (20 concurrent clients)
 * and a 3-node cluster where a client PUBLISHes on node 1 to a subscriber on node 2, recorded under one real LTTng
 * session. The
 * OTLP file is read by OpenTelemetry's own protobuf classes; the Perfetto file is checked against the trace-event
 * rules. Both must hold exactly the model's requests, phases, flows and findings, with its ids, parents and times.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportRealTraceTest {
    private static final int PUBLISHES = 30, REDIRECTS = 10, REQUESTS = 6_000;
    private static final HexFormat HEX = HexFormat.of();

    private Path tmp, trace, model;

    @BeforeAll
    void record() throws Exception {
        var bin = InstrumentedRedis.bin();
        tmp = Files.createTempDirectory("kvscope-export-test");
        trace = tmp.resolve("trace");
        model = tmp.resolve("model");
        try (var cluster = RedisCluster.start(bin.resolve("redis-server"), 3);
             var server = RedisServer.start(bin.resolve("redis-server"))) {
            try (var sub = cluster.node(1).client()) {
                sub.call("SUBSCRIBE", "news");
                try (var rec = Recording.start(trace, Profile.FULL)) {
                    var run = RedisTools.benchmark(bin, server.port(), Duration.ofMinutes(2), "-n",
                            Integer.toString(REQUESTS), "-c", "20", "-t", "set,get,lpush");
                    assertThat(run.ok()).as(run.describe()).isTrue();
                    for (int i = 0; i < PUBLISHES; i++) cluster.node(0).call("PUBLISH", "news", "x".repeat(1000));
                    for (int i = 0; i < PUBLISHES; i++) sub.read();
                    redirects(cluster);
                    Thread.sleep(1100); // server_info, once a second, names each node host:port
                    rec.stop();
                }
            }
        }
    }

    /** GETs sent to node 1 for keys it does not serve, retried on the node its MOVED names: the REDIRECT flows. */
    private static void redirects(RedisCluster cluster) {
        int moved = 0;
        for (int i = 0; moved < REDIRECTS; i++) {
            var key = "k" + i;
            try {
                cluster.node(0).call("GET", key);
            } catch (RuntimeException e) {
                // "MOVED 3999 127.0.0.1:6381"
                var f = e.getMessage().split(" ");
                assertThat(f[0]).as(e.getMessage()).endsWith("MOVED");
                int port = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1));
                cluster.nodes().stream().filter(n -> n.port() == port).findFirst().orElseThrow().call("GET", key);
                moved++;
            }
        }
    }

    @AfterAll
    void delete() { TempDirs.deleteRecursively(tmp); }

    private Stored stored() throws IOException {
        return Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(model));
    }

    private Path export(String format, String... more) {
        var out = tmp.resolve(format + more.length + ".json");
        var args = new ArrayList<>(List.of("export", trace.toString(), "--cache", model.toString(), "--format", format,
                "-o", out.toString()));
        args.addAll(List.of(more));
        var r = Cli.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains(format + " written to " + out);
        return out;
    }

    private static long flowCount(Stored stored) throws IOException {
        long[] n = {0};
        stored.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (k, a, b, c, d, e, f) -> n[0]++);
        return n[0];
    }

    /** A request's six phases as [start, end], as the segment's documentation defines them. */
    private static long[][] phases(SegmentFile.Cursor c) {
        return new long[][] {{c.readable(), c.readStart()}, {c.readStart(), c.readEnd()}, {c.readEnd(), c.commandStart()},
                {c.commandStart(), c.commandEnd()}, {c.commandEnd(), c.writeStart()}, {c.writeStart(), c.replyEnd()}};
    }

    @Test
    void otlpHoldsEveryRequestWithItsPhasesFlowsAndFindingsAsTheModelHasThem() throws Exception {
        var file = export("otlp");
        var otlp = OtlpCheck.read(file);
        try (var stored = stored()) {
            var segs = stored.segments();
            long[] flows = {flowCount(stored)};
            assertThat(flows[0]).as("flows of the PUBLISHes").isGreaterThanOrEqualTo(PUBLISHES);
            var requests = otlp.spans().stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).toList();
            assertThat(requests).as("one server span per request").hasSize((int) segs.count());
            var children = new HashMap<String, Integer>();
            for (var s : otlp.spans()) {
                if (s.getKind() == Span.SpanKind.SPAN_KIND_INTERNAL && !s.getParentSpanId().isEmpty()) {
                    children.merge(OtlpCheck.hex(s.getParentSpanId()), 1, Integer::sum);
                }
            }
            long[] phases = {0};
            var servers = segs.servers();
            segs.forEach(c -> {
                var span = otlp.byId().get(com.google.protobuf.ByteString.fromHex(
                        HEX.toHexDigits((1L << 56) | c.index())));
                assertThat(span).as("span of request " + c.index()).isNotNull();
                assertThat(span.getName()).isEqualTo(c.commandName().toUpperCase());
                assertThat(span.getEndTimeUnixNano()).isEqualTo(c.end());
                long start = c.readable() != Segment.UNKNOWN && c.readable() <= c.readStart() ? c.readable() : c.start();
                assertThat(span.getStartTimeUnixNano()).isEqualTo(start);
                assertThat(OtlpCheck.attr(span, "db.system.name")).isEqualTo("redis");
                assertThat(OtlpCheck.attr(span, "server.port")).isEqualTo(servers.get(c.server()).replaceAll(".*:", ""));
                assertThat(OtlpCheck.attr(span, "kvscope.latency_ns")).isEqualTo(Long.toString(c.latency()));
                assertThat(OtlpCheck.attr(span, "network.peer.port")).as("client port of request " + c.index()).isNotNull();
                int known = 0;
                for (var b : phases(c)) if (b[0] != Segment.UNKNOWN && b[1] != Segment.UNKNOWN && b[0] <= b[1]) known++;
                assertThat(children.getOrDefault(OtlpCheck.hex(span.getSpanId()), 0)).as("phases of " + c.index()).isEqualTo(known);
                phases[0] += known;
            });
            assertThat(phases[0]).as("most requests show all six phases").isGreaterThan(segs.count() * 4);
            var flowSpans = otlp.spans().stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_PRODUCER).toList();
            assertThat((long) flowSpans.size()).as("one span per flow").isEqualTo(flows[0]);
            assertThat(flowSpans).as("the PUBLISHes' flows hang under the PUBLISH request")
                    .filteredOn(s -> !s.getParentSpanId().isEmpty()
                            && otlp.byId().get(s.getParentSpanId()).getName().equals("PUBLISH"))
                    .hasSizeGreaterThanOrEqualTo(PUBLISHES);
            // A MOVED and its retry are both requests: the retry's span is linked from the redirect's.
            assertThat(flowSpans).as("MOVED → retry flows linked to the retry")
                    .filteredOn(s -> s.getLinksCount() == 1 && otlp.byId().get(s.getLinks(0).getSpanId()).getName().equals("GET"))
                    .hasSizeGreaterThanOrEqualTo(REDIRECTS);
            var findings = Findings.detect(stored, Thresholds.DEFAULT);
            long events = otlp.spans().stream().mapToLong(Span::getEventsCount).sum();
            assertThat(events).as("one event per finding").isEqualTo(findings.size());
            assertThat(findings).as("the bus amplification of PUBLISH").anyMatch(f -> f.kind().equals("bus-amplification"));
            assertThat(otlp.data().getResourceSpansList()).hasSize(servers.size());
        }
    }

    @Test
    void perfettoJsonFollowsTheTraceEventRulesAndHoldsTheModel() throws Exception {
        var file = export("perfetto");
        var stats = TraceEventCheck.read(file);
        try (var stored = stored()) {
            var segs = stored.segments();
            long[] flows = {flowCount(stored)};
            long[] phases = {0};
            segs.forEach(c -> {
                long at = c.readable() != Segment.UNKNOWN && c.readable() <= c.readStart() ? c.readable() : c.start();
                for (var b : phases(c)) {
                    if (b[0] == Segment.UNKNOWN || b[1] == Segment.UNKNOWN || b[0] > b[1]) continue;
                    if (b[0] < at || b[1] > c.end()) continue;
                    at = b[1];
                    phases[0]++;
                }
            });
            assertThat(stats.async().get("request")).as("requests and their phases as async slices")
                    .isEqualTo(segs.count() + phases[0]);
            assertThat(stats.flows()).as("one arrow per flow").isEqualTo(flows[0]);
            assertThat(stats.slices().get("flow")).as("a slice at each end of each arrow").isEqualTo(2 * flows[0]);
            assertThat(stats.slices().get("thread")).as("thread states").isPositive();
            assertThat(stats.slices().get("connection")).as("connection states").isPositive();
            assertThat(stats.counters()).as("data volume samples").isPositive();
            assertThat(stats.processes().values()).containsExactlyInAnyOrderElementsOf(
                    segs.servers().stream().map(s -> "redis " + s).toList());
            // µs from the trace start, exact to the ns: the first request's begin event.
            var first = segs.get(0);
            long base = stored.summary().start();
            long start = first.readable() != Segment.UNKNOWN && first.readable() <= first.readStart() ? first.readable() : first.start();
            var begin = stats.events().stream().filter(e -> e.path("ph").asText().equals("b")
                    && e.path("cat").asText().equals("request") && e.path("id").asText().equals("0x0")).findFirst().orElseThrow();
            assertThat(begin.get("ts").decimalValue()).isEqualByComparingTo(
                    new java.math.BigDecimal(start - base).movePointLeft(3));
        }
    }

    @Test
    void aPartOfOneServerHoldsOnlyItsRequests() throws Exception {
        try (var stored = stored()) {
            var segs = stored.segments();
            // The benchmarked server (most requests), around its middle request.
            var perServer = new long[segs.servers().size()];
            segs.forEach(c -> perServer[c.server()]++);
            int busiest = 0;
            for (int s = 1; s < perServer.length; s++) if (perServer[s] > perServer[busiest]) busiest = s;
            var server = segs.servers().get(busiest);
            long[] middle = {perServer[busiest] / 2, 0};
            int b = busiest;
            segs.forEach(c -> { if (c.server() == b && middle[0]-- == 0) middle[1] = c.start(); });
            long t0 = middle[1], t1 = t0 + 20_000_000;
            long[] expected = {0};
            segs.scan(t0, t1, busiest, -1, c -> expected[0]++);
            var otlp = OtlpCheck.read(export("otlp", "--server", server, "--from", Long.toString(t0), "--to", Long.toString(t1)));
            var requests = otlp.spans().stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).toList();
            assertThat((long) requests.size()).isEqualTo(expected[0]).isPositive();
            assertThat(requests).allSatisfy(s -> {
                assertThat(s.getEndTimeUnixNano()).isGreaterThanOrEqualTo(t0);
                assertThat(s.getStartTimeUnixNano()).isLessThanOrEqualTo(t1);
            });
            TraceEventCheck.read(export("perfetto", "--server", server, "--from", Long.toString(t0), "--to", Long.toString(t1)));
        }
    }

    /** The export streams: under a 32 MB heap it writes the same file as an unbounded one. */
    @Test
    void exportsInA32MegabyteHeap() throws Exception {
        for (var format : List.of("otlp", "perfetto")) {
            var reference = export(format);
            var small = tmp.resolve(format + "-small.json");
            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var p = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"), "kvscope.cli.Kvscope",
                    "export", trace.toString(), "--cache", model.toString(), "--format", format, "-o", small.toString())
                    .redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(Files.size(reference)).as("export of %d requests", REQUESTS).isGreaterThan(32L << 20);
            assertThat(Files.mismatch(small, reference)).as(format + " under -Xmx32m").isEqualTo(-1L);
        }
    }
}
