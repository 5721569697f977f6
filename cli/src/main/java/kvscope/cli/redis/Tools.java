package kvscope.cli.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs external tools (redis-cli, redis-benchmark, lttng, openssl, babeltrace2) with a timeout and captures their
 * output. Output goes to temp files, not pipes, so a chatty tool can never block on a full pipe while we wait.
 */
public final class Tools {
    private Tools() {}

    public static ToolRun run(Duration timeout, List<String> command) {
        return run(timeout, null, command);
    }

    public static ToolRun run(Duration timeout, Path workDir, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("kvscope-tool", ".out");
            err = Files.createTempFile("kvscope-tool", ".err");
            var pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (workDir != null) pb.directory(workDir.toFile());
            var p = start(pb);
            boolean timedOut = false;
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut = true;
                    kill(p);
                }
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
            }
            return new ToolRun(List.copyOf(command), timedOut ? -1 : p.exitValue(), timedOut,
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Starts a process, turning "no such file" into an error that names the program. */
    public static Process start(ProcessBuilder pb) {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new ToolMissing(pb.command().get(0), e);
        }
    }

    /** Kills a process and everything it started, and waits (briefly) for it to be gone. */
    public static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a program can be found on PATH (or, for a path, is executable). */
    public static boolean onPath(String program) {
        if (program.contains("/")) return Files.isExecutable(Path.of(program));
        var path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (var d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) return true;
        }
        return false;
    }

    static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file we could not delete is not worth failing the run for
        }
    }

    /** A program that could not be started at all (not installed, not executable). */
    public static final class ToolMissing extends RuntimeException {
        private final String program;

        ToolMissing(String program, IOException cause) {
            super("cannot run " + program + ": " + cause.getMessage(), cause);
            this.program = program;
        }

        public String program() { return program; }
    }
}
