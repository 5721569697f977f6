package kvscope.analysis.model;

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
        d.on("accept_client", this::accept);
        d.on("client_set_type", c -> {
            var conn = c.conn("client");
            conn.type = c.str(c.f.type);
            c.tl.set(c.t, conn.qType, conn.type);
        });
        d.on("insert_pending_read", c -> c.tl.set(c.t, c.conn("client").qDataStructure, "clients_pending_read"));
        d.on("end_read_client_query", this::read);
        d.on("tls_pending_add", c -> c.tl.set(c.t, c.conn("client").qDataStructure, "tls_pending_list"));
        d.on("tls_pending_process", c -> c.tl.clear(c.t, c.conn("client").qDataStructure));
        d.on("call_command_start", c -> {
            var conn = c.conn("client");
            if (c.num(c.f.depth) == 0) {
                c.tl.set(c.t, conn.qStatus, processCommand.of(c.str(c.f.name)));
                if ("clients_pending_read".equals(conn.dataStructure)) setDs(c, conn, null);
            }
        });
        d.on("call_command_end", c -> {
            var conn = c.conn("client");
            if (c.num(c.f.depth) != 0) return;
            if (c.commandsOnly) c.tl.set(c.start(), conn.qStatus, processCommand.of(c.str(c.f.name)));
            c.tl.set(c.t, conn.qStatus, REGISTERED);
        });
        // Refused before execution: shown until end_process_command ends the request (its MOVED reply follows).
        d.on("cluster_redirect", c -> c.tl.set(c.t, c.conn("client").qStatus,
                redirected.of(c.str(c.f.kind))));
        d.on("end_process_command", c -> {
            var conn = c.conn("client");
            c.tl.set(c.t, conn.qStatus, c.num(c.f.blocked) != 0 ? BLOCKED : conn.waiting > 0 ? WAIT_WRITE : REGISTERED);
        });
        d.on("insert_clientwrite_queue", c -> setDs(c, c.conn("client"), "clients_pending_write"));
        d.on("write_to_client_end", this::write);
        d.on("free_client_async", c -> setDs(c, c.conn("client"), "clients_to_close"));
        d.on("free_client", c -> free(c, c.conn("client")));
        d.on("free_cluster_link", c -> free(c, c.conn("cluster")));
        d.on("add_file_event", Connections::fileEvents);
        d.on("delete_file_event", c -> {
            var conn = fileEvents(c);
            // freeClient closes the connection after its free_client event: the fd leaves the event loop last.
            if (conn != null && conn.freeing && c.num(c.f.newMask) == 0) forget(c, conn);
        });
        d.on("cluster_write", c -> {
            var conn = c.conn("cluster");
            c.tl.set(c.start(), conn.qStatus, "CLUSTER_WRITE");
            c.tl.set(c.t, conn.qStatus, REGISTERED);
        });
        d.on("cluster_read", c -> {
            var conn = c.conn("cluster");
            c.tl.set(c.start(), conn.qStatus, "CLUSTER_READ");
            c.tl.set(c.t, conn.qStatus, REGISTERED);
        });
        d.on("cluster_process_packet", c -> {
            var conn = c.conn("cluster");
            c.tl.set(c.start(), conn.qStatus, clusterProcess.of(c.str(c.f.typeName)));
            c.tl.set(c.t, conn.qStatus, REGISTERED);
        });
    }

    private void accept(Ctx c) {
        int fd = c.fd();
        var conn = c.s.conn(fd);
        if (conn != null && conn.open) c.s.stats.fdReusedWithoutFree++;
        conn = c.s.connOrNew(fd);
        var type = c.str(c.f.type);
        long port = c.num(c.f.peerPort);
        var peer = port > 0 ? c.str(c.f.peerAddr) + ":" + port : c.str(c.f.peerAddr);
        conn.reset(c.id(), type, peer, false);
        c.s.stats.connectionsAccepted++;
        c.s.stats.acceptedByType.merge(type, 1L, Long::sum);
        if (c.num(c.f.tls) != 0) c.s.stats.tls = true;
        c.tl.set(c.t, conn.qType, type);
        c.tl.set(c.t, conn.qPeer, peer);
        c.tl.set(c.t, conn.qId, conn.id);
        c.tl.set(c.t, conn.qMemory, 0L);
        c.tl.clear(c.t, conn.qDataStructure);
        c.tl.set(c.t, conn.qStatus, REGISTERED);
        // Redis installs the read handler while it creates the client, just before accept_client.
        if (c.hasFileEvents) c.tl.set(c.t, conn.qFileEvents, MASKS[c.s.fileMask(fd) & 7]);
        conn.dataStructure = null;
    }

    /** AE_READABLE 1, AE_WRITABLE 2, AE_BARRIER 4 (ae.h), by mask; null when the fd is not watched. */
    private static final String[] MASKS = {null, "READABLE", "WRITABLE", "READABLE WRITABLE", "BARRIER",
            "READABLE BARRIER", "WRITABLE BARRIER", "READABLE WRITABLE BARRIER"};

    /** The fd's event-loop mask after an add/delete_file_event; returns the connection open on it, or null. */
    private static Conn fileEvents(Ctx c) {
        int fd = c.fd();
        int mask = (int) c.num(c.f.newMask) & 7;
        c.s.fileMask(fd, mask);
        var conn = c.connByFd();
        if (conn != null) c.tl.set(c.t, conn.qFileEvents, MASKS[mask]);
        return conn;
    }

    private void read(Ctx c) {
        var conn = c.conn("client");
        long start = c.start();
        c.tl.set(start, conn.qStatus, READ);
        c.tl.set(c.t, conn.qStatus, REGISTERED);
        conn.qbufLen = c.num(c.f.qbufLen);
        c.tl.set(c.t, conn.qMemory, conn.qbufLen + conn.pendingReply);
        long n = c.num(c.f.nread);
        if (n > 0) c.s.stats.clientBytesIn += n;
    }

    private void write(Ctx c) {
        var conn = c.conn("client");
        long n = c.num(c.f.nwritten);
        boolean done = c.num(c.f.done) != 0;
        c.tl.set(c.start(), conn.qStatus, WRITE);
        c.tl.set(c.t, conn.qStatus, done ? REGISTERED : WAIT_WRITE);
        conn.pendingReply = done ? 0 : Math.max(0, c.num(c.f.pending) - Math.max(0, n));
        c.tl.set(c.t, conn.qMemory, conn.qbufLen + conn.pendingReply);
        if (done) setDs(c, conn, null);
        if (n > 0) c.s.stats.clientBytesOut += n;
    }

    private void free(Ctx c, Conn conn) {
        c.tl.set(c.t, conn.qStatus, FREEING);
        conn.freeing = true;
        c.s.stats.connectionsFreed++;
        if (!c.hasFileEvents) forget(c, conn);
    }

    /** The connection is gone: its attributes become null, so a query after the free says there is none. */
    private void forget(Ctx c, Conn conn) {
        conn.open = false;
        conn.freeing = false;
        conn.dataStructure = null;
        c.tl.clear(c.t, conn.qType);
        c.tl.clear(c.t, conn.qPeer);
        c.tl.clear(c.t, conn.qId);
        c.tl.clear(c.t, conn.qMemory);
        c.tl.clear(c.t, conn.qDataStructure);
        c.tl.clear(c.t, conn.qStatus);
        c.tl.clear(c.t, conn.qFileEvents);
    }

    static void setDs(Ctx c, Conn conn, String ds) {
        conn.dataStructure = ds;
        c.tl.set(c.t, conn.qDataStructure, ds);
    }
}
