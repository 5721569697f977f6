package kvscope.cli.record;

import kvscope.cli.redis.RedisCluster;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.RedisTools;
import kvscope.cli.redis.TlsCerts;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.cli.testing.TraceEvents;
import kvscope.cli.testing.TraceEvents.Ev;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The instrumented Redis under real LTTng sessions, read back with babeltrace2 (issue 2 §4): the events are there,
 * their counts match what the clients sent, their byte counts add up exactly, their phases pair up.
 */
class RedisTraceTest {
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(3);

    /*
     * What redis-benchmark sends and gets back per request, byte for byte: without -r the key is literally
     * "key:__rand_int__" and the value -d 3 bytes of 'x' (redis-benchmark.c, "SET key%s:__rand_int__ %s").
     */
    private static final int SET_REQUEST = "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n".length();
    private static final int GET_REQUEST = "*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n".length();
    private static final int SET_REPLY = "+OK\r\n".length();
    private static final int GET_REPLY = "$3\r\nxxx\r\n".length();

    /**
     * Records the full profile while {@code load} runs, then reads the trace (only the {@code only} events if any
     * are given); asserts nothing was dropped.
     */
    private static TraceEvents record(Path dir, Runnable load, String... only) {
        try (var rec = Recording.start(dir, Profile.FULL)) {
            load.run();
            rec.stop();
        }
        var trace = TraceEvents.read(dir, List.of(only));
        assertThat(trace.discarded()).as("events discarded by the tracer").isZero();
        return trace;
    }

    @Test
    void benchmarkCommandsRequestsRepliesAndPhasesAllMatch(@TempDir Path tmp) {
        var bin = InstrumentedRedis.bin();
        int n = 10_000;
        TraceEvents all;
        long pid;
        try (var server = RedisServer.start(bin.resolve("redis-server"))) {
            pid = server.pid();
            all = record(tmp.resolve("trace"), () -> {
                RedisTools.benchmark(bin, server.port(), LOAD_TIMEOUT, "-n", Integer.toString(n), "-t", "set,get", "-c", "10");
                sleep(1100); // serverCron emits server_info once a second
            });
        }
        var trace = new TraceEvents(all.ofProcess(pid), 0);
        for (var name : List.of("accept_client", "end_read_client_query", "call_command_start", "call_command_end",
                "end_process_command", "insert_clientwrite_queue", "write_to_client_end", "add_file_event",
                "delete_file_event", "poll_end", "before_sleep_start", "before_sleep_end", "free_client", "server_info")) {
            assertThat(trace.count(name)).as("events named " + name).isPositive();
        }
        assertThat(commandCount(trace, "call_command_start", "set")).isEqualTo(n);
        assertThat(commandCount(trace, "call_command_end", "set")).isEqualTo(n);
        assertThat(commandCount(trace, "call_command_start", "get")).isEqualTo(n);
        assertThat(commandCount(trace, "call_command_end", "get")).isEqualTo(n);
        assertThat(trace.named("server_info")).allSatisfy(e -> assertThat(e.num("io_threads")).isEqualTo(1));

        assertCommandPairsMatch(trace);
        assertStartsPrecedeEnds(trace);
        assertAlternate(trace, "before_sleep_start", "before_sleep_end", Ev::vtid);
        assertConnectionsOpenAndCloseOnce(trace);

        // Per benchmark connection: exactly the request bytes it sent were read, the reply bytes it got written.
        var commands = commandsByConnection(trace);
        var readBytes = sumByConnection(trace, "end_read_client_query", "nread");
        var written = sumByConnection(trace, "write_to_client_end", "nwritten");
        var processed = trace.named("end_process_command").stream()
                .collect(Collectors.groupingBy(Ev::conn, Collectors.counting()));
        int benchConns = 0;
        for (var entry : commands.entrySet()) {
            var names = Set.copyOf(entry.getValue());
            if (!names.equals(Set.of("set")) && !names.equals(Set.of("get"))) continue;
            benchConns++;
            boolean set = names.contains("set");
            long count = entry.getValue().size();
            assertThat(readBytes.get(entry.getKey())).as("bytes read on " + entry.getKey())
                    .isEqualTo(count * (set ? SET_REQUEST : GET_REQUEST));
            assertThat(written.get(entry.getKey())).as("bytes written on " + entry.getKey())
                    .isEqualTo(count * (set ? SET_REPLY : GET_REPLY));
            assertThat(processed.get(entry.getKey())).as("end_process_command on " + entry.getKey()).isEqualTo(count);
        }
        assertThat(benchConns).as("benchmark connections (10 per test)").isEqualTo(20);
    }

    @Test
    void threadedReadsHappenOnSeveralThreads(@TempDir Path tmp) {
        var bin = InstrumentedRedis.bin();
        int n = 10_000;
        TraceEvents all;
        long pid;
        try (var server = RedisServer.start(bin.resolve("redis-server"), "io-threads 4", "io-threads-do-reads yes")) {
            pid = server.pid();
            all = record(tmp.resolve("trace"), () -> RedisTools.benchmark(bin, server.port(), LOAD_TIMEOUT,
                    "-n", Integer.toString(n), "-t", "set,get", "-c", "50"),
                    "end_read_client_query", "insert_pending_read", "handle_pending_reads_threads_start",
                    "handle_pending_reads_threads_end", "handle_pending_writes_threads_start",
                    "handle_pending_writes_threads_end", "call_command_start", "call_command_end");
        }
        var trace = new TraceEvents(all.ofProcess(pid), 0);
        var readers = trace.filter(e -> e.is("end_read_client_query") && e.num("nread") > 0).stream()
                .collect(Collectors.groupingBy(Ev::vtid, Collectors.counting()));
        assertThat(readers.keySet()).as("threads that read requests: " + readers).hasSizeGreaterThanOrEqualTo(3);
        assertThat(readers.keySet().stream().filter(t -> t != pid).count()).as("I/O threads that read").isGreaterThanOrEqualTo(2);
        assertThat(trace.count("insert_pending_read")).isPositive();
        // Pairs match, except that the recording may stop during the last fan-out (clients closing as the benchmark
        // ends): then one start is left, and it is the last fan-out event.
        long starts = trace.count("handle_pending_reads_threads_start"), ends = trace.count("handle_pending_reads_threads_end");
        assertThat(starts).isPositive();
        assertThat(starts - ends).as("fan-out starts without an end").isBetween(0L, 1L);
        if (starts > ends) {
            var fanOut = trace.filter(e -> e.is("handle_pending_reads_threads_start") || e.is("handle_pending_reads_threads_end"));
            assertThat(fanOut.get(fanOut.size() - 1).is("handle_pending_reads_threads_start")).as("the unmatched start is the last").isTrue();
        }
        assertAlternate(trace, "handle_pending_reads_threads_start", "handle_pending_reads_threads_end", Ev::vtid);
        assertAlternate(trace, "handle_pending_writes_threads_start", "handle_pending_writes_threads_end", Ev::vtid);
        assertThat(trace.named("handle_pending_reads_threads_start")).allSatisfy(e -> {
            assertThat(e.num("io_threads")).isEqualTo(4);
            assertThat(e.num("nclients")).isPositive();
        });
        // Commands still run on the main thread, all of them.
        assertThat(commandCount(trace, "call_command_start", "set")).isEqualTo(n);
        assertThat(commandCount(trace, "call_command_start", "get")).isEqualTo(n);
        assertThat(trace.named("call_command_start")).allSatisfy(e -> assertThat(e.vtid()).isEqualTo(pid));
        assertCommandPairsMatch(trace);
    }

    @Test
    void tlsReadsCountExactlyTheBytesClientsSent(@TempDir Path tmp) {
        var bin = InstrumentedRedis.bin();
        int n = 2_000;
        TraceEvents all;
        long pid;
        try (var certs = TlsCerts.generate();
             var server = RedisServer.start(bin.resolve("redis-server"), certs, List.of())) {
            pid = server.pid();
            all = record(tmp.resolve("trace"), () -> RedisTools.benchmarkTls(bin, server.tlsPort(), certs, LOAD_TIMEOUT,
                    "-n", Integer.toString(n), "-t", "set,get", "-c", "5"));
        }
        var trace = new TraceEvents(all.ofProcess(pid), 0);
        var tlsConns = trace.filter(e -> e.is("accept_client") && e.num("tls") == 1).stream().map(Ev::conn)
                .collect(Collectors.toSet());
        assertThat(tlsConns).hasSizeGreaterThanOrEqualTo(10);
        assertThat(trace.named("ssl_read")).isNotEmpty().allSatisfy(e -> {
            assertThat(e.num("ret")).isLessThanOrEqualTo(e.num("requested"));
            assertThat(e.num("ssl_pending")).isNotNegative();
            assertThat(e.num("start_ns")).isLessThanOrEqualTo(e.cycles());
        });
        var sslBytes = sumByConnection(trace, "ssl_read", "ret");
        var readBytes = sumByConnection(trace, "end_read_client_query", "nread");
        var commands = commandsByConnection(trace);
        int benchConns = 0;
        for (var conn : tlsConns) {
            // What TLS decrypted is what the request reader got, on every TLS connection…
            assertThat(sslBytes.getOrDefault(conn, 0L)).as("ssl_read bytes on " + conn).isEqualTo(readBytes.getOrDefault(conn, 0L));
            // …and on the benchmark's connections, exactly the requests it sent.
            var names = Set.copyOf(commands.getOrDefault(conn, List.of()));
            if (names.equals(Set.of("set")) || names.equals(Set.of("get"))) {
                benchConns++;
                long count = commands.get(conn).size();
                assertThat(sslBytes.get(conn)).isEqualTo(count * (names.contains("set") ? SET_REQUEST : GET_REQUEST));
            }
        }
        assertThat(benchConns).isEqualTo(10);
        assertThat(commandCount(trace, "call_command_start", "set")).isEqualTo(n);
        assertThat(commandCount(trace, "call_command_start", "get")).isEqualTo(n);
    }

    @Test
    void publishCrossesTheClusterBusWithBytesThatAddUp(@TempDir Path tmp) throws Exception {
        var bin = InstrumentedRedis.bin();
        int k = 25;
        var channel = "kvscope-news";
        var payload = "payload-of-some-length-0123456789";
        TraceEvents trace;
        long[] pids = new long[3];
        String[] ids = new String[3];
        try (var cluster = RedisCluster.start(bin.resolve("redis-server"), 3)) {
            for (int i = 0; i < 3; i++) {
                pids[i] = cluster.node(i).pid();
                ids[i] = cluster.nodeId(i);
            }
            try (var sub = cluster.node(1).client()) {
                sub.call("SUBSCRIBE", channel);
                trace = record(tmp.resolve("trace"), () -> {
                    for (int i = 0; i < k; i++) {
                        assertThat(cluster.node(0).call("PUBLISH", channel, payload)).isEqualTo(0L);
                    }
                    for (int i = 0; i < k; i++) assertThat(sub.read()).isEqualTo(List.of("message", channel, payload));
                    sleep(1500); // node 3 gets the same broadcast, and every node gossips (a ping a second)
                });
            }
        }
        var node1 = new TraceEvents(trace.ofProcess(pids[0]), 0);
        var node2 = new TraceEvents(trace.ofProcess(pids[1]), 0);
        var node3 = new TraceEvents(trace.ofProcess(pids[2]), 0);

        // Node 1: the client's PUBLISH (no local subscriber), broadcast to its 2 peers.
        var published = node1.filter(e -> e.is("publish") && e.str("channel").equals(channel));
        assertThat(published).hasSize(k).allSatisfy(e -> {
            assertThat(e.num("fd")).isNotNegative();
            assertThat(e.num("payload_len")).isEqualTo(payload.length());
            assertThat(e.num("receivers")).isZero();
        });
        var bcast = node1.filter(e -> e.is("broadcast_start") && e.str("type_name").equals("publish"));
        assertThat(bcast).hasSize(k).allSatisfy(e -> assertThat(e.num("nlinks")).isEqualTo(2));
        assertAlternate(node1, "broadcast_start", "broadcast_end", Ev::vtid);
        for (int peer = 1; peer <= 2; peer++) {
            var receiver = peer == 1 ? node2 : node3;
            var peerId = ids[peer];
            var sent = node1.filter(e -> e.is("cluster_send") && e.str("type_name").equals("publish") && e.str("peer").equals(peerId));
            var got = receiver.filter(e -> e.is("cluster_process_packet") && e.str("type_name").equals("publish")
                    && e.str("sender").equals(ids[0]));
            assertThat(sent).as("publish messages node 1 queued for node " + (peer + 1)).hasSize(k);
            assertThat(got).as("publish packets node " + (peer + 1) + " processed from node 1").hasSize(k);
            assertThat(sum(got, "totlen")).as("publish bytes received == sent").isEqualTo(sum(sent, "totlen"));
            // The bus message carries channel and payload: it is larger than both.
            assertThat(sent).allSatisfy(e -> assertThat(e.num("totlen")).isGreaterThan(channel.length() + payload.length()));
        }
        // Node 2 delivers to its subscriber (a bus message: no client). Node 3 has no subscriber at all, and Redis
        // then skips pubsubPublishMessage for bus messages (cluster.c, clusterProcessPacket): no publish there.
        assertThat(node2.filter(e -> e.is("publish") && e.str("channel").equals(channel)))
                .hasSize(k).allSatisfy(e -> assertThat(e.num("receivers")).isEqualTo(1));
        assertThat(node3.filter(e -> e.is("publish"))).isEmpty();

        for (var node : List.of(node1, node2, node3)) {
            var counts = node.events().stream().collect(Collectors.groupingBy(Ev::name, Collectors.counting()));
            assertThat(node.count("cluster_read")).as("cluster_read events: " + counts).isPositive();
            assertThat(node.count("cluster_write")).as("cluster_write events: " + counts).isPositive();
            assertReadBytesAddUpPerLink(node);
        }
        // Node 1 queued 2 x k publish messages: the send-buffer bookkeeping is checked on each after the first per link.
        assertThat(assertSendBufferAddsUpPerLink(node1)).isGreaterThanOrEqualTo(2 * (k - 1));
        assertSendBufferAddsUpPerLink(node2);
        assertSendBufferAddsUpPerLink(node3);
    }

    // --- invariants ------------------------------------------------------------------------------------------------

    private static long commandCount(TraceEvents t, String event, String command) {
        return t.filter(e -> e.is(event) && e.str("name").equals(command) && e.num("depth") == 0).size();
    }

    /** On each connection, every call_command_start is followed by its call_command_end (same name) before the next. */
    private static void assertCommandPairsMatch(TraceEvents t) {
        var open = new HashMap<String, Ev>();
        for (var e : t.events()) {
            if (e.is("call_command_start") && e.num("depth") == 0) {
                assertThat(open.put(e.conn(), e)).as("a second start before an end on " + e.conn()).isNull();
            } else if (e.is("call_command_end") && e.num("depth") == 0) {
                var start = open.remove(e.conn());
                assertThat(start).as("end without start on " + e.conn()).isNotNull();
                assertThat(e.str("name")).isEqualTo(start.str("name"));
                assertThat(e.num("start_ns")).isBetween(start.cycles(), e.cycles());
            }
        }
        assertThat(open).as("commands started but never ended").isEmpty();
    }

    /** Phases emitted as one end event carry their start: it is never after the event itself. */
    private static void assertStartsPrecedeEnds(TraceEvents t) {
        for (var name : List.of("end_read_client_query", "write_to_client_end", "poll_end")) {
            assertThat(t.named(name)).allSatisfy(e -> assertThat(e.num("start_ns")).isPositive().isLessThanOrEqualTo(e.cycles()));
        }
    }

    /** start and end events strictly alternate per key (a trace may begin after a start: a leading end is skipped). */
    private static void assertAlternate(TraceEvents t, String start, String end, java.util.function.Function<Ev, Object> key) {
        var open = new HashMap<Object, Boolean>();
        int pairs = 0;
        for (var e : t.events()) {
            if (e.is(start)) {
                assertThat(open.put(key.apply(e), true)).as(start + " twice without " + end).isNotEqualTo(Boolean.TRUE);
            } else if (e.is(end)) {
                var was = open.put(key.apply(e), false);
                if (was == null) continue;
                assertThat(was).as(end + " without " + start).isTrue();
                pairs++;
            }
        }
        assertThat(pairs).as(start + "/" + end + " pairs").isPositive();
    }

    /** Every client connection the trace saw open (accept_client) is freed exactly once, after it opened. */
    private static void assertConnectionsOpenAndCloseOnce(TraceEvents t) {
        var state = new HashMap<String, Integer>();
        for (var e : t.events()) {
            if (e.is("accept_client") && e.str("type").equals("client")) {
                assertThat(state.put(e.conn(), 1)).as("connection opened twice: " + e.conn()).isNull();
            } else if (e.is("free_client") && state.containsKey(e.conn())) {
                assertThat(state.put(e.conn(), 2)).as("freed twice: " + e.conn()).isEqualTo(1);
            }
        }
        assertThat(state).isNotEmpty();
        assertThat(state.values()).as("connections never freed").allMatch(v -> v == 2);
    }

    /**
     * Receiving side of a bus link: Redis buffers one packet at a time (clusterReadHandler reads at most what the
     * current packet still lacks), so bytes read since the last processed packet always equal the buffer length
     * after the read, and processing a packet consumes exactly its totlen.
     */
    private static void assertReadBytesAddUpPerLink(TraceEvents node) {
        var inflight = new HashMap<String, Long>();
        int packets = 0;
        for (var e : node.events()) {
            if (e.is("cluster_read")) {
                long nread = e.num("nread");
                if (nread <= 0) continue;
                var before = inflight.get(e.conn());
                if (before != null) {
                    assertThat(before + nread).as("buffered bytes after a read on link " + e.conn()).isEqualTo(e.num("rcvbuf_len"));
                }
                inflight.put(e.conn(), e.num("rcvbuf_len"));
            } else if (e.is("cluster_process_packet")) {
                var before = inflight.get(e.conn());
                if (before == null) continue; // its bytes were read before the session started
                assertThat(before).as("bytes read for a packet on link " + e.conn()).isEqualTo(e.num("totlen"));
                inflight.put(e.conn(), 0L);
                packets++;
            }
        }
        assertThat(packets).isPositive();
    }

    /**
     * Sending side: a message queued adds its totlen to the send buffer, a write removes what it wrote. Returns how
     * many sends were checked (the first on each link only sets the baseline).
     */
    private static int assertSendBufferAddsUpPerLink(TraceEvents node) {
        var pending = new HashMap<String, Long>();
        int sends = 0;
        for (var e : node.events()) {
            if (e.is("cluster_send")) {
                var before = pending.get(e.conn());
                if (before != null) {
                    assertThat(before + e.num("totlen")).as("send buffer after queueing on link " + e.conn())
                            .isEqualTo(e.num("sndbuf_len"));
                    sends++;
                }
                pending.put(e.conn(), e.num("sndbuf_len"));
            } else if (e.is("cluster_write")) {
                var before = pending.get(e.conn());
                if (before == null) continue;
                long w = Math.max(0, e.num("nwritten"));
                assertThat(w).isLessThanOrEqualTo(before);
                pending.put(e.conn(), before - w);
            }
        }
        return sends;
    }

    private static Map<String, List<String>> commandsByConnection(TraceEvents t) {
        var m = new LinkedHashMap<String, List<String>>();
        for (var e : t.named("call_command_start")) {
            if (e.num("depth") == 0) m.computeIfAbsent(e.conn(), c -> new ArrayList<>()).add(e.str("name"));
        }
        return m;
    }

    /** Sum of a byte-count field's positive values per connection (-1 is EAGAIN, 0 EOF: no bytes). */
    private static Map<String, Long> sumByConnection(TraceEvents t, String event, String field) {
        var m = new HashMap<String, Long>();
        for (var e : t.named(event)) {
            long v = e.num(field);
            if (v > 0) m.merge(e.conn(), v, Long::sum);
        }
        return m;
    }

    private static long sum(List<Ev> events, String field) {
        return events.stream().mapToLong(e -> e.num(field)).sum();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
