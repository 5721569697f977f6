package kvscope.analysis.model;

import java.util.HashMap;
import java.util.Map;

/**
 * The light profile's {@code commands} event: commands one Redis thread ran, up to 32, each as the sequences'
 * element i and the i-th space-separated word of {@code names} (instrument/redis/EVENTS.md), replayed through the
 * call_command_end handlers at each command's own end time ({@link BatchReplay}).
 *
 * <p>Redis writes a thread's batch before that thread's next event, except {@code publish(es)} and cluster-bus events
 * (they change no client's life cycle), so the commands come in order; their times lie before the batch's own
 * timestamp, which the timeline places like any phase reported at its end. A batch whose sequences disagree, or a
 * command that would end after the batch was written, is not applied and is counted.
 */
final class CommandBatch extends BatchReplay {
    static final String MALFORMED = "redis:commands (inconsistent fields, not applied)";
    static final String FUTURE = "redis:commands (command ending after its event, not applied)";

    private static final int MAX_NAMES = 100_000;

    /** One String per command name, so handlers may compare names by identity as they do for single events. */
    private final Map<String, String> names = new HashMap<>();
    /** The batch's names, and where the next element's name starts in them. */
    private String text;
    private int from;

    /** The sequences a batch cannot be replayed without (the others have defaults). */
    static final String[] NEEDS = {"fd", "id", "names", "start_ns", "duration_ns"};

    CommandBatch(Dispatch.Entry commandEnd, ModelCounters counters) {
        super(commandEnd, counters, MALFORMED, FUTURE);
    }

    @Override int elements(Ctx c) {
        var e = c.event;
        var f = c.fields;
        if (!(e.has(f.fd) && e.has(f.id) && e.has(f.names) && e.has(f.startNs) && e.has(f.durationNs))) return -1;
        int n = e.length(f.fd);
        text = e.getString(f.names);
        from = 0;
        if (e.length(f.id) != n || e.length(f.startNs) != n || e.length(f.durationNs) != n
                || (e.has(f.depth) && e.length(f.depth) != n) || words(text) != n) return -1;
        return n;
    }

    @Override boolean element(Ctx c, int i, long t) {
        int to = text.indexOf(' ', from);
        if (to < 0) to = text.length();
        long start = c.server.fromRaw(c.event.getLong(c.fields.startNs, i));
        long end = start + c.event.getLong(c.fields.durationNs, i);
        var name = name(text, from, to);
        from = to + 1;
        if (end > t || end < start) return false;
        c.itemName = name;
        c.itemStart = start;
        c.time = end;
        return true;
    }

    private String name(String text, int from, int to) {
        var word = text.substring(from, to);
        if (names.size() >= MAX_NAMES) return names.getOrDefault(word, word); // a hostile trace: bounded memory
        var known = names.putIfAbsent(word, word);
        return known != null ? known : word;
    }

    /** Space-separated words; an empty text has none. */
    private static int words(String text) {
        if (text.isEmpty()) return 0;
        int n = 1;
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == ' ') n++;
        return n;
    }
}
