package kvscope.analysis;

import kvscope.analysis.flows.FlowFile;
import kvscope.analysis.otel.SpanLinks;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.services.ServicesFile;
import kvscope.analysis.sync.Clocks;
import kvscope.statesystem.History;
import kvscope.statesystem.HistoryFileException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * A stored analysis: the summary, and the model and segments opened on demand. Everything a report, a query or a
 * view needs; none of them reads the trace again.
 */
public final class Stored implements AutoCloseable {
    private final Path dir;
    private final Summary summary;
    private final boolean reused;
    private History history;
    private SegmentFile segments;
    private FlowFile flows;
    private ServicesFile services;

    private Stored(Path dir, Summary summary, boolean reused) {
        this.dir = dir;
        this.summary = summary;
        this.reused = reused;
    }

    /** The stored analysis in dir if it is complete and made from traces with this fingerprint, else null. */
    static Stored tryOpen(Path dir, String fingerprint) {
        var file = dir.resolve(Analysis.SUMMARY);
        if (!Files.isRegularFile(file)) return null;
        try {
            var s = SummaryJson.read(file);
            if (s.version() != Analysis.VERSION || !fingerprint.equals(s.fingerprint())) return null;
            var stored = new Stored(dir, s, true);
            stored.history();  // checks the model file is complete and undamaged
            stored.segments();
            stored.flows();
            stored.services();
            return stored;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable or damaged: rebuilt by the caller
        }
    }

    /**
     * The analysis just built in dir, with its summary as built (not read back: that would load a JSON reader for
     * nothing). Opens the model, segments and flows, which checks they are complete and readable.
     */
    static Stored built(Path dir, Summary summary) throws IOException {
        return checked(new Stored(dir, summary, false), why -> dir + ": the model just built cannot be read back (" + why + ")");
    }

    /** A stored analysis read as it is (a host's model being combined: its summary already read and checked). */
    static Stored opened(Path dir, Summary summary) throws IOException {
        return checked(new Stored(dir, summary, true),
                why -> dir + ": this host's model cannot be read (" + why + "); run `kvscope analyze --force` on that host");
    }

    /** Opens every file of the model, which checks they are complete and readable; closes them and says so if not. */
    private static Stored checked(Stored stored, UnaryOperator<String> message) throws IOException {
        try {
            stored.history();
            stored.segments();
            stored.flows();
            stored.services();
            return stored;
        } catch (IOException | RuntimeException e) {
            stored.close();
            throw new IOException(message.apply(e.getMessage()), e);
        }
    }

    public Path dir() { return dir; }
    public Summary summary() { return summary; }
    /** True when this model was combined from models each host built of its own trace (docs/combine.md). */
    public boolean combined() {
        return !summary.traces().isEmpty() && Combined.isModel(Path.of(summary.traces().get(0)));
    }

    /** True when this analysis was not run now but reused from an earlier one. */
    public boolean reused() { return reused; }

    public synchronized History history() throws IOException {
        if (history == null) {
            try {
                history = History.open(dir.resolve(Analysis.MODEL));
            } catch (HistoryFileException e) {
                throw new IOException(e.getMessage() + "; run `kvscope analyze --force` to rebuild it", e);
            }
        }
        return history;
    }

    public synchronized SegmentFile segments() throws IOException {
        if (segments == null) segments = SegmentFile.open(dir.resolve(Analysis.SEGMENTS));
        return segments;
    }

    /** The causal links between connections (the Netflow arrows). */
    public synchronized FlowFile flows() throws IOException {
        if (flows == null) flows = FlowFile.open(dir.resolve(Analysis.FLOWS));
        return flows;
    }

    /** The services around Redis and their requests (empty when the trace has no agent events). */
    public synchronized ServicesFile services() throws IOException {
        if (services == null) services = ServicesFile.open(dir.resolve(Analysis.SERVICES));
        return services;
    }

    /** The user's own spans linked to the model's requests ({@link SpanLinks#NONE} when none were given). */
    public SpanLinks spanLinks() throws IOException { return SpanLinks.read(dir, summary.fingerprint()); }

    /** The hosts' clocks, synchronised from the traces' message pairs ({@link Clocks#SINGLE} for one host). */
    public Clocks clocks() throws IOException { return Clocks.read(dir.resolve(Clocks.FILE)); }

    @Override public synchronized void close() throws IOException {
        if (services != null) services.close();
        if (flows != null) flows.close();
        if (history != null) history.close();
        if (segments != null) segments.close();
    }
}
