package kvscope.analysis.model;

import kvscope.statesystem.History;

/** One thread of a server (main or I/O thread): what it is doing now, nested (a command inside EXEC or a script). */
final class ThreadState {
    final int vtid;
    final boolean main;
    final int qOperation, qConnection, qRequest, qBytes, qType;
    final ServerCounters.ThreadCounters stats = new ServerCounters.ThreadCounters();
    /** The I/O-thread fan-out the main thread is in (commands of the clients just read run inside it), or null. */
    String outer;
    /** Commands executing, by Redis's own call depth (0 = top level): nesting heals itself after lost events. */
    final String[] commands = new String[16];
    int commandDepth;
    /** The current operation was an instant (a free): it ends at the thread's next event. */
    boolean instant;

    ThreadState(int vtid, boolean main, History h, int q) {
        this.vtid = vtid;
        this.main = main;
        qOperation = h.getOrCreateUnder(q, "Operation");
        qConnection = h.getOrCreateUnder(q, "Connection");
        qRequest = h.getOrCreateUnder(q, "Request");
        qBytes = h.getOrCreateUnder(q, "Bytes");
        qType = h.getOrCreateUnder(q, "Type");
        stats.main = main;
    }
}
