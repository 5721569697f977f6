package kvscope.analysis.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import kvscope.analysis.Stored;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.otel.SpanLink;
import kvscope.analysis.segments.RequestPhase;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.services.ServicesFile;
import kvscope.analysis.services.SpanKind;
import kvscope.analysis.util.LongMap;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * OTLP/JSON (the protobuf JSON mapping with OTLP's rules: hex trace and span ids, enums as integers, lowerCamelCase
 * keys, 64-bit integers as strings): one resource per Redis server and per traced service. Every Redis request is a
 * SERVER span of its server with a child per phase; a flow (PUBLISH → bus, bus → subscriber, MOVED → retry) is a span
 * under the request it left, linked to the request it reached; the findings are events of one span per server. With
 * the services, every HTTP, Redis and MariaDB call is a span of its service, one trace per incoming request, and the
 * Redis request it caused hangs under the call. Attribute names follow the OpenTelemetry semantic conventions
 * (db.system.name, db.operation.name, server.address/port, network.peer.address/port); what they have no name for is
 * under {@code kvscope.}.
 */
public final class OtlpWriter {
    private static final int SERVER = 2, CLIENT = 3, INTERNAL = 1, PRODUCER = 4;
    private static final int STATUS_ERROR = 2;

    private final Stored stored;
    private final Selection sel;
    private final List<Finding> findings;
    private final SegmentFile segments;
    private final ServicesFile services;
    private final ExportIds ids;
    private final SegmentLookup lookup;
    private final Peers peers;
    /** Segment index → the Redis call span (service side) that sent it: one entry per linked call. */
    private final LongMap<Integer> callOf = new LongMap<>();
    /**
     * Segment index → the user's own client span linked to it ({@code analyze --spans}): the request then goes into
     * the user's trace, under that span. Ambiguous links are not used: a parent must be certain.
     */
    private final LongMap<SpanLink> ownSpanOf = new LongMap<>();
    private JsonGenerator g;
    private long requests, phases, serviceSpans, flows, links, findingEvents, unfinished;

    public OtlpWriter(Stored stored, Selection sel, List<Finding> findings) throws IOException {
        this.stored = stored;
        this.sel = sel;
        this.findings = findings;
        this.segments = stored.segments();
        this.services = stored.services();
        this.ids = new ExportIds(stored.summary().fingerprint());
        this.lookup = new SegmentLookup(segments);
        this.peers = new Peers(stored.history(), segments.servers());
        for (int i = 0; i < services.count(); i++) {
            if (services.kind(i) == SpanKind.REDIS && services.link(i) >= 0) callOf.put(services.link(i), i);
        }
        for (var l : stored.spanLinks().links()) {
            if (l.state() == SpanLink.State.LINKED) ownSpanOf.put(l.segment(), l);
        }
    }

    public Exported write(OutputStream out) throws IOException {
        try (var gen = new JsonFactory().createGenerator(out)) {
            g = gen;
            g.writeStartObject();
            g.writeArrayFieldStart("resourceSpans");
            var servers = segments.servers();
            for (int s = 0; s < servers.size(); s++) {
                if (sel.hasServer(s)) server(s, servers.get(s));
            }
            if (sel.server() < 0) {
                for (var svc : services.services()) service(svc.name());
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Exported(requests, phases, serviceSpans, flows, links, findingEvents, unfinished, 0);
    }

    private void server(int s, String name) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("resource");
        g.writeArrayFieldStart("attributes");
        attr("service.name", "redis");
        attr("service.instance.id", name);
        attr("server.address", Peers.address(name));
        int port = Peers.port(name);
        if (port >= 0) attr("server.port", port);
        g.writeEndArray();
        g.writeEndObject();
        scopeStart();
        segments.scan(sel.from(), sel.to(), s, -1, this::requestUnchecked);
        stored.flows().forEach(sel.from(), sel.to(), (kind, ss, sf, st, ds, df, dt) -> {
            if (ss == s) Unchecked.run(() -> flow(kind, ss, sf, st, ds, df, dt));
        });
        findings(s, name);
        scopeEnd();
        g.writeEndObject();
    }

    private void scopeStart() throws IOException {
        g.writeArrayFieldStart("scopeSpans");
        g.writeStartObject();
        g.writeObjectFieldStart("scope");
        g.writeStringField("name", "kvscope");
        g.writeEndObject();
        g.writeArrayFieldStart("spans");
    }

    private void scopeEnd() throws IOException {
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndArray();
    }

    private void requestUnchecked(SegmentFile.Cursor c) { Unchecked.run(() -> request(c)); }

    /** The trace a request belongs to: its service call's when a traced service sent it, else its own. */
    private String traceOf(long segment) {
        var own = ownSpanOf.get(segment);
        if (own != null) return own.traceId();
        var call = callOf.get(segment);
        return call == null ? ids.requestTrace(segment) : ids.serviceTrace(root(call));
    }

    /**
     * The span a service span's trace is named after: its top ancestor (the incoming HTTP request, or the call of an
     * instrumented load generator that made it). Parents are a few levels up; the walk is bounded against a cycle
     * in a damaged file.
     */
    private long root(long span) {
        long r = span;
        for (int depth = 0; depth < 1000; depth++) {
            int p = services.parent(r);
            if (p < 0) return r;
            r = p;
        }
        return r;
    }

    private void request(SegmentFile.Cursor c) throws IOException {
        long i = c.index();
        var trace = traceOf(i);
        var call = callOf.get(i);
        long self = ExportIds.span(ExportIds.REQUEST, i);
        var command = c.commandName();
        var own = ownSpanOf.get(i);
        spanStart(trace, self, own != null ? own.spanId() : call == null ? null : ExportIds.hex(ExportIds.span(ExportIds.SERVICE, call)),
                command.toUpperCase(), SERVER, RequestPhase.requestStart(c), c.end());
        g.writeArrayFieldStart("attributes");
        if (own != null) attr("kvscope.parent", "your span (linked by kvscope analyze --spans)");
        attr("db.system.name", "redis");
        attr("db.operation.name", command.toUpperCase());
        var server = c.serverName();
        attr("server.address", Peers.address(server));
        if (Peers.port(server) >= 0) attr("server.port", Peers.port(server));
        var peer = peers.at(c.server(), c.fd(), c.start());
        if (peer != null) {
            attr("network.peer.address", Peers.address(peer));
            if (Peers.port(peer) >= 0) attr("network.peer.port", Peers.port(peer));
        }
        attr("kvscope.connection.fd", c.fd());
        attr("kvscope.client.id", c.clientId());
        attr("kvscope.request.bytes", c.bytesIn());
        attr("kvscope.reply.bytes", c.bytesOut());
        attr("kvscope.latency_ns", c.latency());
        if (c.readThread() != 0) attr("kvscope.read.thread.id", c.readThread());
        if (c.writeThread() != 0) attr("kvscope.write.thread.id", c.writeThread());
        g.writeEndArray();
        g.writeEndObject();
        requests++;
        for (var p : RequestPhase.ALL) {
            if (!p.known(c)) continue;
            spanStart(trace, ExportIds.phase(i, p.ordinal()), self, p.label(), INTERNAL, p.start(c), p.end(c));
            g.writeEndObject();
            phases++;
        }
    }

    private void flow(Flow.Hop kind, int ss, int sf, long st, int ds, int df, long dt) throws IOException {
        long src = lookup.at(ss, sf, st), dst = lookup.at(ds, df, dt);
        String trace = src >= 0 ? traceOf(src) : ids.serverTrace(ss);
        // Flows have no stored index; their source end and kind make them unique (one PUBLISH, one message per link).
        long self = ExportIds.span(ExportIds.FLOW, (flows << 8) | kind.ordinal());
        spanStart(trace, self, src >= 0 ? ExportIds.span(ExportIds.REQUEST, src) : 0, kind.label(), PRODUCER,
                Math.min(st, dt), Math.max(st, dt));
        g.writeArrayFieldStart("attributes");
        attr("kvscope.flow.kind", kind.name());
        attr("kvscope.flow.source", segments.servers().get(ss) + " fd " + sf);
        attr("kvscope.flow.destination", segments.servers().get(ds) + " fd " + df);
        g.writeEndArray();
        if (dst >= 0 && inSelection(dst)) {
            g.writeArrayFieldStart("links");
            g.writeStartObject();
            g.writeStringField("traceId", traceOf(dst));
            g.writeStringField("spanId", ExportIds.hex(ExportIds.span(ExportIds.REQUEST, dst)));
            g.writeArrayFieldStart("attributes");
            attr("kvscope.flow.kind", kind.name());
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            links++;
        }
        g.writeEndObject();
        flows++;
    }

    private boolean inSelection(long segment) {
        var s = segments.get(segment);
        return sel.hasServer(s.server()) && sel.overlaps(s.start(), s.end());
    }

    private void findings(int s, String name) throws IOException {
        var mine = findings.stream().filter(f -> name.equals(f.server()) && sel.overlaps(f.start(), f.end())).toList();
        if (mine.isEmpty()) return;
        long start = Math.max(sel.from(), stored.summary().start()), end = Math.min(sel.to(), stored.summary().end());
        for (var f : mine) {
            start = Math.min(start, f.start());
            end = Math.max(end, f.end());
        }
        spanStart(ids.serverTrace(s), ExportIds.span(ExportIds.FINDINGS, s), 0, "kvscope findings", INTERNAL, start, end);
        g.writeArrayFieldStart("events");
        for (var f : mine) {
            g.writeStartObject();
            g.writeStringField("timeUnixNano", Long.toString(f.start()));
            g.writeStringField("name", f.title());
            g.writeArrayFieldStart("attributes");
            attr("kvscope.finding.kind", f.kind());
            attr("kvscope.finding.severity", f.severity().name());
            attr("kvscope.finding.explanation", f.explanation());
            attr("kvscope.finding.end_unix_nano", f.end());
            if (f.fd() >= 0) attr("kvscope.connection.fd", f.fd());
            if (f.view() != null) attr("kvscope.finding.view", f.view());
            g.writeEndArray();
            g.writeEndObject();
            findingEvents++;
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void service(String name) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("resource");
        g.writeArrayFieldStart("attributes");
        attr("service.name", name);
        g.writeEndArray();
        g.writeEndObject();
        scopeStart();
        for (long i = 0; i < services.count(); i++) {
            if (name.equals(services.service(i))) serviceSpan(i);
        }
        scopeEnd();
        g.writeEndObject();
    }

    private void serviceSpan(long i) throws IOException {
        long start = services.start(i);
        boolean answered = services.finished(i);
        long end = answered ? services.end(i) : start;
        if (!sel.overlaps(start, end)) return;
        var kind = services.kind(i);
        int parent = services.parent(i);
        spanStart(ids.serviceTrace(root(i)), ExportIds.span(ExportIds.SERVICE, i),
                parent >= 0 ? ExportIds.span(ExportIds.SERVICE, parent) : 0, spanName(i, kind),
                kind == SpanKind.SERVER ? SERVER : CLIENT, start, end);
        g.writeArrayFieldStart("attributes");
        switch (kind) {
            case SERVER, CLIENT -> {
                if (services.method(i) != null) attr("http.request.method", services.method(i));
                if (services.route(i) != null) attr("http.route", services.route(i));
                if (services.path(i) != null) attr("url.path", services.path(i));
                if (services.status(i) > 0) attr("http.response.status_code", services.status(i));
            }
            case REDIS -> {
                attr("db.system.name", "redis");
                if (services.name(i) != null) attr("db.operation.name", services.name(i).toUpperCase());
            }
            case MARIADB -> attr("db.system.name", "mariadb");
        }
        var addr = kind == SpanKind.SERVER ? services.srcAddr(i) : services.dstAddr(i);
        int port = kind == SpanKind.SERVER ? services.srcPort(i) : services.dstPort(i);
        if (addr != null) attr(kind == SpanKind.SERVER ? "client.address" : "server.address", addr);
        if (port > 0) attr(kind == SpanKind.SERVER ? "client.port" : "server.port", port);
        if (services.bytes(i) > 0) attr("kvscope.bytes", services.bytes(i));
        g.writeEndArray();
        if (!answered || services.failed(i)) {
            g.writeObjectFieldStart("status");
            g.writeNumberField("code", STATUS_ERROR);
            var why = !answered ? "never answered in the trace" : services.error(i);
            if (why != null) g.writeStringField("message", why);
            g.writeEndObject();
        }
        g.writeEndObject();
        serviceSpans++;
        if (!answered) unfinished++;
    }

    private String spanName(long i, SpanKind kind) {
        return switch (kind) {
            case SERVER -> services.routeKey(i);
            case CLIENT -> (services.method(i) == null ? "HTTP" : services.method(i));
            case REDIS -> services.name(i) == null ? "redis (pipelined)" : services.name(i).toUpperCase();
            case MARIADB -> services.name(i) == null ? "mariadb" : services.name(i);
        };
    }

    /** Opens a span object and writes its identity and times; the caller adds attributes and closes it. */
    private void spanStart(String trace, long span, long parent, String name, int kind, long start, long end)
            throws IOException {
        spanStart(trace, span, parent == 0 ? null : ExportIds.hex(parent), name, kind, start, end);
    }

    private void spanStart(String trace, long span, String parentHex, String name, int kind, long start, long end)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("traceId", trace);
        g.writeStringField("spanId", ExportIds.hex(span));
        if (parentHex != null) g.writeStringField("parentSpanId", parentHex);
        g.writeStringField("name", name);
        g.writeNumberField("kind", kind);
        g.writeStringField("startTimeUnixNano", Long.toString(start));
        g.writeStringField("endTimeUnixNano", Long.toString(end));
    }

    private void attr(String key, String value) throws IOException {
        g.writeStartObject();
        g.writeStringField("key", key);
        g.writeObjectFieldStart("value");
        g.writeStringField("stringValue", value);
        g.writeEndObject();
        g.writeEndObject();
    }

    private void attr(String key, long value) throws IOException {
        g.writeStartObject();
        g.writeStringField("key", key);
        g.writeObjectFieldStart("value");
        g.writeStringField("intValue", Long.toString(value)); // int64: a string in the JSON mapping
        g.writeEndObject();
        g.writeEndObject();
    }

}
