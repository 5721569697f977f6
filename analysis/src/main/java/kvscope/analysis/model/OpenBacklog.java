package kvscope.analysis.model;

/**
 * A client's output-buffer backlog while the model follows it ({@link Backlogs}); stored as a {@link Backlog} at the
 * end of the build, under its server's final name.
 */
final class OpenBacklog {
    final ServerState server;
    final int fd;
    final long clientId;
    final String peer;
    final long start;
    long end;
    long startBytes, maxBytes, maxAt, endBytes;
    long writes, increases, bytesWritten;
    String ending;

    OpenBacklog(ServerState server, Conn conn, long start) {
        this.server = server;
        this.fd = conn.fd;
        this.clientId = conn.id;
        this.peer = conn.peer;
        this.start = start;
    }

    Backlog build() {
        return new Backlog(server.name, fd, clientId, peer, start, end, startBytes, maxBytes, maxAt, endBytes, writes,
                increases, bytesWritten, ending);
    }
}
