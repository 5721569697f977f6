package kvscope.analysis.otel;

/**
 * A request of the model as linking sees it: its segment index, command, connection, the latest time the client
 * must have sent it by (Redis's poll reported its bytes; else Redis began reading it) and when Redis began answering (the reply's write start, else the command's end: the reply's end is stamped when
 * writeToClient returns, which may come after the client already read it).
 */
record Req(long index, int command, int fd, long start, long answered) {}
