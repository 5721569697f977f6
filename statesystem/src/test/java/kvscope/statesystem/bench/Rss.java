package kvscope.statesystem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident set from /proc/self/status, in MB: VmHWM (peak so far), RssAnon (heap, native memory) and
 * RssFile (file pages mapped and touched — a mapping's dirty pages stay here until unmapped). "?" where not Linux.
 */
final class Rss {
    private Rss() {}

    static String mb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    long kb = Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                    return Long.toString(Math.round(kb / 1024.0));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: the columns say so
        }
        return "?";
    }
}
