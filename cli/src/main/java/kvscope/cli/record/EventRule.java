package kvscope.cli.record;

import java.util.List;

/**
 * One {@code lttng enable-event} call: event names or wildcard patterns, minus the events {@code excluded} names
 * (LTTng's {@code --exclude}, valid only beside a pattern that matches them).
 */
record EventRule(List<String> names, List<String> excluded) {
    EventRule {
        names = List.copyOf(names);
        excluded = List.copyOf(excluded);
    }
}
