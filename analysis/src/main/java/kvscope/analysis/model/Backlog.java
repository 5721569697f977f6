package kvscope.analysis.model;

/**
 * A stretch of time during which one client had reply bytes Redis could not write yet (its output buffer was never
 * empty), kept among the largest. Stored in the summary; the findings judge it against the thresholds.
 *
 * @param startBytes bytes waiting after the first write that left some
 * @param maxBytes bytes waiting at the peak (at {@code maxAt})
 * @param endBytes bytes waiting at the end
 * @param writes writes seen in the stretch
 * @param increases how many of them left more waiting than the one before
 * @param ending how it ended: drained (all written), freed (the client was closed with bytes unsent), lost (events
 *     were lost), trace-end
 */
public record Backlog(String server, int fd, long clientId, String peer, long start, long end, long startBytes,
                      long maxBytes, long maxAt, long endBytes, long writes, long increases, long bytesWritten,
                      String ending) {
    public long durationNs() { return end - start; }
}
