package kvscope.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import kvscope.analysis.views.Query;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code parameters} object of a TSP request body, read strictly: integers are read as longs from the JSON text
 * (never through a double, which would round epoch nanoseconds), and anything malformed is a 400 naming the
 * parameter.
 */
final class Params {
    /** More ids than any view has rows: a longer list is a mistake or an attack, refused before any work. */
    static final int MAX_ITEMS = 100_000;

    private final ObjectNode p;

    private Params(ObjectNode p) { this.p = p; }

    /** Parses a body {@code {"parameters": {…}}}; an empty body has no parameters. */
    static Params parse(byte[] body) {
        if (body.length == 0) return new Params(JsonNodeFactory.instance.objectNode());
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            var loc = e.getLocation();
            throw ApiError.badRequest("malformed JSON body" + (loc != null ? " at byte " + loc.getByteOffset() : "")
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("unreadable body: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) return new Params(JsonNodeFactory.instance.objectNode());
        if (!root.isObject()) throw ApiError.badRequest("the body must be a JSON object {\"parameters\": {…}}");
        var params = root.get("parameters");
        if (params == null || params.isNull()) return new Params(JsonNodeFactory.instance.objectNode());
        if (!params.isObject()) throw ApiError.badRequest("\"parameters\" must be an object");
        return new Params((ObjectNode) params);
    }

    boolean has(String name) { return p.hasNonNull(name); }

    String string(String name) {
        var n = p.get(name);
        if (n == null || n.isNull()) throw ApiError.badRequest("parameter \"" + name + "\" is required");
        if (!n.isTextual()) throw ApiError.badRequest("parameter \"" + name + "\" must be a string");
        return n.textValue();
    }

    String string(String name, String otherwise) { return has(name) ? string(name) : otherwise; }

    long longValue(String name) { return toLong(p.get(name), name); }

    private static long toLong(JsonNode n, String where) {
        if (n == null || n.isNull()) throw ApiError.badRequest("parameter \"" + where + "\" is required");
        if (n.isIntegralNumber() && n.canConvertToLong()) return n.longValue();
        // Some clients send 64-bit times as strings to survive JavaScript numbers.
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.textValue().trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw ApiError.badRequest("parameter \"" + where + "\" must be an integer that fits 64 bits, got " + n);
    }

    /** A list of integers (ids, times); absent → empty. */
    long[] longs(String name) {
        var n = p.get(name);
        if (n == null || n.isNull()) return new long[0];
        if (!n.isArray()) throw ApiError.badRequest("parameter \"" + name + "\" must be an array of integers");
        if (n.size() > MAX_ITEMS) throw ApiError.badRequest("parameter \"" + name + "\" has " + n.size()
                + " elements; at most " + MAX_ITEMS);
        var out = new long[n.size()];
        for (int i = 0; i < out.length; i++) out[i] = toLong(n.get(i), name + "[" + i + "]");
        return out;
    }

    List<String> strings(String name) {
        var n = p.get(name);
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw ApiError.badRequest("parameter \"" + name + "\" must be an array of strings");
        if (n.size() > MAX_ITEMS) throw ApiError.badRequest("parameter \"" + name + "\" is too long");
        var out = new ArrayList<String>();
        for (var e : n) {
            if (!e.isTextual()) throw ApiError.badRequest("parameter \"" + name + "\" must be an array of strings");
            out.add(e.textValue());
        }
        return out;
    }

    /**
     * {@code requested_timerange {start, end, nbTimes}}; when absent, the whole range at {@code defaultTimes}
     * samples. An nbTimes outside 1..65536 or a reversed range is a 400, not a long computation.
     */
    Query timeRange(long wholeStart, long wholeEnd, int defaultTimes) {
        var n = p.get("requested_timerange");
        if (n == null || n.isNull()) return query(wholeStart, wholeEnd, defaultTimes);
        if (!n.isObject()) throw ApiError.badRequest("parameter \"requested_timerange\" must be an object {start, end, nbTimes}");
        long start = toLong(n.get("start"), "requested_timerange.start");
        long end = toLong(n.get("end"), "requested_timerange.end");
        long nb = n.hasNonNull("nbTimes") ? toLong(n.get("nbTimes"), "requested_timerange.nbTimes") : defaultTimes;
        if (nb < 1 || nb > Query.MAX_TIMES)
            throw ApiError.badRequest("requested_timerange.nbTimes " + nb + " is outside 1.." + Query.MAX_TIMES);
        return query(start, end, (int) nb);
    }

    private static Query query(long start, long end, int nb) {
        try {
            return new Query(Math.max(0, start), end, nb);
        } catch (Query.BadQuery e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }
}
