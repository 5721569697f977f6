package kvscope.analysis.combine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The frame both files a host model keeps for an aggregator share ({@link HostPairs}, {@link HostReplication}): a
 * magic number, a format, the model version and the host's name, then the file's own body; written under a temporary
 * name and renamed when complete, so an aggregator never reads a half-written file.
 */
final class HostFile {
    private HostFile() {}

    /** The body of a file, written after its header. */
    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    static void write(Path file, long magic, int format, int modelVersion, String host, Body body) throws IOException {
        var tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeLong(magic);
            out.writeInt(format);
            out.writeInt(modelVersion);
            out.writeUTF(host);
            body.write(out);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Opens a file and checks its magic and format; the stream is then at the model version. {@code what} names the
     * kind of file in messages ("pairs", "replication").
     */
    static DataInputStream open(Path file, long magic, int format, String what) throws IOException {
        var in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        try {
            if (in.readLong() != magic) throw new IOException(file + ": not a kvscope " + what + " file");
            int f = in.readInt();
            if (f != format) throw new IOException(file + ": " + what + " format " + f + ", this kvscope reads " + format);
            return in;
        } catch (IOException e) {
            in.close();
            throw cutShort(file, what, e);
        }
    }

    /** A header or record read past the end is a file cut short; other errors as they are. */
    static IOException cutShort(Path file, String what, IOException e) {
        return e instanceof EOFException ? new IOException(file + ": " + what + " file cut short", e) : e;
    }
}
