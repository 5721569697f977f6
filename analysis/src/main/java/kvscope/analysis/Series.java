package kvscope.analysis;

import kvscope.analysis.segments.SegmentFile;
import kvscope.statesystem.History;

/** Coarse time series for the report's plots, computed once at the end of an analysis. */
final class Series {
    static final int BUCKETS = 300;

    private Series() {}

    static Summary.Series of(SegmentFile sf, History h, Summary summary) {
        var out = new Summary.Series();
        out.start = summary.start;
        long span = Math.max(1, summary.end - summary.start);
        out.bucketNs = Math.max(1, (span + BUCKETS - 1) / BUCKETS);
        for (var s : summary.servers) {
            out.servers.add(s.name);
            out.requests.add(new long[BUCKETS]);
            out.busOut.add(cumulativeToBuckets(h, h.lookup(s.name, "Bus", "Out", "Bytes"), out));
            out.busIn.add(cumulativeToBuckets(h, h.lookup(s.name, "Bus", "In", "Bytes"), out));
        }
        // The segment file's server ids → rows, once (not a name lookup per segment).
        var rows = new long[sf.servers().size()][];
        for (int id = 0; id < rows.length; id++) {
            int i = out.servers.indexOf(sf.servers().get(id));
            rows[id] = i < 0 ? null : out.requests.get(i);
        }
        sf.forEach(c -> {
            var row = rows[c.server()];
            if (row == null) return;
            row[(int) Math.min(BUCKETS - 1, Math.max(0, (c.end() - out.start) / out.bucketNs))]++;
        });
        return out;
    }

    /** Bytes per bucket from a cumulative byte counter: the difference of its value at the bucket's two ends. */
    private static long[] cumulativeToBuckets(History h, int q, Summary.Series s) {
        var v = new long[BUCKETS];
        if (q < 0) return v;
        long prev = 0;
        for (int b = 0; b < BUCKETS; b++) {
            long t = Math.min(h.end(), s.start + (b + 1) * s.bucketNs);
            var st = h.at(t, q);
            long now = st == null || st.isNull() ? prev : st.longValue();
            v[b] = Math.max(0, now - prev);
            prev = now;
        }
        return v;
    }
}
