package kvscope.ctf.live;

import java.util.ArrayList;
import java.util.regex.Pattern;

/**
 * A live session's address as babeltrace2's lttng-live source takes it: {@code net://RELAY[:PORT]/host/HOST/SESSION},
 * or {@code net://RELAY[:PORT]} for the relay alone (every live session it has). HOST and SESSION may be patterns
 * ({@code *}: any characters, as in host {@code web-*}). The live port defaults to 5344, where lttng-relayd
 * listens for viewers.
 *
 * @param hostname the traced host's name as the relay knows it (its session daemon's), or null
 * @param session  the session's name, or null
 */
public record LiveUrl(String relay, int port, String hostname, String session) {
    public static final int DEFAULT_PORT = 5344;
    private static final Pattern FORM =
            Pattern.compile("net[46]?://([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+])(?::(\\d{1,5}))?(?:/host/([^/]+)/([^/]+))?/?");

    /** @throws IllegalArgumentException saying the expected form */
    public static LiveUrl parse(String url) {
        var m = FORM.matcher(url == null ? "" : url.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + url + "' is not a live session's address: give"
                    + " net://RELAY[:PORT]/host/HOST/SESSION (e.g. net://127.0.0.1/host/web-1/redis; HOST and SESSION may"
                    + " hold * as a pattern), or net://RELAY[:PORT] for every live session of the relay");
        }
        int port = DEFAULT_PORT;
        if (m.group(2) != null) {
            port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) throw new IllegalArgumentException("'" + url + "': port " + port + " is not between 1 and 65535");
        }
        var host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        return new LiveUrl(host, port, m.group(3), m.group(4));
    }

    /** The same relay with a session picked. */
    public LiveUrl with(String host, String name) { return new LiveUrl(relay, port, host, name); }

    /** Whether a session is named (exactly or by a pattern). */
    public boolean names() { return session != null; }

    /** Whether the host or session name is a pattern ({@code *}: any characters). */
    public boolean patterned() { return session != null && (hostname.contains("*") || session.contains("*")); }

    /** Whether the relay's session of that host and name is one this address names. */
    public boolean matches(String host, String name) {
        return session != null && glob(hostname, host) && glob(session, name);
    }

    private static boolean glob(String pattern, String s) {
        if (!pattern.contains("*")) return pattern.equals(s);
        var parts = new ArrayList<String>();
        for (var part : pattern.split("\\*", -1)) parts.add(Pattern.quote(part));
        return s.matches(String.join(".*", parts));
    }

    @Override public String toString() {
        return "net://" + (relay.contains(":") ? "[" + relay + "]" : relay) + (port == DEFAULT_PORT ? "" : ":" + port)
                + (session == null ? "" : "/host/" + hostname + "/" + session);
    }
}
