package kvscope.analysis.segments;

/**
 * The instants of a request's life that bound its phases ({@link RequestPhase}), in order; {@link Segment#UNKNOWN}
 * where the trace did not show one. A stored {@link Segment} and a {@link SegmentFile.Cursor} over the file both are.
 */
public interface RequestTimes {
    long readable();

    long readStart();

    long readEnd();

    long commandStart();

    long commandEnd();

    long writeStart();

    long replyEnd();
}
