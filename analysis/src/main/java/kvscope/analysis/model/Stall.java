package kvscope.analysis.model;

/**
 * An event-loop iteration that kept the main thread from polling (poll wait excluded), kept among the longest, with
 * what the thread used of the machine meanwhile (poll_end's iteration_* fields, layout 8; −1 where the trace does
 * not say): its CPU time, and its voluntary (slept in a system call) and involuntary (the kernel gave its CPU to
 * another thread) context switches.
 */
public record Stall(String server, long start, long busyNs, long cpuNs, long voluntary, long involuntary) {
    /** True when the trace said what the thread used during it. */
    public boolean usageKnown() { return cpuNs >= 0 && voluntary >= 0 && involuntary >= 0; }

    /** The same stall at another time (clock correction). */
    public Stall at(long start) { return new Stall(server, start, busyNs, cpuNs, voluntary, involuntary); }
}
