package kvscope.analysis.segments;

/**
 * Layout of the segment file: a header, fixed-size little-endian records in completion order, then (at close) the
 * block index and the name tables. Fixed-size records let a reader jump to any record and scan a time range from the
 * block index without decoding what lies outside it.
 */
final class SegmentFormat {
    private SegmentFormat() {}

    static final long MAGIC = 0x4B5653434F504553L; // "KVSCOPES"
    static final int VERSION = 3;
    /** magic, version, record count, footer offset, complete flag + padding. */
    static final int HEADER = 8 + 4 + 8 + 8 + 4;
    /**
     * server, fd, clientId, command, readable, readStart, readEnd, commandStart, commandEnd, writeStart, replyEnd,
     * bytesIn, bytesOut, threads, blockStart, blockEnd, blockReason.
     */
    static final int RECORD = 4 + 4 + 8 + 4 + 8 * 7 + 8 + 8 + 4 + 4 + 8 + 8 + 4;
    /** Records per block of the time index: small enough to skip well, large enough to keep the index tiny. */
    static final int BLOCK = 1024;
}
