package kvscope.server;

import kvscope.ctf.write.CtfWriter;
import kvscope.ctf.write.FieldSpec;
import kvscope.ctf.write.FieldType;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static kvscope.ctf.write.FieldType.*;

/**
 * A small trace in the exact event layout of the instrumented Redis (instrument/redis/EVENTS.md), written with the
 * CTF writer, whose every state the server tests know: one server "h1:6379", a client on fd 8 sending SET (read on the
 * main thread) then GET (read by I/O thread 101), a cluster link on fd 20 writing 1000 + 3000 bytes and reading 500,
 * then the client is freed.
 */
final class RedisTrace implements AutoCloseable {
    static final long OFFSET_S = 1_700_000_000L;
    static final long T0 = OFFSET_S * 1_000_000_000L + 5_000_000_000L;
    static final int MAIN = 100, IO = 101;
    static final String SERVER = "h1:6379";

    private final CtfWriter w;
    private final Map<String, CtfWriter.EventDef> defs = new HashMap<>();

    private RedisTrace(Path dir) {
        var b = CtfWriter.builder(dir).env("hostname", "h1").env("domain", "ust").env("tracer_name", "lttng-ust")
                .clockOffsetSeconds(OFFSET_S)
                .context(FieldSpec.of("vpid", s32()), FieldSpec.of("vtid", s32()), FieldSpec.of("procname", textArray(17)));
        def(b, "accept_client", "fd", s32(), "id", u64(), "type", string(), "inbound", u8(), "tls", u8(),
                "peer_addr", string(), "peer_port", s32(), "local_port", s32());
        def(b, "free_client", "fd", s32(), "id", u64(), "type", string(), "async", u8(), "qbuf_len", u64(), "pending_reply", u64());
        def(b, "call_command_end", "fd", s32(), "id", u64(), "name", string(), "start_ns", u64(), "duration_ns", u64(),
                "dirty", s64(), "depth", s32());
        def(b, "server_info", "port", s32(), "tls_port", s32(), "cluster_enabled", u8(), "cluster_port", s32(),
                "io_threads", s32(), "io_threads_do_reads", u8(), "io_threads_active", u8(), "connected_clients", u64(),
                "replicas", u64(), "used_memory", u64(), "role", string(), "startup", u8());
        def(b, "cluster_write", "fd", s32(), "id", u64(), "start_ns", u64(), "requested", u64(), "nwritten", s64());
        def(b, "cluster_read", "fd", s32(), "id", u64(), "start_ns", u64(), "requested", u64(), "nread", s64(), "rcvbuf_len", u64());
        def(b, "insert_pending_read", "fd", s32(), "id", u64());
        def(b, "end_read_client_query", "fd", s32(), "id", u64(), "start_ns", u64(), "readlen", u64(), "nread", s64(), "qbuf_len", u64());
        def(b, "call_command_start", "fd", s32(), "id", u64(), "name", string(), "argc", s32(), "depth", s32());
        def(b, "end_process_command", "fd", s32(), "id", u64(), "blocked", u8());
        def(b, "insert_clientwrite_queue", "fd", s32(), "id", u64());
        def(b, "write_to_client_end", "fd", s32(), "id", u64(), "start_ns", u64(), "pending", u64(), "nwritten", s64(), "done", u8());
        def(b, "handle_pending_reads_threads_start", "nclients", u32(), "io_threads", s32());
        def(b, "handle_pending_reads_threads_end", "nclients", u32());
        def(b, "before_sleep_start", "pending_writes", u32(), "pending_reads", u32(), "tls_pending", s32());
        def(b, "before_sleep_end");
        def(b, "poll_end", "start_ns", u64(), "timeout_us", s64(), "nevents", s32());
        def(b, "add_file_event", "fd", s32(), "mask", s32(), "new_mask", s32());
        def(b, "delete_file_event", "fd", s32(), "mask", s32(), "new_mask", s32());
        w = b.open();
    }

    private void def(CtfWriter.Builder b, String name, Object... spec) {
        var fields = new FieldSpec[spec.length / 2];
        for (int i = 0; i < fields.length; i++) fields[i] = FieldSpec.of((String) spec[2 * i], (FieldType) spec[2 * i + 1]);
        defs.put(name, b.event("redis:" + name, fields));
    }

    /** Raw CLOCK_MONOTONIC value (what Redis puts in start_ns) of a time in ns since the epoch. */
    static long raw(long epochNs) { return epochNs - OFFSET_S * 1_000_000_000L; }

    private RedisTrace ev(int cpu, long ts, int vtid, String name, Object... values) {
        var all = new Object[values.length + 3];
        all[0] = MAIN;
        all[1] = vtid;
        all[2] = "redis-server";
        System.arraycopy(values, 0, all, 3, values.length);
        w.stream(cpu).write(defs.get(name), ts, all);
        return this;
    }

    @Override public void close() { w.close(); }

    /** Writes the trace described above into dir; returns dir. */
    static Path write(Path dir) {
        try (var w = new RedisTrace(dir)) {
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
