package kvscope.analysis.model;

/**
 * Event-loop entity (paper Fig. 3): the Phase of each server's loop — BEFORE_SLEEP, POLL, PROCESS_EVENTS, with the
 * I/O-thread fan-outs nested inside beforeSleep — and the lengths of the pending read and write queues. An iteration
 * is measured from one beforeSleep to the next.
 */
final class EventLoop {
    static final String BEFORE_SLEEP = "BEFORE_SLEEP", POLL = "POLL", PROCESS_EVENTS = "PROCESS_EVENTS";

    void register(Dispatch d) {
        d.on("before_sleep_start", c -> {
            var s = c.s;
            if (s.iterationStart != Long.MIN_VALUE) {
                long len = c.t - s.iterationStart;
                s.stats.eventLoopIterations++;
                if (len > s.stats.longestIterationNs) {
                    s.stats.longestIterationNs = len;
                    s.stats.longestIterationAt = s.iterationStart;
                }
            }
            s.iterationStart = c.t;
            reset(c, BEFORE_SLEEP);
            s.pendingReadCount = (int) c.num(c.f.pendingReads);
            s.pendingWriteCount = (int) c.num(c.f.pendingWrites);
            c.tl.set(c.t, s.pendingReads, s.pendingReadCount);
            c.tl.set(c.t, s.pendingWrites, s.pendingWriteCount);
        });
        d.on("before_sleep_end", c -> {
            reset(c, POLL);
            // beforeSleep hands every pending read and write to the threads or writes them itself.
            c.s.pendingReadCount = 0;
            c.s.pendingWriteCount = 0;
            c.tl.set(c.t, c.s.pendingReads, 0);
            c.tl.set(c.t, c.s.pendingWrites, 0);
        });
        d.on("poll_end", c -> {
            if (c.s.phaseDepth == 0 || !POLL.equals(c.s.phaseStack[0])) c.tl.set(c.start(), c.s.phase, POLL);
            reset(c, PROCESS_EVENTS);
        });
        d.on("handle_pending_reads_threads_start", c -> push(c, "HANDLE_PENDING_READS"));
        d.on("handle_pending_reads_threads_end", EventLoop::pop);
        d.on("handle_pending_writes_threads_start", c -> push(c, "HANDLE_PENDING_WRITES"));
        d.on("handle_pending_writes_threads_end", EventLoop::pop);
        d.on("insert_pending_read", c -> c.tl.set(c.t, c.s.pendingReads, ++c.s.pendingReadCount));
        d.on("insert_clientwrite_queue", c -> c.tl.set(c.t, c.s.pendingWrites, ++c.s.pendingWriteCount));
    }

    private static void reset(Ctx c, String phase) {
        c.s.phaseStack[0] = phase;
        c.s.phaseDepth = 1;
        c.tl.set(c.t, c.s.phase, phase);
    }

    private static void push(Ctx c, String phase) {
        var s = c.s;
        if (s.phaseDepth < s.phaseStack.length) s.phaseStack[s.phaseDepth] = phase;
        s.phaseDepth++;
        c.tl.set(c.t, s.phase, phase);
    }

    private static void pop(Ctx c) {
        var s = c.s;
        if (s.phaseDepth > 1) s.phaseDepth--;
        int top = Math.max(1, Math.min(s.phaseDepth, s.phaseStack.length));
        c.tl.set(c.t, s.phase, s.phaseStack[top - 1] != null ? s.phaseStack[top - 1] : BEFORE_SLEEP);
    }
}
