package kvscope.analysis;

import kvscope.analysis.model.Anomaly;
import kvscope.analysis.model.Backlog;
import kvscope.analysis.model.Commands;
import kvscope.analysis.model.Counters;
import kvscope.analysis.model.ReplicationStats;
import kvscope.analysis.model.ServerStats;
import kvscope.analysis.model.Stall;
import kvscope.analysis.segments.LatencyCollector;
import kvscope.analysis.segments.LatencyStats;

import java.util.List;

/**
 * What an analysis stored beside its model: the traces it read (and their fingerprint, to reuse it), the time range,
 * the counters of the model build, each server's counters and per-command latency statistics, and coarse time series
 * for plots. Made once, when the analysis is done; stored as summary.json.
 *
 * @param commandsOnly only call_command_end was recorded (light profile): latencies are command execution only
 * @param anomalies what the model saw break Redis's invariants (queued twice, freed twice, two threads on one
 *     connection)
 * @param stalls the event-loop iterations that kept the main thread busiest, longest first
 * @param backlogs the largest output-buffer backlogs (clients whose reply bytes waited), largest first
 * @param replication master → replica links and resyncs (issue #19)
 */
public record Summary(int version, String fingerprint, List<String> traces, long start, long end, long analysisNs,
                      boolean commandsOnly, Counters counters, List<ServerStats> servers,
                      List<CommandLatency> latencies, List<Anomaly> anomalies, List<Stall> stalls,
                      List<Backlog> backlogs, Series series, ReplicationStats replication) {
    public Summary {
        if (replication == null) replication = new ReplicationStats(List.of(), List.of(), 0, 0);
        traces = copy(traces);
        servers = copy(servers);
        latencies = copy(latencies);
        anomalies = copy(anomalies);
        stalls = copy(stalls);
        backlogs = copy(backlogs);
    }

    /** A summary without replication (none seen). */
    public Summary(int version, String fingerprint, List<String> traces, long start, long end, long analysisNs,
                   boolean commandsOnly, Counters counters, List<ServerStats> servers, List<CommandLatency> latencies,
                   List<Anomaly> anomalies, List<Stall> stalls, List<Backlog> backlogs, Series series) {
        this(version, fingerprint, traces, start, end, analysisNs, commandsOnly, counters, servers, latencies, anomalies,
                stalls, backlogs, series, null);
    }

    /** Nothing analysed yet (the JSON writer's warm-up writes it). */
    static Summary empty() {
        return new Summary(Analysis.VERSION, null, List.of(), 0, 0, 0, false, null, List.of(), List.of(), List.of(),
                List.of(), List.of(), null);
    }

    /**
     * Exact latency statistics of one command on one server (ns). count … max leave out the time a client spent
     * blocked (BLPOP, WAIT… waiting for data or replicas by design), as Redis's SLOWLOG does (issue #19).
     *
     * @param blocked      how many of the requests blocked
     * @param blockedNs    their blocked time in all
     * @param blockedMaxNs the longest
     * @param withBlocked  the statistics with the blocked time counted in each latency; null when none blocked (then
     *                     they are the same)
     */
    public record CommandLatency(String server, String command, String type, long count, long min, double mean,
                                 long p50, long p90, long p99, long max, long blocked, long blockedNs, long blockedMaxNs,
                                 LatencyStats withBlocked) {
        /** A command none of whose requests blocked. */
        public CommandLatency(String server, String command, String type, long count, long min, double mean, long p50,
                              long p90, long p99, long max) {
            this(server, command, type, count, min, mean, p50, p90, p99, max, 0, 0, 0, null);
        }

        static CommandLatency of(String server, String command, LatencyStats st, LatencyCollector.Blocked blocked,
                                 LatencyStats withBlocked) {
            var b = blocked == null ? new LatencyCollector.Blocked(0, 0, 0) : blocked;
            return new CommandLatency(server, command, Commands.type(command), st.count(), st.min(), st.mean(),
                    st.p50(), st.p90(), st.p99(), st.max(), b.count(), b.totalNs(), b.maxNs(), b.count() > 0 ? withBlocked : null);
        }

        /** The statistics without the blocked time (the default), or with it. */
        public LatencyStats stats(boolean blockedIncluded) {
            if (blockedIncluded && withBlocked != null) return withBlocked;
            return new LatencyStats(count, min, max, mean, p50, p90, p99);
        }
    }

    /** Per-server values over equal time buckets: requests completed, bus bytes out and in. */
    public record Series(long start, long bucketNs, List<String> servers, List<long[]> requests, List<long[]> busOut,
                         List<long[]> busIn) {
        public Series {
            servers = copy(servers);
            requests = copy(requests);
            busOut = copy(busOut);
            busIn = copy(busIn);
        }
    }

    /** A read-only copy (an absent list, as an older summary may have, is empty). */
    private static <T> List<T> copy(List<T> list) { return list == null ? List.of() : List.copyOf(list); }
}
