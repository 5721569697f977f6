package kvscope.cli.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from /proc/&lt;pid&gt;/stat (fields 14 utime and 15 stime, in clock ticks), and its main thread's
 * CPU time and wait for a CPU from its schedstat (ns).
 */
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

    /**
     * Nanoseconds the process's main thread has spent runnable but waiting on a run queue (the second field of
     * /proc/&lt;pid&gt;/task/&lt;pid&gt;/schedstat, the scheduler's run_delay): the time a busy machine kept it off the CPU.
     * 0 where the kernel keeps no such count.
     */
    public static long runQueueWaitNs(long pid) { return schedstat(pid, 1); }

    /** Nanoseconds the process's main thread has run on a CPU (schedstat's first field, sum_exec_runtime). */
    public static long mainThreadCpuNs(long pid) { return schedstat(pid, 0); }

    private static long schedstat(long pid, int field) {
        var file = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "schedstat");
        try {
            var f = Files.readString(file).trim().split(" ");
            return f.length > field ? Long.parseLong(f[field]) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
