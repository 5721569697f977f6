package kvscope.analysis.services;

import kvscope.ctf.Event;
import kvscope.ctf.Field;
import kvscope.ctf.Trace;

import java.util.ArrayList;
import java.util.List;

/**
 * Field handles of the {@code nodejs} provider (instrument/node/EVENTS.md), resolved once for the whole trace, and
 * the fields each event needs: an event type that lacks one (an agent of another version, a hand-made trace) is not
 * used, and every event of it is counted with the names of the missing fields.
 */
final class AgentFields {
    static final String PROVIDER = "nodejs:";

    final Field service, pid, span, parent, fd, method, path, host, route, status, bytes, aborted, error,
            srcAddr, srcPort, dstAddr, dstPort, command, ncommands, nreplies, errors, pushes, ok, rows,
            protocol, direction, reason, where, message, kind, startTs, unregistered;
    // Redis's accept_client (instrument/redis/EVENTS.md).
    final Field acceptFd, acceptId, acceptType, peerAddr, peerPort, localPort, depth;

    AgentFields(Trace t) {
        service = t.field("service"); pid = t.field("pid"); span = t.field("span"); parent = t.field("parent");
        fd = t.field("fd"); method = t.field("method"); path = t.field("path"); host = t.field("host");
        route = t.field("route"); status = t.field("status"); bytes = t.field("bytes"); aborted = t.field("aborted");
        error = t.field("error");
        srcAddr = t.field("src_addr"); srcPort = t.field("src_port"); dstAddr = t.field("dst_addr");
        dstPort = t.field("dst_port");
        command = t.field("command"); ncommands = t.field("ncommands"); nreplies = t.field("nreplies");
        errors = t.field("errors"); pushes = t.field("pushes"); ok = t.field("ok"); rows = t.field("rows");
        protocol = t.field("protocol"); direction = t.field("direction"); reason = t.field("reason");
        where = t.field("where"); message = t.field("message");
        kind = t.field("kind"); startTs = t.field("start_ts"); unregistered = t.field("unregistered");
        acceptFd = t.field("fd"); acceptId = t.field("id"); acceptType = t.field("type");
        peerAddr = t.field("peer_addr"); peerPort = t.field("peer_port"); localPort = t.field("local_port");
        depth = t.field("depth");
    }

    private static final List<String> TUPLE = List.of("src_addr", "src_port", "dst_addr", "dst_port");

    /** The fields an event of the agent must have to be used, by event name (without the provider). */
    static List<String> required(String event) {
        var out = new ArrayList<>(List.of("service", "pid"));
        switch (event) {
            case "http_server_receive" -> { out.addAll(List.of("span", "method", "path")); out.addAll(TUPLE); }
            case "http_server_response" -> out.addAll(List.of("span", "status"));
            case "http_client_request" -> out.addAll(List.of("span", "parent", "method", "path"));
            case "http_client_response" -> { out.addAll(List.of("span", "status")); out.addAll(TUPLE); }
            case "net_connect" -> out.addAll(TUPLE);
            case "redis_send" -> { out.addAll(List.of("span", "command", "ncommands")); out.addAll(TUPLE); }
            case "redis_reply" -> { out.add("nreplies"); out.addAll(TUPLE); }
            case "mysql_send" -> { out.addAll(List.of("span", "command")); out.addAll(TUPLE); }
            case "mysql_reply" -> out.addAll(TUPLE);
            case "stream_unparsed" -> out.addAll(TUPLE);
            case "snapshot_socket" -> { out.add("kind"); out.addAll(TUPLE); }
            case "snapshot_request" -> { out.addAll(List.of("kind", "span", "method", "path")); out.addAll(TUPLE); }
            default -> { }
        }
        return out;
    }

    /** Handles of the fields {@link #required} names for this event. */
    static Field[] handles(Trace t, String event) {
        return required(event).stream().map(t::field).toArray(Field[]::new);
    }

    /** The names of the required fields this event lacks, or null when it has them all (the common case, no work). */
    static String missing(Event e, Field[] required) {
        List<String> out = null;
        for (var f : required) {
            if (e.has(f)) continue;
            if (out == null) out = new ArrayList<>();
            out.add(f.name());
        }
        return out == null ? null : String.join(", ", out);
    }
}
