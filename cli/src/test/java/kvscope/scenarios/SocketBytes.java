package kvscope.scenarios;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Ground truth from the kernel: bytes a process has sent on its TCP sockets to or from given ports, as `ss -tinp`
 * reports them (tcp_info's bytes_sent). Independent of Redis and of the tracer.
 */
final class SocketBytes {
    private static final Pattern SOCKET = Pattern.compile("\\S+:(\\d+)\\s+\\S+:(\\d+)\\s+users:.*pid=(\\d+),");
    private static final Pattern SENT = Pattern.compile("bytes_sent:(\\d+)");

    private SocketBytes() {}

    /** Bytes sent so far by pid on established sockets whose local or peer port is one of ports. */
    static long sent(long pid, Set<Integer> ports) throws IOException, InterruptedException {
        var p = new ProcessBuilder("ss", "-tinpH", "state", "established").redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("ss failed: " + out);
        long total = 0;
        boolean mine = false;
        for (var line : out.split("\n")) {
            var m = SOCKET.matcher(line);
            if (m.find()) {
                int local = Integer.parseInt(m.group(1)), peer = Integer.parseInt(m.group(2));
                mine = Long.parseLong(m.group(3)) == pid && (ports.contains(local) || ports.contains(peer));
                continue;
            }
            var s = SENT.matcher(line);
            if (mine && s.find()) {
                total += Long.parseLong(s.group(1));
                mine = false;
            }
        }
        return total;
    }
}
