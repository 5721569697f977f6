package kvscope.analysis.synthetic;

import java.nio.file.Path;

import static kvscope.analysis.synthetic.RedisTraceWriter.T0;
import static kvscope.analysis.synthetic.RedisTraceWriter.raw;

/** Small traces whose every state is known, shared by the tests of the views, the server and the command line. */
public final class SampleTraces {
    public static final int MAIN = 100, IO = 101;
    public static final String SERVER = "h1:6379";

    private SampleTraces() {}

    /** A client whose one GET takes 25 ms from read to reply: slow enough for the detectors. */
    public static Path slowGet(Path dir) {
        try (var w = new RedisTraceWriter(dir, "h1", MAIN, false)) {
            w.ev(0, T0, MAIN, "server_info", 6379, 0, 0, 0, 1, 0, 0, 0L, 0L, 1_000_000L, "master", 1, "");
            w.ev(0, T0 + 1000, MAIN, "accept_client", 8, 3L, "client", 1, 0, "127.0.0.1", 50000, 6379);
            w.ev(0, T0 + 10_000, MAIN, "end_read_client_query", 8, 3L, raw(T0 + 9000), 16384L, 31L, 31L);
            w.ev(0, T0 + 10_500, MAIN, "call_command_start", 8, 3L, "get", 2, 0, -1);
            w.ev(0, T0 + 25_000_000, MAIN, "call_command_end", 8, 3L, "get", raw(T0 + 10_600), 24_989_400L, 0L, 0);
            w.ev(0, T0 + 25_000_100, MAIN, "end_process_command", 8, 3L, 0);
            w.ev(0, T0 + 25_009_000, MAIN, "write_to_client_end", 8, 3L, raw(T0 + 25_001_000), 5L, 5L, 1);
            w.ev(0, T0 + 30_000_000, MAIN, "server_info", 6379, 0, 0, 0, 1, 0, 0, 0L, 0L, 1_000_000L, "master", 0, "");
        }
        return dir;
    }

    /**
     * One server "h1:6379": a client on fd 8 sending SET (read on the main thread) then GET (read by I/O thread 101),
     * a cluster link on fd 20 writing 1000 + 3000 bytes and reading 500, then the client is freed. Returns dir.
     */
    public static Path twoRequests(Path dir) {
        try (var w = new RedisTraceWriter(dir, "h1", MAIN, false)) {
            w.ev(0, T0, MAIN, "server_info", 6379, 0, 1, 16379, 2, 1, 1, 0L, 0L, 1_000_000L, "master", 1, "");
            w.ev(0, T0 + 1000, MAIN, "accept_client", 8, 3L, "client", 1, 0, "127.0.0.1", 50000, 6379);
            w.ev(0, T0 + 1100, MAIN, "add_file_event", 8, 1, 1);
            w.ev(0, T0 + 10_000, MAIN, "end_read_client_query", 8, 3L, raw(T0 + 9000), 16384L, 31L, 31L);
            w.ev(0, T0 + 10_500, MAIN, "call_command_start", 8, 3L, "set", 3, 0, -1);
            w.ev(0, T0 + 11_500, MAIN, "call_command_end", 8, 3L, "set", raw(T0 + 10_600), 900L, 1L, 0);
            w.ev(0, T0 + 11_700, MAIN, "end_process_command", 8, 3L, 0);
            w.ev(0, T0 + 11_800, MAIN, "insert_clientwrite_queue", 8, 3L);
            w.ev(0, T0 + 12_000, MAIN, "before_sleep_start", 1, 0, 0);
            w.ev(0, T0 + 13_000, MAIN, "write_to_client_end", 8, 3L, raw(T0 + 12_200), 5L, 5L, 1);
            w.ev(0, T0 + 13_500, MAIN, "before_sleep_end");
            w.ev(0, T0 + 15_000, MAIN, "cluster_write", 20, 0L, raw(T0 + 14_000), 1000L, 1000L);
            w.ev(0, T0 + 16_000, MAIN, "cluster_read", 20, 0L, raw(T0 + 15_500), 16384L, 500L, 0L);
            w.ev(0, T0 + 20_000, MAIN, "poll_end", raw(T0 + 13_600), 100_000L, 1);
            w.ev(0, T0 + 20_100, MAIN, "insert_pending_read", 8, 3L);
            w.ev(0, T0 + 21_000, MAIN, "before_sleep_start", 0, 1, 0);
            w.ev(0, T0 + 21_100, MAIN, "handle_pending_reads_threads_start", 1, 2);
            w.ev(1, T0 + 22_000, IO, "end_read_client_query", 8, 3L, raw(T0 + 21_200), 16384L, 22L, 22L);
            w.ev(0, T0 + 22_500, MAIN, "call_command_start", 8, 3L, "get", 2, 0, -1);
            w.ev(0, T0 + 23_000, MAIN, "call_command_end", 8, 3L, "get", raw(T0 + 22_600), 400L, 0L, 0);
            w.ev(0, T0 + 23_100, MAIN, "end_process_command", 8, 3L, 0);
            w.ev(0, T0 + 23_200, MAIN, "handle_pending_reads_threads_end", 1);
            w.ev(0, T0 + 23_300, MAIN, "insert_clientwrite_queue", 8, 3L);
            w.ev(0, T0 + 24_000, MAIN, "write_to_client_end", 8, 3L, raw(T0 + 23_500), 9L, 9L, 1);
            w.ev(0, T0 + 24_500, MAIN, "before_sleep_end");
            w.ev(0, T0 + 25_000, MAIN, "cluster_write", 20, 0L, raw(T0 + 24_800), 3000L, 3000L);
            w.ev(0, T0 + 30_000, MAIN, "free_client", 8, 3L, "client", 0, 0L, 0L);
            w.ev(0, T0 + 30_100, MAIN, "delete_file_event", 8, 1, 0);
            w.ev(0, T0 + 40_000, MAIN, "server_info", 6379, 0, 1, 16379, 2, 1, 1, 0L, 0L, 1_000_000L, "master", 0, "");
        }
        return dir;
    }

    /** Node ids of {@link #publishAcrossCluster}'s three nodes (40 hex digits, as Redis names them). */
    public static final String N1 = "1".repeat(40), N2 = "2".repeat(40), N3 = "3".repeat(40);
    public static final int NODE1 = 201, NODE2 = 202, NODE3 = 203;

    /**
     * A 3-node cluster (h1:7001..7003, vpids 201..203) whose links gossip once, then one PUBLISH on node 1 (client fd
     * 10) reaching a subscriber on node 1 (fd 11) and one on node 2 (fd 12): the message goes out on node 1's links
     * (fd 20 to node 2, fd 21 to node 3), is processed by node 2 on fd 30 and node 3 on fd 40, and written to fd 12.
     * Before all that, node 3 processes a publish from node 1 whose sending is not in the trace. Returns dir.
     */
    public static Path publishAcrossCluster(Path dir) {
        try (var w = new RedisTraceWriter(dir, "h1", NODE1, false)) {
            long t = T0;
            String[] ids = {N1, N2, N3};
            int[][] out = {{0, 20, 21}, {31, 0, 32}, {41, 42, 0}};
            for (int n = 0; n < 3; n++) {
                w.pid(200 + n + 1).ev(n, t + n, 200 + n + 1, "server_info", 7001 + n, 0, 1, 17001 + n, 1, 0, 0, 0L, 0L,
                        1_000_000L, "master", 0, "");
            }
            // Gossip: each node pings the two others on its outbound links (names every node by elimination).
            t += 1000;
            for (int n = 0; n < 3; n++) {
                w.pid(200 + n + 1);
                for (int p = 0; p < 3; p++) {
                    if (p == n) continue;
                    w.ev(n, t += 100, 200 + n + 1, "cluster_send", out[n][p], (long) p + 1, ids[p], 1, "ping", 2256L, 2256L);
                    w.ev(n, t += 100, 200 + n + 1, "cluster_write", out[n][p], (long) p + 1, raw(t - 50), 2256L, 2256L);
                }
            }
            // A publish from node 1 processed by node 3, sent before the trace began: no arrow.
            w.pid(NODE3);
            w.ev(2, t += 1000, NODE3, "cluster_read", 40, 9L, raw(t - 80), 16384L, 2300L, 0L);
            w.ev(2, t += 300, NODE3, "cluster_process_packet", 40, 9L, raw(t - 200), N1, 4, "publish", 2300, 0);
            long p0 = t += 10_000;
            // Node 1: a subscriber on fd 11, then PUBLISH on fd 10.
            w.pid(NODE1);
            w.ev(0, p0, NODE1, "accept_client", 10, 5L, "client", 1, 0, "127.0.0.1", 50010, 7001);
            w.ev(0, p0 + 10, NODE1, "accept_client", 11, 6L, "client", 1, 0, "127.0.0.1", 50011, 7001);
            w.ev(0, p0 + 100, NODE1, "end_read_client_query", 10, 5L, raw(p0 + 50), 16384L, 40L, 40L);
            w.ev(0, p0 + 200, NODE1, "call_command_start", 10, 5L, "publish", 3, 0, -1);
            w.ev(0, p0 + 300, NODE1, "insert_clientwrite_queue", 11, 6L);
            w.ev(0, p0 + 400, NODE1, "publish", 10, 5L, "ch", 100L, 1, 0);
            w.ev(0, p0 + 450, NODE1, "broadcast_start", 4, "publish", 2400L, 2);
            w.ev(0, p0 + 500, NODE1, "cluster_send", 20, 2L, N2, 4, "publish", 2400L, 2400L);
            w.ev(0, p0 + 510, NODE1, "cluster_send", 21, 3L, N3, 4, "publish", 2400L, 2400L);
            w.ev(0, p0 + 520, NODE1, "broadcast_end", 4, 2);
            w.ev(0, p0 + 600, NODE1, "call_command_end", 10, 5L, "publish", raw(p0 + 210), 380L, 0L, 0);
            w.ev(0, p0 + 700, NODE1, "end_process_command", 10, 5L, 0);
            w.ev(0, p0 + 710, NODE1, "insert_clientwrite_queue", 10, 5L);
            w.ev(0, p0 + 1000, NODE1, "write_to_client_end", 10, 5L, raw(p0 + 900), 4L, 4L, 1);
            w.ev(0, p0 + 1200, NODE1, "write_to_client_end", 11, 6L, raw(p0 + 1100), 40L, 40L, 1);
            w.ev(0, p0 + 1300, NODE1, "cluster_write", 20, 2L, raw(p0 + 1250), 2400L, 2400L);
            w.ev(0, p0 + 1400, NODE1, "cluster_write", 21, 3L, raw(p0 + 1350), 2400L, 2400L);
            // Node 2: the message arrives on fd 30 and is written to its subscriber on fd 12.
            w.pid(NODE2);
            w.ev(1, p0 + 15, NODE2, "accept_client", 12, 7L, "client", 1, 0, "127.0.0.1", 50012, 7002);
            w.ev(1, p0 + 20, NODE2, "call_command_start", 12, 7L, "subscribe", 2, 0, -1);
            w.ev(1, p0 + 2000, NODE2, "cluster_read", 30, 1L, raw(p0 + 1900), 16384L, 2400L, 0L);
            w.ev(1, p0 + 2100, NODE2, "insert_clientwrite_queue", 12, 7L);
            w.ev(1, p0 + 2200, NODE2, "publish", -1, 0L, "ch", 100L, 1, 0);
            w.ev(1, p0 + 2300, NODE2, "cluster_process_packet", 30, 1L, raw(p0 + 2050), N1, 4, "publish", 2400, 0);
            w.ev(1, p0 + 2600, NODE2, "write_to_client_end", 12, 7L, raw(p0 + 2500), 40L, 40L, 1);
            // Node 3: processes it on fd 40; no subscriber there.
            w.pid(NODE3);
            w.ev(2, p0 + 2500, NODE3, "cluster_read", 40, 9L, raw(p0 + 2400), 16384L, 2400L, 0L);
            w.ev(2, p0 + 2700, NODE3, "publish", -1, 0L, "ch", 100L, 0, 0);
            w.ev(2, p0 + 2800, NODE3, "cluster_process_packet", 40, 9L, raw(p0 + 2450), N1, 4, "publish", 2400, 0);
            for (int n = 0; n < 3; n++) {
                w.pid(200 + n + 1).ev(n, p0 + 10_000 + n, 200 + n + 1, "server_info", 7001 + n, 0, 1, 17001 + n, 1, 0, 0,
                        0L, 0L, 1_000_000L, "master", 0, "");
            }
        }
        return dir;
    }
}
