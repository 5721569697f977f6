package kvscope.server;

import kvscope.analysis.synthetic.RedisTraceWriter;
import kvscope.analysis.synthetic.SampleTraces;

import java.nio.file.Path;

/** The sample trace of the server tests, with the constants they assert on (see {@link SampleTraces#twoRequests}). */
final class RedisTrace {
    static final long OFFSET_S = RedisTraceWriter.OFFSET_S;
    static final long T0 = RedisTraceWriter.T0;
    static final int MAIN = SampleTraces.MAIN, IO = SampleTraces.IO;
    static final String SERVER = SampleTraces.SERVER;

    private RedisTrace() {}

    static long raw(long epochNs) { return RedisTraceWriter.raw(epochNs); }

    static Path write(Path dir) { return SampleTraces.twoRequests(dir); }
}
