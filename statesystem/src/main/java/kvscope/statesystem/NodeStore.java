package kvscope.statesystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Closed nodes. The writer puts each closed node into the file with one positional write; queries read nodes through
 * read-only memory-mapped segments (an index probe and one block touch a few pages, and the heap holds no node
 * data: the OS page cache is the node cache, bounded by the machine, not the JVM).
 *
 * <p>Why the writer does not write through a mapping: every page it wrote would stay a dirty, mapped page of the
 * process — resident set size growing with the history (3 GB for a 50 M-event analysis) — while written pages the
 * process has not mapped belong to the page cache only, which writes them back and drops them as it needs. Readers
 * see every written node through their shared mapping (the same page cache); the pages they touch are clean once
 * written back, so the kernel can reclaim them too.
 *
 * <p>Each node's CRC32C is checked the first time a query reaches it (then remembered), so a damaged node is reported
 * as {@link HistoryFileException} instead of answered from. Threading: the writer writes and maps under the history's
 * write lock; queries read (and map segments) under its read lock while building and without locks once complete
 * (the segment table is then frozen). The verified-bits array is racy on purpose: a lost bit only costs a second
 * check.
 */
final class NodeStore {
    static final int FILE_HEADER = 128;
    private static final long SEGMENT_BYTES = 64L << 20;

    private final FileChannel channel;
    private final Path path;
    private final int nodeSize, maxChildren;
    private final int perSegment;
    /** Nodes may still be added (cleared by {@link #complete}). */
    private boolean writable;
    private MappedByteBuffer[] segments = new MappedByteBuffer[4];
    private long[] verified = new long[1];
    /** Nodes present: fixed for a read-only file, one past the highest written node while building. */
    private int nodeCount;

    NodeStore(FileChannel channel, Path path, int nodeSize, int maxChildren, boolean writable, int nodeCount) {
        this.channel = channel;
        this.path = path;
        this.nodeSize = nodeSize;
        this.maxChildren = maxChildren;
        this.perSegment = (int) Math.max(1, SEGMENT_BYTES / nodeSize);
        this.writable = writable;
        this.nodeCount = nodeCount;
    }

    static long offset(int seq, int nodeSize) {
        return FILE_HEADER + (long) seq * nodeSize;
    }

    private MappedByteBuffer segment(int seg) {
        if (seg >= segments.length) segments = Arrays.copyOf(segments, Math.max(seg + 1, segments.length * 2));
        MappedByteBuffer m = segments[seg];
        if (m == null) {
            int firstSeq = seg * perSegment;
            // While building, a whole segment: mapping it extends the file (sparse zeros) up to the segment's end, and
            // nodes written there later are seen through the mapping; complete(t) truncates the file to its nodes.
            int nodes = writable ? perSegment : Math.min(perSegment, nodeCount - firstSeq);
            try {
                m = channel.map(FileChannel.MapMode.READ_ONLY, offset(firstSeq, nodeSize), (long) nodes * nodeSize);
            } catch (IOException e) {
                throw new UncheckedIOException("mapping " + path + " at byte " + offset(firstSeq, nodeSize), e);
            }
            m.order(ByteOrder.LITTLE_ENDIAN);
            segments[seg] = m;
        }
        return m;
    }

    /** Writes a closed node (writer only): one positional write, no mapping (see the class comment). */
    void put(int seq, byte[] node) {
        var crc = new CRC32C();
        crc.update(node, 4, node.length - 4);
        NodeFormat.putInt(node, NodeFormat.O_CRC, (int) crc.getValue());
        long pos = offset(seq, nodeSize);
        var buf = ByteBuffer.wrap(node);
        try {
            while (buf.hasRemaining()) channel.write(buf, pos + buf.position());
        } catch (IOException e) {
            throw new UncheckedIOException("writing node " + seq + " of " + path + " at byte " + pos, e);
        }
        markVerified(seq);
        nodeCount = Math.max(nodeCount, seq + 1);
    }

    /** Read-only files: maps every segment and sizes the verified bits up front, so readers never publish racily. */
    void mapAll() {
        int segs = (nodeCount + perSegment - 1) / perSegment;
        segments = new MappedByteBuffer[Math.max(1, segs)];
        verified = new long[(nodeCount >>> 6) + 1];
        for (int i = 0; i < segs; i++) segment(i);
    }

    /**
     * No more nodes: maps every remaining segment now, sized to the nodes (a segment mapped while building extends the
     * file, and a later one must not undo the truncation by close), so lock-free readers never grow the table.
     */
    void complete() {
        writable = false;
        int segs = (nodeCount + perSegment - 1) / perSegment;
        if (segments.length < segs) segments = Arrays.copyOf(segments, segs);
        for (int i = 0; i < segs; i++) segment(i);
        if (verified.length <= nodeCount >>> 6) verified = Arrays.copyOf(verified, (nodeCount >>> 6) + 1);
    }

    private void markVerified(int seq) {
        int w = seq >>> 6;
        if (w >= verified.length) verified = Arrays.copyOf(verified, Math.max(w + 1, verified.length * 2));
        verified[w] |= 1L << seq;
    }

    /** Positions {@code view} on closed node seq, checking its checksum on first use. */
    NodeFormat.View view(int seq, NodeFormat.View view) {
        if (!writable && (seq < 0 || seq >= nodeCount))
            throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, path, FILE_HEADER,
                    "reference to node " + seq + " of " + nodeCount);
        var seg = segment(seq / perSegment);
        int base = (seq % perSegment) * nodeSize;
        view.at(seg, base, maxChildren);
        long[] v = verified;
        int w = seq >>> 6;
        if (w >= v.length || (v[w] & (1L << seq)) == 0) {
            check(seg, base, seq);
            markVerified(seq);
        }
        return view;
    }

    private void check(ByteBuffer seg, int base, int seq) {
        long pos = offset(seq, nodeSize);
        var crc = new CRC32C();
        crc.update(seg.duplicate().position(base + 4).limit(base + nodeSize));
        if (seg.getInt(base) != (int) crc.getValue())
            throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, path, pos,
                    "checksum mismatch in node " + seq);
        if (seg.getInt(base + NodeFormat.O_SEQ) != seq)
            throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, path, pos,
                    "node " + seq + " says it is node " + seg.getInt(base + NodeFormat.O_SEQ));
        int height = seg.get(base + NodeFormat.O_HEIGHT) & 0xFF;
        int flags = seg.get(base + NodeFormat.O_FLAGS) & 0xFF;
        int children = seg.getShort(base + NodeFormat.O_CHILDREN) & 0xFFFF;
        int entries = seg.getInt(base + NodeFormat.O_ENTRIES), dataLength = seg.getInt(base + NodeFormat.O_DATALEN);
        int slots = seg.getInt(base + NodeFormat.O_SLOTS);
        boolean sparse = (flags & NodeFormat.F_SPARSE) != 0;
        long end = NodeFormat.childrenEnd(height, maxChildren) + (long) slots * (sparse ? 8 : 4)
                + (long) entries * ((flags & NodeFormat.F_WIDE) != 0 ? NodeFormat.WIDE : NodeFormat.NARROW) + dataLength;
        // A checksum can match a node written wrong by a buggy writer: bound what the decoder will trust.
        if (children > maxChildren || (height == 0) != (children == 0) || end > nodeSize || entries < 0
                || dataLength < 0 || slots < 0 || (flags & ~(NodeFormat.F_WIDE | NodeFormat.F_SPARSE)) != 0)
            throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, path, pos,
                    "node " + seq + " has inconsistent header fields (height " + height + ", " + children
                            + " children, " + slots + " directory slots, " + entries + " index entries, ends at "
                            + end + ")");
    }

    /** Checks every node (a full read of the file). */
    void verifyAll() {
        var v = new NodeFormat.View();
        for (int s = 0; s < nodeCount; s++) {
            int w = s >>> 6;
            if (w < verified.length) verified[w] &= ~(1L << s);
            view(s, v);
        }
    }

}
