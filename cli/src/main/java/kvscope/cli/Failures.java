package kvscope.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns exceptions escaping a command into the exit codes of DESIGN.md: 1 for bad input (the message says what and
 * where), 2 for usage. Users see a message, not a stack trace; {@code KVSCOPE_DEBUG=1} shows the trace too.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    static final int BAD_INPUT = 1;
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        var err = cl.getErr();
        if (ex instanceof UserError u) {
            err.println("kvscope " + cl.getCommandName() + ": " + u.getMessage());
            return u.exitCode();
        }
        var cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (cause instanceof IOException io) {
            err.println("kvscope " + cl.getCommandName() + ": " + io.getMessage());
        } else {
            err.println("kvscope " + cl.getCommandName() + ": internal error: " + ex);
            err.println("  please report it with the command line you ran; KVSCOPE_DEBUG=1 shows the stack trace");
        }
        if (System.getenv("KVSCOPE_DEBUG") != null) ex.printStackTrace(err);
        return BAD_INPUT;
    }
}
