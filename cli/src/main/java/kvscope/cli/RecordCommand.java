package kvscope.cli;

import picocli.CommandLine.Command;

/** Placeholder until its issue lands: says so instead of pretending. */
@Command(name = "record", mixinStandardHelpOptions = true, description = "(not built yet)")
final class RecordCommand implements Runnable {
    @Override public void run() {
        throw new UserError("'record' is not built yet in this version of kvscope");
    }
}
