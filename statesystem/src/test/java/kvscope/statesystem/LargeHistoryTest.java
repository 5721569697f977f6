package kvscope.statesystem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One large run with the default configuration: ~a million intervals over ten thousand attributes. */
class LargeHistoryTest {
    @TempDir Path dir;

    @Test
    void millionIntervalsOverTenThousandAttributesMatchTheOracle() throws Exception {
        Path f = dir.resolve("large.ht");
        Oracle o;
        try (var h = History.create(f, Config.DEFAULT)) {
            var s = new Script(h, 10_000, 1_000_000, 99);
            s.createAttributes();
            s.run(500_000);
            Checks.all(h, s.o, 1); // during the build
            s.run(700_000);
            s.close();
            o = s.o;
            assertThat(h.intervalCount()).isGreaterThan(1_000_000);
            Checks.all(h, o, 2);
        }
        try (var h = History.open(f)) {
            h.verify();
            Checks.all(h, o, 3);
            // bytes per interval stays compact at this scale
            assertThat((double) h.fileSize() / h.intervalCount()).isLessThan(14);
        }
    }
}
