package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.model.ServerStats;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario pubsub-cluster (paper use case 3, redis/redis#12196): PUBLISH on node 1 of a cluster, a subscriber on
 * node 2; what kvscope reports of the bus traffic against ground truth measured in the same run — Redis's own
 * CLUSTER INFO message counters and the kernel's per-socket byte counts (ss) around the burst. SPUBLISH for contrast.
 * {@code scenarios/pubsub-cluster/run} runs the whole matrix (-Dkvscope.scenario.full=true); the test suite a part.
 */
class PubsubClusterScenarioTest {
    private static final int MESSAGES = 100;

    record Row(int nodes, int payload, boolean sharded, long publishes, long kvMessages, long kvBytes, double kvFactor,
               boolean finding, long truthMessages, long truthBytes, double truthFactor) {}

    @Test
    void amplificationReportedMatchesGroundTruthWithinFivePercent(@TempDir Path dir) throws Exception {
        boolean full = Boolean.getBoolean("kvscope.scenario.full");
        var rows = new ArrayList<Row>();
        for (int nodes : full ? List.of(3, 6) : List.of(3)) {
            var payloads = full ? List.of(100, 1024, 10240) : List.of(100, 10240);
            try (var cluster = RedisCluster.start(InstrumentedRedis.server(), nodes)) {
                for (int payload : payloads) rows.add(run(cluster, dir.resolve(nodes + "-" + payload), payload, false));
                rows.add(run(cluster, dir.resolve(nodes + "-sharded"), 1024, true));
            }
        }
        print(rows);
        for (var r : rows) {
            var what = r.nodes() + " nodes, " + r.payload() + " B" + (r.sharded() ? " SPUBLISH" : " PUBLISH");
            assertThat(r.publishes()).as(what + ": publishes seen").isEqualTo(MESSAGES);
            assertThat(r.kvMessages()).as(what + ": bus messages, kvscope vs CLUSTER INFO").isEqualTo(r.truthMessages());
            if (r.sharded()) {
                assertThat(r.kvBytes()).as(what + ": a shard of one node sends nothing on the bus").isZero();
                assertThat(r.finding()).as(what + ": no amplification finding").isFalse();
            } else {
                assertThat(r.kvMessages()).isEqualTo((long) MESSAGES * (r.nodes() - 1));
                assertThat(r.kvFactor()).as(what + ": amplification, kvscope vs ss")
                        .isCloseTo(r.truthFactor(), org.assertj.core.data.Percentage.withPercentage(5));
                assertThat(r.finding()).as(what + ": amplification finding").isTrue();
            }
        }
    }

    private static Row run(RedisCluster cluster, Path trace, int payload, boolean sharded) throws Exception {
        int n = cluster.nodes().size();
        var publisher = cluster.node(0);
        var busPorts = new HashSet<Integer>();
        for (var node : cluster.nodes()) busPorts.add(node.port() + 10000);
        // A channel served by node 1's shard, so SPUBLISH on node 1 is not redirected.
        var channel = channelOnNode(cluster, 0);
        var value = "v".repeat(payload);
        long truthBefore = publishSent(publisher, sharded), truthAfter, bytesBefore, bytesAfter;
        var receivedBefore = new long[n];
        for (int k = 1; k < n; k++) receivedBefore[k] = publishReceived(cluster.node(k));
        try (var sub = (sharded ? publisher : cluster.node(1)).client();
             var pub = publisher.client()) {
            sub.call(sharded ? "SSUBSCRIBE" : "SUBSCRIBE", channel);
            try (var rec = Recording.start(trace, Profile.FULL)) {
                bytesBefore = SocketBytes.sent(publisher.pid(), busPorts);
                for (int i = 0; i < MESSAGES; i++) pub.call(sharded ? "SPUBLISH" : "PUBLISH", channel, value);
                for (int i = 0; i < MESSAGES; i++) sub.read();
                if (!sharded) awaitDelivered(cluster, receivedBefore, MESSAGES);
                awaitQuietBus(publisher, busPorts);
                bytesAfter = SocketBytes.sent(publisher.pid(), busPorts);
                Thread.sleep(1100); // one server_info per node, to name them
                rec.stop();
            }
        }
        truthAfter = publishSent(publisher, sharded);
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(trace.resolveSibling(trace.getFileName() + ".model")))) {
            var st = stored.summary().servers().stream().filter(s -> s.name().endsWith(":" + publisher.port())).findFirst().orElseThrow();
            long[] pubBus = sum(st, "publish", "publishshard");
            boolean finding = Findings.detect(stored, Thresholds.DEFAULT).stream()
                    .anyMatch(f -> f.kind().equals("bus-amplification") && f.server().equals(st.name()));
            double kvFactor = (double) pubBus[1] / st.publishedPayloadBytes();
            double truthFactor = (double) (bytesAfter - bytesBefore) / ((long) MESSAGES * payload);
            return new Row(n, payload, sharded, st.publishes(), pubBus[0], pubBus[1], kvFactor, finding,
                    truthAfter - truthBefore, bytesAfter - bytesBefore, truthFactor);
        }
    }

    /** Waits until the publisher's bus sockets stop sending the burst (all messages handed to the kernel). */
    static void awaitQuietBus(RedisServer node, Set<Integer> ports) throws Exception {
        long last = -1;
        for (int i = 0; i < 50; i++) {
            long now = SocketBytes.sent(node.pid(), ports);
            if (now == last) return;
            last = now;
            Thread.sleep(20);
        }
    }

    /**
     * Waits until every other node has processed the burst (CLUSTER INFO's publish_received), so all of it has left
     * the publisher. The subscriber's node alone is not enough: a CI run read the kernel's counters while 17 messages
     * to the third node were still unsent.
     */
    static void awaitDelivered(RedisCluster cluster, long[] receivedBefore, long expected) throws Exception {
        for (int i = 0; i < 250; i++) {
            boolean all = true;
            for (int k = 1; k < cluster.nodes().size(); k++) {
                if (publishReceived(cluster.node(k)) - receivedBefore[k] < expected) all = false;
            }
            if (all) return;
            Thread.sleep(20);
        }
    }

    static long publishReceived(RedisServer node) {
        var key = "cluster_stats_messages_publish_received:";
        var info = (String) node.call("CLUSTER", "INFO");
        return info.lines().filter(l -> l.startsWith(key)).mapToLong(l -> Long.parseLong(l.substring(key.length()).trim()))
                .sum();
    }

    private static long[] sum(ServerStats st, String... types) {
        long[] out = new long[2];
        for (var t : types) {
            var v = st.busOutByType().get(t);
            if (v != null) {
                out[0] += v[0];
                out[1] += v[1];
            }
        }
        return out;
    }

    /** CLUSTER INFO's count of publish (or publishshard) messages this node has sent on the bus. */
    private static long publishSent(RedisServer node, boolean sharded) {
        var key = sharded ? "cluster_stats_messages_publishshard_sent:" : "cluster_stats_messages_publish_sent:";
        var info = (String) node.call("CLUSTER", "INFO");
        return info.lines().filter(l -> l.startsWith(key)).mapToLong(l -> Long.parseLong(l.substring(key.length()).trim()))
                .findFirst().orElse(0);
    }

    static String channelOnNode(RedisCluster cluster, int index) {
        var myId = cluster.nodeId(index);
        for (int i = 0; ; i++) {
            var name = "news-" + i;
            long slot = (Long) cluster.node(index).call("CLUSTER", "KEYSLOT", name);
            if (owns(cluster.node(index), myId, slot)) return name;
            if (i > 10_000) throw new IllegalStateException("no channel name hashes to a slot of node " + index);
        }
    }

    private static boolean owns(RedisServer node, String id, long slot) {
        for (var line : ((String) node.call("CLUSTER", "NODES")).split("\n")) {
            var f = line.split(" ");
            if (!f[0].equals(id)) continue;
            for (int k = 8; k < f.length; k++) {
                var range = f[k].split("-");
                long lo = Long.parseLong(range[0]), hi = range.length > 1 ? Long.parseLong(range[1]) : lo;
                if (slot >= lo && slot <= hi) return true;
            }
        }
        return false;
    }

    private static void print(List<Row> rows) {
        System.out.println();
        System.out.println("scenario pubsub-cluster: PUBLISH on node 1, subscriber on node 2 (SPUBLISH: same shard), "
                + MESSAGES + " messages each");
        System.out.printf("%5s %8s %-9s | %-38s | %-38s | %s%n", "", "", "", "kvscope (from the trace)", "ground truth (same run)", "");
        System.out.printf("%5s %8s %-9s | %10s %12s %13s | %10s %12s %13s | %s%n", "nodes", "payload", "command",
                "bus msgs", "bus bytes", "amplification", "CLUSTER INFO", "ss bytes", "amplification", "diff");
        for (var r : rows) {
            System.out.printf(Locale.ROOT, "%5d %8d %-9s | %10d %12d %12.2f× | %10d %12d %12.2f× | %+.1f%%%n", r.nodes(),
                    r.payload(), r.sharded() ? "SPUBLISH" : "PUBLISH", r.kvMessages(), r.kvBytes(), r.kvFactor(),
                    r.truthMessages(), r.truthBytes(), r.truthFactor(),
                    r.truthFactor() == 0 ? 0 : 100 * (r.kvFactor() - r.truthFactor()) / r.truthFactor());
        }
        System.out.println("kvscope: bytes of publish messages queued on the bus (cluster_send), per payload byte published;"
                + " ground truth: tcp bytes_sent on node 1's bus sockets over the burst (ss), messages from CLUSTER INFO.");
    }
}
