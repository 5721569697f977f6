package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.FD;
import static kvscope.analysis.model.Dispatch.NOTHING;
import static kvscope.analysis.model.Dispatch.needs;

import kvscope.analysis.flows.Flow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The arrows of the Netflow view (paper use case 2, Figs. 6–7): how a published message travels. A client's PUBLISH
 * is queued on the node's cluster links ({@link Flow.Hop#PUBLISH_TO_BUS}), crosses the bus to the other nodes
 * ({@link Flow.Hop#BUS}, paired after the pass by {@link BusMatcher}) and is written to their subscribers
 * ({@link Flow.Hop#DELIVER}); subscribers on the publisher's own node get it directly
 * ({@link Flow.Hop#PUBLISH_LOCAL}).
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
    private final Map<Long, ArrayDeque<long[]>> redirects = new HashMap<>();

    void register(Dispatch d) {
        d.on("cluster_redirect", FD, this::redirected);
        d.on("call_command_start", FD, c -> {
            if (c.num(c.fields.depth) != 0) return;
            c.server.flows.mark();
            if (!redirects.isEmpty()) retried(c);
            var name = c.str(c.fields.name);
            if (name.equals("subscribe") || name.equals("psubscribe") || name.equals("ssubscribe")) {
                var conn = c.conn("client");
                conn.subscriber = true;
                c.server.flows.subscribers.add(conn);
            }
        });
        d.on("call_command_end", NOTHING, c -> {
            if (c.num(c.fields.depth) == 0) c.server.flows.publishFd = Integer.MIN_VALUE;
        });
        d.on("cluster_read", NOTHING, c -> c.server.flows.mark());
        d.on("insert_clientwrite_queue", FD, c -> {
            var conn = c.conn("client");
            if (conn.isClient()) c.server.flows.queued(conn);
        });
        d.on("publish", FD, this::publish);
        // A bus message is paired across nodes by its type, peer and size (BusMatcher): without one, no arrow from it.
        d.on("cluster_send", needs("fd", "type_name", "peer", "totlen"), this::send);
        d.on("cluster_process_packet", needs("fd", "type_name", "sender", "totlen"), this::processed);
        // The arrow ends when bytes of the reply went out: without nwritten that is not known.
        d.on("write_to_client_end", needs("fd", "nwritten"), this::written);
        d.on("free_client", FD, c -> c.server.flows.subscribers.remove(c.conn("client")));
    }

    /** Events were lost: a retry may have gone unseen, so no waiting redirection can be paired safely. */
    void lost() { redirects.clear(); }

    private void redirected(Ctx c) {
        var kind = c.str(c.fields.kind);
        c.server.stats.redirects.merge(kind, 1L, Long::sum);
        long port = c.num(c.fields.targetPort), slot = c.num(c.fields.slot);
        if (port <= 0 || slot < 0 || c.fd() < 0) return;
        var q = redirects.computeIfAbsent((port << 16) | slot, k -> new ArrayDeque<>());
        if (q.size() == REDIRECTS_PER_SLOT) q.pollFirst();
        q.addLast(new long[] {c.server.index, c.fd(), c.time});
    }

    /** A command on a slot some client was just sent here for: the retry of the oldest such redirection. */
    private void retried(Ctx c) {
        long slot = Fields.get(c.event, c.fields.slot, -1);
        if (slot < 0 || c.server.stats.port <= 0) return;
        long key = ((long) c.server.stats.port << 16) | slot;
        var q = redirects.get(key);
        if (q == null) return;
        long[] r;
        while ((r = q.peekFirst()) != null && c.time - r[2] > REDIRECT_WINDOW_NS) q.pollFirst();
        if (r != null && r[0] != c.server.index) {
            q.pollFirst();
            flow(c, Flow.Hop.REDIRECT, (int) r[0], (int) r[1], r[2], c.fd(), c.time);
        }
        if (q.isEmpty()) redirects.remove(key);
    }

    private void publish(Ctx c) {
        var sf = c.server.flows;
        int fd = c.fd();
        long receivers = c.num(c.fields.receivers);
        if (fd >= 0) {
            var publisher = c.conn("client");
            sf.publishFd = fd;
            sf.publishTime = c.time;
            sf.publishThread = c.vtid();
            forEachReceiver(c, receivers, publisher, conn -> pending(c, conn, Flow.Hop.PUBLISH_LOCAL, fd, c.time));
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
    private static void pending(Ctx c, Conn conn, Flow.Hop kind, int srcFd, long srcTime) {
        if (!conn.flowFrom(kind, c.server.index, srcFd, srcTime)) c.counters.flowsDropped++;
        if (!conn.subscriber) {
            conn.subscriber = true;
            c.server.flows.subscribers.add(conn);
        }
    }

    private static void forEachReceiver(Ctx c, long receivers, Conn publisher, Consumer<Conn> action) {
        var sf = c.server.flows;
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
        var type = c.str(c.fields.typeName);
        if (!type.equals(PUBLISH) && !type.equals(PUBLISH_SHARD)) return;
        var sf = c.server.flows;
        int fd = c.fd();
        if (sf.publishFd != Integer.MIN_VALUE && sf.publishThread == c.vtid()) {
            flow(c, Flow.Hop.PUBLISH_TO_BUS, c.server.index, sf.publishFd, sf.publishTime, fd, c.time);
        }
        var peer = c.str(c.fields.peer);
        if (peer.isEmpty() || peer.startsWith("\0")) return;
        try {
            c.busLog.send(c.server.index, peer, fd, c.time, c.num(c.fields.totlen));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void processed(Ctx c) {
        var sf = c.server.flows;
        var type = c.str(c.fields.typeName);
        boolean publish = type.equals(PUBLISH) || type.equals(PUBLISH_SHARD);
        long start = c.start();
        if (publish) {
            var sender = c.str(c.fields.sender);
            if (!sender.isEmpty() && !sender.startsWith("\0")) {
                try {
                    c.busLog.receive(c.server.index, sender, c.fd(), start, c.time, c.num(c.fields.totlen));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (sf.deliveryPending) {
                for (var conn : sf.delivering) pending(c, conn, Flow.Hop.DELIVER, c.fd(), start);
            }
        }
        sf.delivering.clear();
        sf.deliveryPending = false;
    }

    private void written(Ctx c) {
        var conn = c.conn("client");
        if (conn.nFlows == 0 || c.num(c.fields.nwritten) <= 0) return;
        for (int i = 0; i < conn.nFlows; i++) {
            flow(c, conn.flowKind[i], conn.flowServer[i], conn.flowFd[i], conn.flowTime[i], conn.fd, c.start());
        }
        conn.nFlows = 0;
    }

    private static void flow(Ctx c, Flow.Hop kind, int srcServer, int srcFd, long srcTime, int dstFd, long dstTime) {
        try {
            c.flows.add(kind, srcServer, srcFd, srcTime, c.server.index, dstFd, dstTime, c.time);
            c.counters.flows++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
