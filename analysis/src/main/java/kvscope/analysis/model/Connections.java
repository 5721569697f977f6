package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.FD;
import static kvscope.analysis.model.Dispatch.needs;

import kvscope.analysis.segments.Segment;

/**
 * Connections entity (paper Fig. 3): per fd, its Type, Peer, client Id, Memory (query buffer + reply bytes not yet
 * sent), DataStructure (which Redis list holds it now), Status (what the server is doing with it) and FileEvents
 * (what the event loop watches it for: READABLE, WRITABLE — a reply waiting for the socket — and BARRIER).
 */
final class Connections {
    private final Labels processCommand = new Labels("PROCESS_COMMAND:");
    private final Labels clusterProcess = new Labels("CLUSTER_PROCESS:");
    private final Labels redirected = new Labels("REDIRECTED:");
    static final String REGISTERED = "REGISTERED", READ = "READ_CLIENT", WRITE = "WRITE_TO_CLIENT",
            FREEING = "FREEING", WAIT_WRITE = "WAIT_WRITE", BLOCKED = "BLOCKED";

    void register(Dispatch d) {
        // Without its type (client, cluster link…) an accepted connection is not modelled at its accept: its next event
        // adopts it as a client seen mid-life, which is what it most likely is.
        d.on("accept_client", needs("fd", "type"), this::accept);
        d.on("client_set_type", FD, c -> {
            var conn = c.conn("client");
            conn.type = c.str(c.fields.type);
            c.timeline.set(c.time, conn.qType, conn.type);
        });
        d.on("insert_pending_read", FD, c -> c.timeline.set(c.time, c.conn("client").qDataStructure, "clients_pending_read"));
        d.on("end_read_client_query", FD, this::read);
        d.on("tls_pending_add", FD, c -> c.timeline.set(c.time, c.conn("client").qDataStructure, "tls_pending_list"));
        d.on("tls_pending_process", FD, c -> c.timeline.clear(c.time, c.conn("client").qDataStructure));
        d.on("call_command_start", FD, c -> {
            var conn = c.conn("client");
            if (c.num(c.fields.depth) == 0) {
                c.timeline.set(c.time, conn.qStatus, processCommand.of(c.str(c.fields.name)));
                if ("clients_pending_read".equals(conn.dataStructure)) setDs(c, conn, null);
            }
        });
        d.on("call_command_end", FD, c -> {
            var conn = c.conn("client");
            if (c.num(c.fields.depth) != 0) return;
            if (c.commandsOnly) c.timeline.set(c.start(), conn.qStatus, processCommand.of(c.str(c.fields.name)));
            // A command that blocked the client (Blocking) leaves it blocked, not idle.
            c.timeline.set(c.time, conn.qStatus, conn.blockedSince != Segment.UNKNOWN ? BLOCKED : REGISTERED);
        });
        // Refused before execution: shown until end_process_command ends the request (its MOVED reply follows).
        d.on("cluster_redirect", FD, c -> c.timeline.set(c.time, c.conn("client").qStatus,
                redirected.of(c.str(c.fields.kind))));
        d.on("end_process_command", FD, c -> {
            var conn = c.conn("client");
            c.timeline.set(c.time, conn.qStatus, c.num(c.fields.blocked) != 0 ? BLOCKED : conn.waiting > 0 ? WAIT_WRITE : REGISTERED);
        });
        d.on("insert_clientwrite_queue", FD, c -> setDs(c, c.conn("client"), "clients_pending_write"));
        d.on("write_to_client_end", FD, this::write);
        d.on("free_client_async", FD, c -> setDs(c, c.conn("client"), "clients_to_close"));
        d.on("free_client", FD, c -> free(c, c.conn("client")));
        d.on("free_cluster_link", FD, c -> free(c, c.conn("cluster")));
        d.on("add_file_event", FD, Connections::fileEvents);
        d.on("delete_file_event", FD, c -> {
            var conn = fileEvents(c);
            // freeClient closes the connection after its free_client event: the fd leaves the event loop last.
            if (conn != null && conn.freeing && c.num(c.fields.newMask) == 0) forget(c, conn);
        });
        d.on("cluster_write", FD, c -> {
            var conn = c.conn("cluster");
            c.timeline.set(c.start(), conn.qStatus, "CLUSTER_WRITE");
            c.timeline.set(c.time, conn.qStatus, REGISTERED);
        });
        d.on("cluster_read", FD, c -> {
            var conn = c.conn("cluster");
            c.timeline.set(c.start(), conn.qStatus, "CLUSTER_READ");
            c.timeline.set(c.time, conn.qStatus, REGISTERED);
        });
        d.on("cluster_process_packet", FD, c -> {
            var conn = c.conn("cluster");
            c.timeline.set(c.start(), conn.qStatus, clusterProcess.of(c.str(c.fields.typeName)));
            c.timeline.set(c.time, conn.qStatus, REGISTERED);
        });
    }

    private void accept(Ctx c) {
        int fd = c.fd();
        var conn = c.server.conn(fd);
        if (conn != null && conn.open) c.server.stats.fdReusedWithoutFree++;
        conn = c.server.connOrNew(fd);
        var type = c.str(c.fields.type);
        long port = c.num(c.fields.peerPort);
        var peer = port > 0 ? c.str(c.fields.peerAddr) + ":" + port : c.str(c.fields.peerAddr);
        conn.reset(c.id(), type, peer, false);
        c.server.stats.connectionsAccepted++;
        c.server.stats.acceptedByType.merge(type, 1L, Long::sum);
        if (c.num(c.fields.tls) != 0) c.server.stats.tls = true;
        c.timeline.set(c.time, conn.qType, type);
        c.timeline.set(c.time, conn.qPeer, peer);
        c.timeline.clear(c.time, conn.qClient);
        c.timeline.set(c.time, conn.qId, conn.id);
        c.timeline.set(c.time, conn.qMemory, 0L);
        c.timeline.clear(c.time, conn.qDataStructure);
        c.timeline.set(c.time, conn.qStatus, REGISTERED);
        // Redis installs the read handler while it creates the client, just before accept_client.
        if (c.hasFileEvents) c.timeline.set(c.time, conn.qFileEvents, MASKS[c.server.fileMask(fd) & 7]);
        conn.dataStructure = null;
    }

    /** AE_READABLE 1, AE_WRITABLE 2, AE_BARRIER 4 (ae.h), by mask; null when the fd is not watched. */
    private static final String[] MASKS = {null, "READABLE", "WRITABLE", "READABLE WRITABLE", "BARRIER",
            "READABLE BARRIER", "WRITABLE BARRIER", "READABLE WRITABLE BARRIER"};

    /** The fd's event-loop mask after an add/delete_file_event; returns the connection open on it, or null. */
    private static Conn fileEvents(Ctx c) {
        int fd = c.fd();
        int mask = (int) c.num(c.fields.newMask) & 7;
        c.server.fileMask(fd, mask);
        var conn = c.connByFd();
        if (conn != null) c.timeline.set(c.time, conn.qFileEvents, MASKS[mask]);
        return conn;
    }

    private void read(Ctx c) {
        var conn = c.conn("client");
        long start = c.start();
        c.timeline.set(start, conn.qStatus, READ);
        c.timeline.set(c.time, conn.qStatus, REGISTERED);
        conn.qbufLen = c.num(c.fields.qbufLen);
        c.timeline.set(c.time, conn.qMemory, conn.qbufLen + conn.pendingReply);
        long n = c.num(c.fields.nread);
        if (n > 0) c.server.stats.clientBytesIn += n;
    }

    private void write(Ctx c) {
        var conn = c.conn("client");
        long n = c.num(c.fields.nwritten);
        boolean done = c.replyDone();
        c.timeline.set(c.start(), conn.qStatus, WRITE);
        c.timeline.set(c.time, conn.qStatus, done ? REGISTERED : WAIT_WRITE);
        conn.pendingReply = done ? 0 : Math.max(0, c.num(c.fields.pending) - Math.max(0, n));
        c.timeline.set(c.time, conn.qMemory, conn.qbufLen + conn.pendingReply);
        if (done) setDs(c, conn, null);
        if (n > 0) c.server.stats.clientBytesOut += n;
    }

    private void free(Ctx c, Conn conn) {
        c.timeline.set(c.time, conn.qStatus, FREEING);
        conn.freeing = true;
        c.server.stats.connectionsFreed++;
    }

    /**
     * Without file events (the light profile) a freed connection is forgotten at its free event — but only after every
     * other handler of that event ran: they look the connection up by Ctx.conn, which adopts a connection it does not
     * find open as one "seen mid-life". Forgotten here, in the first handler, each freed client left such a phantom
     * (measured on 7 clients: 7 seen mid-life, 4 fds "reused without a free"). Register after all the others.
     */
    void registerForget(Dispatch d) {
        Handler forgetFreed = c -> {
            if (c.hasFileEvents) return;
            var conn = c.connByFd();
            if (conn != null && conn.freeing) forget(c, conn);
        };
        d.on("free_client", FD, forgetFreed);
        d.on("free_cluster_link", FD, forgetFreed);
    }

    /** The connection is gone: its attributes become null, so a query after the free says there is none. */
    private void forget(Ctx c, Conn conn) {
        conn.open = false;
        conn.freeing = false;
        conn.dataStructure = null;
        c.timeline.clear(c.time, conn.qType);
        c.timeline.clear(c.time, conn.qPeer);
        c.timeline.clear(c.time, conn.qClient);
        c.timeline.clear(c.time, conn.qId);
        c.timeline.clear(c.time, conn.qMemory);
        c.timeline.clear(c.time, conn.qDataStructure);
        c.timeline.clear(c.time, conn.qStatus);
        c.timeline.clear(c.time, conn.qFileEvents);
    }

    static void setDs(Ctx c, Conn conn, String ds) {
        conn.dataStructure = ds;
        c.timeline.set(c.time, conn.qDataStructure, ds);
    }
}
