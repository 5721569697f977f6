package kvscope.analysis.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import kvscope.analysis.Stored;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.segments.RequestPhase;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.services.ServicesFile;
import kvscope.statesystem.History;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;

/**
 * Chrome trace-event JSON (the "JSON Array/Object Format" that ui.perfetto.dev and chrome://tracing open): one process
 * per Redis server and per traced service. In a server's process: a track per thread (its Operation in the model), a
 * track per connection (its Status), every request as an async slice of its own with its phases nested in it —
 * requests of a server overlap, so they cannot share a thread track — the flows as arrows between the connection
 * tracks, and a counter of the bytes read and written. Times are µs from the start of the trace with three decimals
 * (ns kept exactly: a double of epoch µs would lose them); the start is in {@code otherData}.
 */
public final class PerfettoWriter {
    /** Connection tracks' tids: above any Linux tid (pid_max ≤ 2^22). */
    static final int CONNECTION_TRACK = 100_000_000;
    /** Service processes' pids: above the servers'. */
    static final int SERVICE_PROCESS = 1_000_000;
    /** Data-volume counter resolution. */
    private static final long COUNTER_STEP_NS = 1_000_000;

    private final Stored stored;
    private final Selection sel;
    private final SegmentFile segments;
    private final ServicesFile services;
    private final History h;
    private final long base;
    private JsonGenerator g;
    private long requests, phases, serviceSpans, flows, unfinished, skipped;
    private long bucket, in, out, lastTs;

    public PerfettoWriter(Stored stored, Selection sel) throws IOException {
        this.stored = stored;
        this.sel = sel;
        this.segments = stored.segments();
        this.services = stored.services();
        this.h = stored.history();
        this.base = Math.max(sel.from(), stored.summary().start());
    }

    public Exported write(OutputStream os) throws IOException {
        try (var gen = new JsonFactory().createGenerator(os)) {
            g = gen;
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ns");
            g.writeObjectFieldStart("otherData");
            g.writeStringField("producer", "kvscope");
            g.writeStringField("startUnixNano", Long.toString(base));
            g.writeEndObject();
            g.writeArrayFieldStart("traceEvents");
            var servers = segments.servers();
            for (int s = 0; s < servers.size(); s++) {
                if (sel.hasServer(s)) server(s, servers.get(s));
            }
            long[] f = {0};
            stored.flows().forEach(sel.from(), sel.to(), (kind, ss, sf, st, ds, df, dt) -> {
                if (sel.hasServer(ss) && sel.hasServer(ds)) Unchecked.run(() -> flow(f[0]++, kind, ss, sf, st, ds, df, dt));
            });
            if (sel.server() < 0) services();
            g.writeEndArray();
            g.writeEndObject();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Exported(requests, phases, serviceSpans, flows, flows, 0, unfinished, skipped);
    }

    private void server(int s, String name) throws IOException {
        int pid = s + 1;
        metadata("process_name", pid, 0, "redis " + name);
        int root = h.lookup(name);
        int threads = root < 0 ? -1 : h.lookupUnder(root, "Threads");
        if (threads >= 0) {
            for (int t : h.children(threads)) {
                int tid = parseInt(h.name(t));
                int op = h.lookupUnder(t, "Operation");
                if (tid <= 0 || op < 0) continue;
                metadata("thread_name", pid, tid, "thread " + tid);
                states(pid, tid, op, "thread");
            }
        }
        int conns = root < 0 ? -1 : h.lookupUnder(root, "Connections");
        if (conns >= 0) {
            for (int c : h.children(conns)) {
                int fd = parseInt(h.name(c));
                int status = h.lookupUnder(c, "Status");
                if (fd < 0 || status < 0) continue;
                metadata("thread_name", pid, CONNECTION_TRACK + fd, "fd " + fd);
                states(pid, CONNECTION_TRACK + fd, status, "connection");
            }
        }
        bucket = Long.MIN_VALUE;
        in = out = lastTs = 0;
        segments.scan(sel.from(), sel.to(), s, -1, c -> Unchecked.run(() -> request(pid, c)));
        if (bucket != Long.MIN_VALUE) counter(pid, lastTs);
    }

    /** One X slice per non-empty interval of a state attribute: states never overlap, so the track nests. */
    private void states(int pid, int tid, int quark, String cat) throws IOException {
        long hEnd = h.end();
        for (var it = h.intervals(quark, sel.from(), sel.to()); it.next(); ) {
            var v = it.string();
            if (v == null) continue;
            long start = Math.max(it.start(), sel.from()), end = Math.min(Math.min(it.end(), hEnd), sel.to());
            if (end >= start) slice(cat, v, pid, tid, start, end - start);
        }
    }

    private void request(int pid, SegmentFile.Cursor c) throws IOException {
        var id = "0x" + Long.toHexString(c.index());
        long start = RequestPhase.requestStart(c), end = c.end();
        async("b", "request", c.commandName().toUpperCase(), pid, id, start);
        g.writeObjectFieldStart("args");
        g.writeNumberField("fd", c.fd());
        g.writeNumberField("client", c.clientId());
        g.writeNumberField("bytes in", c.bytesIn());
        g.writeNumberField("bytes out", c.bytesOut());
        g.writeNumberField("latency ns", c.latency());
        g.writeEndObject();
        g.writeEndObject();
        requests++;
        long at = start;
        for (var p : RequestPhase.ALL) {
            if (!p.known(c)) continue;
            long ps = p.start(c), pe = p.end(c);
            // Nested slices must lie inside their parent and after their elder sibling: a phase the model measured
            // out of that order (clocks of two threads) would break the nesting; it stays in the OTLP export.
            if (ps < at || pe > end) {
                skipped++;
                continue;
            }
            async("b", "request", p.label(), pid, id, ps);
            g.writeEndObject();
            async("e", "request", p.label(), pid, id, pe);
            g.writeEndObject();
            at = pe;
            phases++;
        }
        async("e", "request", c.commandName().toUpperCase(), pid, id, end);
        g.writeEndObject();
        long b = end / COUNTER_STEP_NS;
        if (bucket != Long.MIN_VALUE && b != bucket) counter(pid, lastTs);
        bucket = b;
        in += c.bytesIn();
        out += c.bytesOut();
        lastTs = Math.max(lastTs, end);
    }

    /** Cumulative bytes: monotone whatever order requests completed in. */
    private void counter(int pid, long t) throws IOException {
        g.writeStartObject();
        g.writeStringField("ph", "C");
        g.writeStringField("name", "data volume");
        g.writeNumberField("pid", pid);
        ts("ts", t);
        g.writeObjectFieldStart("args");
        g.writeNumberField("bytes read", in);
        g.writeNumberField("bytes written", out);
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * An arrow from one connection's track to another's: a zero-length slice at each end (so the flow has a slice to
     * bind to whatever the connection's state was) and the flow's start and end events bound to them.
     */
    private void flow(long n, Flow.Hop kind, int ss, int sf, long st, int ds, int df, long dt) throws IOException {
        var id = Long.toString(n);
        endpoint(ss + 1, CONNECTION_TRACK + sf, st, kind.label());
        flowEvent("s", ss + 1, CONNECTION_TRACK + sf, st, id, kind.label());
        endpoint(ds + 1, CONNECTION_TRACK + df, dt, kind.label());
        flowEvent("f", ds + 1, CONNECTION_TRACK + df, dt, id, kind.label());
        flows++;
    }

    private void endpoint(int pid, int tid, long t, String name) throws IOException {
        slice("flow", name, pid, tid, t, 0);
    }

    /** A complete slice ("X") on a thread track. */
    private void slice(String cat, String name, int pid, int tid, long start, long durNs) throws IOException {
        g.writeStartObject();
        g.writeStringField("ph", "X");
        g.writeStringField("cat", cat);
        g.writeStringField("name", name);
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", tid);
        ts("ts", start);
        g.writeFieldName("dur");
        g.writeNumber(micros(durNs));
        g.writeEndObject();
    }

    private void flowEvent(String ph, int pid, int tid, long t, String id, String name) throws IOException {
        g.writeStartObject();
        g.writeStringField("ph", ph);
        g.writeStringField("cat", "flow");
        g.writeStringField("name", name);
        g.writeStringField("id", id);
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", tid);
        ts("ts", t);
        if (ph.equals("f")) g.writeStringField("bp", "e"); // bind to the enclosing slice, not the next one
        g.writeEndObject();
    }

    private void services() throws IOException {
        // A span names its service by a name id (an index into the names table), which is also its process's pid.
        var named = new HashSet<Integer>();
        for (int i = 0; i < services.count(); i++) {
            int id = services.serviceId(i);
            if (named.add(id)) metadata("process_name", SERVICE_PROCESS + id, 0, services.service(i));
        }
        for (long i = 0; i < services.count(); i++) {
            long start = services.start(i);
            boolean answered = services.finished(i);
            long end = answered ? services.end(i) : start;
            if (!sel.overlaps(start, end)) continue;
            int pid = SERVICE_PROCESS + services.serviceId(i);
            var id = "s" + i;
            var name = services.kind(i).label() + " " + label(i);
            async("b", services.kind(i).label(), name, pid, id, start);
            g.writeObjectFieldStart("args");
            if (services.status(i) > 0) g.writeNumberField("status", services.status(i));
            if (services.parent(i) >= 0) g.writeStringField("parent", "s" + services.parent(i));
            if (!answered) g.writeBooleanField("never answered", true);
            g.writeEndObject();
            g.writeEndObject();
            async("e", services.kind(i).label(), name, pid, id, end);
            g.writeEndObject();
            serviceSpans++;
            if (!answered) unfinished++;
        }
    }

    private String label(long i) {
        return switch (services.kind(i)) {
            case SERVER -> services.routeKey(i);
            case CLIENT -> String.valueOf(services.method(i)) + " " + String.valueOf(services.path(i));
            case REDIS, MARIADB -> services.name(i) == null ? "(pipelined)" : services.name(i);
        };
    }

    /** Opens an async (nestable) event; the caller may add args, then closes it. */
    private void async(String ph, String cat, String name, int pid, String id, long t) throws IOException {
        g.writeStartObject();
        g.writeStringField("ph", ph);
        g.writeStringField("cat", cat);
        g.writeStringField("name", name);
        g.writeStringField("id", id);
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", 0);
        ts("ts", t);
    }

    private void metadata(String kind, int pid, int tid, String name) throws IOException {
        g.writeStartObject();
        g.writeStringField("ph", "M");
        g.writeStringField("name", kind);
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", tid);
        g.writeObjectFieldStart("args");
        g.writeStringField("name", name);
        g.writeEndObject();
        g.writeEndObject();
    }

    private void ts(String field, long t) throws IOException {
        g.writeFieldName(field);
        g.writeNumber(micros(t - base));
    }

    /** ns → µs with exactly three decimals, as text. */
    static String micros(long ns) {
        long abs = Math.abs(ns);
        var frac = Long.toString(abs % 1000);
        return (ns < 0 ? "-" : "") + abs / 1000 + "." + "000".substring(frac.length()) + frac;
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

}
