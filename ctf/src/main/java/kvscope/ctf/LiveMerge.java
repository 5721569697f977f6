package kvscope.ctf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The streams of a running session merged in timestamp order, as they arrive ({@link Trace#live}).
 *
 * <p>An event is handed out only once no stream can still bring an earlier one: its time is at most the <em>safe
 * time</em>, the smallest time reached by the streams that have nothing decoded — the end of the last packet they
 * gave, or the relay's inactivity beacon for a quiet stream. That is babeltrace2's rule for lttng-live (wait for the
 * slowest stream); it keeps the output in order, so the model sees the same sequence as when reading the finished
 * trace. Only the streams behind the next event are asked for more, one packet at a time: memory is one packet per
 * stream, whatever the session's length, and the relay's files are the queue.
 *
 * <p>Metadata that grows (a process registering new events) is compiled again; the events of classes declared before
 * the reading started keep their meaning, those declared after are counted ({@link LiveStats#lateEvents}) — the
 * model's handlers were resolved against the first set.
 */
final class LiveMerge implements Iterator<Event> {
    private static final class Live {
        final LiveFeed.StreamRef ref;
        final int trace;
        final int order;
        StreamCursor cursor;
        int version;
        long knownUntil = Long.MIN_VALUE;
        boolean inHeap, ended;

        Live(LiveFeed.StreamRef ref, int trace, int order) {
            this.ref = ref;
            this.trace = trace;
            this.order = order;
        }
    }

    private final LiveFeed feed;
    private final List<TraceData> first;
    private final Map<Long, Integer> traceById = new HashMap<>();
    /** Per trace: the newest compiled metadata (new cursors use it), its version and the first class count. */
    private final TraceData[] newest;
    private final int[] versions, firstCounts;
    private final List<Live> streams = new ArrayList<>();
    private final Set<Long> unread = new HashSet<>();
    private final long[] bytesRead;
    private final Event event;
    private final int lostIndex;
    private int[] heap = new int[8];
    private int size;
    private int current = -1;
    // Volatile: stats() is read by other threads (a server telling how far behind the model is).
    private volatile long safe = Long.MIN_VALUE;
    private volatile long packets, packetBytes, waits, beacons, maxPacket, late, handed = Long.MIN_VALUE,
            firstHanded = Long.MIN_VALUE;

    LiveMerge(LiveFeed feed, List<LiveFeed.TraceText> texts, List<TraceData> data, List<TraceData.EventClass> classes, long[] bytesRead) {
        this.feed = feed;
        this.first = data;
        this.bytesRead = bytesRead;
        newest = data.toArray(new TraceData[0]);
        versions = new int[data.size()];
        firstCounts = new int[data.size()];
        for (int i = 0; i < data.size(); i++) {
            traceById.put(texts.get(i).id(), i);
            versions[i] = texts.get(i).version();
            firstCounts[i] = data.get(i).events.size();
        }
        lostIndex = classes.size();
        var types = new EventType[lostIndex + 1];
        for (var c : classes) types[c.index] = c.type;
        types[lostIndex] = EventType.LOST;
        event = new Event(types);
    }

    /** Compiles a live trace's metadata text. */
    static TraceData compile(int index, LiveFeed.TraceText t, int firstClass) {
        var file = t.dir().resolve("metadata");
        return new TraceData(index, t.dir(), file, MetadataFile.decode(file, t.metadata()), firstClass, true, List.of());
    }

    LiveStats stats() {
        // Covered: the last event handed out, or further when quiet streams' beacons moved the safe time past it.
        long covered = safe != Long.MAX_VALUE && safe > handed && handed != Long.MIN_VALUE ? safe : handed;
        return new LiveStats(streams.size(), packets, packetBytes, waits, beacons, maxPacket, late, unread.size(),
                firstHanded, covered);
    }

    @Override public boolean hasNext() {
        if (current >= 0) step();
        while (true) {
            addStreams();
            if (size > 0) {
                var top = streams.get(heap[0]);
                var c = top.cursor;
                if (c.key <= safe) {
                    if (c.kind == StreamCursor.EVENT && c.clsIndex - newest[top.trace].events.get(0).index >= firstCounts[top.trace]) {
                        late++;
                        current = heap[0];
                        step();
                        continue;
                    }
                    return true;
                }
            } else if (allEnded() && feed.ended()) {
                return false;
            }
            if (!pull(size > 0 ? streams.get(heap[0]).cursor.key : Long.MAX_VALUE)) {
                waits++;
                feed.idle();
            }
        }
    }

    @Override public Event next() {
        if (!hasNext()) throw new NoSuchElementException();
        int i = heap[0];
        var c = streams.get(i).cursor;
        if (c.kind == StreamCursor.ERROR) {
            removeTop();
            streams.get(i).ended = true;
            recomputeSafe();
            throw c.error;
        }
        current = i;
        if (c.key > handed) handed = c.key;
        if (firstHanded == Long.MIN_VALUE) firstHanded = c.key;
        event.load(c, c.kind == StreamCursor.EVENT ? c.clsIndex : lostIndex);
        return event;
    }

    private boolean allEnded() {
        for (var s : streams) if (!s.ended) return false;
        return true;
    }

    private void addStreams() {
        var added = feed.newStreams();
        // Almost always none: the safe time is kept by step(), pull() and the error path; only new streams move it here.
        if (added.isEmpty()) return;
        for (var ref : added) {
            Integer t = traceById.get(ref.traceId());
            if (t == null) {
                unread.add(ref.id());
                continue;
            }
            var s = new Live(ref, t, streams.size());
            s.version = versions[t];
            s.cursor = new StreamCursor(newest[t], ref.file(), s.order, bytesRead);
            streams.add(s);
            if (heap.length < streams.size()) heap = Arrays.copyOf(heap, streams.size() * 2);
        }
        recomputeSafe();
    }

    /** Moves the stream of the event handed out last to its next item. */
    private void step() {
        int i = current;
        current = -1;
        var s = streams.get(i);
        if (s.cursor.advance()) {
            down(0);
        } else {
            removeTop();
            s.inHeap = false;
            s.knownUntil = Math.max(s.knownUntil, s.cursor.packetEndNs());
            if (s.knownUntil < safe || safe == Long.MIN_VALUE) recomputeSafe();
            else safe = Math.min(safe, s.knownUntil);
        }
    }

    /**
     * Asks the relay for the next packet of every waiting stream that is behind {@code until} (the next event's time).
     * False when none of them had anything new.
     */
    private boolean pull(long until) {
        boolean moved = false;
        for (int i = 0; i < streams.size(); i++) {
            var s = streams.get(i);
            if (s.inHeap || s.ended || s.knownUntil >= until) continue;
            var next = feed.next(s.ref.id());
            if (next instanceof LiveFeed.Packet p) {
                packets++;
                packetBytes += p.length();
                maxPacket = Math.max(maxPacket, p.length());
                refresh(s);
                s.cursor.feed(p.offset(), p.bytes(), p.length());
                if (s.cursor.advance()) {
                    s.inHeap = true;
                    heap[size] = i;
                    up(size++);
                } else {
                    s.knownUntil = Math.max(s.knownUntil, s.cursor.packetEndNs());
                }
                moved = true;
            } else if (next instanceof LiveFeed.Quiet q) {
                long ns = newest[s.trace].toNs(q.untilCycles());
                if (ns > s.knownUntil) {
                    s.knownUntil = ns;
                    beacons++;
                    moved = true;
                }
            } else if (next instanceof LiveFeed.Hangup) {
                s.ended = true;
                moved = true;
            }
        }
        recomputeSafe();
        return moved;
    }

    /** A stream whose trace's metadata grew decodes its next packets with the new metadata. */
    private void refresh(Live s) {
        int t = s.trace;
        var texts = feed.traces();
        LiveFeed.TraceText text = null;
        for (var x : texts) if (traceById.get(x.id()) != null && traceById.get(x.id()) == t) text = x;
        if (text == null) return;
        if (text.version() != versions[t]) {
            var old = newest[t];
            var td = compile(t, text, first.get(t).events.isEmpty() ? indexAfter(t) : first.get(t).events.get(0).index);
            var orig = first.get(t);
            for (int k = 0; k < orig.events.size(); k++) {
                var a = orig.events.get(k);
                var b = k < td.events.size() ? td.events.get(k) : null;
                if (b == null || !b.name.equals(a.name) || b.id != a.id || b.stream.id != a.stream.id)
                    throw new CtfException(text.dir().resolve("metadata"), -1, "the metadata grew in a way that changes"
                            + " what earlier events mean (event class " + a.name + " id " + a.id + "): cannot go on");
                b.type = a.type;
            }
            td.fix = old.fix;
            newest[t] = td;
            versions[t] = text.version();
        }
        if (s.version != versions[t]) {
            var c = new StreamCursor(newest[t], s.ref.file(), s.order, bytesRead);
            c.continueFrom(s.cursor);
            s.cursor = c;
            s.version = versions[t];
        }
    }

    private int indexAfter(int t) {
        int n = 0;
        for (int k = 0; k < t; k++) n += first.get(k).events.size();
        return n;
    }

    private void recomputeSafe() {
        long m = Long.MAX_VALUE;
        for (var s : streams) if (!s.inHeap && !s.ended) m = Math.min(m, s.knownUntil);
        safe = m;
    }

    private boolean less(int a, int b) {
        var x = streams.get(a);
        var y = streams.get(b);
        if (x.cursor.key != y.cursor.key) return x.cursor.key < y.cursor.key;
        return x.order < y.order;
    }

    private void up(int i) {
        int x = heap[i];
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!less(x, heap[p])) break;
            heap[i] = heap[p];
            i = p;
        }
        heap[i] = x;
    }

    private void down(int i) {
        int x = heap[i];
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) break;
            int m = l + 1 < size && less(heap[l + 1], heap[l]) ? l + 1 : l;
            if (!less(heap[m], x)) break;
            heap[i] = heap[m];
            i = m;
        }
        heap[i] = x;
    }

    private void removeTop() {
        heap[0] = heap[--size];
        if (size > 0) down(0);
    }
}
