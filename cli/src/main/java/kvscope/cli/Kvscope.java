package kvscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kvscope} command: every subcommand is one file in this package or below it. */
@Command(name = "kvscope",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        versionProvider = Kvscope.Version.class,
        description = {
                "Find why a Redis-backed system is slow or broken, from inside Redis.",
                "",
                "Typical session:",
                "  kvscope demo                        trace an instrumented Redis under load",
                "  kvscope record -o trace -- CMD…     record instrumented processes under LTTng",
                "  kvscope events trace --limit 20     look at the raw events",
                "  kvscope analyze trace               build the model of Redis's internals",
                "  kvscope report trace                latencies, connections, threads, bus, findings",
                "  kvscope export trace --format otlp  the model for OpenTelemetry backends (or perfetto)",
                "  kvscope query trace --at +1.5s      the model's state at one instant",
                "  kvscope serve trace                 the views in a browser and the VS Code / Theia trace viewer",
                "",
                "Exit codes: 0 ok, 1 the trace or input is bad (the message says what and where), 2 usage."},
        subcommands = {
                RecordCommand.class,
                AggregateCommand.class,
                EventsCommand.class,
                AnalyzeCommand.class,
                ReportCommand.class,
                ExportCommand.class,
                QueryCommand.class,
                ServeCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Kvscope implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** One place that sets how errors map to exit codes, so tests run exactly what users run. */
    public static CommandLine commandLine() {
        var cl = new CommandLine(new Kvscope());
        cl.setExecutionExceptionHandler(new Failures());
        // Wide enough for the examples and tables in the help texts; applies to every subcommand.
        cl.setUsageHelpWidth(110);
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            var v = Kvscope.class.getPackage().getImplementationVersion();
            return new String[] {"kvscope " + (v == null ? "development build" : v)};
        }
    }
}
