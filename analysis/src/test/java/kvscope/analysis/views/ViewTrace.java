package kvscope.analysis.views;

import kvscope.analysis.synthetic.RedisTraceWriter;
import kvscope.analysis.synthetic.SampleTraces;

import java.nio.file.Path;

/** The sample traces of the view tests, with the constants they assert on (see {@link SampleTraces}). */
final class ViewTrace {
    static final long OFFSET_S = RedisTraceWriter.OFFSET_S;
    static final long T0 = RedisTraceWriter.T0;
    static final int MAIN = SampleTraces.MAIN, IO = SampleTraces.IO;
    static final String SERVER = SampleTraces.SERVER;

    private ViewTrace() {}

    static long raw(long epochNs) { return RedisTraceWriter.raw(epochNs); }

    static Path write(Path dir) { return SampleTraces.twoRequests(dir); }

    static Path writeSlow(Path dir) { return SampleTraces.slowGet(dir); }
}
