package kvscope.cli.redis;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Last-resort cleanup of things that must not outlive the JVM (redis-server processes, LTTng sessions): each is
 * registered while it lives and unregistered when closed normally; a JVM exit (Ctrl-C, SIGTERM, a test runner
 * ending) closes whatever is still registered, newest first.
 */
public final class Cleanup {
    private static final Deque<AutoCloseable> LIVE = new ArrayDeque<>();
    private static boolean hooked;

    private Cleanup() {}

    public static synchronized void register(AutoCloseable c) {
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::closeAll, "kvscope-cleanup"));
            hooked = true;
        }
        LIVE.push(c);
    }

    public static synchronized void unregister(AutoCloseable c) {
        LIVE.remove(c);
    }

    private static void closeAll() {
        while (true) {
            AutoCloseable c;
            synchronized (Cleanup.class) {
                c = LIVE.poll();
            }
            if (c == null) return;
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("kvscope: cleanup of " + c + " failed: " + e.getMessage());
            }
        }
    }
}
