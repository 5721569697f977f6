package kvscope.cli.testing;

import kvscope.cli.Kvscope;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs a kvscope command in this JVM exactly as the launcher does (same picocli setup, exit codes), capturing output. */
public final class Cli {
    public record Result(int exitCode, String out, String err) {}

    private Cli() {}

    public static synchronized Result run(String... args) {
        var err = new StringWriter();
        var out = new ByteArrayOutputStream();
        var saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            var cl = Kvscope.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int rc = cl.execute(args);
            return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }
}
