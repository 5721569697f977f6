package kvscope.analysis.services;

/**
 * Layout of {@code services.bin}: a header, the spans as fixed-size little-endian records sorted by start time (so a
 * time range is a binary search, bounded by the longest span), the parts of each answered server span, then a footer
 * of names, services and counters. Fixed-size records let views read any span by index without decoding the rest.
 */
final class ServicesFormat {
    private ServicesFormat() {}

    static final long MAGIC = 0x4B5653434F505356L; // "KVSCOPSV"
    static final int VERSION = 2;
    /** magic, version, complete flag, span count, part count, longest span, footer offset, trace start and end. */
    static final int HEADER = 8 + 4 + 4 + 8 + 8 + 8 + 8 + 8 + 8;
    /**
     * kind u8, pad u8, flags u16, service, pid, lane; span id i64; parent, first child, next sibling, status;
     * start, end, bytes i64; method, route, path, name, src addr, src port, dst addr, dst port; link i64; error,
     * first part, part count, trace.
     */
    static final int RECORD = 120;
    /** kind u8 + pad, name i32, ns i64. */
    static final int PART = 16;

    // Offsets in a span record.
    static final int KIND = 0, FLAGS = 2, SERVICE = 4, PID = 8, LANE = 12, SPAN_ID = 16, PARENT = 24, FIRST_CHILD = 28,
            NEXT_SIBLING = 32, STATUS = 36, START = 40, END = 48, BYTES = 56, METHOD = 64, ROUTE = 68, PATH = 72,
            NAME = 76, SRC_ADDR = 80, SRC_PORT = 84, DST_ADDR = 88, DST_PORT = 92, LINK = 96, ERROR = 104,
            PARTS_FIRST = 108, PARTS_COUNT = 112, TRACE = 116;
}
