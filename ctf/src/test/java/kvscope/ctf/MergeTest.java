package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kvscope.ctf.write.CtfWriter;
import kvscope.ctf.write.FieldSpec;
import kvscope.ctf.write.FieldType;

/**
 * The merge across streams: events come in timestamp order, equal timestamps in stream file order (then in their
 * stream's order), whether the merge takes an event from the heap or from the run of the stream on top.
 */
class MergeTest {
    @TempDir Path dir;

    @Test
    void runsAndTiesComeInTimeThenStreamOrder() {
        for (int seed = 0; seed < 20; seed++) {
            var trace = dir.resolve("t" + seed);
            var b = CtfWriter.builder(trace).packetBytes(256 + 64 * seed, 256 + 64 * seed);
            var def = b.event("m:e", FieldSpec.of("seq", FieldType.u64()));
            var r = new Random(seed);
            int streams = 1 + seed % 4;
            var written = new ArrayList<long[]>();
            long[] ts = new long[streams];
            int s = 0;
            try (var w = b.open()) {
                for (int i = 0; i < 3000; i++) {
                    if (r.nextInt(10) >= 7) s = r.nextInt(streams); // runs of one stream, as per-CPU buffers give
                    ts[s] += r.nextInt(3);                           // steps of 0 to 2 ns: ties within and across streams
                    long t = 1_700_000_000_000_000_000L + ts[s];
                    w.stream(s).write(def, t, (long) i);
                    written.add(new long[] {t, s, i});
                }
            }
            written.sort(Comparator.<long[]>comparingLong(x -> x[0]).thenComparingLong(x -> x[1]).thenComparingLong(x -> x[2]));
            var expected = written.stream().map(x -> x[0] + " cpu" + x[1] + " #" + x[2]).toList();
            assertThat(read(trace)).as("seed %d", seed).isEqualTo(expected);
        }
    }

    private static List<String> read(Path trace) {
        var out = new ArrayList<String>();
        try (var t = Trace.open(trace)) {
            var seq = t.field("seq");
            for (var e : t) out.add(e.timestamp() + " cpu" + e.cpu() + " #" + e.getLong(seq));
        }
        return out;
    }
}
