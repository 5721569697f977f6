package kvscope.analysis.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table from event name to the handlers of every model entity that the event changes (paper Fig. 3: one entity
 * per class, each registering what it reacts to), in registration order.
 */
final class Dispatch {
    private final Map<String, List<Handler>> byName = new LinkedHashMap<>();

    void on(String event, Handler h) {
        byName.computeIfAbsent("redis:" + event, k -> new ArrayList<>()).add(h);
    }

    Map<String, List<Handler>> table() { return byName; }

    /** One entry per event type: its handlers flattened into one call, and how many events it saw. */
    static final class Entry {
        final String name;
        final Handler[] handlers;
        long count;

        Entry(String name, List<Handler> handlers) {
            this.name = name.startsWith("redis:") ? name.substring(6) : name;
            this.handlers = handlers.toArray(Handler[]::new);
        }

        void run(Ctx c) {
            count++;
            for (var h : handlers) h.on(c);
        }
    }
}
