package kvscope.analysis.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gives cluster links the names of the servers at their other end. {@code server_info} says a node's own id (from
 * this instrumentation on); for traces without it, a node never talks to itself: its id is among the ids its peers use and it does not, and once some nodes are named
 * their ids are out of the others' candidates. Links to nodes that stay ambiguous keep the node id's first 8 digits.
 */
public final class NodeIds {
    private NodeIds() {}

    static void resolve(List<ServerState> servers) {
        var talksTo = new HashMap<ServerState, Set<String>>();
        var known = new HashMap<ServerState, String>();
        for (var s : servers) {
            if (s.nodeId != null) known.put(s, s.nodeId);
            var ids = new HashSet<String>();
            ids.addAll(s.stats.busOutByLink.keySet());
            ids.addAll(s.stats.busInByLink.keySet());
            ids.removeIf(id -> id.startsWith("fd="));
            if (ids.isEmpty()) continue;
            talksTo.put(s, ids);
        }
        byElimination(talksTo, known).forEach((st, id) -> st.nodeId = id);
        var names = new HashMap<String, String>();
        for (var st : servers) if (st.nodeId != null) names.put(st.nodeId, st.name);
        for (var s : talksTo.keySet()) {
            rename(s.stats.busOutByLink, names);
            rename(s.stats.busInByLink, names);
        }
    }

    /**
     * The ids of the nodes in {@code talksTo} (each node with the ids it talks to) that {@code known} (node → its id, as
     * its server_info said or an earlier elimination found) does not name, found by elimination: a node never talks to
     * itself, so its id is among those its peers use and it does not, and once some are named their ids are out of the
     * others' candidates. Used per trace set ({@link #resolve}) and across hosts at the aggregator (combine).
     */
    public static <K> Map<K, String> byElimination(Map<K, Set<String>> talksTo, Map<K, String> known) {
        // Candidates: the ids a node never talks to. Resolving one node removes its id from the others' candidates,
        // so a node that gossiped with few peers during a short recording is still named by elimination. Several
        // clusters traced at once (tests, a shared host) would drown each other's candidates: eliminate within each
        // cluster first — nodes of one cluster of three or more share peers — then across what is left.
        var names = new HashSet<>(known.values());
        var found = new HashMap<K, String>();
        for (var cluster : clusters(talksTo)) eliminate(cluster, talksTo, known, names, found);
        var rest = new ArrayList<K>();
        for (var k : talksTo.keySet()) if (!known.containsKey(k) && !found.containsKey(k)) rest.add(k);
        eliminate(rest, talksTo, known, names, found);
        return found;
    }

    /** Names by elimination within these nodes; adds to {@code names} (the ids taken) and {@code found}. */
    private static <K> void eliminate(List<K> group, Map<K, Set<String>> talksTo, Map<K, String> known, Set<String> names,
                                      Map<K, String> found) {
        var all = new HashSet<String>();
        for (var st : group) all.addAll(talksTo.get(st));
        var open = new HashMap<K, Set<String>>();
        for (var st : group) {
            if (known.containsKey(st) || found.containsKey(st)) continue;
            var mine = new HashSet<>(all);
            mine.removeAll(talksTo.get(st));
            open.put(st, mine);
        }
        boolean progress = true;
        while (progress && !open.isEmpty()) {
            progress = false;
            for (var it = open.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                e.getValue().removeAll(names);
                if (e.getValue().size() == 1) {
                    var id = e.getValue().iterator().next();
                    found.put(e.getKey(), id);
                    names.add(id);
                    it.remove();
                    progress = true;
                }
            }
        }
    }

    /** Nodes grouped by shared peers: two nodes of one cluster of three or more both talk to a third. */
    private static <K> List<List<K>> clusters(Map<K, Set<String>> talksTo) {
        var groups = new ArrayList<List<K>>();
        var byId = new HashMap<String, List<K>>();
        for (var st : talksTo.keySet()) {
            // Merge every group that already talks to one of st's peers, then add st.
            var merged = new ArrayList<K>();
            merged.add(st);
            for (var id : talksTo.get(st)) {
                var g = byId.get(id);
                if (g != null && g != merged && groups.remove(g)) merged.addAll(g);
            }
            groups.add(merged);
            for (var member : merged) for (var id : talksTo.get(member)) byId.put(id, merged);
        }
        return groups;
    }

    private static void rename(TreeMap<String, long[]> byLink, Map<String, String> names) {
        var copy = new TreeMap<String, long[]>();
        byLink.forEach((id, v) -> copy.put(names.getOrDefault(id, id.length() > 8 ? id.substring(0, 8) : id), v));
        byLink.clear();
        byLink.putAll(copy);
    }
}
