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
final class NodeIds {
    private NodeIds() {}

    static void resolve(List<ServerState> servers) {
        var talksTo = new HashMap<ServerState, Set<String>>();
        for (var s : servers) {
            var ids = new HashSet<String>();
            ids.addAll(s.stats.busOutByLink.keySet());
            ids.addAll(s.stats.busInByLink.keySet());
            ids.removeIf(id -> id.startsWith("fd="));
            if (ids.isEmpty()) continue;
            talksTo.put(s, ids);
        }
        // Candidates: the ids a node never talks to. Resolving one node removes its id from the others' candidates,
        // so a node that gossiped with few peers during a short recording is still named by elimination. Several
        // clusters traced at once (tests, a shared host) would drown each other's candidates: eliminate within each
        // cluster first — nodes of one cluster of three or more share peers — then across what is left.
        var names = new HashMap<String, String>();
        // Nodes whose server_info said their id are named already; elimination only has to name the others.
        for (var st : servers) if (st.nodeId != null) names.put(st.nodeId, st.name);
        for (var cluster : clusters(talksTo)) eliminate(cluster, talksTo, names);
        var rest = new ArrayList<ServerState>();
        for (var st : talksTo.keySet()) if (st.nodeId == null) rest.add(st);
        eliminate(rest, talksTo, names);
        for (var s : talksTo.keySet()) {
            rename(s.stats.busOutByLink, names);
            rename(s.stats.busInByLink, names);
        }
    }

    /** Names by elimination within these servers, with the ids they talk about; adds to {@code names}. */
    private static void eliminate(List<ServerState> group, Map<ServerState, Set<String>> talksTo, Map<String, String> names) {
        var all = new HashSet<String>();
        for (var st : group) all.addAll(talksTo.get(st));
        var open = new HashMap<ServerState, Set<String>>();
        for (var st : group) {
            if (st.nodeId != null) continue;
            var mine = new HashSet<>(all);
            mine.removeAll(talksTo.get(st));
            open.put(st, mine);
        }
        boolean progress = true;
        while (progress && !open.isEmpty()) {
            progress = false;
            for (var it = open.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                e.getValue().removeAll(names.keySet());
                if (e.getValue().size() == 1) {
                    var st = e.getKey();
                    st.nodeId = e.getValue().iterator().next();
                    names.put(st.nodeId, st.name);
                    it.remove();
                    progress = true;
                }
            }
        }
    }

    /** Servers grouped by shared peers: two nodes of one cluster of three or more both talk to a third. */
    private static List<List<ServerState>> clusters(Map<ServerState, Set<String>> talksTo) {
        var groups = new ArrayList<List<ServerState>>();
        var byId = new HashMap<String, List<ServerState>>();
        for (var st : talksTo.keySet()) {
            // Merge every group that already talks to one of st's peers, then add st.
            var merged = new ArrayList<ServerState>();
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
