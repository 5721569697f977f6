package kvscope.cli;

import kvscope.analysis.report.Units;
import kvscope.statesystem.FullState;
import kvscope.statesystem.State;
import kvscope.statesystem.ValueKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Locale;
import java.util.regex.Pattern;

@Command(name = "query", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "The model's state at one instant (the command-line State System Explorer).",
                "",
                "The model's state at one instant: every attribute (or those matching --path) with its value and the",
                "interval it holds over — the command-line State System Explorer. Analyses the trace first if needed.",
                "",
                "TIME is ns since the epoch, an ISO-8601 instant, or an offset from the trace start: +1.5s, +250ms, +10us.",
                "GLOB matches attribute paths: * within one level, ** across levels; a path also shows what is below it.",
                "",
                "Examples:",
                "  kvscope query trace/ --at +1.5s",
                "  kvscope query trace/ --at +1.5s --path '*/Connections/*/Status'",
                "  kvscope query trace/ --at 2026-11-22T06:40:01.5Z --path '**/Threads'"})
final class QueryCommand implements Runnable {
    @Mixin TraceArgs args;

    @Option(names = "--at", required = true, paramLabel = "TIME", description = "The instant to show.")
    String at;

    @Option(names = "--path", paramLabel = "GLOB", description = "Only attributes matching GLOB (or below it).")
    String path;

    @Option(names = "--all", description = "Also show attributes that have no value (null) at TIME.")
    boolean all;

    @Override public void run() {
        try (var stored = args.open(false)) {
            var h = stored.history();
            long start = stored.summary().start();
            long t = TimeArg.parse(at, start);
            var out = System.out;
            out.printf(Locale.ROOT, "state at %s (%s)%n", Units.offset(t, start), Units.instant(t));
            if (t < h.start() || t > h.end()) {
                out.printf(Locale.ROOT, "no state: the model covers %s to %s; %s is %s it%n", Units.offset(h.start(), start),
                        Units.offset(h.end(), start), at, t < h.start() ? "before" : "after");
                return;
            }
            var filter = path == null ? null : glob(path);
            var full = new FullState();
            h.fullAt(t, full);
            var lines = new ArrayList<String>();
            for (int q = 0; q < h.attributeCount(); q++) {
                var p = h.path(q);
                if (filter != null && !filter.matcher(p).matches()) continue;
                boolean known = full.known(q) && full.kind(q) != ValueKind.NULL;
                if (!known && !all) continue;
                if (!known && h.children(q).length > 0) continue; // a branch, not a value
                var value = switch (full.kind(q)) {
                    case NULL -> "null";
                    case STRING -> full.string(q);
                    case DOUBLE -> Double.toString(full.doubleValue(q));
                    default -> Long.toString(full.longValue(q));
                };
                lines.add(String.format(Locale.ROOT, "%-58s = %-32s [%s, %s]", p, value,
                        full.known(q) ? Units.offset(full.start(q), start) : "?",
                        full.known(q) && full.end(q) != State.ONGOING ? Units.offset(full.end(q), start) : "…"));
            }
            lines.sort(null);
            lines.forEach(out::println);
            if (lines.isEmpty()) {
                out.println(filter == null ? "(nothing has a value at this time)"
                        : "(no attribute matching " + path + " has a value at this time; --all shows them anyway)");
            }
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** GLOB → regex: ** spans levels, * stays within one; a match also covers everything below it. */
    static Pattern glob(String glob) {
        var sb = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                sb.append(".*");
                i++;
            } else if (c == '*') {
                sb.append("[^/]*");
            } else if (c == '?') {
                sb.append("[^/]");
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb + "(/.*)?");
    }
}
