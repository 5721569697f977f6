package kvscope.statesystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The first 128 bytes of a history file. Written with {@code complete = false} when the file is created, rewritten
 * with {@code complete = true} (after everything else is on disk and forced) by {@code complete(t)}: a file whose writer
 * died still says incomplete.
 *
 * <pre>
 * 0  "KVSHIST\0" magic     8  int version       12 int nodeSize     16 int maxChildren
 * 20 int config checksum   24 byte complete     32 long start       40 long end
 * 48 int nodeCount         52 int rootSeq       56 int depth        60 int attributeCount
 * 64 long metaOffset       72 long metaLength   80 int metaCrc      88 long intervals
 * 124 int CRC32C of bytes [0, 124)
 * </pre>
 */
record FileHeader(int nodeSize, int maxChildren, boolean complete, long start, long end, int nodeCount, int rootSeq,
                  int depth, int attributeCount, long metaOffset, long metaLength, int metaCrc,
                  long intervals) {

    static final long MAGIC = 0x005453494853564BL; // "KVSHIST\0" little-endian
    static final int VERSION = 2;

    static int configCrc(int nodeSize, int maxChildren) {
        var c = new CRC32C();
        var b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(VERSION).putInt(nodeSize).putInt(maxChildren);
        c.update(b.array());
        return (int) c.getValue();
    }

    void write(FileChannel ch) throws IOException {
        var b = ByteBuffer.allocate(NodeStore.FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC).putInt(8, VERSION).putInt(12, nodeSize).putInt(16, maxChildren)
                .putInt(20, configCrc(nodeSize, maxChildren)).put(24, (byte) (complete ? 1 : 0))
                .putLong(32, start).putLong(40, end).putInt(48, nodeCount).putInt(52, rootSeq).putInt(56, depth)
                .putInt(60, attributeCount).putLong(64, metaOffset).putLong(72, metaLength).putInt(80, metaCrc).putLong(88, intervals);
        var c = new CRC32C();
        c.update(b.array(), 0, 124);
        b.putInt(124, (int) c.getValue());
        b.clear();
        while (b.hasRemaining()) ch.write(b, b.position());
    }

    static FileHeader read(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < NodeStore.FILE_HEADER)
            throw new HistoryFileException(HistoryFileException.Problem.TRUNCATED, file, size,
                    "file has " + size + " bytes, shorter than the " + NodeStore.FILE_HEADER + "-byte header");
        var b = ByteBuffer.allocate(NodeStore.FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) if (ch.read(b, b.position()) < 0) break;
        if (b.getLong(0) != MAGIC)
            throw new HistoryFileException(HistoryFileException.Problem.NOT_A_HISTORY, file, 0, "bad magic");
        if (b.getInt(8) != VERSION)
            throw new HistoryFileException(HistoryFileException.Problem.NOT_A_HISTORY, file, 8,
                    "format version " + b.getInt(8) + ", this reader knows " + VERSION + ": rebuild needed");
        var c = new CRC32C();
        c.update(b.array(), 0, 124);
        if (b.getInt(124) != (int) c.getValue())
            throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, file, 124, "header checksum mismatch");
        int nodeSize = b.getInt(12), maxChildren = b.getInt(16);
        if (b.getInt(20) != configCrc(nodeSize, maxChildren))
            throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, file, 20, "configuration checksum mismatch");
        if (b.get(24) != 1)
            throw new HistoryFileException(HistoryFileException.Problem.INCOMPLETE, file, 24,
                    "the writer did not close the history (crash, kill, or still writing)");
        var h = new FileHeader(nodeSize, maxChildren, true, b.getLong(32), b.getLong(40), b.getInt(48), b.getInt(52),
                b.getInt(56), b.getInt(60), b.getLong(64), b.getLong(72), b.getInt(80), b.getLong(88));
        try {
            new Config(nodeSize, maxChildren);
        } catch (IllegalArgumentException e) {
            throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, file, 12, e.getMessage());
        }
        long expected = NodeStore.offset(h.nodeCount, nodeSize);
        if (h.nodeCount < 1 || h.rootSeq < 0 || h.rootSeq >= h.nodeCount || h.metaOffset != expected || h.metaLength < 8
                || h.metaLength > Integer.MAX_VALUE || h.start > h.end || h.depth < 1)
            throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, file, 48, "inconsistent header fields");
        if (size != expected + h.metaLength)
            throw new HistoryFileException(HistoryFileException.Problem.TRUNCATED, file, Math.min(size, expected + h.metaLength),
                    "file has " + size + " bytes, header says " + (expected + h.metaLength));
        return h;
    }
}
