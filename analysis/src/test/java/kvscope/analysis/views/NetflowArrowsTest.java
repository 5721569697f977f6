package kvscope.analysis.views;

import kvscope.analysis.Analysis;
import kvscope.fixtures.SampleTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The Netflow view's arrows: rows of the tree, drawn in the range asked, styled by what they stand for. */
class NetflowArrowsTest {
    @TempDir Path dir;

    @Test
    void arrowsJoinRowsOfTheTreeAcrossServers() throws IOException {
        var trace = SampleTraces.publishAcrossCluster(dir.resolve("trace"));
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var netflow = (Provider.TimeGraph) Views.of(stored).find(NetflowView.DESCRIPTOR.id()).orElseThrow();
            var labels = netflow.tree().entries().stream()
                    .collect(Collectors.toMap(Tsp.Entry::id, e -> e.labels().get(0)));
            var parents = netflow.tree().entries().stream()
                    .collect(Collectors.toMap(Tsp.Entry::id, Tsp.Entry::parentId));
            var sum = stored.summary();
            var arrows = netflow.arrows(new Query(sum.start(), sum.end(), 1000));
            assertThat(arrows).hasSize(6);
            // "server › fd" of both ends: the arrow from node 1's link fd 20 lands on node 2's link fd 30.
            var ends = arrows.stream().map(a -> end(labels, parents, a.sourceId()) + " -> " + end(labels, parents, a.targetId())
                    + " " + a.style().parentKey()).toList();
            assertThat(ends).contains("h1:7001 fd 20 -> h1:7002 fd 30 ARROW_BUS",
                    "h1:7002 fd 30 -> h1:7002 fd 12 ARROW_DELIVER",
                    "h1:7001 fd 10 -> h1:7001 fd 11 ARROW_PUBLISH_LOCAL");
            assertThat(Styles.all()).containsKeys(arrows.stream().map(a -> a.style().parentKey()).toArray(String[]::new));
            for (var a : arrows) assertThat(a.start()).isLessThanOrEqualTo(a.end());

            // Zoomed after the last arrow: none; zoomed on the bus arrow's middle: it alone crosses the range.
            var bus = arrows.stream().filter(a -> a.style().parentKey().equals("ARROW_BUS")).findFirst().orElseThrow();
            long mid = (bus.start() + bus.end()) / 2;
            assertThat(netflow.arrows(new Query(mid, mid + 10, 100))).extracting(a -> a.style().parentKey())
                    .contains("ARROW_BUS").doesNotContain("ARROW_PUBLISH_LOCAL");
            assertThat(netflow.arrows(new Query(sum.end() + 1, sum.end() + 1_000_000, 100))).isEmpty();
        }
    }

    private static String end(java.util.Map<Long, String> labels, java.util.Map<Long, Long> parents, long row) {
        var fd = labels.get(row);
        return labels.get(parents.get(row)) + " " + fd.split(" ·")[0];
    }
}
