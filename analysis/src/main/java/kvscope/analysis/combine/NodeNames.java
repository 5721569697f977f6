package kvscope.analysis.combine;

import kvscope.analysis.Summary;
import kvscope.analysis.model.BusExchange;
import kvscope.analysis.model.NodeIds;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Node ids found by elimination across hosts (docs/combine.md). A trace whose {@code server_info} has no node id
 * leaves its node to be named by elimination ({@link NodeIds}): a node never talks to itself. On its own host a node
 * often cannot be — its peers are elsewhere — and its host's model keeps the ids it talks to only as names of that
 * host's servers or as the first 8 digits of other hosts' nodes. The aggregator sees every host's: it runs the same
 * elimination over all servers, by those 8 digits, with the ids the hosts already knew, and gives what it finds to
 * the bus exchange — so the arrows between hosts are paired and the links named as a one-go analysis would.
 */
public final class NodeNames {
    private NodeNames() {}

    /**
     * @param summaries   the hosts' summaries, in host order
     * @param combinedOf  a server's combined index by host index and its name in that host's model (−1: none)
     * @return how many servers were named here
     */
    public static int eliminate(List<Summary> summaries, CombinedIndex combinedOf, BusExchange.Merge exchange) {
        var talksTo = new HashMap<Integer, Set<String>>();
        var known = new HashMap<Integer, String>();
        for (int i = 0; i < summaries.size(); i++) {
            final int h = i;
            var ownNames = new HashMap<String, Integer>();
            for (var s : summaries.get(i).servers()) {
                int c = combinedOf.of(h, s.name());
                if (c >= 0) ownNames.put(s.name(), c);
            }
            for (var s : summaries.get(i).servers()) {
                var index = ownNames.get(s.name());
                if (index == null) continue;
                int c = index;
                var id = exchange.nodeId(c);
                if (id != null) known.put(c, prefix(id));
                var ids = new HashSet<String>();
                for (var links : List.of(s.busOutByLink(), s.busInByLink())) {
                    for (var k : links.keySet()) {
                        if (k.startsWith("fd=")) continue;
                        var own = ownNames.get(k);
                        if (own == null) {
                            ids.add(prefix(k));
                            continue;
                        }
                        // A link to a server of the same host, named by the host's analysis: its id is known there.
                        var ownId = exchange.nodeId(own);
                        if (ownId != null) ids.add(prefix(ownId));
                    }
                }
                if (!ids.isEmpty()) talksTo.put(c, ids);
            }
        }
        Map<Integer, String> found = NodeIds.byElimination(talksTo, known);
        found.forEach(exchange::named);
        return found.size();
    }

    /** A server's combined index. */
    @FunctionalInterface
    public interface CombinedIndex {
        int of(int host, String name);
    }

    private static String prefix(String id) { return id.length() > 8 ? id.substring(0, 8) : id; }

}
