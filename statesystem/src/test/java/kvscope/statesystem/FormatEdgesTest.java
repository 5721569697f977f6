package kvscope.statesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The edges of node format 2 against the oracle: sparse quark directories (many attributes, few in a node, a wide
 * quark range), wide index entries (a block starting 2^32 ns or more after its node), and files of format 1.
 */
class FormatEdgesTest {

    private static final long[] JUMPS = {0, 1L << 33, 1L << 40};

    @Property(tries = 150)
    void sparseDirectoriesAndWideEntriesAnswerLikeTheOracle(
            @ForAll @IntRange(min = 1, max = 3000) int attributes,
            @ForAll @IntRange(min = 100, max = 4000) int ops,
            @ForAll @IntRange(min = 0, max = 2) int jump,
            @ForAll @IntRange(min = 2, max = 8) int maxChildren,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed) throws Exception {
        Path dir = Files.createTempDirectory("sht-edges");
        Path file = dir.resolve("h.ht");
        try (var h = History.create(file, new Config(4096, maxChildren))) {
            var s = new Script(h, attributes, ops, seed);
            s.bigJump = JUMPS[jump];
            s.createAttributes();
            s.run(ops / 2);
            var rnd = new Random(seed);
            if (s.o.start != Long.MIN_VALUE) {
                Checks.all(h, s.o, seed);
                for (int i = 0; i < 10; i++) ScanPropertiesTest.check(h, s.o, rnd);
            }
            s.run(ops - ops / 2);
            s.close();
            try (var r = History.open(file)) {
                r.verify();
                Checks.all(r, s.o, seed + 1);
                for (int i = 0; i < 10; i++) ScanPropertiesTest.check(r, s.o, rnd);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    /** A history that surely has dense and sparse directories and wide entries: the flags say so, queries agree. */
    @Example
    void everyLayoutIsWrittenAndAnswered() throws Exception {
        Path dir = Files.createTempDirectory("sht-edges");
        Path file = dir.resolve("h.ht");
        try (var h = History.create(file, new Config(4096, 4))) {
            var s = new Script(h, 2000, 6000, 11);
            s.bigJump = 1L << 36;
            s.createAttributes();
            s.run(6000);
            s.close();
            int[] seen = layouts(file);
            assertThat(seen[0]).as("nodes with a dense directory").isPositive();
            assertThat(seen[1]).as("nodes with a sparse directory").isPositive();
            assertThat(seen[2]).as("nodes with wide index entries").isPositive();
            try (var r = History.open(file)) {
                r.verify();
                Checks.all(r, s.o, 12);
                var rnd = new Random(13);
                for (int i = 0; i < 30; i++) ScanPropertiesTest.check(r, s.o, rnd);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    /** Counts nodes by layout: {dense directory, sparse directory, wide entries}. */
    private static int[] layouts(Path file) throws IOException {
        int[] seen = new int[3];
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            var header = ByteBuffer.allocate(NodeStore.FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 0);
            int nodeSize = header.getInt(12), nodes = header.getInt(48);
            var flags = ByteBuffer.allocate(1);
            for (int seq = 0; seq < nodes; seq++) {
                flags.clear();
                ch.read(flags, NodeStore.offset(seq, nodeSize) + NodeFormat.O_FLAGS);
                int f = flags.get(0);
                seen[(f & NodeFormat.F_SPARSE) != 0 ? 1 : 0]++;
                if ((f & NodeFormat.F_WIDE) != 0) seen[2]++;
            }
        }
        return seen;
    }

    @Example
    void aFileOfAnOlderFormatSaysRebuild() throws Exception {
        Path dir = Files.createTempDirectory("sht-edges");
        Path file = dir.resolve("h.ht");
        try {
            try (var h = History.create(file, Config.DEFAULT)) {
                h.set(10, h.getOrCreate("a"), 1);
                h.complete(20);
            }
            try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1), 8); // format version 1
            }
            var e = catchThrowable(() -> History.open(file));
            assertThat(e).isInstanceOf(HistoryFileException.class).hasMessageContaining("rebuild needed")
                    .hasMessageContaining("format version 1");
            assertThat(((HistoryFileException) e).problem()).isEqualTo(HistoryFileException.Problem.NOT_A_HISTORY);
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }
}
