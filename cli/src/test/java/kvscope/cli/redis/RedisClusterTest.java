package kvscope.cli.redis;

import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RedisClusterTest {

    @Test
    void threeNodesFormAClusterCoveringEverySlotAndStopTogether() throws Exception {
        var handles = new ArrayList<ProcessHandle>();
        try (var cluster = RedisCluster.start(InstrumentedRedis.stockServer(), 3)) {
            var ids = new HashSet<String>();
            for (int i = 0; i < 3; i++) {
                var node = cluster.node(i);
                handles.add(ProcessHandle.of(node.pid()).orElseThrow());
                var info = (String) node.call("CLUSTER", "INFO");
                assertThat(info).contains("cluster_state:ok", "cluster_slots_assigned:16384", "cluster_known_nodes:3");
                ids.add(cluster.nodeId(i));
            }
            assertThat(ids).hasSize(3).allSatisfy(id -> assertThat(id).hasSize(40));

            // Pub/Sub crosses the bus: a subscriber on node 2 receives what node 1 publishes.
            try (var sub = cluster.node(1).client()) {
                sub.call("SUBSCRIBE", "news");
                cluster.node(0).call("PUBLISH", "news", "hello");
                assertThat(sub.read()).isEqualTo(List.of("message", "news", "hello"));
            }
        }
        for (var h : handles) assertThat(h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
    }
}
