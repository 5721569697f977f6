package kvscope.analysis.services;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static kvscope.analysis.services.ServicesFormat.*;

/**
 * Writes {@code services.bin} from a finished build: spans sorted by start time (indexes remapped), each given a lane
 * of its service — the row it is drawn on, so that one row never shows two requests at once — and its children
 * chained in start order. The file is marked complete last, after it is forced to disk.
 */
final class ServicesWriter {
    private ServicesWriter() {}

    static ServicesSummary write(Path file, ServicesBuilder b, Attribution.Parts parts, Map<String, Long> stats)
            throws IOException {
        var s = b.spans;
        int n = s.size;
        var order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> s.start[x] != s.start[y] ? Long.compare(s.start[x], s.start[y]) : Integer.compare(x, y));
        var rank = new int[n];
        for (int k = 0; k < n; k++) rank[order[k]] = k;
        long last = b.last();
        // Lanes, per service: a span no other span of its service made takes the lowest lane free at its start;
        // the calls a server span makes are drawn on its lane.
        var lane = new int[n];
        var lanesOf = new HashMap<Integer, long[]>();
        var laneCount = new TreeMap<Integer, Integer>();
        for (int k = 0; k < n; k++) {
            int i = order[k];
            int p = s.parent[i];
            if (p >= 0 && s.kind(i) != SpanKind.SERVER) {
                lane[i] = lane[p];
                continue;
            }
            var free = lanesOf.computeIfAbsent(s.service[i], x -> new long[4]);
            int l = 0;
            while (l < free.length && free[l] > s.start[i]) l++;
            if (l == free.length) {
                free = Arrays.copyOf(free, free.length * 2);
                lanesOf.put(s.service[i], free);
            }
            free[l] = Math.max(s.start[i] + 1, s.end[i] == Spans.UNKNOWN ? last + 1 : s.end[i] + 1);
            lane[i] = l;
            laneCount.merge(s.service[i], l + 1, Math::max);
        }
        var firstChild = new int[n];
        var nextSibling = new int[n];
        Arrays.fill(firstChild, -1);
        Arrays.fill(nextSibling, -1);
        for (int k = n - 1; k >= 0; k--) {
            int i = order[k];
            int p = s.parent[i];
            if (p < 0) continue;
            nextSibling[i] = firstChild[p];
            firstChild[p] = i;
        }
        // The longest answered span bounds a time-range search; the unanswered ones (a killed service's, which last to
        // the end of the trace) are listed apart, so one of them does not make every search start at the beginning.
        long maxDuration = 0, requests = 0;
        var unanswered = new ArrayList<Integer>();
        for (int k = 0; k < n; k++) if (s.end[order[k]] == Spans.UNKNOWN) unanswered.add(k);
        for (int i = 0; i < n; i++) {
            if (s.end[i] != Spans.UNKNOWN) maxDuration = Math.max(maxDuration, s.end[i] - s.start[i]);
            if (s.kind(i) == SpanKind.SERVER && (s.parent[i] < 0 || s.parent[s.parent[i]] < 0)) requests++;
        }

        try (var ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            var buf = ByteBuffer.allocateDirect(RECORD * 1024).order(ByteOrder.LITTLE_ENDIAN);
            header(ch, false, n, parts.size, maxDuration, 0, b.first(), last);
            ch.position(HEADER);
            for (int k = 0; k < n; k++) {
                int i = order[k];
                if (buf.remaining() < RECORD) flush(ch, buf);
                boolean spanLinks = s.kind(i) == SpanKind.CLIENT || s.kind(i) == SpanKind.SERVER;
                int p = s.parent[i];
                buf.put(s.kind[i]).put((byte) 0).putShort((short) s.flags[i]).putInt(s.service[i]).putInt(s.pid[i])
                        .putInt(lane[i]).putLong(s.spanId[i]).putInt(p < 0 ? -1 : rank[p])
                        .putInt(firstChild[i] < 0 ? -1 : rank[firstChild[i]])
                        .putInt(nextSibling[i] < 0 ? -1 : rank[nextSibling[i]]).putInt(s.status[i])
                        .putLong(s.start[i]).putLong(s.end[i]).putLong(s.bytes[i])
                        .putInt(s.method[i]).putInt(s.route[i]).putInt(s.path[i]).putInt(s.name[i])
                        .putInt(s.srcAddr[i]).putInt(s.srcPort[i]).putInt(s.dstAddr[i]).putInt(s.dstPort[i])
                        .putLong(spanLinks && s.link[i] >= 0 ? rank[(int) s.link[i]] : s.link[i]).putInt(s.error[i])
                        .putInt(parts.first[i]).putInt(parts.count[i]).putInt(s.trace[i]);
            }
            for (int k = 0; k < parts.size; k++) {
                if (buf.remaining() < PART) flush(ch, buf);
                buf.put(parts.kind[k]).put((byte) 0).putShort((short) 0).putInt(parts.name[k]).putLong(parts.ns[k]);
            }
            flush(ch, buf);
            long footer = ch.position();
            var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            var names = b.names.all();
            out.writeInt(names.size());
            for (var name : names) out.writeUTF(cut(name));
            out.writeInt(laneCount.size());
            for (var e : laneCount.entrySet()) {
                out.writeInt(e.getKey());
                out.writeInt(e.getValue());
            }
            out.writeInt(unanswered.size());
            for (int k : unanswered) out.writeInt(k);
            writeCounts(out, stats);
            writeCounts(out, b.events());
            var problems = b.problems.all();
            out.writeInt(problems.size());
            for (var p : problems) {
                out.writeUTF(cut(p.what()));
                out.writeLong(p.count());
                out.writeInt(p.examples().size());
                for (var x : p.examples()) out.writeUTF(cut(x));
            }
            out.flush();
            ch.force(false);
            header(ch, true, n, parts.size, maxDuration, footer, b.first(), last);
            ch.force(true);
            long problemCount = problems.stream().mapToLong(Problems.Problem::count).sum();
            return new ServicesSummary(n, requests, laneCount.size(), problemCount);
        }
    }

    /** writeUTF takes at most 65535 bytes: names and examples are cut well below (they come from the trace). */
    private static String cut(String s) { return s.length() > 4096 ? s.substring(0, 4096) + "…" : s; }

    private static void writeCounts(DataOutputStream out, Map<String, Long> counts) throws IOException {
        out.writeInt(counts.size());
        for (var e : counts.entrySet()) {
            out.writeUTF(cut(e.getKey()));
            out.writeLong(e.getValue());
        }
    }

    private static void header(FileChannel ch, boolean complete, long spans, long parts, long maxDuration, long footer,
                               long start, long end) throws IOException {
        var h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putLong(MAGIC).putInt(VERSION).putInt(complete ? 1 : 0).putLong(spans).putLong(parts).putLong(maxDuration)
                .putLong(footer).putLong(start).putLong(end).flip();
        while (h.hasRemaining()) ch.write(h, h.position());
    }

    private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }
}
