package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.NOTHING;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Event-loop entity (paper Fig. 3): the Phase of each server's loop — BEFORE_SLEEP, POLL, PROCESS_EVENTS, with the
 * I/O-thread fan-outs nested inside beforeSleep — and the lengths of the pending read and write queues. An iteration
 * is measured by its busy time, from the end of one poll to the start of the next.
 */
final class EventLoop {
    /** The longest iterations of every server, for the stall findings: a bounded min-heap on busy time. */
    static final int KEEP = 200;
    private final PriorityQueue<Iteration> longest = new PriorityQueue<>(Comparator.comparingLong(Iteration::busyNs));

    /**
     * An iteration kept, with its server (whose name may still change: the records are made at the end) and what the
     * main thread used meanwhile (−1: not in the trace).
     */
    private record Iteration(ServerState server, long start, long busyNs, long cpuNs, long voluntary, long involuntary) {}

    private void keep(ServerState server, long start, long busy, Ctx c) {
        if (longest.size() >= KEEP && busy <= longest.peek().busyNs()) return;
        if (longest.size() >= KEEP) longest.poll();
        longest.add(new Iteration(server, start, busy, Fields.get(c.event, c.fields.iterationCpuNs, -1),
                Fields.get(c.event, c.fields.iterationVoluntary, -1), Fields.get(c.event, c.fields.iterationInvoluntary, -1)));
    }

    /** The longest iterations seen, longest first, under their servers' final names. */
    List<Stall> stalls() {
        var out = new ArrayList<>(longest);
        out.sort((a, b) -> Long.compare(b.busyNs(), a.busyNs()));
        return out.stream().map(i -> new Stall(i.server().name, i.start(), i.busyNs(), i.cpuNs(), i.voluntary(),
                i.involuntary())).toList();
    }

    static final String BEFORE_SLEEP = "BEFORE_SLEEP", POLL = "POLL", PROCESS_EVENTS = "PROCESS_EVENTS";

    void register(Dispatch d) {
        d.on("before_sleep_start", NOTHING, c -> {
            var s = c.server;
            reset(c, BEFORE_SLEEP);
            s.pendingReadCount = (int) c.num(c.fields.pendingReads);
            s.pendingWriteCount = (int) c.num(c.fields.pendingWrites);
            c.timeline.set(c.time, s.pendingReads, s.pendingReadCount);
            c.timeline.set(c.time, s.pendingWrites, s.pendingWriteCount);
        });
        d.on("before_sleep_end", NOTHING, c -> {
            reset(c, POLL);
            // beforeSleep hands every pending read and write to the threads or writes them itself.
            c.server.pendingReadCount = 0;
            c.server.pendingWriteCount = 0;
            c.timeline.set(c.time, c.server.pendingReads, 0);
            c.timeline.set(c.time, c.server.pendingWrites, 0);
        });
        d.on("poll_end", NOTHING, c -> {
            var s = c.server;
            long pollStart = c.start();
            if (s.phaseDepth == 0 || !POLL.equals(s.phaseStack[0])) c.timeline.set(pollStart, s.phase, POLL);
            reset(c, PROCESS_EVENTS);
            // An iteration's busy time: from the end of one poll to the start of the next — what the main thread
            // spent on events, timers and beforeSleep, without the time it slept waiting for work.
            if (s.iterationStart != Long.MIN_VALUE && pollStart >= s.iterationStart) {
                long busy = pollStart - s.iterationStart;
                s.stats.eventLoopIterations++;
                if (busy > s.stats.longestIterationNs) {
                    s.stats.longestIterationNs = busy;
                    s.stats.longestIterationAt = s.iterationStart;
                }
                keep(s, s.iterationStart, busy, c);
            }
            s.iterationStart = c.time;
        });
        d.on("handle_pending_reads_threads_start", NOTHING, c -> push(c, "HANDLE_PENDING_READS"));
        d.on("handle_pending_reads_threads_end", NOTHING, EventLoop::pop);
        d.on("handle_pending_writes_threads_start", NOTHING, c -> push(c, "HANDLE_PENDING_WRITES"));
        d.on("handle_pending_writes_threads_end", NOTHING, EventLoop::pop);
        d.on("insert_pending_read", NOTHING, c -> c.timeline.set(c.time, c.server.pendingReads, ++c.server.pendingReadCount));
        d.on("insert_clientwrite_queue", NOTHING, c -> c.timeline.set(c.time, c.server.pendingWrites, ++c.server.pendingWriteCount));
    }

    private static void reset(Ctx c, String phase) {
        c.server.phaseStack[0] = phase;
        c.server.phaseDepth = 1;
        c.timeline.set(c.time, c.server.phase, phase);
    }

    private static void push(Ctx c, String phase) {
        var s = c.server;
        if (s.phaseDepth < s.phaseStack.length) s.phaseStack[s.phaseDepth] = phase;
        s.phaseDepth++;
        c.timeline.set(c.time, s.phase, phase);
    }

    private static void pop(Ctx c) {
        var s = c.server;
        if (s.phaseDepth > 1) s.phaseDepth--;
        int top = Math.max(1, Math.min(s.phaseDepth, s.phaseStack.length));
        c.timeline.set(c.time, s.phase, s.phaseStack[top - 1] != null ? s.phaseStack[top - 1] : BEFORE_SLEEP);
    }
}
