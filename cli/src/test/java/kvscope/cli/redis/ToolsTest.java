package kvscope.cli.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ToolsTest {

    @Test
    void capturesOutputAndExitCode() {
        var run = Tools.run(Duration.ofSeconds(10), List.of("sh", "-c", "echo out; echo err >&2; exit 3"));
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stdout()).isEqualTo("out\n");
        assertThat(run.stderr()).isEqualTo("err\n");
        assertThat(run.ok()).isFalse();
        assertThatThrownBy(run::orThrow).hasMessageContaining("exited with 3").hasMessageContaining("err");
    }

    @Test
    void killsAToolThatOutlivesItsTimeoutWithItsChildren() {
        long t0 = System.nanoTime();
        var run = Tools.run(Duration.ofMillis(300), List.of("sh", "-c", "sleep 30 & sleep 30; wait"));
        assertThat(run.timedOut()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(run.describe()).contains("timed out");
    }

    @Test
    void aMissingProgramIsNamed() {
        assertThatThrownBy(() -> Tools.run(Duration.ofSeconds(5), List.of("kvscope-no-such-program")))
                .isInstanceOf(Tools.ToolMissing.class).hasMessageContaining("kvscope-no-such-program");
        assertThat(Tools.onPath("sh")).isTrue();
        assertThat(Tools.onPath("kvscope-no-such-program")).isFalse();
    }

    @Test
    void readsCpuTimeOfAProcessFromProc() {
        long self = ProcessHandle.current().pid();
        assertThat(ProcStat.cpuTicks(self)).isPositive();
    }
}
