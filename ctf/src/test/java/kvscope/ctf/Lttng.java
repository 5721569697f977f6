package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Compiles the test program (ctf/src/test/c) and records it under real, uniquely named LTTng sessions. */
final class Lttng {
    private Lttng() {}

    static Path compile(Path dir) throws Exception {
        var src = TestSupport.home().resolve("ctf/src/test/c");
        var program = dir.resolve("kvtest");
        TestSupport.run(dir, 120, List.of("gcc", "-O1", "-I" + src, "-o", program.toString(),
                src.resolve("kvtest.c").toString(), "-llttng-ust", "-ldl", "-lpthread"));
        ensureSessionDaemon(dir);
        return program;
    }

    /**
     * The session daemon is shared with everyone on the machine: start one only if no lttng-sessiond process runs
     * at all (a failing {@code lttng list} is not proof: daemons restarting or competing for the socket make it
     * fail for a moment), and never stop it.
     */
    static void ensureSessionDaemon(Path dir) throws Exception {
        boolean running = ProcessHandle.allProcesses().anyMatch(p -> p.info().command()
                .map(c -> c.endsWith("/lttng-sessiond") || c.equals("lttng-sessiond")).orElse(false));
        if (!running) TestSupport.run(dir, 60, List.of("lttng-sessiond", "--daemonize"));
        for (int attempt = 0; ; attempt++) {
            try {
                TestSupport.run(dir, 30, List.of("lttng", "list"));
                return;
            } catch (AssertionError notReady) {
                if (attempt >= 20) throw notReady;
                Thread.sleep(250);
            }
        }
    }

    /**
     * Records whatever {@code work} runs under a session enabling {@code events} with LTTng's vpid, vtid and
     * procname contexts; always destroys the session.
     */
    static Path record(Path dir, String name, String events, int subbuf, Work work) throws Exception {
        var session = "kvscope-ctf-" + name + "-" + ProcessHandle.current().pid() + "-" + ThreadLocalRandom.current().nextInt(1 << 30);
        var out = dir.resolve(name);
        TestSupport.run(dir, 60, List.of("lttng", "create", session, "--output=" + out));
        try {
            TestSupport.run(dir, 60, List.of("lttng", "enable-channel", "-u", "-s", session, "--subbuf-size=" + subbuf,
                    "--num-subbuf=4", "ch"));
            TestSupport.run(dir, 60, List.of("lttng", "enable-event", "-u", events, "-c", "ch", "-s", session));
            TestSupport.run(dir, 60, List.of("lttng", "add-context", "-u", "-t", "vpid", "-t", "vtid", "-t", "procname",
                    "-c", "ch", "-s", session));
            TestSupport.run(dir, 60, List.of("lttng", "start", session));
            work.run();
            TestSupport.run(dir, 60, List.of("lttng", "stop", session));
        } finally {
            TestSupport.run(dir, 60, List.of("lttng", "destroy", session));
        }
        return out;
    }

    interface Work { void run() throws Exception; }

    /** Records {@code runs} ({threads, loops} each, run concurrently) into {@code dir/name}; always destroys the session. */
    static Path record(Path dir, Path program, String name, boolean perPid, int subbuf, int[][] runs) throws Exception {
        var session = "kvscope-ctf-" + name + "-" + ProcessHandle.current().pid() + "-" + ThreadLocalRandom.current().nextInt(1 << 30);
        var out = dir.resolve(name);
        TestSupport.run(dir, 60, List.of("lttng", "create", session, "--output=" + out));
        try {
            var chan = new ArrayList<>(List.of("lttng", "enable-channel", "-u", "-s", session, "--subbuf-size=" + subbuf,
                    "--num-subbuf=2"));
            if (perPid) chan.add("--buffers-pid");
            chan.add("ch");
            TestSupport.run(dir, 60, chan);
            TestSupport.run(dir, 60, List.of("lttng", "enable-event", "-u", "kvtest:*", "-c", "ch", "-s", session));
            TestSupport.run(dir, 60, List.of("lttng", "add-context", "-u", "-t", "vpid", "-t", "vtid", "-t", "procname",
                    "-c", "ch", "-s", session));
            TestSupport.run(dir, 60, List.of("lttng", "start", session));
            var procs = new ArrayList<Process>();
            for (var r : runs) {
                procs.add(new ProcessBuilder(program.toString(), Integer.toString(r[0]), Integer.toString(r[1]))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            for (var p : procs) assertThat(p.waitFor()).as("kvtest exit code").isZero();
            TestSupport.run(dir, 60, List.of("lttng", "stop", session));
        } finally {
            TestSupport.run(dir, 60, List.of("lttng", "destroy", session));
        }
        return out;
    }
}
