package kvscope.cli;

import picocli.CommandLine.Command;

/** Placeholder until its issue lands: says so instead of pretending. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "(not built yet)")
final class EventsCommand implements Runnable {
    @Override public void run() {
        throw new UserError("'events' is not built yet in this version of kvscope");
    }
}
