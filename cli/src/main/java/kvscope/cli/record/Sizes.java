package kvscope.cli.record;

import kvscope.cli.UserError;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses byte sizes as users type them: "512", "64k", "64KiB", "1.5MB", "2m", "1g". Units are binary (k = 1024), as
 * Redis's own configuration reads them for client-output-buffer-limit.
 */
public final class Sizes {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    private Sizes() {}

    public static long parse(String text) {
        var m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw UserError.usage("cannot read size '" + text + "': use e.g. 512, 64k, 1MiB, 2g");
        var unit = m.group(2) == null ? "b" : m.group(2);
        long mult = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1L;
        };
        var bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(mult));
        if (bytes.signum() <= 0 || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw UserError.usage("size '" + text + "' must be positive and below 8 EiB");
        }
        return bytes.longValue();
    }
}
