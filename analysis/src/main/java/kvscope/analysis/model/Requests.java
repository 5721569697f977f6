package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.FD;

import kvscope.analysis.segments.Segment;

/**
 * Requests entity (paper Fig. 3): per fd, the request in flight — its Command, Type (read/write), DataStructure and
 * Connection — and, when it completes, its segment: read start → command → reply written.
 *
 * <p>Byte attribution under pipelining: the bytes of one read are counted on the first command parsed from it and
 * the bytes of the writes that complete several replies are shared out evenly; totals are exact, per-request bytes
 * of pipelined requests are approximate.
 */
final class Requests {
    // The reader hands out one String object per repeated name: a run of one command skips the type lookup.
    private String lastName, lastType;

    void register(Dispatch d) {
        d.on("insert_pending_read", FD, c -> {
            var conn = c.conn("client");
            c.timeline.set(c.time, conn.qReqDataStructure, "clients_pending_read");
            // Postponed to the I/O threads: it was readable when the poll that reported it ended.
            if (conn.readableAt == Segment.UNKNOWN) conn.readableAt = readableSince(c, c.time);
        });
        d.on("end_read_client_query", FD, c -> {
            var conn = c.conn("client");
            long n = c.num(c.fields.nread);
            if (n <= 0) return;
            conn.readStart = c.start();
            conn.readEnd = c.time;
            conn.readable = conn.readableAt != Segment.UNKNOWN ? conn.readableAt : readableSince(c, conn.readStart);
            conn.readableAt = Segment.UNKNOWN;
            conn.readBytes = n;
            conn.readThread = c.vtid();
            c.timeline.set(conn.readStart, conn.qReqDataStructure, "query_buffer");
        });
        d.on("call_command_start", FD, c -> {
            if (c.num(c.fields.depth) != 0) return;
            var conn = c.conn("client");
            var name = c.str(c.fields.name);
            conn.command = name;
            conn.commandStart = c.time;
            describe(c, conn, c.time, name);
        });
        d.on("call_command_end", FD, this::commandEnd);
        d.on("end_process_command", FD, c -> {
            var conn = c.conn("client");
            // Rejected commands and commands queued by MULTI never reach call(): nothing waits for a reply segment.
            if (conn.waiting == 0 && c.num(c.fields.blocked) == 0) forget(c, conn);
        });
        d.on("insert_clientwrite_queue", FD, c -> c.timeline.set(c.time, c.conn("client").qReqDataStructure, "clients_pending_write"));
        d.on("write_to_client_end", FD, this::written);
        d.on("free_client", FD, c -> {
            var conn = c.conn("client");
            c.server.stats.unansweredRequests += conn.waiting;
            conn.waiting = 0;
            forget(c, conn);
        });
    }

    private void describe(Ctx c, Conn conn, long t, String name) {
        c.timeline.set(t, conn.qCommand, name);
        if (name != lastName) {
            lastName = name;
            lastType = Commands.type(name);
        }
        c.timeline.set(t, conn.qReqType, lastType);
        c.timeline.set(t, conn.qReqConnection, conn.label());
        c.timeline.set(t, conn.qReqDataStructure, "executing");
    }

    private void commandEnd(Ctx c) {
        var conn = c.conn("client");
        if (c.num(c.fields.depth) != 0) {
            c.server.stats.nestedCommands++;
            return;
        }
        c.server.stats.commands++;
        var name = c.str(c.fields.name);
        long commandStart = conn.commandStart != Segment.UNKNOWN ? conn.commandStart : c.start();
        if (conn.command == null) describe(c, conn, commandStart, name); // light profile: no call_command_start
        conn.command = null;
        conn.commandStart = Segment.UNKNOWN;
        // Requests are what clients ask: the replication stream (master link) and scripts' inner calls are not.
        if (!conn.isClient() || conn.fd < 0) {
            forget(c, conn);
            return;
        }
        int cmd = c.segments.command(name);
        if (c.commandsOnly) {
            conn.addWaiting(cmd, Segment.UNKNOWN, Segment.UNKNOWN, Segment.UNKNOWN, commandStart, c.time, 0, 0);
            c.segment(conn, 0, Segment.UNKNOWN, Segment.UNKNOWN, 0, 0);
            conn.waiting = 0;
            forget(c, conn);
            return;
        }
        conn.addWaiting(cmd, conn.readable, conn.readStart, conn.readEnd, commandStart, c.time, conn.readBytes, conn.readThread);
        conn.readBytes = 0;
    }

    private void written(Ctx c) {
        var conn = c.conn("client");
        long n = c.num(c.fields.nwritten);
        if (n > 0) conn.writeBytes += n;
        conn.writeThread = c.vtid();
        if (conn.waiting > 0 && conn.writeStart == Segment.UNKNOWN) conn.writeStart = c.start();
        if (!c.replyDone() || conn.waiting == 0) {
            if (conn.waiting == 0) conn.writeBytes = 0; // a push (pub/sub message), not a reply
            return;
        }
        long share = conn.writeBytes / conn.waiting;
        for (int i = 0; i < conn.waiting; i++) {
            long bytes = i == conn.waiting - 1 ? conn.writeBytes - share * (conn.waiting - 1) : share;
            c.segment(conn, i, conn.writeStart, c.time, bytes, conn.writeThread);
        }
        conn.waiting = 0;
        conn.writeBytes = 0;
        conn.writeStart = Segment.UNKNOWN;
        forget(c, conn);
    }

    /**
     * When the server learnt that the connection had data for a read that starts at {@code t}: the end of the
     * event loop's latest poll, if it came before; UNKNOWN without event-loop events (light profile).
     */
    private static long readableSince(Ctx c, long t) {
        long poll = c.server.iterationStart;
        return poll != Long.MIN_VALUE && poll <= t ? poll : Segment.UNKNOWN;
    }

    private static void forget(Ctx c, Conn conn) {
        c.timeline.clear(c.time, conn.qCommand);
        c.timeline.clear(c.time, conn.qReqType);
        c.timeline.clear(c.time, conn.qReqDataStructure);
        c.timeline.clear(c.time, conn.qReqConnection);
        // Still blocked (the light profile's batch names the blocking command after its block_client): kept.
        if (conn.blockedSince == Segment.UNKNOWN) c.timeline.clear(c.time, conn.qReqBlocked);
    }
}
