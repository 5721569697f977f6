package kvscope.analysis.findings;

import kvscope.analysis.model.Stall;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A stall's verdict from what the main thread used (StallUsageScenarioTest checks the figures against the kernel). */
class StallVerdictTest {
    private static final long MS = 1_000_000;
    private static final Thresholds TH = Thresholds.DEFAULT;

    private static Stall stall(long busyMs, long cpuMs, long voluntary, long involuntary) {
        return new Stall("vm:6379", 0, busyMs * MS, cpuMs * MS, voluntary, involuntary);
    }

    @Test
    void aTraceWithoutUsageKeepsTheVerdictByTracedWork() {
        var unknown = new Stall("vm:6379", 0, 40 * MS, -1, -1, -1);
        assertThat(StallVerdict.of(unknown, 39 * MS, TH).title()).isEqualTo("event loop busy for 40.00 ms");
        assertThat(StallVerdict.of(unknown, 5 * MS, TH).kind()).isEqualTo("event-loop-pause");
        assertThat(StallVerdict.usage(unknown)).isEmpty();
    }

    @Test
    void computedSleptAndPreemptedAreToldApart() {
        var busy = StallVerdict.of(stall(40, 39, 0, 2), 39 * MS, TH);
        assertThat(busy.kind()).isEqualTo("event-loop-stall");
        assertThat(busy.title()).isEqualTo("event loop busy for 40.00 ms");

        var stretched = StallVerdict.of(stall(80, 40, 0, 30), 79 * MS, TH);
        assertThat(stretched.kind()).isEqualTo("event-loop-stall");
        assertThat(stretched.title()).isEqualTo("event loop busy for 80.00 ms, 40.00 ms of it without a CPU");

        var slept = StallVerdict.of(stall(150, 0, 1, 0), 150 * MS, TH);
        assertThat(slept.kind()).isEqualTo("event-loop-stall");
        assertThat(slept.title()).startsWith("event loop blocked for");

        // DEBUG SLEEP preempted once by a tick as well: one switch each way; the sleep is what the counts cannot weigh,
        // so it is said to have blocked (a full run once called it preempted).
        var sleptAndTicked = StallVerdict.of(stall(50, 0, 1, 1), 50 * MS, TH);
        assertThat(sleptAndTicked.kind()).isEqualTo("event-loop-stall");
        assertThat(sleptAndTicked.title()).startsWith("event loop blocked for");

        // 10 replies of 6 µs that took 23 ms to write: the kernel gave the CPU away, whatever Redis was doing.
        var preempted = StallVerdict.of(stall(23, 0, 0, 3), 23 * MS, TH);
        assertThat(preempted.kind()).isEqualTo("event-loop-pause");
        assertThat(preempted.severity()).isEqualTo(Finding.Severity.INFO);
        assertThat(preempted.title()).isEqualTo("event loop without a CPU for 23.00 ms");
        assertThat(preempted.advice()).contains("not at Redis's work");
    }

    @Test
    void theUsageSentenceSaysWhereTheTimeWent() {
        assertThat(StallVerdict.usage(stall(80, 40, 1, 30))).isEqualTo(" Meanwhile the main thread ran on a CPU for 40.00 ms "
                + "(50 %); off it for 40.00 ms: preempted 30 times (the kernel gave its CPU to other threads) and 1 wait in "
                + "system calls (it slept: disk, a lock, a sleep).");
        assertThat(StallVerdict.usage(stall(40, 40, 0, 0))).isEqualTo(" Meanwhile the main thread ran on a CPU for 40.00 ms (100 %).");
    }
}
