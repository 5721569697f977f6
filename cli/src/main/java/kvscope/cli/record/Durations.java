package kvscope.cli.record;

import kvscope.cli.UserError;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Parses durations as users type them: "30s", "500ms", "250us", "2m", "1h", or a bare number of seconds. One parser
 * for every option that takes a duration (record --duration, report --slow / --stall).
 */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|h)?");

    private Durations() {}

    public static Duration parse(String text) {
        var m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw UserError.usage("cannot read duration '" + text + "': use e.g. 30s, 500ms, 250us, 2m, 1h");
        }
        long unitNs = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
        long ns = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNs)).longValue();
        if (ns <= 0) throw UserError.usage("duration '" + text + "' must be positive");
        return Duration.ofNanos(ns);
    }
}
