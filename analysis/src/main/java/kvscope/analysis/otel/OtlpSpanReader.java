package kvscope.analysis.otel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Reads OTLP/JSON trace files: the Collector's file exporter writes one {@code ExportTraceServiceRequest} per line;
 * a file holding one (pretty-printed) document is read too. The protobuf JSON mapping's variants are accepted: ids in
 * hex (OTLP's rule) or base64 (the plain mapping), enums as numbers or names, 64-bit numbers as strings or numbers,
 * the old {@code instrumentationLibrarySpans}. Every span is either kept (a Redis client span) or counted with its
 * reason; a garbled line is counted with file, line and the parser's message, and the next line is read.
 *
 * <p>Memory is bounded whatever the files hold (issue #18): a document is parsed as a stream of tokens, never as a
 * tree or a string of its own (the file exporter writes a whole batch on one line — megabytes), only one span at a
 * time as a tree; each span kept is reduced to what linking needs ({@link ClientSpan}: its statement cut at
 * {@value #MAX_STATEMENT} characters, repeated names shared); and at most {@link #MAX_SPANS} Redis client spans are
 * kept — linking is a matching over all of them at once —, those past it counted, not linked. A document's spans are
 * kept only once it has been read whole: a line garbled half-way counts as garbled, as before.
 */
public final class OtlpSpanReader {
    static final int SPAN_KIND_CLIENT = 3;
    /**
     * The most Redis client spans kept (and linked) from all the files: about 0.4 KB each with their ids and statement
     * (measured by OtlpSpanReaderMemoryTest), so 0.4 GB at most, and the links made from them as much again.
     */
    public static final int MAX_SPANS = 1_000_000;
    /** A statement (db.query.text) is kept up to this many characters: the report shows it, linking does not use it. */
    static final int MAX_STATEMENT = 256;
    /** Distinct names (resources, services, commands, addresses) shared between spans, at most. */
    private static final int MAX_SHARED = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory().copy().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    private static final HexFormat HEX = HexFormat.of();
    static final String OVER = "Redis client spans past the most kept (" + MAX_SPANS + "; linking matches all of them at "
            + "once): not linked — pass fewer or shorter span files";

    /** What the files held. */
    public record Read(List<ClientSpan> spans, long documents, long spansSeen, Unusable unusable) {}

    private final int max;
    private final List<ClientSpan> spans = new ArrayList<>();
    private final Unusable unusable = new Unusable();
    private final Map<String, String> shared = new HashMap<>();
    private long documents, seen;

    private OtlpSpanReader(int max) { this.max = max; }

    public static Read read(List<Path> files) throws IOException {
        return read(files, MAX_SPANS);
    }

    /** @param maxSpans the most Redis client spans kept; past it they are counted ({@link #OVER}) */
    public static Read read(List<Path> files, int maxSpans) throws IOException {
        var r = new OtlpSpanReader(maxSpans);
        for (var f : files) r.file(f);
        return new Read(r.spans, r.documents, r.seen, r.unusable);
    }

    private void file(Path f) throws IOException {
        if (!Files.isRegularFile(f)) throw new IOException(f + ": no such span file");
        var name = f.toString();
        // One document per line (the file exporter); a first line that ends mid-document may be one document over
        // many lines: that is tried whole, and if it is not one either, the lines are read one by one after all.
        if (!lines(f, name, true)) {
            try (var in = reader(new BufferedInputStream(Files.newInputStream(f), 1 << 16)); var p = FACTORY.createParser(in)) {
                var first = p.nextToken();
                var doc = new Doc();
                if (first != null) document(p, first, name, 0, doc);
                commit(doc);
            } catch (JsonProcessingException e) {
                lines(f, name, false);
            }
        }
    }

    /**
     * Reads f line by line; false (nothing used yet) when the first line is a document cut short and whole may be
     * tried. Each line is parsed from the file's bytes as they come (never held as a string).
     */
    private boolean lines(Path f, String name, boolean mayBeWhole) throws IOException {
        try (var in = new LineStream(Files.newInputStream(f))) {
            int n = 0;
            while (in.next()) {
                n++;
                var doc = new Doc();
                try (var p = FACTORY.createParser(reader(in))) {
                    var first = p.nextToken();
                    if (first == null) continue; // a blank line
                    document(p, first, name, n, doc);
                } catch (JsonProcessingException e) {
                    if (n == 1 && mayBeWhole && isTruncation(e)) return false;
                    final int at = n;
                    unusable.add("garbled lines (not JSON; the other lines were read)", () -> name + ":" + at + ": " + brief(e));
                    continue;
                }
                commit(doc);
            }
        }
        return true;
    }

    /**
     * Bytes that are not UTF-8 are replaced (a strict decoder would throw): the document is then garbled JSON,
     * counted with where it is, or a string with a replacement character.
     */
    private static InputStreamReader reader(InputStream in) {
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }

    private static boolean isTruncation(JsonProcessingException e) {
        var m = e.getOriginalMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("end-of-input");
    }

    private static String brief(JsonProcessingException e) {
        var m = e.getOriginalMessage();
        return m.length() > 160 ? m.substring(0, 160) + "…" : m;
    }

    /** What one document gave, kept only once it was read whole. */
    private static final class Doc {
        final List<ClientSpan> kept = new ArrayList<>();
        final Unusable why = new Unusable();
        long seen, over;
        boolean otlp;
    }

    private void commit(Doc d) {
        if (d.otlp) documents++;
        seen += d.seen;
        spans.addAll(d.kept);
        unusable.addAll(d.why);
    }

    /** One document, its first token read: {"resourceSpans": [{"resource": …, "scopeSpans": [{"spans": […]}]}]}. */
    private void document(JsonParser p, JsonToken first, String file, int line, Doc d) throws IOException {
        var where = line > 0 ? file + ":" + line : file;
        if (first == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                var field = p.currentName();
                var v = p.nextToken();
                if ((field.equals("resourceSpans") || field.equals("resource_spans")) && v == JsonToken.START_ARRAY) {
                    d.otlp = true;
                    while (p.nextToken() == JsonToken.START_OBJECT) resourceSpans(p, file, line, d);
                } else {
                    p.skipChildren();
                }
            }
        } else {
            p.skipChildren();
        }
        if (!d.otlp) d.why.add("JSON documents that are not OTLP trace data (no resourceSpans array)", () -> where);
    }

    /** One resource's spans: its attributes may come before or after them (JSON objects are unordered). */
    private void resourceSpans(JsonParser p, String file, int line, Doc d) throws IOException {
        Map<String, JsonNode> resAttrs = Map.of();
        var here = new ArrayList<ClientSpan>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            var field = p.currentName();
            var v = p.nextToken();
            if (field.equals("resource") && v == JsonToken.START_OBJECT) {
                JsonNode resource = p.readValueAsTree();
                resAttrs = attributes(resource.path("attributes"));
            } else if ((field.equals("scopeSpans") || field.equals("instrumentationLibrarySpans")) && v == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        var f = p.currentName();
                        if (p.nextToken() == JsonToken.START_ARRAY && f.equals("spans")) {
                            while (p.nextToken() == JsonToken.START_OBJECT) {
                                JsonNode s = p.readValueAsTree();
                                d.seen++;
                                var span = span(s, file, line, d);
                                if (span == null) continue;
                                if (spans.size() + d.kept.size() + here.size() >= max) {
                                    d.over++;
                                    d.why.add(OVER, span::where);
                                } else {
                                    here.add(span);
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        var service = share(text(resAttrs.get("service.name")));
        var resource = share(resourceKey(resAttrs));
        for (var s : here) d.kept.add(s.of(resource, service));
    }

    private String share(String s) {
        if (s == null) return null;
        var k = shared.get(s);
        if (k != null) return k;
        if (shared.size() < MAX_SHARED) shared.put(s, s);
        return s;
    }

    /** A resource's identity: its attributes that tell one process from another, in a stable order. */
    private static String resourceKey(Map<String, JsonNode> attrs) {
        var b = new StringBuilder();
        for (var k : List.of("service.name", "service.instance.id", "host.name", "process.pid")) {
            var v = attrs.get(k);
            if (v != null) b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(text(v));
        }
        return b.isEmpty() ? "(no resource attributes)" : b.toString();
    }

    /** The span as linking needs it (its resource not yet set), or null when it is not a Redis client span (counted). */
    private ClientSpan span(JsonNode s, String file, int line, Doc d) {
        var a = attributes(s.path("attributes"));
        var system = text(a.getOrDefault("db.system.name", a.get("db.system")));
        var spanId = id(s.get("spanId"));
        Supplier<String> at = () -> (line > 0 ? file + ":" + line : file) + " span " + (spanId == null ? "?" : spanId);
        if (system == null || !system.equalsIgnoreCase("redis")) {
            d.why.add("spans that are not Redis calls (no db.system / db.system.name = redis)", at);
            return null;
        }
        int kind = kind(s.get("kind"));
        if (kind != SPAN_KIND_CLIENT) {
            d.why.add("Redis spans that are not client spans (kind " + kind + ", want 3 = CLIENT)", at);
            return null;
        }
        var traceId = id(s.get("traceId"));
        long start = number(s.get("startTimeUnixNano")), end = number(s.get("endTimeUnixNano"));
        if (traceId == null || spanId == null || start <= 0 || end < start) {
            d.why.add("Redis spans without a trace id, span id or valid start/end time", at);
            return null;
        }
        var statement = text(a.getOrDefault("db.query.text", a.get("db.statement")));
        var op = text(a.getOrDefault("db.operation.name", a.get("db.operation")));
        if (op == null && statement != null) op = firstWord(statement);
        if (op == null) {
            // The span's name then: node-redis's instrumentation names them "redis-GET", its connect span "redis-connect".
            op = text(s.get("name"));
            if (op != null && op.regionMatches(true, 0, "redis-", 0, 6)) op = op.substring(6);
        }
        boolean queued = false;
        if (op != null) {
            var u = op.trim().toUpperCase(Locale.ROOT);
            if (u.startsWith("MULTI ")) { queued = true; op = op.trim().substring(6); }
            else if (u.startsWith("PIPELINE ")) op = op.trim().substring(9);
            op = firstWord(op);
        }
        if (op == null || op.isEmpty()) {
            d.why.add("Redis spans that name no command (db.operation.name, db.query.text, span name)", at);
            return null;
        }
        op = op.toLowerCase(Locale.ROOT);
        if (op.equals("connect")) {
            d.why.add("connection spans (connect): not a command, nothing in Redis to link them to", at);
            return null;
        }
        String addr = text(a.getOrDefault("server.address", a.get("net.peer.name")));
        int port = port(a.getOrDefault("server.port", a.get("net.peer.port")));
        var conn = text(a.get("db.connection_string"));
        if ((addr == null || port < 0) && conn != null) {
            var hp = hostPort(conn);
            if (addr == null) addr = hp[0];
            if (port < 0 && hp[1] != null) port = port(TextNode.valueOf(hp[1]));
        }
        var peer = text(a.getOrDefault("network.peer.address", a.get("net.sock.peer.addr")));
        int peerPort = port(a.getOrDefault("network.peer.port", a.get("net.sock.peer.port")));
        int local = port(a.getOrDefault("network.local.port", a.getOrDefault("net.sock.host.port", a.get("net.host.port"))));
        var parent = id(s.get("parentSpanId"));
        if (statement != null && statement.length() > MAX_STATEMENT) statement = statement.substring(0, MAX_STATEMENT) + "…";
        return new ClientSpan(file, line, null, null, traceId, spanId, parent, share(text(s.get("name"))), start, end,
                share(op), queued, statement, share(addr), port, share(peer), peerPort, local);
    }

    private static String firstWord(String s) {
        var t = s.trim();
        int sp = t.indexOf(' ');
        return sp < 0 ? t : t.substring(0, sp);
    }

    /** "redis://user@host:port/db" → host, port (null when absent). */
    private static String[] hostPort(String url) {
        var s = url;
        int scheme = s.indexOf("://");
        if (scheme >= 0) s = s.substring(scheme + 3);
        int at = s.lastIndexOf('@');
        if (at >= 0) s = s.substring(at + 1);
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);
        int colon = s.lastIndexOf(':');
        if (colon > 0 && s.indexOf(']') < colon) return new String[] {s.substring(0, colon).replace("[", "").replace("]", ""), s.substring(colon + 1)};
        return new String[] {s.isEmpty() ? null : s, null};
    }

    /** key → the value's JSON (stringValue, intValue, …) of an OTLP attribute list. */
    private static Map<String, JsonNode> attributes(JsonNode list) {
        var out = new TreeMap<String, JsonNode>();
        if (list == null || !list.isArray()) return out;
        for (var kv : list) {
            var k = kv.path("key").asText(null);
            var v = kv.get("value");
            if (k == null || v == null) continue;
            for (var f : List.of("stringValue", "intValue", "doubleValue", "boolValue")) {
                if (v.has(f)) { out.put(k, v.get(f)); break; }
            }
        }
        return out;
    }

    private static String text(JsonNode n) { return n == null || n.isNull() ? null : n.asText(); }

    private static int port(JsonNode n) {
        long v = number(n);
        return v > 0 && v <= 65535 ? (int) v : -1;
    }

    private static long number(JsonNode n) {
        if (n == null || n.isNull()) return -1;
        if (n.isIntegralNumber()) return n.asLong();
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.asText().trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private static int kind(JsonNode n) {
        if (n == null) return 0;
        if (n.isInt()) return n.asInt();
        return switch (n.asText()) {
            case "SPAN_KIND_INTERNAL" -> 1;
            case "SPAN_KIND_SERVER" -> 2;
            case "SPAN_KIND_CLIENT" -> 3;
            case "SPAN_KIND_PRODUCER" -> 4;
            case "SPAN_KIND_CONSUMER" -> 5;
            default -> 0;
        };
    }

    /** A trace or span id as lowercase hex: OTLP's hex, or the plain protobuf mapping's base64. */
    private static String id(JsonNode n) {
        var s = text(n);
        if (s == null || s.isEmpty()) return null;
        if ((s.length() == 32 || s.length() == 16) && s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return s.toLowerCase(Locale.ROOT);
        }
        try {
            var b = Base64.getDecoder().decode(s);
            return b.length == 8 || b.length == 16 ? HEX.formatHex(b) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
