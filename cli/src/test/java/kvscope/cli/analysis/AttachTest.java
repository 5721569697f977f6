package kvscope.cli.analysis;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.Summary;
import kvscope.analysis.model.ServerStats;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Resp;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.cli.testing.TraceEvents;
import kvscope.statesystem.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attaching to a running system (issue #21): a 3-node cluster, a subscriber and named pooled clients all exist well
 * before the session starts; the session then records a few seconds under load. The snapshot the instrumented Redis
 * writes when the session enables it must name every connection the model meets mid-life, and the cluster-bus
 * bytes must go to named nodes, counted against CLIENT LIST and CLUSTER LINKS taken in the same run.
 */
class AttachTest {
    private static final int POOL = 4;

    /** One line of CLIENT LIST: the fields the model can be checked against. */
    private record Client(long id, int fd, String addr, String name) {}

    @Test
    void aSessionAttachedLateNamesEveryConnectionThatExistedBefore(@TempDir Path dir) throws Exception {
        attachLate(dir, Profile.FULL);
    }

    @Test
    void theLightProfileNamesThemToo(@TempDir Path dir) throws Exception {
        attachLate(dir, Profile.LIGHT);
    }

    /**
     * A trace cut out of a long recording (`lttng rotate`: the second chunk alone, which begins mid-life): the
     * periodic snapshot, 10 s after the first, names every connection in it.
     */
    @Test
    void aChunkOfALongRecordingNamesEverythingAfterItsNextSnapshot(@TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("long");
        var names = new HashMap<Integer, String>();
        int port;
        try (var server = RedisServer.start(bin.resolve("redis-server"))) {
            port = server.port();
            var pool = new ArrayList<Resp>();
            try {
                for (int i = 0; i < POOL; i++) {
                    var c = server.client();
                    pool.add(c);
                    c.call("CLIENT", "SETNAME", "pool-" + i);
                }
                for (var c : clients((String) pool.get(0).call("CLIENT", "LIST"))) names.put(c.fd(), c.name());
                try (var rec = Recording.start(trace, Profile.LIGHT)) {
                    load(pool, 2_000);
                    var rotate = new ProcessBuilder("lttng", "rotate", rec.session()).redirectErrorStream(true).start();
                    var out = new String(rotate.getInputStream().readAllBytes());
                    assertThat(rotate.waitFor()).as("lttng rotate: " + out).isZero();
                    load(pool, 11_000); // past the periodic snapshot, 10 s after the first
                    rec.stop();
                }
            } finally {
                for (var c : pool) c.close();
            }
        }
        List<Path> chunks;
        try (var s = Files.list(trace.resolve("archives"))) {
            chunks = s.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(chunks).as("chunks of the rotated recording").hasSize(2);
        var cut = chunks.get(1);
        var events = TraceEvents.read(cut, List.of("snapshot_start"));
        assertThat(events.named("snapshot_start")).as("the chunk's snapshots: periodic ones only")
                .isNotEmpty().allSatisfy(e -> assertThat(e.num("periodic")).isEqualTo(1));
        try (var stored = Analysis.analyze(List.of(cut), Analysis.Options.defaults()
                .withCache(dir.resolve("cut.model")))) {
            var st = server(stored.summary(), port);
            assertThat(st.connectionsSeenMidLife()).as("the chunk begins mid-life").isGreaterThanOrEqualTo(POOL);
            assertThat(st.connectionsNamedBySnapshot()).isEqualTo(st.connectionsSeenMidLife());
            var h = stored.history();
            for (var e : names.entrySet()) {
                if (!e.getValue().startsWith("pool-")) continue;
                var fd = Integer.toString(e.getKey());
                assertThat(str(h, h.end(), st.name(), "Connections", fd, "Type")).isEqualTo("client");
                assertThat(str(h, h.end(), st.name(), "Connections", fd, "Client")).isEqualTo(e.getValue());
            }
        }
    }

    /** SETs on every pooled connection, one round every 20 ms, for ms milliseconds. */
    private static void load(List<Resp> pool, long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        for (int round = 0; System.currentTimeMillis() < end; round++) {
            for (var c : pool) c.call("SET", "k" + round, "v");
            Thread.sleep(20);
        }
    }

    private void attachLate(Path dir, Profile profile) throws Exception {
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("attach");
        int[] ports = new int[3];
        var links = new int[3];
        Map<Integer, List<Client>> before = new HashMap<>();
        // Every connection each node has when the recording ends, by CLIENT LIST and CLUSTER LINKS (taken on a
        // connection of its own opened before the session, so none opens or closes around the count).
        var clientsAtEnd = new int[3];
        var linksAtEnd = new int[3];
        var admin = new ArrayList<Resp>();
        try (var cluster = RedisCluster.start(bin.resolve("redis-server"), 3)) {
            for (int i = 0; i < 3; i++) ports[i] = cluster.node(i).port();
            var pool = new ArrayList<Resp>();
            try (var sub = cluster.node(1).client()) {
                for (int i = 0; i < 3; i++) admin.add(cluster.node(i).client());
                sub.call("SUBSCRIBE", "news");
                for (int i = 0; i < POOL; i++) {
                    var c = cluster.node(0).client();
                    pool.add(c);
                    c.call("CLIENT", "SETNAME", "pool-" + i);
                    c.call("PING");
                }
                // A hash tag served by node 1 (slots 0-5460), so the pooled clients' SETs are not redirected.
                String tag = null;
                for (int i = 0; tag == null; i++) {
                    if ((Long) cluster.node(0).call("CLUSTER", "KEYSLOT", "{t" + i + "}") <= 5460) tag = "{t" + i + "}";
                }
                // A full mesh: each node has an outbound and an inbound link to each other node (cluster.c creates
                // them over the first gossip rounds after the cluster reports ready).
                long deadline = System.currentTimeMillis() + 15_000;
                for (int i = 0; i < 3; i++) {
                    while (((List<?>) cluster.node(i).call("CLUSTER", "LINKS")).size() < 4) {
                        assertThat(System.currentTimeMillis()).as("node %d's links formed", i).isLessThan(deadline);
                        Thread.sleep(50);
                    }
                }
                Thread.sleep(300); // they are old news by the time the session starts
                // Ground truth, taken on the pooled connection itself (a short-lived one would be in the list).
                before.put(0, clients((String) pool.get(0).call("CLIENT", "LIST")));
                for (int i = 0; i < 3; i++) links[i] = ((List<?>) cluster.node(i).call("CLUSTER", "LINKS")).size();
                try (var rec = Recording.start(trace, profile)) {
                    for (int round = 0; round < 50; round++) {
                        for (var c : pool) c.call("SET", tag + round, "v");
                        pool.get(0).call("PUBLISH", "news", "x".repeat(100));
                        Thread.sleep(20);
                    }
                    for (int i = 0; i < 50; i++) sub.read();
                    Thread.sleep(300);
                    for (int i = 0; i < 3; i++) {
                        clientsAtEnd[i] = clients((String) admin.get(i).call("CLIENT", "LIST")).size();
                        linksAtEnd[i] = ((List<?>) admin.get(i).call("CLUSTER", "LINKS")).size();
                    }
                    rec.stop();
                }
                for (int i = 0; i < 3; i++) {
                    assertThat(((List<?>) cluster.node(i).call("CLUSTER", "LINKS")).size())
                            .as("node %d's cluster links did not change during the recording", i).isEqualTo(links[i]);
                }
            } finally {
                for (var c : pool) c.close();
                for (var c : admin) c.close();
            }
        }

        // The snapshot: one per node, with every link CLUSTER LINKS showed and every client CLIENT LIST showed.
        var events = TraceEvents.read(trace, List.of("snapshot_start", "snapshot_client", "snapshot_cluster_link",
                "snapshot_end", "server_info"));
        var firstLinks = events.filter(e -> e.is("snapshot_cluster_link") && e.num("seq") == 1);
        var ends = events.filter(e -> e.is("snapshot_end") && e.num("seq") == 1);
        assertThat(ends).as("one finished snapshot per node").hasSize(3);
        assertThat(ends.stream().mapToLong(e -> e.num("links")).sum()).isEqualTo(links[0] + links[1] + links[2]);
        assertThat(firstLinks).hasSize(links[0] + links[1] + links[2])
                .allSatisfy(e -> assertThat(e.str("peer")).matches("[0-9a-f]{40}"));
        var snapNode0 = events.filter(e -> e.is("snapshot_client") && e.num("seq") == 1
                && e.num("local_port") == ports[0]);
        for (var c : before.get(0)) {
            assertThat(snapNode0).as("client id=%d in node 1's snapshot", c.id())
                    .anySatisfy(e -> {
                        assertThat(e.num("id")).isEqualTo(c.id());
                        assertThat(e.num("fd")).isEqualTo(c.fd());
                        assertThat(e.str("peer_addr") + ":" + e.str("peer_port")).isEqualTo(c.addr());
                        assertThat(e.str("client_name")).isEqualTo(c.name());
                    });
        }
        assertThat(events.filter(e -> e.is("snapshot_client") && e.str("flags").contains("P")))
                .as("the subscriber, flagged P").hasSize(1)
                .allSatisfy(e -> assertThat(e.num("subscriptions")).isEqualTo(1));

        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults()
                .withCache(trace.resolveSibling("attach.model")))) {
            var sum = stored.summary();
            assertThat(sum.counters().unknownEvents()).isEmpty();
            for (int i = 0; i < 3; i++) {
                var st = server(sum, ports[i]);
                assertThat(st.connectionsSeenMidLife()).as(st.name() + ": connections that existed before")
                        .isGreaterThanOrEqualTo(links[i]);
                assertThat(st.connectionsNamedBySnapshot()).as(st.name() + ": every one named by the snapshot")
                        .isEqualTo(st.connectionsSeenMidLife());
                for (var m : List.of(st.busInByLink(), st.busOutByLink())) {
                    assertThat(m.keySet()).as(st.name() + ": bus bytes by link").isNotEmpty()
                            .noneMatch(k -> k.startsWith("fd="));
                }
            }
            // The pooled clients, as the model shows them at the end: type, peer, id and name from the snapshot.
            var n0 = server(sum, ports[0]);
            History h = stored.history();
            long t = h.end();
            // Every connection the model has open at the end, by type, against CLIENT LIST and CLUSTER LINKS.
            for (int i = 0; i < 3; i++) {
                var st = server(sum, ports[i]);
                var byType = openByType(h, t, st.name());
                System.out.printf("%s: open at the end %s; CLIENT LIST %d, CLUSTER LINKS %d%n", st.name(), byType,
                        clientsAtEnd[i], linksAtEnd[i]);
                assertThat(byType.getOrDefault("client", 0)).as(st.name() + ": clients, as CLIENT LIST")
                        .isEqualTo(clientsAtEnd[i]);
                assertThat(byType.getOrDefault("cluster", 0)).as(st.name() + ": cluster links, as CLUSTER LINKS")
                        .isEqualTo(linksAtEnd[i]);
                assertThat(byType.keySet()).as(st.name() + ": no connection of another type").isSubsetOf("client", "cluster");
            }
            for (var c : before.get(0)) {
                if (!c.name().startsWith("pool-")) continue;
                var fd = Integer.toString(c.fd());
                assertThat(str(h, t, n0.name(), "Connections", fd, "Type")).isEqualTo("client");
                assertThat(str(h, t, n0.name(), "Connections", fd, "Peer")).isEqualTo(c.addr());
                assertThat(str(h, t, n0.name(), "Connections", fd, "Id")).isEqualTo(Long.toString(c.id()));
                assertThat(str(h, t, n0.name(), "Connections", fd, "Client")).isEqualTo(c.name());
            }
            assertThat(before.get(0).stream().filter(c -> c.name().startsWith("pool-"))).hasSize(POOL);
        }
    }

    private static List<Client> clients(String list) {
        var out = new ArrayList<Client>();
        for (var line : list.split("\n")) {
            var f = new HashMap<String, String>();
            for (var kv : line.trim().split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) f.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            if (f.containsKey("id")) {
                out.add(new Client(Long.parseLong(f.get("id")), Integer.parseInt(f.get("fd")), f.get("addr"),
                        f.getOrDefault("name", "")));
            }
        }
        return out;
    }

    private static ServerStats server(Summary s, int port) {
        return s.servers().stream().filter(x -> x.name().endsWith(":" + port)).findFirst()
                .orElseThrow(() -> new AssertionError("no server named *:" + port));
    }

    /** The connections open at t (a Status: cleared when freed), by their Type ("?" when none). */
    private static Map<String, Integer> openByType(History h, long t, String server) {
        var out = new TreeMap<String, Integer>();
        int conns = h.lookup(server, "Connections");
        assertThat(conns).as(server + "/Connections").isNotNegative();
        for (int fd : h.children(conns)) {
            int status = h.lookupUnder(fd, "Status");
            if (status < 0) continue;
            var s = h.at(t, status);
            if (s == null || s.isNull()) continue;
            int type = h.lookupUnder(fd, "Type");
            var ty = type < 0 ? null : h.at(t, type);
            out.merge(ty == null || ty.isNull() ? "?" : String.valueOf(ty.value()), 1, Integer::sum);
        }
        return out;
    }

    private static String str(History h, long t, String... path) {
        int q = h.lookup(path);
        assertThat(q).as(String.join("/", path)).isNotNegative();
        var s = h.at(t, q);
        return s == null || s.isNull() ? null : String.valueOf(s.value());
    }
}
