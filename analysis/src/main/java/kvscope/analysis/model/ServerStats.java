package kvscope.analysis.model;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the model counted of one server, stored in the summary: what the report shows besides the per-request
 * latencies (which come from the segment file). Maps are sorted by key; the {@code long[]} values of the bus maps are
 * [messages, bytes]. Built once, at the end of the build, under the server's final name.
 *
 * @param redirects requests refused with a redirection, by kind (moved, ask, crossslot, tryagain, clusterdown)
 * @param threads by thread id (vtid)
 * @param connectionsNamedBySnapshot of the connectionsSeenMidLife, how many a snapshot named (type and peer)
 * @param snapshots snapshots of the server written whole in the trace (instrument/redis/EVENTS.md, "Snapshot")
 * @param blocks clients blocked by a blocking command (BLPOP, WAIT…; block_client)
 * @param blocked the blocked phases that ended, by "btype reason" ("list key", "wait timeout"): [count, blocked ns]
 */
public record ServerStats(String name, String host, int port, int vpid, boolean cluster, int ioThreads, boolean tls,
                          long connectionsAccepted, Map<String, Long> acceptedByType, long connectionsFreed,
                          long connectionsSeenMidLife, long fdReusedWithoutFree, long clientBytesIn,
                          long clientBytesOut, long commands, long nestedCommands, long unansweredRequests,
                          long unfinishedAtEnd, long eventLoopIterations, long longestIterationNs,
                          long longestIterationAt, Map<String, Long> redirects, long publishes, long publishedPayloadBytes,
                          long publishReceivers, long busBytesOut, long busBytesIn, Map<String, long[]> busOutByType,
                          Map<String, long[]> busInByType, Map<String, long[]> busOutByLink,
                          Map<String, long[]> busInByLink, Map<Integer, ThreadStats> threads,
                          long connectionsNamedBySnapshot, long snapshots, long blocks, Map<String, long[]> blocked) {

    public ServerStats {
        acceptedByType = sorted(acceptedByType);
        redirects = sorted(redirects);
        busOutByType = sorted(busOutByType);
        busInByType = sorted(busInByType);
        busOutByLink = sorted(busOutByLink);
        busInByLink = sorted(busInByLink);
        threads = sorted(threads);
        blocked = sorted(blocked);
    }

    /** What one thread of the server did: reads and writes of clients, commands executed, and its busy time. */
    public record ThreadStats(boolean main, long reads, long writes, long commands, long busyNs) {}

    /** A read-only copy sorted by key (an absent map, as an older summary may have, is empty). */
    private static <K, V> Map<K, V> sorted(Map<K, V> m) {
        return Collections.unmodifiableSortedMap(m == null ? new TreeMap<>() : new TreeMap<>(m));
    }
}
