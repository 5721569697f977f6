package kvscope.analysis.export;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Writing from inside the stored files' visitors, which cannot throw: the writers unwrap it at the top. */
final class Unchecked {
    interface IoAction { void run() throws IOException; }

    private Unchecked() {}

    static void run(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
