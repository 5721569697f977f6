package kvscope.analysis.otel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Span files are read with bounded memory (issue #18): a generated file of 160,000 spans (70 MB) — 100 lines of 1,000
 * spans as the Collector's file exporter writes them, one line of 60,000 spans (26 MB, more than the heap), a garbled
 * line between — is read in a JVM of its own with a 32 MB heap. Every span is seen, the Redis client spans are kept
 * up to the cap and the rest counted, the garbled line counted. The control: the same file parsed line by line into
 * trees, as a reader that holds what it reads would, runs out of that heap — so the heap is small enough to tell.
 */
class OtlpSpanReaderMemoryTest {
    private static final String HEAP = "-Xmx32m";
    private static final int PER_LINE = 1000, LINES = 100, BIG = 60_000, CAP = 20_000;

    @Test
    void aLargeSpanFileIsReadInASmallHeapWithTheSpansPastTheCapCounted(@TempDir Path dir) throws Exception {
        var file = dir.resolve("spans.json");
        long redis = write(file);
        long spans = (long) PER_LINE * LINES + BIG;
        System.out.printf(Locale.ROOT, "span file: %d spans (%d Redis client spans), %.1f MB%n", spans, redis,
                Files.size(file) / 1e6);

        var out = probe(dir, "stream", file.toString(), Integer.toString(CAP));
        assertThat(out.exit()).as(out.text()).isZero();
        var v = values(out.text());
        System.out.println("streaming reader, " + HEAP + ": " + out.text().trim());
        assertThat(v.get("documents")).isEqualTo(LINES + 1);
        assertThat(v.get("seen")).isEqualTo(spans);
        assertThat(v.get("kept")).isEqualTo(CAP);
        assertThat(v.get("over")).isEqualTo(redis - CAP);
        assertThat(v.get("garbled")).isEqualTo(1);
        assertThat(v.get("notredis")).isEqualTo(spans - redis);

        var control = probe(dir, "tree", file.toString());
        System.out.println("control (trees of every line), " + HEAP + ": exit " + control.exit() + ", "
                + control.text().lines().filter(l -> l.contains("OutOfMemoryError")).findFirst().orElse(control.text().trim()));
        assertThat(control.exit()).as("the control must not fit in the heap").isNotZero();
        assertThat(control.text()).contains("OutOfMemoryError");
    }

    /** Writes the file; returns how many Redis client spans it has (every other span is an HTTP one). */
    private static long write(Path file) throws IOException {
        long redis = 0;
        int id = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int l = 0; l <= LINES; l++) {
                if (l == LINES / 2) w.write("{\"resourceSpans\": [ garbled\n");
                int n = l == LINES ? BIG : PER_LINE;
                w.write("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"shop\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"gen\"},\"spans\":[");
                for (int k = 0; k < n; k++) {
                    id++;
                    boolean isRedis = id % 2 == 0;
                    if (isRedis) redis++;
                    if (k > 0) w.write(',');
                    long start = 1_700_000_000_000_000_000L + id * 1000L;
                    w.write(String.format(Locale.ROOT, "{\"traceId\":\"%032x\",\"spanId\":\"%016x\",\"name\":\"%s\",\"kind\":3,"
                                    + "\"startTimeUnixNano\":\"%d\",\"endTimeUnixNano\":\"%d\",\"attributes\":["
                                    + "{\"key\":\"db.system\",\"value\":{\"stringValue\":\"%s\"}},"
                                    + "{\"key\":\"db.statement\",\"value\":{\"stringValue\":\"set key:%d value-%d\"}},"
                                    + "{\"key\":\"net.peer.name\",\"value\":{\"stringValue\":\"127.0.0.1\"}},"
                                    + "{\"key\":\"net.peer.port\",\"value\":{\"intValue\":6379}}]}",
                            id, id, isRedis ? "set" : "GET /x", start, start + 500, isRedis ? "redis" : "http", id, id));
                }
                w.write("]}]}]}\n");
            }
        }
        return redis;
    }

    private record Run(int exit, String text) {}

    private static Run probe(Path dir, String... args) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new ArrayList<>(List.of(java, HEAP, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SpanReaderProbe.class.getName()));
        cmd.addAll(List.of(args));
        var log = dir.resolve("probe-" + args[0] + ".log");
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the probe did not finish in 5 min");
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    private static Map<String, Long> values(String line) {
        var out = new HashMap<String, Long>();
        for (var kv : line.trim().split("\\s+")) {
            var p = kv.split("=");
            if (p.length == 2) out.put(p[0], Long.parseLong(p[1]));
        }
        return out;
    }
}
