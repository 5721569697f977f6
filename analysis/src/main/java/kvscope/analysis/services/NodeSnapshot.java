package kvscope.analysis.services;

import kvscope.analysis.report.Units;
import kvscope.analysis.services.ServicesBuilder.Proc;
import kvscope.ctf.Event;
import kvscope.ctf.Trace;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The agent's snapshot (instrument/node/EVENTS.md, "Snapshot"): what a Node.js process had open and in flight when
 * the session started, and again every 10 s. An HTTP request (or outgoing call) in flight at a snapshot that the
 * trace did not see begin becomes a span of its own, started when the agent says it was received or issued and
 * flagged {@link Spans#BEFORE}; its end comes as usual by its span id. Every socket a snapshot lists is named with
 * its kind; the Redis and MySQL connections the trace met mid-life (no {@code net_connect} in it) that no snapshot
 * named are counted and listed as a problem, so a trace cut before the next snapshot says what it could not name.
 */
final class NodeSnapshot {
    private final ServicesBuilder b;
    private final AgentFields f;
    private final Trace trace;
    /** Whether the agent that recorded the trace writes snapshots at all (an older one, a hand-made trace: no). */
    final boolean declared;
    /** Sockets named by a snapshot, by kind (distinct per process and 4-tuple). */
    final Map<String, Long> namedByKind = new TreeMap<>();
    long requestsBefore, callsBefore, snapshots;
    /** Responses (server, client) of requests a process's trace never saw begin, met before its first snapshot. */
    long responsesBefore, clientResponsesBefore;

    static final String RESPONSE_NOT_RECEIVED = "HTTP responses for a request never received (the trace started inside "
            + "it, or a garbled span id)";
    static final String RESPONSE_NOT_SENT = "HTTP client responses for a request never sent (the trace started inside "
            + "it, or a garbled span id)";

    NodeSnapshot(ServicesBuilder b, AgentFields f, Trace trace) {
        this.b = b;
        this.f = f;
        this.trace = trace;
        this.declared = trace.eventType(AgentFields.PROVIDER + "snapshot_socket").exists();
    }

    /** Of a builder combining hosts' exported services: no trace, its counts added from theirs. */
    NodeSnapshot(ServicesBuilder b, boolean declared) {
        this.b = b;
        this.f = null;
        this.trace = null;
        this.declared = declared;
    }

    /**
     * A response whose request the process's trace never saw begin. Before the process's first snapshot that is the
     * trace starting inside it: the request began before the session (then the snapshot would have named it, had it
     * still been in flight), or while LTTng-UST had switched the process's events on but not yet marked its session
     * active, which drops events uncounted (Profile.SNAPSHOT_TRIGGERS in the cli: AttachedInFlightTest lost one
     * receive that way in a full run). After it, every request in flight is known: a garbled id or a lost event.
     */
    void orphan(Proc p, String what, Supplier<String> where) {
        if (!declared || p.snapshotted) {
            b.problems.add(what, where);
            return;
        }
        if (p.beforeSnapshot == null) p.beforeSnapshot = new Problems();
        p.beforeSnapshot.add(what, where);
    }

    /** The process's first whole snapshot: what it held back began before the session. */
    private void settle(Proc p) {
        p.snapshotted = true;
        if (p.beforeSnapshot == null) return;
        for (var x : p.beforeSnapshot.all()) {
            if (x.what().equals(RESPONSE_NOT_RECEIVED)) responsesBefore += x.count();
            else clientResponsesBefore += x.count();
        }
        p.beforeSnapshot = null;
    }

    /** What is still held back (processes that wrote no snapshot): reported as problems after all. */
    void flush() {
        for (var p : b.procList) {
            if (p.beforeSnapshot == null) continue;
            for (var x : p.beforeSnapshot.all()) b.problems.add(x);
            p.beforeSnapshot = null;
        }
    }

    void end(Event e, Proc p) {
        snapshots++;
        if (!p.snapshotted) settle(p);
        long lost = e.has(f.unregistered) ? e.getLong(f.unregistered) : 0;
        if (lost > 0) p.unregistered = Math.max(p.unregistered, lost);
    }

    void start(Event e, Proc p) {
        long lost = e.has(f.unregistered) ? e.getLong(f.unregistered) : 0;
        if (lost > 0) p.unregistered = Math.max(p.unregistered, lost);
    }

    void socket(Event e, Proc p) {
        var t = b.tuple(e, p, -1);
        if (!t.complete()) return; // still connecting: its net_connect follows
        var kind = e.getString(f.kind);
        if (kind == null || kind.isEmpty()) kind = "other";
        if (p.named.putIfAbsent(t, kind) == null) namedByKind.merge(kind, 1L, Long::sum);
    }

    void request(Event e, Proc p) {
        long id = e.getLong(f.span);
        if (id == 0 || p.spans.get(id) != null) return; // seen received or issued in this trace: nothing new
        var kindName = e.getString(f.kind);
        SpanKind kind = "server".equals(kindName) ? SpanKind.SERVER : "client".equals(kindName) ? SpanKind.CLIENT : null;
        if (kind == null) {
            b.problems.add("nodejs:snapshot_request events of an unknown kind: not used",
                    () -> Units.offset(e.timestamp(), b.first()) + " kind " + kindName);
            return;
        }
        long raw = e.has(f.startTs) ? e.getLong(f.startTs) : 0;
        var info = e.trace();
        long start = raw > 0 ? trace.clockFix(info.index()).apply(raw + info.clockOffsetNs()) : e.timestamp();
        long parentId = kind == SpanKind.CLIENT && e.has(f.parent) ? e.getLong(f.parent) : 0;
        int i = b.spans.add(kind, p.service, p.pid, p.trace, id, parentId, Math.min(start, e.timestamp()));
        b.spans.flag(i, Spans.BEFORE);
        b.spans.method[i] = b.str(e, f.method);
        b.spans.path[i] = b.str(e, f.path);
        if (kind == SpanKind.CLIENT) {
            b.spans.name[i] = b.str(e, f.host);
            b.spans.parent[i] = parentId == 0 ? -1 : b.parentOf(e, p, parentId);
            callsBefore++;
        } else {
            requestsBefore++;
        }
        b.setTuple(i, b.tuple(e, p, i));
        p.spans.put(id, i);
        p.open.add(i);
    }

    /** What the snapshots named and what stayed unnamed, into the summary's counts and the problem list. */
    void finish(Map<String, Long> stats) {
        flush();
        if (snapshots > 0) stats.put("node snapshots", snapshots);
        if (responsesBefore > 0) {
            stats.put("HTTP responses of requests begun before the process was traced (met before its first snapshot)",
                    responsesBefore);
        }
        if (clientResponsesBefore > 0) {
            stats.put("HTTP client responses of calls begun before the process was traced (met before its first "
                    + "snapshot)", clientResponsesBefore);
        }
        namedByKind.forEach((k, n) -> stats.put("node sockets named by a snapshot: " + k, n));
        if (requestsBefore > 0) stats.put("HTTP requests in flight when the recording started (from a snapshot)", requestsBefore);
        if (callsBefore > 0) stats.put("HTTP calls in flight when the recording started (from a snapshot)", callsBefore);
        long midLife = 0, named = 0;
        for (var c : b.conns) {
            var p = c.proc;
            if (p.connected.containsKey(c.tuple)) continue;
            midLife++;
            if (p.named.containsKey(c.tuple)) {
                named++;
            } else if (declared) {
                b.problems.add("service connections to Redis or MySQL opened before the recording that no snapshot "
                        + "of the agent named (a trace cut before its next snapshot, or an agent without one)",
                        () -> b.names.get(p.service) + " (pid " + p.pid + ") " + c.kind.label() + " " + describe(c.tuple));
            }
        }
        // Counted whatever the agent: without snapshots none is named, and the counts say so.
        if (midLife > 0) {
            stats.put("service connections to Redis or MySQL met mid-life", midLife);
            stats.put("service connections to Redis or MySQL met mid-life, named by a snapshot", named);
        }
        for (var p : b.procList) {
            if (p.unregistered > 0) {
                b.problems.add("sockets the agent could not register (more open at once than it holds): in no "
                        + "snapshot", p.unregistered, b.names.get(p.service) + " (pid " + p.pid + ")");
            }
        }
    }

    private String describe(Tuple t) {
        return (t.srcAddr() < 0 ? "?" : b.names.get(t.srcAddr())) + ":" + t.srcPort() + " -> "
                + (t.dstAddr() < 0 ? "?" : b.names.get(t.dstAddr())) + ":" + t.dstPort();
    }
}
