package kvscope.analysis.otel;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a JVM of its own with a small heap by OtlpSpanReaderMemoryTest: reads a span file and prints what it read,
 * or (mode "tree", the control) parses each line into a tree and keeps them, as a reader holding the file would.
 */
public final class SpanReaderProbe {
    private SpanReaderProbe() {}

    public static void main(String[] args) throws Exception {
        var file = Path.of(args[1]);
        if (args[0].equals("tree")) {
            var json = new ObjectMapper();
            var kept = new java.util.ArrayList<Object>();
            try (var lines = Files.lines(file)) {
                lines.forEach(l -> {
                    try {
                        kept.add(json.readTree(l));
                    } catch (Exception e) {
                        kept.add(e.getMessage());
                    }
                });
            }
            System.out.println("trees " + kept.size());
            return;
        }
        int max = Integer.parseInt(args[2]);
        long t0 = System.nanoTime();
        var r = OtlpSpanReader.read(List.of(file), max);
        long ns = System.nanoTime() - t0;
        var rt = Runtime.getRuntime();
        System.gc();
        System.out.printf("documents=%d seen=%d kept=%d over=%d garbled=%d notredis=%d ms=%d used=%d%n", r.documents(),
                r.spansSeen(), r.spans().size(), r.unusable().count(OtlpSpanReader.OVER),
                r.unusable().count("garbled lines (not JSON; the other lines were read)"),
                r.unusable().count("spans that are not Redis calls (no db.system / db.system.name = redis)"), ns / 1_000_000,
                rt.totalMemory() - rt.freeMemory());
    }
}
