package kvscope.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The kvscope checkout (set by the launcher or by Maven for tests): where instrument/ and build/ live. */
public final class Home {
    private Home() {}

    public static Path dir() {
        var prop = System.getProperty("kvscope.home");
        var dir = Path.of(prop != null ? prop : System.getenv().getOrDefault("KVSCOPE_HOME", ".")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("instrument"))) {
            throw new UserError("cannot find the kvscope checkout (looked in " + dir + "); run kvscope through the ./kvscope launcher"
                    + " or set KVSCOPE_HOME to the checkout");
        }
        return dir;
    }

    /** The instrumented Redis binaries built by instrument/redis/build.sh. */
    public static Path redisBin() { return dir().resolve("build/redis/bin"); }
}
