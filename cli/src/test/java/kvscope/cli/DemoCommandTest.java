package kvscope.cli;

import kvscope.cli.testing.Cli;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The main job, as the README's first command runs it (without serving at the end): every stage, real parts. */
class DemoCommandTest {

    @Test
    void recordsAnalysesAndReportsTheServerTheClusterAndThePublishAmplification(@TempDir Path dir) {
        InstrumentedRedis.bin();
        var r = Cli.run("demo", "--no-serve", "--requests", "2000", "-o", dir.resolve("t").toString());
        var out = r.out();
        assertThat(r.exitCode()).as(out + r.err()).isZero();
        assertThat(out).contains("==> Starting a 3-node instrumented Redis cluster")
                .contains("200 messages published on node 1 reached the subscriber on node 2")
                .contains("redis:call_command_start")
                .contains("==> Analysing the trace");
        // The benchmarked server, named host:port, with every request counted.
        assertThat(out).containsPattern("set 2,000 p50 [0-9.]+ .s p99")
                .containsPattern("get 2,000 p50")
                .containsPattern("lpush 2,000 p50")
                .containsPattern("publish 200 p50");
        // Each message followed from the publisher on node 1 over the bus to the subscriber on node 2.
        assertThat(out).containsPattern("Netflow arrows: [0-9,]+ PUBLISH → cluster links, [0-9,]+ across the bus, [0-9,]+ to subscribers")
                .doesNotContain("arrows: 0 PUBLISH").doesNotContain(", 0 across the bus").doesNotContain(", 0 to subscribers");
        assertThat(out).containsPattern("\\[CRITICAL\\] PUBLISH multiplies cluster-bus traffic [0-9.]+× on \\S+:\\d+");
        assertThat(out).doesNotContain("queued twice").doesNotContain("freed twice");
    }
}
