package kvscope.analysis.export;

import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;

/**
 * The parts of a request's life ({@link Segment}), in order, each between two of its stored instants. A part whose
 * ends the trace did not show (light profile, no event-loop events) is not exported.
 */
enum Phase {
    QUEUED("queued"), READING("reading"), WAITING_TO_EXECUTE("waiting to execute"), EXECUTING("executing"),
    WAITING_TO_WRITE("waiting to write"), WRITING("writing");

    static final Phase[] ALL = values();

    final String label;

    Phase(String label) { this.label = label; }

    long start(SegmentFile.Cursor c) {
        return switch (this) {
            case QUEUED -> c.readable();
            case READING -> c.readStart();
            case WAITING_TO_EXECUTE -> c.readEnd();
            case EXECUTING -> c.commandStart();
            case WAITING_TO_WRITE -> c.commandEnd();
            case WRITING -> c.writeStart();
        };
    }

    long end(SegmentFile.Cursor c) {
        return switch (this) {
            case QUEUED -> c.readStart();
            case READING -> c.readEnd();
            case WAITING_TO_EXECUTE -> c.commandStart();
            case EXECUTING -> c.commandEnd();
            case WAITING_TO_WRITE -> c.writeStart();
            case WRITING -> c.replyEnd();
        };
    }

    /** Both ends known and in order. */
    boolean known(SegmentFile.Cursor c) {
        long s = start(c), e = end(c);
        return s != Segment.UNKNOWN && e != Segment.UNKNOWN && s <= e;
    }

    /** Where the exported request begins: when the server knew it had data if known, else its first known time. */
    static long requestStart(SegmentFile.Cursor c) {
        return QUEUED.known(c) ? c.readable() : c.start();
    }
}
