package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.model.Stall;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A long event-loop iteration, told apart by what the main thread used meanwhile (poll_end's iteration_* fields,
 * layout 8), against the kernel's own count for that thread in the same run (its schedstat: sum_exec_runtime, the
 * CPU time, and run_delay, the time runnable but waiting for a CPU, read before and after each command):
 * <ol>
 * <li>a Lua loop alone: busy on a CPU — an {@code event-loop-stall} "busy", its CPU time the kernel's;</li>
 * <li>DEBUG SLEEP: the loop blocked, nearly no CPU, off it in a wait in a system call — a stall "blocked";</li>
 * <li>the same Lua loop with Redis and a spinning process pinned to one CPU: half of it waiting for that CPU, its
 * time off the CPU the kernel's run_delay — still a stall (its CPU time alone is one), "…of it without a CPU".</li>
 * </ol>
 */
class StallUsageScenarioTest {
    /** Slack for comparing kvscope's per-iteration figures with the kernel's per-call ones: the call also reads the
     * query and writes the reply (µs), and getrusage's times are truncated to µs. */
    private static final long SLACK_NS = 3_000_000;
    private static final String LOOP = "local i = 0 while i < tonumber(ARGV[1]) do i = i + 1 end return i";

    /** The kernel's view of one command: wall time at the client, and the main thread's CPU time and run-queue wait. */
    private record Truth(String what, long wallNs, long cpuNs, long waitNs) {}

    @Test
    void aStallSaysWhetherRedisComputedSleptOrWaitedForACpu(@TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("trace");
        var truths = new ArrayList<Truth>();
        try (var server = RedisServer.start(bin.resolve("redis-server"), "enable-debug-command local")) {
            long n = loopFor(server, 120_000_000L);
            try (var rec = Recording.start(trace, Profile.FULL)) {
                Thread.sleep(300);
                truths.add(measure(server, "lua alone", () -> server.call("EVAL", LOOP, "0", Long.toString(n))));
                Thread.sleep(200);
                truths.add(measure(server, "debug sleep", () -> server.call("DEBUG", "SLEEP", "0.15")));
                Thread.sleep(200);
                int cpu = 0;
                run("taskset", "-a", "-p", "-c", Integer.toString(cpu), Long.toString(server.pid()));
                var hog = new ProcessBuilder("taskset", "-c", Integer.toString(cpu), "sh", "-c", "while :; do :; done")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                try {
                    Thread.sleep(200);
                    truths.add(measure(server, "lua beside a spinning process on its CPU",
                            () -> server.call("EVAL", LOOP, "0", Long.toString(n))));
                } finally {
                    hog.destroyForcibly();
                    hog.waitFor(10, TimeUnit.SECONDS);
                }
                Thread.sleep(1100); // server_info names the server
                rec.stop();
            }
            var name = ":" + server.port();
            try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
                check(stored, name, truths);
            }
        }
    }

    private void check(Stored stored, String name, List<Truth> truths) throws Exception {
        var sf = stored.segments();
        var stalls = stored.summary().stalls().stream().filter(s -> s.server().endsWith(name)).toList();
        var findings = Findings.detect(stored, Thresholds.DEFAULT).stream().filter(f -> f.server().endsWith(name)).toList();
        // Each command's request, in order: eval, debug, eval.
        var commands = new ArrayList<long[]>(); // [commandStart, commandEnd]
        sf.forEach(c -> {
            var cmd = sf.commands().get(c.command());
            if (sf.servers().get(c.server()).endsWith(name) && (cmd.equals("eval") || cmd.equals("debug")))
                commands.add(new long[] {c.commandStart(), c.commandEnd()});
        });
        commands.sort((a, b) -> Long.compare(a[0], b[0]));
        assertThat(commands).as("the three commands' requests").hasSize(3);
        System.out.println();
        System.out.println("scenario stall-usage: what the main thread used in a long iteration, kvscope vs the kernel (schedstat)");
        System.out.printf(Locale.ROOT, "%-42s | %-8s %-9s %-9s %-6s %-6s | %-9s %-9s %-9s%n", "command", "busy ms", "cpu ms",
                "off ms", "invol", "vol", "wall ms", "cpu ms", "waited ms");
        var found = new ArrayList<Stall>();
        for (int i = 0; i < 3; i++) {
            var cmd = commands.get(i);
            var t = truths.get(i);
            var st = stalls.stream().filter(s -> s.start() <= cmd[0] && s.start() + s.busyNs() >= cmd[1]).findFirst()
                    .orElseThrow(() -> new AssertionError("no stall holds " + t.what() + ": " + stalls));
            found.add(st);
            System.out.printf(Locale.ROOT, "%-42s | %8.1f %9.1f %9.1f %6d %6d | %9.1f %9.1f %9.1f%n", t.what(), st.busyNs() / 1e6,
                    st.cpuNs() / 1e6, (st.busyNs() - st.cpuNs()) / 1e6, st.involuntary(), st.voluntary(), t.wallNs() / 1e6,
                    t.cpuNs() / 1e6, t.waitNs() / 1e6);
            assertThat(st.usageKnown()).as(t.what() + ": usage in the trace").isTrue();
            // The iteration's CPU time is the kernel's for the call (the rest of the call is µs).
            assertThat(st.cpuNs()).as(t.what() + ": CPU time vs the kernel's").isCloseTo(t.cpuNs(),
                    within(SLACK_NS + t.cpuNs() / 20));
        }
        var lua = found.get(0);
        var sleep = found.get(1);
        var contended = found.get(2);
        // 1. Alone, the loop ran on the CPU: what it waited for a CPU (the kernel's run_delay) is most of its off time.
        assertThat(truths.get(0).waitNs()).as("set-up: the lone loop was not kept from its CPU").isLessThan(truths.get(0).cpuNs() / 4);
        assertThat(lua.busyNs() - lua.cpuNs()).as("the lone loop's time off the CPU")
                .isLessThanOrEqualTo(truths.get(0).waitNs() + SLACK_NS);
        // 2. DEBUG SLEEP: off the CPU for its 150 ms, sleeping (a voluntary switch), not waiting for a CPU.
        assertThat(sleep.busyNs() - sleep.cpuNs()).as("DEBUG SLEEP's time off the CPU").isGreaterThanOrEqualTo(145_000_000L);
        assertThat(sleep.voluntary()).as("DEBUG SLEEP slept").isPositive();
        // 3. Beside the spinning process: waiting for the CPU about as long as the kernel says (run_delay).
        assertThat(truths.get(2).waitNs()).as("set-up: the spinning process took the CPU from the loop")
                .isGreaterThan(truths.get(2).cpuNs() / 3);
        assertThat(contended.busyNs() - contended.cpuNs()).as("the contended loop's time off the CPU vs the kernel's run_delay")
                .isCloseTo(truths.get(2).waitNs(), within(SLACK_NS + truths.get(2).waitNs() / 10));
        assertThat(contended.involuntary()).as("the contended loop was preempted").isPositive();
        // The findings say it.
        assertThat(finding(findings, lua)).satisfies(f -> {
            assertThat(f.kind()).isEqualTo("event-loop-stall");
            assertThat(f.title()).startsWith("event loop busy for");
        });
        assertThat(finding(findings, sleep)).satisfies(f -> {
            assertThat(f.kind()).isEqualTo("event-loop-stall");
            assertThat(f.title()).startsWith("event loop blocked for");
            assertThat(f.explanation()).contains("in system calls (it slept", "debug");
        });
        // Its own CPU time alone is a stall: Redis's work, stretched by the host — both said.
        assertThat(finding(findings, contended)).satisfies(f -> {
            assertThat(f.kind()).isEqualTo("event-loop-stall");
            assertThat(f.title()).startsWith("event loop busy for").endsWith("of it without a CPU");
            assertThat(f.explanation()).contains("preempted");
        });
    }

    private static Finding finding(List<Finding> findings, Stall st) {
        return findings.stream().filter(f -> f.start() == st.start() && f.kind().startsWith("event-loop-")).findFirst()
                .orElseThrow(() -> new AssertionError("no finding for the stall at " + st.start() + ": " + findings));
    }

    /** Loop iterations that take about cpuNs of the main thread's CPU, measured on this machine now. */
    private static long loopFor(RedisServer server, long cpuNs) {
        long probe = 2_000_000;
        long c0 = server.mainThreadCpuNs();
        server.call("EVAL", LOOP, "0", Long.toString(probe));
        long used = Math.max(1, server.mainThreadCpuNs() - c0);
        return Math.max(probe, probe * cpuNs / used);
    }

    private static Truth measure(RedisServer server, String what, Runnable call) {
        long c0 = server.mainThreadCpuNs(), w0 = server.runQueueWaitNs(), t0 = System.nanoTime();
        call.run();
        long wall = System.nanoTime() - t0;
        return new Truth(what, wall, server.mainThreadCpuNs() - c0, server.runQueueWaitNs() - w0);
    }

    private static void run(String... cmd) throws Exception {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
