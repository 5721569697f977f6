package kvscope.cli.record;

import kvscope.cli.UserError;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @Test
    void readsTheUnitsUsersType() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("1.5")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(Durations.parse("10ms")).isEqualTo(Duration.ofMillis(10));
        assertThat(Durations.parse("300ns")).isEqualTo(Duration.ofNanos(300));
    }

    @Test
    void rejectsNonsenseAsAUsageError() {
        for (var bad : new String[] {"", "ten seconds", "5 days", "0s", "-3s"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).isInstanceOf(UserError.class)
                    .satisfies(e -> assertThat(((UserError) e).exitCode()).isEqualTo(2));
        }
    }
}
