package kvscope.analysis.views;

import kvscope.analysis.Stored;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Findings: what the analysis detectors report ({@link Findings#detect}, default thresholds), most serious first,
 * each with its time range — the {@code Timestamp ns} column lets a viewer jump the other views to it.
 */
final class FindingsView implements Provider.Table {
    static final Model.Descriptor DESCRIPTOR = new Model.Descriptor("kvscope.findings", "Findings",
            "What the analysis detectors found, each with its time range", Model.Kind.TABLE);
    static final List<Model.Column> COLUMNS = List.of(new Model.Column(0, "Timestamp ns", "start of the finding", "TIMESTAMP"),
            new Model.Column(1, "Duration ns", "", "DURATION"), new Model.Column(2, "Severity", "", "STRING"),
            new Model.Column(3, "Server", "", "STRING"), new Model.Column(4, "Finding", "", "STRING"),
            new Model.Column(5, "fd", "", "NUMBER"), new Model.Column(6, "View", "the view that shows it", "STRING"),
            new Model.Column(7, "Explanation", "", "STRING"), new Model.Column(8, "Kind", "", "STRING"));

    private final Stored stored;
    private List<Finding> findings;

    FindingsView(Stored stored) { this.stored = stored; }

    @Override public Model.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public List<Model.Column> columns() { return COLUMNS; }

    /** The detectors run once, on first demand (they scan the segments). */
    synchronized List<Finding> findings() {
        if (findings == null) {
            try {
                findings = List.copyOf(Findings.detect(stored, Thresholds.DEFAULT));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return findings;
    }

    @Override public Model.Table lines(long index, int count, long[] columnIds) {
        var all = findings();
        var cols = Tables.columns(columnIds, COLUMNS.size());
        var lines = new ArrayList<Model.Line>();
        for (long i = Math.max(0, index); i < all.size() && i < index + count; i++) {
            var f = all.get((int) i);
            var cells = new String[] {Long.toString(f.start()), Long.toString(Math.max(0, f.end() - f.start())),
                    f.severity().name(), f.server(), f.title(), f.fd() >= 0 ? Integer.toString(f.fd()) : "",
                    f.view(), f.explanation(), f.kind()};
            lines.add(Tables.line(i, cells, cols));
        }
        return new Model.Table(Math.max(0, index), all.size(), Tables.ids(cols), lines);
    }
}
