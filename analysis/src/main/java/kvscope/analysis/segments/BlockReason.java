package kvscope.analysis.segments;

import java.util.Locale;

/**
 * Why a blocked client was let go (instrument/redis/EVENTS.md, {@code unblock_client.reason}); stored in a segment by
 * ordinal, so only ever append.
 */
public enum BlockReason {
    /** The request never blocked. */
    NONE("not blocked"),
    KEY("served: a key it waited on got data"),
    TIMEOUT("timed out"),
    CLIENT_UNBLOCK("unblocked by CLIENT UNBLOCK"),
    REPLICAS("WAIT satisfied: enough replicas acknowledged"),
    DISCONNECT("the client disconnected"),
    UNPAUSE("the server's CLIENT PAUSE ended"),
    ROLE_CHANGE("the server became a replica"),
    OTHER("unblocked"),
    /** RM_UnblockClient: the module that blocked it let it go (moduleHandleBlockedClients; traced as other before). */
    MODULE("unblocked by the module that blocked it");

    private final String text;

    BlockReason(String text) { this.text = text; }

    /** In words, for reports and tooltips. */
    public String text() { return text; }

    /** The reason the trace names ({@code key}, {@code client_unblock}…); an unknown one is OTHER. */
    public static BlockReason of(String traced) {
        for (var r : values()) if (r != NONE && r.name().toLowerCase(Locale.ROOT).equals(traced)) return r;
        return OTHER;
    }

    /** By stored ordinal; an ordinal this version does not know is OTHER. */
    public static BlockReason at(int ordinal) {
        var all = values();
        return ordinal >= 0 && ordinal < all.length ? all[ordinal] : OTHER;
    }
}
