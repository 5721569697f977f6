package kvscope.analysis.combine;

import kvscope.ctf.ClockFix;
import kvscope.statesystem.History;
import kvscope.statesystem.ValueKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;

/**
 * One State History Tree from several hosts' (docs/combine.md): every interval of every host, put on the reference
 * clock, replayed in time order into a new history — each state change at the time the one-go analysis would have
 * made it, since both apply the same correction to the same timestamps. A host's attributes keep their paths (its
 * servers are roots named after the host, so paths of two hosts never meet).
 *
 * <p>Memory: a host's intervals are read a window of its time at a time ({@link #WINDOW_INTERVALS} on average) and
 * sorted there; an interval that spans several windows is seen in each and replayed once, in the window it starts.
 */
public final class HistoryMerge {
    /**
     * Intervals read per window and host, on average (~2.5 MB of columns). Why not more: with 2^20 a combine of two
     * hosts of 0.5 M events spent 1.9 s of 7 s in old-generation collections of the columns; an interval that spans
     * many windows is read once per window, which costs less.
     */
    static final long WINDOW_INTERVALS = 1 << 16;
    private static final ValueKind[] KINDS = ValueKind.values();

    private HistoryMerge() {}

    /** Changes handed to the history per lock (History.apply). */
    private static final int BATCH = 4096;
    /** A window's sort key is (start − window start) · 2^27 + index: the window is at most 2^36 ns, 2^27 intervals. */
    private static final int INDEX_BITS = 27;
    private static final long MAX_WINDOW_NS = 1L << 36;

    /**
     * Replays {@code hosts} (corrected by {@code fixes}) into {@code out}; returns the intervals replayed.
     * {@code roots} renames a host's root attributes (a server whose name another host's server has);
     * {@code progress} is told the intervals replayed so far every few thousand.
     */
    public static long merge(List<History> hosts, List<ClockFix> fixes, List<UnaryOperator<String>> roots, History out,
                             LongConsumer progress) {
        return merge(hosts, fixes, roots, hosts.stream().map(h -> Map.<String, String>of()).toList(), new Changes(), out,
                progress);
    }

    /**
     * As {@link #merge(List, List, List, History, LongConsumer)}, with a host's attributes renamed ({@code renames}:
     * per host, an attribute's path — its names joined by NUL, the root's as the host has it — to its new name) and
     * {@code extra} state changes (on the reference clock, in time order) replayed among the hosts' intervals.
     */
    public static long merge(List<History> hosts, List<ClockFix> fixes, List<UnaryOperator<String>> roots,
                             List<Map<String, String>> renames, Changes extra, History out, LongConsumer progress) {
        // At one time a host's interval first, then a change made here: a host's attribute that began empty (NULL) at
        // the time of the change keeps the change.
        var queue = new PriorityQueue<Input>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Integer.compare(a.rank, b.rank));
        for (int i = 0; i < hosts.size(); i++) {
            var s = new Source(hosts.get(i), fixes.get(i), roots.get(i), renames.get(i), out);
            if (s.next()) queue.add(s);
        }
        var more = extra.input(out);
        if (more.next()) queue.add(more);
        long[] n = {0};
        out.apply(w -> {
            for (int k = 0; k < BATCH; k++) {
                var s = queue.poll();
                if (s == null) return false;
                s.replay(w);
                n[0]++;
                if (s.next()) queue.add(s);
            }
            progress.accept(n[0]);
            return true;
        });
        return n[0];
    }

    /** Intervals (or changes) in time order: {@link #at} is the next one's corrected start. */
    private abstract static class Input {
        long at;
        /** At equal times, lower first. */
        int rank;

        abstract boolean next();

        abstract void replay(History.Writer out);
    }

    /** State changes made at the aggregator (a replica's lag paired across hosts), by attribute path, in time order. */
    public static final class Changes {
        private final List<List<String>> paths = new ArrayList<>();
        private final Map<List<String>, Integer> ids = new HashMap<>();
        private long[] times = new long[256], values = new long[256];
        private int[] path = new int[256];
        private int size;

        /** The attribute at {@code p} holds {@code v} from {@code t} (not before the previous change's time). */
        public void set(long t, List<String> p, long v) {
            if (size == times.length) {
                times = Arrays.copyOf(times, size * 2);
                values = Arrays.copyOf(values, size * 2);
                path = Arrays.copyOf(path, size * 2);
            }
            Integer id = ids.get(p);
            if (id == null) {
                id = paths.size();
                paths.add(p);
                ids.put(p, id);
            }
            times[size] = t;
            values[size] = v;
            path[size++] = id;
        }

        public int size() { return size; }

        Input input(History out) {
            var quarks = paths.stream().mapToInt(p -> out.getOrCreate(p.toArray(String[]::new))).toArray();
            return new Input() {
                int pos = -1;

                {
                    rank = 1;
                }

                @Override boolean next() {
                    if (++pos >= size) return false;
                    at = times[pos];
                    return true;
                }

                @Override void replay(History.Writer w) { w.set(at, quarks[path[pos]], values[pos]); }
            };
        }
    }

    /** One host's intervals in start order, a window at a time. */
    private static final class Source extends Input {
        final History h;
        final ClockFix fix;
        final int[] map, all;
        final long window;
        long from;
        // The current window's intervals, their sort keys (start, then index) in order, and the position in them.
        int size, pos = -1;
        long[] start = new long[1024], bits = new long[1024], keys = new long[1024];
        int[] quark = new int[1024];
        byte[] kind = new byte[1024];
        String[] text = new String[1024];

        Source(History h, ClockFix fix, UnaryOperator<String> root, Map<String, String> renames, History out) {
            this.h = h;
            this.fix = fix;
            int count = h.attributeCount();
            map = new int[count];
            all = new int[count];
            var paths = renames.isEmpty() ? null : new String[count];
            for (int q = 0; q < count; q++) {
                all[q] = q;
                int p = h.parent(q);
                var name = h.name(q);
                if (paths != null) {
                    paths[q] = p < 0 ? name : paths[p] + "\u0000" + name;
                    name = renames.getOrDefault(paths[q], name);
                }
                // Parents come before their children in quark order.
                map[q] = p < 0 ? out.getOrCreate(root.apply(name)) : out.getOrCreateUnder(map[p], name);
            }
            long span = Math.max(1, h.end() - h.start() + 1);
            long intervals = Math.max(1, h.intervalCount());
            window = Math.max(1, Math.min(MAX_WINDOW_NS, (long) (span * Math.min(1.0, (double) WINDOW_INTERVALS / intervals))));
            from = h.start();
        }

        private int current() { return (int) (keys[pos] & ((1L << INDEX_BITS) - 1)); }

        /** Moves to the next interval; {@link #at} is its corrected start. */
        @Override boolean next() {
            while (++pos >= size) {
                if (from > h.end() || h.start() == Long.MIN_VALUE) return false;
                load();
            }
            at = fix.apply(start[current()]);
            return true;
        }

        /** Reads the intervals that start in the next window. */
        private void load() {
            long a = from, b = a > h.end() - window ? h.end() : a + window - 1;
            from = b + 1;
            size = 0;
            pos = -1;
            h.scan(all, a, b, 1, (q, s, e, k, lv, dv, str) -> {
                if (s < a || s > b) return;
                if (size == start.length) grow();
                if (size == 1 << INDEX_BITS) throw new IllegalStateException("more than 2^27 intervals in one window of " + h.file());
                start[size] = s;
                quark[size] = q;
                kind[size] = (byte) k.ordinal();
                bits[size] = k == ValueKind.DOUBLE ? Double.doubleToRawLongBits(dv) : lv;
                text[size] = str;
                size++;
            });
            // Sorted by start, then by the order the scan gave (the index): primitives, no comparator.
            for (int i = 0; i < size; i++) keys[i] = ((start[i] - a) << INDEX_BITS) | i;
            Arrays.sort(keys, 0, size);
        }

        private void grow() {
            int n = start.length * 2;
            start = Arrays.copyOf(start, n);
            keys = Arrays.copyOf(keys, n);
            bits = Arrays.copyOf(bits, n);
            quark = Arrays.copyOf(quark, n);
            kind = Arrays.copyOf(kind, n);
            text = Arrays.copyOf(text, n);
        }

        @Override void replay(History.Writer out) {
            int i = current();
            long t = at;
            int q = map[quark[i]];
            switch (KINDS[kind[i]]) {
                case NULL -> out.clear(t, q);
                case INT -> out.set(t, q, (int) bits[i]);
                case LONG -> out.set(t, q, bits[i]);
                case DOUBLE -> out.set(t, q, Double.longBitsToDouble(bits[i]));
                case STRING -> out.set(t, q, text[i]);
            }
        }
    }
}
