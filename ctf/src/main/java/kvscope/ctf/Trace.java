package kvscope.ctf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A set of CTF traces read as one time-ordered sequence of events. See the package documentation for an example.
 *
 * <p>Opening parses every trace's metadata (errors there are thrown by {@link #open}); data stream errors are thrown
 * by the iteration when it reaches the damage in time order, after every event before it.
 */
public final class Trace implements Iterable<Event>, AutoCloseable {
    private final List<TraceData> data;
    private final List<TraceInfo> infos;
    private final List<TraceData.EventClass> classes = new ArrayList<>();
    private final Map<String, EventType> types = new LinkedHashMap<>();
    private final List<StreamCursor> open = new ArrayList<>();
    /** The cursors of the latest iteration (for {@link #bytesConsumed()}). */
    private List<StreamCursor> iterating = List.of();
    private final long[] bytesRead = new long[1];
    private final long totalBytes;
    private TimeRange range;
    /** A running session read through a relay ({@link #live}), or null. */
    private final LiveFeed live;
    private LiveMerge liveMerge;
    /** The live traces as compiled, in the order of {@link #data}. */
    private final List<LiveFeed.TraceText> liveTexts;

    /** First and last timestamps of a trace set (ns since the epoch), from its packets' begin and end times. */
    public record TimeRange(long start, long end) {}

    private Trace(List<Path> dirs, boolean plans) {
        liveTexts = List.of();
        data = new ArrayList<>();
        var infoList = new ArrayList<TraceInfo>();
        long total = 0;
        live = null;
        for (var dir : dirs) {
            var t = new TraceData(data.size(), dir, classes.size(), plans);
            add(t, infoList);
            for (var f : t.files) {
                try {
                    total += Files.size(f);
                } catch (IOException e) {
                    throw new CtfException(f, -1, "cannot read: " + e.getMessage(), e);
                }
            }
        }
        infos = List.copyOf(infoList);
        totalBytes = total;
    }

    private Trace(LiveFeed feed) {
        live = feed;
        data = new ArrayList<>();
        var infoList = new ArrayList<TraceInfo>();
        feed.awaitTraces();
        liveTexts = List.copyOf(feed.traces());
        for (var t : liveTexts) add(LiveMerge.compile(data.size(), t, classes.size()), infoList);
        infos = List.copyOf(infoList);
        totalBytes = 0;
    }

    private void add(TraceData t, List<TraceInfo> infoList) {
        data.add(t);
        infoList.add(t.info);
        for (var c : t.events) {
            classes.add(c);
            var type = types.computeIfAbsent(c.name, n -> new EventType(n, this, types.size()));
            type.classes.add(c);
            c.type = type;
        }
    }

    /**
     * Follows a running session: the traces it has when this returns (it waits for the first) are the set; the
     * iteration hands out their events in timestamp order up to the safe time — the smallest time every stream is
     * known to have reached (its last packet's end, or the relay's inactivity beacon) — and blocks until the streams
     * move on; it ends when the session does. See {@link LiveMerge}.
     *
     * @throws CtfException when a trace's metadata is invalid
     */
    public static Trace live(LiveFeed feed) {
        return new Trace(feed);
    }

    /** Whether this trace set follows a running session ({@link #live}). */
    public boolean isLive() { return live != null; }

    /** How the live reading goes so far (zeros when not live or not iterated yet). */
    public LiveStats liveStats() {
        return liveMerge == null ? LiveStats.NONE : liveMerge.stats();
    }

    /**
     * Opens CTF traces: each path is a trace directory (holding {@code metadata}) or a directory searched recursively
     * for them (LTTng's {@code ust/uid/0/64-bit}, {@code ust/pid/<proc>-<pid>-<date>/64-bit}, several hosts).
     *
     * @throws CtfException when a path does not exist, holds no trace, or a metadata file is invalid
     */
    public static Trace open(Path... paths) {
        return open(List.of(paths));
    }

    public static Trace open(List<Path> paths) {
        var dirs = new TreeSet<Path>();
        for (var p : paths) {
            var found = discover(p);
            if (found.isEmpty()) throw new CtfException(p, -1, "no CTF trace found (no 'metadata' file in it or below it)");
            dirs.addAll(found);
        }
        return new Trace(new ArrayList<>(dirs), true);
    }

    /** Opens traces decoded by the generic decoder only (no {@link EventPlan}): tests compare the two. */
    static Trace openWithoutPlans(List<Path> paths) {
        var dirs = new TreeSet<Path>();
        for (var p : paths) dirs.addAll(discover(p));
        return new Trace(new ArrayList<>(dirs), false);
    }

    /** How many event classes decode through an {@link EventPlan} (tests check that the plans are exercised). */
    int plannedClasses() {
        int n = 0;
        for (var c : classes) if (c.plan != null) n++;
        return n;
    }

    private static List<Path> discover(Path p) {
        if (!Files.exists(p)) throw new CtfException(p, -1, "does not exist");
        if (Files.isRegularFile(p)) {
            if (p.getFileName().toString().equals("metadata")) return List.of(p.toAbsolutePath().getParent());
            throw new CtfException(p, -1, "is a file; give a trace directory (the one holding 'metadata') or a directory above it");
        }
        if (Files.isRegularFile(p.resolve("metadata"))) return List.of(p.toAbsolutePath().normalize());
        try (var walk = Files.walk(p, 16)) {
            return walk.filter(d -> Files.isRegularFile(d.resolve("metadata")) && Files.isDirectory(d))
                    .map(d -> d.toAbsolutePath().normalize()).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new CtfException(p, -1, "cannot search the directory: " + e.getMessage(), e);
        }
    }

    /** The traces of the set, in the order used to break timestamp ties. */
    public List<TraceInfo> traces() { return infos; }

    /** The event type of that name (never null; {@link EventType#exists()} is false when no trace declares it). */
    public EventType eventType(String name) {
        var t = types.get(name);
        return t != null ? t : new EventType(name, this, -1);
    }

    /** Every event type declared by the traces. */
    public Collection<EventType> eventTypes() { return Collections.unmodifiableCollection(types.values()); }

    /**
     * A handle valid for every event type having that field: the way to read context fields such as {@code vtid},
     * {@code vpid} or {@code procname} on any event.
     */
    public Field field(String name) { return field(name, classes); }

    /**
     * A handle on the field in the event types {@code keep} accepts only: in the others {@link Event#has} is false,
     * as if they lacked it (a reader that found another layout there when the trace opened reads no value from it).
     */
    public Field field(String name, Predicate<EventType> keep) {
        var among = new ArrayList<TraceData.EventClass>();
        for (var c : classes) if (keep.test(c.type)) among.add(c);
        return field(name, among);
    }

    Field field(String name, List<TraceData.EventClass> among) {
        var slots = new int[classes.size() + 1];
        var nodes = new Node[classes.size() + 1];
        var plans = new EventPlan[classes.size() + 1];
        Arrays.fill(slots, -1);
        for (var c : among) {
            var r = c.fields.get(name);
            if (r != null) {
                slots[c.index] = r.slot();
                nodes[c.index] = r.node();
                plans[c.index] = c.plan;
            }
        }
        return new Field(name, slots, nodes, plans);
    }

    /**
     * Puts trace {@code index} on another clock: from now on its events' timestamps (and {@link #timeRange()}) are
     * {@code fix} applied to its own. For traces of several hosts, estimated from the traces themselves (see
     * kvscope.analysis.sync); call before iterating.
     */
    public void synchronize(int index, ClockFix fix) {
        data.get(index).fix = fix == null ? ClockFix.NONE : fix;
        range = null;
    }

    /** The correction applied to trace {@code index} ({@link ClockFix#NONE} unless {@link #synchronize} was called). */
    public ClockFix clockFix(int index) { return data.get(index).fix; }

    /** Total size of the data stream files in bytes (for progress: {@link #bytesRead()} / this). */
    public long totalBytes() { return totalBytes; }

    /** Bytes of data stream packets read so far by iterations of this trace set. */
    public long bytesRead() { return bytesRead[0]; }

    /**
     * How far the iteration is, in bytes of the data stream files: inside the packets it is in, not whole packets
     * as {@link #bytesRead()} counts them. A trace of a few packets per stream has read them all at its first event
     * (every stream's first packet is loaded to merge them): 100 % from the start by packets. A live session's
     * streams grow as it reads them: {@link #bytesRead()} then.
     */
    public long bytesConsumed() {
        if (live != null) return bytesRead[0];
        long n = 0;
        for (var c : iterating) n += c.consumed();
        return n;
    }

    /**
     * The time range covered by the packets of every stream. Reads only packet headers and contexts (cached).
     * @throws CtfException on a damaged packet header
     */
    public TimeRange timeRange() {
        if (range == null) {
            long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
            int order = 0;
            for (var t : data) {
                for (var f : t.files) {
                    var c = new StreamCursor(t, f, order++, new long[1]);
                    try {
                        long[] r = c.scanPackets();
                        if (r != null) {
                            lo = Math.min(lo, r[0]);
                            hi = Math.max(hi, r[1]);
                        }
                    } finally {
                        c.close();
                    }
                }
            }
            range = lo == Long.MAX_VALUE ? new TimeRange(0, 0) : new TimeRange(lo, hi);
        }
        return range;
    }

    /**
     * Iterates every event of every stream of every trace in timestamp order (ties: trace order, then stream file
     * order). The returned {@link Event} is the same object each time.
     * @throws CtfException from {@code hasNext()}/{@code next()} when a stream is damaged
     */
    @Override public Iterator<Event> iterator() {
        if (live != null) {
            if (liveMerge != null) throw new IllegalStateException("a live session is read once");
            liveMerge = new LiveMerge(live, liveTexts, data, classes, bytesRead);
            return liveMerge;
        }
        var cursors = new ArrayList<StreamCursor>();
        int order = 0;
        for (var t : data) {
            for (var f : t.files) {
                var c = new StreamCursor(t, f, order++, bytesRead);
                cursors.add(c);
                open.add(c);
            }
        }
        iterating = cursors;
        return new Merge(cursors, classes);
    }

    @Override public void close() {
        for (var c : open) c.close();
        open.clear();
    }

    /**
     * A binary heap of stream cursors ordered by (time, trace, file). It holds cursor numbers, not references, and
     * the event is pointed at a cursor's arrays only when they change: per event, this loop stores primitives only
     * (a reference store costs a GC write barrier).
     */
    private static final class Merge implements Iterator<Event> {
        private final StreamCursor[] cursors;
        private final int[] heap;
        private int size;
        private final Event event;
        /** The cursor whose event was handed out last (it moves on at the next hasNext), or -1. */
        private int current = -1;
        /**
         * The smallest key of the other cursors (the top's children): while the top cursor's next key stays below it,
         * the top stays the top and its events come one after the other without touching the heap.
         */
        private long runLimit;
        private final int lostIndex;

        Merge(List<StreamCursor> list, List<TraceData.EventClass> classes) {
            lostIndex = classes.size();
            var types = new EventType[lostIndex + 1];
            for (var c : classes) types[c.index] = c.type;
            types[lostIndex] = EventType.LOST;
            event = new Event(types);
            cursors = list.toArray(new StreamCursor[0]);
            heap = new int[cursors.length];
            for (int i = 0; i < cursors.length; i++) {
                var c = cursors[i];
                if (c.advance()) heap[size++] = i;
                else c.close();
            }
            for (int i = size / 2 - 1; i >= 0; i--) down(i);
            runLimit = childMin();
        }

        private long childMin() {
            long m = Long.MAX_VALUE;
            if (size > 1) m = cursors[heap[1]].key;
            if (size > 2) m = Math.min(m, cursors[heap[2]].key);
            return m;
        }

        private boolean less(int a, int b) {
            var x = cursors[a];
            var y = cursors[b];
            if (x.key != y.key) return x.key < y.key;
            // Cursors are numbered trace by trace, so the order alone breaks ties by trace, then stream file.
            return x.order < y.order;
        }

        private void down(int i) {
            var h = heap;
            int x = h[i];
            while (true) {
                int l = 2 * i + 1;
                if (l >= size) break;
                int m = l + 1 < size && less(h[l + 1], h[l]) ? l + 1 : l;
                if (!less(h[m], x)) break;
                h[i] = h[m];
                i = m;
            }
            h[i] = x;
        }

        private void removeTop() {
            heap[0] = heap[--size];
            if (size > 0) down(0);
            runLimit = childMin();
        }

        /**
         * Moves the cursor of the event handed out last to its next item and restores the heap order. The per-event
         * work is here, in one method the JIT compiles whole (hasNext and next stay small enough to be inlined into
         * the caller's loop, so an event costs one call).
         */
        private void step() {
            int i = current;
            current = -1;
            var c = cursors[i];
            if (c.advance()) {
                // Equal keys go through the heap: ties are broken by cursor order.
                if (c.key >= runLimit) {
                    down(0);
                    runLimit = childMin();
                }
            } else {
                c.close();
                removeTop();
            }
        }

        @Override public boolean hasNext() {
            if (current >= 0) step();
            return size > 0;
        }

        @Override public Event next() {
            if (current >= 0) step();
            if (size == 0) throw new NoSuchElementException();
            int i = heap[0];
            var c = cursors[i];
            if (c.kind == StreamCursor.ERROR) throw fail(c);
            current = i;
            event.load(c, c.kind == StreamCursor.EVENT ? c.clsIndex : lostIndex);
            return event;
        }

        private CtfException fail(StreamCursor c) {
            removeTop();
            c.close();
            return c.error;
        }
    }
}
