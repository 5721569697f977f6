package kvscope.ctf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a {@code metadata} file as text: plain TSDL, or packetized (CTF 1.8 §7.1: packets with a 37-byte header
 * starting with magic 0x75D11D57 in the trace's byte order, content and packet sizes in bits).
 */
final class MetadataFile {
    static final int MAGIC = 0x75D11D57;
    static final int HEADER_BYTES = 37;
    /** Metadata larger than this is not something a tracer writes; refuse rather than exhaust memory. */
    static final long MAX_BYTES = 64L << 20;

    static String read(Path file) {
        byte[] all;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) throw new CtfException(file, 0, "metadata of " + size + " bytes is larger than the " + MAX_BYTES + " bytes allowed");
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CtfException(file, -1, "cannot read metadata: " + e.getMessage(), e);
        }
        return decode(file, all);
    }

    /** Metadata bytes as text ({@code file} names where they came from in messages). */
    static String decode(Path file, byte[] all) {
        if (all.length > MAX_BYTES) throw new CtfException(file, 0, "metadata of " + all.length + " bytes is larger than the " + MAX_BYTES + " bytes allowed");
        if (all.length >= 4) {
            var bb = ByteBuffer.wrap(all);
            int le = bb.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
            int be = bb.order(ByteOrder.BIG_ENDIAN).getInt(0);
            if (le == MAGIC) return packetized(file, all, ByteOrder.LITTLE_ENDIAN);
            if (be == MAGIC) return packetized(file, all, ByteOrder.BIG_ENDIAN);
        }
        if (all.length < 1) throw new CtfException(file, 0, "metadata is empty");
        return new String(all, StandardCharsets.UTF_8);
    }

    private static String packetized(Path file, byte[] all, ByteOrder order) {
        var bb = ByteBuffer.wrap(all).order(order);
        var text = new StringBuilder();
        long off = 0;
        while (off < all.length) {
            if (all.length - off < HEADER_BYTES)
                throw new CtfException(file, off, "truncated metadata packet header (" + (all.length - off) + " of " + HEADER_BYTES + " bytes)");
            int magic = bb.getInt((int) off);
            if (magic != MAGIC) throw new CtfException(file, off, String.format("bad metadata packet magic 0x%08X, expected 0x%08X", magic, MAGIC));
            long content = Integer.toUnsignedLong(bb.getInt((int) off + 24));
            long packet = Integer.toUnsignedLong(bb.getInt((int) off + 28));
            int compression = all[(int) off + 32], encryption = all[(int) off + 33], checksum = all[(int) off + 34];
            if (compression != 0 || encryption != 0 || checksum != 0)
                throw new CtfException(file, off + 32, "compressed, encrypted or checksummed metadata is not supported");
            if (content % 8 != 0 || packet % 8 != 0 || content < HEADER_BYTES * 8L || packet < content)
                throw new CtfException(file, off + 24, "metadata packet sizes are impossible (content " + content + " bits, packet " + packet + " bits)");
            if (off + packet / 8 > all.length)
                throw new CtfException(file, off + 28, "metadata packet of " + packet / 8 + " bytes runs past the end of the file (" + (all.length - off) + " bytes left)");
            text.append(new String(all, (int) off + HEADER_BYTES, (int) (content / 8) - HEADER_BYTES, StandardCharsets.UTF_8));
            off += packet / 8;
        }
        return text.toString();
    }

    private MetadataFile() {}
}
