package kvscope.cli.record;

import kvscope.cli.UserError;

import java.time.Duration;
import java.util.regex.Pattern;

/** Parses durations as users type them: "30s", "500ms", "2m", "1h", or a bare number of seconds. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private Durations() {}

    public static Duration parse(String text) {
        var m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw UserError.usage("cannot read duration '" + text + "': use e.g. 30s, 500ms, 2m, 1h");
        }
        double v = Double.parseDouble(m.group(1));
        var unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> v;
            case "s" -> v * 1e3;
            case "m" -> v * 60e3;
            default -> v * 3600e3;
        };
        if (ms <= 0) throw UserError.usage("duration '" + text + "' must be positive");
        return Duration.ofMillis(Math.round(ms));
    }
}
