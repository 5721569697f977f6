package kvscope.cli;

import kvscope.analysis.report.Units;
import kvscope.server.ApiError;
import kvscope.server.Job;
import kvscope.server.TspServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Serve the views: a web page and the Trace Server Protocol for VS Code / Theia.",
                "",
                "Serve the views of a trace: a web page, and the Trace Server Protocol (TSP 0.6.0) that the VS Code and",
                "Theia trace viewers speak. Analyses the traces first (or reuses the stored model), then serves until",
                "Ctrl-C.",
                "",
                "The page is at http://127.0.0.1:PORT/ and the protocol at http://127.0.0.1:PORT/tsp/api. Only traces",
                "under the TRACE directories (and --trace-root DIR) can be opened through the protocol. The server",
                "listens on the loopback interface unless --bind says otherwise; it has no authentication.",
                "",
                "Examples:",
                "  kvscope serve trace/",
                "  kvscope serve node1/ node2/ node3/ --port 9000        three nodes as one experiment",
                "  kvscope serve trace/ --trace-root ~/traces            the viewer may also open traces there",
                "  kvscope serve --live net://relay/host/web-1/s1 -o live/  follow a running session (docs/live.md)",
                "  kvscope serve --live net://relay -o live/               every host's live session on the relay, as one"})
public final class ServeCommand implements Runnable {
    @Parameters(arity = "0..*", paramLabel = "TRACE",
            description = "A CTF trace directory, or a directory holding several; several TRACE arguments are one experiment.")
    List<Path> traces;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "TCP port (default 8080; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default 127.0.0.1). Anything else exposes the traces to the network.")
    String bind;

    @Option(names = "--trace-root", paramLabel = "DIR",
            description = "Another directory whose traces clients may open (repeatable).")
    List<Path> traceRoots = new ArrayList<>();

    @Option(names = "--cache", paramLabel = "DIR", description = "Where models are stored (default: beside each trace).")
    Path cache;

    @Mixin LiveArgs live;

    @Override public void run() {
        var stop = new CountDownLatch(1);
        var server = start(System.out, System.err);
        // Ctrl-C: the JVM runs its shutdown hooks; this one stops the server (it started no process to clean up).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }, "kvscope-serve-stop"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
    }

    /** Starts the server, opens the experiment, waits for its analysis and says where to look; the caller closes it. */
    TspServer start(PrintStream out, PrintStream err) {
        if (port < 0 || port > 65_535) throw UserError.usage("--port " + port + " is not a TCP port (0..65535)");
        if (traces == null) traces = new ArrayList<>();
        var dir = live.traceDir(traces);
        if (dir != null) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UserError("-o " + dir + ": cannot create it (" + e.getMessage() + ")");
            }
            traces = List.of(dir);
        }
        if (traces.isEmpty()) throw UserError.usage("give a TRACE directory, or --live URL (see --help)");
        for (var t : traces) {
            if (!Files.exists(t)) throw new UserError(t + ": no such file or directory");
            if (!Files.isDirectory(t)) throw new UserError(t + ": not a directory; give the trace's directory");
        }
        for (var r : traceRoots) if (!Files.isDirectory(r)) throw new UserError("--trace-root " + r + ": not a directory");
        boolean loopback;
        try {
            loopback = InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw UserError.usage("--bind " + bind + ": unknown address");
        }
        var roots = new ArrayList<Path>(traces);
        roots.addAll(traceRoots);
        var progress = Progress.onTerminal("analyzing");
        TspServer server;
        try {
            server = TspServer.start(new TspServer.Config(bind, port, roots, cache, progress));
        } catch (BindException e) {
            throw new UserError("cannot listen on " + bind + ":" + port + " (" + e.getMessage() + "); choose another --port");
        } catch (IOException e) {
            throw new UserError("cannot start the server on " + bind + ":" + port + ": " + e.getMessage());
        }
        try {
            if (!loopback) {
                err.println("WARNING: listening on " + bind + ", not on the loopback interface: anyone who can reach this");
                err.println("WARNING: machine on port " + server.port() + " can read the traces under " + roots
                        + " — there is no authentication.");
            }
            if (live.given()) return followLive(server, out);
            // One analysis for all the traces: they are one experiment (and one model), as `kvscope analyze A B` makes.
            var exp = server.registry().openTogether(null, traces.stream().map(t -> t.toAbsolutePath().toString()).toList());
            out.println("kvscope serve: " + server.url() + "  (analysing " + String.join(" ", traces.stream().map(Path::toString).toList())
                    + "; the page shows progress)");
            out.flush();
            exp.job().await();
            if (progress != null) progress.done();
            if (exp.job().status() == Job.Status.FAILED) throw new UserError(exp.job().error());
            var s = exp.job().stored().summary();
            out.println("ready: " + Units.count(s.counters().events()) + " events, " + Units.duration(s.end() - s.start()) + " of trace, "
                    + s.servers().size() + " server(s)" + (exp.job().stored().reused() ? " (stored model reused)" : ""));
            out.println("  page:  " + server.url());
            out.println("  TSP:   " + server.url() + "tsp/api   (VS Code / Theia trace viewer: set the server URL to "
                    + server.url().replaceAll("/$", "") + ")");
            out.println("Ctrl-C stops the server.");
            out.flush();
            return server;
        } catch (ApiError e) {
            server.close();
            throw new UserError(e.detail());
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while analysing");
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * serve --live: attaches to the session, then serves at once while the model is built in the background; the
     * page shows how far behind it is, and the views once the session has ended and the model is stored.
     */
    private TspServer followLive(TspServer server, PrintStream out) {
        var dir = traces.get(0);
        var follow = LiveFollow.open(live.url, live.fromNow, dir, out::println);
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            follow.close();
            throw new UserError(dir + ": " + e.getMessage());
        }
        var state = new Job.Live() {
            @Override public long firstNs() { return follow.stats().firstNs(); }
            @Override public long coveredNs() { return follow.stats().safeNs(); }
            @Override public String describe() { return follow.shortText(); }
        };
        var exp = server.registry().openLive(follow.session.url().session(), real, state, (p, growing) -> {
            try {
                return follow.analyze(cache, p, growing);
            } finally {
                follow.close();
            }
        });
        out.println("kvscope serve: " + server.url() + "  (following " + String.join(", ", follow.session.names()) + "; the page says how far"
                + " behind the model is; the trace is copied to " + dir + ")");
        out.println("Ctrl-C stops the server.");
        out.flush();
        var done = new Thread(() -> {
            try {
                exp.job().await();
                var job = exp.job();
                if (job.status() == Job.Status.FAILED) out.println("live analysis failed: " + job.error());
                else out.println("the session ended: " + follow.describe() + "; model stored in " + job.stored().dir()
                        + " (kvscope report " + dir + ")");
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kvscope-live-end");
        done.setDaemon(true);
        done.start();
        return server;
    }
}
