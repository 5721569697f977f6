package kvscope.analysis.flows;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.fixtures.RedisTraceWriter;
import kvscope.fixtures.SampleTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
            assertThat(s.summary().counters().busMessagesUnpaired()).isEqualTo(1);
            assertThat(s.summary().counters().flows()).isEqualTo(6);
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
        Files.write(flowsFile, Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> FlowFile.open(flowsFile))
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
        long t = RedisTraceWriter.T0;
        try (var w = new RedisTraceWriter(trace, "h1", 201, false)) {
            for (int n = 0; n < 2; n++) {
                w.pid(201 + n).event(n, t + n, 201 + n, "server_info", "port", 7001 + n, "cluster_enabled", 1,
                        "cluster_port", 17001 + n, "io_threads", 1, "used_memory", 1_000_000L, "role", "master");
            }
            w.pid(201);
            w.event(0, t + 1000, 201, "accept_client", "fd", 10, "id", 5L, "type", "client", "inbound", 1,
                    "peer_addr", "127.0.0.1", "peer_port", 50010, "local_port", 7001);
            w.event(0, t + 2000, 201, "end_read_client_query", "fd", 10, "id", 5L,
                    "start_ns", RedisTraceWriter.raw(t + 1900), "readlen", 16384L, "nread", 30L,
                    "qbuf_len", 30L);
            w.event(0, t + 2100, 201, "cluster_redirect", "fd", 10, "id", 5L, "kind", "moved", "slot", 866,
                    "node", SampleTraces.N2, "target_addr", "127.0.0.1", "target_port", 7002);
            w.event(0, t + 2200, 201, "end_process_command", "fd", 10, "id", 5L);
            w.pid(202);
            w.event(1, t + 3000, 202, "accept_client", "fd", 13, "id", 8L, "type", "client", "inbound", 1,
                    "peer_addr", "127.0.0.1", "peer_port", 50013, "local_port", 7002);
            w.event(1, t + 4000, 202, "call_command_start", "fd", 13, "id", 8L, "name", "get", "argc", 2, "slot", 100);
            w.event(1, t + 5000, 202, "call_command_start", "fd", 13, "id", 8L, "name", "get", "argc", 2, "slot", 866);
            w.event(1, t + 6000, 202, "call_command_start", "fd", 13, "id", 8L, "name", "get", "argc", 2, "slot", 866);
            w.pid(201);
            w.event(0, t + 7000, 201, "cluster_redirect", "fd", 10, "id", 5L, "kind", "moved", "slot", 866,
                    "node", SampleTraces.N2, "target_addr", "127.0.0.1", "target_port", 7002);
            w.pid(202);
            w.event(1, t + 7000 + 2_000_000_000L, 202, "call_command_start", "fd", 13, "id", 8L, "name", "get",
                    "argc", 2, "slot", 866);
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
            var node1 = s.summary().servers().stream().filter(x -> x.name().equals("h1:7001")).findFirst().orElseThrow();
            assertThat(node1.redirects()).containsEntry("moved", 2L);
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
        long t = RedisTraceWriter.T0;
        try (var w = new RedisTraceWriter(trace, "h1", 301, false)) {
            for (int c = 0; c < 2; c++) {
                for (int n = 0; n < 3; n++) {
                    int pid = 301 + 3 * c + n, cpu = 3 * c + n;
                    w.pid(pid).event(cpu, t, pid, "server_info", "port", 7001 + 3 * c + n, "cluster_enabled", 1,
                            "cluster_port", 17001 + 3 * c + n, "io_threads", 1, "used_memory", 1_000_000L,
                            "role", "master");
                    for (int p = 0; p < 3; p++) {
                        if (p == n) continue;
                        var peer = String.valueOf((char) ('a' + c)).repeat(39) + p;
                        w.event(cpu, t + 1000 + 100 * p, pid, "cluster_send", "fd", 20 + p, "id", (long) p,
                                "peer", peer, "type", 1, "type_name", "ping", "totlen", 2256L, "sndbuf_len", 2256L);
                        w.event(cpu, t + 1050 + 100 * p, pid, "cluster_write", "fd", 20 + p, "id", (long) p,
                                "start_ns", RedisTraceWriter.raw(t + 1500), "requested", 2256L,
                                "nwritten", 2256L);
                    }
                }
            }
        }
        try (var s = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
            for (var st : s.summary().servers()) {
                assertThat(st.busOutByLink().keySet()).as("links of %s named after servers", st.name())
                        .hasSize(2).allSatisfy(k -> assertThat(k).startsWith("h1:70"));
            }
        }
    }
}
