package kvscope.cli.record;

import kvscope.cli.UserError;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizesTest {
    @Test
    void readsTheFormsUsersType() {
        assertThat(Sizes.parse("512")).isEqualTo(512);
        assertThat(Sizes.parse("64k")).isEqualTo(64 * 1024);
        assertThat(Sizes.parse("1MiB")).isEqualTo(1 << 20);
        assertThat(Sizes.parse("1.5 MB")).isEqualTo(3 << 19);
        assertThat(Sizes.parse("2g")).isEqualTo(2L << 30);
    }

    @Test
    void refusesWhatIsNotASizeAndSaysWhatWouldDo() {
        assertThatThrownBy(() -> Sizes.parse("lots")).isInstanceOf(UserError.class).hasMessageContaining("e.g. 512, 64k");
        assertThatThrownBy(() -> Sizes.parse("0k")).isInstanceOf(UserError.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> Sizes.parse("99999999999g")).isInstanceOf(UserError.class);
    }
}
