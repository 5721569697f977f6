package kvscope.analysis.services;

import kvscope.ctf.ClockFix;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A host model's services before they are joined (docs/combine.md): what {@link ServicesBuilder} holds at the end of
 * the event pass — the spans, the processes, the services' Redis and MySQL connections with their calls in order,
 * Redis's accepted client connections and the commands it did not execute, the counts and problems met — on the
 * host's own clock, so that an aggregator joins every host's services against the combined Redis requests with the
 * same {@link ServicesBuilder#finish} a one-go analysis runs ({@link Merge}). 105 bytes a span, 4 more a Redis or MySQL
 * call (its place in its connection's order), ~50 an accepted connection.
 */
public final class ServicesState {
    static final int FORMAT = 1;
    /** More than this many of anything in one host's state is a damaged file, not a trace. */
    private static final int MAX_COUNT = 1 << 28;

    private ServicesState() {}

    /** Writes the builder's state (after the event pass, before {@link ServicesBuilder#finish}). */
    public static void write(ServicesBuilder b, DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        out.writeBoolean(b.snapshot.declared);
        boolean agent = b.agentEvents();
        out.writeBoolean(agent);
        out.writeInt(b.traces);
        out.writeLong(agent ? b.first : b.seenFirst);
        out.writeLong(agent ? b.last : b.seenLast);
        var names = b.names.all();
        out.writeInt(names.size());
        for (var n : names) str(out, n);
        var events = b.events();
        out.writeInt(events.size());
        for (var e : events.entrySet()) {
            str(out, e.getKey());
            out.writeLong(e.getValue());
        }
        b.snapshot.flush(); // a host without the agent's snapshot: its held-back responses are problems
        var problems = b.problems.all();
        out.writeInt(problems.size());
        for (var p : problems) {
            str(out, p.what());
            out.writeLong(p.count());
            out.writeInt(p.examples().size());
            for (var x : p.examples()) str(out, x);
        }
        for (long n : b.topLevel) out.writeLong(n);
        out.writeLong(b.confirmations);
        var sn = b.snapshot;
        out.writeLong(sn.snapshots);
        out.writeLong(sn.requestsBefore);
        out.writeLong(sn.callsBefore);
        out.writeLong(sn.responsesBefore);
        out.writeLong(sn.clientResponsesBefore);
        out.writeInt(sn.namedByKind.size());
        for (var e : sn.namedByKind.entrySet()) {
            str(out, e.getKey());
            out.writeLong(e.getValue());
        }
        var procIndex = new IdentityHashMap<ServicesBuilder.Proc, Integer>();
        out.writeInt(b.procList.size());
        for (var p : b.procList) {
            procIndex.put(p, procIndex.size());
            out.writeInt(p.service);
            out.writeInt(p.pid);
            out.writeInt(p.trace);
            out.writeLong(p.first);
            out.writeLong(p.unregistered);
            out.writeInt(p.attachReplies.size());
            for (var e : p.attachReplies.entrySet()) {
                tuple(out, e.getKey());
                for (long v : e.getValue()) out.writeLong(v);
            }
        }
        spans(out, b.spans);
        out.writeInt(b.conns.size());
        for (var c : b.conns) {
            out.writeByte(c.kind.ordinal());
            out.writeInt(procIndex.get(c.proc));
            tuple(out, c.tuple);
            // What the snapshots' count of connections met mid-life asks of the process (NodeSnapshot#finish).
            out.writeBoolean(c.proc.connected.containsKey(c.tuple));
            out.writeBoolean(c.proc.named.containsKey(c.tuple));
            out.writeInt(c.calls.size);
            for (int k = 0; k < c.calls.size; k++) out.writeInt(c.calls.get(k));
        }
        out.writeInt(b.accepted.size());
        for (var a : b.accepted) {
            out.writeInt(a.server());
            out.writeInt(a.fd());
            out.writeLong(a.id());
            str(out, a.peerAddr());
            out.writeInt(a.peerPort());
            out.writeInt(a.localPort());
            out.writeLong(a.at());
            var side = a.side();
            out.writeInt(side.unexecuted.size);
            for (int k = 0; k < side.unexecuted.size; k++) out.writeLong(side.unexecuted.get(k));
        }
        out.writeInt(b.serverTrace.size());
        for (var e : b.serverTrace.entrySet()) {
            out.writeInt(e.getKey());
            out.writeInt(e.getValue());
        }
    }

    private static void spans(DataOutputStream out, Spans s) throws IOException {
        out.writeInt(s.size);
        for (int i = 0; i < s.size; i++) {
            out.writeByte(s.kind[i]);
            out.writeInt(s.flags[i]);
            out.writeInt(s.service[i]);
            out.writeInt(s.pid[i]);
            out.writeInt(s.trace[i]);
            out.writeLong(s.spanId[i]);
            out.writeLong(s.parentSpanId[i]);
            out.writeInt(s.parent[i]);
            out.writeLong(s.start[i]);
            out.writeLong(s.end[i]);
            out.writeInt(s.status[i]);
            out.writeLong(s.bytes[i]);
            out.writeInt(s.method[i]);
            out.writeInt(s.route[i]);
            out.writeInt(s.path[i]);
            out.writeInt(s.name[i]);
            out.writeInt(s.srcAddr[i]);
            out.writeInt(s.srcPort[i]);
            out.writeInt(s.dstAddr[i]);
            out.writeInt(s.dstPort[i]);
            out.writeInt(s.error[i]);
        }
    }

    private static void tuple(DataOutputStream out, Tuple t) throws IOException {
        out.writeInt(t.srcAddr());
        out.writeInt(t.srcPort());
        out.writeInt(t.dstAddr());
        out.writeInt(t.dstPort());
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        var b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * Every host's state into one builder, on the combined time line: each host's trace indexes after the previous
     * hosts', its Redis servers by the combined segment file's indexes, every time corrected by the host's clock; the
     * spans in the order of their start (each host's own order kept), as one pass over all traces adds them.
     */
    public static final class Merge {
        private final List<ServicesBuilder> hosts = new ArrayList<>();
        /** Each host's first trace index in the combination, and one past its last. */
        private final List<int[]> traceRanges = new ArrayList<>();
        private boolean declared, agent;

        /**
         * Reads one host's state.
         *
         * @param servers   the host's segment-file server index → the combined one
         * @param fix       the host's clock correction
         */
        public void host(DataInputStream in, int[] servers, ClockFix fix) throws IOException {
            int format = in.readInt();
            if (format != FORMAT) throw new IOException("services state format " + format + ", this kvscope reads " + FORMAT);
            boolean snapshots = in.readBoolean();
            declared |= snapshots;
            boolean agentEvents = in.readBoolean();
            agent |= agentEvents;
            int traces = count(in, "traces");
            int traceBase = traceRanges.isEmpty() ? 0 : traceRanges.get(traceRanges.size() - 1)[1];
            traceRanges.add(new int[] {traceBase, traceBase + traces});
            var b = new ServicesBuilder(snapshots);
            b.first = at(fix, in.readLong());
            b.last = at(fix, in.readLong());
            int n = count(in, "names");
            for (int i = 0; i < n; i++) b.names.id(str(in));
            n = count(in, "event kinds");
            for (int i = 0; i < n; i++) b.combinedEvents.merge(str(in), in.readLong(), Long::sum);
            n = count(in, "problems");
            for (int i = 0; i < n; i++) {
                var what = str(in);
                long c = in.readLong();
                int m = count(in, "examples");
                var ex = new ArrayList<String>();
                for (int k = 0; k < m; k++) ex.add(str(in));
                b.problems.add(new Problems.Problem(what, c, ex));
            }
            for (int k = 0; k < b.topLevel.length; k++) b.topLevel[k] = in.readLong();
            b.confirmations = in.readLong();
            b.snapshot.snapshots = in.readLong();
            b.snapshot.requestsBefore = in.readLong();
            b.snapshot.callsBefore = in.readLong();
            b.snapshot.responsesBefore = in.readLong();
            b.snapshot.clientResponsesBefore = in.readLong();
            n = count(in, "socket kinds");
            for (int i = 0; i < n; i++) b.snapshot.namedByKind.merge(str(in), in.readLong(), Long::sum);
            n = count(in, "processes");
            for (int i = 0; i < n; i++) {
                var p = new ServicesBuilder.Proc(in.readInt(), in.readInt(), traceBase + in.readInt());
                p.first = at(fix, in.readLong());
                p.unregistered = in.readLong();
                int m = count(in, "early replies");
                for (int k = 0; k < m; k++) {
                    var t = tuple(in);
                    long count = in.readLong(), last = at(fix, in.readLong()), first = at(fix, in.readLong());
                    p.attachReplies.put(t, new long[] {count, last, first});
                }
                b.procList.add(p);
            }
            n = count(in, "spans");
            var s = b.spans;
            for (int i = 0; i < n; i++) {
                int kind = in.readByte();
                if (kind < 0 || kind >= SpanKind.ALL.length) throw new IOException("services state: span kind " + kind);
                int k = s.add(SpanKind.ALL[kind], 0, 0, 0, 0, 0, 0);
                s.flags[k] = in.readInt();
                s.service[k] = in.readInt();
                s.pid[k] = in.readInt();
                s.trace[k] = traceBase + in.readInt();
                s.spanId[k] = in.readLong();
                s.parentSpanId[k] = in.readLong();
                s.parent[k] = in.readInt();
                if (s.parent[k] < -1 || s.parent[k] >= n) throw new IOException("services state: span " + k + " of parent " + s.parent[k]);
                s.start[k] = at(fix, in.readLong());
                s.end[k] = at(fix, in.readLong());
                s.status[k] = in.readInt();
                s.bytes[k] = in.readLong();
                s.method[k] = in.readInt();
                s.route[k] = in.readInt();
                s.path[k] = in.readInt();
                s.name[k] = in.readInt();
                s.srcAddr[k] = in.readInt();
                s.srcPort[k] = in.readInt();
                s.dstAddr[k] = in.readInt();
                s.dstPort[k] = in.readInt();
                s.error[k] = in.readInt();
            }
            n = count(in, "connections");
            for (int i = 0; i < n; i++) {
                int kindIndex = in.readByte();
                if (kindIndex < 0 || kindIndex >= SpanKind.ALL.length) throw new IOException("services state: connection kind " + kindIndex);
                var kind = SpanKind.ALL[kindIndex];
                int pi = in.readInt();
                if (pi < 0 || pi >= b.procList.size()) throw new IOException("services state: connection of process " + pi);
                var p = b.procList.get(pi);
                var t = tuple(in);
                if (in.readBoolean()) p.connected.put(t, 0L);
                if (in.readBoolean()) p.named.put(t, "");
                var c = new ServicesBuilder.Conn(kind, p, t, 0);
                int m = count(in, "calls");
                for (int k = 0; k < m; k++) {
                    int call = in.readInt();
                    if (call < 0 || call >= s.size) throw new IOException("services state: a call of span " + call);
                    c.calls.add(call);
                }
                p.conns.put(t, c);
                b.conns.add(c);
            }
            n = count(in, "accepted connections");
            for (int i = 0; i < n; i++) {
                int server = in.readInt(), fd = in.readInt();
                long id = in.readLong();
                var peer = str(in);
                int peerPort = in.readInt(), localPort = in.readInt();
                long at = in.readLong();
                var side = new ServicesBuilder.RedisSide(id);
                int m = count(in, "unexecuted commands");
                for (int k = 0; k < m; k++) side.unexecuted.add(at(fix, in.readLong()));
                int combined = server >= 0 && server < servers.length ? servers[server] : -1;
                b.accepted.add(new ServicesBuilder.Accepted(combined, fd, id, peer, peerPort, localPort,
                        at == Long.MIN_VALUE ? at : fix.apply(at), side));
            }
            n = count(in, "servers");
            for (int i = 0; i < n; i++) {
                int server = in.readInt(), trace = in.readInt();
                if (server >= 0 && server < servers.length) b.serverTrace.putIfAbsent(servers[server], traceBase + trace);
            }
            hosts.add(b);
        }

        /** The host (in the order given) of a trace index of the combination, or -1. */
        public int hostOf(int trace) {
            for (int h = 0; h < traceRanges.size(); h++) if (trace >= traceRanges.get(h)[0] && trace < traceRanges.get(h)[1]) return h;
            return -1;
        }

        /** One builder of every host's services, ready for {@link ServicesBuilder#finish}. */
        public ServicesBuilder builder() {
            var out = new ServicesBuilder(declared);
            out.clockOf = this::hostOf;
            var nameMaps = new ArrayList<int[]>();
            for (var h : hosts) {
                var all = h.names.all();
                var map = new int[all.size()];
                for (int i = 0; i < map.length; i++) map[i] = out.names.id(all.get(i));
                nameMaps.add(map);
            }
            // The spans in start order, each host's in its own order (a k-way merge): their new indexes.
            var index = new ArrayList<int[]>();
            for (var h : hosts) index.add(new int[h.spans.size]);
            var heads = new PriorityQueue<int[]>((x, y) -> {
                int c = Long.compare(hosts.get(x[0]).spans.start[x[1]], hosts.get(y[0]).spans.start[y[1]]);
                return c != 0 ? c : Integer.compare(x[0], y[0]);
            });
            for (int h = 0; h < hosts.size(); h++) if (hosts.get(h).spans.size > 0) heads.add(new int[] {h, 0});
            var order = new ArrayList<int[]>();
            while (!heads.isEmpty()) {
                var top = heads.poll();
                index.get(top[0])[top[1]] = order.size();
                order.add(top.clone());
                if (top[1] + 1 < hosts.get(top[0]).spans.size) heads.add(new int[] {top[0], top[1] + 1});
            }
            var s = out.spans;
            for (var o : order) {
                var from = hosts.get(o[0]).spans;
                int i = o[1];
                var names = nameMaps.get(o[0]);
                int k = s.add(from.kind(i), name(names, from.service[i]), from.pid[i], from.trace[i], from.spanId[i],
                        from.parentSpanId[i], from.start[i]);
                s.flags[k] = from.flags[i];
                s.parent[k] = from.parent[i] < 0 ? -1 : index.get(o[0])[from.parent[i]];
                s.end[k] = from.end[i];
                s.status[k] = from.status[i];
                s.bytes[k] = from.bytes[i];
                s.method[k] = name(names, from.method[i]);
                s.route[k] = name(names, from.route[i]);
                s.path[k] = name(names, from.path[i]);
                s.name[k] = name(names, from.name[i]);
                s.srcAddr[k] = name(names, from.srcAddr[i]);
                s.srcPort[k] = from.srcPort[i];
                s.dstAddr[k] = name(names, from.dstAddr[i]);
                s.dstPort[k] = from.dstPort[i];
                s.error[k] = name(names, from.error[i]);
            }
            for (int h = 0; h < hosts.size(); h++) {
                var b = hosts.get(h);
                var names = nameMaps.get(h);
                var spans = index.get(h);
                // One pass sees every event of every host when any has the agent's, and none of them otherwise.
                if (agent && b.first != Long.MIN_VALUE) out.first = out.first == Long.MIN_VALUE ? b.first : Math.min(out.first, b.first);
                if (agent) out.last = Math.max(out.last, b.last);
                b.combinedEvents.forEach((k, n) -> out.combinedEvents.merge(k, n, Long::sum));
                for (var p : b.problems.all()) out.problems.add(p);
                for (int k = 0; k < out.topLevel.length; k++) out.topLevel[k] += b.topLevel[k];
                out.confirmations += b.confirmations;
                out.snapshot.snapshots += b.snapshot.snapshots;
                out.snapshot.requestsBefore += b.snapshot.requestsBefore;
                out.snapshot.callsBefore += b.snapshot.callsBefore;
                out.snapshot.responsesBefore += b.snapshot.responsesBefore;
                out.snapshot.clientResponsesBefore += b.snapshot.clientResponsesBefore;
                b.snapshot.namedByKind.forEach((k, n) -> out.snapshot.namedByKind.merge(k, n, Long::sum));
                var procs = new IdentityHashMap<ServicesBuilder.Proc, ServicesBuilder.Proc>();
                for (var p : b.procList) {
                    var q = new ServicesBuilder.Proc(name(names, p.service), p.pid, p.trace);
                    q.first = p.first;
                    q.unregistered = p.unregistered;
                    p.attachReplies.forEach((t, v) -> q.attachReplies.put(tuple(names, t), v));
                    procs.put(p, q);
                    out.procList.add(q);
                }
                for (var c : b.conns) {
                    var q = procs.get(c.proc);
                    var t = tuple(names, c.tuple);
                    if (c.proc.connected.containsKey(c.tuple)) q.connected.put(t, 0L);
                    if (c.proc.named.containsKey(c.tuple)) q.named.put(t, "");
                    var d = new ServicesBuilder.Conn(c.kind, q, t, 0);
                    for (int k = 0; k < c.calls.size; k++) d.calls.add(spans[c.calls.get(k)]);
                    q.conns.put(t, d);
                    out.conns.add(d);
                }
                out.accepted.addAll(b.accepted);
                b.serverTrace.forEach(out.serverTrace::putIfAbsent);
            }
            return out;
        }

        private static int name(int[] map, int id) { return id < 0 || id >= map.length ? -1 : map[id]; }

        private static Tuple tuple(int[] names, Tuple t) {
            return new Tuple(name(names, t.srcAddr()), t.srcPort(), name(names, t.dstAddr()), t.dstPort());
        }

        private static long at(ClockFix fix, long t) { return t == Spans.UNKNOWN ? t : fix.apply(t); }

        private static int count(DataInputStream in, String what) throws IOException {
            int n = in.readInt();
            if (n < 0 || n > MAX_COUNT) throw new IOException("services state: " + n + " " + what);
            return n;
        }

        private static Tuple tuple(DataInputStream in) throws IOException {
            return new Tuple(in.readInt(), in.readInt(), in.readInt(), in.readInt());
        }

        private static String str(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n < 0 || n > (1 << 20)) throw new IOException("services state: a string of " + n + " bytes");
            return new String(in.readNBytes(n), StandardCharsets.UTF_8);
        }
    }
}
