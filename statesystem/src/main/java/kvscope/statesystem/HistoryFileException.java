package kvscope.statesystem;

import java.nio.file.Path;

/**
 * A history file that cannot be answered from: the caller should rebuild it. Says what is wrong, in which file, and
 * at which byte offset.
 */
public final class HistoryFileException extends RuntimeException {

    /** What is wrong with the file. */
    public enum Problem {
        /** Not a kvscope history file (bad magic) or an unsupported format version. */
        NOT_A_HISTORY,
        /** The writer never closed it (crash, kill, still being written). */
        INCOMPLETE,
        /** Shorter or longer than its header says. */
        TRUNCATED,
        /** A checksum does not match: flipped bytes. */
        DAMAGED
    }

    private final Problem problem;
    private final transient Path file;
    private final long offset;

    HistoryFileException(Problem problem, Path file, long offset, String detail) {
        super(file + " at byte " + offset + ": " + problem.name().toLowerCase().replace('_', ' ') + ": " + detail);
        this.problem = problem;
        this.file = file;
        this.offset = offset;
    }

    public Problem problem() { return problem; }

    public Path file() { return file; }

    /** Byte offset in the file where the problem was found. */
    public long offset() { return offset; }
}
