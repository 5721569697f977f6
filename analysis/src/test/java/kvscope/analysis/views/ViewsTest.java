package kvscope.analysis.views;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.fixtures.SampleTraces;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static kvscope.fixtures.RedisTraceWriter.T0;
import static kvscope.fixtures.SampleTraces.SERVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Every view answers from the stored model of a trace whose every state is known (see {@link SampleTraces}). */
class ViewsTest {
    @TempDir static Path dir;
    static Stored stored;
    static Views views;
    static long start, end;

    @BeforeAll
    static void analyse() throws IOException {
        stored = Analysis.analyze(List.of(SampleTraces.twoRequests(dir.resolve("trace"))), Analysis.Options.defaults());
        views = Views.of(stored);
        start = stored.history().start();
        end = stored.history().end();
    }

    @AfterAll
    static void close() throws IOException { stored.close(); }

    private static <T extends Provider> T view(String id, Class<T> type) {
        return type.cast(views.find(id).orElseThrow());
    }

    /** Every sample a nanosecond apart: states come back exactly as stored. */
    private static Query everyNs() { return new Query(start, end, (int) Math.min(Query.MAX_TIMES, end - start)); }

    private static Tsp.Entry entry(Tsp.Tree tree, String label) {
        return tree.entries().stream().filter(e -> e.labels().get(0).startsWith(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + label + " in " + tree.entries()));
    }

    private static List<Tsp.TimeGraphState> states(Provider.TimeGraph v, long id, Query q) {
        var rows = v.states(q, new long[] {id}).rows();
        assertThat(rows).hasSize(1);
        return rows.get(0).states();
    }

    private static Tsp.TimeGraphState stateAt(List<Tsp.TimeGraphState> states, long t) {
        return states.stream().filter(s -> s.start() <= t && t <= s.end()).findFirst()
                .orElseThrow(() -> new AssertionError("no state at " + (t - T0) + " in " + states));
    }

    @Test
    void listsEveryViewWithUrlSafeUniqueIds() {
        var ids = views.all().stream().map(Provider::id).toList();
        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("[A-Za-z0-9._-]+"));
        assertThat(ids).containsExactlyElementsOf(Views.descriptors().stream().map(Tsp.Descriptor::id).toList());
        assertThat(views.all()).extracting(p -> p.descriptor().type()).contains(Tsp.ProviderType.TIME_GRAPH,
                Tsp.ProviderType.TREE_TIME_XY, Tsp.ProviderType.DATA_TREE, Tsp.ProviderType.TABLE);
    }

    @Test
    void netflowHasARowPerConnectionUnderItsServerWithTheRequestPhases() {
        var v = view("kvscope.netflow", Provider.TimeGraph.class);
        var tree = v.tree();
        var server = entry(tree, SERVER);
        assertThat(server.parentId()).isEqualTo(-1);
        var fd8 = entry(tree, "fd 8");
        assertThat(fd8.parentId()).isEqualTo(server.id());
        assertThat(fd8.labels().get(0)).isEqualTo("fd 8 · 127.0.0.1:50000 #3");
        assertThat(fd8.start()).isEqualTo(start);
        assertThat(fd8.end()).isEqualTo(end);
        assertThat(entry(tree, "fd 20").parentId()).isEqualTo(server.id());

        var s = states(v, fd8.id(), everyNs());
        assertThat(stateAt(s, T0 + 9500)).satisfies(st -> {
            assertThat(st.label()).isEqualTo("READ");
            assertThat(st.start()).isEqualTo(T0 + 9000);
            assertThat(st.end()).isEqualTo(T0 + 9999);
            assertThat(st.style().parentKey()).isEqualTo(Styles.READ);
        });
        assertThat(stateAt(s, T0 + 11_000).label()).isEqualTo("COMMAND:set");
        assertThat(stateAt(s, T0 + 11_000).style().parentKey()).isEqualTo(Styles.COMMAND);
        assertThat(stateAt(s, T0 + 12_500).label()).isEqualTo("WRITE");
        assertThat(stateAt(s, T0 + 30_050).label()).isEqualTo("FREEING");
        assertThat(s).noneMatch(st -> st.start() <= T0 + 35_000 && T0 + 35_000 <= st.end()); // closed: nothing drawn
        assertThat(s).isSortedAccordingTo((a, b) -> Long.compare(a.start(), b.start()));
        var cluster = states(v, entry(tree, "fd 20").id(), everyNs());
        assertThat(cluster).extracting(Tsp.TimeGraphState::label).contains("CLUSTER SEND", "CLUSTER READ");
    }

    @Test
    void timeGraphStatesFollowTheResolutionNotTheNumberOfIntervals() {
        var v = view("kvscope.netflow", Provider.TimeGraph.class);
        long fd8 = entry(v.tree(), "fd 8").id();
        int all = states(v, fd8, everyNs()).size();
        var coarse = states(v, fd8, new Query(start, end, 2));
        assertThat(all).isGreaterThan(6);
        assertThat(coarse.size()).as("at most one state per sample (3 samples)").isLessThanOrEqualTo(3);
        var zoomed = states(v, fd8, new Query(T0 + 10_600, T0 + 11_400, 100));
        assertThat(zoomed).singleElement().satisfies(st -> assertThat(st.label()).isEqualTo("COMMAND:set"));
    }

    @Test
    void unknownRowsAreIgnoredAndRowsComeInTheRequestedOrder() {
        var v = view("kvscope.netflow", Provider.TimeGraph.class);
        long fd8 = entry(v.tree(), "fd 8").id(), fd20 = entry(v.tree(), "fd 20").id();
        var rows = v.states(everyNs(), new long[] {fd20, 999_999, fd8}).rows();
        assertThat(rows).extracting(Tsp.Row::entryId).containsExactly(fd20, fd8);
    }

    @Test
    void threadsSayWhatEachThreadDoesAndOnWhichFd() {
        var v = view("kvscope.threads", Provider.TimeGraph.class);
        var tree = v.tree();
        var main = entry(tree, "tid 100");
        assertThat(main.labels().get(0)).isEqualTo("tid 100 (main)");
        assertThat(main.parentId()).isEqualTo(entry(tree, SERVER).id());
        var s = states(v, main.id(), everyNs());
        assertThat(stateAt(s, T0 + 9500).label()).isEqualTo("Reading client bytes=31 fd=8");
        assertThat(stateAt(s, T0 + 11_000).label()).isEqualTo("Executing set fd=8");
        assertThat(stateAt(s, T0 + 12_500).label()).isEqualTo("Writing client bytes=5 fd=8");
        assertThat(stateAt(s, T0 + 21_500).label()).startsWith("Reads by I/O threads");
        assertThat(stateAt(s, T0 + 21_500).style().parentKey()).isEqualTo(Styles.IO_THREADS);
        assertThat(stateAt(s, T0 + 30_050).label()).isEqualTo("Freeing client fd=8");
        var io = states(v, entry(tree, "tid 101").id(), everyNs());
        assertThat(stateAt(io, T0 + 21_500).label()).isEqualTo("Reading client bytes=22 fd=8");
        // Zoomed out, labels still come from the attributes at the state's first sample.
        var coarse = states(v, main.id(), new Query(T0 + 9000, T0 + 9999, 1));
        assertThat(coarse).singleElement().satisfies(st -> assertThat(st.label()).isEqualTo("Reading client bytes=31 fd=8"));
    }

    @Test
    void tooltipShowsTheConnectionAndItsRequestAtATime() {
        var v = view("kvscope.netflow", Provider.TimeGraph.class);
        var tip = v.tooltip(entry(v.tree(), "fd 8").id(), T0 + 11_000);
        assertThat(tip).containsEntry("Status", "PROCESS_COMMAND:set").containsEntry("Peer", "127.0.0.1:50000")
                .containsEntry("Id", "3").containsEntry("Requests/Command", "set");
        assertThat(v.tooltip(123_456, T0)).isEmpty();
    }

    @Test
    void eventLoopShowsPhasesAndNonEmptyQueues() {
        var v = view("kvscope.eventloop", Provider.TimeGraph.class);
        var tree = v.tree();
        var phase = states(v, entry(tree, "Phase").id(), everyNs());
        assertThat(stateAt(phase, T0 + 12_500).label()).isEqualTo("BEFORE_SLEEP");
        assertThat(stateAt(phase, T0 + 15_000).label()).isEqualTo("POLL");
        assertThat(stateAt(phase, T0 + 21_500).label()).isEqualTo("HANDLE_PENDING_READS");
        var writes = states(v, entry(tree, "Pending writes").id(), everyNs());
        assertThat(stateAt(writes, T0 + 12_500).label()).isEqualTo("1");
        assertThat(writes).allMatch(st -> !st.label().equals("0"));
    }

    @Test
    void dataVolumeRatesAddUpToTheBytesAndShareXValues() {
        var v = view("kvscope.datavolume", Provider.Xy.class);
        var tree = v.tree();
        long out = entry(tree, "Bus out").id(), in = entry(tree, "Bus in").id();
        long cin = entry(tree, "Clients in").id(), cout = entry(tree, "Clients out").id();
        assertThat(entry(tree, "Bus out").isDefault()).isTrue();
        var q = new Query(T0, T0 + 40_000, 400);
        var xy = v.xy(q, new long[] {out, in, cin, cout, 424242});
        assertThat(xy.series()).hasSize(4);
        var x = xy.series().get(0).xValues();
        assertThat(x).hasSize(400);
        assertThat(x[0]).isEqualTo(T0);
        assertThat(x[1] - x[0]).isEqualTo(q.step());
        for (var s : xy.series()) {
            assertThat(s.xValues()).isEqualTo(x);
            assertThat(s.yValues()).hasSize(400);
            assertThat(Arrays.stream(s.yValues()).allMatch(y -> Double.isFinite(y) && y >= 0)).isTrue();
        }
        Map<String, Double> bytes = xy.series().stream().collect(Collectors.toMap(Tsp.Series::seriesName,
                s -> Arrays.stream(s.yValues()).sum() * q.step() / 1e9));
        assertThat(bytes.get(SERVER + " bus out")).isCloseTo(4000, within(1e-6));
        assertThat(bytes.get(SERVER + " bus in")).isCloseTo(500, within(1e-6));
        assertThat(bytes.get(SERVER + " clients in")).isCloseTo(53, within(1e-6));
        assertThat(bytes.get(SERVER + " clients out")).isCloseTo(14, within(1e-6));
        // The 3000 bytes written at +25 µs are in the gap ending at the first sample at or after it.
        var busOut = xy.series().stream().filter(s -> s.seriesName().endsWith("bus out")).findFirst().orElseThrow();
        int k = (int) ((25_000 + q.step() - 1) / q.step());
        assertThat(busOut.yValues()[k] * q.step() / 1e9).isCloseTo(3000, within(1e-6));
    }

    @Test
    void latencyScatterPlotsEachCommandsSlowestRequestPerSample() {
        var v = view("kvscope.latency.scatter", Provider.Xy.class);
        var tree = v.tree();
        long set = entry(tree, "set").id(), get = entry(tree, "get").id();
        var q = new Query(T0, T0 + 40_000, 40);
        var xy = v.xy(q, new long[] {set, get});
        assertThat(xy.series()).extracting(Tsp.Series::seriesName).containsExactly(SERVER + " set", SERVER + " get");
        assertThat(xy.series().get(0).style().values()).containsEntry("series-type", "scatter");
        assertThat(xy.series().get(0).xValues()).isEqualTo(xy.series().get(1).xValues());
        assertThat(xy.series().get(0).yValues()[9]).as("SET read at +9 µs, 4 µs").isEqualTo(4000);
        assertThat(Arrays.stream(xy.series().get(0).yValues()).filter(y -> y > 0).count()).isEqualTo(1);
        assertThat(xy.series().get(1).yValues()[21]).as("GET read at +21.2 µs").isEqualTo(2800);
    }

    @Test
    void slowestRequestsTableIsSlowestFirstWithTimeAndFd() {
        var v = view("kvscope.latency.slowest", Provider.Table.class);
        assertThat(v.columns().get(0).name()).isEqualTo("Timestamp ns");
        var t = v.lines(0, 100, new long[0]);
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.lines()).hasSize(2);
        var first = t.lines().get(0).cells().stream().map(Tsp.Cell::content).toList();
        assertThat(first).containsExactly(Long.toString(T0 + 9000), SERVER, "set", "4000", "8", "3", "31", "5", "100", "100");
        assertThat(t.lines().get(1).cells().get(2).content()).isEqualTo("get");
        var page = v.lines(1, 5, new long[] {3, 0});
        assertThat(page.lowIndex()).isEqualTo(1);
        assertThat(page.columnIds()).containsExactly(3L, 0L);
        assertThat(page.lines()).singleElement().satisfies(l -> {
            assertThat(l.index()).isEqualTo(1);
            assertThat(l.cells()).extracting(Tsp.Cell::content).containsExactly("2800", Long.toString(T0 + 21_200));
        });
        assertThat(v.lines(50, 10, new long[0]).lines()).isEmpty();
    }

    @Test
    void statisticsPerServerAndCommandForTheWholeTraceOrARange() {
        var v = view("kvscope.statistics", Provider.DataTree.class);
        var whole = v.tree(start, end);
        assertThat(whole.headers()).extracting(Tsp.Header::name)
                .containsExactly("Server / command", "Count", "Min ns w/o blocked", "Mean ns w/o blocked", "P50 ns w/o blocked",
                        "P99 ns w/o blocked", "Max ns w/o blocked", "Blocked", "Blocked ns");
        var server = entry(whole, SERVER);
        assertThat(server.labels()).containsExactly(SERVER, "2", "2800", "3400", "2800", "4000", "4000", "0", "0");
        var set = entry(whole, "set");
        assertThat(set.parentId()).isEqualTo(server.id());
        assertThat(set.labels()).containsExactly("set", "1", "4000", "4000", "4000", "4000", "4000", "0", "0");
        var onlyGet = v.tree(T0 + 20_000, T0 + 40_000);
        assertThat(onlyGet.entries()).extracting(e -> e.labels().get(0)).containsExactly(SERVER, "get");
    }

    @Test
    void stateExplorerShowsWhatIsAliveAtTheTimeWithItsFolders() {
        var v = view("kvscope.state.explorer", Provider.DataTree.class);
        var tree = v.tree(T0 + 11_000, T0 + 11_000);
        var byId = tree.entries().stream().collect(Collectors.toMap(Tsp.Entry::id, e -> e));
        var status = tree.entries().stream().filter(e -> e.labels().get(0).equals("Status")
                && e.labels().get(1).equals("PROCESS_COMMAND:set")).findFirst().orElseThrow();
        assertThat(status.labels().get(2)).isEqualTo(Long.toString(T0 + 10_500));
        var fd = byId.get(status.parentId());
        assertThat(fd.labels().get(0)).isEqualTo("8");
        var conns = byId.get(fd.parentId());
        assertThat(conns.labels().get(0)).isEqualTo("Connections");
        assertThat(byId.get(conns.parentId()).labels().get(0)).isEqualTo(SERVER);
        for (var e : tree.entries()) assertThat(e.parentId() == -1 || byId.containsKey(e.parentId())).isTrue();
        // Depth first: each entry's parent is the nearest entry above it at the parent's depth (a flat list reads as a tree).
        var above = new java.util.ArrayDeque<Long>();
        for (var e : tree.entries()) {
            while (!above.isEmpty() && above.peek() != e.parentId()) above.pop();
            assertThat(e.parentId() == -1 || !above.isEmpty()).as("%s follows its parent's subtree", e.labels()).isTrue();
            above.push(e.id());
        }
        var later = v.tree(T0 + 35_000, T0 + 35_000);
        assertThat(later.entries()).noneMatch(e -> e.labels().get(1).startsWith("PROCESS_COMMAND"));
        assertThat(v.tree(T0 - 1_000_000, 0).entries()).as("before the trace").isEmpty();
    }

    @Test
    void stateTimeGraphDrawsEveryAttributeOverTime() {
        var v = view("kvscope.state.timegraph", Provider.TimeGraph.class);
        var tree = v.tree();
        var byId = tree.entries().stream().collect(Collectors.toMap(Tsp.Entry::id, e -> e));
        var status = tree.entries().stream().filter(e -> e.labels().get(0).equals("Status")
                && byId.get(e.parentId()).labels().get(0).equals("8")
                && byId.get(byId.get(e.parentId()).parentId()).labels().get(0).equals("Connections")).findFirst().orElseThrow();
        assertThat(status.hasData()).isTrue();
        assertThat(byId.get(byId.get(byId.get(status.parentId()).parentId()).parentId()).labels().get(0)).isEqualTo(SERVER);
        var s = states(v, status.id(), everyNs());
        assertThat(stateAt(s, T0 + 11_000).label()).isEqualTo("PROCESS_COMMAND:set");
        assertThat(v.tooltip(status.id(), T0 + 11_000)).containsEntry("Peer", "127.0.0.1:50000");
        for (var e : tree.entries()) assertThat(e.parentId() == -1 || byId.containsKey(e.parentId())).isTrue();
    }

    @Test
    void findingsTableListsWhatTheDetectorsFoundWithItsTime() throws IOException {
        try (var slow = Analysis.analyze(List.of(SampleTraces.slowGet(dir.resolve("slow"))), Analysis.Options.defaults())) {
            var v = (Provider.Table) Views.of(slow).find("kvscope.findings").orElseThrow();
            assertThat(v.columns()).extracting(Tsp.Column::name).startsWith("Timestamp ns", "Duration ns");
            var t = v.lines(0, 200, new long[0]);
            var expected = kvscope.analysis.findings.Findings.detect(slow, kvscope.analysis.findings.Thresholds.DEFAULT);
            assertThat(expected).isNotEmpty();
            assertThat(t.size()).isEqualTo(expected.size());
            var first = t.lines().get(0).cells().stream().map(Tsp.Cell::content).toList();
            assertThat(first.get(0)).isEqualTo(Long.toString(expected.get(0).start()));
            assertThat(first.get(4)).isEqualTo(expected.get(0).title()).isNotBlank();
            assertThat(String.join(" ", first)).contains("get");
        }
        var none = view("kvscope.findings", Provider.Table.class).lines(0, 200, new long[] {4});
        assertThat(none.columnIds()).containsExactly(4L);
    }

    @Test
    void arrowsAreEmptyUntilCrossNodeLinksExist() {
        assertThat(view("kvscope.netflow", Provider.TimeGraph.class).arrows(everyNs())).isEmpty();
    }

    @Test
    void malformedQueriesAreRefused() {
        assertThatThrownBy(() -> new Query(T0, T0 + 10, 1_000_000_000)).isInstanceOf(Query.BadQuery.class)
                .hasMessageContaining("nbTimes");
        assertThatThrownBy(() -> new Query(T0, T0 - 1, 10)).isInstanceOf(Query.BadQuery.class).hasMessageContaining("before");
        assertThatThrownBy(() -> new Query(-5, T0, 10)).isInstanceOf(Query.BadQuery.class);
        assertThatThrownBy(() -> new Query(T0, T0, 0)).isInstanceOf(Query.BadQuery.class);
        assertThat(new Query(0, Long.MAX_VALUE, Query.MAX_TIMES).step()).isPositive();
    }
}
