package kvscope.analysis.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gives cluster links the names of the servers at their other end. No event says a node's own cluster id, but each
 * node talks to every other: a node's id is the one id its peers talk to and it never does.
 */
final class NodeIds {
    private NodeIds() {}

    static void resolve(List<ServerState> servers) {
        var talksTo = new HashMap<ServerState, Set<String>>();
        var all = new HashSet<String>();
        for (var s : servers) {
            var ids = new HashSet<String>();
            ids.addAll(s.stats.busOutByLink.keySet());
            ids.addAll(s.stats.busInByLink.keySet());
            ids.removeIf(id -> id.startsWith("fd="));
            if (ids.isEmpty()) continue;
            talksTo.put(s, ids);
            all.addAll(ids);
        }
        var names = new HashMap<String, String>();
        talksTo.forEach((s, ids) -> {
            var mine = new HashSet<>(all);
            mine.removeAll(ids);
            if (mine.size() == 1) {
                s.nodeId = mine.iterator().next();
                names.put(s.nodeId, s.name);
            }
        });
        for (var s : talksTo.keySet()) {
            rename(s.stats.busOutByLink, names);
            rename(s.stats.busInByLink, names);
        }
    }

    private static void rename(TreeMap<String, long[]> byLink, Map<String, String> names) {
        var copy = new TreeMap<String, long[]>();
        byLink.forEach((id, v) -> copy.put(names.getOrDefault(id, id.length() > 8 ? id.substring(0, 8) : id), v));
        byLink.clear();
        byLink.putAll(copy);
    }
}
