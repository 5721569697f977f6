package kvscope.cli.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports. A cluster node also listens on port + 10000 (its bus), so we only hand out ports whose +10000
 * partner is free too, drawn at random from a range where the kernel's ephemeral ports (32768+) rarely land.
 */
public final class Ports {
    private Ports() {}

    public static int free() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = ThreadLocalRandom.current().nextInt(12000, 22700);
            if (bindable(p) && bindable(p + 10000)) return p;
        }
        throw new IllegalStateException("no free pair of loopback ports (p, p+10000) in 12000-32700");
    }

    static boolean bindable(int port) {
        try (var s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
