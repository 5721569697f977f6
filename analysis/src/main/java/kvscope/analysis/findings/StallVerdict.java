package kvscope.analysis.findings;

import kvscope.analysis.model.Stall;
import kvscope.analysis.report.Units;

import java.util.ArrayList;
import java.util.Locale;

/**
 * Whose a long event-loop iteration is, and how its finding is titled. Redis's own traced work fills most of it:
 * Redis stalled itself ({@code event-loop-stall}). Where the trace says what the main thread used (poll_end's
 * iteration_* fields, layout 8) there is more to tell:
 * <ul>
 * <li>it computed — its CPU time alone is a stall, or most of it: "busy", and ", … of it without a CPU" when the
 * host also kept it waiting for a CPU for a quarter or more (preempted);</li>
 * <li>it slept in system calls (a blocking command: DEBUG SLEEP, a disk write): "blocked";</li>
 * <li>it was only preempted (runnable, the kernel ran other threads on its CPU; it never slept) for most of it: the
 * work only looks long, the host is the cause — {@code event-loop-pause} "without a CPU", whatever the trace shows
 * Redis doing.</li>
 * </ul>
 * Otherwise the main thread was held up by something the trace cannot see (page faults, untraced work): a pause.
 *
 * @param advice a sentence for the end of the explanation (may be empty)
 */
record StallVerdict(String kind, Finding.Severity severity, String title, String advice) {
    static StallVerdict of(Stall st, long tracedNs, Thresholds th) {
        boolean known = st.usageKnown();
        long offCpu = known ? Math.max(0, st.busyNs() - st.cpuNs()) : 0;
        boolean computed = !known || st.cpuNs() >= Math.min(th.stallNs(), st.busyNs() / 2);
        // The counts do not say how long each wait lasted: one DEBUG SLEEP and one tick's preemption are one switch each
        // (SlowCommandScenarioTest). So a thread that slept at all is said to have blocked; preempted only when it
        // never slept.
        boolean preempted = !computed && st.voluntary() == 0 && st.involuntary() > 0;
        boolean slept = !computed && !preempted;
        var busy = Units.duration(st.busyNs());
        if (preempted) {
            return new StallVerdict("event-loop-pause", Finding.Severity.INFO, "event loop without a CPU for " + busy,
                    " The host ran other threads on the main thread's CPU: look at what else runs there (CPU contention, "
                            + "too few cores, a noisy neighbour), not at Redis's work.");
        }
        if (tracedNs < st.busyNs() / 2) {
            return new StallVerdict("event-loop-pause", Finding.Severity.INFO, "event loop held up for " + busy,
                    " Redis's traced work covers only " + Units.duration(tracedNs)
                            + " of it: look outside Redis (CPU contention, the host, swapping).");
        }
        var stretched = known && computed && st.involuntary() > 0 && offCpu >= st.busyNs() / 4
                ? ", " + Units.duration(offCpu) + " of it without a CPU" : "";
        return new StallVerdict("event-loop-stall", Finding.Severity.WARNING,
                (slept ? "event loop blocked for " : "event loop busy for ") + busy + stretched, "");
    }

    /**
     * What the main thread used of the machine during a stall: CPU time, and why it was off the CPU otherwise —
     * preempted (involuntary switches: runnable, the kernel ran another thread) or waiting in system calls
     * (voluntary: it slept). Empty when the trace does not say.
     */
    static String usage(Stall st) {
        if (!st.usageKnown()) return "";
        long cpu = Math.min(st.cpuNs(), st.busyNs()), off = st.busyNs() - cpu;
        var why = new ArrayList<String>();
        if (st.involuntary() > 0) why.add("preempted " + Units.count(st.involuntary()) + (st.involuntary() == 1 ? " time" : " times")
                + " (the kernel gave its CPU to other threads)");
        if (st.voluntary() > 0) why.add(Units.count(st.voluntary()) + (st.voluntary() == 1 ? " wait" : " waits")
                + " in system calls (it slept: disk, a lock, a sleep)");
        return String.format(Locale.ROOT, " Meanwhile the main thread ran on a CPU for %s (%.0f %%)%s.", Units.duration(cpu),
                100.0 * cpu / Math.max(1, st.busyNs()),
                off == 0 ? "" : "; off it for " + Units.duration(off) + (why.isEmpty() ? "" : ": " + String.join(" and ", why)));
    }
}
