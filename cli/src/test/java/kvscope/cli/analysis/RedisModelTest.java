package kvscope.cli.analysis;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.Summary;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.model.ServerStats;
import kvscope.cli.Kvscope;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.RedisTools;
import kvscope.cli.redis.TlsCerts;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.statesystem.History;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis model built from real traces of the instrumented Redis, recorded here under real LTTng sessions while
 * real clients load it, checked against what the clients themselves measured and sent (issue: the Redis model).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisModelTest {
    private static final Duration LOAD = Duration.ofMinutes(3);
    private static final int N = 20_000;
    private static final List<String> COMMANDS = List.of("set", "get", "incr", "lpush", "lpop");

    private Path tmp;
    private Path benchTrace;
    private int benchPort;
    /** The benchmark's own latency figures per command: [p50, p99, max] in ns. */
    private final Map<String, long[]> clientLatency = new HashMap<>();

    /** One benchmark run shared by the tests that read it: recording costs more than reading. */
    @BeforeAll
    void recordBenchmark() throws IOException {
        var bin = InstrumentedRedis.bin();
        tmp = Files.createTempDirectory("kvscope-model-test");
        benchTrace = tmp.resolve("bench");
        String csv;
        try (var server = RedisServer.start(bin.resolve("redis-server"))) {
            benchPort = server.port();
            try (var rec = Recording.start(benchTrace, Profile.FULL)) {
                var run = RedisTools.benchmark(bin, server.port(), LOAD, "-n", Integer.toString(N), "-t",
                        String.join(",", COMMANDS), "-c", "20", "--csv");
                assertThat(run.ok()).as(run.describe()).isTrue();
                csv = run.stdout();
                rec.stop();
            }
            // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            for (var line : csv.split("\n")) {
                var f = line.replace("\"", "").split(",");
                if (f.length < 8 || f[0].equals("test")) continue;
                clientLatency.put(f[0].toLowerCase(), new long[] {ms(f[4]), ms(f[6]), ms(f[7])});
            }
        }
        assertThat(clientLatency.keySet()).as("redis-benchmark's CSV: " + csv(csv)).containsAll(COMMANDS);
    }

    @org.junit.jupiter.api.AfterAll
    void deleteTraces() {
        kvscope.cli.redis.TempDirs.deleteRecursively(tmp);
    }

    private static String csv(String s) { return s.length() > 500 ? s.substring(0, 500) : s; }

    private static long ms(String v) { return Math.round(Double.parseDouble(v) * 1e6); }

    private Stored analyze(Path trace) throws IOException {
        return Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(trace.resolveSibling(trace.getFileName() + ".model")));
    }

    private static ServerStats server(Summary s, int port) {
        return s.servers().stream().filter(x -> x.name().endsWith(":" + port)).findFirst()
                .orElseThrow(() -> new AssertionError("no server named *:" + port + " in " + s.servers().stream().map(x -> x.name()).toList()));
    }

    @Test
    void reportCountsEveryRequestTheBenchmarkSentWithOrderedLatenciesBelowTheClients() throws IOException {
        try (var stored = analyze(benchTrace)) {
            var sum = stored.summary();
            assertThat(sum.counters().lostEvents()).isZero();
            assertThat(sum.anomalies()).as("a plain benchmark breaks no invariant").isEmpty();
            var name = server(sum, benchPort).name();
            for (var cmd : COMMANDS) {
                var l = sum.latencies().stream().filter(x -> x.server().equals(name) && x.command().equals(cmd)).findFirst()
                        .orElseThrow(() -> new AssertionError("no latency row for " + cmd));
                assertThat(l.count()).as("requests of " + cmd).isEqualTo(N);
                assertThat(l.min()).isPositive();
                assertThat(l.p50()).isLessThanOrEqualTo(l.p90());
                assertThat(l.p90()).isLessThanOrEqualTo(l.p99());
                assertThat(l.p99()).isLessThanOrEqualTo(l.max());
                // Each request's server-side time is part of its client-side time, so every percentile is too
                // (redis-benchmark's HDR histogram keeps 3 significant digits: 1 % slack).
                var client = clientLatency.get(cmd);
                assertThat(l.p50()).as(cmd + " p50 server vs client").isLessThanOrEqualTo(client[0] * 101 / 100);
                assertThat(l.p99()).as(cmd + " p99 server vs client").isLessThanOrEqualTo(client[1] * 101 / 100);
                assertThat(l.max()).as(cmd + " max server vs client").isLessThanOrEqualTo(client[2] * 101 / 100);
            }
        }
    }

    @Test
    void reportJsonHasTheDocumentedShape() throws IOException {
        var out = run("report", benchTrace.toString(), "--cache", benchTrace.resolveSibling("bench.model").toString(),
                "--format", "json");
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        var servers = json.get("servers");
        assertThat(servers.isArray()).isTrue();
        var s = servers.findValues("name").stream().filter(n -> n.asText().endsWith(":" + benchPort)).findFirst();
        assertThat(s).isPresent();
        var mine = java.util.stream.StreamSupport.stream(servers.spliterator(), false)
                .filter(n -> n.get("name").asText().endsWith(":" + benchPort)).findFirst().orElseThrow();
        var set = java.util.stream.StreamSupport.stream(mine.get("commands").spliterator(), false)
                .filter(c -> c.get("name").asText().equals("set")).findFirst().orElseThrow();
        assertThat(set.get("count").asLong()).isEqualTo(N);
        for (var k : List.of("p50_ns", "p90_ns", "p99_ns", "max_ns")) assertThat(set.get(k).asLong()).as(k).isPositive();
        assertThat(mine.get("bus").has("bytes_out")).isTrue();
        assertThat(mine.get("bus").has("bytes_in")).isTrue();
        assertThat(json.get("lost_events").asLong()).isZero();
        assertThat(json.get("findings").isArray()).isTrue();
    }

    @Test
    void queryInsideARequestShowsItsCommandOnItsFdAndNothingBeforeTheTraceOrAfterAFree() throws IOException {
        try (var stored = analyze(benchTrace)) {
            var h = stored.history();
            var sf = stored.segments();
            var name = server(stored.summary(), benchPort).name();
            int si = sf.serverIndex(name);
            // A request whose command ran long enough to fall between two events: the middle of its execution.
            var seg = new kvscope.analysis.segments.Segment[1];
            sf.scan(Long.MIN_VALUE, Long.MAX_VALUE, si, sf.commandIndex("lpush"), c -> {
                if (seg[0] == null && c.commandEnd() - c.commandStart() >= 2) seg[0] = c.toSegment();
            });
            assertThat(seg[0]).isNotNull();
            long t = (seg[0].commandStart() + seg[0].commandEnd()) / 2;
            var fd = Integer.toString(seg[0].fd());
            assertThat(str(h, t, name, "Connections", fd, "Status")).isEqualTo("PROCESS_COMMAND:lpush");
            assertThat(str(h, t, name, "Requests", fd, "Command")).isEqualTo("lpush");
            assertThat(str(h, t, name, "Requests", fd, "Type")).isEqualTo("write");
            var out = run("query", benchTrace.toString(), "--cache", benchTrace.resolveSibling("bench.model").toString(),
                    "--at", Long.toString(t), "--path", name + "/Connections/" + fd + "/Status");
            assertThat(out).contains(name + "/Connections/" + fd + "/Status").contains("PROCESS_COMMAND:lpush");

            var before = run("query", benchTrace.toString(), "--cache", benchTrace.resolveSibling("bench.model").toString(),
                    "--at", Long.toString(h.start() - 1_000_000));
            assertThat(before).contains("no state").contains("before");

            // redis-benchmark closes each test's connections: a freed connection has no state until its fd is reused.
            boolean sawFree = false;
            for (int q : h.match(name, "Connections", "*", "Status")) {
                var it = h.intervals(q, h.start(), h.end());
                boolean freeing = false;
                while (it.next()) {
                    if (freeing) {
                        assertThat(it.kind()).as("state after FREEING on " + h.path(q)).isEqualTo(kvscope.statesystem.ValueKind.NULL);
                        sawFree = true;
                        break;
                    }
                    freeing = it.kind() == kvscope.statesystem.ValueKind.STRING && "FREEING".equals(it.string());
                }
                if (sawFree) break;
            }
            assertThat(sawFree).as("a freed client connection").isTrue();
        }
    }

    @Test
    void lightProfileCountsEveryCommandFromItsBatches(@TempDir Path dir) throws IOException {
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("light");
        int port, n = 10_000;
        var commands = List.of("set", "get", "lpush");
        try (var server = RedisServer.start(bin.resolve("redis-server"))) {
            port = server.port();
            try (var rec = Recording.start(trace, Profile.LIGHT)) {
                for (var pipeline : List.of("1", "16")) {
                    var run = RedisTools.benchmark(bin, port, LOAD, "-n", Integer.toString(n), "-t", String.join(",", commands),
                            "-c", "20", "-P", pipeline);
                    assertThat(run.ok()).as(run.describe()).isTrue();
                }
                // publishes are batched, and do not write the commands held before them (EVENTS.md)
                var pub = RedisTools.benchmark(bin, port, LOAD, "-n", Integer.toString(2 * n), "-c", "20", "PUBLISH", "news", "hello");
                assertThat(pub.ok()).as(pub.describe()).isTrue();
                // EXPIRE rewrites itself to PEXPIREAT while it runs; EVAL's calls are nested (depth 1)
                for (var args : List.of(List.of("HSET", "h", "f", "v"), List.of("EXPIRE", "h", "100"),
                        List.of("EVAL", "redis.call('hset', KEYS[1], 'f', 'w'); return redis.call('expire', KEYS[1], 100)", "1", "h"))) {
                    var run = RedisTools.cli(bin, port, LOAD, args.toArray(String[]::new));
                    assertThat(run.ok()).as(run.describe()).isTrue();
                }
                rec.stop();
            }
        }
        try (var stored = analyze(trace)) {
            var sum = stored.summary();
            assertThat(sum.commandsOnly()).isTrue();
            for (var cmd : List.of("expire", "eval")) {
                assertThat(sum.latencies().stream().filter(l -> l.command().equals(cmd)).mapToLong(l -> l.count()).sum())
                        .as("top-level " + cmd + " requests").isEqualTo(1);
            }
            assertThat(sum.counters().unknownEvents()).isEmpty();
            assertThat(sum.counters().eventsByName()).doesNotContainKey("redis:call_command_end");
            long batches = sum.counters().eventsByName().getOrDefault("redis:commands", 0L);
            var name = server(sum, port).name();
            for (var cmd : commands) {
                var l = sum.latencies().stream().filter(x -> x.server().equals(name) && x.command().equals(cmd)).findFirst()
                        .orElseThrow(() -> new AssertionError("no latency row for " + cmd));
                assertThat(l.count()).as("requests of " + cmd).isEqualTo(2L * n);
                assertThat(l.min()).isPositive();
                assertThat(l.p50()).isLessThanOrEqualTo(l.p99());
                assertThat(l.p99()).isLessThanOrEqualTo(l.max());
            }
            var publish = sum.latencies().stream().filter(x -> x.server().equals(name) && x.command().equals("publish")).findFirst()
                    .orElseThrow(() -> new AssertionError("no latency row for publish"));
            assertThat(publish.count()).as("PUBLISH requests").isEqualTo(2L * n);
            assertThat(server(sum, port).publishes()).as("publishes, from their batches").isEqualTo(2L * n);
            assertThat(sum.counters().eventsByName()).doesNotContainKey("redis:publish");
            assertThat(sum.counters().eventsByName().getOrDefault("redis:publishes", 0L)).as("publishes events")
                    .isPositive().isLessThan(n);
            // Commands share events, PUBLISH's too: a batch written before every publish would make at least 2n.
            assertThat(batches).as("commands events").isPositive().isLessThan(n);
        }
    }

    /**
     * Publishes of every origin in one light batch: keyspace notifications, a channel longer than the 64 bytes a
     * batch keeps, a channel with a space, a script's nested calls, a sharded publish. Babeltrace2 reads the batches
     * and the model counts each publish once, with its payload.
     */
    @Test
    void lightProfileBatchesPublishesOfEveryKind(@TempDir Path dir) throws IOException {
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("publishes");
        int port;
        var longChannel = "c".repeat(100);
        try (var server = RedisServer.start(bin.resolve("redis-server"), "notify-keyspace-events KEA")) {
            port = server.port();
            try (var rec = Recording.start(trace, Profile.LIGHT)) {
                for (var args : List.of(
                        List.of("SET", "k", "v"), // __keyspace@0__:k "set" and __keyevent@0__:set "k"
                        List.of("PUBLISH", longChannel, "hello"),
                        List.of("PUBLISH", "a b", "x y z"),
                        List.of("EVAL", "redis.call('publish', 'e', '1'); redis.call('publish', 'e', '22'); "
                                + "return redis.call('publish', 'e', '333')", "0"),
                        List.of("SPUBLISH", "s", "hello"))) {
                    var run = RedisTools.cli(bin, port, LOAD, args.toArray(String[]::new));
                    assertThat(run.ok()).as(run.describe()).isTrue();
                    assertThat(run.stdout()).as(run.describe()).doesNotContain("ERR");
                }
                rec.stop();
            }
        }
        var batches = kvscope.cli.testing.TraceEvents.read(trace, List.of("publishes", "publish")).named("publishes");
        assertThat(batches).isNotEmpty();
        long n = 0, channelBytes = 0;
        for (var b : batches) {
            var lens = numbers(b.str("channel_len"));
            assertThat(lens).allSatisfy(l -> assertThat(l).isBetween(1L, 64L));
            assertThat(b.str("channels")).as("channels of %s", b.fields()).hasSize((int) lens.stream().mapToLong(Long::longValue).sum());
            n += lens.size();
            channelBytes += lens.stream().mapToLong(Long::longValue).sum();
        }
        assertThat(n).as("publishes held").isEqualTo(8);
        assertThat(channelBytes).as("keyspace 16 + keyevent 18 + 64 of 100 + 3 + 3 × 1 + 1").isEqualTo(105);
        try (var stored = analyze(trace)) {
            var sum = stored.summary();
            assertThat(sum.counters().unknownEvents()).isEmpty();
            var st = server(sum, port);
            assertThat(st.publishes()).isEqualTo(8);
            assertThat(st.publishedPayloadBytes()).as("3 + 1 + 5 + 5 + 1 + 2 + 3 + 5").isEqualTo(25);
        }
    }

    /** The elements of a sequence as the reference reader prints it: [1, 2, 3]. */
    private static List<Long> numbers(String printed) {
        var inner = printed.replaceAll("[\\[\\]\\s]", "");
        return inner.isEmpty() ? List.of() : java.util.Arrays.stream(inner.split(",")).map(Long::parseLong).toList();
    }

    @Test
    void ioThreadsReadForTheMainThreadInTheThreadsBranch(@TempDir Path dir) throws IOException {
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("io");
        long pid;
        int port;
        try (var server = RedisServer.start(bin.resolve("redis-server"), "io-threads 4", "io-threads-do-reads yes")) {
            pid = server.pid();
            port = server.port();
            try (var rec = Recording.start(trace, Profile.FULL)) {
                var run = RedisTools.benchmark(bin, port, LOAD, "-n", "10000", "-t", "set,get", "-c", "50");
                assertThat(run.ok()).as(run.describe()).isTrue();
                rec.stop();
            }
        }
        try (var stored = analyze(trace)) {
            var h = stored.history();
            var name = server(stored.summary(), port).name();
            var readers = new java.util.TreeSet<String>();
            for (int q : h.match(name, "Threads", "*", "Operation")) {
                var it = h.intervals(q, h.start(), h.end());
                while (it.next()) {
                    if (it.kind() == kvscope.statesystem.ValueKind.STRING && "Reading client".equals(it.string())) readers.add(h.name(h.parent(q)));
                }
            }
            assertThat(readers).as("threads that read clients").contains(Long.toString(pid));
            assertThat(readers.stream().filter(t -> !t.equals(Long.toString(pid))).count()).as("I/O threads reading: " + readers)
                    .isGreaterThanOrEqualTo(2);
            var st = server(stored.summary(), port);
            assertThat(st.threads().keySet()).hasSizeGreaterThanOrEqualTo(3);
            assertThat(stored.summary().latencies().stream().filter(l -> l.server().equals(name) && l.command().equals("get"))
                    .findFirst().orElseThrow().count()).isEqualTo(10_000);
            // A healthy io-threads server: no client queued or freed twice, no two threads on one connection.
            assertThat(kvscope.analysis.findings.Findings.detect(stored, kvscope.analysis.findings.Thresholds.DEFAULT))
                    .extracting(kvscope.analysis.findings.Finding::kind)
                    .doesNotContain("queued-twice", "freed-twice", "threads-overlap", "trace-damage");
        }
    }

    @Test
    void tlsReadsAppearAsReadingSslWithTheirByteCounts(@TempDir Path dir) throws IOException {
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("tls");
        int port, tlsPort;
        try (var certs = TlsCerts.generate();
             var server = RedisServer.start(bin.resolve("redis-server"), certs, List.of())) {
            port = server.port();
            tlsPort = server.tlsPort();
            try (var rec = Recording.start(trace, Profile.FULL)) {
                var run = RedisTools.benchmarkTls(bin, server.tlsPort(), certs, LOAD, "-n", "2000", "-t", "set", "-c", "5");
                assertThat(run.ok()).as(run.describe()).isTrue();
                rec.stop();
            }
        }
        try (var stored = analyze(trace)) {
            var h = stored.history();
            // Named after the port its clients connected to (the TLS one) until a server_info says the main port.
            var st = stored.summary().servers().stream().filter(x -> x.name().endsWith(":" + port) || x.name().endsWith(":" + tlsPort))
                    .findFirst().orElseThrow(() -> new AssertionError("no server on port " + port + " or " + tlsPort));
            var name = st.name();
            long sslBytes = 0;
            int sslReads = 0;
            for (int q : h.match(name, "Threads", "*", "Operation")) {
                int bytes = h.lookupUnder(h.parent(q), "Bytes");
                var it = h.intervals(q, h.start(), h.end());
                while (it.next()) {
                    if (it.kind() != kvscope.statesystem.ValueKind.STRING || !"Reading SSL".equals(it.string())) continue;
                    var b = h.at(it.start(), bytes);
                    assertThat(b).isNotNull();
                    sslReads++;
                    if (b.longValue() > 0) sslBytes += b.longValue();
                }
            }
            assertThat(sslReads).isPositive();
            // Every byte the clients sent arrives through SSL_read: 2000 SETs of redis-benchmark's fixed request.
            int setRequest = "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n".length();
            assertThat(sslBytes).isGreaterThanOrEqualTo(2000L * setRequest);
            assertThat(st.tls()).isTrue();
        }
    }

    @Test
    void clusterPublishBytesLeavingNodeOneArriveAtTheOtherTwo(@TempDir Path dir) throws Exception {
        clusterPublish(dir, Profile.FULL);
    }

    /** The paper's case in the light profile: its publish and bus events come amid batched commands. */
    @Test
    void clusterPublishInTheLightProfileKeepsItsBusBytesAndArrows(@TempDir Path dir) throws Exception {
        clusterPublish(dir, Profile.LIGHT);
    }

    private void clusterPublish(Path dir, Profile profile) throws Exception {
        boolean light = profile == Profile.LIGHT;
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("cluster");
        int k = 50;
        int[] ports = new int[3];
        String[] ids = new String[3], fullIds = new String[3];
        long[] pids = new long[3];
        try (var cluster = RedisCluster.start(bin.resolve("redis-server"), 3)) {
            for (int i = 0; i < 3; i++) {
                ports[i] = cluster.node(i).port();
                pids[i] = cluster.node(i).pid();
                fullIds[i] = cluster.nodeId(i);
                ids[i] = fullIds[i].substring(0, 8);
            }
            try (var sub = cluster.node(1).client()) {
                sub.call("SUBSCRIBE", "news");
                try (var rec = Recording.start(trace, profile)) {
                    for (int i = 0; i < k; i++) cluster.node(0).call("PUBLISH", "news", "x".repeat(1000));
                    for (int i = 0; i < k; i++) sub.read();
                    Thread.sleep(1100); // server_info, once a second, names each node host:port
                    rec.stop();
                }
            }
        }
        // Each node's server_info says its own cluster id, as CLUSTER MYID does.
        var events = kvscope.cli.testing.TraceEvents.read(trace, List.of("server_info"));
        for (int i = 0; i < 3; i++) {
            long pid = pids[i];
            var expected = fullIds[i];
            assertThat(events.filter(e -> e.is("server_info") && e.vpid() == pid))
                    .isNotEmpty().allSatisfy(e -> assertThat(e.str("node_id")).isEqualTo(expected));
        }
        try (var stored = analyze(trace)) {
            var sum = stored.summary();
            assertThat(sum.commandsOnly()).isEqualTo(light);
            assertThat(sum.counters().unknownEvents()).isEmpty();
            var n1 = server(sum, ports[0]);
            var n2 = server(sum, ports[1]);
            var n3 = server(sum, ports[2]);
            assertThat(Set.of(n1.name(), n2.name(), n3.name())).hasSize(3);
            assertThat(n1.publishes()).isEqualTo(k);
            assertThat(n1.publishedPayloadBytes()).isEqualTo(k * 1000L);
            long sent = n1.busOutByType().get("publish")[1];
            long got = n2.busInByType().get("publish")[1] + n3.busInByType().get("publish")[1];
            assertThat(n1.busOutByType().get("publish")[0]).as("publish messages: one per peer").isEqualTo(2L * k);
            assertThat(got).as("publish bytes received by nodes 2 and 3").isEqualTo(sent);
            var amp = kvscope.analysis.findings.Findings.detect(stored, kvscope.analysis.findings.Thresholds.DEFAULT).stream()
                    .filter(f -> f.kind().equals("bus-amplification")).toList();
            assertThat(amp).as("PUBLISH of 1000 bytes broadcast to 2 peers with 2256-byte headers").singleElement()
                    .satisfies(f -> assertThat(f.server()).isEqualTo(n1.name()));
            // Per link, on the wire: what node 1 wrote to each peer is what that peer read from node 1, up to the
            // messages in flight when the recording started and stopped (gossip never pauses).
            // A link is named after the server at its other end, or its node id when the recording was too short to
            // tell which server has that id.
            for (int p = 1; p <= 2; p++) {
                var peer = p == 1 ? n2 : n3;
                long out = link(n1.busOutByLink(), peer.name(), ids[p]);
                long in = link(peer.busInByLink(), n1.name(), ids[0]);
                assertThat(out).as("bytes node 1 wrote to " + peer.name() + " (links " + n1.busOutByLink().keySet() + ")").isPositive();
                assertThat((double) Math.abs(out - in)).as("node 1 → " + peer.name() + ": wrote " + out + ", read " + in)
                        .isLessThanOrEqualTo(Math.max(8 * 1024, 0.02 * out));
            }
            // The Netflow arrows follow every message: publisher → node 1's links → nodes 2 and 3 → the subscriber.
            var names = stored.segments().servers();
            var byKind = new java.util.EnumMap<Flow.Hop, List<Flow>>(Flow.Hop.class);
            stored.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sfd, st, ds, dfd, dt) ->
                    byKind.computeIfAbsent(kind, x -> new java.util.ArrayList<>()).add(new Flow(kind, ss, sfd, st, ds, dfd, dt)));
            System.out.printf("flows: %s%n", byKind.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList());
            var toBus = byKind.getOrDefault(Flow.Hop.PUBLISH_TO_BUS, List.of());
            var bus = byKind.getOrDefault(Flow.Hop.BUS, List.of());
            var deliver = byKind.getOrDefault(Flow.Hop.DELIVER, List.of());
            assertThat(toBus).as("each PUBLISH queued on node 1's two links").hasSize(2 * k)
                    .allSatisfy(f -> assertThat(names.get(f.srcServer())).isEqualTo(n1.name()));
            assertThat(bus).as("each message paired with its processing on node 2 or 3").hasSize(2 * k)
                    .allSatisfy(f -> {
                        assertThat(names.get(f.srcServer())).isEqualTo(n1.name());
                        assertThat(names.get(f.dstServer())).isIn(n2.name(), n3.name());
                        assertThat(f.srcTime()).isLessThan(f.dstTime());
                    });
            assertThat(bus.stream().filter(f -> names.get(f.dstServer()).equals(n2.name()))).hasSize(k);
            if (light) {
                // no client writes in the light profile: deliveries to subscribers are not seen
                assertThat(deliver).isEmpty();
                var publish = sum.latencies().stream().filter(x -> x.server().equals(n1.name()) && x.command().equals("publish"))
                        .findFirst().orElseThrow(() -> new AssertionError("no latency row for publish on " + n1.name()));
                assertThat(publish.count()).as("PUBLISH commands from node 1's batches").isEqualTo(k);
                assertThat(stored.summary().counters().flows()).isEqualTo(toBus.size() + bus.size());
                return;
            }
            // Messages that arrive in one burst go out in one write to the subscriber: each still has its arrow.
            assertThat(deliver).as("messages written to the subscriber on node 2").hasSize(k)
                    .allSatisfy(f -> {
                        assertThat(names.get(f.srcServer())).isEqualTo(n2.name());
                        assertThat(names.get(f.dstServer())).isEqualTo(n2.name());
                        assertThat(bus.stream().anyMatch(b -> b.dstFd() == f.srcFd() && b.dstTime() == f.srcTime()))
                                .as("a delivery starts where a bus message was processed").isTrue();
                    });
            assertThat(stored.summary().counters().flows()).isEqualTo(
                    byKind.values().stream().mapToLong(List::size).sum());
        }
    }

    private static long link(Map<String, long[]> byLink, String name, String id) {
        var v = byLink.containsKey(name) ? byLink.get(name) : byLink.get(id);
        return v == null ? 0 : v[1];
    }

    @Test
    void discardedEventsAndACutTraceAreAnalysedAndTheLossIsReported(@TempDir Path dir) throws Exception {
        // A copy of the benchmark trace with one stream cut in the middle of a packet.
        var cut = dir.resolve("cut");
        copy(benchTrace, cut);
        Path stream;
        try (var files = Files.walk(cut)) {
            stream = files.filter(p -> p.getFileName().toString().startsWith("kvscope_") || p.getFileName().toString().startsWith("channel"))
                    .filter(Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        long size = Files.size(stream);
        try (var ch = java.nio.channels.FileChannel.open(stream, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2 + 123);
        }
        var out = run("report", cut.toString(), "--cache", dir.resolve("cut.model").toString());
        assertThat(out).contains("TRACE DAMAGED").contains(stream.getFileName().toString());

        // Tiny sub-buffers and a fast load: the tracer discards events, and the report says how many.
        var bin = InstrumentedRedis.bin();
        var lossy = dir.resolve("lossy");
        var session = "kvscope-test-loss-" + ProcessHandle.current().pid();
        try (var server = RedisServer.start(bin.resolve("redis-server"))) {
            lttng("create", session, "--output=" + lossy);
            try {
                lttng("enable-channel", "-u", "-s", session, "--subbuf-size=4096", "--num-subbuf=2", "tiny");
                lttng("enable-event", "-u", "-s", session, "-c", "tiny", "redis:*");
                lttng("add-context", "-u", "-s", session, "-c", "tiny", "-t", "vpid", "-t", "vtid", "-t", "procname");
                lttng("start", session);
                var run = RedisTools.benchmark(bin, server.port(), LOAD, "-n", "50000", "-t", "set", "-c", "50", "-P", "16");
                assertThat(run.ok()).as(run.describe()).isTrue();
                lttng("stop", session);
            } finally {
                lttng("destroy", session);
            }
        }
        try (var stored = analyze(lossy)) {
            assertThat(stored.summary().counters().lostEvents()).isPositive();
        }
        var report = run("report", lossy.toString(), "--cache", lossy.resolveSibling("lossy.model").toString());
        assertThat(report).contains("LOST EVENTS");
    }

    private static void lttng(String... args) throws IOException, InterruptedException {
        var cmd = new java.util.ArrayList<String>();
        cmd.add("lttng");
        cmd.addAll(List.of(args));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("lttng " + String.join(" ", args) + ": " + out).isZero();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (var p : files.toList()) {
                var rel = from.relativize(p).toString();
                if (rel.startsWith(".kvscope")) continue;
                var dst = to.resolve(rel);
                if (Files.isDirectory(p)) Files.createDirectories(dst);
                else Files.copy(p, dst);
            }
        }
    }

    private static String str(History h, long t, String... path) {
        int q = h.lookup(path);
        assertThat(q).as(String.join("/", path)).isNotNegative();
        var s = h.at(t, q);
        return s == null || s.isNull() ? null : String.valueOf(s.value());
    }

    /** Runs a kvscope command in this JVM, as a user would from the shell, and returns what it printed. */
    static String run(String... args) {
        var r = kvscope.cli.testing.Cli.run(args);
        assertThat(r.exitCode()).as("kvscope " + String.join(" ", args) + " printed:\n" + r.out() + r.err()).isZero();
        return r.out();
    }
}
