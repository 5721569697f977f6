package kvscope.cli.record;

import kvscope.cli.Home;
import kvscope.cli.UserError;
import kvscope.cli.redis.Tools;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Node.js agent of instrument/node: where it is, the NODE_OPTIONS that loads it into every Node.js process a
 * command starts, and its addon (built on demand by instrument/node/build.sh). Without the addon the agent only
 * prints one line per process and traces nothing, so a recording that starts Node.js services builds it first.
 */
public final class NodeAgent {
    static final String AGENT = "instrument/node/agent.js";
    static final String ADDON = "build/node/nodejs_tp.node";
    static final String BUILD = "instrument/node/build.sh";

    private NodeAgent() {}

    public static Path agent() { return Home.dir().resolve(AGENT); }

    /** What to put in NODE_OPTIONS, e.g. {@code --require /home/me/kvscope/instrument/node/agent.js}. */
    public static String requireOption(Path agent) { return "--require " + quote(agent.toString()); }

    /**
     * NODE_OPTIONS for the command: the value it would have had (kept first, so its options still apply) plus the
     * agent's --require, unless that value already loads this agent.
     */
    public static String nodeOptions(String existing, Path agent) {
        var require = requireOption(agent);
        if (existing == null || existing.isBlank()) return require;
        if (existing.contains(agent.toString())) return existing;
        return existing.strip() + " " + require;
    }

    /**
     * Node.js splits NODE_OPTIONS at white space and reads "…" as one argument with \" and \\ escapes
     * (node_options.cc, ParseNodeOptionsEnvVar); a path without those characters goes as it is.
     */
    static String quote(String path) {
        if (path.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\\')) return path;
        return '"' + path.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * Builds the addon if it is missing (the build script is cached: it returns at once when up to date). A failed
     * build does not stop the recording — Redis is traced all the same — but says what Node.js services will do.
     */
    public static void ensureBuilt(PrintStream out) {
        var home = Home.dir();
        if (Files.isRegularFile(home.resolve(ADDON))) return;
        var script = home.resolve(BUILD);
        if (!Files.isExecutable(script)) {
            out.println("Note: " + script + " is missing: Node.js processes will run untraced.");
            return;
        }
        out.println("Building the Node.js agent's addon (" + BUILD + ")…");
        var p = Tools.start(new ProcessBuilder(script.toString()).directory(home.toFile()).inheritIO());
        try {
            int rc = p.waitFor();
            if (rc != 0 || !Files.isRegularFile(home.resolve(ADDON))) {
                out.println("Note: " + BUILD + " failed (status " + rc + ", its output is above): Node.js processes"
                        + " will print one line saying so and run untraced; Redis is recorded as usual.");
            }
        } catch (InterruptedException e) {
            Tools.kill(p);
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while building the Node.js agent's addon");
        }
    }
}
