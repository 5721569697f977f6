package kvscope.analysis.model;

/**
 * Threads entity (paper Fig. 3 and the thread views of Figs. 10–17): per thread, the Operation it performs now and
 * on which Connection (fd) and Request. Operations nest — a command inside EXEC or a script (by Redis's own call
 * depth, so nesting heals itself after lost events), the commands of clients read by I/O threads inside the
 * fan-out. A phase reported at its end (start_ns) is written over [start, end]; the thread then returns to what it
 * was doing.
 */
final class Threads {

    void register(Dispatch d) {
        d.on("end_read_client_query", c -> {
            long start = c.start();
            phase(c, start, "Reading client fd=" + c.fd() + " bytes=" + c.num(c.f.nread));
            c.thread.stats.reads++;
        });
        d.on("ssl_read", c -> {
            // Inside a read phase: the phase's own event comes after, so return to a generic "reading" state and
            // let that event write the read over its whole span (the Timeline keeps both in time order).
            var conn = c.s.conn(c.fd());
            var reading = conn != null && conn.type.equals("cluster") ? "Reading cluster link fd=" : "Reading client fd=";
            c.tl.set(c.start(), c.thread.qOperation, "Reading SSL bytes=" + c.num(c.f.ret));
            c.tl.set(c.t, c.thread.qOperation, reading + c.fd());
        });
        d.on("call_command_start", c -> {
            var th = c.thread;
            int depth = (int) Math.min(th.commands.length - 1, Math.max(0, c.num(c.f.depth)));
            var name = c.str(c.f.name);
            th.commands[depth] = "Executing " + name + " fd=" + c.fd();
            th.commandDepth = depth + 1;
            c.tl.set(c.t, th.qOperation, th.commands[depth]);
            c.tl.set(c.t, th.qConnection, c.fd());
            if (depth == 0) c.tl.set(c.t, th.qRequest, name);
        });
        d.on("call_command_end", c -> {
            var th = c.thread;
            int depth = (int) Math.min(th.commands.length - 1, Math.max(0, c.num(c.f.depth)));
            if (c.commandsOnly) {
                long start = c.start();
                c.tl.set(start, th.qOperation, "Executing " + c.str(c.f.name) + " fd=" + c.fd());
                c.tl.set(start, th.qConnection, c.fd());
                if (depth == 0) c.tl.set(start, th.qRequest, c.str(c.f.name));
            }
            th.commandDepth = depth;
            if (depth == 0) {
                th.stats.commands++;
                th.stats.busyNs += c.num(c.f.durationNs);
                c.tl.clear(c.t, th.qRequest);
            }
            restore(c);
        });
        d.on("write_to_client_end", c -> {
            phase(c, c.start(), "Writing client fd=" + c.fd() + " bytes=" + c.num(c.f.nwritten));
            c.thread.stats.writes++;
        });
        d.on("free_client", c -> instant(c, "Freeing client fd=" + c.fd()));
        d.on("free_client_async", c -> instant(c, "Scheduling free of client fd=" + c.fd()));
        d.on("free_cluster_link", c -> instant(c, "Freeing cluster link fd=" + c.fd()));
        d.on("publish", c -> instant(c, "Publishing " + c.num(c.f.payloadLen) + " bytes to " + c.num(c.f.receivers) + " receivers"));
        d.on("cluster_read", c -> phase(c, c.start(), "Reading cluster link fd=" + c.fd() + " bytes=" + c.num(c.f.nread)));
        d.on("cluster_write", c -> phase(c, c.start(), "Writing cluster link fd=" + c.fd() + " bytes=" + c.num(c.f.nwritten)));
        d.on("cluster_process_packet", c -> phase(c, c.start(),
                "Processing cluster " + c.str(c.f.typeName) + " fd=" + c.fd() + " bytes=" + c.num(c.f.totlen)));
        d.on("handle_pending_reads_threads_start", c -> outer(c, "Reads by I/O threads clients=" + c.num(c.f.nclients)));
        d.on("handle_pending_reads_threads_end", c -> outer(c, null));
        d.on("handle_pending_writes_threads_start", c -> outer(c, "Writes by I/O threads clients=" + c.num(c.f.nclients)));
        d.on("handle_pending_writes_threads_end", c -> outer(c, null));
    }

    /** A phase known at its end: the operation over [start, now], then back to the enclosing one. */
    private static void phase(Ctx c, long start, String op) {
        var th = c.thread;
        c.tl.set(start, th.qOperation, op);
        c.tl.set(start, th.qConnection, c.fd());
        th.stats.busyNs += Math.max(0, c.t - start);
        restore(c);
    }

    private static void instant(Ctx c, String op) {
        c.tl.set(c.t, c.thread.qOperation, op);
        c.tl.set(c.t, c.thread.qConnection, c.fd());
        c.thread.instant = true;
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
        if (op == null) {
            c.tl.clear(c.t, th.qOperation);
            c.tl.clear(c.t, th.qConnection);
        } else {
            c.tl.set(c.t, th.qOperation, op);
        }
    }

    /** Lost events: what the thread was doing is no longer known. */
    static void forget(ThreadState th) {
        th.outer = null;
        th.commandDepth = 0;
        th.instant = false;
    }
}
