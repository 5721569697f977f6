package kvscope.ctf;

import java.nio.file.Path;

/**
 * A trace that cannot be read: says which file, at which byte offset (-1 when not applicable), and what was expected.
 * Unchecked because it surfaces from {@code for (var e : trace)}; events before the damage have been delivered.
 */
public final class CtfException extends RuntimeException {
    private final transient Path file;
    private final long offset;

    public CtfException(Path file, long offset, String message) {
        super(file + (offset >= 0 ? " at byte " + offset : "") + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    public CtfException(Path file, long offset, String message, Throwable cause) {
        this(file, offset, message);
        initCause(cause);
    }

    /** The file that is damaged (a data stream file or {@code metadata}). */
    public Path file() { return file; }

    /** Byte offset of the damage in {@link #file()}, or -1. */
    public long offset() { return offset; }
}
