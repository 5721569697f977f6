package kvscope.cli.record;

import kvscope.cli.UserError;

import java.util.regex.Pattern;

/**
 * {@code --relay HOST[:PORT[:DATAPORT]]} as LTTng's streaming URL {@code net://HOST[:CTRL:DATA]}: the control port
 * defaults to the relay's 5342 and the data port to the control port + 1 (5343), as lttng-relayd listens by default.
 */
public final class RelayUrl {
    public static final int DEFAULT_PORT = 5342;
    private static final Pattern FORM = Pattern.compile("([A-Za-z0-9._-]+)(?::(\\d{1,5}))?(?::(\\d{1,5}))?");

    private RelayUrl() {}

    public static String of(String arg) {
        var m = FORM.matcher(arg == null ? "" : arg.strip());
        if (!m.matches()) {
            throw UserError.usage("--relay '" + arg + "': give the relay daemon's host and, if not 5342, its port:"
                    + " --relay aggregator.example or --relay 198.51.100.1:6342 (control port; data = control + 1)");
        }
        int ctrl = m.group(2) == null ? DEFAULT_PORT : port(m.group(2), arg);
        int data = m.group(3) == null ? ctrl + 1 : port(m.group(3), arg);
        return "net://" + m.group(1) + ":" + ctrl + ":" + data;
    }

    private static int port(String s, String arg) {
        int p = Integer.parseInt(s);
        if (p < 1 || p > 65535) throw UserError.usage("--relay '" + arg + "': port " + p + " is not between 1 and 65535");
        return p;
    }
}
