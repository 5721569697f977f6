package kvscope.cli.microservices;

import kvscope.cli.redis.Resp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the injected problems cost, measured without any trace: Redis's own SLOWLOG (the EVALs' execution time, µs),
 * MariaDB's slow query log (the SLEEPs' Query_time), the user service's count of its CPU burns (wall-clock ms), and
 * the load generator's latencies per route. The share of a route's time a problem took is its measured cost divided
 * by the route's summed latency as the load generator saw it.
 *
 * @param evalNs      EVAL commands' execution time, summed (SLOWLOG)
 * @param evals       how many
 * @param sleepNs     SELECT SLEEP statements' Query_time, summed (slow query log)
 * @param sleeps      how many
 * @param burnWallNs  the user service's spins, wall-clock, summed (its /admin/stats)
 * @param burnCpuNs   the same in CPU time
 * @param burns       how many
 */
public record GroundTruth(long evalNs, long evals, long sleepNs, long sleeps, long burnWallNs, long burnCpuNs, long burns) {

    /** Reads the three measures (the app must still run: its Redis and user service are asked). */
    public static GroundTruth measure(ExampleApp app) throws IOException {
        long[] eval = slowlogEvals(app.redis());
        long[] sleep = slowQueries(app.mariadbSlowLog());
        var stats = app.http("GET", app.serviceUrl("user") + "/admin/stats", null);
        return new GroundTruth(eval[0], eval[1], sleep[0], sleep[1], Math.round(stats.path("burnWallMs").asDouble() * 1e6),
                Math.round(stats.path("burnCpuMs").asDouble() * 1e6), stats.path("burns").asLong());
    }

    /** [summed µs → ns, count] of the EVAL/EVALSHA entries of SLOWLOG (start.sh keeps every command of 1 ms or more). */
    static long[] slowlogEvals(String address) {
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        try (var r = Resp.connect(port, 10_000)) {
            var entries = (List<?>) r.call("SLOWLOG", "GET", "1000000");
            long ns = 0, n = 0;
            for (var o : entries) {
                var entry = (List<?>) o;
                var args = (List<?>) entry.get(3);
                var cmd = String.valueOf(args.get(0)).toLowerCase(Locale.ROOT);
                if (!cmd.equals("eval") && !cmd.equals("evalsha")) continue;
                ns += ((Number) entry.get(2)).longValue() * 1000;
                n++;
            }
            return new long[] {ns, n};
        }
    }

    /** [summed Query_time ns, count] of the SLEEP statements in a MariaDB slow query log. */
    static long[] slowQueries(Path log) throws IOException {
        long ns = 0, n = 0;
        double pending = -1;
        for (var line : Files.readAllLines(log)) {
            if (line.startsWith("# Query_time:")) {
                pending = Double.parseDouble(line.substring(13).trim().split("\\s+")[0]);
            } else if (pending >= 0 && !line.startsWith("#") && !line.regionMatches(true, 0, "SET timestamp", 0, 13)
                    && !line.regionMatches(true, 0, "use ", 0, 4)) {
                if (line.toUpperCase(Locale.ROOT).contains("SLEEP(")) {
                    ns += Math.round(pending * 1e9);
                    n++;
                }
                pending = -1;
            }
        }
        return new long[] {ns, n};
    }
}
