package kvscope.cli.record;

import kvscope.fixtures.RedisTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static kvscope.fixtures.RedisTraceWriter.raw;
import static org.assertj.core.api.Assertions.assertThat;

class EventCounterTest {

    @Test
    void countsEveryEventByNameAndTheDiscardedOnes(@TempDir Path dir) {
        try (var w = new RedisTraceWriter(dir, "h", 7, false)) {
            for (int i = 0; i < 3000; i++) w.event(i % 2, T0 + i * 1000L, 7, "before_sleep_end");
            w.stream(0).discard(17);
            for (int i = 0; i < 5; i++) {
                w.event(0, T0 + 4_000_000 + i, 7, "call_command_end", "fd", 8, "id", 1L, "name", "get",
                        "start_ns", raw(T0), "duration_ns", 10L);
            }
        }
        var counts = EventCounter.count(dir);
        assertThat(counts.byName()).containsEntry("redis:before_sleep_end", 3000L).containsEntry("redis:call_command_end", 5L);
        assertThat(counts.total()).isEqualTo(3005);
        assertThat(counts.discarded()).isEqualTo(17);
    }

    @Test
    void aDirectoryWithoutATraceHoldsNoEvents(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("ust"));
        var counts = EventCounter.count(dir);
        assertThat(counts.total()).isZero();
        assertThat(counts.byName()).isEmpty();
    }
}
