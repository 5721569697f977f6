package kvscope.analysis.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/spans (issue #18): kvscope's OTLP/JSON span reader ({@link OtlpSpanReader}, a stream of tokens, one span at a
 * time as a tree) against two peers on the same generated file, each in a JVM of its own with the same heap limit:
 * <ul>
 *   <li>{@code jackson-tree}: each line parsed into a Jackson tree (ObjectMapper.readTree), then walked — the
 *       reader one writes first;</li>
 *   <li>{@code otel-proto}: each line parsed by OpenTelemetry's own protobuf classes with protobuf's JSON mapping
 *       (JsonFormat into ExportTraceServiceRequest), then walked — the official definitions.</li>
 * </ul>
 * All three keep the same thing of every Redis client span ({@link ClientSpan}), so the retained memory compares.
 * Usage: {@code SpansBench [--spans N] [--runs N] [--heap SIZE] [--dir DIR]}; child mode: {@code SpansBench one MODE FILE RUNS}.
 */
public final class SpansBench {
    private static final int PER_LINE = 1000;
    private static final List<String> MODES = List.of("kvscope", "jackson-tree", "otel-proto");

    private SpansBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("one")) {
            one(args[1], Path.of(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int spans = 400_000, runs = 3;
        String heap = "1g";
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--spans" -> spans = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--heap" -> heap = args[++i];
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: bench/spans/run [--spans N] [--runs N] [--heap SIZE] [--dir DIR]");
            }
        }
        boolean keep = dir != null;
        if (dir == null) dir = Files.createTempDirectory("kvscope-spans-bench");
        Files.createDirectories(dir);
        var file = dir.resolve("spans.json");
        System.err.println("writing " + spans + " spans …");
        long redis = write(file, spans);
        System.out.printf(Locale.ROOT, "span file: %d spans (%d Redis client spans) on %d lines of %d, %.1f MB; "
                + "each reader in its own JVM (-Xmx%s -Xmn16m, serial GC), best of %d runs after one warm-up%n", spans, redis,
                (spans + PER_LINE - 1) / PER_LINE, PER_LINE, Files.size(file) / 1e6, heap, runs);
        System.out.println("load before: " + load());
        var rows = new ArrayList<String[]>();
        for (var mode : MODES) {
            System.err.println(mode + " …");
            rows.add(child(mode, file, runs, heap, dir));
        }
        System.out.println("load after:  " + load());
        System.out.printf(Locale.ROOT, "%-13s %9s %9s %7s %9s %12s %9s %8s %8s%n", "reader", "kept", "best ms", "MB/s",
                "spans/s", "peak live MB", "peak MB", "kept MB", "RSS MB");
        double mb = Files.size(file) / 1e6;
        for (var r : rows) {
            long kept = Long.parseLong(r[1]), ms = Long.parseLong(r[2]);
            System.out.printf(Locale.ROOT, "%-13s %9d %9d %7.1f %9.0f %12.1f %9.1f %8.1f %8.1f%n", r[0], kept, ms,
                    mb / (ms / 1e3), spans / (ms / 1e3), Long.parseLong(r[6]) / 1e6, Long.parseLong(r[3]) / 1e6,
                    Long.parseLong(r[4]) / 1e6, Long.parseLong(r[5]) / 1e6);
            if (kept != redis) throw new AssertionError(r[0] + " kept " + kept + " spans, the file has " + redis);
        }
        if (!keep) {
            Files.delete(file);
            try (var s = Files.list(dir)) {
                for (var p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    private static String load() throws IOException {
        var f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2] + " (" + Runtime.getRuntime().availableProcessors() + " cores, shared)";
    }

    private static String[] child(String mode, Path file, int runs, String heap, Path dir) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var log = dir.resolve(mode + ".log");
        var p = new ProcessBuilder(java, "-Xmx" + heap, "-Xmn16m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SpansBench.class.getName(), "one", mode, file.toString(), Integer.toString(runs))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(mode + " did not finish in 30 min");
        }
        var out = Files.readString(log);
        var last = out.lines().filter(l -> l.startsWith("result ")).findFirst();
        if (p.exitValue() != 0 || last.isEmpty()) throw new AssertionError(mode + " failed (exit " + p.exitValue() + "):\n" + out);
        var f = last.get().split(" ");
        return new String[] {mode, f[1], f[2], f[3], f[4], f[5], f[6]};
    }

    /** In the child JVM: one warm-up, then the best of {@code runs}; the peak heap and resident set over all of it. */
    private static void one(String mode, Path file, int runs) throws Exception {
        // The most the heap held after any collection: with a small young generation (-Xmn16m) collections come often,
        // so this is close to the most the reader needed live at once (the peak of heap use counts garbage too).
        var liveAfterGc = new AtomicLong();
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream().mapToLong(u -> u.getUsed()).sum();
                liveAfterGc.accumulateAndGet(used, Math::max);
            }, null, null);
        }
        long best = Long.MAX_VALUE;
        List<ClientSpan> kept = List.of();
        for (int r = 0; r <= runs; r++) {
            kept = null;
            System.gc();
            if (r == 1) liveAfterGc.set(0); // the warm-up's garbage is not the runs'
            long t0 = System.nanoTime();
            kept = switch (mode) {
                case "kvscope" -> OtlpSpanReader.read(List.of(file)).spans();
                case "jackson-tree" -> jacksonTree(file);
                case "otel-proto" -> otelProto(file);
                default -> throw new IllegalArgumentException(mode);
            };
            long ns = System.nanoTime() - t0;
            if (r > 0) best = Math.min(best, ns);
        }
        long peak = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        System.gc();
        var rt = Runtime.getRuntime();
        long retained = rt.totalMemory() - rt.freeMemory();
        Thread.sleep(100); // GC notifications come on a thread of their own
        long hwm = 0;
        for (var l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) hwm = Long.parseLong(l.replaceAll("\\D", "")) * 1024;
        }
        System.out.println("result " + kept.size() + " " + best / 1_000_000 + " " + peak + " " + retained + " " + hwm + " "
                + liveAfterGc.get());
    }

    // --- the peers: the same ClientSpan of every Redis client span -----------------------------------------------

    private static List<ClientSpan> jacksonTree(Path file) throws IOException {
        var json = new ObjectMapper();
        var out = new ArrayList<ClientSpan>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int line = 0;
            for (String l; (l = in.readLine()) != null; ) {
                line++;
                var doc = json.readTree(l);
                for (var rs : doc.path("resourceSpans")) {
                    var service = treeAttrs(rs.path("resource").path("attributes")).get("service.name");
                    for (var ss : rs.path("scopeSpans")) {
                        for (var s : ss.path("spans")) {
                            var a = treeAttrs(s.path("attributes"));
                            if (!"redis".equals(a.get("db.system.name")) || s.path("kind").asInt() != 3) continue;
                            out.add(span(file, line, service, s.path("traceId").asText(), s.path("spanId").asText(),
                                    s.path("parentSpanId").asText(null), s.path("name").asText(),
                                    Long.parseLong(s.path("startTimeUnixNano").asText()),
                                    Long.parseLong(s.path("endTimeUnixNano").asText()), a));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, String> treeAttrs(JsonNode list) {
        var out = new HashMap<String, String>();
        for (var kv : list) {
            var v = kv.path("value");
            out.put(kv.path("key").asText(), v.has("intValue") ? v.path("intValue").asText() : v.path("stringValue").asText());
        }
        return out;
    }

    private static List<ClientSpan> otelProto(Path file) throws IOException {
        // OTLP/JSON ids are hex; protobuf's JSON mapping reads bytes as base64, and 32 or 16 hex digits are valid
        // base64 too: parsed as such (other bytes, the same work), and the hex is what is kept.
        var parser = JsonFormat.parser().ignoringUnknownFields();
        var hex = HexFormat.of();
        var out = new ArrayList<ClientSpan>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int line = 0;
            for (String l; (l = in.readLine()) != null; ) {
                line++;
                var b = ExportTraceServiceRequest.newBuilder();
                parser.merge(l, b);
                for (var rs : b.getResourceSpansList()) {
                    var service = protoAttrs(rs.getResource().getAttributesList()).get("service.name");
                    for (var ss : rs.getScopeSpansList()) {
                        for (var s : ss.getSpansList()) {
                            var a = protoAttrs(s.getAttributesList());
                            if (!"redis".equals(a.get("db.system.name")) || s.getKind() != Span.SpanKind.SPAN_KIND_CLIENT) continue;
                            out.add(span(file, line, service, hex.formatHex(s.getTraceId().toByteArray()),
                                    hex.formatHex(s.getSpanId().toByteArray()),
                                    s.getParentSpanId().isEmpty() ? null : hex.formatHex(s.getParentSpanId().toByteArray()),
                                    s.getName(), s.getStartTimeUnixNano(), s.getEndTimeUnixNano(), a));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, String> protoAttrs(List<KeyValue> list) {
        var out = new HashMap<String, String>();
        for (var kv : list) {
            AnyValue v = kv.getValue();
            out.put(kv.getKey(), v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue());
        }
        return out;
    }

    private static ClientSpan span(Path file, int line, String service, String traceId, String spanId, String parent,
                                   String name, long start, long end, Map<String, String> a) {
        return new ClientSpan(file.toString(), line, service, service, traceId, spanId, parent, name, start, end,
                a.get("db.operation.name").toLowerCase(Locale.ROOT), false, a.get("db.query.text"), a.get("server.address"),
                Integer.parseInt(a.get("server.port")), a.get("network.peer.address"),
                Integer.parseInt(a.get("network.peer.port")), -1);
    }

    // --- the file --------------------------------------------------------------------------------------------------

    /**
     * Writes {@code spans} spans as the Collector's file exporter does (one ExportTraceServiceRequest of
     * {@value #PER_LINE} spans per line), in the shape of the OpenTelemetry ioredis instrumentation under an HTTP
     * server span: every other span a Redis client span (db.system.name, db.operation.name, db.query.text,
     * server.address/port, network.peer.address/port), the rest HTTP server spans. Returns the Redis client spans.
     */
    static long write(Path file, int spans) throws IOException {
        long redis = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int id = 1; id <= spans; ) {
                w.write("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
                        + "{\"stringValue\":\"shop\"}},{\"key\":\"service.instance.id\",\"value\":{\"stringValue\":"
                        + "\"shop-1\"}},{\"key\":\"process.pid\",\"value\":{\"intValue\":\"4242\"}}]},\"scopeSpans\":"
                        + "[{\"scope\":{\"name\":\"@opentelemetry/instrumentation-ioredis\",\"version\":\"0.47.0\"},"
                        + "\"spans\":[");
                for (int k = 0; k < PER_LINE && id <= spans; k++, id++) {
                    if (k > 0) w.write(',');
                    long start = 1_700_000_000_000_000_000L + id * 1000L;
                    int http = id - (id % 2 == 0 ? 1 : 0);
                    if (id % 2 == 0) {
                        redis++;
                        w.write(String.format(Locale.ROOT, "{\"traceId\":\"%032x\",\"spanId\":\"%016x\",\"parentSpanId\":"
                                        + "\"%016x\",\"name\":\"set\",\"kind\":3,\"startTimeUnixNano\":\"%d\","
                                        + "\"endTimeUnixNano\":\"%d\",\"attributes\":["
                                        + "{\"key\":\"db.system.name\",\"value\":{\"stringValue\":\"redis\"}},"
                                        + "{\"key\":\"db.operation.name\",\"value\":{\"stringValue\":\"SET\"}},"
                                        + "{\"key\":\"db.query.text\",\"value\":{\"stringValue\":\"set key:%d ?\"}},"
                                        + "{\"key\":\"server.address\",\"value\":{\"stringValue\":\"127.0.0.1\"}},"
                                        + "{\"key\":\"server.port\",\"value\":{\"intValue\":\"6379\"}},"
                                        + "{\"key\":\"network.peer.address\",\"value\":{\"stringValue\":\"127.0.0.1\"}},"
                                        + "{\"key\":\"network.peer.port\",\"value\":{\"intValue\":\"6379\"}}],"
                                        + "\"status\":{}}",
                                http, id, http, start, start + 180_000, id));
                    } else {
                        w.write(String.format(Locale.ROOT, "{\"traceId\":\"%032x\",\"spanId\":\"%016x\",\"name\":"
                                        + "\"GET /item\",\"kind\":2,\"startTimeUnixNano\":\"%d\",\"endTimeUnixNano\":"
                                        + "\"%d\",\"attributes\":["
                                        + "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"GET\"}},"
                                        + "{\"key\":\"url.path\",\"value\":{\"stringValue\":\"/item/%d\"}},"
                                        + "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"200\"}}],"
                                        + "\"status\":{}}",
                                http, id, start - 1000, start + 400_000, id));
                    }
                }
                w.write("]}]}]}\n");
            }
        }
        return redis;
    }
}
