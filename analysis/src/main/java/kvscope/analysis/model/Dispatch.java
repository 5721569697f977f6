package kvscope.analysis.model;

import kvscope.ctf.EventType;
import kvscope.ctf.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The table from event name to the handlers of every model entity that the event changes (paper Fig. 3: one entity
 * per class, each registering what it reacts to), in registration order. Handlers register by the event's name
 * within its provider ({@code "accept_client"}); the provider's prefix ({@code "redis:"}) is known here only.
 *
 * <p>Each handler names the fields it cannot do without ({@code fd} to find the connection); every other field it
 * reads has a default. When the trace opens, a handler whose event lacks one of them
 * in this trace's layout (see {@link Layouts}) is switched off for that event, and said so ({@link Skipped}).
 */
final class Dispatch {
    /** The instrumented Redis's tracepoint provider (instrument/redis/EVENTS.md). */
    static final String REDIS = "redis";

    private final String prefix;
    private final Map<String, List<Registered>> byName;
    /** What the entity registering now models, as the report names it when a handler of it is switched off. */
    private final String models;

    Dispatch(String provider) { this(provider + ":", new LinkedHashMap<>(), "the model"); }

    private Dispatch(String prefix, Map<String, List<Registered>> byName, String models) {
        this.prefix = prefix;
        this.byName = byName;
        this.models = models;
    }

    /** The same table, for the handlers of an entity that models {@code what} ("connection states"). */
    Dispatch as(String what) { return new Dispatch(prefix, byName, what); }

    /**
     * What handlers need, named once: a connection's fd, or nothing beyond defaults. A phase's start is not among
     * them: without start_ns a phase is placed at its event, without length (Ctx.start, said by Layouts).
     */
    static final String[] NOTHING = {}, FD = {"fd"};

    /** Any other set of needed fields. */
    static String[] needs(String... fields) { return fields; }

    /** @param needs the fields the handler cannot do without (it reads any other one with a default) */
    void on(String event, String[] needs, Handler h) {
        byName.computeIfAbsent(event, k -> new ArrayList<>()).add(new Registered(h, List.of(needs), models));
    }

    /**
     * The handlers registered so far for one event, as one entry for a batch event that replays it: checked against
     * the batch's own layout, whose sequences stand for the single event's fields ({@code names} for {@code name}).
     */
    Entry entry(String event) {
        return new Entry(event, prefix + event, byName.getOrDefault(event, List.of()));
    }

    /** A handler of an entity, with the fields it needs. */
    record Registered(Handler handler, List<String> needs, String models) {}

    /** A handler switched off for one event type of the trace, because the event lacks fields it needs. */
    record Skipped(String event, String models, List<String> missing) {}

    /**
     * The entries of the events this trace has, by the reader's dense event-type index (null: no handler), with the
     * handlers the layouts cannot feed switched off and listed in {@code skipped}.
     */
    Entry[] entries(Trace trace, Layouts layouts, List<Skipped> skipped) {
        var entries = new Entry[trace.eventTypes().size()];
        byName.forEach((name, handlers) -> {
            var type = type(trace, prefix + name);
            if (type.exists()) entries[type.index()] = entry(name).restrictedTo(f -> layouts.usable(type, f), type.name(), skipped);
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
        /** The registrations behind {@link #handlers}, for a batch event to check them against its own layout. */
        final List<Registered> registered;
        long count;

        private Entry(String name, String eventName, List<Registered> handlers) {
            this.name = name;
            this.eventName = eventName;
            this.registered = List.copyOf(handlers);
            this.handlers = handlers.stream().map(Registered::handler).toArray(Handler[]::new);
        }

        /**
         * This entry with only the handlers whose needs {@code usable} accepts; the others go to {@code skipped}, as
         * switched off for {@code event} (the trace's event, or a batch standing for this one).
         */
        Entry restrictedTo(Predicate<String> usable, String event, List<Skipped> skipped) {
            var kept = new ArrayList<Registered>();
            for (var r : registered) {
                var missing = r.needs.stream().filter(f -> !usable.test(f)).toList();
                if (missing.isEmpty()) kept.add(r);
                else skipped.add(new Skipped(event, r.models, missing));
            }
            return new Entry(name, eventName, kept);
        }

        void run(Ctx c) {
            count++;
            for (var h : handlers) h.on(c);
        }
    }
}
