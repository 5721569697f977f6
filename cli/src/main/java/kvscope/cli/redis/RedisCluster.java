package kvscope.cli.redis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * N Redis cluster nodes (masters, no replicas) on loopback, joined with CLUSTER MEET and sharing the 16384 slots
 * evenly via CLUSTER ADDSLOTSRANGE (Redis 7.0+); {@link #start} returns once every node reports cluster_state:ok and
 * knows every other node. Closing stops all nodes.
 */
public final class RedisCluster implements AutoCloseable {
    private static final int SLOTS = 16384;
    private static final long READY_TIMEOUT_MS = 30_000;

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) { this.nodes = List.copyOf(nodes); }

    public static RedisCluster start(Path binary, int n, String... extraConfig) {
        if (n < 1) throw new IllegalArgumentException("a cluster needs at least one node, not " + n);
        var nodes = new ArrayList<RedisServer>();
        var cluster = new RedisCluster(List.of());
        try {
            var config = new ArrayList<>(List.of("cluster-enabled yes", "cluster-config-file nodes.conf",
                    "cluster-node-timeout 5000"));
            config.addAll(List.of(extraConfig));
            for (int i = 0; i < n; i++) nodes.add(RedisServer.start(binary, null, config));
            for (int i = 0; i < n; i++) {
                int first = i * SLOTS / n;
                int last = (i + 1) * SLOTS / n - 1;
                nodes.get(i).call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last));
            }
            for (int i = 1; i < n; i++) {
                nodes.get(0).call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(nodes.get(i).port()));
            }
            cluster = new RedisCluster(nodes);
            cluster.awaitReady();
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    private void awaitReady() {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            boolean ready = true;
            for (var node : nodes) {
                var info = (String) node.call("CLUSTER", "INFO");
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + nodes.size())) {
                    ready = false;
                    last = node + ": " + info.lines().filter(l -> l.startsWith("cluster_state")
                            || l.startsWith("cluster_known_nodes")).toList();
                    break;
                }
            }
            if (ready) return;
            RedisServer.sleep(50);
        }
        throw new IllegalStateException("cluster of " + nodes.size() + " nodes not ready after " + READY_TIMEOUT_MS
                + " ms; last seen " + last);
    }

    public List<RedisServer> nodes() { return nodes; }

    public RedisServer node(int i) { return nodes.get(i); }

    /** The 40-character cluster node id of node i. */
    public String nodeId(int i) { return (String) nodes.get(i).call("CLUSTER", "MYID"); }

    @Override public void close() { nodes.forEach(RedisServer::close); }
}
