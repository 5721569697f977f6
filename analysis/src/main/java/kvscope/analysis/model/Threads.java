package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.FD;
import static kvscope.analysis.model.Dispatch.NOTHING;

/**
 * Threads entity (paper Fig. 3 and the thread views of Figs. 10–17): per thread, the Operation it performs now and
 * on which Connection (fd) and Request. Operations nest — a command inside EXEC or a script (by Redis's own call
 * depth, so nesting heals itself after lost events), the commands of clients read by I/O threads inside the
 * fan-out. A phase reported at its end (start_ns) is written over [start, end]; the thread then returns to what it
 * was doing.
 */
final class Threads {
    // Operations are a small fixed set of strings; the fd and byte count go to the Connection and Bytes attributes,
    // so the history's string table stays bounded whatever the trace (a view shows "Reading SSL bytes=8192 fd=12").
    private final Labels executing = new Labels("Executing ");
    private final Labels processing = new Labels("Processing cluster ");

    void register(Dispatch d) {
        d.on("end_read_client_query", FD, c -> {
            long start = c.start();
            phase(c, start, "Reading client", c.num(c.fields.nread));
            c.thread.stats.reads++;
        });
        d.on("ssl_read", FD, c -> {
            // Inside a read phase: the phase's own event comes after, so return to a generic "reading" state and
            // let that event write the read over its whole span (the Timeline keeps both in time order).
            var conn = c.server.conn(c.fd());
            var reading = conn != null && conn.type.equals("cluster") ? "Reading cluster link" : "Reading client";
            long start = c.start();
            c.timeline.set(start, c.thread.qOperation, "Reading SSL");
            c.timeline.set(start, c.thread.qBytes, c.num(c.fields.ret));
            c.timeline.set(c.time, c.thread.qOperation, reading);
            c.timeline.clear(c.time, c.thread.qBytes);
        });
        d.on("call_command_start", FD, c -> {
            var th = c.thread;
            int depth = (int) Math.min(th.commands.length - 1, Math.max(0, c.num(c.fields.depth)));
            var name = c.str(c.fields.name);
            th.commands[depth] = executing.of(name);
            th.commandDepth = depth + 1;
            c.timeline.set(c.time, th.qOperation, th.commands[depth]);
            c.timeline.set(c.time, th.qConnection, c.fd());
            if (depth == 0) c.timeline.set(c.time, th.qRequest, name);
        });
        d.on("call_command_end", FD, c -> {
            var th = c.thread;
            int depth = (int) Math.min(th.commands.length - 1, Math.max(0, c.num(c.fields.depth)));
            if (c.commandsOnly) {
                long start = c.start();
                c.timeline.set(start, th.qOperation, executing.of(c.str(c.fields.name)));
                c.timeline.set(start, th.qConnection, c.fd());
                if (depth == 0) c.timeline.set(start, th.qRequest, c.str(c.fields.name));
            }
            th.commandDepth = depth;
            if (depth == 0) {
                th.stats.commands++;
                th.stats.busyNs += c.num(c.fields.durationNs);
                c.timeline.clear(c.time, th.qRequest);
            }
            restore(c);
        });
        d.on("write_to_client_end", FD, c -> {
            phase(c, c.start(), "Writing client", c.num(c.fields.nwritten));
            c.thread.stats.writes++;
        });
        d.on("free_client", FD, c -> instant(c, "Freeing client", -1));
        d.on("free_client_async", FD, c -> instant(c, "Scheduling free of client", -1));
        d.on("free_cluster_link", FD, c -> instant(c, "Freeing cluster link", -1));
        d.on("publish", FD, c -> {
            // A batch's publishes (the light profile) happened inside commands that the batch cannot restore the
            // thread to: they are counted, not drawn.
            if (c.item < 0) instant(c, "Publishing", c.num(c.fields.payloadLen));
        });
        d.on("cluster_read", FD, c -> phase(c, c.start(), "Reading cluster link", c.num(c.fields.nread)));
        d.on("cluster_write", FD, c -> phase(c, c.start(), "Writing cluster link", c.num(c.fields.nwritten)));
        d.on("cluster_process_packet", FD, c -> phase(c, c.start(), processing.of(c.str(c.fields.typeName)), c.num(c.fields.totlen)));
        d.on("handle_pending_reads_threads_start", NOTHING, c -> outer(c, "Reads by I/O threads"));
        d.on("handle_pending_reads_threads_end", NOTHING, c -> {
            outer(c, null);
            endIoThreadInstants(c);
        });
        d.on("handle_pending_writes_threads_start", NOTHING, c -> outer(c, "Writes by I/O threads"));
        d.on("handle_pending_writes_threads_end", NOTHING, c -> {
            outer(c, null);
            endIoThreadInstants(c);
        });
    }

    /** A phase known at its end: the operation over [start, now], then back to the enclosing one. */
    private static void phase(Ctx c, long start, String op, long bytes) {
        var th = c.thread;
        c.timeline.set(start, th.qOperation, op);
        c.timeline.set(start, th.qConnection, c.fd());
        c.timeline.set(start, th.qBytes, bytes);
        th.stats.busyNs += Math.max(0, c.time - start);
        restore(c);
    }

    private static void instant(Ctx c, String op, long bytes) {
        c.timeline.set(c.time, c.thread.qOperation, op);
        c.timeline.set(c.time, c.thread.qConnection, c.fd());
        if (bytes >= 0) c.timeline.set(c.time, c.thread.qBytes, bytes);
        c.thread.instant = true;
    }

    /**
     * The main thread waits for the I/O threads at the end of a fan-out, so whatever an I/O thread did last (a free it
     * scheduled) is over by then — even if that thread emits nothing more for a long time.
     */
    private static void endIoThreadInstants(Ctx c) {
        c.server.forEachThread(th -> {
            if (th.main || !th.instant) return;
            th.instant = false;
            c.timeline.clear(c.time, th.qOperation);
            c.timeline.clear(c.time, th.qConnection);
            c.timeline.clear(c.time, th.qBytes);
        });
    }

    private static void outer(Ctx c, String op) {
        c.thread.outer = op;
        c.thread.commandDepth = 0;
        restore(c);
    }

    /** Shows the operation now on top of the thread's stack (none: the thread is idle as far as Redis says). */
    static void restore(Ctx c) {
        var th = c.thread;
        var op = th.commandDepth > 0 ? th.commands[th.commandDepth - 1] : th.outer;
        c.timeline.clear(c.time, th.qBytes);
        if (op == null) {
            c.timeline.clear(c.time, th.qOperation);
            c.timeline.clear(c.time, th.qConnection);
        } else {
            c.timeline.set(c.time, th.qOperation, op);
        }
    }

    /** Lost events: what the thread was doing is no longer known. */
    static void forget(ThreadState th) {
        th.outer = null;
        th.commandDepth = 0;
        th.instant = false;
    }
}
