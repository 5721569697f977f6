package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.FD;
import static kvscope.analysis.model.Dispatch.NOTHING;
import static kvscope.analysis.model.Dispatch.needs;

/**
 * What existed when recording started (instrument/redis/EVENTS.md, "Snapshot"): the instrumented Redis writes one
 * {@code snapshot_client} per client and one {@code snapshot_cluster_link} per cluster link when a session enables
 * them, and again every 10 s. A connection the trace met mid-life ("unknown", no peer) gets its type, peer, client
 * name and, for a cluster link, its peer node from it; one not met yet starts here, as accept_client would have
 * started it. A connection the model already knows from its accept is left as it is (the snapshot only confirms it).
 */
final class Snapshot {
    void register(Dispatch d) {
        // The client and link events name connections; start and end only bracket them (a snapshot is whole once
        // its end is seen: one cut short by the end of the trace does not count).
        d.on("snapshot_start", NOTHING, c -> { });
        d.on("snapshot_end", NOTHING, c -> c.server.stats.snapshots++);
        // Without the client's id a snapshot cannot tell a connection accepted in this trace from one that existed
        // before it (name() compares ids): it would restart the known one. Not modelled from it then, and said.
        // (AnyTraceTest: when a snapshot fell after the load's clients connected, dropping the id changed the counts.)
        d.on("snapshot_client", needs("fd", "type", "id"), c -> {
            long port = c.num(c.fields.peerPort);
            var peer = port > 0 ? c.str(c.fields.peerAddr) + ":" + port : c.str(c.fields.peerAddr);
            name(c, c.str(c.fields.type), peer, c.str(c.fields.clientName), null);
        });
        d.on("snapshot_cluster_link", FD, c -> {
            long port = c.num(c.fields.peerPort);
            var addr = c.str(c.fields.peerAddr);
            var peer = port > 0 && !addr.isEmpty() ? addr + ":" + port : addr;
            var node = c.str(c.fields.peer);
            name(c, "cluster", peer, "", node.isEmpty() || node.startsWith("\0") ? null : node);
        });
    }

    private static void clientName(Ctx c, Conn conn, String name) {
        if (name.isEmpty() || name.equals(conn.clientName)) return;
        conn.clientName = name;
        c.timeline.set(c.time, conn.qClient, name);
    }

    private static void name(Ctx c, String type, String peer, String clientName, String peerNode) {
        int fd = c.fd();
        long id = c.id();
        var conn = c.server.conn(fd);
        boolean known = conn != null && conn.open && conn.id == id;
        if (!known) {
            // Never seen in this trace: it existed before the session (an fd reused without a free means the free
            // was lost, as in Ctx.conn).
            if (conn != null && conn.open) c.server.stats.fdReusedWithoutFree++;
            c.server.stats.connectionsSeenMidLife++;
            conn = c.server.connOrNew(fd);
            conn.reset(id, type, peer, true);
            conn.midLife = true;
            c.timeline.set(c.time, conn.qId, id);
            c.timeline.clear(c.time, conn.qClient);
            c.timeline.set(c.time, conn.qMemory, c.num(c.fields.qbufLen) + c.num(c.fields.pendingReply));
            c.timeline.set(c.time, conn.qStatus, Connections.REGISTERED);
        } else if (!conn.midLife || conn.named) {
            // Accepted in this trace, or named by an earlier snapshot: only its name may be news (CLIENT SETNAME).
            clientName(c, conn, clientName);
            return;
        }
        conn.named = true;
        c.server.stats.connectionsNamedBySnapshot++;
        conn.type = type;
        conn.peer = peer;
        c.timeline.set(c.time, conn.qType, type);
        c.timeline.set(c.time, conn.qPeer, peer);
        clientName(c, conn, clientName);
        if (peerNode != null && conn.peerNode == null) Bus.named(c, conn, peerNode);
        // A subscriber (CLIENT LIST's P): the messages published after this go to it, as Flows does once it saw one.
        if (type.equals("client") && c.str(c.fields.flags).contains("P") && !conn.subscriber) {
            conn.subscriber = true;
            c.server.flows.subscribers.add(conn);
        }
    }
}
