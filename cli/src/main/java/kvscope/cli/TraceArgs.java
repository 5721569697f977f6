package kvscope.cli;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.ctf.CtfException;
import kvscope.statesystem.HistoryFileException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The traces a command works on, and how to get their model: shared by analyze, report, query. */
final class TraceArgs {
    @Parameters(arity = "0..*", paramLabel = "TRACE",
            description = "A CTF trace directory, or a directory holding several (searched recursively); several "
                    + "TRACE arguments are analysed together as one experiment. Or the models each host built of its "
                    + "own trace (their .kvscope folders, or a folder of them): combined into one model of all the "
                    + "hosts, their clocks synchronised from the pairs stored beside each model (docs/combine.md).")
    List<Path> traces;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Where the model is stored (default: TRACE/.kvscope, TRACE being the first one; for host "
                    + "models, .kvscope-combined beside the first).")
    Path cache;

    @Option(names = "--force", description = "Rebuild the model even if a stored one matches the traces.")
    boolean force;

    /** Analyses (with progress on a terminal) or reuses the stored model. */
    Stored open(boolean quiet) {
        if (traces == null || traces.isEmpty()) throw UserError.usage("give a TRACE directory (see --help)");
        for (var t : traces) {
            if (!Files.exists(t)) throw new UserError(t + ": no such file or directory");
            if (!Files.isDirectory(t)) throw new UserError(t + ": not a directory; give the trace's directory (the one holding `metadata`, or a parent of it)");
        }
        var progress = quiet ? null : Progress.onTerminal("analyzing");
        var opts = Analysis.Options.defaults().withCache(cache).withForce(force);
        if (progress != null) opts = opts.withProgress(progress);
        try {
            var stored = Analysis.analyze(traces, opts);
            if (progress != null) progress.done();
            return stored;
        } catch (CtfException e) {
            throw new UserError(e.getMessage());
        } catch (HistoryFileException e) {
            throw new UserError(e.getMessage() + "; run again with --force to rebuild the model");
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }
}
