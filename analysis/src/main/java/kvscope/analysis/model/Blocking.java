package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.FD;

import kvscope.analysis.report.Units;
import kvscope.analysis.segments.BlockReason;
import kvscope.analysis.segments.Segment;

import java.util.Locale;

/**
 * Blocked clients (instrument/redis/EVENTS.md, "Blocking commands"): a client that ran BLPOP, BLMOVE, WAIT… on
 * nothing to take waits by design until a key gets data, replicas acknowledge, its timeout passes or someone lets it
 * go. That wait is a phase of its own — the connection's Status is BLOCKED and its request's Blocked attribute says
 * for what, then why it ended — and the request's segment carries it ({@link Segment#blockStart}), so that the
 * slow-request finding can leave it out as Redis's SLOWLOG does, instead of blaming the event loop for it.
 *
 * <p>Which request blocked: the command that blocks calls blockClient() inside call(), so when the unblock comes the
 * blocked request is the last one waiting for its reply (Redis reads nothing more of a blocked client). CLIENT PAUSE
 * blocks before call(): that block is held for the next request the client executes.
 */
final class Blocking {
    void register(Dispatch d) {
        d.on("block_client", FD, this::block);
        d.on("unblock_client", FD, this::unblock);
        // freeClient() unblocks after its free_client event: the phase ends at the free, where the client is still known.
        d.on("free_client", FD, c -> {
            var conn = known(c);
            if (conn != null && conn.blockedSince != Segment.UNKNOWN) end(c, conn, BlockReason.DISCONNECT, "", 0);
        });
    }

    private void block(Ctx c) {
        var conn = c.conn("client");
        conn.blockedSince = c.time;
        var btype = c.str(c.fields.btype);
        var key = c.str(c.fields.key);
        long keys = c.num(c.fields.keys), timeout = c.num(c.fields.timeoutMs);
        var what = new StringBuilder(btype.isEmpty() ? "blocked" : btype);
        if (!key.isEmpty()) what.append(" on key ").append(key);
        if (keys > 1) what.append(" (and ").append(keys - 1).append(keys == 2 ? " other key)" : " other keys)");
        if (timeout > 0) what.append(", timeout ").append(Units.duration(timeout * 1_000_000L));
        else if (!btype.equals("pause") && !btype.equals("shutdown")) what.append(", no timeout");
        conn.blockedFor = what.toString();
        conn.blockedType = btype;
        c.server.stats.blocks++;
        c.timeline.set(c.time, conn.qStatus, Connections.BLOCKED);
        c.timeline.set(c.time, conn.qReqBlocked, conn.blockedFor);
    }

    private void unblock(Ctx c) {
        var reason = BlockReason.of(c.str(c.fields.reason));
        var conn = known(c);
        if (conn == null || conn.blockedSince == Segment.UNKNOWN) {
            // After a disconnect the phase already ended at free_client; otherwise the trace began while it was
            // blocked (or its block_client was lost): counted, with no length.
            if (reason != BlockReason.DISCONNECT) ServerCounters.add(c.server.stats.blocked, key(c, reason) + " (block not in the trace)", 0);
            return;
        }
        end(c, conn, reason, c.str(c.fields.key), c.num(c.fields.byId));
    }

    private static String key(Ctx c, BlockReason reason) {
        var btype = c.str(c.fields.btype);
        return (btype.isEmpty() ? "" : btype + " ") + reason.name().toLowerCase(Locale.ROOT);
    }

    private void end(Ctx c, Conn conn, BlockReason reason, String key, long byId) {
        long since = conn.blockedSince, ns = c.time - since;
        conn.blockedSince = Segment.UNKNOWN;
        var btype = conn.blockedType == null || conn.blockedType.isEmpty() ? "" : conn.blockedType + " ";
        ServerCounters.add(c.server.stats.blocked, btype + reason.name().toLowerCase(Locale.ROOT), ns);
        if (!c.commandsOnly) {
            // The command that blocked ended after the block began: it is the last one waiting (see above).
            int last = conn.waiting - 1;
            if (last >= 0 && conn.wCommandEnd[last] >= since) {
                conn.wBlockStart[last] = since;
                conn.wBlockEnd[last] = c.time;
                conn.wBlockReason[last] = reason.ordinal();
            } else {
                conn.heldStart = since;
                conn.heldEnd = c.time;
                conn.heldReason = reason.ordinal();
            }
            // Redis still reads a blocked client's queries, without running them: a request read meanwhile (the suite's
            // deferred clients pipeline BLPOP then more) waited behind the block, not for the server. Measured on
            // unit/type/list: a BRPOPLPUSH read 0.97 s before it ran, all of it behind the BLPOP ahead of it.
            if (conn.readEnd != Segment.UNKNOWN && conn.readEnd >= since && conn.command == null) {
                conn.heldStart = Math.max(since, conn.readStart);
                conn.heldEnd = c.time;
                conn.heldReason = reason.ordinal();
            }
        }
        var why = new StringBuilder(conn.blockedFor == null ? "blocked" : conn.blockedFor);
        why.append(": ").append(Units.duration(ns)).append(", ").append(reason.text());
        if (reason == BlockReason.KEY && !key.isEmpty()) why.append(" (").append(key).append(')');
        if (byId > 0) why.append(", by client id ").append(byId);
        conn.blockedFor = null;
        c.timeline.set(c.time, conn.qReqBlocked, why.toString());
        if (reason != BlockReason.DISCONNECT) c.timeline.set(c.time, conn.qStatus, conn.waiting > 0 ? Connections.WAIT_WRITE : Connections.REGISTERED);
    }

    /** The open connection this event names by fd and client id, or null: never a new one (unlike Ctx.conn). */
    private static Conn known(Ctx c) {
        var conn = c.server.conn(c.fd());
        return conn != null && conn.open && conn.id == c.id() ? conn : null;
    }
}
