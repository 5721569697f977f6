package kvscope.analysis.model;

/** An event-loop iteration that kept the main thread busy (poll wait excluded), kept among the longest. */
public record Stall(String server, long start, long busyNs) {}
