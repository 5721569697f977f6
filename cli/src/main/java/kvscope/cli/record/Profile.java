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
