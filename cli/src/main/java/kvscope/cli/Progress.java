package kvscope.cli;

import kvscope.analysis.Analysis;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work on a terminal: one line rewritten in place with %, events/s and the time left. Silent when
 * stderr is not a terminal (logs and tests), so scripts get clean output.
 */
final class Progress implements Analysis.Progress {
    private String what;
    private final PrintStream err = System.err;
    private long lastPrint;
    private boolean printed;

    private Progress(String what) { this.what = what; }

    /** A progress display if stderr is a terminal (or KVSCOPE_PROGRESS=1), else null. */
    static Progress onTerminal(String what) {
        boolean tty = System.console() != null || "1".equals(System.getenv("KVSCOPE_PROGRESS"));
        return tty ? new Progress(what) : null;
    }

    @Override public void update(long events, long bytesRead, long totalBytes, long elapsedNs) {
        long now = System.nanoTime();
        if (now - lastPrint < 250_000_000L && bytesRead < totalBytes) return;
        lastPrint = now;
        double frac = totalBytes > 0 ? Math.min(1, (double) bytesRead / totalBytes) : 0;
        double secs = elapsedNs / 1e9;
        double rate = secs > 0 ? events / secs : 0;
        double eta = frac > 0.01 ? secs * (1 - frac) / frac : Double.NaN;
        err.printf(Locale.ROOT, "\r%s: %5.1f%%  %,d events  %.2f M events/s  %s   ", what, 100 * frac, events, rate / 1e6,
                Double.isNaN(eta) ? "" : String.format(Locale.ROOT, "%.0fs left", eta));
        printed = true;
    }

    @Override public void stage(String what) {
        this.what = what;
        lastPrint = 0; // say the new stage at once
    }

    void done() {
        if (printed) err.print("\r" + " ".repeat(78) + "\r");
    }
}
