package kvscope.analysis.model;

import java.util.HashMap;

/**
 * State strings made from a prefix and an event's string field ("PROCESS_COMMAND:" + "get"), built once per distinct
 * field value: the reader hands out the same String object for repeated values, so the lookup is a cached hash and
 * an identity compare, and the history's string table stays small. Bounded, in case a damaged trace has endless
 * distinct names.
 */
final class Labels {
    private static final int MAX = 4096;
    private final String prefix;
    private final HashMap<String, String> cache = new HashMap<>();

    // The last value asked for and its label: a run of one command (a benchmark's SETs) skips the map.
    private String lastValue, lastLabel;

    Labels(String prefix) { this.prefix = prefix; }

    String of(String value) {
        if (value == lastValue) return lastLabel;
        var s = cache.get(value);
        if (s == null) {
            s = prefix + value;
            if (cache.size() < MAX) cache.put(value, s);
        }
        lastValue = value;
        lastLabel = s;
        return s;
    }
}
