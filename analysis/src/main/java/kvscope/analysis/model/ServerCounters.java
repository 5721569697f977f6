package kvscope.analysis.model;

import java.util.TreeMap;

/**
 * Counters of one server, counted during the build: what the report shows besides the per-request latencies (which
 * come from the segment file). Stored as {@link ServerStats} once the build is done ({@link #build}).
 */
final class ServerCounters {
    String name;
    String host;
    int port;
    int vpid;
    boolean cluster;
    int ioThreads;
    boolean tls;
    long connectionsAccepted;
    final TreeMap<String, Long> acceptedByType = new TreeMap<>();
    long connectionsFreed;
    long connectionsSeenMidLife;
    /** Of those, how many a snapshot named (type, peer; the rest stay "unknown"). */
    long connectionsNamedBySnapshot;
    /** Snapshots of the server written whole in the trace (snapshot_end seen). */
    long snapshots;
    long fdReusedWithoutFree;
    long clientBytesIn;
    long clientBytesOut;
    long commands;
    long nestedCommands;
    long unansweredRequests;
    long unfinishedAtEnd;
    long eventLoopIterations;
    long longestIterationNs;
    long longestIterationAt;
    /** Requests refused with a redirection, by kind (moved, ask, crossslot, tryagain, clusterdown). */
    final TreeMap<String, Long> redirects = new TreeMap<>();
    long publishes;
    long publishedPayloadBytes;
    long publishReceivers;
    long busBytesOut;
    long busBytesIn;
    final TreeMap<String, long[]> busOutByType = new TreeMap<>();
    final TreeMap<String, long[]> busInByType = new TreeMap<>();
    final TreeMap<String, long[]> busOutByLink = new TreeMap<>();
    final TreeMap<String, long[]> busInByLink = new TreeMap<>();
    final TreeMap<Integer, ThreadCounters> threads = new TreeMap<>();
    /** Clients blocked (block_client). */
    long blocks;
    /** Blocked phases that ended, by "btype reason" (list key, wait timeout…): [count, blocked ns]. */
    final TreeMap<String, long[]> blocked = new TreeMap<>();

    ServerCounters(String name) { this.name = name; }

    /** Adds bytes to a per-key [messages, bytes] pair. */
    static void add(TreeMap<String, long[]> map, String key, long bytes) {
        var v = map.computeIfAbsent(key, k -> new long[2]);
        v[0]++;
        v[1] += bytes;
    }

    /** What the server's counters say once the build is done, under the server's final name. */
    ServerStats build() {
        var threadStats = new TreeMap<Integer, ServerStats.ThreadStats>();
        threads.forEach((tid, t) -> threadStats.put(tid, t.build()));
        return new ServerStats(name, host, port, vpid, cluster, ioThreads, tls, connectionsAccepted, acceptedByType,
                connectionsFreed, connectionsSeenMidLife, fdReusedWithoutFree, clientBytesIn, clientBytesOut, commands,
                nestedCommands, unansweredRequests, unfinishedAtEnd, eventLoopIterations, longestIterationNs,
                longestIterationAt, redirects, publishes, publishedPayloadBytes, publishReceivers, busBytesOut, busBytesIn,
                busOutByType, busInByType, busOutByLink, busInByLink, threadStats, connectionsNamedBySnapshot, snapshots, blocks, blocked);
    }

    /** One thread's counters. */
    static final class ThreadCounters {
        boolean main;
        long reads;
        long writes;
        long commands;
        long busyNs;

        ServerStats.ThreadStats build() { return new ServerStats.ThreadStats(main, reads, writes, commands, busyNs); }
    }
}
