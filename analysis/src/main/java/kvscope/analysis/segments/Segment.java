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
 * @param blockStart  when a blocking command (BLPOP, WAIT…) blocked the client, UNKNOWN if it never did: from then
 *                    to {@code blockEnd} it waited by design, for data or replicas, not for the server
 * @param blockEnd    when it was unblocked, UNKNOWN if it never blocked
 * @param blockReason why it was unblocked (a {@link BlockReason} ordinal; NONE if it never blocked)
 */
public record Segment(int server, int fd, long clientId, int command,
                      long readable, long readStart, long readEnd, long commandStart, long commandEnd,
                      long writeStart, long replyEnd, long bytesIn, long bytesOut, int readThread, int writeThread,
                      long blockStart, long blockEnd, int blockReason) implements RequestTimes {

    public static final long UNKNOWN = Long.MIN_VALUE;

    /** A request that never blocked. */
    public Segment(int server, int fd, long clientId, int command, long readable, long readStart, long readEnd,
                   long commandStart, long commandEnd, long writeStart, long replyEnd, long bytesIn, long bytesOut,
                   int readThread, int writeThread) {
        this(server, fd, clientId, command, readable, readStart, readEnd, commandStart, commandEnd, writeStart, replyEnd,
                bytesIn, bytesOut, readThread, writeThread, UNKNOWN, UNKNOWN, BlockReason.NONE.ordinal());
    }

    /** How long the client was blocked (0 if it never was). */
    public long blockedNs() { return blocked(blockStart, blockEnd); }

    /** Latency without the blocked time: what Redis's SLOWLOG counts, the server's own part. */
    public long serverLatency() { return latency() - blockedNs(); }

    static long blocked(long blockStart, long blockEnd) {
        return blockStart == UNKNOWN || blockEnd == UNKNOWN || blockEnd < blockStart ? 0 : blockEnd - blockStart;
    }

    /** First known time of the request. */
    public long start() { return readStart != UNKNOWN ? readStart : commandStart; }

    /** Last known time of the request. */
    public long end() { return replyEnd != UNKNOWN ? replyEnd : commandEnd; }

    /** When Redis answered: its reply's write began, else (not written yet, or not recorded) the command ended. */
    public long answered() { return writeStart != UNKNOWN ? writeStart : commandEnd; }

    public long latency() { return end() - start(); }
}
