package kvscope.cli.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process from /proc/&lt;pid&gt;/stat (fields 14 utime and 15 stime, in clock ticks). */
public final class ProcStat {
    private ProcStat() {}

    public static long cpuTicks(long pid) {
        try {
            var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
            var rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // rest[0] is field 3 (state), so field n is rest[n - 3].
            return Long.parseLong(rest[14 - 3]) + Long.parseLong(rest[15 - 3]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/stat", e);
        }
    }
}
