package kvscope.analysis.combine;

import kvscope.analysis.model.ModelBuilder;
import kvscope.analysis.services.ServicesBuilder;
import kvscope.analysis.services.ServicesState;
import kvscope.analysis.sync.BusPairs;
import kvscope.ctf.Trace;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code pairs.bin}: what a host's model keeps beside it for an aggregator to combine it with other hosts' models
 * (docs/combine.md) — the host's name and time span, the ends of its cluster links with their messages (for the
 * clock synchronisation, {@link BusPairs}) and its publish messages with its servers' node ids (for the arrows
 * between hosts, {@link kvscope.analysis.model.BusExchange}), then its services before they are joined (for the
 * services linker run over every host's, and the clock synchronisation by the services' pairs, {@link ServicesState}).
 * All on the host's own clock.
 */
public final class HostPairs {
    static final long MAGIC = 0x6b76735061697273L; // "kvsPairs"
    /** 2: the services' state follows the bus log ({@link ServicesState}). */
    static final int FORMAT = 2;

    /** What the file says about its model: the model version it was made with, the host, its first and last event. */
    public record Header(int modelVersion, String host, long first, long last) {}

    private HostPairs() {}

    /** The one host of these traces, or null when they are of several (a model already synchronised). */
    public static String hostOf(Trace trace) {
        String host = null;
        for (var t : trace.traces()) {
            if (host != null && !host.equals(t.host())) return null;
            host = t.host();
        }
        return host;
    }

    /** Writes the file (under a temporary name, renamed when complete). */
    public static void write(Path file, int modelVersion, String host, long first, long last, BusPairs bus,
                             ModelBuilder builder, ServicesBuilder services) throws IOException {
        HostFile.write(file, MAGIC, FORMAT, modelVersion, host, out -> {
            out.writeLong(first);
            out.writeLong(last);
            bus.write(out);
            builder.exportBus(out);
            ServicesState.write(services, out);
        });
    }

    /** An open file, read in order: {@link #header}, then the link ends, then the bus log, then the services' state. */
    public static final class Reader implements AutoCloseable {
        public final Header header;
        public final DataInputStream in;

        public Reader(Path file) throws IOException {
            in = HostFile.open(file, MAGIC, FORMAT, "pairs");
            try {
                header = new Header(in.readInt(), in.readUTF(), in.readLong(), in.readLong());
            } catch (IOException e) {
                in.close();
                throw HostFile.cutShort(file, "pairs", e);
            }
        }

        @Override public void close() throws IOException { in.close(); }
    }
}
