package kvscope.analysis;

import kvscope.analysis.flows.Flow;
import kvscope.analysis.synthetic.SampleTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The causal links the analysis finds between connections: a PUBLISH followed over the bus to its subscribers. */
class FlowsTest {
    @TempDir Path dir;

    /** A flow with server names instead of indexes, times relative to the PUBLISH's read. */
    record Named(Flow.Hop kind, String src, int srcFd, String dst, int dstFd) {}

    private static List<Flow> flows(Stored s) throws IOException {
        var out = new ArrayList<Flow>();
        s.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (k, ss, sf, st, ds, df, dt) -> out.add(new Flow(k, ss, sf, st, ds, df, dt)));
        return out;
    }

    @Test
    void aPublishIsFollowedFromThePublisherOverTheBusToEachSubscriber() throws IOException {
        var trace = SampleTraces.publishAcrossCluster(dir.resolve("trace"));
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var names = s.segments().servers();
            var named = flows(s).stream().map(f -> new Named(f.kind(), names.get(f.srcServer()), f.srcFd(),
                    names.get(f.dstServer()), f.dstFd())).toList();
            assertThat(named).containsExactlyInAnyOrder(
                    new Named(Flow.Hop.PUBLISH_LOCAL, "h1:7001", 10, "h1:7001", 11),
                    new Named(Flow.Hop.PUBLISH_TO_BUS, "h1:7001", 10, "h1:7001", 20),
                    new Named(Flow.Hop.PUBLISH_TO_BUS, "h1:7001", 10, "h1:7001", 21),
                    new Named(Flow.Hop.BUS, "h1:7001", 20, "h1:7002", 30),
                    new Named(Flow.Hop.BUS, "h1:7001", 21, "h1:7003", 40),
                    new Named(Flow.Hop.DELIVER, "h1:7002", 30, "h1:7002", 12));
            for (var f : flows(s)) assertThat(f.srcTime()).as("%s starts before it ends", f).isLessThanOrEqualTo(f.dstTime());
            // The message node 3 processed before anything was sent in the trace is not paired with a later one.
            assertThat(s.summary().counters.busMessagesUnpaired).isEqualTo(1);
            assertThat(s.summary().counters.flows).isEqualTo(6);
        }
    }

    @Test
    void theArrowsOfARangeAreThoseThatOverlapIt() throws IOException {
        var trace = SampleTraces.publishAcrossCluster(dir.resolve("trace"));
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var all = flows(s);
            var bus = all.stream().filter(f -> f.kind() == Flow.Hop.BUS).findFirst().orElseThrow();
            // A range strictly inside the BUS arrow's span still shows it; a range after every arrow shows none.
            long mid = (bus.srcTime() + bus.dstTime()) / 2;
            var inside = new ArrayList<Flow.Hop>();
            s.flows().forEach(mid, mid + 1, (k, ss, sf, st, ds, df, dt) -> inside.add(k));
            assertThat(inside).contains(Flow.Hop.BUS);
            long last = all.stream().mapToLong(Flow::dstTime).max().orElseThrow();
            var after = new ArrayList<Flow.Hop>();
            s.flows().forEach(last + 1, last + 1_000_000, (k, ss, sf, st, ds, df, dt) -> after.add(k));
            assertThat(after).isEmpty();
        }
    }

    @Test
    void aDamagedFlowFileIsRefusedAndTheModelRebuilt() throws IOException {
        var trace = SampleTraces.publishAcrossCluster(dir.resolve("trace"));
        Path flowsFile;
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            flowsFile = s.dir().resolve(Analysis.FLOWS);
        }
        var bytes = Files.readAllBytes(flowsFile);
        Files.write(flowsFile, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> kvscope.analysis.flows.FlowFile.open(flowsFile))
                .hasMessageContaining(flowsFile.toString()).hasMessageContaining("do not fit the file size");
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            assertThat(s.reused()).as("a damaged stored model is rebuilt, not answered from").isFalse();
            assertThat(flows(s)).hasSize(6);
        }
    }

    /**
     * A GET refused by node 1 with MOVED 866 to node 2 (port 7002), retried there: one REDIRECT arrow. A command on
     * another slot, and one on the same slot after the pairing window, are not retries.
     */
    @Test
    void aMovedRequestIsFollowedToItsRetryOnTheNodeItNamed() throws IOException {
        var trace = dir.resolve("moved");
        long t = kvscope.analysis.synthetic.RedisTraceWriter.T0;
        try (var w = new kvscope.analysis.synthetic.RedisTraceWriter(trace, "h1", 201, false)) {
            for (int n = 0; n < 2; n++) {
                w.pid(201 + n).ev(n, t + n, 201 + n, "server_info", 7001 + n, 0, 1, 17001 + n, 1, 0, 0, 0L, 0L,
                        1_000_000L, "master", 0, "");
            }
            w.pid(201);
            w.ev(0, t + 1000, 201, "accept_client", 10, 5L, "client", 1, 0, "127.0.0.1", 50010, 7001);
            w.ev(0, t + 2000, 201, "end_read_client_query", 10, 5L, kvscope.analysis.synthetic.RedisTraceWriter.raw(t + 1900),
                    16384L, 30L, 30L);
            w.ev(0, t + 2100, 201, "cluster_redirect", 10, 5L, "moved", 866, SampleTraces.N2, "127.0.0.1", 7002);
            w.ev(0, t + 2200, 201, "end_process_command", 10, 5L, 0);
            w.pid(202);
            w.ev(1, t + 3000, 202, "accept_client", 13, 8L, "client", 1, 0, "127.0.0.1", 50013, 7002);
            w.ev(1, t + 4000, 202, "call_command_start", 13, 8L, "get", 2, 0, 100);
            w.ev(1, t + 5000, 202, "call_command_start", 13, 8L, "get", 2, 0, 866);
            w.ev(1, t + 6000, 202, "call_command_start", 13, 8L, "get", 2, 0, 866);
            w.pid(201);
            w.ev(0, t + 7000, 201, "cluster_redirect", 10, 5L, "moved", 866, SampleTraces.N2, "127.0.0.1", 7002);
            w.pid(202);
            w.ev(1, t + 7000 + 2_000_000_000L, 202, "call_command_start", 13, 8L, "get", 2, 0, 866);
        }
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            var names = s.segments().servers();
            var redirects = flows(s).stream().filter(f -> f.kind() == Flow.Hop.REDIRECT).toList();
            assertThat(redirects).singleElement().satisfies(f -> {
                assertThat(names.get(f.srcServer())).isEqualTo("h1:7001");
                assertThat(f.srcFd()).isEqualTo(10);
                assertThat(f.srcTime()).isEqualTo(t + 2100);
                assertThat(names.get(f.dstServer())).isEqualTo("h1:7002");
                assertThat(f.dstTime()).isEqualTo(t + 5000);
            });
            var node1 = s.summary().servers.stream().filter(x -> x.name.equals("h1:7001")).findFirst().orElseThrow();
            assertThat(node1.redirects).containsEntry("moved", 2L);
            // The refused request's connection says so until the request ends.
            var h = s.history();
            var st = h.at(t + 2150, h.lookup("h1:7001", "Connections", "10", "Status"));
            assertThat(st.value()).isEqualTo("REDIRECTED:moved");
        }
    }

    /** Two 3-node clusters traced together (a shared host): each node is still named by its own cluster's traffic. */
    @Test
    void twoClustersInOneTraceAreNamedApart() throws IOException {
        var trace = dir.resolve("two-clusters");
        long t = kvscope.analysis.synthetic.RedisTraceWriter.T0;
        try (var w = new kvscope.analysis.synthetic.RedisTraceWriter(trace, "h1", 301, false)) {
            for (int c = 0; c < 2; c++) {
                for (int n = 0; n < 3; n++) {
                    int pid = 301 + 3 * c + n, cpu = 3 * c + n;
                    w.pid(pid).ev(cpu, t, pid, "server_info", 7001 + 3 * c + n, 0, 1, 17001 + 3 * c + n, 1, 0, 0, 0L, 0L,
                            1_000_000L, "master", 0, "");
                    for (int p = 0; p < 3; p++) {
                        if (p == n) continue;
                        var peer = String.valueOf((char) ('a' + c)).repeat(39) + p;
                        w.ev(cpu, t + 1000 + 100 * p, pid, "cluster_send", 20 + p, (long) p, peer, 1, "ping", 2256L, 2256L);
                        w.ev(cpu, t + 1050 + 100 * p, pid, "cluster_write", 20 + p, (long) p,
                                kvscope.analysis.synthetic.RedisTraceWriter.raw(t + 1500), 2256L, 2256L);
                    }
                }
            }
        }
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            for (var st : s.summary().servers) {
                assertThat(st.busOutByLink.keySet()).as("links of %s named after servers", st.name)
                        .hasSize(2).allSatisfy(k -> assertThat(k).startsWith("h1:70"));
            }
        }
    }
}
