package kvscope.analysis.model;

import java.util.Arrays;
import java.util.TreeMap;

import static kvscope.analysis.model.Dispatch.FD;
import static kvscope.analysis.model.Dispatch.NOTHING;
import static kvscope.analysis.model.Dispatch.needs;

/**
 * Bus entity (paper Fig. 3): the cluster bus as each node sees it — bytes out and in (cumulative, so a view derives
 * bytes/s over any window), per peer link, by message type, and the Type of traffic under way (a broadcast, or a
 * unicast message). What the bus carries because of PUBLISH is what makes redis/redis#12196 visible.
 */
final class Bus {
    private final Labels broadcast = new Labels("broadcast ");
    private final Labels unicast = new Labels("unicast ");

    void register(Dispatch d) {
        d.on("broadcast_start", NOTHING, c -> {
            c.server.inBroadcast = true;
            c.timeline.set(c.time, c.server.busType, broadcast.of(c.str(c.fields.typeName)));
        });
        d.on("broadcast_end", NOTHING, c -> {
            c.server.inBroadcast = false;
            c.timeline.clear(c.time, c.server.busType);
        });
        // Bytes by message type need the type and the size; without them the bus is not counted from the event.
        d.on("cluster_send", needs("fd", "type_name", "totlen"), c -> {
            var conn = c.conn("cluster");
            var peer = c.str(c.fields.peer);
            if (!peer.isEmpty() && !peer.startsWith("\0") && !peer.equals(conn.peerNode)) named(c, conn, peer);
            var type = c.str(c.fields.typeName);
            ServerCounters.add(c.server.stats.busOutByType, type, c.num(c.fields.totlen));
            if (!c.server.inBroadcast) {
                c.timeline.set(c.time, c.server.busType, unicast.of(type));
                c.server.unicastShown = true; // shown until the link writes it
            }
        });
        d.on("cluster_write", needs("fd", "nwritten"), c -> {
            if (c.server.unicastShown && !c.server.inBroadcast) {
                c.server.unicastShown = false;
                c.timeline.clear(c.time, c.server.busType);
            }
            wire(c, c.num(c.fields.nwritten), true);
        });
        d.on("cluster_read", needs("fd", "nread"), c -> wire(c, c.num(c.fields.nread), false));
        d.on("cluster_process_packet", needs("fd", "type_name", "totlen"), c -> {
            var conn = c.conn("cluster");
            var sender = c.str(c.fields.sender);
            if (conn.peerNode == null && !sender.isEmpty() && !sender.startsWith("\0")) named(c, conn, sender);
            ServerCounters.add(c.server.stats.busInByType, c.str(c.fields.typeName), c.num(c.fields.totlen));
        });
        d.on("publish", FD, c -> {
            if (c.fd() < 0) return; // a message that arrived over the bus, not a client's PUBLISH
            c.server.stats.publishes++;
            c.server.stats.publishedPayloadBytes += c.num(c.fields.payloadLen);
            // Cumulative, beside Out/Bytes: a view divides one by the other over any window (the PUBLISH amplification).
            c.timeline.set(c.time, c.server.busPublished, c.server.stats.publishedPayloadBytes);
            c.server.stats.publishReceivers += c.num(c.fields.receivers);
        });
    }

    /** Bytes that went on (out) or came off the wire of a cluster link: node totals, per link, cumulative. */
    private static void wire(Ctx c, long n, boolean out) {
        if (n <= 0) return;
        var conn = c.conn("cluster");
        var st = c.server.stats;
        var link = link(c, conn);
        int k = out ? 0 : 1;
        link[k] += n;
        c.timeline.set(c.time, (int) link[k + 2], link[k]);
        if (out) {
            st.busBytesOut += n;
            c.timeline.set(c.time, c.server.busOut, st.busBytesOut);
        } else {
            st.busBytesIn += n;
            c.timeline.set(c.time, c.server.busIn, st.busBytesIn);
        }
        ServerCounters.add(out ? st.busOutByLink : st.busInByLink, linkName(conn), n);
        if (conn.peerNode == null) {
            conn.anonBus[out ? 0 : 2]++;
            conn.anonBus[out ? 1 : 3] += n;
        }
    }

    /** The link's peer node is known now (from a message it carried, or from a snapshot). */
    static void named(Ctx c, Conn conn, String peerNode) {
        conn.peerNode = peerNode;
        renameLink(c, conn);
    }

    /**
     * A link just got its peer node: the bytes it carried before, counted under "fd=N" (a link met mid-life, or an
     * inbound link's first reads before its first packet said who sent it), move to that node, so that nothing
     * that could be named stays a bare descriptor. (The per-link time line under Bus/Links keeps "fd=N" for that
     * time: it is history, written already.)
     */
    private static void renameLink(Ctx c, Conn conn) {
        var st = c.server.stats;
        move(st.busOutByLink, "fd=" + conn.fd, conn.peerNode, conn.anonBus[0], conn.anonBus[1]);
        move(st.busInByLink, "fd=" + conn.fd, conn.peerNode, conn.anonBus[2], conn.anonBus[3]);
        Arrays.fill(conn.anonBus, 0);
    }

    private static void move(TreeMap<String, long[]> map, String from, String to, long messages, long bytes) {
        if (messages == 0) return;
        var f = map.get(from);
        if (f != null) {
            f[0] -= messages;
            f[1] -= bytes;
            if (f[0] <= 0) map.remove(from);
        }
        var t = map.computeIfAbsent(to, k -> new long[2]);
        t[0] += messages;
        t[1] += bytes;
    }

    /** A link's display name: the first 8 hex digits of the peer node id, as redis-cli shows node ids; else its fd. */
    static String linkName(Conn conn) {
        return conn.peerNode != null ? conn.peerNode : "fd=" + conn.fd;
    }

    /** [bytes out, bytes in, quark out, quark in] of a peer link, under Bus/Links/<peer>. */
    private static long[] link(Ctx c, Conn conn) {
        var name = conn.peerNode != null ? conn.peerNode.substring(0, Math.min(8, conn.peerNode.length())) : "fd=" + conn.fd;
        var links = c.server.links;
        var l = links.get(name);
        if (l == null) {
            int q = c.server.h.getOrCreateUnder(c.server.busLinks, name);
            l = new long[] {0, 0, c.server.h.getOrCreateUnder(q, "Out", "Bytes"), c.server.h.getOrCreateUnder(q, "In", "Bytes")};
            links.put(name, l);
        }
        return l;
    }
}
