package kvscope.analysis.model;

import kvscope.ctf.EventType;
import kvscope.ctf.Field;
import kvscope.ctf.FieldKind;
import kvscope.ctf.Trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The layouts of the {@code redis:*} events, checked once when a trace opens: users bring traces kvscope did not
 * record — an earlier or later version of our patch, their own tracepoints under the same provider name — and each
 * must be read as far as it can be, never fail on a field it lacks.
 *
 * <p>A field counts as present in an event type only when it holds what kvscope reads it as ({@link #expected}): a
 * field of another kind (text where an integer was meant) is treated as absent, so no handler reads a length or a
 * number in its place. Handlers that cannot do without an absent field are switched off for that event
 * ({@link Dispatch}); both are said in {@link #notes}.
 *
 * <p>Every layout our patch ever wrote ({@code git log -p -- instrument/redis/redis_tp.h}) is a subset of today's:
 * each version only added events and fields. So a trace of an earlier version is recognised by what it lacks, and
 * read with today's handlers, those features left out.
 */
final class Layouts {
    /**
     * Each layout of the patch, by what it added first (instrument/redis/redis_tp.h's history). Only events a
     * session enabled are in a trace's metadata, so what a trace shows is a lower bound ("5 or later").
     */
    record Version(int number, String added, String event, String field) {}

    static final List<Version> VERSIONS = List.of(
            new Version(1, "the first layout", null, null),
            new Version(2, "cluster_redirect and call_command_start.slot", "cluster_redirect", null),
            new Version(2, "cluster_redirect and call_command_start.slot", "call_command_start", "slot"),
            new Version(3, "server_info.node_id", "server_info", "node_id"),
            new Version(4, "the light profile's commands batch", "commands", null),
            new Version(5, "the light profile's publishes batch", "publishes", null),
            new Version(6, "the attach snapshot", "snapshot_client", null),
            new Version(6, "the attach snapshot and server_info.layout", "server_info", "layout"),
            new Version(7, "the replication events (repl_feed, repl_apply, repl_ack, repl_sync…)", "repl_ack", null),
            new Version(7, "the replication events (repl_feed, repl_apply, repl_ack, repl_sync…)", "repl_sync", null),
            new Version(7, "the replication events (repl_feed, repl_apply, repl_ack, repl_sync…)", "repl_apply", null),
            new Version(7, "blocked clients (block_client, unblock_client)", "block_client", null),
            new Version(8, "what the main thread used in an event-loop iteration (poll_end.iteration_cpu_ns…)", "poll_end",
                    "iteration_cpu_ns"));
    static final int CURRENT = 8;
    /**
     * The field of server_info in which the patch writes its layout version ({@code REDIS_TP_LAYOUT} in redis_tp.h,
     * since layout 6), so that a trace says it rather than kvscope inferring it. Read when present; a version above
     * {@link #CURRENT} is said to be newer than this kvscope.
     */
    static final String WRITTEN = "layout";

    /** The light profile's batches: element i of every sequence is one command or publish. */
    private static final Set<String> BATCHES = Set.of("commands", "publishes");
    private static final Set<String> TEXT = Set.of("name", "names", "channels", "type_name", "peer_addr", "role", "kind",
            "channel", "node_id", "peer", "sender", "node", "target_addr", "client_name", "flags", "master_addr",
            "btype", "reason", "key");
    /** {@code type} is the client's kind as text in these, a cluster message type number elsewhere. */
    private static final Set<String> TYPE_AS_TEXT = Set.of("accept_client", "client_set_type", "free_client",
            "snapshot_client");

    /** A field read with a fallback when absent: the report says what stands in for it. */
    record Fallback(String event, String field, String instead) {}

    static final List<Fallback> FALLBACKS = List.of(
            new Fallback("write_to_client_end", "done", "a reply counts as sent when its write leaves nothing pending "
                    + "(or, without pending either, at its first write)"),
            new Fallback("call_command_start", "name", "its requests have no command name"),
            new Fallback("call_command_end", "name", "the commands it ends are unnamed where no call_command_start "
                    + "names them"));

    /** The events that report a phase at its end, from its start_ns (instrument/redis/EVENTS.md). */
    static final List<String> PHASES = List.of("end_read_client_query", "call_command_end", "write_to_client_end",
            "ssl_read", "poll_end", "cluster_write", "cluster_read", "cluster_process_packet");

    private final Map<EventType, Map<String, Boolean>> usable = new HashMap<>();
    private final int version;
    private final List<String> notes = new ArrayList<>();

    Layouts(Trace trace) {
        int v = 1;
        for (var ver : VERSIONS) {
            if (ver.event() == null) continue; // the first: nothing to recognise it by
            var t = Dispatch.redis(trace, ver.event());
            if (t.exists() && (ver.field() == null || t.kind(ver.field()) != FieldKind.ABSENT)) v = Math.max(v, ver.number());
        }
        this.version = v;
        var wrongKind = new TreeMap<String, String>();
        for (var t : trace.eventTypes()) {
            if (!t.name().startsWith(Dispatch.REDIS + ":")) continue;
            for (var f : t.allFieldNames()) {
                var k = t.kind(f);
                var want = expected(event(t), f);
                if (want != null && k != want && k != FieldKind.ABSENT)
                    wrongKind.put(t.name() + "." + f, k.name().toLowerCase(Locale.ROOT) + ", not " + want.name().toLowerCase(Locale.ROOT));
            }
        }
        wrongKind.forEach((f, why) -> notes.add(f + " holds " + why + " as kvscope's Redis patch writes it: not read"));
        for (var e : PHASES) {
            var t = Dispatch.redis(trace, e);
            if (t.exists() && !usable(t, "start_ns"))
                notes.add(t.name() + " has no start_ns: its phases are placed at the event itself, with no length");
        }
        for (var fb : FALLBACKS) {
            var t = Dispatch.redis(trace, fb.event());
            if (t.exists() && !usable(t, fb.field())) notes.add(t.name() + " has no " + fb.field() + ": " + fb.instead());
        }
    }

    /** The event's name within the provider. */
    private static String event(EventType t) { return t.name().substring(t.name().indexOf(':') + 1); }

    /**
     * What kvscope reads a field of a Redis event as, or null for a field it does not read by that name (the
     * context's vpid, vtid, procname are read from any event, with defaults).
     */
    static FieldKind expected(String event, String field) {
        // LTTng's own: the context, and a sequence's length field (_<name>_length) read through the sequence.
        if (field.equals("vpid") || field.equals("vtid") || field.equals("procname") || field.startsWith("_")) return null;
        if (TEXT.contains(field) || field.equals("type") && TYPE_AS_TEXT.contains(event)) return FieldKind.TEXT;
        return BATCHES.contains(event) ? FieldKind.NUMBERS : FieldKind.INTEGER;
    }

    /** True when this Redis event type has the field, holding what kvscope reads it as. */
    boolean usable(EventType type, String field) {
        return usable.computeIfAbsent(type, k -> new HashMap<>()).computeIfAbsent(field, f -> {
            var want = expected(event(type), f);
            var k = type.kind(f);
            return k != FieldKind.ABSENT && (want == null || k == want);
        });
    }

    /** A handle on the field in the Redis event types where it is {@link #usable}, and in every other type. */
    Field field(Trace trace, String name) {
        return trace.field(name, t -> !t.name().startsWith(Dispatch.REDIS + ":") || usable(t, name));
    }

    /** The earliest layout of the patch that has everything this trace's Redis events show. */
    int version() { return version; }

    /**
     * The notes once the events are read: a version the trace itself states ({@code written}, 0 if none) replaces the
     * inferred one; a newer one than this kvscope knows is said.
     */
    static List<String> withWritten(List<String> notes, long written) {
        if (written <= 0) return notes;
        var out = new ArrayList<String>();
        if (written > CURRENT) {
            out.add("the Redis events are of layout " + written + " of kvscope's Redis patch, newer than this kvscope "
                    + "knows (" + CURRENT + "): read as far as it can be; update kvscope to model what is new");
        }
        for (var n : notes) if (!n.startsWith(INFERRED)) out.add(n);
        return out;
    }

    private static final String INFERRED = "the Redis events match layout ";

    /**
     * What the report says about the layouts: the version recognised, fields of another kind, and each handler
     * switched off (grouped: one line per event and missing fields).
     */
    List<String> notes(List<Dispatch.Skipped> skipped, Set<String> unknownRedisEvents) {
        var out = new ArrayList<String>();
        if (version < CURRENT) {
            out.add(INFERRED + version + " of kvscope's Redis patch (of " + CURRENT
                    + "): the trace declares nothing that later layouts added ("
                    + String.join(", ", VERSIONS.stream().filter(v -> v.number() > version).map(Version::added).distinct().toList())
                    + "), so that is not modelled");
        }
        if (!unknownRedisEvents.isEmpty()) {
            out.add("Redis events this kvscope does not know (a newer instrumentation, or another provider named "
                    + "redis?): " + unknownRedisEvents + ": listed by kvscope events, not modelled");
        }
        out.addAll(notes);
        var grouped = new TreeMap<String, TreeSet<String>>();
        for (var s : skipped) {
            grouped.computeIfAbsent(s.event() + " has no " + String.join(", no ", new TreeSet<>(s.missing())), k -> new TreeSet<>())
                    .add(s.models());
        }
        grouped.forEach((what, models) -> out.add(what + ": not modelled from it: " + String.join(", ", models)));
        return out;
    }
}
