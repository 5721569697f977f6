package kvscope.analysis.model;

import kvscope.statesystem.History;

/** One thread of a server (main or I/O thread): what it is doing now, nested (a command inside EXEC or a script). */
final class ThreadState {
    final int vtid;
    final boolean main;
    final int qOperation, qConnection, qRequest, qType;
    final ServerStats.ThreadStats stats = new ServerStats.ThreadStats();
    final String[] ops = new String[8];
    int depth;
    /** The current operation was an instant (a free): it ends at the thread's next event. */
    boolean instant;

    ThreadState(int vtid, boolean main, History h, int q) {
        this.vtid = vtid;
        this.main = main;
        qOperation = h.attributeUnder(q, "Operation");
        qConnection = h.attributeUnder(q, "Connection");
        qRequest = h.attributeUnder(q, "Request");
        qType = h.attributeUnder(q, "Type");
        stats.main = main;
    }
}
