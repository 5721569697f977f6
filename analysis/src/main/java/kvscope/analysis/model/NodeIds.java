package kvscope.analysis.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gives cluster links the names of the servers at their other end. No event says a node's own cluster id, but a
 * node never talks to itself: its id is among the ids its peers use and it does not, and once some nodes are named
 * their ids are out of the others' candidates. Links to nodes that stay ambiguous keep the node id's first 8 digits.
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
        // Candidates: the ids a node never talks to. Resolving one node removes its id from the others' candidates,
        // so a node that gossiped with few peers during a short recording is still named by elimination.
        var names = new HashMap<String, String>();
        var open = new HashMap<ServerState, Set<String>>();
        talksTo.forEach((s, ids) -> {
            var mine = new HashSet<>(all);
            mine.removeAll(ids);
            open.put(s, mine);
        });
        boolean progress = true;
        while (progress && !open.isEmpty()) {
            progress = false;
            for (var it = open.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                e.getValue().removeAll(names.keySet());
                if (e.getValue().size() == 1) {
                    var s = e.getKey();
                    s.nodeId = e.getValue().iterator().next();
                    names.put(s.nodeId, s.name);
                    it.remove();
                    progress = true;
                }
            }
        }
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
