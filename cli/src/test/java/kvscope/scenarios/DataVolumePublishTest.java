package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.views.Provider;
import kvscope.analysis.views.Query;
import kvscope.analysis.views.Tsp;
import kvscope.analysis.views.Views;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.testing.InstrumentedRedis;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Data volume view's PUBLISH series against ground truth of the same run (paper Fig. 8, redis/redis#12196): the
 * page shows the amplification as bus bytes out over the payload clients published, so both series must hold what
 * really happened — the payload the publishing client sent (its own count), and the bytes the kernel says node 1
 * sent on its bus sockets while the recording ran (ss's bytes_sent, pings and pongs included, as on the wire).
 */
class DataVolumePublishTest {
    private static final int MESSAGES = 100, PAYLOAD = 1024;

    @Test
    void publishedAndBusOutSeriesAddUpToWhatTheClientSentAndTheKernelCounted(@TempDir Path dir) throws Exception {
        var trace = dir.resolve("trace");
        long sentBefore, sentAfter;
        String publisherName;
        try (var cluster = RedisCluster.start(InstrumentedRedis.server(), 3)) {
            var publisher = cluster.node(0);
            publisherName = ":" + publisher.port();
            var busPorts = new HashSet<Integer>();
            for (var node : cluster.nodes()) busPorts.add(node.port() + 10000);
            var channel = PubsubClusterScenarioTest.channelOnNode(cluster, 0);
            var received = new long[cluster.nodes().size()];
            try (var sub = cluster.node(1).client(); var pub = publisher.client()) {
                sub.call("SUBSCRIBE", channel);
                try (var rec = Recording.start(trace, Profile.FULL)) {
                    for (int k = 1; k < received.length; k++) received[k] = PubsubClusterScenarioTest.publishReceived(cluster.node(k));
                    sentBefore = SocketBytes.sent(publisher.pid(), busPorts);
                    var value = "p".repeat(PAYLOAD);
                    for (int i = 0; i < MESSAGES; i++) pub.call("PUBLISH", channel, value);
                    for (int i = 0; i < MESSAGES; i++) sub.read();
                    PubsubClusterScenarioTest.awaitDelivered(cluster, received, MESSAGES);
                    PubsubClusterScenarioTest.awaitQuietBus(publisher, busPorts);
                    Thread.sleep(1100); // one server_info per node, to name them
                    sentAfter = SocketBytes.sent(publisher.pid(), busPorts);
                    rec.stop();
                }
            }
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var view = (Provider.Xy) Views.of(stored).find("kvscope.datavolume").orElseThrow();
            var tree = view.tree().entries();
            var server = tree.stream().filter(e -> e.parentId() == -1 && e.labels().get(0).endsWith(publisherName))
                    .findFirst().orElseThrow(() -> new AssertionError("no data-volume entry for node 1 (" + publisherName + ")"));
            long published = series(tree, server, "Published payload"), busOut = series(tree, server, "Bus out");
            var sum = stored.summary();
            // Sampled over twice the trace's span, so the last sample is past its end and every byte is counted once.
            var q = new Query(sum.start(), sum.start() + 2 * (sum.end() - sum.start()), 400);
            var xy = view.xy(q, new long[] {published, busOut});
            double pubBytes = total(xy, published, q), busBytes = total(xy, busOut, q);
            double truth = (double) (sentAfter - sentBefore) / ((long) MESSAGES * PAYLOAD);
            System.out.printf(Locale.ROOT, "%ndata volume of node 1: published %.0f B (client sent %d), bus out %.0f B "
                            + "(kernel: %d), amplification %.2f× (truth %.2f×)%n", pubBytes, (long) MESSAGES * PAYLOAD, busBytes,
                    sentAfter - sentBefore, busBytes / pubBytes, truth);
            assertThat(Math.round(pubBytes)).as("published payload bytes, view vs the client's own count")
                    .isEqualTo((long) MESSAGES * PAYLOAD);
            assertThat(busBytes).as("bus bytes out, view vs the kernel's bytes_sent over the recording")
                    .isCloseTo(sentAfter - sentBefore, Percentage.withPercentage(5));
            assertThat(busBytes / pubBytes).as("amplification, view vs ground truth").isCloseTo(truth, Percentage.withPercentage(5));
        }
    }

    private static long series(List<Tsp.Entry> tree, Tsp.Entry server, String label) {
        return tree.stream().filter(e -> e.parentId() == server.id() && e.labels().get(0).equals(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no \"" + label + "\" series under " + server.labels())).id();
    }

    /** The bytes a rate series stands for: each sample's bytes/s times the sample's width. */
    private static double total(Tsp.Xy xy, long id, Query q) {
        var s = xy.series().stream().filter(x -> x.seriesId() == id).findFirst().orElseThrow();
        double sum = 0;
        for (double y : s.yValues()) sum += y;
        return sum * q.step() / 1e9;
    }
}
