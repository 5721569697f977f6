package kvscope.cli;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A TIME argument (DESIGN.md): nanoseconds since the epoch ({@code 1732262401123456789}), an ISO-8601 instant
 * ({@code 2026-11-22T06:40:01.123456789Z}), or an offset from the trace start ({@code +1.5s}, {@code +250ms},
 * {@code +10us}, {@code +300ns}).
 */
final class TimeArg {
    private static final Pattern OFFSET = Pattern.compile("\\+(\\d+(?:\\.\\d+)?)(s|ms|us|µs|ns)");

    private TimeArg() {}

    static long parse(String text, long traceStart) {
        var s = text.trim();
        var m = OFFSET.matcher(s);
        if (m.matches()) {
            var value = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "s" -> 1_000_000_000L;
                case "ms" -> 1_000_000L;
                case "us", "µs" -> 1_000L;
                default -> 1L;
            };
            return traceStart + value.multiply(BigDecimal.valueOf(unit)).longValue();
        }
        if (s.matches("\\d+")) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw UserError.usage("time " + text + " is out of range");
            }
        }
        try {
            var i = Instant.parse(s);
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
        } catch (DateTimeParseException | ArithmeticException e) {
            throw UserError.usage("cannot read the time '" + text + "': give ns since the epoch (1732262401123456789), an"
                    + " ISO-8601 instant (2026-11-22T06:40:01.5Z) or an offset from the trace start (+1.5s, +250ms, +10us)");
        }
    }
}
