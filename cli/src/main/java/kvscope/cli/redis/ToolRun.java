package kvscope.cli.redis;

import java.util.List;

/** What an external tool did: its exit code (or a timeout) and everything it printed. */
public record ToolRun(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr) {

    public boolean ok() { return !timedOut && exitCode == 0; }

    /** A one-paragraph description for error messages: the command, how it ended, the tail of what it said. */
    public String describe() {
        var how = timedOut ? "timed out" : "exited with " + exitCode;
        var said = (stderr.isBlank() ? stdout : stderr).strip();
        if (said.length() > 2000) said = "…" + said.substring(said.length() - 2000);
        return String.join(" ", command) + " " + how + (said.isEmpty() ? "" : ":\n" + said);
    }

    /** Throws with {@link #describe()} unless the tool succeeded; returns this for chaining. */
    public ToolRun orThrow() {
        if (!ok()) throw new ToolFailed(this);
        return this;
    }

    /** A tool that was expected to succeed did not. */
    public static final class ToolFailed extends RuntimeException {
        private final transient ToolRun run;

        public ToolFailed(ToolRun run) {
            super(run.describe());
            this.run = run;
        }

        public ToolRun run() { return run; }
    }
}
