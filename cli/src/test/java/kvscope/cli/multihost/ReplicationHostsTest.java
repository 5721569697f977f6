package kvscope.cli.multihost;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.model.ReplicationStats;
import kvscope.statesystem.History;
import kvscope.statesystem.ValueKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis master on one host and its replica on another (two-hosts.sh with REPL=1: network namespaces, each its own
 * session daemon, streaming to one relay), host-b's clock moved by a known 3.7 ms: each host's model built alone and
 * combined (docs/combine.md) must show the replication the one-go analysis of the same traces shows — one link with
 * every write the test sent paired, the same lag over time, the same arrows, resyncs and findings (the replica the
 * test put to sleep fell behind; its full resync at attach). Without the hosts' {@code repl.bin} the combined model
 * keeps two unpaired half-links, and says why.
 */
class ReplicationHostsTest {
    @TempDir static Path tmp;

    @Test void aMasterAndItsReplicaOnTwoHostsCombineAsInOneGo() throws Exception {
        var experiment = tmp.resolve("experiment");
        var out = TwoHostsTest.twoHosts(experiment, Map.of("REPL", "1"), 240);
        var m = Pattern.compile("replicated (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        long sets = Long.parseLong(m.group(1));
        TwoHostsTest.shiftClockOffset(experiment.resolve("host-b"), TwoHostsTest.SKEW_NS);
        var models = tmp.resolve("models");
        for (var h : List.of("host-a", "host-b")) {
            Analysis.analyze(List.of(experiment.resolve(h)), Analysis.Options.defaults().withCache(models.resolve(h))).close();
            assertThat(models.resolve(h).resolve(Analysis.REPLICATION)).isNotEmptyFile();
        }
        try (var one = Analysis.analyze(List.of(experiment), Analysis.Options.defaults().withCache(tmp.resolve("one")));
             var comb = Analysis.analyze(List.of(models), Analysis.Options.defaults().withCache(tmp.resolve("combined")))) {
            var a = one.summary().replication();
            var b = comb.summary().replication();
            // Ground truth: the one-go model paired every SET the script sent (the warm-up and the benchmark's) with
            // the replica on the other host, and saw it fall behind while it slept.
            var link = a.links().stream().filter(l -> l.master().contains("7100") && l.replica().contains("7100"))
                    .findFirst().orElseThrow(() -> new AssertionError("no link between the hosts in one go: " + a.links()));
            assertThat(link.writesByCommand().get("set")).as("SETs paired in one go").isEqualTo(sets);
            assertThat(link.maxLagNs()).as("the slept replica's lag").isGreaterThan(Thresholds.DEFAULT.replicaLagNs());
            // The combined model: the same links, resyncs, counts.
            assertThat(links(b)).isEqualTo(links(a));
            assertThat(b.resyncs()).isEqualTo(a.resyncs());
            assertThat(b.resyncs()).anySatisfy(r -> assertThat(r.full() && r.loadedAt() > 0).isTrue());
            assertThat(b.feedsDropped()).isEqualTo(a.feedsDropped());
            assertThat(comb.summary().counters().flows()).isEqualTo(one.summary().counters().flows());
            // The arrows, those of the replication between the hosts among them; their lag percentiles.
            var fa = arrows(one);
            assertThat(arrows(comb)).isEqualTo(fa);
            // (an arrow for each write a client sent: the SETs among them, not the master's own PINGs)
            assertThat(lags(comb)).isEqualTo(lags(one)).hasSizeGreaterThanOrEqualTo((int) sets);
            // Lag over time per replica and the master's view of it: every state under Replication, by path.
            assertThat(replicationStates(comb.history())).isEqualTo(replicationStates(one.history()))
                    .containsKey(link.replica() + "/Replication/Lag");
            // The findings: the replica fell behind, the full resync.
            assertThat(replicationFindings(comb)).isEqualTo(replicationFindings(one))
                    .anyMatch(f -> f.startsWith("replica-lag")).anyMatch(f -> f.startsWith("full-resync"));
            assertThat(comb.summary().counters().layout()).noneMatch(l -> l.contains("not paired"));
        }
        // Without the hosts' replication records: two half-links, nothing paired, and the report says why.
        for (var h : List.of("host-a", "host-b")) Files.delete(models.resolve(h).resolve(Analysis.REPLICATION));
        try (var one = Analysis.analyze(List.of(experiment), Analysis.Options.defaults().withCache(tmp.resolve("one")));
             var comb = Analysis.analyze(List.of(models),
                     Analysis.Options.defaults().withCache(tmp.resolve("halves")))) {
            assertThat(links(comb.summary().replication())).isNotEqualTo(links(one.summary().replication()));
            assertThat(lags(comb)).isEmpty();
            assertThat(comb.summary().counters().layout()).anyMatch(l -> l.contains(Analysis.REPLICATION) && l.contains("not paired"));
        }
    }

    private static Map<String, String> links(ReplicationStats r) {
        var out = new TreeMap<String, String>();
        for (var l : r.links()) out.put(l.master() + " → " + l.replica(), l.toString());
        return out;
    }

    /** Every arrow by kind, server names, fds and times, with how often it occurs. */
    private static Map<String, Long> arrows(Stored s) throws IOException {
        var names = s.segments().servers();
        var m = new TreeMap<String, Long>();
        s.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sfd, st, ds, dfd, dt) ->
                m.merge(kind + " " + names.get(ss) + " " + sfd + " " + st + " " + names.get(ds) + " " + dfd + " " + dt, 1L, Long::sum));
        return m;
    }

    /** The replication arrows' lags (write fed → applied), sorted: what percentiles of the lag are taken from. */
    private static List<Long> lags(Stored s) throws IOException {
        var out = new ArrayList<Long>();
        s.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sfd, st, ds, dfd, dt) -> {
            if (kind == Flow.Hop.REPLICATION) out.add(dt - st);
        });
        out.sort(null);
        if (!out.isEmpty()) {
            System.out.printf("replication lag across hosts: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d writes)%n",
                    out.get(out.size() / 2) / 1e6, out.get(out.size() * 99 / 100) / 1e6, out.get(out.size() - 1) / 1e6, out.size());
        }
        return out;
    }

    /** Every interval of every attribute under a server's Replication, by path. */
    private static Map<String, List<String>> replicationStates(History h) {
        var out = new TreeMap<String, List<String>>();
        var quarks = new ArrayList<Integer>();
        for (int q = 0; q < h.attributeCount(); q++) if (h.path(q).contains("/Replication/")) quarks.add(q);
        h.scan(quarks.stream().mapToInt(Integer::intValue).toArray(), h.start(), h.end(), 1, (q, s, e, kind, l, d, str) ->
                out.computeIfAbsent(h.path(q), k -> new ArrayList<>()).add(s + ".." + e + " " + kind + " "
                        + (kind == ValueKind.STRING ? str : kind == ValueKind.DOUBLE ? d : l)));
        out.values().forEach(v -> v.sort(null));
        return out;
    }

    private static List<String> replicationFindings(Stored s) throws IOException {
        return Findings.detect(s, Thresholds.DEFAULT).stream()
                .filter(f -> f.kind().equals("replica-lag") || f.kind().equals("full-resync"))
                .map(ReplicationHostsTest::text).sorted().toList();
    }

    private static String text(Finding f) {
        return f.kind() + " " + f.server() + " " + f.start() + " " + f.end() + " " + f.title() + " " + f.explanation();
    }
}
