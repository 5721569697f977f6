package kvscope.analysis.synthetic;

import kvscope.ctf.write.CtfWriter;
import kvscope.ctf.write.FieldSpec;
import kvscope.ctf.write.FieldType;
import kvscope.ctf.write.StreamWriter;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static kvscope.ctf.write.FieldType.*;

/**
 * Writes traces in the exact event layout of the instrumented Redis (instrument/redis/EVENTS.md): tests state a
 * precise sequence of events and check every state, segment and finding it must produce; benchmarks generate traces
 * of any size; scenarios write the exact sequences of the paper. Times are ns since the epoch; {@code start_ns}
 * values are given the same way and converted with {@link #raw} to the raw monotonic clock Redis writes.
 *
 * <pre>{@code
 * try (var w = new RedisTraceWriter(dir, "host", 100, false)) {
 *     w.ev(0, T0, 100, "accept_client", 8, 3L, "client", 1, 0, "127.0.0.1", 50000, 6379);
 *     w.ev(0, T0 + 10_000, 100, "end_read_client_query", 8, 3L, raw(T0 + 9000), 16384L, 31L, 31L);
 * }
 * }</pre>
 */
public final class RedisTraceWriter implements AutoCloseable {
    public static final long OFFSET_S = 1_700_000_000L;
    /** A convenient first timestamp: 5 s after the clock's offset. */
    public static final long T0 = OFFSET_S * 1_000_000_000L + 5_000_000_000L;

    private final CtfWriter w;
    private final Map<String, CtfWriter.EventDef> defs = new HashMap<>();
    private int vpid;
    private String procname;

    /**
     * @param light the light profile's event classes only (no reads, writes, event loop or file events)
     */
    public RedisTraceWriter(Path dir, String hostname, int vpid, boolean light) {
        this(dir, hostname, vpid, light, Map.of());
    }

    /**
     * The same, with the events of other providers in the same trace, as one LTTng session records them (the nodejs
     * agent's, see ServicesTraceWriter): full event name → field name, type, name, type…; {@link #ev} takes them by
     * their full name.
     */
    public RedisTraceWriter(Path dir, String hostname, int vpid, boolean light, Map<String, Object[]> others) {
        this.vpid = vpid;
        this.procname = "redis-server";
        var b = CtfWriter.builder(dir).env("hostname", hostname).env("domain", "ust").env("tracer_name", "lttng-ust")
                .clockOffsetSeconds(OFFSET_S)
                .context(FieldSpec.of("vpid", s32()), FieldSpec.of("vtid", s32()), FieldSpec.of("procname", textArray(17)));
        def(b, "accept_client", "fd", s32(), "id", u64(), "type", string(), "inbound", u8(), "tls", u8(),
                "peer_addr", string(), "peer_port", s32(), "local_port", s32());
        def(b, "free_client", "fd", s32(), "id", u64(), "type", string(), "async", u8(), "qbuf_len", u64(), "pending_reply", u64());
        def(b, "free_client_async", "fd", s32(), "id", u64());
        def(b, "call_command_end", "fd", s32(), "id", u64(), "name", string(), "start_ns", u64(), "duration_ns", u64(),
                "dirty", s64(), "depth", s32());
        def(b, "commands", "fd", new Sequence(s32()), "id", new Sequence(u64()), "names", textSequence(),
                "start_ns", new Sequence(u64()), "duration_ns", new Sequence(u64()), "dirty", new Sequence(s64()),
                "depth", new Sequence(u8()));
        def(b, "publish", "fd", s32(), "id", u64(), "channel", textSequence(), "payload_len", u64(), "receivers", s32(), "sharded", u8());
        def(b, "publishes", "fd", new Sequence(s32()), "id", new Sequence(u64()), "time_ns", new Sequence(u64()),
                "channel_len", new Sequence(u32()), "channels", textSequence(), "payload_len", new Sequence(u64()),
                "receivers", new Sequence(s32()), "sharded", new Sequence(u8()));
        def(b, "server_info", "port", s32(), "tls_port", s32(), "cluster_enabled", u8(), "cluster_port", s32(),
                "io_threads", s32(), "io_threads_do_reads", u8(), "io_threads_active", u8(), "connected_clients", u64(),
                "replicas", u64(), "used_memory", u64(), "role", string(), "startup", u8(),
                "node_id", textArray(40));
        def(b, "broadcast_start", "type", u16(), "type_name", string(), "len", u64(), "nlinks", u32());
        def(b, "broadcast_end", "type", u16(), "nlinks", u32());
        def(b, "cluster_redirect", "fd", s32(), "id", u64(), "kind", string(), "slot", s32(), "node", textArray(40),
                "target_addr", string(), "target_port", s32());
        def(b, "cluster_send", "fd", s32(), "id", u64(), "peer", textArray(40), "type", u16(), "type_name", string(),
                "totlen", u64(), "sndbuf_len", u64());
        def(b, "cluster_write", "fd", s32(), "id", u64(), "start_ns", u64(), "requested", u64(), "nwritten", s64());
        def(b, "cluster_read", "fd", s32(), "id", u64(), "start_ns", u64(), "requested", u64(), "nread", s64(), "rcvbuf_len", u64());
        def(b, "cluster_process_packet", "fd", s32(), "id", u64(), "start_ns", u64(), "sender", textArray(40), "type", u16(),
                "type_name", string(), "totlen", u32(), "link_freed", u8());
        if (!light) {
            def(b, "insert_pending_read", "fd", s32(), "id", u64());
            def(b, "end_read_client_query", "fd", s32(), "id", u64(), "start_ns", u64(), "readlen", u64(), "nread", s64(), "qbuf_len", u64());
            def(b, "call_command_start", "fd", s32(), "id", u64(), "name", string(), "argc", s32(), "depth", s32(),
                    "slot", s32());
            def(b, "end_process_command", "fd", s32(), "id", u64(), "blocked", u8());
            def(b, "insert_clientwrite_queue", "fd", s32(), "id", u64());
            def(b, "write_to_client_end", "fd", s32(), "id", u64(), "start_ns", u64(), "pending", u64(), "nwritten", s64(), "done", u8());
            def(b, "ssl_read", "fd", s32(), "id", u64(), "start_ns", u64(), "requested", u64(), "ret", s64(), "ssl_pending", s32());
            def(b, "tls_pending_add", "fd", s32(), "id", u64());
            def(b, "tls_pending_process", "fd", s32(), "id", u64());
            def(b, "handle_pending_reads_threads_start", "nclients", u32(), "io_threads", s32());
            def(b, "handle_pending_reads_threads_end", "nclients", u32());
            def(b, "handle_pending_writes_threads_start", "nclients", u32(), "io_threads", s32());
            def(b, "handle_pending_writes_threads_end", "nclients", u32());
            def(b, "before_sleep_start", "pending_writes", u32(), "pending_reads", u32(), "tls_pending", s32());
            def(b, "before_sleep_end");
            def(b, "poll_end", "start_ns", u64(), "timeout_us", s64(), "nevents", s32());
            def(b, "add_file_event", "fd", s32(), "mask", s32(), "new_mask", s32());
            def(b, "delete_file_event", "fd", s32(), "mask", s32(), "new_mask", s32());
        }
        others.forEach((name, spec) -> {
            var fields = new FieldSpec[spec.length / 2];
            for (int i = 0; i < fields.length; i++) fields[i] = FieldSpec.of((String) spec[2 * i], (FieldType) spec[2 * i + 1]);
            defs.put(name, b.event(name, fields));
        });
        w = b.open();
    }

    private void def(CtfWriter.Builder b, String name, Object... spec) {
        var fields = new FieldSpec[spec.length / 2];
        for (int i = 0; i < fields.length; i++) fields[i] = FieldSpec.of((String) spec[2 * i], (FieldType) spec[2 * i + 1]);
        defs.put(name, b.event("redis:" + name, fields));
    }

    /** Events written next come from this process. */
    public RedisTraceWriter pid(int vpid) {
        this.vpid = vpid;
        return this;
    }

    /** Events written next carry this process name (the procname context). */
    public RedisTraceWriter procname(String name) {
        this.procname = name;
        return this;
    }

    /** Raw CLOCK_MONOTONIC value (what Redis puts in start_ns) of a time in ns since the epoch. */
    public static long raw(long epochNs) { return epochNs - OFFSET_S * 1_000_000_000L; }

    /** Writes one event on the stream of cpu; values after the context, in EVENTS.md order. */
    public RedisTraceWriter ev(int cpu, long ts, int vtid, String name, Object... values) {
        var def = defs.get(name);
        if (def == null) throw new IllegalArgumentException("no event " + name + " in this layout");
        var all = new Object[values.length + 3];
        all[0] = vpid;
        all[1] = vtid;
        all[2] = procname;
        System.arraycopy(values, 0, all, 3, values.length);
        w.stream(cpu).write(def, ts, all);
        return this;
    }

    public StreamWriter stream(int cpu) { return w.stream(cpu); }

    public CtfWriter.EventDef def(String name) { return defs.get(name); }

    @Override public void close() { w.close(); }
}
