package kvscope.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;

/** `--live URL [-o DIR]` of analyze and serve: a running session to follow instead of TRACE directories (docs/live.md). */
final class LiveArgs {
    @Option(names = "--live", paramLabel = "URL",
            description = "follow running LTTng live sessions through their relay daemon while they record: "
                    + "net://RELAY[:PORT]/host/HOST/SESSION (HOST and SESSION may hold * as a pattern), several "
                    + "separated by commas, or net://RELAY[:PORT] for every live session of the relay — several hosts'"
                    + " sessions are followed as one system; the model is stored when they end, beside the copy of "
                    + "the traces kept in -o DIR (docs/live.md)")
    String url;

    @Option(names = "--from-now",
            description = "with --live: start at the sessions' current end instead of their beginning (for a "
                    + "long-running recording: its earlier packets are not read; Redis's and the agents' periodic "
                    + "snapshots name the connections and requests met mid-life)")
    boolean fromNow;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "with --live: where the copy of the live trace goes (default ./kvscope-live-<time>)")
    Path output;

    boolean given() { return url != null; }

    /**
     * The one trace directory of a live session (its copy), checking the arguments: TRACE directories and --live
     * exclude each other, and -o goes with --live. Null when not live.
     */
    Path traceDir(List<Path> traces) {
        if (url == null) {
            if (output != null) throw UserError.usage("-o is for --live (a recorded trace's model goes beside it, or to --cache DIR)");
            if (fromNow) throw UserError.usage("--from-now is for --live (where to start following a running session)");
            return null;
        }
        if (traces != null && !traces.isEmpty()) throw UserError.usage("give TRACE directories or --live URL, not both");
        return output != null ? output : Path.of("kvscope-live-" + LocalDateTime.now().withNano(0).toString().replace(':', '-'));
    }
}
