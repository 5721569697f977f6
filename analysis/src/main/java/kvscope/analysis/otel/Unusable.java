package kvscope.analysis.otel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What could not be read or linked, by reason: how many, and where the first few were (file:line, span id). Nothing
 * from a span file is dropped silently: it is linked, marked ambiguous, or counted here.
 */
final class Unusable {
    static final int EXAMPLES = 5;

    /** One reason: what, how many, where the first few were. */
    record Reason(String what, long count, List<String> examples) {}

    private final Map<String, long[]> counts = new LinkedHashMap<>();
    private final Map<String, List<String>> examples = new LinkedHashMap<>();

    void add(String what, Supplier<String> where) {
        var c = counts.computeIfAbsent(what, k -> new long[1]);
        if (c[0]++ < EXAMPLES) examples.computeIfAbsent(what, k -> new ArrayList<>()).add(where.get());
    }

    /** Adds another's counts (and examples, up to {@value #EXAMPLES} per reason). */
    void addAll(Unusable other) {
        other.counts.forEach((what, n) -> {
            var c = counts.computeIfAbsent(what, k -> new long[1]);
            var mine = examples.computeIfAbsent(what, k -> new ArrayList<>());
            for (var e : other.examples.getOrDefault(what, List.of())) if (mine.size() < EXAMPLES) mine.add(e);
            c[0] += n[0];
        });
    }

    long count(String what) {
        var c = counts.get(what);
        return c == null ? 0 : c[0];
    }

    long total() { return counts.values().stream().mapToLong(c -> c[0]).sum(); }

    List<Reason> all() {
        var out = new ArrayList<Reason>();
        counts.forEach((k, v) -> out.add(new Reason(k, v[0], List.copyOf(examples.getOrDefault(k, List.of())))));
        return out;
    }
}
