package kvscope.analysis;

import kvscope.analysis.synthetic.RedisTraceWriter;

import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static kvscope.analysis.synthetic.RedisTraceWriter.T0;
import static kvscope.analysis.synthetic.RedisTraceWriter.raw;
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
            w.ev(0, t, MAIN, "server_info", 0, 6390, 0, 0, 4, 1, 1, 1L, 0L, 1L << 20, "master", 1, "");
            w.ev(0, t += 1000, MAIN, "accept_client", 132, 9L, "client", 1, 1, "127.0.0.1", 50132, 6390);
            // Main thread reads SSL 8192 bytes; OpenSSL keeps more buffered, so the connection joins the TLS pending list.
            w.ev(0, t += 10_000, MAIN, "ssl_read", 132, 9L, raw(t - 3000), 8192L, 8192L, 101);
            w.ev(0, t += 500, MAIN, "end_read_client_query", 132, 9L, raw(t - 4000), 8192L, 8192L, 8192L);
            w.ev(0, t += 100, MAIN, "tls_pending_add", 132, 9L);
            // beforeSleep: tlsProcessPendingData reads it again, and readQueryFromClient postpones it to the I/O threads.
            w.ev(0, t += 1000, MAIN, "before_sleep_start", 0, 0, 1);
            w.ev(0, t += 100, MAIN, "tls_pending_process", 132, 9L);
            w.ev(0, t += 100, MAIN, "insert_pending_read", 132, 9L);
            w.ev(0, t += 100, MAIN, "before_sleep_end");
            // The socket is readable too (the client closed): queued a second time.
            w.ev(0, t += 5000, MAIN, "poll_end", raw(t - 4000), 100_000L, 1);
            w.ev(0, t += 100, MAIN, "insert_pending_read", 132, 9L);
            w.ev(0, t += 1000, MAIN, "before_sleep_start", 0, 2, 0);
            w.ev(0, t += 100, MAIN, "handle_pending_reads_threads_start", 2, 4);
            fan = t;
            // Two I/O threads read the same client at the same time.
            w.ev(1, fan + 2000, IO1, "ssl_read", 132, 9L, raw(fan + 500), 8192L, 101L, 0);
            w.ev(2, fan + 2100, IO2, "ssl_read", 132, 9L, raw(fan + 600), 8192L, 18L, 0);
            w.ev(1, fan + 3000, IO1, "end_read_client_query", 132, 9L, raw(fan + 400), 8192L, 0L, 0L);
            w.ev(1, fan + 3100, IO1, "free_client_async", 132, 9L);
            w.ev(2, fan + 3200, IO2, "end_read_client_query", 132, 9L, raw(fan + 450), 8192L, 0L, 0L);
            t = fan + 4000;
            w.ev(0, t, MAIN, "handle_pending_reads_threads_end", 2);
            w.ev(0, t += 100, MAIN, "free_client", 132, 9L, "client", 1, 0L, 0L);
            w.ev(0, t += 100, MAIN, "free_client", 132, 9L, "client", 1, 0L, 0L);
            w.ev(0, t += 100, MAIN, "before_sleep_end");
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
            w.ev(0, t, MAIN, "server_info", 7000, 0, 1, 17000, 1, 0, 0, 1L, 0L, 1L << 20, "master", 1, "");
            w.ev(0, t += 1000, MAIN, "accept_client", 20, 4L, "client", 1, 0, "127.0.0.1", 40000, 7000);
            w.ev(0, t += 10, MAIN, "accept_client", 30, 1L, "cluster", 0, 0, "127.0.0.1", 17001, 0);
            w.ev(0, t += 10, MAIN, "accept_client", 31, 2L, "cluster", 0, 0, "127.0.0.1", 17002, 0);
            for (int i = 0; i < 20; i++) {
                w.ev(0, t += 10_000, MAIN, "call_command_start", 20, 4L, "publish", 3, 0, -1);
                w.ev(0, t += 100, MAIN, "broadcast_start", 4, "publish", 2256L + 8 + 100, 2);
                w.ev(0, t += 100, MAIN, "cluster_send", 30, 1L, peerA, 4, "publish", 2256L + 8 + 100, 2364L);
                w.ev(0, t += 100, MAIN, "cluster_send", 31, 2L, peerB, 4, "publish", 2256L + 8 + 100, 2364L);
                w.ev(0, t += 100, MAIN, "broadcast_end", 4, 2);
                w.ev(0, t += 100, MAIN, "publish", 20, 4L, "news", 100L, 0, 0);
                w.ev(0, t += 100, MAIN, "call_command_end", 20, 4L, "publish", raw(t - 600), 550L, 0L, 0);
                w.ev(0, t += 100, MAIN, "cluster_write", 30, 1L, raw(t - 50), 2364L, 2364L);
                w.ev(0, t += 100, MAIN, "cluster_write", 31, 2L, raw(t - 50), 2364L, 2364L);
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
            w.ev(0, t, MAIN, "accept_client", 8, 1L, "client", 1, 0, "127.0.0.1", 1, 6379);
            w.ev(0, t += 1000, MAIN, "accept_client", 9, 2L, "client", 1, 0, "127.0.0.1", 2, 6379);
            for (int i = 0; i < 50; i++) { // normal traffic: short iterations, 10 µs GETs
                w.ev(0, t += 100_000, MAIN, "poll_end", raw(t - 90_000), 100_000L, 1);
                w.ev(0, t += 1000, MAIN, "end_read_client_query", 8, 1L, raw(t - 500), 100L, 30L, 30L);
                w.ev(0, t += 100, MAIN, "call_command_start", 8, 1L, "get", 2, 0, -1);
                w.ev(0, t += 10_000, MAIN, "call_command_end", 8, 1L, "get", raw(t - 9_900), 9_900L, 0L, 0);
                w.ev(0, t += 100, MAIN, "end_process_command", 8, 1L, 0);
                w.ev(0, t += 100, MAIN, "before_sleep_start", 1, 0, 0);
                w.ev(0, t += 1000, MAIN, "write_to_client_end", 8, 1L, raw(t - 500), 5L, 5L, 1);
                w.ev(0, t += 100, MAIN, "before_sleep_end");
            }
            // DEBUG SLEEP 0.05 on fd 9: a 50 ms iteration.
            w.ev(0, t += 100_000, MAIN, "poll_end", raw(t - 90_000), 100_000L, 1);
            w.ev(0, t += 1000, MAIN, "end_read_client_query", 9, 2L, raw(t - 500), 100L, 40L, 40L);
            w.ev(0, t += 100, MAIN, "call_command_start", 9, 2L, "debug", 3, 0, -1);
            w.ev(0, t += 50_000_000, MAIN, "call_command_end", 9, 2L, "debug", raw(t - 49_999_000), 49_999_000L, 0L, 0);
            w.ev(0, t += 100, MAIN, "end_process_command", 9, 2L, 0);
            w.ev(0, t += 100, MAIN, "before_sleep_start", 1, 0, 0);
            w.ev(0, t += 1000, MAIN, "write_to_client_end", 9, 2L, raw(t - 500), 5L, 5L, 1);
            w.ev(0, t += 100, MAIN, "before_sleep_end");
            w.ev(0, t += 100_000, MAIN, "poll_end", raw(t - 90_000), 100_000L, 0);
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
            w.ev(0, t, MAIN, "accept_client", 8, 1L, "client", 1, 0, "127.0.0.1", 1, 6379);
            for (int i = 0; i < 200; i++) {
                w.ev(0, t += 100_000, MAIN, "poll_end", raw(t - 90_000), 100_000L, 1);
                w.ev(0, t += 1000, MAIN, "insert_pending_read", 8, 1L);
                w.ev(0, t += 1000, MAIN, "handle_pending_reads_threads_start", 1, 2);
                w.ev(1, t += 1000, IO1, "end_read_client_query", 8, 1L, raw(t - 500), 100L, 30L, 30L);
                w.ev(0, t += 100, MAIN, "call_command_start", 8, 1L, "set", 3, 0, -1);
                w.ev(0, t += 2000, MAIN, "call_command_end", 8, 1L, "set", raw(t - 1900), 1900L, 1L, 0);
                w.ev(0, t += 100, MAIN, "end_process_command", 8, 1L, 0);
                w.ev(0, t += 100, MAIN, "handle_pending_reads_threads_end", 1);
                w.ev(0, t += 1000, MAIN, "write_to_client_end", 8, 1L, raw(t - 500), 5L, 5L, 1);
            }
            w.ev(0, t += 1000, MAIN, "free_client", 8, 1L, "client", 0, 0L, 0L);
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
            w.ev(0, t, MAIN, "server_info", 6379, 0, 0, 0, 1, 0, 0, 1L, 0L, 1L << 20, "master", 1, "");
            w.ev(0, t += 1000, MAIN, "accept_client", 15, 4L, "client", 1, 0, "127.0.0.1", 50015, 6379);
            long left = 0;
            for (int i = 1; i <= 10; i++) {
                long pending = left + 300 * 1024;
                long written = keepsUp ? pending : 100 * 1024;
                left = pending - written;
                w.ev(0, t += 20_000_000, MAIN, "insert_clientwrite_queue", 15, 4L);
                w.ev(0, t += 100_000, MAIN, "write_to_client_end", 15, 4L, raw(t - 50_000), pending, written, left == 0 ? 1 : 0);
            }
            w.ev(0, t += 1_000_000, MAIN, "free_client", 15, 4L, "client", 1, 0L, left);
            w.ev(0, t += 1_000_000, MAIN, "server_info", 6379, 0, 0, 0, 1, 0, 0, 1L, 0L, 1L << 20, "master", 0, "");
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
