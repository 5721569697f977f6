package kvscope.analysis;

import kvscope.analysis.model.ServerStats;
import kvscope.analysis.segments.SegmentFile;
import kvscope.statesystem.History;

import java.util.ArrayList;
import java.util.List;

/** Coarse time series for the report's plots, computed once at the end of an analysis. */
final class Plots {
    static final int BUCKETS = 300;

    private Plots() {}

    static Summary.Series of(SegmentFile sf, History h, long start, long end, List<ServerStats> servers) {
        long span = Math.max(1, end - start);
        long bucketNs = Math.max(1, (span + BUCKETS - 1) / BUCKETS);
        var names = new ArrayList<String>();
        var requests = new ArrayList<long[]>();
        var busOut = new ArrayList<long[]>();
        var busIn = new ArrayList<long[]>();
        for (var s : servers) {
            names.add(s.name());
            requests.add(new long[BUCKETS]);
            busOut.add(cumulativeToBuckets(h, h.lookup(s.name(), "Bus", "Out", "Bytes"), start, bucketNs));
            busIn.add(cumulativeToBuckets(h, h.lookup(s.name(), "Bus", "In", "Bytes"), start, bucketNs));
        }
        // The segment file's server ids → rows, once (not a name lookup per segment).
        var rows = new long[sf.servers().size()][];
        for (int id = 0; id < rows.length; id++) {
            int i = names.indexOf(sf.servers().get(id));
            rows[id] = i < 0 ? null : requests.get(i);
        }
        sf.forEach(c -> {
            var row = rows[c.server()];
            if (row == null) return;
            row[(int) Math.min(BUCKETS - 1, Math.max(0, (c.end() - start) / bucketNs))]++;
        });
        return new Summary.Series(start, bucketNs, names, requests, busOut, busIn);
    }

    /** Bytes per bucket from a cumulative byte counter: the difference of its value at the bucket's two ends. */
    private static long[] cumulativeToBuckets(History h, int q, long start, long bucketNs) {
        var v = new long[BUCKETS];
        if (q < 0) return v;
        long prev = 0;
        for (int b = 0; b < BUCKETS; b++) {
            long t = Math.min(h.end(), start + (b + 1) * bucketNs);
            var st = h.at(t, q);
            long now = st == null || st.isNull() ? prev : st.longValue();
            v[b] = Math.max(0, now - prev);
            prev = now;
        }
        return v;
    }
}
