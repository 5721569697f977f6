package kvscope.statesystem;

import java.nio.file.Files;
import java.nio.file.Path;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Random histories against the brute-force oracle, for every query kind: while being built (ongoing states), after
 * close, and after reopening the file. Small nodes and fan-outs force deep trees, many splits and new roots.
 */
class HistoryPropertiesTest {

    @Property(tries = 500)
    void everyQueryMatchesTheOracle(@ForAll @IntRange(min = 1, max = 40) int attributes,
                                    @ForAll @IntRange(min = 0, max = 4000) int ops,
                                    @ForAll @IntRange(min = 0, max = 2) int nodeSizeChoice,
                                    @ForAll @IntRange(min = 2, max = 8) int maxChildren,
                                    @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed) throws Exception {
        int nodeSize = new int[] {4096, 8192, 65536}[nodeSizeChoice];
        Path dir = Files.createTempDirectory("sht-prop");
        Path file = dir.resolve("h.ht");
        try (var h = History.create(file, new Config(nodeSize, maxChildren))) {
            var s = new Script(h, attributes, ops, seed);
            s.createAttributes();
            s.run(ops / 2);
            if (s.o.start != Long.MIN_VALUE) Checks.all(h, s.o, seed);
            s.run(ops - ops / 2);
            s.close();
            Checks.all(h, s.o, seed + 1);
            try (var r = History.open(file)) {
                r.verify();
                Checks.all(r, s.o, seed + 2);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }
}
