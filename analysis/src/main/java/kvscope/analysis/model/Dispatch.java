package kvscope.analysis.model;

import kvscope.ctf.EventType;
import kvscope.ctf.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table from event name to the handlers of every model entity that the event changes (paper Fig. 3: one entity
 * per class, each registering what it reacts to), in registration order. Handlers register by the event's name
 * within its provider ({@code "accept_client"}); the provider's prefix ({@code "redis:"}) is known here only.
 */
final class Dispatch {
    /** The instrumented Redis's tracepoint provider (instrument/redis/EVENTS.md). */
    static final String REDIS = "redis";

    private final String prefix;
    private final Map<String, List<Handler>> byName = new LinkedHashMap<>();

    Dispatch(String provider) { this.prefix = provider + ":"; }

    void on(String event, Handler h) {
        byName.computeIfAbsent(event, k -> new ArrayList<>()).add(h);
    }

    /** The handlers registered so far for one event, as one entry (for a batch event that replays it). */
    Entry entry(String event) {
        return new Entry(event, prefix + event, byName.getOrDefault(event, List.of()));
    }

    /** The entries of the events this trace has, by the reader's dense event-type index (null: no handler). */
    Entry[] entries(Trace trace) {
        var entries = new Entry[trace.eventTypes().size()];
        byName.forEach((name, handlers) -> {
            var type = type(trace, prefix + name);
            if (type.exists()) entries[type.index()] = new Entry(name, prefix + name, handlers);
        });
        return entries;
    }

    /** A Redis event type of the trace, by its name within the provider. */
    static EventType redis(Trace trace, String event) { return type(trace, REDIS + ":" + event); }

    private static EventType type(Trace trace, String fullName) { return trace.eventType(fullName); }

    /** One entry per event type: its handlers flattened into one call, and how many events it saw. */
    static final class Entry {
        /** The event's name within its provider (the connections' recent-event lists show it). */
        final String name;
        /** With the provider: the name in the trace. */
        final String eventName;
        final Handler[] handlers;
        long count;

        private Entry(String name, String eventName, List<Handler> handlers) {
            this.name = name;
            this.eventName = eventName;
            this.handlers = handlers.toArray(Handler[]::new);
        }

        void run(Ctx c) {
            count++;
            for (var h : handlers) h.on(c);
        }
    }
}
