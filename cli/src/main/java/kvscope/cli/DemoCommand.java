package kvscope.cli;

import picocli.CommandLine.Command;

/** Placeholder until its issue lands: says so instead of pretending. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "(not built yet)")
final class DemoCommand implements Runnable {
    @Override public void run() {
        throw new UserError("'demo' is not built yet in this version of kvscope");
    }
}
