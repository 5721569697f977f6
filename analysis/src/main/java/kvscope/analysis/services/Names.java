package kvscope.analysis.services;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Strings stored once and referred to by index (services, routes, addresses, commands); -1 is "none". */
final class Names {
    private final List<String> list = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();

    int id(String s) {
        if (s == null) return -1;
        var id = ids.get(s);
        if (id != null) return id;
        ids.put(s, list.size());
        list.add(s);
        return list.size() - 1;
    }

    String get(int id) { return id < 0 ? null : list.get(id); }

    List<String> all() { return list; }
}
