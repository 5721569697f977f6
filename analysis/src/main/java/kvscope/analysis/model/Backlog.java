package kvscope.analysis.model;

/**
 * A stretch of time during which one client had reply bytes Redis could not write yet (its output buffer was never
 * empty), kept among the largest. Serialised in the summary; the findings judge it against the thresholds.
 */
public final class Backlog {
    public String server;
    public int fd;
    public long clientId;
    public String peer;
    public long start;
    public long end;
    /** Bytes waiting after the first write that left some, at the peak, and at the end. */
    public long startBytes;
    public long maxBytes;
    public long maxAt;
    public long endBytes;
    /** Writes seen in the stretch, and how many of them left more waiting than the one before. */
    public long writes;
    public long increases;
    public long bytesWritten;
    /** How it ended: drained (all written), freed (the client was closed with bytes unsent), lost, trace-end. */
    public String ending;

    public Backlog() {}

    public long durationNs() { return end - start; }
}
