package kvscope.analysis;

import kvscope.analysis.flows.FlowWriter;
import kvscope.analysis.model.ModelBuilder;
import kvscope.analysis.segments.LatencyStats;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.segments.SegmentWriter;
import kvscope.analysis.services.ServicesBuilder;
import kvscope.analysis.sync.Clocks;
import kvscope.analysis.util.Background;
import kvscope.analysis.util.Writeback;
import kvscope.ctf.CtfException;
import kvscope.ctf.Trace;
import kvscope.statesystem.Config;
import kvscope.statesystem.History;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds (or reuses) the model of a set of traces: CTF events → Redis model in a State History Tree, request
 * segments, summary — stored together in a cache folder ({@code TRACE/.kvscope/} unless told otherwise). A second
 * analysis of unchanged traces reuses what is stored; views only ever read the stored files.
 */
public final class Analysis {
    /** Bumped whenever the model changes meaning: stored models of another version are rebuilt. */
    public static final int VERSION = 9;
    /** How often the files being written are forced to disk during the pass (see {@link Writeback}). */
    static final long WRITEBACK_MS = 300;
    /** The files of a stored analysis, in its folder (docs/architecture.md, "What an analysis stores"). */
    public static final String MODEL = "model.ht", SEGMENTS = "segments.bin", FLOWS = "flows.bin", SUMMARY = "summary.json",
            SERVICES = "services.bin";

    /** Progress of a build: called every few hundred thousand events from the analysing thread. */
    @FunctionalInterface
    public interface Progress {
        void update(long events, long bytesRead, long totalBytes, long elapsedNs);

        Progress NONE = (e, r, t, n) -> { };
    }

    public record Options(Path cacheDir, boolean force, Progress progress, long horizonNs) {
        public Options {
            if (progress == null) progress = Progress.NONE;
            if (horizonNs <= 0) horizonNs = ModelBuilder.DEFAULT_HORIZON_NS;
        }

        public static Options defaults() { return new Options(null, false, Progress.NONE, 0); }

        public Options withCache(Path dir) { return new Options(dir, force, progress, horizonNs); }
        public Options withForce(boolean f) { return new Options(cacheDir, f, progress, horizonNs); }
        public Options withProgress(Progress p) { return new Options(cacheDir, force, p, horizonNs); }
    }

    private Analysis() {}

    /** The folder the model of these traces is stored in. */
    public static Path cacheDir(List<Path> traces, Options o) {
        return o.cacheDir() != null ? o.cacheDir() : traces.get(0).toAbsolutePath().normalize().resolve(".kvscope");
    }

    /** Analyses the traces, or reuses the stored model when the traces have not changed since. */
    public static Stored analyze(List<Path> traces, Options o) throws IOException {
        if (traces.isEmpty()) throw new IllegalArgumentException("no trace given");
        for (var t : traces) if (!Files.isDirectory(t)) throw new IOException(t + ": no such trace directory");
        var dir = cacheDir(traces, o);
        var fingerprint = fingerprint(traces);
        if (!o.force()) {
            var reused = Stored.tryOpen(dir, fingerprint);
            if (reused != null) return reused;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot store the model in " + dir + " (" + e.getMessage() + "); use --cache DIR", e);
        }
        return Stored.built(dir, build(traces, dir, fingerprint, o));
    }

    private static Summary build(List<Path> traces, Path dir, String fingerprint, Options o) throws IOException {
        long t0 = System.nanoTime();
        SummaryJson.warmUp();
        // Write under temporary names and rename at the end: a killed analysis never leaves a model that looks done.
        var model = dir.resolve(MODEL + ".tmp");
        var segs = dir.resolve(SEGMENTS + ".tmp");
        var flows = dir.resolve(FLOWS + ".tmp");
        var services = dir.resolve(SERVICES + ".tmp");
        Files.deleteIfExists(dir.resolve(SUMMARY));
        ModelBuilder.Result result;
        List<Summary.CommandLatency> latencies;
        Summary.Series series;
        // Several hosts: their clocks synchronised from the traces' message pairs first (a pass of its own), so that
        // the model is built on one time line (kvscope.analysis.sync).
        var clocks = Clocks.estimate(traces);
        Files.deleteIfExists(dir.resolve(Clocks.FILE));
        if (!clocks.hosts().isEmpty()) clocks.write(dir.resolve(Clocks.FILE));
        try (var trace = Trace.open(traces);
             var h = History.create(model, Config.DEFAULT);
             var sw = new SegmentWriter(segs);
             var fw = new FlowWriter(flows);
             var builder = new ModelBuilder(trace, h, sw, fw, dir.resolve("buslog.tmp"), o.horizonNs())) {
            // The services around Redis (the nodejs agent's events), in the same pass: see kvscope.analysis.services.
            clocks.apply(trace);
            var integration = new ServicesBuilder(trace, builder::serverIndex);
            for (var type : trace.eventTypes()) if (integration.reads(type)) builder.readElsewhere(type);
            long n = 0;
            try (var wb = Writeback.start(List.of(model, segs), WRITEBACK_MS)) {
                for (var e : trace) {
                    builder.accept(e);
                    integration.accept(e);
                    if ((++n & 0x3FFFF) == 0) o.progress().update(n, trace.bytesRead(), trace.totalBytes(), System.nanoTime() - t0);
                }
            } catch (CtfException e) {
                // A cut or corrupted trace: keep the model of everything before the damage, and say where it is.
                builder.damaged(e.getMessage());
            }
            result = builder.finish();
            sw.finish();
            o.progress().update(n, trace.totalBytes(), trace.totalBytes(), System.nanoTime() - t0);
            // Each file is forced to disk before it says complete, on a thread of its own, while this one summarises
            // the model and segments just written (from memory and the page cache): the fsyncs wait for the disk
            // and leave a core to the statistics.
            var durable = Background.start("kvscope-commit", () -> {
                h.commit();
                sw.commit();
                fw.close();
            });
            // The summary's statistics, from the model and segments just written (finished, not necessarily durable).
            try (var sf = sw.reader()) {
                latencies = latencies(sf, sw.latencies().finish(sf));
                series = Plots.of(sf, h, result.start(), result.end(), result.servers());
                integration.finish(sf, h, services);
            } catch (IOException | RuntimeException | Error e) {
                durable.joinAfter(e);
                throw e;
            }
            durable.join();
        }
        Files.move(model, dir.resolve(MODEL), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(segs, dir.resolve(SEGMENTS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(flows, dir.resolve(FLOWS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(services, dir.resolve(SERVICES), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        var summary = new Summary(VERSION, fingerprint,
                traces.stream().map(t -> t.toAbsolutePath().normalize().toString()).toList(), result.start(),
                result.end(), System.nanoTime() - t0, result.commandsOnly(), result.counters(), result.servers(),
                latencies, result.anomalies(), result.stalls(), result.backlogs(), series);
        var tmp = dir.resolve(SUMMARY + ".tmp");
        SummaryJson.write(tmp, summary);
        Files.move(tmp, dir.resolve(SUMMARY), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return summary;
    }

    /** Exact statistics per server and command, busiest first. */
    static List<Summary.CommandLatency> latencies(SegmentFile sf, Map<Long, LatencyStats> stats) {
        var out = new ArrayList<Summary.CommandLatency>();
        stats.forEach((k, st) -> out.add(Summary.CommandLatency.of(
                sf.servers().get((int) (k >>> 32)), sf.commands().get((int) (long) k), st)));
        out.sort((a, b) -> a.server().equals(b.server()) ? Long.compare(b.count(), a.count()) : a.server().compareTo(b.server()));
        return out;
    }

    /** What identifies the traces' content: every file's path, size and modification time, and the model version. */
    static String fingerprint(List<Path> traces) throws IOException {
        try {
            var md = MessageDigest.getInstance("SHA-256");
            md.update(("kvscope-model-" + VERSION).getBytes());
            for (var t : traces) {
                var root = t.toAbsolutePath().normalize();
                md.update(root.toString().getBytes());
                try (Stream<Path> files = Files.walk(root)) {
                    var list = files.filter(p -> !root.relativize(p).toString().startsWith(".kvscope"))
                            .filter(Files::isRegularFile).sorted().toList();
                    for (var p : list) {
                        md.update(root.relativize(p).toString().getBytes());
                        md.update(Long.toString(Files.size(p)).getBytes());
                        md.update(Long.toString(Files.getLastModifiedTime(p).toMillis()).getBytes());
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
