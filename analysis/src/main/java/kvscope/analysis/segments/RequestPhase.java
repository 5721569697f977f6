package kvscope.analysis.segments;

/**
 * The parts of a request's life ({@link Segment}), in order, each between two of its instants: the one list the
 * export's spans and slices, a linked client span's split and the services' attribution all take them from.
 */
public enum RequestPhase {
    QUEUED("queued"), READING("reading"), WAITING_TO_EXECUTE("waiting to execute"), EXECUTING("executing"),
    WAITING_TO_WRITE("waiting to write"), WRITING("writing");

    public static final RequestPhase[] ALL = values();

    private final String label;

    RequestPhase(String label) { this.label = label; }

    public String label() { return label; }

    public long start(RequestTimes t) {
        return switch (this) {
            case QUEUED -> t.readable();
            case READING -> t.readStart();
            case WAITING_TO_EXECUTE -> t.readEnd();
            case EXECUTING -> t.commandStart();
            case WAITING_TO_WRITE -> t.commandEnd();
            case WRITING -> t.writeStart();
        };
    }

    /** The next phase's start; the last one's end is the reply's. */
    public long end(RequestTimes t) {
        return this == WRITING ? t.replyEnd() : ALL[ordinal() + 1].start(t);
    }

    /** Both ends known and in order. */
    public boolean known(RequestTimes t) {
        long s = start(t), e = end(t);
        return s != Segment.UNKNOWN && e != Segment.UNKNOWN && s <= e;
    }

    /** Where an exported request begins: when the server knew it had data if known, else its first known time. */
    public static long requestStart(SegmentFile.Cursor c) {
        return QUEUED.known(c) ? c.readable() : c.start();
    }
}
