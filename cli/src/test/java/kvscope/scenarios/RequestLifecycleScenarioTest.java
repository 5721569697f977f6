package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.flows.Flow;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.redis.Resp;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario request-lifecycle (paper use case 2): a 3-node cluster where one client reads and writes keys on every
 * node, always asking node 1 first and following the MOVED redirects itself, while each node publishes to a
 * subscriber on node 2. The Netflow arrows must follow every request and message from node to node: each MOVED to
 * the retry on the node it named, each PUBLISH out on the bus, into the other nodes and to the subscriber. Ground
 * truth from the same run: the redirects the client received (slot and node), and the messages the subscriber read.
 */
class RequestLifecycleScenarioTest {
    private static final int KEYS = 30, PUBLISHES = 10;

    @Test
    void arrowsFollowRedirectsAndMessagesFromNodeToNode(@TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("lifecycle");
        var movedTo = new ArrayList<int[]>(); // [slot, port] of each MOVED the client received
        var received = new HashMap<String, Integer>(); // messages the subscriber read, by publishing node
        int[] ports = new int[3];
        try (var cluster = RedisCluster.start(bin.resolve("redis-server"), 3)) {
            for (int i = 0; i < 3; i++) ports[i] = cluster.node(i).port();
            var conns = new HashMap<Integer, Resp>();
            try (var sub = cluster.node(1).client()) {
                sub.call("SUBSCRIBE", "news");
                try (var rec = Recording.start(trace, Profile.FULL)) {
                    for (int k = 0; k < KEYS; k++) {
                        call(conns, ports[0], movedTo, "SET", "key:" + k, "v" + k);
                        assertThat(call(conns, ports[0], movedTo, "GET", "key:" + k)).isEqualTo("v" + k);
                    }
                    for (int i = 0; i < 3; i++) {
                        for (int m = 0; m < PUBLISHES; m++) cluster.node(i).call("PUBLISH", "news", "from-" + i);
                    }
                    for (int m = 0; m < 3 * PUBLISHES; m++) {
                        var msg = (List<?>) sub.read();
                        received.merge(String.valueOf(msg.get(2)), 1, Integer::sum);
                    }
                    Thread.sleep(1100); // server_info names each node host:port
                    rec.stop();
                } finally {
                    conns.values().forEach(Resp::close);
                }
            }
        }
        var name = new String[3];
        var byKind = new EnumMap<Flow.Hop, List<Flow>>(Flow.Hop.class);
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var servers = stored.segments().servers();
            for (int i = 0; i < 3; i++) {
                int port = ports[i];
                name[i] = servers.stream().filter(s -> s.endsWith(":" + port)).findFirst().orElseThrow();
            }
            var ours = List.of(name);
            // LTTng records every traced process of the user: keep the arrows between this cluster's nodes.
            stored.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sfd, st, ds, dfd, dt) -> {
                if (ours.contains(servers.get(ss)) && ours.contains(servers.get(ds))) {
                    byKind.computeIfAbsent(kind, x -> new ArrayList<>()).add(new Flow(kind, ss, sfd, st, ds, dfd, dt));
                }
            });
            var redirects = byKind.getOrDefault(Flow.Hop.REDIRECT, List.of());
            print(movedTo, received, byKind, servers, name, ports);

            assertThat(movedTo).as("keys spread over the three nodes: node 1 redirects some").isNotEmpty();
            // Each MOVED the client received is one arrow from node 1 to the node it named, in order.
            assertThat(redirects).hasSameSizeAs(movedTo);
            for (int i = 0; i < movedTo.size(); i++) {
                var f = redirects.get(i);
                assertThat(servers.get(f.srcServer())).isEqualTo(name[0]);
                assertThat(servers.get(f.dstServer())).endsWith(":" + movedTo.get(i)[1]);
                assertThat(f.srcTime()).isLessThan(f.dstTime());
            }
            // Every PUBLISH is broadcast to the two other nodes and each copy is followed there.
            assertThat(byKind.get(Flow.Hop.PUBLISH_TO_BUS)).hasSize(3 * 2 * PUBLISHES);
            assertThat(byKind.get(Flow.Hop.BUS)).hasSize(3 * 2 * PUBLISHES)
                    .allSatisfy(f -> assertThat(f.srcServer()).isNotEqualTo(f.dstServer()));
            // The subscriber on node 2 got node 2's own messages directly, and the others' over the bus.
            assertThat(byKind.get(Flow.Hop.PUBLISH_LOCAL)).hasSize(received.get("from-1"))
                    .allSatisfy(f -> assertThat(servers.get(f.dstServer())).isEqualTo(name[1]));
            assertThat(byKind.get(Flow.Hop.DELIVER)).hasSize(received.get("from-0") + received.get("from-2"))
                    .allSatisfy(f -> assertThat(servers.get(f.dstServer())).isEqualTo(name[1]));
        }
    }

    /** A cluster-aware client in a few lines: ask the node, follow MOVED to the node it names, remember each one. */
    private static Object call(Map<Integer, Resp> conns, int port, List<int[]> moved, String... args) {
        for (int hop = 0; hop < 3; hop++) {
            var c = conns.computeIfAbsent(port, p -> Resp.connect(p, 10_000));
            try {
                return c.call(args);
            } catch (Resp.ErrorReply e) {
                var parts = e.getMessage().split(" ");
                if (!parts[0].endsWith("MOVED")) throw e;
                port = Integer.parseInt(parts[2].substring(parts[2].lastIndexOf(':') + 1));
                moved.add(new int[] {Integer.parseInt(parts[1]), port});
            }
        }
        throw new AssertionError("more than two redirects for " + String.join(" ", args));
    }

    private static void print(List<int[]> moved, Map<String, Integer> received, Map<Flow.Hop, List<Flow>> byKind,
                              List<String> servers, String[] name, int[] ports) {
        System.out.println();
        System.out.printf("scenario request-lifecycle: 3 nodes (%s), %d keys SET+GET via node 1, %d PUBLISH per node%n",
                String.join(", ", name), KEYS, PUBLISHES);
        System.out.printf("%-52s | %s%n", "kvscope (Netflow arrows from the trace)", "ground truth (same run)");
        for (int i = 1; i < 3; i++) {
            int port = ports[i];
            long arrows = byKind.getOrDefault(Flow.Hop.REDIRECT, List.of()).stream()
                    .filter(f -> servers.get(f.dstServer()).equals(name[port == ports[1] ? 1 : 2])).count();
            long got = moved.stream().filter(m -> m[1] == port).count();
            System.out.printf("%-52s | %s%n", "MOVED arrows node 1 → " + name[i] + ": " + arrows, "MOVED to port " + port + " received: " + got);
        }
        System.out.printf("%-52s | %s%n", "PUBLISH → bus arrows: " + byKind.getOrDefault(Flow.Hop.PUBLISH_TO_BUS, List.of()).size()
                + ", bus arrows: " + byKind.getOrDefault(Flow.Hop.BUS, List.of()).size(), "PUBLISH sent: " + 3 * PUBLISHES + " (×2 peers)");
        System.out.printf("%-52s | %s%n", "bus → subscriber: " + byKind.getOrDefault(Flow.Hop.DELIVER, List.of()).size()
                + ", local: " + byKind.getOrDefault(Flow.Hop.PUBLISH_LOCAL, List.of()).size(), "subscriber read: " + received);
    }
}
