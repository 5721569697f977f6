package kvscope.analysis.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Redis 7.0's commands and whether each reads or writes, from the table Redis itself is generated from
 * (resources/kvscope/analysis/redis-commands.tsv, made by scripts/gen-redis-commands.py).
 */
public final class Commands {
    private static final Map<String, String> TYPES = load();

    private Commands() {}

    /** "read", "write" or "other" (admin, connection, pub/sub subscription); "unknown" for a name Redis 7.0 lacks. */
    public static String type(String command) {
        return TYPES.getOrDefault(command, "unknown");
    }

    private static Map<String, String> load() {
        var map = new HashMap<String, String>();
        try (var in = Commands.class.getResourceAsStream("/kvscope/analysis/redis-commands.tsv")) {
            if (in == null) throw new IllegalStateException("redis-commands.tsv missing from the classpath");
            var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                var cols = line.split("\t");
                map.put(cols[0], cols[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(map);
    }
}
