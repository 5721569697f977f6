package kvscope.analysis.otel;

import java.io.IOException;
import java.io.InputStream;

/**
 * One line of a file at a time as a stream of its own: it ends at the line's '\n' (or the file's end), so a JSON
 * parser reads a line's document from the bytes as they come, without the line ever being held whole (the
 * Collector's file exporter writes a batch of spans — megabytes — on one line). {@link #next} moves to the next line,
 * skipping what the parser left of this one.
 */
final class LineStream extends InputStream {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos, lim;
    private boolean inLine, eof;

    LineStream(InputStream in) { this.in = in; }

    /** Moves to the next line; false at the end of the file. */
    boolean next() throws IOException {
        while (inLine) {
            if (!fill()) {
                inLine = false;
                break;
            }
            int nl = newline(pos, lim);
            if (nl >= 0) {
                pos = nl + 1;
                inLine = false;
            } else {
                pos = lim;
            }
        }
        if (!fill()) return false;
        inLine = true;
        return true;
    }

    private boolean fill() throws IOException {
        if (pos < lim) return true;
        if (eof) return false;
        int n = in.read(buf);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        lim = n;
        return true;
    }

    private int newline(int from, int to) {
        for (int i = from; i < to; i++) if (buf[i] == '\n') return i;
        return -1;
    }

    @Override public int read() throws IOException {
        if (!inLine) return -1;
        if (!fill()) {
            inLine = false;
            return -1;
        }
        byte c = buf[pos++];
        if (c == '\n') {
            inLine = false;
            return -1;
        }
        return c & 0xFF;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (!inLine) return -1;
        if (!fill()) {
            inLine = false;
            return -1;
        }
        int to = Math.min(lim, pos + len);
        int nl = newline(pos, to);
        int n = (nl >= 0 ? nl : to) - pos;
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        if (nl >= 0) {
            pos++;
            inLine = false;
            if (n == 0) return -1;
        }
        return n;
    }

    @Override public void close() throws IOException { in.close(); }
}
