package kvscope.analysis.services;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

import static kvscope.analysis.services.ServicesFormat.*;

/**
 * A completed {@code services.bin}, memory-mapped: spans by index (sorted by start), their parts, the names, the
 * services and their lanes, the join statistics and the problems. Reads allocate nothing but what they return; safe
 * for concurrent readers.
 */
public final class ServicesFile implements AutoCloseable {
    /** Records per mapped chunk (a mapping holds at most 2 GiB). */
    private static final int CHUNK = 1 << 20;

    /** A service: its name and how many lanes (rows) its concurrent requests need. */
    public record Service(String name, int lanes) {}

    private final FileChannel ch;
    private final long count, partCount, maxDuration, start, end;
    private final MappedByteBuffer[] spans, parts;
    private final List<String> names;
    private final List<Service> services;
    private final Map<String, Long> stats, events;
    /** Spans never answered, by index (in start order): outside the bound of {@link #maxDuration}. */
    private final int[] unanswered;
    private final Problems problems;

    private ServicesFile(FileChannel ch, long count, long partCount, long maxDuration, long start, long end,
                         MappedByteBuffer[] spans, MappedByteBuffer[] parts, List<String> names, List<Service> services,
                         int[] unanswered, Map<String, Long> stats, Map<String, Long> events, Problems problems) {
        this.ch = ch;
        this.unanswered = unanswered;
        this.count = count;
        this.partCount = partCount;
        this.maxDuration = maxDuration;
        this.start = start;
        this.end = end;
        this.spans = spans;
        this.parts = parts;
        this.names = names;
        this.services = services;
        this.stats = stats;
        this.events = events;
        this.problems = problems;
    }

    /** Opens a file written by {@link ServicesWriter}; an incomplete or damaged file is refused, saying where. */
    public static ServicesFile open(Path path) throws IOException {
        var ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < HEADER) throw damaged(path, 0, "file shorter than its header (" + size + " bytes)");
            var h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            while (h.hasRemaining() && ch.read(h, h.position()) > 0) { }
            h.flip();
            if (h.getLong() != MAGIC) throw damaged(path, 0, "not a kvscope services file (bad magic)");
            int version = h.getInt();
            if (version != VERSION) throw damaged(path, 8, "format version " + version + ", expected " + VERSION);
            if (h.getInt() != 1) throw damaged(path, 12, "incomplete: the analysis that wrote it did not finish");
            long count = h.getLong(), partCount = h.getLong(), maxDuration = h.getLong(), footer = h.getLong();
            long start = h.getLong(), end = h.getLong();
            if (count < 0 || partCount < 0 || count > size / RECORD || partCount > size / PART
                    || footer != HEADER + count * RECORD + partCount * PART || footer > size || maxDuration < 0) {
                throw damaged(path, 16, count + " spans and " + partCount + " parts do not fit the file size " + size);
            }
            var spans = map(ch, HEADER, count, RECORD);
            var parts = map(ch, HEADER + count * RECORD, partCount, PART);
            var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch.position(footer))));
            int nNames = bounded(in.readInt(), 50_000_000, path, footer, "names");
            var names = new ArrayList<String>(nNames);
            for (int i = 0; i < nNames; i++) names.add(in.readUTF());
            int nServices = bounded(in.readInt(), nNames, path, footer, "services");
            var services = new ArrayList<Service>(nServices);
            var byId = new int[nServices];
            for (int i = 0; i < nServices; i++) {
                int id = in.readInt(), lanes = in.readInt();
                if (id < 0 || id >= nNames || lanes < 0) throw damaged(path, footer, "service " + i + " names " + id);
                byId[i] = id;
                services.add(new Service(names.get(id), lanes));
            }
            int nUnanswered = bounded(in.readInt(), (int) Math.min(Integer.MAX_VALUE, count), path, footer, "unanswered spans");
            var unanswered = new int[nUnanswered];
            for (int i = 0; i < nUnanswered; i++) {
                unanswered[i] = in.readInt();
                if (unanswered[i] < 0 || unanswered[i] >= count) throw damaged(path, footer, "unanswered span " + unanswered[i]);
            }
            var stats = counts(in, path, footer);
            var events = counts(in, path, footer);
            int nProblems = bounded(in.readInt(), 100_000, path, footer, "problems");
            var list = new ArrayList<Problems.Problem>();
            for (int i = 0; i < nProblems; i++) {
                var what = in.readUTF();
                long n = in.readLong();
                int nx = bounded(in.readInt(), 1000, path, footer, "examples");
                var ex = new ArrayList<String>();
                for (int k = 0; k < nx; k++) ex.add(in.readUTF());
                list.add(new Problems.Problem(what, n, List.copyOf(ex)));
            }
            return new ServicesFile(ch, count, partCount, maxDuration, start, end, spans, parts, List.copyOf(names),
                    List.copyOf(services), unanswered, stats, events, Problems.of(list));
        } catch (EOFException e) {
            ch.close();
            throw damaged(path, -1, "truncated footer");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static MappedByteBuffer[] map(FileChannel ch, long at, long n, int size) throws IOException {
        var out = new MappedByteBuffer[(int) ((n + CHUNK - 1) / CHUNK)];
        for (int i = 0; i < out.length; i++) {
            long first = (long) i * CHUNK;
            out[i] = ch.map(FileChannel.MapMode.READ_ONLY, at + first * size, Math.min(CHUNK, n - first) * size);
            out[i].order(ByteOrder.LITTLE_ENDIAN);
        }
        return out;
    }

    private static Map<String, Long> counts(DataInputStream in, Path path, long footer) throws IOException {
        int n = bounded(in.readInt(), 100_000, path, footer, "counters");
        var m = new LinkedHashMap<String, Long>();
        for (int i = 0; i < n; i++) m.put(in.readUTF(), in.readLong());
        return Collections.unmodifiableMap(m);
    }

    private static int bounded(int n, int max, Path path, long at, String what) throws IOException {
        if (n < 0 || n > max) throw damaged(path, at, n + " " + what);
        return n;
    }

    private static IOException damaged(Path path, long offset, String what) {
        return new IOException(path + (offset >= 0 ? " at byte " + offset : "") + ": " + what
                + "; run `kvscope analyze --force` to rebuild it");
    }

    public long count() { return count; }
    public long partCount() { return partCount; }
    /** The first and last event of the trace (ns since the epoch). */
    public long start() { return start; }
    public long end() { return end; }
    /** The longest answered span, to bound time-range searches (unanswered ones are listed apart). */
    public long maxDuration() { return maxDuration; }
    public List<Service> services() { return services; }
    /** What the joins found: hops, links, and what could not be joined. */
    public Map<String, Long> stats() { return stats; }
    /** Agent events used, by name. */
    public Map<String, Long> events() { return events; }
    public List<Problems.Problem> problems() { return problems.all(); }
    public String name(int id) { return id < 0 || id >= names.size() ? null : names.get(id); }

    private ByteBuffer rec(long i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("span " + i + " of " + count);
        return spans[(int) (i / CHUNK)];
    }

    private static int at(long i, int field) { return (int) (i % CHUNK) * RECORD + field; }

    public SpanKind kind(long i) { return SpanKind.ALL[rec(i).get(at(i, KIND))]; }
    public int flags(long i) { return rec(i).getShort(at(i, FLAGS)) & 0xFFFF; }
    public int serviceId(long i) { return rec(i).getInt(at(i, SERVICE)); }
    public String service(long i) { return name(serviceId(i)); }
    public int pid(long i) { return rec(i).getInt(at(i, PID)); }
    public int lane(long i) { return rec(i).getInt(at(i, LANE)); }
    public long spanId(long i) { return rec(i).getLong(at(i, SPAN_ID)); }
    public int parent(long i) { return rec(i).getInt(at(i, PARENT)); }
    public int firstChild(long i) { return rec(i).getInt(at(i, FIRST_CHILD)); }
    public int nextSibling(long i) { return rec(i).getInt(at(i, NEXT_SIBLING)); }
    /**
     * HTTP status; rows for a MariaDB call; for a Redis call, how many error replies the chunk that answered it held
     * (the agent counts them per chunk: {@link #failed} when all of the chunk's replies were errors).
     */
    public int status(long i) { return rec(i).getInt(at(i, STATUS)); }
    public long start(long i) { return rec(i).getLong(at(i, START)); }
    /** {@link Long#MIN_VALUE} when never answered. */
    public long end(long i) { return rec(i).getLong(at(i, END)); }
    public boolean finished(long i) { return end(i) != Spans.UNKNOWN; }
    public long bytes(long i) { return rec(i).getLong(at(i, BYTES)); }
    public String method(long i) { return name(rec(i).getInt(at(i, METHOD))); }
    /** The route pattern the application matched (Express), or null. */
    public String route(long i) { return name(rec(i).getInt(at(i, ROUTE))); }
    public String path(long i) { return name(rec(i).getInt(at(i, PATH))); }
    /** The command of a Redis or MariaDB call (null: a pipelined Redis command), the host of an HTTP call. */
    public String name(long i) { return name(rec(i).getInt(at(i, NAME))); }
    public String srcAddr(long i) { return name(rec(i).getInt(at(i, SRC_ADDR))); }
    public int srcPort(long i) { return rec(i).getInt(at(i, SRC_PORT)); }
    public String dstAddr(long i) { return name(rec(i).getInt(at(i, DST_ADDR))); }
    public int dstPort(long i) { return rec(i).getInt(at(i, DST_PORT)); }
    /** An HTTP span's other end (span index), a Redis call's request (segment index); -1 when none. */
    public long link(long i) { return rec(i).getLong(at(i, LINK)); }
    public String error(long i) { return name(rec(i).getInt(at(i, ERROR))); }
    public int trace(long i) { return rec(i).getInt(at(i, TRACE)); }

    public boolean has(long i, int flag) { return (flags(i) & flag) != 0; }
    public boolean aborted(long i) { return has(i, Spans.ABORTED); }
    public boolean unfinished(long i) { return has(i, Spans.UNFINISHED); }
    public boolean failed(long i) { return has(i, Spans.ERROR); }
    public boolean lost(long i) { return has(i, Spans.LOST); }
    public boolean noPeer(long i) { return has(i, Spans.NO_PEER); }
    /** Started before the recording: a request in flight at the agent's snapshot, its start as the agent kept it. */
    public boolean startedBefore(long i) { return has(i, Spans.BEFORE); }
    /** A Redis call linked by order to a request of another command: its times are not trusted. */
    public boolean linkedToOtherCommand(long i) { return has(i, Spans.OTHER_COMMAND); }
    /**
     * A Redis call that Redis processed without executing it as a request — refused (MOVED, an unknown command or
     * subcommand: the reply is an error) or queued by MULTI — so it has no request segment: its place among the
     * commands Redis processed on that connection was found, not a segment.
     */
    public boolean notExecuted(long i) { return has(i, Spans.NOT_EXECUTED); }

    /**
     * A request entering the traced services: a server span called by no traced service (its caller, if traced, made
     * the call at top level — an instrumented load generator). "Where the time went" is told for these.
     */
    public boolean isEntry(long i) {
        if (kind(i) != SpanKind.SERVER) return false;
        int p = parent(i);
        return p < 0 || parent(p) < 0;
    }

    /** The route a server span is grouped by: its method and matched route, else its path with ids generalised. */
    public String routeKey(long i) {
        var r = route(i);
        var m = method(i);
        return (m == null ? "" : m + " ") + (r != null ? r : Routes.generalise(path(i)));
    }

    /** The parts of a span's latency, largest first (answered server spans; empty otherwise). */
    public List<Part> parts(long i) {
        var b = rec(i);
        int first = b.getInt(at(i, PARTS_FIRST)), n = b.getInt(at(i, PARTS_COUNT));
        if (first < 0 || n <= 0) return List.of();
        var out = new ArrayList<Part>(n);
        for (long k = first; k < (long) first + n && k < partCount; k++) {
            var p = parts[(int) (k / CHUNK)];
            int o = (int) (k % CHUNK) * PART;
            int kind = p.get(o);
            if (kind < 0 || kind >= PartKind.ALL.length) continue; // written by a newer kvscope
            out.add(new Part(PartKind.ALL[kind], name(p.getInt(o + 4)), p.getLong(o + 8)));
        }
        return out;
    }

    /** The calls a span made and, for an HTTP call, the server span it reached: its children, in start order. */
    public List<Integer> children(long i) {
        var out = new ArrayList<Integer>();
        for (int c = firstChild(i); c >= 0 && out.size() < count; c = nextSibling(c)) out.add(c);
        return out;
    }

    /** The first span that starts at or after t (count when none). */
    public long firstStartingAt(long t) {
        long lo = 0, hi = count;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (start(mid) < t) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * Visits the spans that overlap [t0, t1]: the unanswered ones that started before the range first (they last to
     * the end of the trace), then the others in start order.
     */
    public void forEach(long t0, long t1, LongConsumer visitor) {
        long from = firstStartingAt(t0 > Long.MIN_VALUE + maxDuration ? t0 - maxDuration : Long.MIN_VALUE);
        for (int u : unanswered) if (u < from && start(u) <= t1) visitor.accept(u);
        for (long i = from; i < count; i++) {
            long s = start(i);
            if (s > t1) break;
            long e = end(i);
            if ((e == Spans.UNKNOWN ? end : e) < t0) continue;
            visitor.accept(i);
        }
    }

    @Override public void close() throws IOException { ch.close(); }
}
