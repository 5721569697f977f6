package kvscope.cli.record;

import java.io.PrintStream;
import java.util.Map;
import java.util.SortedMap;

/**
 * How many events of each name a trace holds, how many the tracer had to drop (ring buffer full), and how many
 * commands and publishes the light profile's {@code redis:commands} and {@code redis:publishes} events hold (each
 * holds up to 32).
 */
public record EventCounts(SortedMap<String, Long> byName, long discarded, long batchedCommands, long batchedPublishes) {

    public long total() { return byName.values().stream().mapToLong(Long::longValue).sum(); }

    public long of(String name) { return byName.getOrDefault(name, 0L); }

    public void print(PrintStream out) {
        int width = Math.max(5, Long.toString(total()).length());
        for (Map.Entry<String, Long> e : byName.entrySet()) {
            var held = e.getKey().equals(EventCounter.BATCH) ? " (holding " + batchedCommands + " commands)"
                    : e.getKey().equals(EventCounter.PUBLISHES) ? " (holding " + batchedPublishes + " publishes)" : "";
            out.printf("  %" + width + "d  %s%s%n", e.getValue(), e.getKey(), held);
        }
        out.printf("  %" + width + "d  total%n", total());
        if (discarded > 0) {
            out.printf("  warning: the tracer discarded %d events (its buffers were full); counts are a lower bound%n",
                    discarded);
        }
    }
}
