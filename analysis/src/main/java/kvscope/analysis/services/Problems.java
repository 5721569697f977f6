package kvscope.analysis.services;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the integration could not use or join, by kind: how many times, and the first few occurrences with where they
 * were seen (event, time, process). Nothing the agent sends is dropped silently: it is used, or counted here.
 */
public final class Problems {
    /** Occurrences kept per kind: enough to find them in the trace, bounded whatever the trace. */
    static final int EXAMPLES = 5;

    /** One kind of problem: what it is, how often, where it was first seen. */
    public record Problem(String what, long count, List<String> examples) {}

    private final Map<String, long[]> counts = new LinkedHashMap<>();
    private final Map<String, List<String>> examples = new LinkedHashMap<>();

    /** Counts one occurrence of {@code what}; {@code where} says where (built only for the first few). */
    void add(String what, Supplier<String> where) {
        var c = counts.computeIfAbsent(what, k -> new long[1]);
        if (c[0]++ < EXAMPLES) examples.computeIfAbsent(what, k -> new ArrayList<>()).add(where.get());
    }

    void add(String what, long n, String where) {
        if (n <= 0) return;
        var c = counts.computeIfAbsent(what, k -> new long[1]);
        if (c[0] < EXAMPLES) examples.computeIfAbsent(what, k -> new ArrayList<>()).add(where);
        c[0] += n;
    }

    /** Adds another analysis's count of a kind and its examples (as many as fit in {@link #EXAMPLES}). */
    void add(Problem p) {
        if (p.count() <= 0) return;
        counts.computeIfAbsent(p.what(), k -> new long[1])[0] += p.count();
        var ex = examples.computeIfAbsent(p.what(), k -> new ArrayList<>());
        for (var x : p.examples()) if (ex.size() < EXAMPLES) ex.add(x);
    }

    long count(String what) {
        var c = counts.get(what);
        return c == null ? 0 : c[0];
    }

    public List<Problem> all() {
        var out = new ArrayList<Problem>();
        counts.forEach((k, v) -> out.add(new Problem(k, v[0], List.copyOf(examples.getOrDefault(k, List.of())))));
        return out;
    }

    static Problems of(List<Problem> list) {
        var p = new Problems();
        for (var x : list) {
            p.counts.put(x.what(), new long[] {x.count()});
            p.examples.put(x.what(), new ArrayList<>(x.examples()));
        }
        return p;
    }
}
