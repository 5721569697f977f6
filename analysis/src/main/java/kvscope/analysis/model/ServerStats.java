package kvscope.analysis.model;

import java.util.TreeMap;

/**
 * Counters of one server kept during the analysis and stored in the summary: what the report shows besides the
 * per-request latencies (which come from the segment file). Public fields: it is a plain data carrier, serialised
 * as JSON.
 */
public final class ServerStats {
    public String name;
    public String host;
    public int port;
    public int vpid;
    public boolean cluster;
    public int ioThreads;
    public boolean tls;
    public long connectionsAccepted;
    public final TreeMap<String, Long> acceptedByType = new TreeMap<>();
    public long connectionsFreed;
    public long connectionsSeenMidLife;
    public long fdReusedWithoutFree;
    public long clientBytesIn;
    public long clientBytesOut;
    public long commands;
    public long nestedCommands;
    public long unansweredRequests;
    public long unfinishedAtEnd;
    public long eventLoopIterations;
    public long longestIterationNs;
    public long longestIterationAt;
    /** Requests refused with a redirection, by kind (moved, ask, crossslot, tryagain, clusterdown). */
    public final TreeMap<String, Long> redirects = new TreeMap<>();
    public long publishes;
    public long publishedPayloadBytes;
    public long publishReceivers;
    public long busBytesOut;
    public long busBytesIn;
    public final TreeMap<String, long[]> busOutByType = new TreeMap<>();
    public final TreeMap<String, long[]> busInByType = new TreeMap<>();
    public final TreeMap<String, long[]> busOutByLink = new TreeMap<>();
    public final TreeMap<String, long[]> busInByLink = new TreeMap<>();
    public final TreeMap<Integer, ThreadStats> threads = new TreeMap<>();

    public ServerStats() {}

    ServerStats(String name) { this.name = name; }

    /** Adds bytes to a per-key [messages, bytes] pair. */
    static void add(TreeMap<String, long[]> map, String key, long bytes) {
        var v = map.computeIfAbsent(key, k -> new long[2]);
        v[0]++;
        v[1] += bytes;
    }

    public static final class ThreadStats {
        public boolean main;
        public long reads;
        public long writes;
        public long commands;
        public long busyNs;
    }
}
