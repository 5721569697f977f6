package kvscope.analysis.model;

import kvscope.analysis.flows.Flow;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The arrows of the Netflow view (paper use case 2, Figs. 6–7): how a published message travels. A client's PUBLISH
 * is queued on the node's cluster links ({@link Flow.Kind#PUBLISH_TO_BUS}), crosses the bus to the other nodes
 * ({@link Flow.Kind#BUS}, paired after the pass by {@link BusMatcher}) and is written to their subscribers
 * ({@link Flow.Kind#DELIVER}); subscribers on the publisher's own node get it directly
 * ({@link Flow.Kind#PUBLISH_LOCAL}).
 *
 * <p>Who receives a message is seen, not guessed: Redis queues each receiver for writing
 * ({@code insert_clientwrite_queue}) while it publishes, between the command's (or the bus packet's) start and the
 * {@code publish} event. A subscriber that was already queued is not queued again; those are taken from the known
 * subscribers waiting to be written when {@code receivers} says more were reached. Messages that go out in one write
 * each get their arrow, to that write.
 */
final class Flows {
    private static final String PUBLISH = "publish", PUBLISH_SHARD = "publishshard";
    /** A retry comes within this long of its redirection, or it is not paired. */
    static final long REDIRECT_WINDOW_NS = 1_000_000_000L;
    private static final int REDIRECTS_PER_SLOT = 1024;

    /** Redirections waiting for their retry, by (target port, slot): [server, fd, time], oldest first. */
    private final java.util.Map<Long, java.util.ArrayDeque<long[]>> redirects = new java.util.HashMap<>();

    void register(Dispatch d) {
        d.on("cluster_redirect", this::redirected);
        d.on("call_command_start", c -> {
            if (c.num(c.f.depth) != 0) return;
            c.s.flows.mark();
            if (!redirects.isEmpty()) retried(c);
            var name = c.str(c.f.name);
            if (name.equals("subscribe") || name.equals("psubscribe") || name.equals("ssubscribe")) {
                var conn = c.conn("client");
                conn.subscriber = true;
                c.s.flows.subscribers.add(conn);
            }
        });
        d.on("call_command_end", c -> {
            if (c.num(c.f.depth) == 0) c.s.flows.publishFd = Integer.MIN_VALUE;
        });
        d.on("cluster_read", c -> c.s.flows.mark());
        d.on("insert_clientwrite_queue", c -> {
            var conn = c.conn("client");
            if (conn.isClient()) c.s.flows.queued(conn);
        });
        d.on("publish", this::publish);
        d.on("cluster_send", this::send);
        d.on("cluster_process_packet", this::processed);
        d.on("write_to_client_end", this::written);
        d.on("free_client", c -> c.s.flows.subscribers.remove(c.conn("client")));
    }

    /** Events were lost: a retry may have gone unseen, so no waiting redirection can be paired safely. */
    void lost() { redirects.clear(); }

    private void redirected(Ctx c) {
        var kind = c.str(c.f.kind);
        c.s.stats.redirects.merge(kind, 1L, Long::sum);
        long port = c.num(c.f.targetPort), slot = c.num(c.f.slot);
        if (port <= 0 || slot < 0 || c.fd() < 0) return;
        var q = redirects.computeIfAbsent((port << 16) | slot, k -> new java.util.ArrayDeque<>());
        if (q.size() == REDIRECTS_PER_SLOT) q.pollFirst();
        q.addLast(new long[] {c.s.index, c.fd(), c.t});
    }

    /** A command on a slot some client was just sent here for: the retry of the oldest such redirection. */
    private void retried(Ctx c) {
        long slot = Fields.get(c.e, c.f.slot, -1);
        if (slot < 0 || c.s.stats.port <= 0) return;
        long key = ((long) c.s.stats.port << 16) | slot;
        var q = redirects.get(key);
        if (q == null) return;
        long[] r;
        while ((r = q.peekFirst()) != null && c.t - r[2] > REDIRECT_WINDOW_NS) q.pollFirst();
        if (r != null && r[0] != c.s.index) {
            q.pollFirst();
            flow(c, Flow.Kind.REDIRECT, (int) r[0], (int) r[1], r[2], c.fd(), c.t);
        }
        if (q.isEmpty()) redirects.remove(key);
    }

    private void publish(Ctx c) {
        var sf = c.s.flows;
        int fd = c.fd();
        long receivers = c.num(c.f.receivers);
        if (fd >= 0) {
            var publisher = c.conn("client");
            sf.publishFd = fd;
            sf.publishTime = c.t;
            sf.publishThread = c.vtid();
            forEachReceiver(c, receivers, publisher, conn -> pending(c, conn, Flow.Kind.PUBLISH_LOCAL, fd, c.t));
        } else {
            // From the bus: the packet being processed names the link it came on when its processing ends. No client
            // published it, so no bus message that follows is a client's (in the light profile the end of the
            // previous PUBLISH, which would say so, may come later, in a batch).
            sf.publishFd = Integer.MIN_VALUE;
            sf.delivering.clear();
            forEachReceiver(c, receivers, null, sf.delivering::add);
            sf.deliveryPending = true;
        }
        sf.mark();
    }

    /** The receiver's next write carries this message; it is a subscriber, whether or not its SUBSCRIBE was seen. */
    private static void pending(Ctx c, Conn conn, Flow.Kind kind, int srcFd, long srcTime) {
        if (!conn.flowFrom(kind, c.s.index, srcFd, srcTime)) c.counters.flowsDropped++;
        if (!conn.subscriber) {
            conn.subscriber = true;
            c.s.flows.subscribers.add(conn);
        }
    }

    private static void forEachReceiver(Ctx c, long receivers, Conn publisher, java.util.function.Consumer<Conn> action) {
        var sf = c.s.flows;
        long found = 0;
        for (int i = 0; i < sf.nQueued; i++) {
            var conn = sf.queued[i];
            if (conn == publisher || !conn.open) continue;
            action.accept(conn);
            found++;
        }
        if (found >= receivers || sf.subscribers.isEmpty()) return;
        for (var conn : sf.subscribers) {
            if (found >= receivers) break;
            // Already waiting to be written (so not queued again): this message goes out with the others.
            if (conn == publisher || !conn.open || !conn.subscriber) continue;
            if (!"clients_pending_write".equals(conn.dataStructure)) continue;
            action.accept(conn);
            found++;
        }
    }

    private void send(Ctx c) {
        var type = c.str(c.f.typeName);
        if (!type.equals(PUBLISH) && !type.equals(PUBLISH_SHARD)) return;
        var sf = c.s.flows;
        int fd = c.fd();
        if (sf.publishFd != Integer.MIN_VALUE && sf.publishThread == c.vtid()) {
            flow(c, Flow.Kind.PUBLISH_TO_BUS, c.s.index, sf.publishFd, sf.publishTime, fd, c.t);
        }
        var peer = c.str(c.f.peer);
        if (peer.isEmpty() || peer.startsWith("\0")) return;
        try {
            c.busLog.send(c.s.index, peer, fd, c.t, c.num(c.f.totlen));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void processed(Ctx c) {
        var sf = c.s.flows;
        var type = c.str(c.f.typeName);
        boolean publish = type.equals(PUBLISH) || type.equals(PUBLISH_SHARD);
        long start = c.start();
        if (publish) {
            var sender = c.str(c.f.sender);
            if (!sender.isEmpty() && !sender.startsWith("\0")) {
                try {
                    c.busLog.receive(c.s.index, sender, c.fd(), start, c.t, c.num(c.f.totlen));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (sf.deliveryPending) {
                for (var conn : sf.delivering) pending(c, conn, Flow.Kind.DELIVER, c.fd(), start);
            }
        }
        sf.delivering.clear();
        sf.deliveryPending = false;
    }

    private void written(Ctx c) {
        var conn = c.conn("client");
        if (conn.nFlows == 0 || c.num(c.f.nwritten) <= 0) return;
        for (int i = 0; i < conn.nFlows; i++) {
            flow(c, conn.flowKind[i], conn.flowServer[i], conn.flowFd[i], conn.flowTime[i], conn.fd, c.start());
        }
        conn.nFlows = 0;
    }

    private static void flow(Ctx c, Flow.Kind kind, int srcServer, int srcFd, long srcTime, int dstFd, long dstTime) {
        try {
            c.flows.add(kind, srcServer, srcFd, srcTime, c.s.index, dstFd, dstTime, c.t);
            c.counters.flows++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
