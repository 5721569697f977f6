package kvscope.analysis.segments;

/**
 * One request's life on one server, as the model measured it. Times are ns since the epoch; a phase the trace did not
 * show (light profile, a trace that starts mid-request) is {@link #UNKNOWN}. Latency is server-side: from the start of
 * the read that completed the request to the end of the write that sent its reply. Its parts, in order: queued
 * (readable → read start: the socket had data, the server was busy elsewhere), reading (read start → read end),
 * waiting to execute (read end → command start: parsing, other clients' commands of the same batch), executing,
 * waiting to write (command end → write start), writing (write start → reply end).
 *
 * @param readable   when the server knew the connection had data: the end of the poll that reported it, UNKNOWN
 *                   without event-loop events
 * @param server     index into the segment file's server names
 * @param command    index into the segment file's command names
 * @param readThread vtid of the thread that read the query (an I/O thread when reads are threaded), 0 if unknown
 * @param writeThread vtid of the thread that wrote the reply, 0 if unknown
 */
public record Segment(int server, int fd, long clientId, int command,
                      long readable, long readStart, long readEnd, long commandStart, long commandEnd,
                      long writeStart, long replyEnd, long bytesIn, long bytesOut, int readThread, int writeThread) {

    public static final long UNKNOWN = Long.MIN_VALUE;

    /** First known time of the request. */
    public long start() { return readStart != UNKNOWN ? readStart : commandStart; }

    /** Last known time of the request. */
    public long end() { return replyEnd != UNKNOWN ? replyEnd : commandEnd; }

    public long latency() { return end() - start(); }
}
