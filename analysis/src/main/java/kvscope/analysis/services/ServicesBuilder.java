package kvscope.analysis.services;

import kvscope.analysis.report.Units;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.sync.PairKind;
import kvscope.analysis.util.LongMap;
import kvscope.ctf.Event;
import kvscope.ctf.EventType;
import kvscope.ctf.Field;
import kvscope.ctf.Trace;
import kvscope.statesystem.History;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/**
 * The sink of the integration analysis, fed the same time-ordered events as the Redis model: the agent's
 * {@code nodejs:*} events become spans, Redis's {@code accept_client} says which Redis connection is which service's.
 * {@link #finish} joins them (HTTP hops, Redis links), splits every request's time into its parts and writes
 * {@code services.bin}.
 *
 * <p>Bad input never stops it: an event lacking a field the contract requires, a field out of range, a response for
 * a span never received, a reply nothing waited for — each is counted in {@link Problems} with where it was seen, and
 * what can still be used is used.
 */
public final class ServicesBuilder {
    /** Which server of the segment file a Redis event belongs to: the model decides, the links must agree. */
    @FunctionalInterface
    public interface ServerIndex {
        int of(Event e);
    }

    /** Where the services' message pairs go for the clock synchronisation: trace indexes and times as analysed. */
    @FunctionalInterface
    public interface PairSink {
        void pair(PairKind kind, int fromTrace, long send, int toTrace, long receive);
    }

    /** More commands than this in one write is not a pipeline but a garbled count: it is not expanded into calls. */
    static final long MAX_PIPELINE = 100_000;

    private interface Handler {
        void on(Event e, Proc p);
    }

    /** The handler of the provider's events this analysis has no use for: they are counted by name. */
    private static final Handler UNUSED = (e, p) -> { };

    /** One traced Node.js process: its service, its spans by id, its Redis and MariaDB connections. */
    static final class Proc {
        final int service, pid, trace;
        /** Its first event in the trace: before it, the process was not traced (a session reaches processes in turn). */
        long first = Long.MIN_VALUE;
        final LongMap<Integer> spans = new LongMap<>();
        final Set<Integer> open = new HashSet<>();
        final Map<Tuple, Conn> conns = new HashMap<>();
        final Map<Tuple, Long> connected = new HashMap<>();
        /** Sockets the agent's snapshots named, by 4-tuple: their kind (NodeSnapshot). */
        final Map<Tuple, String> named = new HashMap<>();
        /** Sockets the agent said it could not register (the most any of its snapshots said). */
        long unregistered;
        /**
         * Per Redis connection, replies the agent read before it saw any command sent on it: answers to commands sent
         * before its session reached the process (its RESP parsers do not run without one). {count, time of the
         * last, time of the first}; RedisLinks pairs them with the requests Redis had in flight then (issue #21).
         */
        final Map<Tuple, long[]> attachReplies = new HashMap<>();
        /** Whether its agent wrote a whole snapshot yet (NodeSnapshot#end). */
        boolean snapshotted;
        /**
         * Responses of requests its trace never saw begin, met before its first snapshot: held until the snapshot
         * says they began before the session, or, with none coming, reported (NodeSnapshot#settle, #flush).
         */
        Problems beforeSnapshot;

        Proc(int service, int pid, int trace) {
            this.service = service;
            this.pid = pid;
            this.trace = trace;
        }
    }

    /** A connection a service opened to Redis or MariaDB: its calls in the order they were sent (RESP is ordered). */
    static final class Conn {
        final SpanKind kind;
        final Proc proc;
        final Tuple tuple;
        final long connectedAt;
        final IntList calls = new IntList();
        /** The calls waiting for their reply, in order (MySQL commands without a response never wait). */
        final IntList pending = new IntList();
        /** The oldest call not yet answered, in {@link #pending}. */
        int head;
        boolean lost;
        /** The last call answered was a SUBSCRIBE-family command: Redis confirms each channel with a reply of its own. */
        boolean subscribing;

        Conn(SpanKind kind, Proc proc, Tuple tuple, long connectedAt) {
            this.kind = kind;
            this.proc = proc;
            this.tuple = tuple;
            this.connectedAt = connectedAt;
        }
    }

    /** A client connection Redis accepted ({@code accept_client}): who it was, on which server, fd and client id. */
    record Accepted(int server, int fd, long id, String peerAddr, int peerPort, int localPort, long at, RedisSide side) {}

    /**
     * What Redis did with a connection's commands beyond its requests: the times of the commands it processed without
     * executing them as a request (queued by MULTI, refused — MOVED, unknown command, wrong arity): RESP still
     * answers each, so they hold a place in the connection's order. From {@code end_process_command} with no
     * {@code call_command_start} before it (full profile only).
     */
    static final class RedisSide {
        final long id;
        boolean called;
        final RedisLinks.LongList unexecuted = new RedisLinks.LongList();

        RedisSide(long id) { this.id = id; }
    }

    private final AgentFields f;
    private final ServerIndex servers;
    final NodeSnapshot snapshot;
    final Spans spans = new Spans();
    final Names names = new Names();
    final Problems problems = new Problems();
    private final Handler[] handlers;
    private final Field[][] required;
    private final String[] eventNames;
    private final int acceptIndex, snapshotIndex, callStartIndex, endProcessIndex;
    /** Whether the trace has any event type of the agent at all. */
    private final boolean agentEvents;
    /** The accepted client connections open now, per segment-file server, by fd. */
    private final List<RedisSide[]> sides = new ArrayList<>();
    /**
     * Which clock each trace index is on (its host): two traces of one host share it, so RedisLinks may compare their
     * times; another host's clock may be milliseconds apart until the services' pairs have synchronised it.
     */
    IntUnaryOperator clockOf = t -> t;
    /** The trace each Redis server (segment-file index) of an accepted connection is in: its host, for the pairs. */
    final Map<Integer, Integer> serverTrace = new HashMap<>();
    private final LongMap<Proc> procs = new LongMap<>();
    final List<Proc> procList = new ArrayList<>();
    final List<Conn> conns = new ArrayList<>();
    final List<Accepted> accepted = new ArrayList<>();
    long first = Long.MIN_VALUE, last = Long.MIN_VALUE;
    /**
     * Whether Redis's side (accepted connections, unexecuted commands) is kept even without the agent's events, and
     * the first and last event then: a host model's Redis may be called by another host's services (docs/combine.md).
     */
    private boolean redisSide;
    long seenFirst = Long.MIN_VALUE, seenLast = Long.MIN_VALUE;
    /** How many traces the trace set has (their indexes are {@code 0..traces-1}). */
    final int traces;
    /** The agent events another host's builder used, by name, when this one combines hosts ({@link ServicesState}). */
    final Map<String, Long> combinedEvents = new TreeMap<>();
    /** Set while linking: each Redis call's request (null: none), the model's command names, poll starts. */
    Segment[] linked;
    List<String> segmentCommands = List.of();
    long[] pollStart;
    /** Agent events used, by event type index. */
    private final long[] used;

    public ServicesBuilder(Trace trace, ServerIndex servers) {
        this.traces = trace.traces().size();
        var hosts = new HashMap<String, Integer>();
        var clocks = new int[trace.traces().stream().mapToInt(t -> t.index() + 1).max().orElse(0)];
        for (var t : trace.traces()) clocks[t.index()] = hosts.computeIfAbsent(String.valueOf(t.host()), h -> hosts.size());
        clockOf = t -> t >= 0 && t < clocks.length ? clocks[t] : -1 - t;
        this.f = new AgentFields(trace);
        this.servers = servers;
        this.snapshot = new NodeSnapshot(this, f, trace);
        int n = trace.eventTypes().size();
        handlers = new Handler[n];
        required = new Field[n][];
        eventNames = new String[n];
        used = new long[n];
        var table = new HashMap<String, Handler>();
        table.put("http_server_receive", this::serverReceive);
        table.put("http_server_response", this::serverResponse);
        table.put("http_client_request", this::clientRequest);
        table.put("http_client_response", this::clientResponse);
        table.put("net_connect", this::netConnect);
        table.put("redis_send", this::redisSend);
        table.put("redis_reply", this::redisReply);
        table.put("mysql_send", this::mysqlSend);
        table.put("mysql_reply", this::mysqlReply);
        table.put("stream_unparsed", this::unparsed);
        table.put("agent_error", this::agentError);
        table.put("snapshot_start", snapshot::start);
        table.put("snapshot_socket", snapshot::socket);
        table.put("snapshot_request", snapshot::request);
        table.put("snapshot_end", snapshot::end);
        for (var type : trace.eventTypes()) {
            if (!type.name().startsWith(AgentFields.PROVIDER) || type.index() < 0 || type.index() >= n) continue;
            var name = type.name().substring(AgentFields.PROVIDER.length());
            eventNames[type.index()] = name;
            var h = table.get(name);
            // An event of the provider this analysis does not know (a newer agent): counted, not an error.
            handlers[type.index()] = h != null ? h : UNUSED;
            required[type.index()] = AgentFields.handles(trace, name);
        }
        agentEvents = trace.eventTypes().stream().anyMatch(t -> t.name().startsWith(AgentFields.PROVIDER));
        acceptIndex = index(trace, "redis:accept_client");
        snapshotIndex = index(trace, "redis:snapshot_client");
        callStartIndex = index(trace, "redis:call_command_start");
        endProcessIndex = index(trace, "redis:end_process_command");
    }

    /** A builder of several hosts' services, filled from what each host's model exported ({@link ServicesState}). */
    ServicesBuilder(boolean snapshotsDeclared) {
        traces = 0;
        f = null;
        servers = null;
        snapshot = new NodeSnapshot(this, snapshotsDeclared);
        handlers = new Handler[0];
        required = new Field[0][];
        eventNames = new String[0];
        used = new long[0];
        agentEvents = false;
        acceptIndex = snapshotIndex = callStartIndex = endProcessIndex = -1;
    }

    /**
     * Keeps Redis's side of the connections (who connected, what Redis did not execute) even when the trace has no
     * event of the agent: the services calling this Redis may be on another host, whose model is combined with this
     * one's (docs/combine.md). Costs a test of the event type per event.
     */
    public void keepRedisSide() { redisSide = true; }

    /** Whether the trace has any event type of the agent. */
    boolean agentEvents() { return agentEvents; }

    private static int index(Trace trace, String name) {
        var t = trace.eventType(name);
        return t.exists() ? t.index() : -1;
    }

    /** Whether the integration reads events of this type (the model then does not count them as unknown). */
    public boolean reads(EventType type) {
        int i = type.index();
        return i >= 0 && i < handlers.length && handlers[i] != null;
    }

    /** Agent events used, by name. */
    Map<String, Long> events() {
        var out = new TreeMap<String, Long>();
        for (int i = 0; i < used.length; i++) {
            if (used[i] > 0) out.put("nodejs:" + eventNames[i] + (handlers[i] == UNUSED ? " (not used by this kvscope)" : ""), used[i]);
        }
        combinedEvents.forEach((k, n) -> out.merge(k, n, Long::sum));
        return out;
    }

    /** Applies one event of the time-ordered iteration (after the model did). */
    public void accept(Event e) {
        // A trace without the agent's events (Redis alone) costs this one test per event.
        if (!agentEvents) {
            if (redisSide) redisOnly(e);
            return;
        }
        if (first == Long.MIN_VALUE) first = e.timestamp();
        last = Math.max(last, e.timestamp());
        if (e.isLost()) {
            lost(e);
            return;
        }
        int i = e.type().index();
        if (i == acceptIndex || i == snapshotIndex) {
            accepted(e, i == snapshotIndex);
            return;
        }
        if (i == callStartIndex || i == endProcessIndex) {
            processed(e, i == callStartIndex);
            return;
        }
        if (i < 0 || i >= handlers.length) return;
        var h = handlers[i];
        if (h == null) return;
        if (h == UNUSED) {
            used[i]++;
            return;
        }
        var missing = AgentFields.missing(e, required[i]);
        if (missing != null) {
            problems.add("nodejs:" + eventNames[i] + " events without " + missing + " (an agent of another version?): "
                    + "not used", () -> "at " + Units.offset(e.timestamp(), first));
            return;
        }
        used[i]++;
        h.on(e, proc(e));
    }

    /** An event of a trace without the agent's: only Redis's side of the connections is kept. */
    private void redisOnly(Event e) {
        if (seenFirst == Long.MIN_VALUE) seenFirst = e.timestamp();
        seenLast = Math.max(seenLast, e.timestamp());
        if (e.isLost()) return;
        int i = e.type().index();
        if (i == acceptIndex || i == snapshotIndex) accepted(e, i == snapshotIndex);
        else if (i == callStartIndex || i == endProcessIndex) processed(e, i == callStartIndex);
    }

    private Proc proc(Event e) {
        int pid = (int) e.getLong(f.pid);
        int ti = e.trace().index();
        long key = ((long) ti << 32) | (pid & 0xFFFFFFFFL);
        var p = procs.get(key);
        if (p == null) {
            var service = e.getString(f.service);
            if (service == null || service.isBlank()) {
                service = "pid " + pid;
                problems.add("processes whose events name no service (KVSCOPE_SERVICE, package.json): shown as "
                        + "\"pid N\"", 1, service + " at " + Units.offset(e.timestamp(), first));
            }
            p = new Proc(names.id(service), pid, ti);
            p.first = e.timestamp();
            procs.put(key, p);
            procList.add(p);
        }
        return p;
    }

    /** "+1.234567s gateway (pid 812)": where an event was, for the problem lists. */
    private String where(Event e, Proc p) {
        return Units.offset(e.timestamp(), first) + " " + (p == null ? "" : names.get(p.service) + " (pid " + p.pid + ")");
    }

    Tuple tuple(Event e, Proc p, int span) {
        int sp = Tuple.port(e.getLong(f.srcPort)), dp = Tuple.port(e.getLong(f.dstPort));
        if (sp < 0 || dp < 0) {
            problems.add("events with a port outside 0..65535: their connection is not joined", () -> where(e, p)
                    + " " + e.name() + " src_port " + e.getLong(f.srcPort) + " dst_port " + e.getLong(f.dstPort));
            if (span >= 0) spans.flag(span, Spans.GARBLED);
        }
        var src = Tuple.address(e.getString(f.srcAddr));
        var dst = Tuple.address(e.getString(f.dstAddr));
        return new Tuple(src.isEmpty() ? -1 : names.id(src), Math.max(0, sp), dst.isEmpty() ? -1 : names.id(dst), Math.max(0, dp));
    }

    void setTuple(int i, Tuple t) {
        spans.srcAddr[i] = t.srcAddr();
        spans.srcPort[i] = t.srcPort();
        spans.dstAddr[i] = t.dstAddr();
        spans.dstPort[i] = t.dstPort();
    }

    int str(Event e, Field field) {
        if (!e.has(field)) return -1;
        var s = e.getString(field);
        return s == null || s.isEmpty() ? -1 : names.id(s);
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    private void serverReceive(Event e, Proc p) {
        long id = e.getLong(f.span);
        if (id == 0) {
            problems.add("HTTP requests received without a span id: not used", () -> where(e, p));
            return;
        }
        var old = p.spans.get(id);
        if (old != null && spans.end[old] == Spans.UNKNOWN) {
            problems.add("span ids reused while the span was in flight (the first one stays unanswered)",
                    () -> where(e, p) + " span " + Long.toUnsignedString(id));
        }
        int i = spans.add(SpanKind.SERVER, p.service, p.pid, p.trace, id, 0, e.timestamp());
        spans.method[i] = str(e, f.method);
        spans.path[i] = str(e, f.path);
        setTuple(i, tuple(e, p, i));
        p.spans.put(id, i);
        p.open.add(i);
    }

    private void serverResponse(Event e, Proc p) {
        long id = e.getLong(f.span);
        var i = p.spans.get(id);
        if (i == null || spans.kind(i) != SpanKind.SERVER) {
            snapshot.orphan(p, NodeSnapshot.RESPONSE_NOT_RECEIVED, () -> where(e, p) + " span " + Long.toUnsignedString(id));
            return;
        }
        if (spans.end[i] != Spans.UNKNOWN) {
            problems.add("HTTP requests answered twice: the first answer is kept", () -> where(e, p) + " span "
                    + Long.toUnsignedString(id));
            return;
        }
        spans.end[i] = e.timestamp();
        p.open.remove(i);
        long status = e.getLong(f.status);
        if (status < 100 || status > 599) {
            spans.flag(i, Spans.GARBLED);
            problems.add("HTTP responses with a status outside 100..599", () -> where(e, p) + " status " + status);
        }
        spans.status[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, status));
        if (e.has(f.bytes)) spans.bytes[i] = e.getLong(f.bytes);
        spans.route[i] = str(e, f.route);
        if (e.has(f.aborted) && e.getLong(f.aborted) != 0) spans.flag(i, Spans.ABORTED);
    }

    private void clientRequest(Event e, Proc p) {
        long id = e.getLong(f.span);
        if (id == 0) {
            problems.add("HTTP requests sent without a span id: not used", () -> where(e, p));
            return;
        }
        int i = spans.add(SpanKind.CLIENT, p.service, p.pid, p.trace, id, e.getLong(f.parent), e.timestamp());
        if (spans.parentSpanId[i] == 0) topLevel[0]++;
        spans.method[i] = str(e, f.method);
        spans.path[i] = str(e, f.path);
        spans.name[i] = str(e, f.host);
        if (e.has(f.srcPort) && e.has(f.dstPort) && e.has(f.srcAddr) && e.has(f.dstAddr)) setTuple(i, tuple(e, p, i));
        spans.parent[i] = parentOf(e, p, spans.parentSpanId[i]);
        p.spans.put(id, i);
        p.open.add(i);
    }

    private void clientResponse(Event e, Proc p) {
        long id = e.getLong(f.span);
        var i = p.spans.get(id);
        if (i == null || spans.kind(i) != SpanKind.CLIENT) {
            snapshot.orphan(p, NodeSnapshot.RESPONSE_NOT_SENT, () -> where(e, p) + " span " + Long.toUnsignedString(id));
            return;
        }
        if (spans.end[i] != Spans.UNKNOWN) {
            problems.add("HTTP client requests that ended twice: the first end is kept", () -> where(e, p));
            return;
        }
        spans.end[i] = e.timestamp();
        p.open.remove(i);
        spans.status[i] = (int) e.getLong(f.status);
        if (e.has(f.bytes)) spans.bytes[i] = e.getLong(f.bytes);
        var t = tuple(e, p, i);
        // The response always has the tuple (EVENTS.md); the request's may have been partial.
        if (t.srcPort() > 0 || t.srcAddr() >= 0) setTuple(i, t);
        int err = str(e, f.error);
        if (err >= 0) {
            spans.error[i] = err;
            spans.flag(i, Spans.ERROR);
        }
    }

    /**
     * Calls (HTTP, Redis, MySQL) whose event names no parent span: made outside any request's handler (a connection's
     * setup, a timer), or where the agent could not follow the request's context (instrument/node/lib/context.js
     * says which callbacks it follows). Counted, so that a context lost is seen, not taken for top-level work.
     */
    final long[] topLevel = new long[3];

    /** The server span whose handler made a call, by the id the agent gave (0: made at top level). */
    int parentOf(Event e, Proc p, long parentId) {
        if (parentId == 0) return -1;
        var i = p.spans.get(parentId);
        if (i == null || spans.kind(i) != SpanKind.SERVER) {
            problems.add("calls whose parent span was never received (the trace started inside it, or a garbled id): "
                    + "shown at top level", () -> where(e, p) + " " + e.name() + " parent " + Long.toUnsignedString(parentId));
            return -1;
        }
        return i;
    }

    // ------------------------------------------------------------------------------------------------ Redis, MariaDB

    private void netConnect(Event e, Proc p) {
        var t = tuple(e, p, -1);
        if (t.complete()) p.connected.put(t, e.timestamp());
    }

    private Conn conn(Event e, Proc p, SpanKind kind) {
        var t = tuple(e, p, -1);
        var c = p.conns.get(t);
        if (c == null) {
            c = new Conn(kind, p, t, p.connected.getOrDefault(t, e.timestamp()));
            p.conns.put(t, c);
            conns.add(c);
        } else if (c.kind != kind) {
            problems.add("connections that carried both Redis and MySQL traffic: the second kind is not used",
                    () -> where(e, p) + " " + e.name());
            return null;
        }
        return c;
    }

    private void redisSend(Event e, Proc p) {
        var c = conn(e, p, SpanKind.REDIS);
        if (c == null) return;
        long claimed = e.getLong(f.ncommands) & 0xFFFFFFFFL;
        if (claimed == 0) return; // the write completed no command: a command split across writes, counted by the next one
        if (claimed > MAX_PIPELINE) {
            problems.add("Redis writes claiming more than " + MAX_PIPELINE + " commands: counted as one",
                    () -> where(e, p) + " ncommands " + claimed);
        }
        long n = claimed > MAX_PIPELINE ? 1 : claimed;
        long span = e.getLong(f.span);
        if (span == 0) topLevel[1] += n;
        int parent = parentOf(e, p, span);
        int cmd = str(e, f.command);
        long bytes = e.has(f.bytes) ? e.getLong(f.bytes) : 0;
        for (long k = 0; k < n; k++) {
            int i = spans.add(SpanKind.REDIS, p.service, p.pid, p.trace, 0, span, e.timestamp());
            spans.parent[i] = parent;
            // Only the first command of a write is named (EVENTS.md); the others are linked by their position.
            if (k == 0) {
                spans.name[i] = cmd;
                spans.bytes[i] = bytes;
            } else {
                spans.flag(i, Spans.BY_ORDER);
            }
            setTuple(i, c.tuple);
            if (c.lost) spans.flag(i, Spans.LOST);
            c.calls.add(i);
            c.pending.add(i);
        }
    }

    private void redisReply(Event e, Proc p) {
        var t = tuple(e, p, -1);
        var c = p.conns.get(t);
        if (c == null || c.kind != SpanKind.REDIS || c.calls.size == 0) {
            long n = e.getLong(f.nreplies) & 0xFFFFFFFFL;
            if (e.has(f.pushes) && e.getLong(f.pushes) > 0 && n == 0) return;
            if (c != null && c.kind != SpanKind.REDIS) {
                problems.add("Redis replies on a connection no command was seen sent on (the trace started after it)",
                        () -> where(e, p));
                return;
            }
            // Answers to commands sent before the agent's session: kept for RedisLinks, which finds their requests.
            if (n == 0) return; // part of a reply: the event that completes it counts it
            var early = p.attachReplies.computeIfAbsent(t, k -> new long[] {0, 0, e.timestamp()});
            early[0] += n;
            early[1] = e.timestamp();
            return;
        }
        long n = e.getLong(f.nreplies) & 0xFFFFFFFFL;
        long errors = e.has(f.errors) ? e.getLong(f.errors) & 0xFFFFFFFFL : 0;
        for (long k = 0; k < n; k++) {
            if (c.head >= c.pending.size) {
                long extra = n - k;
                if (c.subscribing) {
                    confirmations += extra; // one per channel after the first (EVENTS.md)
                } else {
                    problems.add("Redis replies no command was waiting for (answers to commands sent before the "
                            + "recording started, or a garbled count)", extra, where(e, p) + " " + extra + " of " + n);
                }
                break;
            }
            int i = c.pending.get(c.head++);
            spans.end[i] = e.timestamp();
            var name = spans.name[i] < 0 ? null : names.get(spans.name[i]);
            c.subscribing = name != null && SUBSCRIBING.contains(name);
            // Which replies of a chunk were errors is not said; all of them were when the counts agree. The call keeps
            // the count of its chunk's errors (its status), to be read with what Redis did with it.
            if (errors >= n) spans.flag(i, Spans.ERROR);
            spans.status[i] = (int) Math.min(Integer.MAX_VALUE, errors);
        }
    }

    /** Commands Redis answers with one reply per channel (RESP2 confirmations, which are not pushes). */
    private static final Set<String> SUBSCRIBING = Set.of("subscribe", "psubscribe", "ssubscribe", "unsubscribe",
            "punsubscribe", "sunsubscribe");
    /** Replies that confirmed a SUBSCRIBE-family command's further channels. */
    long confirmations;

    private void mysqlSend(Event e, Proc p) {
        var c = conn(e, p, SpanKind.MARIADB);
        if (c == null) return;
        long span = e.getLong(f.span);
        if (span == 0) topLevel[2]++;
        int i = spans.add(SpanKind.MARIADB, p.service, p.pid, p.trace, 0, span, e.timestamp());
        spans.parent[i] = parentOf(e, p, span);
        spans.name[i] = str(e, f.command);
        if (e.has(f.bytes)) spans.bytes[i] = e.getLong(f.bytes);
        setTuple(i, c.tuple);
        if (c.lost) spans.flag(i, Spans.LOST);
        c.calls.add(i);
        var name = spans.name[i] < 0 ? "" : names.get(spans.name[i]);
        // The protocol answers these with nothing (EVENTS.md): they end when they are sent.
        if (NO_RESPONSE.contains(name)) spans.end[i] = e.timestamp();
        else c.pending.add(i);
    }

    private static final Set<String> NO_RESPONSE = Set.of("quit", "stmt_close", "stmt_send_long_data");
    /** MySQL replies that came first on their connection: to commands sent before the agent's session. */
    long mysqlInFlightAtAttach;

    private void mysqlReply(Event e, Proc p) {
        var c = p.conns.get(tuple(e, p, -1));
        if (c == null) {
            // The first event of its connection: the answer to a command sent before the agent's session (the agent
            // follows a response that starts after it: instrument/node/EVENTS.md). MariaDB is not traced: no call to pair.
            mysqlInFlightAtAttach++;
            return;
        }
        if (c.kind != SpanKind.MARIADB) {
            problems.add("MySQL replies on a connection no command was seen sent on", () -> where(e, p));
            return;
        }
        if (c.head >= c.pending.size) {
            problems.add("MySQL replies no command was waiting for", () -> where(e, p));
            return;
        }
        int i = c.pending.get(c.head++);
        spans.end[i] = e.timestamp();
        if (e.has(f.ok) && e.getLong(f.ok) == 0) spans.flag(i, Spans.ERROR);
        if (e.has(f.rows)) spans.status[i] = (int) Math.min(Integer.MAX_VALUE, e.getLong(f.rows) & 0xFFFFFFFFL);
    }

    /**
     * Bytes the agent could not follow on a Redis or MySQL connection (EVENTS.md): it finds its place again at the
     * next command, but the replies around them may pair with the wrong calls — their times are suspect.
     */
    private void unparsed(Event e, Proc p) {
        var c = p.conns.get(tuple(e, p, -1));
        if (c != null) for (int k = c.head; k < c.pending.size; k++) spans.flag(c.pending.get(k), Spans.LOST);
        var protocol = e.has(f.protocol) ? e.getString(f.protocol) : "?";
        var direction = e.has(f.direction) ? e.getString(f.direction) : "?";
        long bytes = e.has(f.bytes) ? e.getLong(f.bytes) : 0;
        problems.add("bytes the agent could not follow on Redis or MySQL connections (the calls around them may be "
                + "paired with the wrong replies)", () -> where(e, p) + " " + protocol + " " + direction + " " + bytes
                + " bytes: " + (e.has(f.reason) ? e.getString(f.reason) : "?"));
    }

    /** An exception the agent caught in one of its hooks: the events that hook should have emitted may be missing. */
    private void agentError(Event e, Proc p) {
        problems.add("exceptions inside the agent's hooks (the events they should have emitted may be missing)",
                () -> where(e, p) + " in " + (e.has(f.where) ? e.getString(f.where) : "?") + ": "
                        + (e.has(f.message) ? e.getString(f.message) : "?"));
    }

    /**
     * accept_client, or a client of a snapshot (snapshot_client, the same fields): a connection that existed before
     * the recording started, accepted "before anything" for the linking (RedisLinks takes the latest accept before a
     * call). A snapshot repeats what an accept or an earlier snapshot said already: the first word stays.
     */
    private void accepted(Event e, boolean snapshot) {
        if (!e.has(f.peerPort) || !e.has(f.localPort) || !e.has(f.peerAddr) || !e.has(f.acceptId)) return;
        if (e.has(f.acceptType) && !"client".equals(e.getString(f.acceptType))) return;
        int peerPort = Tuple.port(e.getLong(f.peerPort)), localPort = Tuple.port(e.getLong(f.localPort));
        if (peerPort <= 0 || localPort <= 0) return; // a unix socket: no service reaches Redis that way here
        if (!e.has(f.acceptFd)) return;
        int server = servers.of(e), fd = (int) e.getLong(f.acceptFd);
        long id = e.getLong(f.acceptId);
        if (server >= 0) serverTrace.putIfAbsent(server, e.trace().index());
        var side = new RedisSide(id);
        if (server >= 0 && fd >= 0 && fd < MAX_FD) {
            while (sides.size() <= server) sides.add(new RedisSide[64]);
            var byFd = sides.get(server);
            if (fd >= byFd.length) sides.set(server, byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2)));
            if (snapshot && byFd[fd] != null && byFd[fd].id == id) return;
            byFd[fd] = side;
        } else if (snapshot) {
            return;
        }
        accepted.add(new Accepted(server, fd, id, Tuple.address(e.getString(f.peerAddr)), peerPort, localPort,
                snapshot ? Long.MIN_VALUE : e.timestamp(), side));
    }

    /** Fds above this are not followed for unexecuted commands (no real Redis has that many clients). */
    private static final int MAX_FD = 1 << 20;

    /** call_command_start (top level) or end_process_command on an accepted client connection. */
    private void processed(Event e, boolean callStart) {
        if (sides.isEmpty() || !e.has(f.acceptFd)) return;
        int server = servers.of(e);
        if (server < 0 || server >= sides.size()) return;
        var byFd = sides.get(server);
        long fd = e.getLong(f.acceptFd);
        if (fd < 0 || fd >= byFd.length) return;
        var side = byFd[(int) fd];
        if (side == null || !e.has(f.acceptId) || e.getLong(f.acceptId) != side.id) return;
        if (callStart) {
            if (!e.has(f.depth) || e.getLong(f.depth) == 0) side.called = true;
        } else {
            if (!side.called) side.unexecuted.add(e.timestamp());
            side.called = false;
        }
    }

    /** Events were discarded: whatever was in flight in the services of that trace may have lost its end. */
    private void lost(Event e) {
        int ti = e.trace().index();
        long affected = 0;
        for (var p : procList) {
            if (p.trace != ti) continue;
            for (int i : p.open) spans.flag(i, Spans.LOST);
            affected += p.open.size();
            for (var c : p.conns.values()) {
                c.lost = true;
                for (int k = c.head; k < c.pending.size; k++) spans.flag(c.pending.get(k), Spans.LOST);
                affected += c.pending.size - c.head;
            }
        }
        if (affected > 0) problems.add("spans in flight when the tracer discarded events (their times may be wrong)",
                affected, "at " + Units.offset(e.timestamp(), first));
    }

    // ------------------------------------------------------------------------------------------------ finish

    /**
     * Joins and stores: HTTP hops, Redis links against the model's segments (finished, readable), each server span's
     * time split into parts; writes {@code file} (complete when this returns) and says what it found.
     */
    public ServicesSummary finish(SegmentFile segments, History history, Path file) throws IOException {
        for (int i = 0; i < spans.size; i++) {
            if (spans.end[i] != Spans.UNKNOWN) continue;
            spans.flag(i, Spans.UNFINISHED);
            final int s = i;
            problems.add(switch (spans.kind(i)) {
                case SERVER -> "HTTP requests never answered (the service stopped, or the trace ended first)";
                case CLIENT -> "HTTP calls that never ended (the caller stopped, or the trace ended first)";
                case REDIS -> "Redis calls never answered (the caller stopped, or the trace ended first)";
                case MARIADB -> "MySQL calls never answered (the caller stopped, or the trace ended first)";
            }, () -> Units.offset(spans.start[s], first) + " " + names.get(spans.service[s]) + " (pid " + spans.pid[s] + ")"
                    + describe(s));
        }
        var stats = new TreeMap<String, Long>();
        snapshot.finish(stats);
        if (confirmations > 0) stats.put("redis subscription confirmations (a reply per further channel)", confirmations);
        if (mysqlInFlightAtAttach > 0) {
            stats.put("mysql replies to commands sent before the recording (in flight when it started)", mysqlInFlightAtAttach);
        }
        String[] kinds = {"http", "redis", "mysql"};
        for (int k = 0; k < kinds.length; k++) {
            if (topLevel[k] > 0) {
                stats.put(kinds[k] + " calls with no parent span (outside any request, or its context not followed)",
                        topLevel[k]);
            }
        }
        Hops.match(this, stats);
        RedisLinks.link(this, segments, history, stats);
        for (var p : procList) {
            p.attachReplies.forEach((t, early) -> problems.add("Redis replies on a connection before any command was seen "
                            + "sent on it, with no request Redis had in flight then to answer (the trace started after it)",
                    early[0], Units.offset(early[2], first) + " " + names.get(p.service) + " (pid " + p.pid + ")"));
        }
        var parts = Attribution.of(this, segments);
        return ServicesWriter.write(file, this, parts, stats);
    }

    /**
     * After {@link #finish}: the message pairs between hosts its joins give (a Redis call and its request, an HTTP
     * exchange), for the clock synchronisation ({@link SyncPairs}).
     */
    public void syncPairs(PairSink sink) { SyncPairs.of(this, sink); }

    /** " GET /users/7" or " redis get": what a span was, for the problem lists. */
    String describe(int i) {
        var sb = new StringBuilder();
        switch (spans.kind(i)) {
            case SERVER, CLIENT -> sb.append(' ').append(names.get(spans.method[i])).append(' ').append(names.get(spans.path[i]));
            case REDIS, MARIADB -> sb.append(' ').append(spans.kind(i).label()).append(' ')
                    .append(spans.name[i] < 0 ? "?" : names.get(spans.name[i]));
        }
        return sb.toString();
    }

    long first() { return first; }

    long last() { return last; }
}
