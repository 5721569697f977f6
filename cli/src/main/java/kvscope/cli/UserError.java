package kvscope.cli;

/** A failure the user can fix: the message says what went wrong and what to do; no stack trace is shown. */
public final class UserError extends RuntimeException {
    private final int exitCode;

    public UserError(String message) { this(message, Failures.BAD_INPUT); }

    public UserError(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public static UserError usage(String message) { return new UserError(message, Failures.USAGE); }

    public int exitCode() { return exitCode; }
}
