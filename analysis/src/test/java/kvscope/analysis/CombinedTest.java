package kvscope.analysis;

import kvscope.analysis.flows.Flow;
import kvscope.analysis.sync.HostClock;
import kvscope.analysis.sync.Verdict;
import kvscope.fixtures.RedisTraceWriter;
import kvscope.fixtures.SkewedCluster;
import kvscope.fixtures.SkewedCluster.Host;
import kvscope.fixtures.SkewedCluster.Link;
import kvscope.fixtures.SyntheticRedis;
import kvscope.fixtures.TraceRewriter;
import kvscope.statesystem.FullState;
import kvscope.statesystem.History;
import kvscope.statesystem.ValueKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models built per host and combined at the aggregator (docs/combine.md) against the whole experiment analysed in
 * one go: hosts with skewed clocks (offset and drift, chained, one without pairs), each with a Redis load — the same
 * clocks, counts, arrows, percentiles, segments and model states. And the bad inputs an aggregator meets.
 */
class CombinedTest {
    @TempDir Path dir;

    private static final List<Host> HOSTS = List.of(new Host("node-a", 0, 0), new Host("node-b", -3_700_000, 50e-6),
            new Host("node-c", 1_200_000, -30e-6), new Host("node-d", 5_000_000, 0));

    /** The experiment: node-a↔node-b, node-c→node-b linked, node-d alone; each host also serves a load. */
    private Path experiment() {
        var exp = dir.resolve("experiment");
        SkewedCluster.write(exp, HOSTS, List.of(new Link(0, 1, false), new Link(2, 1, false)), 7);
        for (int i = 0; i < HOSTS.size(); i++) {
            SyntheticRedis.generate(exp.resolve(HOSTS.get(i).name() + "-load"), 30_000, 8, 11 + i, HOSTS.get(i).name());
        }
        return exp;
    }

    /** Each host's model, built from that host's traces alone (as `kvscope analyze` on the host would). */
    private List<Path> perHost(Path exp) throws IOException {
        var models = new ArrayList<Path>();
        for (var h : HOSTS) {
            var model = dir.resolve("models").resolve(h.name());
            try (var s = Analysis.analyze(List.of(exp.resolve(h.name()), exp.resolve(h.name() + "-load")),
                    Analysis.Options.defaults().withCache(model))) {
                assertTrue(Files.size(model.resolve(Analysis.PAIRS)) > 0);
            }
            models.add(model);
        }
        return models;
    }

    @Test void combinedEqualsOneGo() throws Exception {
        var exp = experiment();
        var models = perHost(exp);
        var progress = new Recorded();
        try (var one = Analysis.analyze(List.of(exp), Analysis.Options.defaults().withCache(dir.resolve("one")));
             var comb = Analysis.analyze(List.of(dir.resolve("models")),
                     Analysis.Options.defaults().withCache(dir.resolve("combined")).withProgress(progress))) {
            // Progress: each host said in turn, then the states; the count only grows, to the total.
            var hosts = HOSTS.stream().map(Host::name).sorted().toList();
            var expected = new ArrayList<String>();
            for (int i = 0; i < hosts.size(); i++) expected.add("combining " + hosts.get(i) + " (" + (i + 1) + "/4): requests");
            expected.add("combining 4 hosts: states");
            assertEquals(expected, progress.stages);
            for (int i = 1; i < progress.done.size(); i++) assertTrue(progress.done.get(i) >= progress.done.get(i - 1));
            assertEquals(progress.total, progress.done.get(progress.done.size() - 1));
            assertTrue(progress.done.size() > 5, progress.done.toString());
            // Clocks: the same estimate from the same pairs.
            assertEquals(clocks(one), clocks(comb));
            assertEquals(Verdict.ACCURATE, one.clocks().hosts().stream().filter(h -> h.host().equals("node-c"))
                    .findFirst().orElseThrow().verdict());
            var a = one.summary();
            var b = comb.summary();
            assertEquals(a.counters().events(), b.counters().events());
            assertEquals(a.counters().eventsByName(), b.counters().eventsByName());
            assertEquals(a.counters().flows(), b.counters().flows());
            assertEquals(a.counters().busMessagesUnpaired(), b.counters().busMessagesUnpaired());
            assertEquals(a.start(), b.start());
            assertEquals(a.end(), b.end());
            assertEquals(servers(a), servers(b));
            // Percentiles over all requests, per server and command: exact, the same.
            assertEquals(latencies(a), latencies(b));
            assertTrue(a.latencies().stream().mapToLong(Summary.CommandLatency::count).sum() > 10_000);
            // Arrows: the same set, the cross-host bus arrows included, none backwards.
            var fa = flows(one);
            var fb = flows(comb);
            assertEquals(fa, fb);
            assertTrue(fa.keySet().stream().anyMatch(k -> k.startsWith("BUS node-a") && k.contains(" node-b")), fa.keySet().toString());
            assertEquals(segments(one), segments(comb));
            assertSameStates(one.history(), comb.history());
        }
    }

    /**
     * Traces whose server_info says no node id: no host can name its own node alone (its peers are on other hosts), a
     * one-go analysis names what elimination over all servers can — node-b, the only one whose peers (node-a, node-c)
     * leave one id it never talks to. The aggregator must name the same, so the links are named and the bus arrows
     * between hosts paired as in one go.
     */
    @Test void nodeIdsFoundByEliminationAcrossHostsAsInOneGo() throws Exception {
        var recorded = dir.resolve("recorded");
        SkewedCluster.write(recorded, HOSTS, List.of(new Link(0, 1, false), new Link(2, 1, false)), 7);
        var exp = dir.resolve("no-ids");
        for (var h : HOSTS) {
            TraceRewriter.rewrite(recorded.resolve(h.name()), exp.resolve(h.name()),
                    List.of(new TraceRewriter.Drop("redis:server_info", "node_id")));
            try (var s = Analysis.analyze(List.of(exp.resolve(h.name())),
                    Analysis.Options.defaults().withCache(dir.resolve("no-id-models").resolve(h.name())))) {
                for (var st : s.summary().servers()) {
                    assertTrue(st.busOutByLink().keySet().stream().allMatch(k -> k.length() <= 8),
                            "a host alone names no node of another: " + st.busOutByLink().keySet());
                }
            }
        }
        try (var one = Analysis.analyze(List.of(exp), Analysis.Options.defaults().withCache(dir.resolve("no-ids-one")));
             var comb = Analysis.analyze(List.of(dir.resolve("no-id-models")),
                     Analysis.Options.defaults().withCache(dir.resolve("no-ids-combined")))) {
            var a = servers(one.summary());
            assertEquals(a, servers(comb.summary()));
            var b = a.entrySet().stream().filter(e -> e.getKey().contains("node-b")).findFirst().orElseThrow().getKey();
            assertTrue(a.values().stream().anyMatch(v -> v.contains(b)), "node-b named by elimination: " + a);
            // A publish is paired by both ends' ids, and node-a's and node-c's stay unknown: no bus arrow either way.
            assertEquals(arrows(one), arrows(comb));
        }
    }

    /**
     * Events lost on one host: the one-go analysis resets the pairing of every host's bus messages until 100 ms after
     * the loss (BusMatcher.RESYNC_NS), so an arrow between two nodes of another host, drawn by that host's own model,
     * is left out there. The aggregator pairs every host's messages again with every host's losses: the same arrows.
     */
    @Test void eventsLostOnOneHostResetTheBusPairingOfEveryHostAsInOneGo() throws Exception {
        // node-b runs two nodes (two traces of one host); its first publishes to its second and to node-a, whose
        // tracer lost events 40 ms into the experiment. The reader says so with the packet: a loss from the packet's
        // start to its end (here 1.6 s later), met in the events' order at its start — from where one go pairs no
        // message of any host until 100 ms after its end.
        var hosts = List.of(new Host("node-b", 0, 0), new Host("node-b-2", 0, 0, "node-b", 0),
                new Host("node-a", 1_200_000, -30e-6, "node-a", RedisTraceWriter.T0 + 40_000_000));
        var exp = dir.resolve("lossy");
        SkewedCluster.write(exp, hosts, List.of(new Link(0, 1, false), new Link(0, 2, false)), 7);
        var models = dir.resolve("lossy-models");
        Map<String, Long> aloneArrows;
        try (var b = Analysis.analyze(List.of(exp.resolve("node-b"), exp.resolve("node-b-2")),
                Analysis.Options.defaults().withCache(models.resolve("node-b")))) {
            aloneArrows = arrows(b);
        }
        Analysis.analyze(List.of(exp.resolve("node-a")), Analysis.Options.defaults().withCache(models.resolve("node-a"))).close();
        try (var one = Analysis.analyze(List.of(exp), Analysis.Options.defaults().withCache(dir.resolve("lossy-one")));
             var comb = Analysis.analyze(List.of(models), Analysis.Options.defaults().withCache(dir.resolve("lossy-combined")))) {
            assertEquals(7, one.summary().counters().lostEvents());
            var fa = flows(one);
            assertEquals(fa, flows(comb));
            assertEquals(one.summary().counters().flows(), comb.summary().counters().flows());
            assertEquals(one.summary().counters().busMessagesUnpaired(), comb.summary().counters().busMessagesUnpaired());
            // The case is real: node-b's own model drew arrows inside node-b that one go leaves out (counted: one go puts
            // node-b on node-a's clock), and one go draws some again after the reset.
            long alone = inside(aloneArrows), oneGo = inside(fa);
            assertTrue(alone > oneGo && oneGo > 0, alone + " arrows inside node-b alone, " + oneGo + " in one go");
        }
    }

    /** Bus arrows from a node of node-b to a node of node-b. */
    private static long inside(Map<String, Long> arrows) {
        return arrows.entrySet().stream().filter(e -> e.getKey().startsWith("BUS node-b") && e.getKey().split(" ")[4].startsWith("node-b"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** What a progress display was told. */
    private static final class Recorded implements Analysis.Progress {
        final List<String> stages = new ArrayList<>();
        final List<Long> done = new ArrayList<>();
        long total;

        @Override public void update(long events, long bytesRead, long totalBytes, long elapsedNs) {
            done.add(bytesRead);
            total = totalBytes;
        }

        @Override public void stage(String what) { stages.add(what); }
    }

    @Test void badInputIsSaid() throws Exception {
        var exp = experiment();
        var models = perHost(exp);
        // A host model without its pairs: combined on its own clock, counted and said.
        Files.delete(models.get(3).resolve(Analysis.PAIRS));
        try (var comb = Analysis.analyze(models, Analysis.Options.defaults().withCache(dir.resolve("c1")))) {
            var d = comb.clocks().hosts().stream().filter(h -> h.host().equals("node-d")).findFirst().orElseThrow();
            assertEquals(Verdict.NONE, d.verdict());
            assertTrue(comb.summary().counters().layout().stream().anyMatch(l -> l.contains("node-d") && l.contains("pairs.bin")),
                    comb.summary().counters().layout().toString());
        }
        // Two models of one host.
        var copy = dir.resolve("copy-of-a");
        copyTree(models.get(0), copy);
        var e = assertThrows(IOException.class, () -> Analysis.analyze(List.of(models.get(0), copy),
                Analysis.Options.defaults().withCache(dir.resolve("c2"))));
        assertTrue(e.getMessage().contains("both models of host node-a"), e.getMessage());
        // A model of another kvscope version.
        var summary = copy.resolve(Analysis.SUMMARY);
        Files.writeString(summary, Files.readString(summary).replaceFirst("\"version\" : \\d+", "\"version\" : 3"));
        e = assertThrows(IOException.class, () -> Analysis.analyze(List.of(copy, models.get(1)),
                Analysis.Options.defaults().withCache(dir.resolve("c3"))));
        assertTrue(e.getMessage().contains("version 3") && e.getMessage().contains("analyze --force"), e.getMessage());
        // A pairs file cut short: which file, and what to do.
        var cut = models.get(1).resolve(Analysis.PAIRS);
        var bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 20));
        e = assertThrows(IOException.class, () -> Analysis.analyze(List.of(models.get(0), models.get(1)),
                Analysis.Options.defaults().withCache(dir.resolve("c5"))));
        assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("analyze --force"), e.getMessage());
        // A replication file cut short: which file, and what to do.
        var repl = models.get(2).resolve(Analysis.REPLICATION);
        var replBytes = Files.readAllBytes(repl);
        Files.write(repl, Arrays.copyOf(replBytes, replBytes.length - 1));
        e = assertThrows(IOException.class, () -> Analysis.analyze(List.of(models.get(0), models.get(2)),
                Analysis.Options.defaults().withCache(dir.resolve("c6"))));
        assertTrue(e.getMessage().contains(repl.toString()) && e.getMessage().contains("analyze --force"), e.getMessage());
        // Traces and models mixed.
        e = assertThrows(IOException.class, () -> Analysis.analyze(List.of(models.get(1), exp.resolve("node-a")),
                Analysis.Options.defaults().withCache(dir.resolve("c4"))));
        assertTrue(e.getMessage().contains("either the traces"), e.getMessage());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (var p : s.toList()) Files.copy(p, to.resolve(from.relativize(p).toString()));
        }
    }

    private static Map<String, String> clocks(Stored s) throws IOException {
        var m = new TreeMap<String, String>();
        for (HostClock h : s.clocks().hosts()) m.put(h.host(), h.verdict() + " " + h.fix() + " ±" + h.boundNs() + " " + h.pairs());
        return m;
    }

    private static Map<String, String> servers(Summary s) {
        var m = new TreeMap<String, String>();
        for (var st : s.servers()) {
            m.put(st.name(), st.commands() + " " + st.connectionsAccepted() + " " + st.busBytesOut() + " " + st.busBytesIn()
                    + " " + st.longestIterationAt() + " " + st.busOutByLink().keySet() + " " + st.busInByLink().keySet());
        }
        return m;
    }

    private static Map<String, Summary.CommandLatency> latencies(Summary s) {
        return s.latencies().stream().collect(Collectors.toMap(l -> l.server() + " " + l.command(), l -> l, (x, y) -> x, TreeMap::new));
    }

    /** Every arrow, by server names and times, with how many times it occurs; none, when none. */
    private static Map<String, Long> arrows(Stored s) throws IOException {
        var names = s.segments().servers();
        var m = new TreeMap<String, Long>();
        s.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sfd, st, ds, dfd, dt) ->
                m.merge(kind + " " + names.get(ss) + " " + sfd + " " + st + " " + names.get(ds) + " " + dfd + " " + dt, 1L, Long::sum));
        return m;
    }

    /** Every arrow, as {@link #arrows}: some, none backwards. */
    private static Map<String, Long> flows(Stored s) throws IOException {
        var m = arrows(s);
        s.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sfd, st, ds, dfd, dt) -> assertTrue(dt >= st, "arrow backwards"));
        assertNotEquals(0, m.size());
        return m;
    }

    private static Map<String, Long> segments(Stored s) throws IOException {
        var sf = s.segments();
        var m = new HashMap<String, Long>();
        sf.forEach(c -> m.merge(c.serverName() + " " + c.commandName() + " " + c.fd() + " " + c.readable() + " "
                + c.readStart() + " " + c.readEnd() + " " + c.commandStart() + " " + c.commandEnd() + " " + c.writeStart()
                + " " + c.replyEnd() + " " + c.bytesIn() + " " + c.bytesOut(), 1L, Long::sum));
        return m;
    }

    private static String value(FullState f, int q) {
        // A string's long value is its index in the file's string table: not part of the state.
        var v = f.kind(q) == ValueKind.STRING ? f.string(q) : f.kind(q) == ValueKind.DOUBLE ? f.doubleValue(q) : f.longValue(q);
        return f.kind(q) + " " + v + " since " + f.start(q);
    }

    /** Every attribute's value, by path, at 200 times across the experiment. */
    private static void assertSameStates(History a, History b) {
        assertEquals(a.start(), b.start());
        assertEquals(a.end(), b.end());
        var fa = new FullState();
        var fb = new FullState();
        int[] map = new int[a.attributeCount()];
        for (int q = 0; q < map.length; q++) {
            int p = a.parent(q);
            map[q] = p >= 0 && map[p] < 0 ? -1 : b.lookupUnder(p < 0 ? -1 : map[p], a.name(q));
        }
        int differ = 0;
        String first = null;
        for (int k = 0; k <= 200; k++) {
            long t = a.start() + (a.end() - a.start()) / 200 * k;
            a.fullAt(t, fa);
            b.fullAt(t, fb);
            for (int q = 0; q < map.length; q++) {
                var va = value(fa, q);
                var vb = map[q] < 0 ? "absent" : value(fb, map[q]);
                if (!va.equals(vb)) {
                    differ++;
                    if (first == null) first = a.path(q) + " at " + t + ": " + va + " vs " + vb;
                }
            }
        }
        assertEquals(0, differ, first);
    }
}
