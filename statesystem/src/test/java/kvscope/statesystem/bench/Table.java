package kvscope.statesystem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** Prints the rows collected by the forked runs, with SHT / SQLite ratios for sizes where both ran. */
final class Table {
    static void print(Path results) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(results)) if (!line.isBlank()) rows.add(line.split("\t"));
        String fmt = "%-7s %12s %9s %9s %9s %3s %6s %7s %6s %6s %6s %9s %9s %9s %9s %10s %7s %10s %8s %8s %9s %6s%n";
        System.out.printf(fmt, "store", "intervals", "build/s", "(cpu)/s", "1st/s", "wu", "B/iv", "heapMB", "bHWM",
                "bAnon", "bFile", "cold p50", "cold p99", "warm p50", "warm p99", "full p50", "attrs", "res 1st ms",
                "res ms", "(cpu)ms", "res hits", "HWM");
        System.out.printf(fmt, "", "", "", "", "", "", "", "", "MB", "MB", "MB", "µs", "µs", "µs", "µs", "µs", "", "", "",
                "", "", "MB");
        var sqlite = new HashMap<Long, String[]>();
        for (String[] r : rows) if (r[0].equals("sqlite")) sqlite.put(bucket(r[1]), r);
        for (String[] r : rows) {
            System.out.printf(fmt, r[0], r[1], si(r[2]), si(r[14]), r.length > 20 && !r[20].equals("-") ? si(r[20]) : "-",
                    r.length > 21 ? r[21] : "-", r[3],
                    String.format("%.0f", Long.parseLong(r[4]) / 1048576.0), r[16], r[17], r[18], r[5], r[6], r[7], r[8],
                    r[9], r[10], r[11], r[12], r[15], r[13].substring(r[13].indexOf('x') + 1), r[19]);
        }
        System.out.println();
        System.out.println("ratios (SHT vs SQLite, same changes; >1 = SHT better):");
        for (String[] r : rows) {
            if (!r[0].equals("sht")) continue;
            String[] s = sqlite.get(bucket(r[1]));
            if (s == null) {
                System.out.printf("  %s intervals: SQLite not run at this size%n", r[1]);
                continue;
            }
            System.out.printf("  %s intervals: build %.1fx (cpu %.1fx), size %.1fx, cold p50 %.1fx, warm p50 %.1fx, "
                            + "full %.1fx, resolution %.1fx (cpu %.1fx)%n", r[1], d(r[2]) / d(s[2]), d(r[14]) / d(s[14]),
                    d(s[3]) / d(r[3]), d(s[5]) / d(r[5]), d(s[7]) / d(r[7]), d(s[9]) / d(r[9]), d(s[12]) / d(r[12]),
                    d(s[15]) / d(r[15]));
        }
        long first = Long.getLong("first", 0);
        if (first > 0) {
            System.out.printf("1st/s: each JVM's first build (%s changes), timed on its own: the JIT compiles the store's code%n"
                    + "  during it. wu: the untimed builds of that size that followed, until two in a row took times within%n"
                    + "  10 %% of each other. build/s is the build after them, with compiled code, as in an analysis after its%n"
                    + "  first seconds. In a fresh JVM:%n", si(Long.toString(first)).replace(".00", ""));
        }
        for (String[] r : rows) {
            if (!r[0].equals("sht") || r.length <= 20 || r[20].equals("-")) continue;
            for (String[] s : rows) {
                if (s[0].equals("sqlite") && s.length > 20 && !s[20].equals("-")) {
                    System.out.printf("  first build: SHT %s/s, SQLite %s/s: %.1fx%n", si(r[20]), si(s[20]),
                            d(r[20]) / d(s[20]));
                    break;
                }
            }
            break;
        }
        System.out.println("* = the file could not be evicted from the page cache: 'cold' is a fresh open, OS cache warm");
    }

    private static long bucket(String intervals) {
        return Math.round(Math.log10(Double.parseDouble(intervals)));
    }

    private static double d(String s) { return Double.parseDouble(s.replace("*", "")); }

    private static String si(String v) {
        double x = d(v);
        return x >= 1e6 ? String.format("%.2f M", x / 1e6) : String.format("%.0f k", x / 1e3);
    }
}
