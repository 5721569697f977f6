package kvscope.statesystem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers query while one writer builds. The writer's script is first run against an oracle alone, so readers know
 * the final history: every answer must be consistent with it (an ended interval exactly; an ongoing one by start and
 * value), and nothing may throw.
 */
class ConcurrencyTest {
    @TempDir Path dir;

    @Test
    void readersSeeConsistentAnswersWhileOneWriterBuilds() throws Exception {
        int attributes = 60, ops = 300_000;
        long seed = 11;
        // The final history, from a dry run of the same script into a throwaway file.
        Oracle finalOracle;
        try (var dry = History.create(dir.resolve("dry.ht"), new Config(65536, 8))) {
            var s = new Script(dry, attributes, ops, seed);
            s.createAttributes();
            s.run(ops);
            s.close();
            finalOracle = s.o;
        }
        Files.delete(dir.resolve("dry.ht"));

        var h = History.create(dir.resolve("live.ht"), new Config(65536, 8));
        var script = new Script(h, attributes, ops, seed);
        script.createAttributes();
        int count = h.attributeCount();
        var done = new AtomicBoolean();
        var errors = new ConcurrentLinkedQueue<Throwable>();
        var checked = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int id = r;
            readers.add(new Thread(() -> {
                var rnd = new Random(id);
                var full = new FullState();
                try {
                    while (!done.get()) {
                        long end = h.end();
                        long start = h.start();
                        if (start == Long.MIN_VALUE || end <= start) continue;
                        // t < end: the interval holding t can no longer change start or value
                        long t = start + (long) (rnd.nextDouble() * (end - start));
                        int q = rnd.nextInt(count);
                        check(h.at(t, q), finalOracle.at(t, q), t, q);
                        if (rnd.nextInt(50) == 0) {
                            h.fullAt(t, full);
                            for (int k = 0; k < count; k++) check(full.state(k), finalOracle.at(t, k), t, k);
                        }
                        if (rnd.nextInt(200) == 0) {
                            long[] n = {0};
                            h.scan(new int[] {q}, start, t, Math.max(1, (t - start) / 100), (qq, s, e, kind, l, d, str) -> {
                                if (e != State.ONGOING && finalOracle.at(s, qq).end() != e)
                                    throw new AssertionError("scan interval [" + s + ", " + e + "] of " + qq);
                                n[0]++;
                            });
                        }
                        checked.incrementAndGet();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        readers.forEach(Thread::start);
        script.run(ops);
        script.close();
        done.set(true);
        for (var t : readers) t.join();
        h.close();
        assertThat(errors).isEmpty();
        assertThat(checked.get()).as("queries checked during the build").isGreaterThan(1000);
        assertThat(script.o.done).isEqualTo(finalOracle.done);
    }

    static void check(State s, Oracle.Iv want, long t, int q) {
        if (want == null) throw new AssertionError("oracle has no state at " + t + " for " + q);
        if (s == null) throw new AssertionError("no state at " + t + " for " + q + ", want " + want);
        boolean ok = s.start() == want.start() && java.util.Objects.equals(s.value(), want.value())
                && (s.end() == want.end() || s.end() == State.ONGOING);
        if (!ok) throw new AssertionError("at " + t + " q " + q + ": got " + s + ", want " + want);
    }
}
