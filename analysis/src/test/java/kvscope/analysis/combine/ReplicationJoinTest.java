package kvscope.analysis.combine;

import kvscope.analysis.Summary;
import kvscope.analysis.model.ReplicationStats;
import kvscope.analysis.model.ReplicationStats.Link;
import kvscope.analysis.model.ReplicationStats.Resync;
import kvscope.analysis.model.ServerStats;
import kvscope.ctf.ClockFix;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The combined model's replication from the hosts' (issue #19 on per-host models, issue #16 §3): a link inside a host
 * kept with its times corrected; the two halves of a link between hosts (each host names the other end by address)
 * made one, named after the servers, and said unpaired when a host has no repl.bin. The pairing itself is checked
 * with real hosts by the CLI's ReplicationHostsTest.
 */
class ReplicationJoinTest {
    private static Summary host(List<ServerStats> servers, ReplicationStats replication) {
        return new Summary(1, "f", List.of(), 0, 10_000_000, 0, false, null, servers, List.of(), List.of(), List.of(),
                List.of(), null, replication);
    }

    private static ServerStats server(String name, int port) {
        return new ServerStats(name, "h", port, 1, false, 0, false, 0, Map.of(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                Map.of(), 0, 0, 0, 0, 0, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), 0, 0, 0, Map.of());
    }

    private static Link link(String master, String replica, long unpaired) {
        return new Link(master, replica, 10, Map.of("set", 10L), 100, 10 + unpaired, unpaired, 1_000, 5_000, 2_000, 64,
                3_000, 4, 640);
    }

    private static ReplicationJoin.Host in(String name, Summary s, ClockFix fix) {
        return new ReplicationJoin.Host(name, s, null, fix, new int[0], UnaryOperator.identity());
    }

    @Test
    void eachHostsLinksAndResyncsAreKeptWithTheirTimesCorrected() throws Exception {
        var resync = new Resync("a:1", "a:2", 1_000, true, "replication id mismatch", -1, 0, 0, 500, 1_500);
        var unseen = new Resync("b:1", "b:2", 900, true, "SYNC (no partial resync asked)", -1, 0, 0, -1, -1);
        var a = host(List.of(server("a:1", 1), server("a:2", 2)),
                new ReplicationStats(List.of(link("a:1", "a:2", 0)), List.of(resync), 2, 0));
        var b = host(List.of(server("b:1", 3), server("b:2", 4)),
                new ReplicationStats(List.of(link("b:1", "b:2", 0)), List.of(unseen), 3, 1));
        var fixA = new ClockFix(1_000_000, 0, 0);
        var merged = ReplicationJoin.join(List.of(in("a", a, fixA), in("b", b, ClockFix.NONE)), null).stats();

        assertThat(merged.links()).extracting(Link::replica).containsExactly("a:2", "b:2");
        assertThat(merged.links().get(0).maxLagAt()).isEqualTo(fixA.apply(2_000)).isNotEqualTo(2_000);
        assertThat(merged.links().get(0).maxOffsetLagAt()).isEqualTo(fixA.apply(3_000));
        assertThat(merged.links().get(1).maxLagAt()).isEqualTo(2_000);
        // In time order after correction: host b's resync (900) comes before host a's (1 000 + 1 ms).
        assertThat(merged.resyncs()).extracting(Resync::master).containsExactly("b:1", "a:1");
        assertThat(merged.resyncs().get(1).loadedAt()).isEqualTo(fixA.apply(1_500));
        assertThat(merged.resyncs().get(0).loadedAt()).as("unseen stays unseen").isEqualTo(-1);
        assertThat(merged.feedsDropped()).isEqualTo(5);
        assertThat(merged.resyncsOmitted()).isEqualTo(1);
    }

    @Test
    void theHalvesOfALinkBetweenHostsAreOneLinkNamedAfterItsServers() throws Exception {
        // Host a's master 10.0.0.1:7100 names its replica by address; host b's replica names its master so.
        var masterHalf = new Link("a:7100", "10.0.0.2:7100", 0, Map.of(), 0, 0, 0, 0, 0, 0, 64, 3_000, 4, 640);
        var replicaHalf = new Link("10.0.0.1:7100", "b:7100", 0, Map.of(), 100, 12, 12, 0, 0, 0, 0, 0, 0, -1);
        var resync = new Resync("a:7100", "10.0.0.2:7100", 1_000, true, "full resync requested by the replica", -1, 0, 0,
                500, -1);
        var a = host(List.of(server("a:7100", 7100)), new ReplicationStats(List.of(masterHalf), List.of(resync), 0, 0));
        var b = host(List.of(server("b:7100", 7100)), new ReplicationStats(List.of(replicaHalf), List.of(), 0, 0));
        var fixB = new ClockFix(-3_700_000, 0, 0);
        var join = ReplicationJoin.join(List.of(in("a", a, ClockFix.NONE), in("b", b, fixB)), null);
        var merged = join.stats();
        assertThat(merged.links()).hasSize(1);
        var l = merged.links().get(0);
        assertThat(l.master() + " → " + l.replica()).isEqualTo("a:7100 → b:7100");
        // The replica's applies and bytes, the master's acks.
        assertThat(l.applies()).isEqualTo(12);
        assertThat(l.bytesApplied()).isEqualTo(100);
        assertThat(l.acks()).isEqualTo(4);
        assertThat(l.lastAckOffset()).isEqualTo(640);
        assertThat(merged.resyncs()).extracting(Resync::replica).containsExactly("b:7100");
        // The master's attributes under Replicas/<address> take the replica's name.
        assertThat(join.renames().get(0)).containsEntry("a:7100\u0000Replication\u0000Replicas\u000010.0.0.2:7100", "b:7100");
        // Neither host has repl.bin: not paired, and said.
        assertThat(join.notes()).hasSize(2).allMatch(n -> n.contains("not paired") && n.contains(HostReplication.FILE));
    }
}
