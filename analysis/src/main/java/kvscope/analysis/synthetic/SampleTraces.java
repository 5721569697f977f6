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
            w.ev(0, T0, MAIN, "server_info", 6379, 0, 0, 0, 1, 0, 0, 0L, 0L, 1_000_000L, "master", 1);
            w.ev(0, T0 + 1000, MAIN, "accept_client", 8, 3L, "client", 1, 0, "127.0.0.1", 50000, 6379);
            w.ev(0, T0 + 10_000, MAIN, "end_read_client_query", 8, 3L, raw(T0 + 9000), 16384L, 31L, 31L);
            w.ev(0, T0 + 10_500, MAIN, "call_command_start", 8, 3L, "get", 2, 0);
            w.ev(0, T0 + 25_000_000, MAIN, "call_command_end", 8, 3L, "get", raw(T0 + 10_600), 24_989_400L, 0L, 0);
            w.ev(0, T0 + 25_000_100, MAIN, "end_process_command", 8, 3L, 0);
            w.ev(0, T0 + 25_009_000, MAIN, "write_to_client_end", 8, 3L, raw(T0 + 25_001_000), 5L, 5L, 1);
            w.ev(0, T0 + 30_000_000, MAIN, "server_info", 6379, 0, 0, 0, 1, 0, 0, 0L, 0L, 1_000_000L, "master", 0);
        }
        return dir;
    }

    /**
     * One server "h1:6379": a client on fd 8 sending SET (read on the main thread) then GET (read by I/O thread 101),
     * a cluster link on fd 20 writing 1000 + 3000 bytes and reading 500, then the client is freed. Returns dir.
     */
    public static Path twoRequests(Path dir) {
        try (var w = new RedisTraceWriter(dir, "h1", MAIN, false)) {
            w.ev(0, T0, MAIN, "server_info", 6379, 0, 1, 16379, 2, 1, 1, 0L, 0L, 1_000_000L, "master", 1);
            w.ev(0, T0 + 1000, MAIN, "accept_client", 8, 3L, "client", 1, 0, "127.0.0.1", 50000, 6379);
            w.ev(0, T0 + 1100, MAIN, "add_file_event", 8, 1, 1);
            w.ev(0, T0 + 10_000, MAIN, "end_read_client_query", 8, 3L, raw(T0 + 9000), 16384L, 31L, 31L);
            w.ev(0, T0 + 10_500, MAIN, "call_command_start", 8, 3L, "set", 3, 0);
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
            w.ev(0, T0 + 22_500, MAIN, "call_command_start", 8, 3L, "get", 2, 0);
            w.ev(0, T0 + 23_000, MAIN, "call_command_end", 8, 3L, "get", raw(T0 + 22_600), 400L, 0L, 0);
            w.ev(0, T0 + 23_100, MAIN, "end_process_command", 8, 3L, 0);
            w.ev(0, T0 + 23_200, MAIN, "handle_pending_reads_threads_end", 1);
            w.ev(0, T0 + 23_300, MAIN, "insert_clientwrite_queue", 8, 3L);
            w.ev(0, T0 + 24_000, MAIN, "write_to_client_end", 8, 3L, raw(T0 + 23_500), 9L, 9L, 1);
            w.ev(0, T0 + 24_500, MAIN, "before_sleep_end");
            w.ev(0, T0 + 25_000, MAIN, "cluster_write", 20, 0L, raw(T0 + 24_800), 3000L, 3000L);
            w.ev(0, T0 + 30_000, MAIN, "free_client", 8, 3L, "client", 0, 0L, 0L);
            w.ev(0, T0 + 30_100, MAIN, "delete_file_event", 8, 1, 0);
            w.ev(0, T0 + 40_000, MAIN, "server_info", 6379, 0, 1, 16379, 2, 1, 1, 0L, 0L, 1_000_000L, "master", 0);
        }
        return dir;
    }
}
