package kvscope.analysis.otel;

import kvscope.analysis.segments.RequestPhase;
import kvscope.analysis.segments.Segment;

/**
 * A linked client span's time, split by the Redis request that served it (the model's phases). The parts add up to
 * the span: every boundary the trace did not show joins its neighbour, and the boundaries are kept in order within
 * the span (Redis stamps the reply written when writeToClient returns, which a busy machine may put after the client
 * already read it).
 *
 * @param beforeRedisNs span start → Redis knew the socket had data: client library, kernel, network
 * @param queuedNs      the socket had data, Redis was busy with other clients (readable → read start)
 * @param readingNs     reading the query
 * @param waitingToExecuteNs parsing and other clients' commands of the same batch (read end → command start)
 * @param executingNs   the command itself
 * @param waitingToWriteNs   command end → reply write start
 * @param writingNs     writing the reply
 * @param afterRedisNs  reply written → span end: network, kernel, client library parsing the reply
 */
public record SpanSplit(long totalNs, long beforeRedisNs, long queuedNs, long readingNs, long waitingToExecuteNs,
                        long executingNs, long waitingToWriteNs, long writingNs, long afterRedisNs) {

    /** Outside Redis: before and after (network, kernel, client library). */
    public long networkNs() { return beforeRedisNs + afterRedisNs; }

    /** Inside Redis, waiting behind other work: queued, waiting to execute, waiting to write. */
    public long waitingInRedisNs() { return queuedNs + waitingToExecuteNs + waitingToWriteNs; }

    /** Inside Redis, working for this request: reading, executing, writing. */
    public long workInRedisNs() { return readingNs + executingNs + writingNs; }

    /** The split of a span running from start to end (trace clock) served by request g. */
    public static SpanSplit of(long start, long end, Segment g) {
        // start, each phase's start (RequestPhase), the reply's end, end: the parts lie between neighbours.
        var b = new long[RequestPhase.ALL.length + 3];
        b[0] = start;
        for (var p : RequestPhase.ALL) b[p.ordinal() + 1] = p.start(g);
        b[b.length - 2] = RequestPhase.WRITING.end(g);
        b[b.length - 1] = end;
        // Unknown boundaries take their predecessor's value (that part is then 0 and its time goes to the next).
        long last = start;
        for (int i = 1; i < b.length - 1; i++) {
            long v = b[i] == Segment.UNKNOWN ? last : Math.max(last, Math.min(b[i], end));
            b[i] = v;
            last = v;
        }
        var p = new long[8];
        for (int i = 0; i < 8; i++) p[i] = b[i + 1] - b[i];
        return new SpanSplit(end - start, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
    }
}
