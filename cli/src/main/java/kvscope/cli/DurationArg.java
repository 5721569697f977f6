package kvscope.cli;

import java.util.regex.Pattern;

/** A duration argument: a number with a unit (ns, us, µs, ms, s), e.g. 10ms or 1.5s. */
final class DurationArg {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s)");

    private DurationArg() {}

    static long parse(String text, String option) {
        var m = FORM.matcher(text.trim());
        if (!m.matches()) throw UserError.usage(option + " " + text + ": give a duration with its unit, e.g. 500us, 10ms, 1.5s");
        long unit = switch (m.group(2)) {
            case "s" -> 1_000_000_000L;
            case "ms" -> 1_000_000L;
            case "us", "µs" -> 1_000L;
            default -> 1L;
        };
        return new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(unit)).longValue();
    }
}
