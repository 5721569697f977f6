package kvscope.cli.record;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class EventCounterTest {

    @Test
    void takesTheEventNameFromBabeltraceTextLines() {
        assertThat(EventCounter.eventName("[06:20:16.921123456] host redis:call_command_end: { cpu_id = 1 }, { name = \"a: b\" }"))
                .isEqualTo("redis:call_command_end");
        assertThat(EventCounter.eventName("[1234.5] redis:poll_end: { }")).isEqualTo("redis:poll_end");
        assertThat(EventCounter.eventName("not an event line: x")).isNull();
    }

    @Test
    void aDirectoryWithoutATraceHoldsNoEvents(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("ust"));
        var counts = EventCounter.count(dir);
        assertThat(counts.total()).isZero();
        assertThat(counts.byName()).isEmpty();
    }
}
