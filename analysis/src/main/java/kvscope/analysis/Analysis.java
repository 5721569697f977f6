package kvscope.analysis;

import kvscope.analysis.flows.FlowWriter;
import kvscope.analysis.model.ModelBuilder;
import kvscope.analysis.otel.SpanLinker;
import kvscope.analysis.otel.SpanLinks;
import kvscope.analysis.segments.LatencyCollector;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.segments.SegmentWriter;
import kvscope.analysis.services.ServicesBuilder;
import kvscope.analysis.combine.HostPairs;
import kvscope.analysis.combine.HostReplication;
import kvscope.analysis.sync.BusPairs;
import kvscope.analysis.sync.Clocks;
import kvscope.analysis.sync.ServicePairs;
import kvscope.analysis.util.Background;
import kvscope.analysis.util.Writeback;
import kvscope.ctf.ClockFix;
import kvscope.ctf.CtfException;
import kvscope.ctf.Trace;
import kvscope.ctf.TraceInfo;
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
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds (or reuses) the model of a set of traces: CTF events → Redis model in a State History Tree, request
 * segments, summary — stored together in a cache folder ({@code TRACE/.kvscope/} unless told otherwise). A second
 * analysis of unchanged traces reuses what is stored; views only ever read the stored files.
 */
public final class Analysis {
    /** Bumped whenever the model changes meaning: stored models of another version are rebuilt. */
    public static final int VERSION = 17;
    /** How often the files being written are forced to disk during the pass (see {@link Writeback}). */
    static final long WRITEBACK_MS = 300;
    /** The files of a stored analysis, in its folder (docs/architecture.md, "What an analysis stores"). */
    public static final String MODEL = "model.ht", SEGMENTS = "segments.bin", FLOWS = "flows.bin", SUMMARY = "summary.json",
            SERVICES = "services.bin", PAIRS = "pairs.bin", REPLICATION = HostReplication.FILE;

    /** How often at most a build reports its progress by time (besides every 262,144 events). */
    static final long PROGRESS_NS = 100_000_000L;

    /** Progress of a build: called every few hundred thousand events, and every 0.1 s, from the analysing thread. */
    @FunctionalInterface
    public interface Progress {
        void update(long events, long bytesRead, long totalBytes, long elapsedNs);

        /** What is being done now, when it changes ("combining host-b (2/4): requests"); the updates that follow count it. */
        default void stage(String what) { }

        /** Several hosts followed live: their clocks as estimated from the message pairs seen so far ({@link LiveClocks}). */
        default void clocks(Clocks soFar) { }

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
        // Models built on each host (their folders, or a folder of them): combined into one, not analysed again.
        var models = Combined.models(traces);
        if (models != null) return Combined.open(models, o);
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

    /**
     * Builds the model of running sessions as they are recorded ({@link Trace#live}): the same pass as {@link #analyze},
     * fed by events as the relay hands them out, and stored when the sessions end (or the relay goes away: then the
     * model of what arrived, with the reason in its damage note) in {@code copy}'s cache folder, beside the copy of the
     * traces the live reader kept — so that {@code kvscope report COPY} and {@code serve COPY} read it afterwards
     * without analysing again.
     *
     * <p>Several hosts: the live pass merges their events on each trace's own clock (its offset: the host's wall
     * clock when its session started — as good as its NTP), since a correction estimated while the events come would
     * move a host's events behind ones already handed to the model. Once the sessions have ended and the copy is whole,
     * the clocks are estimated from its message pairs ({@link Clocks}) and the model is built again on one time line:
     * what is stored is then exactly {@code kvscope analyze COPY}. A reading cut short (the relay gone) keeps the
     * model built live, on the hosts' own clocks ({@code kvscope analyze --force COPY} synchronises what arrived).
     *
     * <p>The same once the sessions end when the live reading could not decode everything: events of event classes a
     * process declared after the reading started (a Node service started mid-session: the model's handlers and field
     * handles were resolved when the reading started, {@link kvscope.ctf.LiveStats#lateEvents}), or streams of traces
     * that appeared after it: the copy, its metadata whole, is analysed again and that model is stored.
     *
     * @param live    an open live trace; closed here
     * @param growing given the model as soon as it exists: its State History Tree answers queries while it grows,
     *                and the segments and flows written so far are readable from it ({@link LiveModel}); given null
     *                when the copy is analysed again (the live tree is closed then)
     */
    public static Stored analyzeLive(Trace live, Path copy, Options o, Consumer<LiveModel> growing) throws IOException {
        var dir = cacheDir(List.of(copy), o);
        Files.createDirectories(dir);
        long hosts = live.traces().stream().map(TraceInfo::host).distinct().count();
        var summary = pass(() -> live, List.of(copy), dir, () -> fingerprint(List.of(copy)), o, Clocks.SINGLE, null, growing);
        var st = live.liveStats();
        if (hosts < 2 && st.lateEvents() == 0 && st.unreadStreams() == 0) return Stored.built(dir, summary);
        // Cut short: what arrived stays as modelled live (`kvscope analyze --force COPY` does the rest).
        if (!summary.counters().damage().isEmpty()) return Stored.built(dir, summary);
        var why = new ArrayList<String>();
        if (hosts >= 2) why.add(hosts + " hosts' events modelled on their own clocks; the clocks synchronised from the copy's message pairs");
        if (st.lateEvents() > 0) why.add(st.lateEvents() + " events of event classes declared after the reading started, decoded from the copy's whole metadata");
        if (st.unreadStreams() > 0) why.add(st.unreadStreams() + " streams of traces that appeared after the reading started, read from the copy");
        o.progress().stage(String.format(Locale.ROOT, "live: %d events modelled; now the model again from the copy: %s",
                summary.counters().events(), String.join("; ", why)));
        // The live pass's tree is closed and its file about to be replaced: whoever answered queries from it stops.
        growing.accept(null);
        return Stored.built(dir, build(List.of(copy), dir, fingerprint(List.of(copy)), o));
    }

    /** Opens the trace set of one analysis (reading it from disk, or following a live session). */
    private interface Opener {
        Trace open() throws IOException;
    }

    /** What identifies the traces' content, asked after the pass (a live trace's copy is complete only then). */
    private interface Fingerprint {
        String get() throws IOException;
    }

    private static Summary build(List<Path> traces, Path dir, String fingerprint, Options o) throws IOException {
        // Several hosts: their clocks synchronised from the traces' message pairs first (a pass of its own), so that
        // the model is built on one time line (kvscope.analysis.sync). The cluster bus's pairs are read straight from
        // the events; the services' (a Redis call and its request, an HTTP exchange) are what the services linker
        // joined, so they come out of a model pass: when there are any between hosts, the clocks are estimated again
        // with them and, if that moves a clock, the model is built once more on the new time line.
        var inputs = Clocks.Inputs.read(traces);
        var clocks = inputs.first();
        if (clocks.hosts().isEmpty()) return pass(traces, dir, fingerprint, o, clocks, null);
        var services = new ServicePairs();
        var summary = pass(traces, dir, fingerprint, o, clocks, services);
        if (services.size() == 0) return summary;
        var again = inputs.withServices(services);
        if (!again.sameFixes(clocks)) {
            o.progress().stage("analyzing again, on the clocks the services' " + services.size() + " pairs moved");
            return pass(traces, dir, fingerprint, o, again, null);
        }
        again.write(dir.resolve(Clocks.FILE));
        return summary;
    }

    /** One pass over recorded traces on the given clocks; {@code services} (if not null) gets the services' pairs. */
    private static Summary pass(List<Path> traces, Path dir, String fingerprint, Options o, Clocks clocks,
                                ServicePairs services) throws IOException {
        return pass(() -> Trace.open(traces), traces, dir, () -> fingerprint, o, clocks, services, null);
    }

    /**
     * One pass of the model over a trace set, recorded or live ({@code opener}); {@code growing} (if not null) is
     * given the model as soon as it exists, and what it wrote is published to it about once a second.
     */
    private static Summary pass(Opener opener, List<Path> traces, Path dir, Fingerprint fp, Options o, Clocks clocks,
                                ServicePairs services, Consumer<LiveModel> growing) throws IOException {
        long t0 = System.nanoTime();
        SummaryJson.warmUp();
        // Write under temporary names and rename at the end: a killed analysis never leaves a model that looks done.
        var model = dir.resolve(MODEL + ".tmp");
        var segs = dir.resolve(SEGMENTS + ".tmp");
        var flows = dir.resolve(FLOWS + ".tmp");
        var servicesFile = dir.resolve(SERVICES + ".tmp");
        Files.deleteIfExists(dir.resolve(SUMMARY));
        // Links of a user's spans name requests of the model they were made against: a new model drops them.
        Files.deleteIfExists(dir.resolve(SpanLinks.FILE));
        ModelBuilder.Result result;
        List<Summary.CommandLatency> latencies;
        Summary.Series series;
        Files.deleteIfExists(dir.resolve(Clocks.FILE));
        if (!clocks.hosts().isEmpty()) clocks.write(dir.resolve(Clocks.FILE));
        try (var trace = opener.open();
             var h = History.create(model, Config.DEFAULT);
             var sw = new SegmentWriter(segs);
             var fw = new FlowWriter(flows);
             var builder = new ModelBuilder(trace, h, sw, fw, dir.resolve("buslog.tmp"), o.horizonNs())) {
            var live = growing == null ? null : new LiveModel(h, sw, fw);
            if (live != null) growing.accept(live);
            // The services around Redis (the nodejs agent's events), in the same pass: see kvscope.analysis.services.
            clocks.apply(trace);
            var integration = new ServicesBuilder(trace, builder::serverIndex);
            // One host's model: the pairs an aggregator needs to put it on other hosts' time line, in the same pass
            // (kvscope.analysis.combine; docs/combine.md).
            var host = HostPairs.hostOf(trace);
            var bus = host != null ? new BusPairs(trace) : null;
            if (host != null) builder.spoolReplication(dir.resolve(REPLICATION + ".spool"));
            // Its Redis may be called by another host's services: who connected is kept for the aggregator's linker.
            if (host != null) integration.keepRedisSide();
            var liveClocks = LiveClocks.of(trace);
            for (var type : trace.eventTypes()) if (integration.reads(type)) builder.readElsewhere(type);
            long n = 0, said = System.nanoTime();
            // Progress every 262,144 events, and also every 4,096 once PROGRESS_NS passed since the last: a live
            // trace's events come at the pace of the system, and a small one (the page's test: 92,105 events, read in
            // 0.6 s) said nothing until it was done — the page showed "opening the traces…" while they were read.
            try (var wb = Writeback.start(List.of(model, segs), WRITEBACK_MS)) {
                for (var e : trace) {
                    builder.accept(e);
                    integration.accept(e);
                    if (bus != null) bus.accept(e);
                    if (liveClocks != null) {
                        liveClocks.accept(e);
                        if ((n & 0xFF) == 0) liveClocks.maybeTell(o.progress());
                    }
                    if ((++n & 0xFFF) == 0) {
                        long now = System.nanoTime();
                        if ((n & 0x3FFFF) == 0 || now - said >= PROGRESS_NS) {
                            o.progress().update(n, trace.bytesConsumed(), trace.totalBytes(), now - t0);
                            said = now;
                        }
                    }
                    // A clock read every 256 events: a slow session's views still move about once a second.
                    if (live != null && (n & 0xFF) == 0) live.publishIfDue();
                }
            } catch (CtfException e) {
                // A cut or corrupted trace: keep the model of everything before the damage, and say where it is.
                builder.damaged(e.getMessage());
            }
            // The files are finished and renamed from here on: a live model's readers keep their last snapshot.
            if (live != null) live.end();
            if (liveClocks != null) liveClocks.tell(o.progress());
            result = builder.finish();
            Files.deleteIfExists(dir.resolve(PAIRS));
            if (host != null) HostPairs.write(dir.resolve(PAIRS), VERSION, host, result.start(), result.end(), bus, builder, integration);
            Files.deleteIfExists(dir.resolve(REPLICATION));
            if (host != null) HostReplication.write(dir.resolve(REPLICATION), VERSION, host, builder);
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
                latencies = latencies(sf, sw.latencies());
                series = Plots.of(sf, h, result.start(), result.end(), result.servers());
                integration.finish(sf, h, servicesFile);
                if (services != null) collect(trace, integration, services);
            } catch (IOException | RuntimeException | Error e) {
                durable.joinAfter(e);
                throw e;
            }
            durable.join();
        }
        Files.move(model, dir.resolve(MODEL), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(segs, dir.resolve(SEGMENTS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(flows, dir.resolve(FLOWS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(servicesFile, dir.resolve(SERVICES), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        var summary = new Summary(VERSION, fp.get(),
                traces.stream().map(t -> t.toAbsolutePath().normalize().toString()).toList(), result.start(),
                result.end(), System.nanoTime() - t0, result.commandsOnly(), result.counters(), result.servers(),
                latencies, result.anomalies(), result.stalls(), result.backlogs(), series, result.replication());
        var tmp = dir.resolve(SUMMARY + ".tmp");
        SummaryJson.write(tmp, summary);
        Files.move(tmp, dir.resolve(SUMMARY), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return summary;
    }

    /** The services' pairs between hosts, back on each host's own clock (the estimate's input). */
    private static void collect(Trace trace, ServicesBuilder integration, ServicePairs into) {
        var hosts = new ArrayList<String>();
        var fixes = new ArrayList<ClockFix>();
        for (var t : trace.traces()) {
            while (hosts.size() <= t.index()) {
                hosts.add(null);
                fixes.add(ClockFix.NONE);
            }
            hosts.set(t.index(), t.host());
            fixes.set(t.index(), trace.clockFix(t.index()));
        }
        integration.syncPairs((kind, from, send, to, receive) -> {
            if (from < 0 || to < 0 || from >= hosts.size() || to >= hosts.size()) return;
            into.add(kind, hosts.get(from), ServicePairs.raw(fixes.get(from), send), hosts.get(to),
                    ServicePairs.raw(fixes.get(to), receive));
        });
    }

    /**
     * Links the Redis client spans of the user's OTLP/JSON files to the stored model's requests and stores the links
     * beside it ({@link SpanLinks#FILE}), replacing earlier ones (kvscope.analysis.otel).
     */
    public static SpanLinks linkSpans(Stored stored, List<Path> spanFiles) throws IOException {
        var links = SpanLinker.link(spanFiles, stored.segments(), stored.history(), stored.summary().fingerprint());
        links.write(stored.dir());
        return links;
    }

    /**
     * Exact statistics per server and command, busiest first: without blocked time, and with it for the commands
     * whose clients blocked (one more pass over the segments, only then).
     */
    static List<Summary.CommandLatency> latencies(SegmentFile sf, LatencyCollector collector) {
        var stats = collector.finish(sf);
        var blocked = collector.blocked();
        var withBlocked = LatencyCollector.withBlocked(sf, blocked.keySet());
        var out = new ArrayList<Summary.CommandLatency>();
        stats.forEach((k, st) -> out.add(Summary.CommandLatency.of(
                sf.servers().get((int) (k >>> 32)), sf.commands().get((int) (long) k), st, blocked.get(k), withBlocked.get(k))));
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
