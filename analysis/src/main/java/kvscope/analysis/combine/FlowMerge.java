package kvscope.analysis.combine;

import kvscope.analysis.flows.Flow;
import kvscope.analysis.flows.FlowFile;
import kvscope.analysis.flows.FlowWriter;
import kvscope.ctf.ClockFix;

import java.io.IOException;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Every host's arrows in one run of the combined flow file: each host's runs are sorted by the time their arrows were
 * found, and the correction keeps that order, so a merge of all runs by corrected time is one sorted run — however
 * many hosts (a file holds at most 64 runs).
 */
public final class FlowMerge {
    private FlowMerge() {}

    /**
     * Writes every flow of {@code files} (server indexes through {@code maps}, times through {@code fixes}) but the bus
     * arrows of the hosts {@code busPairedAgain} says are paired again at the aggregator (model.BusExchange: with
     * every host's losses, as one go); returns how many bus arrows were left out.
     */
    public static long merge(List<FlowFile> files, List<int[]> maps, List<ClockFix> fixes, boolean[] busPairedAgain,
                             FlowWriter out) throws IOException {
        var queue = new PriorityQueue<Run>((a, b) -> Long.compare(a.emit, b.emit));
        for (int h = 0; h < files.size(); h++) {
            var f = files.get(h);
            for (int r = 0; r < f.runs(); r++) {
                var run = new Run(f, maps.get(h), fixes.get(h), busPairedAgain[h], f.runStart(r), f.runStart(r + 1));
                if (run.ready()) queue.add(run);
            }
        }
        out.newRun();
        long[] left = {0};
        while (!queue.isEmpty()) {
            var run = queue.poll();
            var map = run.map;
            var fix = run.fix;
            run.file.read(run.next, (emit, kind, ss, sfd, st, ds, dfd, dt) -> {
                if (kind == Flow.Hop.BUS && run.busPairedAgain) left[0]++;
                else out.add(kind, map[ss], sfd, fix.apply(st), map[ds], dfd, fix.apply(dt), fix.apply(emit));
            });
            run.next++;
            if (run.ready()) queue.add(run);
        }
        return left[0];
    }

    /** One run of one host's file, read in order. */
    private static final class Run {
        final FlowFile file;
        final int[] map;
        final ClockFix fix;
        final boolean busPairedAgain;
        final long end;
        long next, emit;

        Run(FlowFile file, int[] map, ClockFix fix, boolean busPairedAgain, long start, long end) {
            this.file = file;
            this.map = map;
            this.fix = fix;
            this.busPairedAgain = busPairedAgain;
            this.next = start;
            this.end = end;
        }

        boolean ready() {
            if (next >= end) return false;
            emit = fix.apply(file.emitted(next));
            return true;
        }
    }
}
