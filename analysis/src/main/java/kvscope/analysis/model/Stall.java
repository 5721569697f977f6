package kvscope.analysis.model;

/** An event-loop iteration that kept the main thread busy (poll wait excluded), kept among the longest. */
public final class Stall {
    public String server;
    public long start;
    public long busyNs;

    public Stall() {}

    Stall(String server, long start, long busyNs) {
        this.server = server;
        this.start = start;
        this.busyNs = busyNs;
    }
}
