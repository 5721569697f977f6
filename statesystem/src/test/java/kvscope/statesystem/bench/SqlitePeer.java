package kvscope.statesystem.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The peer a user would reach for: SQLite (xerial JDBC) with a table of intervals indexed on (attribute, end), built
 * from the same state changes with the same semantics (an interval is written when a state ends). Tuned to be fair
 * to SQLite: one transaction, batched prepared inserts, journal off, index built after the load (faster than
 * maintaining it; its time is counted in the build). {@code synchronous} is FULL by default — one fsync at commit,
 * as the SHT does one fdatasync when it closes, so both files are durable when the clock stops — or the system
 * property {@code sqlite.synchronous} (OFF: no fsync, SQLite's fastest and least durable).
 */
final class SqlitePeer {

    static final String SYNCHRONOUS = System.getProperty("sqlite.synchronous", "FULL");

    static List<String> run(long changes, Path dir, Workload w, boolean buildOnly) throws Exception {
        Path file = dir.resolve("sqlite-" + changes + ".db");
        Files.deleteIfExists(file);
        long cpu0 = ShtBench.cpu();
        long t0 = System.nanoTime();
        long intervals = 0;
        long start = w.time + 1;
        long[] curStart = new long[w.leaves];
        long[] curValue = new long[w.leaves];
        Arrays.fill(curStart, start);
        Arrays.fill(curValue, Long.MIN_VALUE); // null
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (var st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=OFF");
                st.execute("PRAGMA synchronous=" + SYNCHRONOUS);
                st.execute("PRAGMA cache_size=-65536");
                st.execute("CREATE TABLE iv(attr INTEGER, s INTEGER, e INTEGER, v)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO iv VALUES (?,?,?,?)")) {
                int batch = 0;
                for (long i = 0; i < changes; i++) {
                    w.next();
                    if (i == 0) {
                        start = w.time;
                        Arrays.fill(curStart, start);
                    }
                    int q = w.leaf;
                    if (w.time > curStart[q]) {
                        add(ins, q, curStart[q], w.time - 1, curValue[q], w.field);
                        intervals++;
                        if (++batch == 10_000) {
                            ins.executeBatch();
                            batch = 0;
                        }
                    }
                    curStart[q] = w.time;
                    curValue[q] = w.value;
                }
                long end = w.time + 1;
                for (int q = 0; q < w.leaves; q++) {
                    add(ins, q, curStart[q], end, curValue[q], q & 3);
                    intervals++;
                }
                ins.executeBatch();
            }
            try (var st = c.createStatement()) {
                st.execute("CREATE INDEX iv_attr_end ON iv(attr, e)");
            }
            c.commit();
        }
        long buildNs = System.nanoTime() - t0;
        long buildCpu = ShtBench.cpu() - cpu0;
        if (buildOnly) {
            Files.delete(file);
            return List.of(ShtBench.fmt(intervals / (buildNs / 1e9)));
        }
        String[] buildRss = {Rss.mb("VmHWM"), Rss.mb("RssAnon"), Rss.mb("RssFile")};
        long size = Files.size(file);
        var row = new ArrayList<String>();
        row.add("sqlite");
        row.add(Long.toString(intervals));
        row.add(ShtBench.fmt(intervals / (buildNs / 1e9)));
        row.add(ShtBench.fmt((double) size / intervals));
        boolean evicted = ShtBench.evict(file);
        var rnd = new SplittableRandom(7);
        long end = w.time + 1;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             PreparedStatement one = c.prepareStatement("SELECT s, e, v FROM iv WHERE attr=? AND e>=? ORDER BY e LIMIT 1");
             PreparedStatement range = c.prepareStatement("SELECT s, e, v FROM iv WHERE attr=? AND e>=? AND s<=? ORDER BY e")) {
            long[] cold = new long[1000];
            for (int i = 0; i < cold.length; i++) cold[i] = single(one, rnd, w.leaves, start, end);
            for (int i = 0; i < 50_000; i++) single(one, rnd, w.leaves, start, end);
            long[] warm = new long[50_000];
            for (int i = 0; i < warm.length; i++) warm[i] = single(one, rnd, w.leaves, start, end);
            long[] fulls = new long[20];
            for (int i = 0; i < fulls.length; i++) {
                long t = start + (long) (rnd.nextDouble() * (end - start));
                long a = System.nanoTime();
                for (int q = 0; q < w.leaves; q++) lookup(one, q, t);
                fulls[i] = System.nanoTime() - a;
            }
            int nq = Math.min(1000, w.leaves);
            long step = Math.max(1, (end - start) / 1000);
            long[] res = new long[3];
            long[] resCpu = new long[3];
            long count = 0;
            for (int r = 0; r < res.length; r++) {
                count = 0;
                long c0 = ShtBench.cpu();
                long a = System.nanoTime();
                for (int i = 0; i < nq; i++) {
                    int q = (int) ((long) i * w.leaves / nq);
                    range.setInt(1, q);
                    range.setLong(2, start);
                    range.setLong(3, end);
                    try (var rs = range.executeQuery()) {
                        while (rs.next()) {
                            long s = rs.getLong(1), e = rs.getLong(2);
                            // keep the intervals that contain a sample time, as the SHT's scan does
                            long k = Math.floorDiv(Math.max(s, start) - start + step - 1, step);
                            long sample = start + k * step;
                            if (e >= end || sample <= e) count++;
                        }
                    }
                }
                res[r] = System.nanoTime() - a;
                resCpu[r] = ShtBench.cpu() - c0;
            }
            row.add(Long.toString(ShtBench.peakHeap()));
            row.add(ShtBench.fmt(Stats.pct(cold, 0.5)) + (evicted ? "" : "*"));
            row.add(ShtBench.fmt(Stats.pct(cold, 0.99)) + (evicted ? "" : "*"));
            row.add(ShtBench.fmt(Stats.pct(warm, 0.5)));
            row.add(ShtBench.fmt(Stats.pct(warm, 0.99)));
            row.add(ShtBench.fmt(Stats.pct(fulls, 0.5)));
            row.add(Integer.toString(w.leaves));
            row.add(ShtBench.fmt(res[0] / 1e6));
            row.add(ShtBench.fmt(Math.min(res[1], res[2]) / 1e6));
            row.add(nq + "x" + count);
            row.add(ShtBench.fmt(intervals / (buildCpu / 1e9)));
            row.add(ShtBench.fmt(Math.min(resCpu[1], resCpu[2]) / 1e6));
            row.addAll(List.of(buildRss));
            row.add(Rss.mb("VmHWM"));
        }
        Files.delete(file);
        return row;
    }

    private static void add(PreparedStatement ins, int q, long s, long e, long v, int field) throws SQLException {
        ins.setInt(1, q);
        ins.setLong(2, s);
        ins.setLong(3, e);
        if (v == Long.MIN_VALUE) ins.setNull(4, java.sql.Types.INTEGER);
        else if (field == 0) ins.setString(4, Workload.STATUS[(int) v]);
        else if (field == 3) ins.setString(4, Workload.TYPE[(int) v]);
        else ins.setLong(4, v);
        ins.addBatch();
    }

    private static long single(PreparedStatement one, SplittableRandom rnd, int leaves, long start, long end)
            throws SQLException {
        long t = start + (long) (rnd.nextDouble() * (end - start));
        int q = rnd.nextInt(leaves);
        long a = System.nanoTime();
        if (!lookup(one, q, t)) throw new AssertionError("no state for " + q + " at " + t);
        return System.nanoTime() - a;
    }

    private static boolean lookup(PreparedStatement one, int q, long t) throws SQLException {
        one.setInt(1, q);
        one.setLong(2, t);
        try (var rs = one.executeQuery()) {
            if (!rs.next()) return false;
            return rs.getLong(1) <= t;
        }
    }
}
