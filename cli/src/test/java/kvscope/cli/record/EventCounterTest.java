package kvscope.cli.record;

import kvscope.analysis.synthetic.RedisTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static kvscope.analysis.synthetic.RedisTraceWriter.T0;
import static kvscope.analysis.synthetic.RedisTraceWriter.raw;
import static org.assertj.core.api.Assertions.assertThat;

class EventCounterTest {

    @Test
    void countsEveryEventByNameAndTheDiscardedOnes(@TempDir Path dir) {
        try (var w = new RedisTraceWriter(dir, "h", 7, false)) {
            for (int i = 0; i < 3000; i++) w.ev(i % 2, T0 + i * 1000L, 7, "before_sleep_end");
            w.stream(0).discard(17);
            for (int i = 0; i < 5; i++) {
                w.ev(0, T0 + 4_000_000 + i, 7, "call_command_end", 8, 1L, "get", raw(T0), 10L, 0L, 0);
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
