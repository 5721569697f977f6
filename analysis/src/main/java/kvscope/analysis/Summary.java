package kvscope.analysis;

import kvscope.analysis.model.Anomaly;
import kvscope.analysis.model.Backlog;
import kvscope.analysis.model.Commands;
import kvscope.analysis.model.ModelCounters;
import kvscope.analysis.model.ServerStats;
import kvscope.analysis.model.Stall;
import kvscope.analysis.segments.LatencyStats;

import java.util.ArrayList;
import java.util.List;

/**
 * What an analysis stored beside its model: the traces it read (and their fingerprint, to reuse it), the time range,
 * the counters of the model build, each server's counters and per-command latency statistics, and coarse time series
 * for plots. Serialised as summary.json; public fields because it is a data carrier.
 */
public final class Summary {
    public int version = Analysis.VERSION;
    public String fingerprint;
    public List<String> traces = new ArrayList<>();
    public long start;
    public long end;
    public long analysisNs;
    /** Only call_command_end was recorded (light profile): latencies are command execution only. */
    public boolean commandsOnly;
    public ModelCounters counters;
    public List<ServerStats> servers = new ArrayList<>();
    public List<CommandLatency> latencies = new ArrayList<>();
    /** What the model saw break Redis's invariants (queued twice, freed twice, two threads on one connection). */
    public List<Anomaly> anomalies = new ArrayList<>();
    /** The event-loop iterations that kept the main thread busiest, longest first. */
    public List<Stall> stalls = new ArrayList<>();
    /** The largest output-buffer backlogs (clients whose reply bytes waited), largest first. */
    public List<Backlog> backlogs = new ArrayList<>();
    public Series series;

    /** Exact latency statistics of one command on one server (ns). */
    public static final class CommandLatency {
        public String server;
        public String command;
        public String type;
        public long count;
        public long min;
        public double mean;
        public long p50;
        public long p90;
        public long p99;
        public long max;

        static CommandLatency of(String server, String command, LatencyStats st) {
            var l = new CommandLatency();
            l.server = server;
            l.command = command;
            l.type = Commands.type(command);
            l.count = st.count();
            l.min = st.min();
            l.mean = st.mean();
            l.p50 = st.p50();
            l.p90 = st.p90();
            l.p99 = st.p99();
            l.max = st.max();
            return l;
        }
    }

    /** Per-server values over equal time buckets: requests completed, bus bytes out and in. */
    public static final class Series {
        public long start;
        public long bucketNs;
        public List<String> servers = new ArrayList<>();
        public List<long[]> requests = new ArrayList<>();
        public List<long[]> busOut = new ArrayList<>();
        public List<long[]> busIn = new ArrayList<>();
    }
}
