package kvscope.analysis.synthetic;

import kvscope.ctf.write.StreamWriter;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static kvscope.analysis.synthetic.RedisTraceWriter.raw;
import static kvscope.ctf.write.FieldType.*;

/**
 * Writes one trace holding an instrumented Redis (full profile) and Node.js services, in the exact event layout of
 * both providers (instrument/redis/EVENTS.md, instrument/node/EVENTS.md), as one LTTng session records them: tests of
 * the integration state every event of a request's path through the services down into Redis and check each span,
 * hop, link and part it must produce.
 *
 * <pre>{@code
 * var gw = new Conn("127.0.0.1", 40000, "127.0.0.1", 3000);
 * try (var w = new ServicesTraceWriter(dir, "h1", 100)) {
 *     w.receive(T0, 300, "gateway", 1, "GET", "/users/7", gw);
 *     w.respond(T0 + 5_000_000, 300, "gateway", 1, 200, "/users/:id");
 * }
 * }</pre>
 */
public final class ServicesTraceWriter implements AutoCloseable {
    /** A TCP connection as the agent names it: who opened it (src) and who accepted it (dst). */
    public record Conn(String src, int srcPort, String dst, int dstPort) {}

    /** The nodejs provider's events, fields after the context (EVENTS.md, in order). */
    public static final Map<String, Object[]> NODE_EVENTS = new LinkedHashMap<>();

    static {
        Object[] tuple = {"src_addr", string(), "src_port", s32(), "dst_addr", string(), "dst_port", s32()};
        node("http_server_receive", new Object[] {"span", u64(), "fd", s32(), "method", string(), "path", string()}, tuple);
        node("http_server_response", new Object[] {"span", u64(), "status", s32(), "bytes", u64(), "route", string(), "aborted", u8()});
        node("http_client_request", new Object[] {"span", u64(), "parent", u64(), "fd", s32(), "method", string(),
                "host", string(), "path", string()}, tuple);
        node("http_client_response", new Object[] {"span", u64(), "parent", u64(), "status", s32(), "bytes", u64()}, tuple,
                new Object[] {"error", string()});
        node("net_connect", new Object[] {"span", u64(), "fd", s32()}, tuple);
        node("redis_send", new Object[] {"span", u64(), "fd", s32()}, tuple,
                new Object[] {"command", string(), "ncommands", u32(), "bytes", u64()});
        node("redis_reply", new Object[] {"fd", s32()}, tuple,
                new Object[] {"nreplies", u32(), "errors", u32(), "pushes", u32(), "bytes", u64()});
        node("mysql_send", new Object[] {"span", u64(), "fd", s32()}, tuple, new Object[] {"command", string(), "bytes", u64()});
        node("mysql_reply", new Object[] {"fd", s32()}, tuple, new Object[] {"ok", u8(), "rows", u32(), "bytes", u64()});
        node("stream_unparsed", new Object[] {"fd", s32()}, tuple, new Object[] {"protocol", string(), "direction", string(),
                "reason", string(), "bytes", u64()});
        node("agent_error", new Object[] {"where", string(), "message", string(), "count", u64()});
    }

    private static void node(String name, Object[]... parts) {
        int n = 4;
        for (var p : parts) n += p.length;
        var all = new Object[n];
        all[0] = "service";
        all[1] = string();
        all[2] = "pid";
        all[3] = s32();
        int k = 4;
        for (var p : parts) for (var x : p) all[k++] = x;
        NODE_EVENTS.put("nodejs:" + name, all);
    }

    private final RedisTraceWriter w;
    private final int redisPid;

    public ServicesTraceWriter(Path dir, String hostname, int redisPid) {
        this(dir, hostname, redisPid, NODE_EVENTS);
    }

    /** With another layout of the agent's events (tests of an agent whose events lack fields). */
    public ServicesTraceWriter(Path dir, String hostname, int redisPid, Map<String, Object[]> nodeEvents) {
        this(dir, hostname, redisPid, nodeEvents, false);
    }

    /** @param light Redis in the light profile's layout (commands in batches; no read, write or event-loop events) */
    public ServicesTraceWriter(Path dir, String hostname, int redisPid, Map<String, Object[]> nodeEvents, boolean light) {
        this.w = new RedisTraceWriter(dir, hostname, redisPid, light, nodeEvents);
        this.redisPid = redisPid;
    }

    /** A Redis event on the server's main thread (EVENTS.md field order after the context). */
    public ServicesTraceWriter redis(long ts, String event, Object... values) {
        w.pid(redisPid).procname("redis-server").ev(0, ts, redisPid, event, values);
        return this;
    }

    /** An event of the agent: {@code service} and {@code pid} first, then the event's own fields. */
    public ServicesTraceWriter node(long ts, int pid, String service, String event, Object... values) {
        var all = new Object[values.length + 2];
        all[0] = service;
        all[1] = pid;
        System.arraycopy(values, 0, all, 2, values.length);
        w.pid(pid).procname("node").ev(1, ts, pid, "nodejs:" + event, all);
        return this;
    }

    public ServicesTraceWriter receive(long ts, int pid, String service, long span, String method, String path, Conn c) {
        return node(ts, pid, service, "http_server_receive", span, 20, method, path, c.src(), c.srcPort(), c.dst(), c.dstPort());
    }

    public ServicesTraceWriter respond(long ts, int pid, String service, long span, int status, String route) {
        return node(ts, pid, service, "http_server_response", span, status, 100L, route, 0);
    }

    public ServicesTraceWriter call(long ts, int pid, String service, long span, long parent, String method, String path, Conn c) {
        return node(ts, pid, service, "http_client_request", span, parent, 21, method, c.dst(), path, c.src(), c.srcPort(),
                c.dst(), c.dstPort());
    }

    public ServicesTraceWriter answered(long ts, int pid, String service, long span, long parent, int status, Conn c) {
        return node(ts, pid, service, "http_client_response", span, parent, status, 100L, c.src(), c.srcPort(), c.dst(),
                c.dstPort(), "");
    }

    public ServicesTraceWriter redisSend(long ts, int pid, String service, long span, Conn c, String command, int n) {
        return node(ts, pid, service, "redis_send", span, 22, c.src(), c.srcPort(), c.dst(), c.dstPort(), command, n, 30L);
    }

    public ServicesTraceWriter redisReply(long ts, int pid, String service, Conn c, int n) {
        return node(ts, pid, service, "redis_reply", 22, c.src(), c.srcPort(), c.dst(), c.dstPort(), n, 0, 0, 5L);
    }

    public ServicesTraceWriter mysqlSend(long ts, int pid, String service, long span, Conn c, String command) {
        return node(ts, pid, service, "mysql_send", span, 23, c.src(), c.srcPort(), c.dst(), c.dstPort(), command, 40L);
    }

    public ServicesTraceWriter mysqlReply(long ts, int pid, String service, Conn c, boolean ok) {
        return node(ts, pid, service, "mysql_reply", 23, c.src(), c.srcPort(), c.dst(), c.dstPort(), ok ? 1 : 0, 1, 60L);
    }

    /** Redis accepts a client connection on fd (client id {@code id}): the peer is the connection's src. */
    public ServicesTraceWriter accept(long ts, int fd, long id, Conn c) {
        return redis(ts, "accept_client", fd, id, "client", 1, 0, c.src(), c.srcPort(), c.dstPort());
    }

    /**
     * One request inside Redis, every phase at the given times (full profile): the poll that saw its bytes ends at
     * {@code readable}, read [readStart, readEnd], executed [commandStart, commandEnd], written [writeStart, writeEnd].
     */
    public ServicesTraceWriter request(int fd, long id, String command, long pollStart, long readable, long readStart,
                                       long readEnd, long commandStart, long commandEnd, long writeStart, long writeEnd) {
        redis(pollStart, "before_sleep_end");
        redis(readable, "poll_end", raw(pollStart), 100_000L, 1);
        redis(readEnd, "end_read_client_query", fd, id, raw(readStart), 16384L, 30L, 30L);
        redis(commandStart, "call_command_start", fd, id, command, 2, 0, -1);
        redis(commandEnd, "call_command_end", fd, id, command, raw(commandStart), commandEnd - commandStart, 0L, 0);
        redis(commandEnd + 1, "end_process_command", fd, id, 0);
        redis(writeEnd, "write_to_client_end", fd, id, raw(writeStart), 5L, 5L, 1);
        return this;
    }

    public ServicesTraceWriter serverInfo(long ts, int port) {
        return redis(ts, "server_info", port, 0, 0, 0, 1, 0, 0, 0L, 0L, 1_000_000L, "master", 1, "");
    }

    /** The stream of a cpu (Redis writes on 0, the agent on 1): to count events as discarded there. */
    public StreamWriter stream(int cpu) { return w.stream(cpu); }

    @Override public void close() { w.close(); }
}
