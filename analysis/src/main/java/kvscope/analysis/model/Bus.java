package kvscope.analysis.model;

/**
 * Bus entity (paper Fig. 3): the cluster bus as each node sees it — bytes out and in (cumulative, so a view derives
 * bytes/s over any window), per peer link, by message type, and the Type of traffic under way (a broadcast, or a
 * unicast message). What the bus carries because of PUBLISH is what makes redis/redis#12196 visible.
 */
final class Bus {
    private final Labels broadcast = new Labels("broadcast ");
    private final Labels unicast = new Labels("unicast ");

    void register(Dispatch d) {
        d.on("broadcast_start", c -> {
            c.s.inBroadcast = true;
            c.tl.set(c.t, c.s.busType, broadcast.of(c.str(c.f.typeName)));
        });
        d.on("broadcast_end", c -> {
            c.s.inBroadcast = false;
            c.tl.clear(c.t, c.s.busType);
        });
        d.on("cluster_send", c -> {
            var conn = c.conn("cluster");
            var peer = c.str(c.f.peer);
            if (!peer.isEmpty() && !peer.startsWith("\0")) conn.peerNode = peer;
            var type = c.str(c.f.typeName);
            ServerStats.add(c.s.stats.busOutByType, type, c.num(c.f.totlen));
            if (!c.s.inBroadcast) {
                c.tl.set(c.t, c.s.busType, unicast.of(type));
                c.s.unicastShown = true; // shown until the link writes it
            }
        });
        d.on("cluster_write", c -> {
            if (c.s.unicastShown && !c.s.inBroadcast) {
                c.s.unicastShown = false;
                c.tl.clear(c.t, c.s.busType);
            }
            wire(c, c.num(c.f.nwritten), true);
        });
        d.on("cluster_read", c -> wire(c, c.num(c.f.nread), false));
        d.on("cluster_process_packet", c -> {
            var conn = c.conn("cluster");
            var sender = c.str(c.f.sender);
            if (conn.peerNode == null && !sender.isEmpty() && !sender.startsWith("\0")) conn.peerNode = sender;
            ServerStats.add(c.s.stats.busInByType, c.str(c.f.typeName), c.num(c.f.totlen));
        });
        d.on("publish", c -> {
            if (c.fd() < 0) return; // a message that arrived over the bus, not a client's PUBLISH
            c.s.stats.publishes++;
            c.s.stats.publishedPayloadBytes += c.num(c.f.payloadLen);
            c.s.stats.publishReceivers += c.num(c.f.receivers);
        });
    }

    /** Bytes that went on (out) or came off the wire of a cluster link: node totals, per link, cumulative. */
    private static void wire(Ctx c, long n, boolean out) {
        if (n <= 0) return;
        var conn = c.conn("cluster");
        var st = c.s.stats;
        var link = link(c, conn);
        int k = out ? 0 : 1;
        link[k] += n;
        c.tl.set(c.t, (int) link[k + 2], link[k]);
        if (out) {
            st.busBytesOut += n;
            c.tl.set(c.t, c.s.busOut, st.busBytesOut);
        } else {
            st.busBytesIn += n;
            c.tl.set(c.t, c.s.busIn, st.busBytesIn);
        }
        ServerStats.add(out ? st.busOutByLink : st.busInByLink, linkName(conn), n);
    }

    /** A link's display name: the first 8 hex digits of the peer node id, as redis-cli shows node ids; else its fd. */
    static String linkName(Conn conn) {
        return conn.peerNode != null ? conn.peerNode : "fd=" + conn.fd;
    }

    /** [bytes out, bytes in, quark out, quark in] of a peer link, under Bus/Links/<peer>. */
    private static long[] link(Ctx c, Conn conn) {
        var name = conn.peerNode != null ? conn.peerNode.substring(0, Math.min(8, conn.peerNode.length())) : "fd=" + conn.fd;
        var links = c.s.links;
        var l = links.get(name);
        if (l == null) {
            int q = c.s.h.attributeUnder(c.s.busLinks, name);
            l = new long[] {0, 0, c.s.h.attributeUnder(q, "Out", "Bytes"), c.s.h.attributeUnder(q, "In", "Bytes")};
            links.put(name, l);
        }
        return l;
    }
}
