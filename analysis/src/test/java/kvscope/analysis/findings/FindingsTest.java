package kvscope.analysis.findings;

import kvscope.analysis.Analysis;
import kvscope.fixtures.RedisTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static kvscope.fixtures.RedisTraceWriter.raw;
import static org.assertj.core.api.Assertions.assertThat;

/** The detectors on written traces that encode exactly one problem each, and on clean ones (no false finding). */
class FindingsTest {
    @TempDir Path dir;
    static final int MAIN = 500, IO1 = 501, IO2 = 502;

    private List<Finding> findings(Path trace) throws IOException {
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            return Findings.detect(stored, Thresholds.DEFAULT);
        }
    }

    /**
     * The paper's use case 4 (Figs. 11–17, redis/redis#12540): a TLS client closing mid-request with bytes still
     * buffered in OpenSSL is queued for threaded reads by tlsProcessPendingData and again when its socket turns
     * readable; two I/O threads read it (SSL reads of 8192, 101 and 18 bytes, then EOF), and it is freed twice.
     */
    @Test
    void thePapersTlsIoThreadsSequenceIsQueuedTwiceReadByTwoThreadsAndFreedTwice() throws IOException {
        var trace = dir.resolve("tls-io");
        long fan;
        try (var w = new RedisTraceWriter(trace, "n1", MAIN, false)) {
            long t = T0;
            w.event(0, t, MAIN, "server_info", "tls_port", 6390, "io_threads", 4, "io_threads_do_reads", 1,
                    "io_threads_active", 1, "connected_clients", 1L, "used_memory", 1L << 20, "role", "master",
                    "startup", 1);
            w.event(0, t += 1000, MAIN, "accept_client", "fd", 132, "id", 9L, "type", "client", "inbound", 1, "tls", 1,
                    "peer_addr", "127.0.0.1", "peer_port", 50132, "local_port", 6390);
            // Main thread reads SSL 8192 bytes; OpenSSL keeps more buffered, so the connection joins the TLS pending list.
            w.event(0, t += 10_000, MAIN, "ssl_read", "fd", 132, "id", 9L, "start_ns", raw(t - 3000),
                    "requested", 8192L, "ret", 8192L, "ssl_pending", 101);
            w.event(0, t += 500, MAIN, "end_read_client_query", "fd", 132, "id", 9L, "start_ns", raw(t - 4000),
                    "readlen", 8192L, "nread", 8192L, "qbuf_len", 8192L);
            w.event(0, t += 100, MAIN, "tls_pending_add", "fd", 132, "id", 9L);
            // beforeSleep: tlsProcessPendingData reads it again, and readQueryFromClient postpones it to the I/O threads.
            w.event(0, t += 1000, MAIN, "before_sleep_start", "tls_pending", 1);
            w.event(0, t += 100, MAIN, "tls_pending_process", "fd", 132, "id", 9L);
            w.event(0, t += 100, MAIN, "insert_pending_read", "fd", 132, "id", 9L);
            w.event(0, t += 100, MAIN, "before_sleep_end");
            // The socket is readable too (the client closed): queued a second time.
            w.event(0, t += 5000, MAIN, "poll_end", "start_ns", raw(t - 4000), "timeout_us", 100_000L, "nevents", 1);
            w.event(0, t += 100, MAIN, "insert_pending_read", "fd", 132, "id", 9L);
            w.event(0, t += 1000, MAIN, "before_sleep_start", "pending_reads", 2);
            w.event(0, t += 100, MAIN, "handle_pending_reads_threads_start", "nclients", 2, "io_threads", 4);
            fan = t;
            // Two I/O threads read the same client at the same time.
            w.event(1, fan + 2000, IO1, "ssl_read", "fd", 132, "id", 9L, "start_ns", raw(fan + 500),
                    "requested", 8192L, "ret", 101L);
            w.event(2, fan + 2100, IO2, "ssl_read", "fd", 132, "id", 9L, "start_ns", raw(fan + 600),
                    "requested", 8192L, "ret", 18L);
            w.event(1, fan + 3000, IO1, "end_read_client_query", "fd", 132, "id", 9L, "start_ns", raw(fan + 400),
                    "readlen", 8192L);
            w.event(1, fan + 3100, IO1, "free_client_async", "fd", 132, "id", 9L);
            w.event(2, fan + 3200, IO2, "end_read_client_query", "fd", 132, "id", 9L, "start_ns", raw(fan + 450),
                    "readlen", 8192L);
            t = fan + 4000;
            w.event(0, t, MAIN, "handle_pending_reads_threads_end", "nclients", 2);
            w.event(0, t += 100, MAIN, "free_client", "fd", 132, "id", 9L, "type", "client", "async", 1);
            w.event(0, t += 100, MAIN, "free_client", "fd", 132, "id", 9L, "type", "client", "async", 1);
            w.event(0, t += 100, MAIN, "before_sleep_end");
        }
        var f = findings(trace);
        assertThat(f).extracting(Finding::kind).contains("queued-twice", "threads-overlap", "freed-twice");
        var twice = f.stream().filter(x -> x.kind().equals("freed-twice")).findFirst().orElseThrow();
        assertThat(twice.severity()).isEqualTo(Finding.Severity.CRITICAL);
        assertThat(twice.fd()).isEqualTo(132);
        assertThat(twice.explanation()).contains("12540").contains("id 9");
        assertThat(twice.events()).as("the sequence that led to it")
                .anySatisfy(e -> assertThat(e).contains("insert_pending_read"))
                .anySatisfy(e -> assertThat(e).contains("thread " + IO1).contains("ssl_read"))
                .anySatisfy(e -> assertThat(e).contains("thread " + IO2).contains("ssl_read"));
        var overlap = f.stream().filter(x -> x.kind().equals("threads-overlap")).findFirst().orElseThrow();
        assertThat(overlap.threads()).contains(IO1, IO2);
        // The Threads branch shows the paper's states.
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var h = stored.history();
            var q = h.lookup("n1:6390", "Threads", Integer.toString(IO1), "Operation");
            var b = h.lookup("n1:6390", "Threads", Integer.toString(IO1), "Bytes");
            assertThat(h.at(fan + 1500, q).string()).isEqualTo("Reading SSL");
            assertThat(h.at(fan + 1500, b).longValue()).isEqualTo(101);
        }
    }

    @Test
    void publishInAClusterIsReportedAsBusAmplificationWithTheFactorAndTheRemedy() throws IOException {
        var trace = dir.resolve("pub");
        var peerA = "a".repeat(40);
        var peerB = "b".repeat(40);
        try (var w = new RedisTraceWriter(trace, "n1", MAIN, false)) {
            long t = T0;
            w.event(0, t, MAIN, "server_info", "port", 7000, "cluster_enabled", 1, "cluster_port", 17000,
                    "io_threads", 1, "connected_clients", 1L, "used_memory", 1L << 20, "role", "master", "startup", 1);
            w.event(0, t += 1000, MAIN, "accept_client", "fd", 20, "id", 4L, "type", "client", "inbound", 1,
                    "peer_addr", "127.0.0.1", "peer_port", 40000, "local_port", 7000);
            w.event(0, t += 10, MAIN, "accept_client", "fd", 30, "id", 1L, "type", "cluster", "peer_addr", "127.0.0.1",
                    "peer_port", 17001);
            w.event(0, t += 10, MAIN, "accept_client", "fd", 31, "id", 2L, "type", "cluster", "peer_addr", "127.0.0.1",
                    "peer_port", 17002);
            for (int i = 0; i < 20; i++) {
                w.event(0, t += 10_000, MAIN, "call_command_start", "fd", 20, "id", 4L, "name", "publish", "argc", 3,
                        "slot", -1);
                w.event(0, t += 100, MAIN, "broadcast_start", "type", 4, "type_name", "publish",
                        "len", 2256L + 8 + 100, "nlinks", 2);
                w.event(0, t += 100, MAIN, "cluster_send", "fd", 30, "id", 1L, "peer", peerA, "type", 4,
                        "type_name", "publish", "totlen", 2256L + 8 + 100, "sndbuf_len", 2364L);
                w.event(0, t += 100, MAIN, "cluster_send", "fd", 31, "id", 2L, "peer", peerB, "type", 4,
                        "type_name", "publish", "totlen", 2256L + 8 + 100, "sndbuf_len", 2364L);
                w.event(0, t += 100, MAIN, "broadcast_end", "type", 4, "nlinks", 2);
                w.event(0, t += 100, MAIN, "publish", "fd", 20, "id", 4L, "channel", "news", "payload_len", 100L);
                w.event(0, t += 100, MAIN, "call_command_end", "fd", 20, "id", 4L, "name", "publish",
                        "start_ns", raw(t - 600), "duration_ns", 550L);
                w.event(0, t += 100, MAIN, "cluster_write", "fd", 30, "id", 1L, "start_ns", raw(t - 50),
                        "requested", 2364L, "nwritten", 2364L);
                w.event(0, t += 100, MAIN, "cluster_write", "fd", 31, "id", 2L, "start_ns", raw(t - 50),
                        "requested", 2364L, "nwritten", 2364L);
            }
        }
        var f = findings(trace);
        var amp = f.stream().filter(x -> x.kind().equals("bus-amplification")).findFirst().orElseThrow();
        assertThat(amp.server()).isEqualTo("n1:7000");
        assertThat(amp.title()).contains("47.3×"); // 2 × 2364 bytes on the bus per 100-byte PUBLISH
        assertThat(amp.explanation()).contains("12196").contains("SPUBLISH").contains("2.0 messages per PUBLISH");
        assertThat(amp.severity()).isEqualTo(Finding.Severity.CRITICAL);
    }

    @Test
    void aSlowCommandIsNamedAsTheCauseOfTheStallAndAsASlowRequest() throws IOException {
        var trace = dir.resolve("slow");
        try (var w = new RedisTraceWriter(trace, "n1", MAIN, false)) {
            long t = T0;
            w.event(0, t, MAIN, "accept_client", "fd", 8, "id", 1L, "type", "client", "inbound", 1,
                    "peer_addr", "127.0.0.1", "peer_port", 1, "local_port", 6379);
            w.event(0, t += 1000, MAIN, "accept_client", "fd", 9, "id", 2L, "type", "client", "inbound", 1,
                    "peer_addr", "127.0.0.1", "peer_port", 2, "local_port", 6379);
            for (int i = 0; i < 50; i++) { // normal traffic: short iterations, 10 µs GETs
                w.event(0, t += 100_000, MAIN, "poll_end", "start_ns", raw(t - 90_000), "timeout_us", 100_000L,
                        "nevents", 1);
                w.event(0, t += 1000, MAIN, "end_read_client_query", "fd", 8, "id", 1L, "start_ns", raw(t - 500),
                        "readlen", 100L, "nread", 30L, "qbuf_len", 30L);
                w.event(0, t += 100, MAIN, "call_command_start", "fd", 8, "id", 1L, "name", "get", "argc", 2,
                        "slot", -1);
                w.event(0, t += 10_000, MAIN, "call_command_end", "fd", 8, "id", 1L, "name", "get",
                        "start_ns", raw(t - 9_900), "duration_ns", 9_900L);
                w.event(0, t += 100, MAIN, "end_process_command", "fd", 8, "id", 1L);
                w.event(0, t += 100, MAIN, "before_sleep_start", "pending_writes", 1);
                w.event(0, t += 1000, MAIN, "write_to_client_end", "fd", 8, "id", 1L, "start_ns", raw(t - 500),
                        "pending", 5L, "nwritten", 5L, "done", 1);
                w.event(0, t += 100, MAIN, "before_sleep_end");
            }
            // DEBUG SLEEP 0.05 on fd 9: a 50 ms iteration.
            w.event(0, t += 100_000, MAIN, "poll_end", "start_ns", raw(t - 90_000), "timeout_us", 100_000L,
                    "nevents", 1);
            w.event(0, t += 1000, MAIN, "end_read_client_query", "fd", 9, "id", 2L, "start_ns", raw(t - 500),
                    "readlen", 100L, "nread", 40L, "qbuf_len", 40L);
            w.event(0, t += 100, MAIN, "call_command_start", "fd", 9, "id", 2L, "name", "debug", "argc", 3, "slot", -1);
            w.event(0, t += 50_000_000, MAIN, "call_command_end", "fd", 9, "id", 2L, "name", "debug",
                    "start_ns", raw(t - 49_999_000), "duration_ns", 49_999_000L);
            w.event(0, t += 100, MAIN, "end_process_command", "fd", 9, "id", 2L);
            w.event(0, t += 100, MAIN, "before_sleep_start", "pending_writes", 1);
            w.event(0, t += 1000, MAIN, "write_to_client_end", "fd", 9, "id", 2L, "start_ns", raw(t - 500),
                    "pending", 5L, "nwritten", 5L, "done", 1);
            w.event(0, t += 100, MAIN, "before_sleep_end");
            w.event(0, t += 100_000, MAIN, "poll_end", "start_ns", raw(t - 90_000), "timeout_us", 100_000L);
        }
        var f = findings(trace);
        var stall = f.stream().filter(x -> x.kind().equals("event-loop-stall")).toList();
        assertThat(stall).hasSize(1);
        assertThat(stall.get(0).explanation()).contains("debug on fd 9");
        var slow = f.stream().filter(x -> x.kind().equals("slow-request")).toList();
        assertThat(slow).singleElement().satisfies(s -> {
            assertThat(s.title()).contains("debug");
            assertThat(s.explanation()).contains("executing the command itself");
            assertThat(s.fd()).isEqualTo(9);
        });
    }

    @Test
    void aCleanTraceHasNoFinding() throws IOException {
        var trace = dir.resolve("clean");
        try (var w = new RedisTraceWriter(trace, "n1", MAIN, false)) {
            long t = T0;
            w.event(0, t, MAIN, "accept_client", "fd", 8, "id", 1L, "type", "client", "inbound", 1,
                    "peer_addr", "127.0.0.1", "peer_port", 1, "local_port", 6379);
            for (int i = 0; i < 200; i++) {
                w.event(0, t += 100_000, MAIN, "poll_end", "start_ns", raw(t - 90_000), "timeout_us", 100_000L,
                        "nevents", 1);
                w.event(0, t += 1000, MAIN, "insert_pending_read", "fd", 8, "id", 1L);
                w.event(0, t += 1000, MAIN, "handle_pending_reads_threads_start", "nclients", 1, "io_threads", 2);
                w.event(1, t += 1000, IO1, "end_read_client_query", "fd", 8, "id", 1L, "start_ns", raw(t - 500),
                        "readlen", 100L, "nread", 30L, "qbuf_len", 30L);
                w.event(0, t += 100, MAIN, "call_command_start", "fd", 8, "id", 1L, "name", "set", "argc", 3,
                        "slot", -1);
                w.event(0, t += 2000, MAIN, "call_command_end", "fd", 8, "id", 1L, "name", "set",
                        "start_ns", raw(t - 1900), "duration_ns", 1900L, "dirty", 1L);
                w.event(0, t += 100, MAIN, "end_process_command", "fd", 8, "id", 1L);
                w.event(0, t += 100, MAIN, "handle_pending_reads_threads_end", "nclients", 1);
                w.event(0, t += 1000, MAIN, "write_to_client_end", "fd", 8, "id", 1L, "start_ns", raw(t - 500),
                        "pending", 5L, "nwritten", 5L, "done", 1);
            }
            w.event(0, t += 1000, MAIN, "free_client", "fd", 8, "id", 1L, "type", "client");
        }
        assertThat(findings(trace)).isEmpty();
    }

    /**
     * A subscriber that reads slowly: every write leaves more behind (200 KiB more per message burst), until Redis
     * closes it with 2.2 MiB unsent; the same subscriber keeping up gives no finding.
     */
    private Path slowSubscriber(Path trace, boolean keepsUp) {
        try (var w = new RedisTraceWriter(trace, "n1", MAIN, false)) {
            long t = T0;
            w.event(0, t, MAIN, "server_info", "port", 6379, "io_threads", 1, "connected_clients", 1L,
                    "used_memory", 1L << 20, "role", "master", "startup", 1);
            w.event(0, t += 1000, MAIN, "accept_client", "fd", 15, "id", 4L, "type", "client", "inbound", 1,
                    "peer_addr", "127.0.0.1", "peer_port", 50015, "local_port", 6379);
            long left = 0;
            for (int i = 1; i <= 10; i++) {
                long pending = left + 300 * 1024;
                long written = keepsUp ? pending : 100 * 1024;
                left = pending - written;
                w.event(0, t += 20_000_000, MAIN, "insert_clientwrite_queue", "fd", 15, "id", 4L);
                w.event(0, t += 100_000, MAIN, "write_to_client_end", "fd", 15, "id", 4L, "start_ns", raw(t - 50_000),
                        "pending", pending, "nwritten", written, "done", left == 0 ? 1 : 0);
            }
            w.event(0, t += 1_000_000, MAIN, "free_client", "fd", 15, "id", 4L, "type", "client", "async", 1,
                    "pending_reply", left);
            w.event(0, t += 1_000_000, MAIN, "server_info", "port", 6379, "io_threads", 1, "connected_clients", 1L,
                    "used_memory", 1L << 20, "role", "master");
        }
        return trace;
    }

    @Test
    void aGrowingOutputBufferIsABacklogAndAKeptUpOneIsNot() throws IOException {
        var growing = findings(slowSubscriber(dir.resolve("slow-sub"), false)).stream()
                .filter(f -> f.kind().equals("backlog-growth")).toList();
        assertThat(growing).singleElement().satisfies(f -> {
            assertThat(f.fd()).isEqualTo(15);
            assertThat(f.title()).isEqualTo("output buffer of client fd=15 grew to 2.0 MiB");
            assertThat(f.explanation()).contains("closed with 2.0 MiB still unsent").contains("wrote it 1000.0 KiB (9 of its 10 writes")
                    .contains("from 200.0 KiB");
        });
        assertThat(findings(slowSubscriber(dir.resolve("fast-sub"), true)))
                .noneMatch(f -> f.kind().equals("backlog-growth"));
    }
}
