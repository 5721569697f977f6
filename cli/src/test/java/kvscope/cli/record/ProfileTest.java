package kvscope.cli.record;

import kvscope.cli.UserError;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileTest {

    @Test
    void fullRecordsEveryRedisEventAndTheNodeAgent() {
        assertThat(Profile.FULL.eventRules()).containsExactly("redis:*", "nodejs:*");
    }

    @Test
    void lightFollowsTheInstrumentationsListWithoutEventLoopDetail() {
        var rules = Profile.LIGHT.eventRules();
        assertThat(rules).contains("redis:commands", "redis:accept_client", "redis:free_client",
                "redis:publishes", "redis:cluster_send", "nodejs:*");
        // call_command_end (publish) enabled would make Redis record one event per command (publish), not batches
        assertThat(rules).doesNotContain("redis:*", "redis:poll_end", "redis:before_sleep_start",
                "redis:add_file_event", "redis:end_read_client_query", "redis:call_command_end", "redis:publish");
    }

    @Test
    void theSnapshotTriggersAreEnabledOnlyAfterTheStart() {
        assertThat(Profile.FULL.rulesBeforeStart()).containsExactly(
                new EventRule(List.of("redis:*"), List.of("redis:snapshot_client")),
                new EventRule(List.of("nodejs:*"), List.of("nodejs:snapshot_socket")));
        assertThat(Profile.FULL.rulesAfterStart()).containsExactly("redis:snapshot_client", "nodejs:snapshot_socket");

        var light = Profile.LIGHT.rulesBeforeStart();
        assertThat(light.get(0).names()).contains("redis:snapshot_start", "redis:snapshot_cluster_link",
                "redis:commands").doesNotContain("redis:snapshot_client");
        assertThat(light.get(0).excluded()).isEmpty();
        assertThat(light).hasSize(2).last()
                .isEqualTo(new EventRule(List.of("nodejs:*"), List.of("nodejs:snapshot_socket")));
        assertThat(Profile.LIGHT.rulesAfterStart()).containsExactly("redis:snapshot_client", "nodejs:snapshot_socket");
    }

    @Test
    void parsesNamesWithOrWithoutProviderSkippingComments() {
        var rules = Profile.parseLight(List.of("# comment", "", "redis:a_b  # trailing", "c2", "redis:a_b"), "x");
        assertThat(rules).containsExactly("redis:a_b", "redis:c2");
    }

    @Test
    void rejectsALineThatIsNotAnEventNameWithItsLineNumber() {
        assertThatThrownBy(() -> Profile.parseLight(List.of("ok", "not an event"), "list.txt"))
                .isInstanceOf(UserError.class).hasMessageContaining("list.txt line 2");
        assertThatThrownBy(() -> Profile.parseLight(List.of("# only comments"), "list.txt"))
                .isInstanceOf(UserError.class).hasMessageContaining("lists no events");
    }
}
