package kvscope.server;

import kvscope.analysis.Analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The traces and experiments a server has open, and their analyses. Opening is idempotent (the same name and path
 * give back the same trace; a name taken by another path is a conflict), as the TSP clients' retry-with-a-new-name
 * logic expects. Analyses run one at a time on a background thread: the machine's cores serve the views meanwhile.
 */
public final class Registry implements AutoCloseable {
    /** A trace as the TSP knows it. */
    public record OpenTrace(UUID uuid, String name, Path path, Job job) {}

    /** An experiment: traces analysed together as one model. */
    public record Experiment(UUID uuid, String name, List<OpenTrace> traces, Job job) {}

    private final TraceAccess access;
    private final Path cacheRoot;
    private final Analysis.Progress progress;
    private final Map<UUID, OpenTrace> traces = new LinkedHashMap<>();
    private final Map<UUID, Experiment> experiments = new LinkedHashMap<>();
    private final Map<List<Path>, Job> jobs = new HashMap<>();
    private final ExecutorService analyses = Executors.newSingleThreadExecutor(r -> {
        var t = new Thread(r, "kvscope-analysis");
        t.setDaemon(true);
        return t;
    });

    Registry(TraceAccess access, Path cacheRoot, Analysis.Progress progress) {
        this.access = access;
        this.cacheRoot = cacheRoot;
        this.progress = progress;
    }

    /** Opens a trace (a path under the roots; relative paths are taken from the first root). */
    public synchronized OpenTrace openTrace(String uri, String name) {
        var path = access.resolve(uri);
        var n = name == null || name.isBlank() ? path.getFileName().toString() : name;
        for (var t : traces.values()) {
            if (!t.name().equals(n)) continue;
            if (t.path().equals(path)) return t;
            throw ApiError.conflict("a trace named \"" + n + "\" is already open on " + t.path());
        }
        var uuid = UUID.nameUUIDFromBytes(("trace\0" + n + "\0" + path).getBytes(StandardCharsets.UTF_8));
        var t = new OpenTrace(uuid, n, path, job(List.of(path)));
        traces.put(uuid, t);
        return t;
    }

    /**
     * Opens traces and an experiment of them in one step, with one analysis for all (what {@code kvscope serve
     * A B C} does): the traces report the experiment's analysis instead of each being analysed on its own first.
     * Traces are named after their directories ("name(2)" for a second of the same name).
     */
    public synchronized Experiment openTogether(String name, List<String> uris) {
        if (uris.isEmpty()) throw ApiError.badRequest("no trace given");
        var paths = uris.stream().map(access::resolve).toList();
        var shared = job(paths);
        var ids = new ArrayList<String>();
        var taken = new LinkedHashSet<String>();
        for (var path : paths) {
            var base = path.getFileName() == null ? "trace" : path.getFileName().toString();
            var n = base;
            for (int i = 2; !taken.add(n); i++) n = base + "(" + i + ")";
            OpenTrace t = null;
            for (var open : traces.values()) {
                if (!open.name().equals(n)) continue;
                if (!open.path().equals(path)) throw ApiError.conflict("a trace named \"" + n + "\" is already open on " + open.path());
                t = open;
            }
            if (t == null) {
                var uuid = UUID.nameUUIDFromBytes(("trace\0" + n + "\0" + path).getBytes(StandardCharsets.UTF_8));
                t = new OpenTrace(uuid, n, path, shared);
                traces.put(uuid, t);
            }
            ids.add(t.uuid().toString());
        }
        var first = taken.iterator().next();
        return openExperiment(name != null ? name : paths.size() == 1 ? first : "experiment", ids);
    }

    /**
     * Opens a live session's trace (its copy on this machine, {@code path}) and an experiment of it, whose model
     * {@code builder} builds while the session runs ({@link Job#startLive}); views answer once it has ended.
     */
    public synchronized Experiment openLive(String name, Path path, Job.Live live, Job.Builder builder) {
        var paths = List.of(path);
        if (jobs.containsKey(paths)) throw ApiError.conflict("a trace is already open on " + path);
        var j = new Job(paths);
        jobs.put(paths, j);
        j.startLive(live, builder);
        var uuid = UUID.nameUUIDFromBytes(("trace\0" + name + "\0" + path).getBytes(StandardCharsets.UTF_8));
        var t = new OpenTrace(uuid, name, path, j);
        traces.put(uuid, t);
        return openExperiment(name, List.of(uuid.toString()));
    }

    /** Opens an experiment of open traces, analysed together (one trace: the trace's own analysis). */
    public synchronized Experiment openExperiment(String name, List<String> traceIds) {
        if (name == null || name.isBlank()) throw ApiError.badRequest("parameter \"name\" is required");
        if (traceIds.isEmpty()) throw ApiError.badRequest("parameter \"traces\" must list at least one trace UUID");
        var list = new ArrayList<OpenTrace>();
        for (var id : traceIds) {
            var t = traces.get(uuid(id, "trace"));
            if (t == null) throw ApiError.notFound("no open trace " + id + " (POST it to /traces first)");
            if (!list.contains(t)) list.add(t);
        }
        for (var e : experiments.values()) {
            if (!e.name().equals(name)) continue;
            if (e.traces().equals(list)) return e;
            throw ApiError.conflict("an experiment named \"" + name + "\" is already open with other traces");
        }
        var key = new StringBuilder("experiment\0").append(name);
        for (var t : list) key.append('\0').append(t.uuid());
        var uuid = UUID.nameUUIDFromBytes(key.toString().getBytes(StandardCharsets.UTF_8));
        var e = new Experiment(uuid, name, List.copyOf(list), job(list.stream().map(OpenTrace::path).toList()));
        experiments.put(uuid, e);
        return e;
    }

    /** The analysis of these traces, started on first demand. */
    private Job job(List<Path> paths) {
        var j = jobs.get(paths);
        if (j == null) {
            j = new Job(paths);
            jobs.put(paths, j);
            j.start(analyses, cacheDir(paths), progress);
        }
        return j;
    }

    /**
     * Where a model is stored: under --cache when given; else beside the trace as {@code kvscope analyze} stores it;
     * several traces analysed together go to a folder of their own under the first one's cache, so they never
     * overwrite that trace's own model.
     */
    private Path cacheDir(List<Path> paths) {
        String key;
        try {
            var md = MessageDigest.getInstance("SHA-256");
            for (var p : paths) md.update((p + "\0").getBytes(StandardCharsets.UTF_8));
            key = HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (cacheRoot != null) return cacheRoot.resolve("model-" + key);
        if (paths.size() == 1) return null;
        return Analysis.cacheDir(paths, Analysis.Options.defaults()).resolve("experiment-" + key);
    }

    public synchronized List<OpenTrace> traces() { return List.copyOf(traces.values()); }

    public synchronized List<Experiment> experiments() { return List.copyOf(experiments.values()); }

    public synchronized OpenTrace trace(String id) {
        var t = traces.get(uuid(id, "trace"));
        if (t == null) throw ApiError.notFound("no open trace " + id);
        return t;
    }

    public synchronized Experiment experiment(String id) {
        var e = experiments.get(uuid(id, "experiment"));
        if (e == null) throw ApiError.notFound("no open experiment " + id);
        return e;
    }

    synchronized OpenTrace deleteTrace(String id) {
        var t = trace(id);
        for (var e : experiments.values()) {
            if (e.traces().contains(t))
                throw ApiError.conflict("trace " + id + " is part of experiment \"" + e.name() + "\"; delete the experiment first");
        }
        traces.remove(t.uuid());
        return t;
    }

    synchronized Experiment deleteExperiment(String id) {
        var e = experiment(id);
        experiments.remove(e.uuid());
        return e;
    }

    private static UUID uuid(String id, String what) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound("\"" + id + "\" is not a " + what + " UUID");
        }
    }

    /** Closes every stored model (their mapped files); views still being answered then fail, which is fine at exit. */
    @Override public synchronized void close() throws IOException {
        analyses.shutdownNow();
        for (var j : jobs.values()) j.close();
        jobs.clear();
    }
}
