package kvscope.statesystem;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A history's file (Trace Compass's HT_IO): its header, its nodes (through {@link NodeStore}) and, after the nodes,
 * the attribute tree and string table. Created incomplete; {@link #finish} writes what follows the nodes and
 * {@link #commit} makes the file durable and then says "complete" in its header, so a file whose writer died never
 * says complete. {@link #open} reads a complete file back. The layout: package documentation, {@link FileHeader},
 * {@link NodeFormat}.
 */
final class HistoryFile implements AutoCloseable {
    final Path path;
    final NodeStore store;
    final int nodeSize, maxChildren;
    private final FileChannel channel;
    /** The "complete" header that {@link #commit} writes once the rest is on disk. */
    private FileHeader completeHeader;

    private HistoryFile(Path path, FileChannel channel, int nodeSize, int maxChildren, boolean writable, int nodeCount) {
        this.path = path;
        this.channel = channel;
        this.nodeSize = nodeSize;
        this.maxChildren = maxChildren;
        this.store = new NodeStore(channel, path, nodeSize, maxChildren, writable, nodeCount);
    }

    /** Creates (or truncates) the file, with a header that says incomplete. */
    static HistoryFile create(Path path, Config config) throws IOException {
        var ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        var file = new HistoryFile(path, ch, config.nodeSize(), config.maxChildren(), true, 0);
        new FileHeader(config.nodeSize(), config.maxChildren(), false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).write(ch);
        return file;
    }

    /** A complete file, opened read-only, with what its header and metadata say. */
    record Opened(HistoryFile file, FileHeader header, AttributeTree attrs, Strings strings) {}

    /**
     * Opens a complete file read-only: checks the header, the length and the metadata, and maps the nodes (each
     * node's checksum is checked when a query first reaches it).
     *
     * @throws HistoryFileException if the file is not a history, incomplete, truncated or damaged
     */
    static Opened open(Path path) throws IOException {
        var ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            var hd = FileHeader.read(ch, path);
            byte[] meta = new byte[(int) hd.metaLength()];
            var buf = ByteBuffer.wrap(meta);
            while (buf.hasRemaining()) {
                if (ch.read(buf, hd.metaOffset() + buf.position()) < 0) break;
            }
            var crc = new CRC32C();
            crc.update(meta);
            if ((int) crc.getValue() != hd.metaCrc())
                throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, path, hd.metaOffset(),
                        "attribute tree / string table checksum mismatch");
            AttributeTree attrs;
            Strings strings;
            try (var in = new DataInputStream(new ByteArrayInputStream(meta))) {
                attrs = AttributeTree.read(in);
                strings = Strings.read(in);
            } catch (IOException e) {
                throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, path, hd.metaOffset(),
                        "unreadable attribute tree / string table: " + e.getMessage());
            }
            var file = new HistoryFile(path, ch, hd.nodeSize(), hd.maxChildren(), false, hd.nodeCount());
            file.store.mapAll();
            return new Opened(file, hd, attrs, strings);
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * After the last node: cuts the file after it, writes the attribute tree and string table, and prepares the
     * header that {@link #commit} writes. Nothing is forced to disk yet.
     */
    void finish(long start, long end, int nodeCount, int rootSeq, int depth, long intervals, AttributeTree attrs,
                Strings strings) throws IOException {
        channel.truncate(NodeStore.offset(nodeCount, nodeSize)); // a reader's mapped segment may have reached beyond
        store.complete();
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            attrs.write(out);
            strings.write(out);
        }
        byte[] meta = bytes.toByteArray();
        long metaOffset = NodeStore.offset(nodeCount, nodeSize);
        var buf = ByteBuffer.wrap(meta);
        while (buf.hasRemaining()) channel.write(buf, metaOffset + buf.position());
        var crc = new CRC32C();
        crc.update(meta);
        completeHeader = new FileHeader(nodeSize, maxChildren, true, start, end, nodeCount, rootSeq, depth,
                attrs.count(), metaOffset, meta.length, (int) crc.getValue(), intervals);
    }

    /** Forces the nodes and metadata to disk, then writes the header saying "complete". */
    void commit() throws IOException {
        if (completeHeader == null)
            throw new IllegalStateException("history " + path + ": commit() before finish(t), or twice");
        channel.force(false);
        completeHeader.write(channel);
        completeHeader = null;
    }

    /** Bytes of the file so far. */
    long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void close() throws IOException {
        channel.close();
    }
}
