package kvscope.cli.testing;

import kvscope.cli.redis.Tools;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernel's view of a process's TCP connections, the ground truth the snapshot tests compare against. */
public final class Established {
    private Established() {}

    /** A process's established TCP connections, as `ss` shows them: "local->peer" (IPv4-mapped addresses plain). */
    public static Set<String> of(long pid) throws IOException {
        var run = Tools.run(Duration.ofSeconds(30), List.of("ss", "-tnpH", "state", "established"));
        assertThat(run.ok()).as("ss: " + run.describe()).isTrue();
        var out = new HashSet<String>();
        for (var line : run.stdout().split("\n")) {
            if (!line.contains("pid=" + pid + ",")) continue;
            var cols = line.trim().split("\\s+");
            out.add((cols[2] + "->" + cols[3]).replace("[::ffff:", "").replace("]", ""));
        }
        return out;
    }
}
