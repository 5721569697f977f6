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
 * each with its time range — the {@code Timestamp ns} column lets a viewer jump the other views to it, and the
 * {@code View}, {@code Server}, {@code fd} and {@code Threads} columns say which view and rows to show.
 */
final class FindingsView implements Provider.Table {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.findings", "Findings",
            "What the analysis detectors found, each with its time range", Tsp.ProviderType.TABLE);
    static final List<Tsp.Column> COLUMNS = List.of(new Tsp.Column(0, "Timestamp ns", "start of the finding", "TIMESTAMP"),
            new Tsp.Column(1, "Duration ns", "", "DURATION"), new Tsp.Column(2, "Severity", "", "STRING"),
            new Tsp.Column(3, "Server", "", "STRING"), new Tsp.Column(4, "Finding", "", "STRING"),
            new Tsp.Column(5, "fd", "", "NUMBER"), new Tsp.Column(6, "View", "the view that shows it", "STRING"),
            new Tsp.Column(7, "Explanation", "", "STRING"), new Tsp.Column(8, "Kind", "", "STRING"),
            new Tsp.Column(9, "Threads", "the threads it concerns (tids, comma-separated)", "STRING"));

    private final Stored stored;
    private List<Finding> findings;

    FindingsView(Stored stored) { this.stored = stored; }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public List<Tsp.Column> columns() { return COLUMNS; }

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

    private static String threads(List<Integer> tids) {
        var b = new StringBuilder();
        for (int t : tids) b.append(b.isEmpty() ? "" : ",").append(t);
        return b.toString();
    }

    @Override public Tsp.Table lines(long index, int count, long[] columnIds) {
        var all = findings();
        var cols = Tables.columns(columnIds, COLUMNS.size());
        var lines = new ArrayList<Tsp.Line>();
        for (long i = Math.max(0, index); i < all.size() && i < index + count; i++) {
            var f = all.get((int) i);
            var cells = new String[] {Long.toString(f.start()), Long.toString(Math.max(0, f.end() - f.start())),
                    f.severity().name(), f.server(), f.title(), f.fd() >= 0 ? Integer.toString(f.fd()) : "",
                    f.view(), f.explanation(), f.kind(), threads(f.threads())};
            lines.add(Tables.line(i, cells, cols));
        }
        return new Tsp.Table(Math.max(0, index), all.size(), Tables.ids(cols), lines);
    }
}
