package kvscope.analysis.flows;

/**
 * Layout of the flow file: a header, fixed-size little-endian records, then the run table. A run is a stretch of
 * records in the order the analysis found them — the order of the event that completed each link ({@code emit}) — so
 * a time range is one binary search per run. Flows found in one pass over the events form one run; flows matched
 * after it (across nodes, once every node is named) form another.
 */
final class FlowFormat {
    private FlowFormat() {}

    static final long MAGIC = 0x4B5653434F50464CL; // "KVSCOPFL"
    static final int VERSION = 1;
    /** magic, version, record count, the longest emit − src (to bound a range search), run count, complete flag. */
    static final int HEADER = 8 + 4 + 8 + 8 + 4 + 4;
    /** Runs per file: a few passes at most. */
    static final int MAX_RUNS = 64;
    /** emit, srcTime, dstTime, srcFd, dstFd, srcServer, dstServer, kind + padding. */
    static final int RECORD = 8 + 8 + 8 + 4 + 4 + 2 + 2 + 4;
}
