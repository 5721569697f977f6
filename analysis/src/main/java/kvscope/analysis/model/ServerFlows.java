package kvscope.analysis.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one server's flows are made of while the analysis runs (see {@link Flows}): the clients queued for writing
 * since the current command or bus packet began, the PUBLISH being executed, and the delivery a bus packet is making.
 */
final class ServerFlows {
    /** Clients put in clients_pending_write since the mark: the receivers of a PUBLISH or of a bus message. */
    static final int QUEUED_MAX = 4096;
    final Conn[] queued = new Conn[QUEUED_MAX];
    int nQueued;
    /** More clients were queued in one command than are remembered: their deliveries have no arrow (counted). */
    boolean queuedOverflow;

    /** The client PUBLISH executing now: its fd, time and thread, or fd Integer.MIN_VALUE when none. */
    int publishFd = Integer.MIN_VALUE;
    long publishTime;
    int publishThread;

    /** A message from the bus was just published to these clients; the packet processing it ends next. */
    final List<Conn> delivering = new ArrayList<>();
    boolean deliveryPending;

    /** Clients that subscribed: receivers already waiting in clients_pending_write are not queued again. */
    final Set<Conn> subscribers = new HashSet<>();

    void mark() {
        nQueued = 0;
        queuedOverflow = false;
    }

    void queued(Conn c) {
        if (nQueued < QUEUED_MAX) queued[nQueued++] = c;
        else queuedOverflow = true;
    }

    void clear() {
        mark();
        publishFd = Integer.MIN_VALUE;
        delivering.clear();
        deliveryPending = false;
    }

}
