package kvscope.cli.record;

import kvscope.cli.Home;
import kvscope.cli.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which events a recording enables. {@code full} records every Redis tracepoint; {@code light} only the ones a
 * production user can afford (per command, cluster bus, connection life cycle: no event-loop, file-event or
 * read/write detail), as listed by the instrumentation in instrument/redis/profile-light.txt. Both add
 * {@code nodejs:*}, the provider of the Node.js agent (instrument/node/EVENTS.md): a service emits a few events per
 * HTTP request or Redis call, so the light profile keeps them all.
 */
public enum Profile {
    FULL, LIGHT;

    static final String NODE_AGENT_EVENTS = "nodejs:*";
    static final String LIGHT_LIST = "instrument/redis/profile-light.txt";

    /**
     * The events whose switching on makes a process write its snapshot (instrument/redis/EVENTS.md and
     * instrument/node/EVENTS.md, "Snapshot"). A recording enables them only once {@code lttng start} returned, i.e.
     * once every traced process replied that its session is active: LTTng-UST switches an application's
     * tracepoints on (lttng_session_enable syncs the enablers) before it registers the channels with the session
     * daemon and only then marks the session active, and the events written in between are dropped without being
     * counted. A snapshot that began in that window was lost whole or in part (AttachedInFlightTest lost a Node
     * service's in 2 of 7 full runs).
     */
    static final List<String> SNAPSHOT_TRIGGERS = List.of("redis:snapshot_client", "nodejs:snapshot_socket");

    /** What to enable before the session starts: {@link #eventRules()} without the snapshot triggers. */
    List<EventRule> rulesBeforeStart() {
        var plain = new ArrayList<String>();
        var out = new ArrayList<EventRule>();
        for (var rule : eventRules()) {
            if (SNAPSHOT_TRIGGERS.contains(rule)) continue;
            var covered = SNAPSHOT_TRIGGERS.stream().filter(t -> matches(rule, t)).toList();
            if (covered.isEmpty()) plain.add(rule);
            else out.add(new EventRule(List.of(rule), covered));
        }
        if (!plain.isEmpty()) out.add(0, new EventRule(plain, List.of()));
        return out;
    }

    /** The snapshot triggers this profile records, to enable once the session started. */
    List<String> rulesAfterStart() {
        var rules = eventRules();
        return SNAPSHOT_TRIGGERS.stream().filter(t -> rules.stream().anyMatch(r -> matches(r, t))).toList();
    }

    /** LTTng's event-name patterns: a trailing '*' matches any suffix (the only wildcard the profiles use). */
    private static boolean matches(String rule, String event) {
        return rule.endsWith("*") ? event.startsWith(rule.substring(0, rule.length() - 1)) : rule.equals(event);
    }

    /** LTTng UST event rules for this profile, e.g. "redis:*". */
    public List<String> eventRules() {
        var rules = new ArrayList<String>();
        if (this == FULL) {
            rules.add("redis:*");
        } else {
            rules.addAll(lightEvents(Home.dir().resolve(LIGHT_LIST)));
        }
        rules.add(NODE_AGENT_EVENTS);
        return rules;
    }

    /**
     * Read at run time from the instrumentation's own list, so the profile follows the tracepoints without a second
     * list to keep in sync.
     */
    static List<String> lightEvents(Path list) {
        List<String> lines;
        try {
            lines = Files.readAllLines(list);
        } catch (IOException e) {
            throw new UserError("cannot read the light profile's event list " + list + " (" + e.getMessage()
                    + "); use --profile full");
        }
        return parseLight(lines, list.toString());
    }

    private static final Pattern NAME = Pattern.compile("(?:redis:)?([a-z][a-z0-9_]*)");

    /** One event name per line, with or without the "redis:" provider; '#' starts a comment. */
    static List<String> parseLight(List<String> lines, String where) {
        var events = new ArrayList<String>();
        for (int i = 0; i < lines.size(); i++) {
            var line = lines.get(i);
            int hash = line.indexOf('#');
            var text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) continue;
            var m = NAME.matcher(text);
            if (!m.matches()) {
                throw new UserError(where + " line " + (i + 1) + ": '" + text + "' is not an event name"
                        + " (expected e.g. redis:call_command_end)");
            }
            var rule = "redis:" + m.group(1);
            if (!events.contains(rule)) events.add(rule);
        }
        if (events.isEmpty()) throw new UserError(where + " lists no events; use --profile full");
        return events;
    }
}
