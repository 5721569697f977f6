package kvscope.analysis.report;

import java.time.Instant;
import java.util.Locale;

/** Human units for durations, sizes and times, one rule everywhere (report, query, views). */
public final class Units {
    private Units() {}

    public static String duration(long ns) {
        if (ns < 0) return "?";
        if (ns < 1_000) return ns + " ns";
        if (ns < 1_000_000) return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
        if (ns < 1_000_000_000) return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
    }

    public static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
        return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
    }

    public static String count(long n) { return String.format(Locale.ROOT, "%,d", n); }

    /** A time as an offset from the trace start, the way people read a trace: +1.234567890s. */
    public static String offset(long t, long start) {
        long d = t - start;
        return String.format(Locale.ROOT, "%s%d.%09ds", d < 0 ? "-" : "+", Math.abs(d) / 1_000_000_000L, Math.abs(d) % 1_000_000_000L);
    }

    public static String instant(long ns) {
        return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L)).toString();
    }
}
