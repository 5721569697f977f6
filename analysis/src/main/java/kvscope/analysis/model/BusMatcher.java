package kvscope.analysis.model;

import kvscope.analysis.flows.Flow;
import kvscope.analysis.flows.FlowWriter;
import kvscope.analysis.util.LongMap;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Pairs the publish messages one node sent with those another node processed, once every node is named. A link
 * between two nodes is one TCP connection, so its messages arrive in the order they were sent: the k-th message
 * node A queued for node B is the k-th publish B processed from A. Messages sent before the trace began, or lost,
 * are recognised by time (a message cannot be processed before it was sent) and by size (the two ends agree on it).
 */
final class BusMatcher {
    /** After lost events, messages in flight are unknowable: pairing resumes this much later. */
    static final long RESYNC_NS = 100_000_000L;
    /** Sizes that disagree: how many queued messages to skip before giving up on one arrival. */
    private static final int MAX_SKIP = 16;

    private BusMatcher() {}

    /** Writes a BUS flow for each message sent by one traced node and processed by another; returns how many. */
    static long match(BusLog log, List<ServerState> servers, FlowWriter out, ModelCounters counters) throws IOException {
        var nodeIds = new String[servers.stream().mapToInt(s -> s.index).max().orElse(-1) + 1];
        for (var s : servers) nodeIds[s.index] = s.nodeId;
        var r = match(log, nodeIds, out, (from, to) -> true);
        counters.busMessagesUnpaired = r[1];
        return r[0];
    }

    /** Which pairs become arrows (the aggregator draws only those between hosts: the others are in the hosts' models). */
    interface Drawn {
        boolean test(int fromServer, int toServer);
    }

    /**
     * The pairing itself, over servers known by index and own node id (null when unknown); returns {pairs, messages
     * processed whose sending was not found}. Pairs that {@code drawn} refuses are made (they take their message out
     * of the queue) but not written.
     */
    static long[] match(BusLog log, String[] nodeIds, FlowWriter out, Drawn drawn) throws IOException {
        // The server each logged id names (−1 when it is not a traced server), and the reverse, by server index: the
        // logged id of each server's own node id (−1 when never logged).
        var named = new int[log.ids.size()];
        Arrays.fill(named, -1);
        var idOf = new int[nodeIds.length];
        Arrays.fill(idOf, -1);
        for (int i = 0; i < named.length; i++) {
            for (int s = 0; s < nodeIds.length; s++) {
                if (log.ids.get(i).equals(nodeIds[s])) {
                    named[i] = s;
                    idOf[s] = i;
                }
            }
        }
        var queues = new LongMap<Queue>();
        long[] matched = {0}, unmatched = {0};
        long[] resyncUntil = {Long.MIN_VALUE};
        out.newRun();
        log.replay(r -> {
            switch (r.kind) {
                case BusLog.RESET -> {
                    queues.clear();
                    resyncUntil[0] = r.time + RESYNC_NS;
                }
                case BusLog.SEND -> {
                    if (r.time < resyncUntil[0]) return;
                    long key = ((long) r.server << 32) | (r.id & 0xFFFFFFFFL);
                    var q = queues.get(key);
                    if (q == null) queues.put(key, q = new Queue());
                    q.add(r.fd, r.time, r.totlen);
                }
                case BusLog.RECEIVE -> {
                    int sender = r.id >= 0 && r.id < named.length ? named[r.id] : -1;
                    int receiver = r.server >= 0 && r.server < nodeIds.length && nodeIds[r.server] != null ? r.server : -1;
                    if (sender < 0 || receiver < 0 || r.time < resyncUntil[0]) {
                        unmatched[0]++;
                        return;
                    }
                    int peer = idOf[receiver];
                    var q = peer < 0 ? null : queues.get(((long) sender << 32) | peer);
                    int skipped = 0;
                    while (q != null && !q.isEmpty() && q.headTime() <= r.time && q.headLen() != r.totlen
                            && skipped < MAX_SKIP) {
                        q.pop();
                        skipped++;
                    }
                    if (q == null || q.isEmpty() || q.headTime() > r.time || q.headLen() != r.totlen) {
                        unmatched[0]++;
                        return;
                    }
                    if (drawn.test(sender, receiver)) {
                        out.add(Flow.Hop.BUS, sender, q.headFd(), q.headTime(), receiver, r.fd, r.time, r.emit);
                        matched[0]++;
                    }
                    q.pop();
                }
                default -> throw new IOException("bus log: unknown record kind " + r.kind);
            }
        });
        return new long[] {matched[0], unmatched[0]};
    }

    /** A bounded FIFO of (link fd, time, length): a flood of messages to an untraced node keeps only the newest. */
    static final class Queue {
        private static final int CAPACITY = 1 << 14;
        private final int[] fds = new int[CAPACITY];
        private final long[] times = new long[CAPACITY];
        private final long[] lens = new long[CAPACITY];
        private int head, size;

        void add(int fd, long t, long len) {
            if (size == CAPACITY) pop();
            int i = (head + size) & (CAPACITY - 1);
            fds[i] = fd;
            times[i] = t;
            lens[i] = len;
            size++;
        }

        boolean isEmpty() { return size == 0; }
        int headFd() { return fds[head]; }
        long headTime() { return times[head]; }
        long headLen() { return lens[head]; }

        void pop() {
            head = (head + 1) & (CAPACITY - 1);
            size--;
        }
    }
}
