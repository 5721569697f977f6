package kvscope.analysis.combine;

import kvscope.analysis.model.ModelBuilder;
import kvscope.analysis.model.ReplicationSpool;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code repl.bin}: what a host's model keeps beside it so that an aggregator can pair a master and its replica on
 * different hosts as the one-go analysis pairs them (docs/combine.md; {@link ReplicationJoin}): the host's servers
 * (segment index, name, listening port), then its replication records in event order on its own clock — every write
 * a master fed, every apply of a replica whose master is not in this host's trace, every RDB a replica loaded
 * ({@link ReplicationSpool}).
 */
public final class HostReplication {
    public static final String FILE = "repl.bin";
    static final long MAGIC = 0x6b76735265706c00L; // "kvsRepl\0"
    static final int FORMAT = 1;

    private HostReplication() {}

    /** A server of the host: its segment index, name and port as the host's model has them. */
    public record Server(int index, String name, int port) {}

    /** Writes the file (under a temporary name, renamed when complete); after the builder's finish. */
    public static void write(Path file, int modelVersion, String host, ModelBuilder builder) throws IOException {
        HostFile.write(file, MAGIC, FORMAT, modelVersion, host, builder::exportReplication);
    }

    /** One record: {@code to} and {@code bytes} of an apply, {@code offset} and {@code fd} of a feed. */
    static final class Record {
        byte kind;
        int server, fd;
        long time, offset, bytes;
        String text;
    }

    /** An open file: the header and servers read, then the records one at a time ({@link #next}). */
    public static final class Reader implements AutoCloseable {
        final Path file;
        final int modelVersion;
        final String host;
        final List<Server> servers = new ArrayList<>();
        private final DataInputStream in;
        private final List<String> names = new ArrayList<>();

        public Reader(Path file) throws IOException {
            this.file = file;
            in = HostFile.open(file, MAGIC, FORMAT, "replication");
            try {
                modelVersion = in.readInt();
                host = in.readUTF();
                int n = in.readInt();
                if (n < 0 || n > 1 << 20) throw new IOException(file + ": " + n + " servers");
                for (int i = 0; i < n; i++) servers.add(new Server(in.readInt(), in.readUTF(), in.readInt()));
            } catch (IOException e) {
                in.close();
                throw HostFile.cutShort(file, "replication", e);
            }
        }

        public int modelVersion() { return modelVersion; }

        public String host() { return host; }

        /** Reads the next record into {@code r}; false at the end. */
        boolean next(Record r) throws IOException {
            try {
                while (true) {
                    r.kind = in.readByte();
                    switch (r.kind) {
                        case ReplicationSpool.RECORD_END -> {
                            return false;
                        }
                        case ReplicationSpool.RECORD_NAME -> {
                            int id = in.readInt();
                            var name = in.readUTF();
                            if (id != names.size()) throw new IOException(file + ": command name " + id + " out of order");
                            names.add(name);
                        }
                        case ReplicationSpool.RECORD_FEED -> {
                            r.server = in.readInt();
                            r.time = in.readLong();
                            r.offset = in.readLong();
                            r.fd = in.readInt();
                            int id = in.readInt();
                            if (id < 0 || id >= names.size()) throw new IOException(file + ": unknown command name " + id);
                            r.text = names.get(id);
                            return true;
                        }
                        case ReplicationSpool.RECORD_APPLY -> {
                            r.server = in.readInt();
                            r.time = in.readLong();
                            r.offset = in.readLong();
                            r.bytes = in.readLong();
                            r.fd = in.readInt();
                            r.text = in.readUTF();
                            return true;
                        }
                        case ReplicationSpool.RECORD_LOADED -> {
                            r.server = in.readInt();
                            r.time = in.readLong();
                            return true;
                        }
                        default -> throw new IOException(file + ": unknown record " + r.kind);
                    }
                }
            } catch (EOFException e) {
                throw new IOException(file + ": replication file cut short", e);
            }
        }

        @Override public void close() throws IOException { in.close(); }
    }
}
