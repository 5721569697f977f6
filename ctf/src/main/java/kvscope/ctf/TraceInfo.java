package kvscope.ctf;

import java.nio.file.Path;
import java.util.Map;

/**
 * One CTF trace (one directory with a {@code metadata} file) of the set opened by {@link Trace#open}: its path,
 * its environment ({@code env} block: LTTng writes {@code hostname}, {@code domain}, {@code tracer_name}, and for
 * per-PID buffers {@code vpid} and {@code procname}), and its clock.
 *
 * @param index position of this trace in {@link Trace#traces()}
 * @param env values are {@code Long} or {@code String}
 * @param clockOffsetNs the clock's offset ({@code offset_s} and {@code offset}) in ns: a raw clock value plus this is
 *                      ns since the epoch — what analyses need to place values such as Redis's {@code start_ns}
 *                      (raw CLOCK_MONOTONIC) on the trace's time line
 * @param clockUuid the clock's {@code uuid} (LTTng writes the boot id: one per kernel), or null
 */
public record TraceInfo(int index, Path dir, Map<String, Object> env, String clockName, long clockFrequency,
                        String uuid, long clockOffsetNs, String clockUuid) {

    /**
     * The host this trace was recorded on, as the trace itself says: its {@code hostname}, and its clock's uuid when
     * the name is absent. Containers on one kernel share the boot id and so the clock; network namespaces given their
     * own UTS name (and LTTng session daemon) are told apart by the name, which LTTng takes from the session daemon.
     */
    public String host() {
        var h = env.get("hostname");
        if (h != null && !h.toString().isEmpty()) return h.toString();
        return clockUuid != null ? clockUuid : hostname();
    }

    /** The {@code hostname} of the environment, or the directory name when absent. */
    public String hostname() {
        var h = env.get("hostname");
        return h != null ? h.toString() : dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
    }

    /** An environment value as a string, or null. */
    public String envString(String key) {
        var v = env.get(key);
        return v == null ? null : v.toString();
    }
}
