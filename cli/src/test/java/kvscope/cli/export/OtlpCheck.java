package kvscope.cli.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an OTLP/JSON file with OpenTelemetry's own protobuf classes and the protobuf JSON mapping, applying OTLP's one
 * deviation from it (ids are hex, not base64: the OTLP specification, "JSON Protobuf Encoding"), then checks what the
 * protocol requires of the spans: 16-byte trace ids and 8-byte span ids, non-zero, unique; every parent and link resolves.
 */
final class OtlpCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Checked(TracesData data, List<Span> spans, Map<ByteString, Span> byId) {}

    private OtlpCheck() {}

    static Checked read(Path file) throws IOException { return read(file, Set.of()); }

    /**
     * @param outside span ids (hex) that may be parents without being in the file: the user's own spans, which the
     *                export hangs Redis's spans under (kvscope analyze --spans)
     */
    static Checked read(Path file, Set<String> outside) throws IOException {
        var tree = JSON.readTree(Files.newBufferedReader(file));
        hexIdsToBase64(tree);
        var b = TracesData.newBuilder();
        // Not ignoringUnknownFields: a key the OTLP messages do not have is an error.
        JsonFormat.parser().merge(JSON.writeValueAsString(tree), b);
        var data = b.build();
        var spans = new ArrayList<Span>();
        data.getResourceSpansList().forEach(r -> r.getScopeSpansList().forEach(s -> spans.addAll(s.getSpansList())));
        var byId = new HashMap<ByteString, Span>();
        for (var s : spans) {
            check(s.getTraceId().size() == 16 && !zero(s.getTraceId()), "trace id of " + s.getName());
            check(s.getSpanId().size() == 8 && !zero(s.getSpanId()), "span id of " + s.getName());
            check(byId.put(s.getSpanId(), s) == null, "span id " + hex(s.getSpanId()) + " used twice");
            check(s.getEndTimeUnixNano() >= s.getStartTimeUnixNano(), "span " + hex(s.getSpanId()) + " ends before it starts");
        }
        for (var s : spans) {
            if (!s.getParentSpanId().isEmpty()) {
                var p = byId.get(s.getParentSpanId());
                if (p != null || !outside.contains(hex(s.getParentSpanId()))) {
                    check(p != null, "parent " + hex(s.getParentSpanId()) + " of " + s.getName() + " not in the file");
                    check(p.getTraceId().equals(s.getTraceId()), "parent of " + s.getName() + " in another trace");
                }
            }
            for (var l : s.getLinksList()) {
                var t = byId.get(l.getSpanId());
                check(t != null && t.getTraceId().equals(l.getTraceId()), "link of " + s.getName() + " to "
                        + hex(l.getSpanId()) + " does not resolve");
            }
        }
        return new Checked(data, spans, byId);
    }

    /** OTLP/JSON: traceId, spanId, parentSpanId are hex strings (protobuf's mapping of bytes would be base64). */
    private static void hexIdsToBase64(JsonNode n) {
        if (n instanceof ObjectNode o) {
            for (var key : List.of("traceId", "spanId", "parentSpanId")) {
                var v = o.get(key);
                if (v != null && v.isTextual()) {
                    o.put(key, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(v.asText())));
                }
            }
        }
        n.forEach(OtlpCheck::hexIdsToBase64);
    }

    static String hex(ByteString b) { return HexFormat.of().formatHex(b.toByteArray()); }

    static String attr(Span s, String key) {
        for (var a : s.getAttributesList()) {
            if (a.getKey().equals(key)) {
                var v = a.getValue();
                return v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue();
            }
        }
        return null;
    }

    private static boolean zero(ByteString b) {
        for (int i = 0; i < b.size(); i++) if (b.byteAt(i) != 0) return false;
        return true;
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError("OTLP: " + what);
    }
}
