package kvscope.statesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file that is incomplete, truncated or has flipped bits is reported, never answered from. */
class FileDamageTest {
    @TempDir Path dir;
    Path good;
    Oracle oracle;

    @BeforeEach
    void build() throws Exception {
        good = dir.resolve("good.ht");
        try (var h = History.create(good, new Config(4096, 4))) {
            var s = new Script(h, 20, 3000, 7);
            s.createAttributes();
            s.run(3000);
            s.close();
            oracle = s.o;
        }
    }

    private Path copy(String name) throws Exception {
        return Files.copy(good, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void reopenedFileAnswersLikeTheOracle() throws Exception {
        try (var h = History.open(good)) {
            h.verify();
            Checks.all(h, oracle, 1);
        }
    }

    @Test
    void fileNotClosedAtATimeIsIncomplete() throws Exception {
        Path f = dir.resolve("open.ht");
        try (var h = History.create(f, new Config(4096, 4))) {
            int a = h.getOrCreate("a");
            for (int i = 0; i < 10_000; i++) h.set(i, a, (long) i);
        } // close() without complete(t): as if the writer died
        var e = catchThrowable(() -> History.open(f));
        assertThat(e).isInstanceOf(HistoryFileException.class).hasMessageContaining("incomplete");
        assertThat(((HistoryFileException) e).problem()).isEqualTo(HistoryFileException.Problem.INCOMPLETE);
    }

    /** finish(t) makes the history queryable at once, but only commit() lets the file say it is complete. */
    @Test
    void finishedButNotCommittedIsQueryableYetIncompleteOnDisk() throws Exception {
        Path f = dir.resolve("finished.ht");
        try (var h = History.create(f, new Config(4096, 4))) {
            int a = h.getOrCreate("a");
            for (int i = 0; i < 10_000; i++) h.set(i, a, (long) i);
            h.finish(20_000);
            assertThat(h.isComplete()).isTrue();
            assertThat(h.at(5_000, a).longValue()).isEqualTo(5_000);
            assertThat(h.at(15_000, a).longValue()).isEqualTo(9_999);
            var e = catchThrowable(() -> History.open(f));
            assertThat(((HistoryFileException) e).problem()).isEqualTo(HistoryFileException.Problem.INCOMPLETE);
            assertThatThrownBy(() -> h.set(20_001, a, 1L)).isInstanceOf(IllegalStateException.class);
            h.commit();
            assertThatThrownBy(h::commit).isInstanceOf(IllegalStateException.class);
        }
        try (var h = History.open(f)) {
            h.verify();
            assertThat(h.at(5_000, h.lookup("a")).longValue()).isEqualTo(5_000);
            assertThat(h.end()).isEqualTo(20_000);
        }
    }

    /** A writer killed with SIGKILL in the middle of a build leaves a file that says so. */
    @Test
    void killedWriterLeavesAnIncompleteFile() throws Exception {
        Path f = dir.resolve("killed.ht");
        Path ready = dir.resolve("ready");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KilledWriter.class.getName(),
                f.toString(), ready.toString()).inheritIO().start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(ready) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(20);
            assertThat(Files.exists(ready)).as("writer started").isTrue();
        } finally {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> History.open(f)).isInstanceOf(HistoryFileException.class)
                .satisfies(e -> assertThat(((HistoryFileException) e).problem())
                        .isEqualTo(HistoryFileException.Problem.INCOMPLETE));
    }

    /** The child process of {@link #killedWriterLeavesAnIncompleteFile}: builds forever. */
    public static final class KilledWriter {
        public static void main(String[] args) throws Exception {
            var h = History.create(Path.of(args[0]), new Config(4096, 4));
            int a = h.getOrCreate("a");
            long t = 0;
            for (; t < 200_000; t++) h.set(t, a, t);
            Files.createFile(Path.of(args[1]));
            while (true) h.set(++t, a, t);
        }
    }

    @Test
    void truncationAtAnyOffsetIsDetectedOnOpen() throws Exception {
        long size = Files.size(good);
        var rnd = new Random(3);
        for (int i = 0; i < 60; i++) {
            long cut = i == 0 ? 0 : i == 1 ? size - 1 : (long) (rnd.nextDouble() * size);
            Path f = copy("cut.ht");
            try (var raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.setLength(cut);
            }
            assertThatThrownBy(() -> History.open(f)).as("cut at %d of %d", cut, size)
                    .isInstanceOf(HistoryFileException.class);
        }
    }

    @Test
    void appendedBytesAreDetectedOnOpen() throws Exception {
        Path f = copy("long.ht");
        Files.write(f, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        var e = catchThrowable(() -> History.open(f));
        assertThat(e).isInstanceOf(HistoryFileException.class);
        assertThat(((HistoryFileException) e).problem()).isEqualTo(HistoryFileException.Problem.TRUNCATED);
    }

    /**
     * Every flipped bit, anywhere in the file, is reported: by open (header, metadata, length), else by the query
     * that reaches the damaged node, else by verify(). No query answers differently from the oracle.
     */
    @Test
    void flippedBitsAreDetectedNeverAnswered() throws Exception {
        long size = Files.size(good);
        var rnd = new Random(5);
        for (int i = 0; i < 60; i++) {
            long at = i < 4 ? new long[] {0, 24, 130, size - 1}[i] : (long) (rnd.nextDouble() * size);
            int bit = rnd.nextInt(8);
            Path f = copy("flip.ht");
            try (var raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.seek(at);
                int b = raf.read();
                raf.seek(at);
                raf.write(b ^ (1 << bit));
            }
            boolean detected = false;
            try (var h = History.open(f)) {
                try {
                    Checks.all(h, oracle, i); // must either match the oracle or throw
                } catch (HistoryFileException e) {
                    detected = true;
                }
                if (!detected) {
                    try {
                        h.verify();
                    } catch (HistoryFileException e) {
                        detected = true;
                    }
                }
            } catch (HistoryFileException e) {
                detected = true;
                assertThat(e.getMessage()).contains(f.toString());
            }
            assertThat(detected).as("flip of bit %d at byte %d of %d", bit, at, size).isTrue();
        }
    }

    @Test
    void notAHistoryIsSaidSo() throws Exception {
        Path f = dir.resolve("text.ht");
        Files.writeString(f, "hello, this is not a history file at all, but it is long enough to have a header "
                + "of one hundred and twenty-eight bytes, which it needs to get past the length check");
        var e = catchThrowable(() -> History.open(f));
        assertThat(((HistoryFileException) e).problem()).isEqualTo(HistoryFileException.Problem.NOT_A_HISTORY);
        assertThat(((HistoryFileException) e).offset()).isZero();
    }
}
