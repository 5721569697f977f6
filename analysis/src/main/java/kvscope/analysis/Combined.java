package kvscope.analysis;

import kvscope.analysis.combine.FlowMerge;
import kvscope.analysis.combine.HistoryMerge;
import kvscope.analysis.combine.HostPairs;
import kvscope.analysis.combine.HostReplication;
import kvscope.analysis.combine.NodeNames;
import kvscope.analysis.combine.ReplicationJoin;
import kvscope.analysis.combine.SummaryMerge;
import kvscope.analysis.flows.FlowFile;
import kvscope.analysis.flows.FlowWriter;
import kvscope.analysis.model.BusExchange;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.segments.SegmentWriter;
import kvscope.analysis.services.ServicesState;
import kvscope.analysis.sync.BusPairs;
import kvscope.analysis.sync.Clocks;
import kvscope.analysis.sync.ServicePairs;
import kvscope.ctf.ClockFix;
import kvscope.statesystem.Config;
import kvscope.statesystem.History;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * One model of several hosts from the models each host built of its own trace (docs/combine.md): the hosts' clocks
 * synchronised from the pairs stored beside their models ({@code pairs.bin}), then every host's history, segments
 * and arrows put on the reference clock and written as one stored model — which report, serve and export open as
 * they open any other. The arrows between hosts (bus messages sent on one, processed on another) are paired here;
 * the statistics over all requests are computed again from the combined segments, exactly.
 */
final class Combined {
    /** Where the combined model goes by default, beside the host models. */
    static final String DIR = ".kvscope-combined";

    private Combined() {}

    /** A host model folder: a finished analysis (its summary and history). */
    static boolean isModel(Path p) {
        return Files.isRegularFile(p.resolve(Analysis.SUMMARY)) && Files.isRegularFile(p.resolve(Analysis.MODEL));
    }

    /**
     * The host models these arguments name — each a model folder or a folder of them — or null when they are traces
     * (the usual analysis). Refuses a mixture.
     */
    static List<Path> models(List<Path> args) throws IOException {
        var models = new ArrayList<Path>();
        int traces = 0;
        for (var a : args) {
            if (isModel(a)) {
                models.add(a);
                continue;
            }
            if (!Files.isDirectory(a) || Files.exists(a.resolve("metadata"))) {
                traces++;
                continue;
            }
            List<Path> inside;
            try (Stream<Path> s = Files.list(a)) {
                inside = s.filter(p -> !p.getFileName().toString().startsWith(".")).filter(Combined::isModel).sorted().toList();
            }
            if (inside.isEmpty()) traces++;
            else models.addAll(inside);
        }
        if (models.isEmpty()) return null;
        if (traces > 0) {
            throw new IOException("some arguments are traces and some are models of hosts (" + models.get(0)
                    + "): give either the traces to analyse together, or the hosts' models to combine");
        }
        return models;
    }

    /**
     * One host's stored model, checked; {@code pairs} its pairs file (null: none), with what its header says;
     * {@code repl} its replication records (null: none).
     */
    private record Host(Path dir, Summary summary, String name, Path pairs, HostPairs.Header header, Path repl) {}

    /** Combines the host models, or reuses the combination stored from the same models. */
    static Stored open(List<Path> models, Analysis.Options o) throws IOException {
        var dir = o.cacheDir() != null ? o.cacheDir()
                : models.get(0).toAbsolutePath().normalize().getParent().resolve(DIR);
        var hosts = new ArrayList<Host>();
        var byName = new HashMap<String, Path>();
        for (var m : models) {
            var h = host(m);
            var other = byName.put(h.name(), m);
            hosts.add(h);
            if (other != null) {
                throw new IOException(other + " and " + m + " are both models of host " + h.name()
                        + ": give one model per host (the newest analysis of each host's trace)");
            }
        }
        var fingerprint = fingerprint(hosts);
        if (!o.force()) {
            var reused = Stored.tryOpen(dir, fingerprint);
            if (reused != null) return reused;
        }
        Files.createDirectories(dir);
        return Stored.built(dir, combine(hosts, dir, fingerprint, o.progress()));
    }

    private static Host host(Path m) throws IOException {
        var summary = SummaryJson.read(m.resolve(Analysis.SUMMARY));
        if (summary.version() != Analysis.VERSION) {
            throw new IOException(m + ": a model of version " + summary.version() + " (this kvscope combines version "
                    + Analysis.VERSION + "): run `kvscope analyze --force` on that host with this kvscope");
        }
        var pairsFile = m.resolve(Analysis.PAIRS);
        if (Files.isRegularFile(pairsFile)) {
            try (var r = new HostPairs.Reader(pairsFile)) {
                if (r.header.modelVersion() != Analysis.VERSION) {
                    throw new IOException(pairsFile + ": pairs of model version " + r.header.modelVersion() + ", the model says "
                            + summary.version() + ": run `kvscope analyze --force` on that host");
                }
                return new Host(m, summary, r.header.host(), pairsFile, r.header, replication(m, summary, r.header));
            }
        }
        if (Files.isRegularFile(m.resolve(Clocks.FILE))) {
            throw new IOException(m + ": a model of several hosts already put together (it has " + Clocks.FILE
                    + "); give the model of each host, built on that host");
        }
        // No pairs (made without them, or copied without them): combined on its own clock, and said so.
        var name = summary.servers().isEmpty() ? m.toAbsolutePath().normalize().getFileName().toString()
                : summary.servers().get(0).host();
        return new Host(m, summary, name, null, null, null);
    }

    /** The host's replication records ({@code repl.bin}), checked, or null when it has none (then said). */
    private static Path replication(Path m, Summary summary, HostPairs.Header pairs) throws IOException {
        var file = m.resolve(Analysis.REPLICATION);
        if (!Files.isRegularFile(file)) return null;
        try (var r = new HostReplication.Reader(file)) {
            if (r.modelVersion() != summary.version() || !r.host().equals(pairs.host())) {
                throw new IOException(file + ": replication of host " + r.host() + ", model version " + r.modelVersion()
                        + "; the model is of host " + pairs.host() + ", version " + summary.version()
                        + ": run `kvscope analyze --force` on that host");
            }
        }
        return file;
    }

    private static String fingerprint(List<Host> hosts) {
        try {
            var md = MessageDigest.getInstance("SHA-256");
            md.update(("kvscope-combined-" + Analysis.VERSION).getBytes());
            for (var h : hosts) {
                md.update(h.name().getBytes());
                md.update(String.valueOf(h.summary().fingerprint()).getBytes());
                md.update(Long.toString(h.summary().analysisNs()).getBytes());
            }
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * As a one-go analysis of the hosts' traces does (Analysis#build): the clocks from the bus's pairs, the model on
     * them — its services joined across hosts, which gives the services' pairs —, the clocks again with those, and if
     * that moved a clock the model once more on the new clocks.
     */
    private static Summary combine(List<Host> hosts, Path dir, String fingerprint, Analysis.Progress progress) throws IOException {
        // 1. The clocks, from every host's link ends (the same pairs a one-go analysis reads from the traces).
        var bus = new BusPairs();
        var spans = new TreeMap<String, long[]>();
        var notes = new ArrayList<String>();
        for (var h : hosts) {
            spans.put(h.name(), new long[] {h.summary().start(), h.summary().end()});
            if (h.pairs() != null) {
                spans.put(h.name(), new long[] {h.header().first(), h.header().last()});
                try (var r = new HostPairs.Reader(h.pairs())) {
                    bus.read(r.in, h.name());
                } catch (IOException e) {
                    throw damagedPairs(h, e);
                }
            } else {
                notes.add("combined: host " + h.name() + " (" + h.dir() + ") has no " + Analysis.PAIRS
                        + ": its clock is not synchronised, its bus messages to other hosts have no arrows and its "
                        + "services are not combined");
            }
        }
        var inputs = Clocks.Inputs.of(bus, spans);
        var clocks = inputs.first();
        if (clocks.hosts().isEmpty()) return build(hosts, dir, fingerprint, progress, clocks, notes, null);
        var services = new ServicePairs();
        var summary = build(hosts, dir, fingerprint, progress, clocks, notes, services);
        if (services.size() == 0) return summary;
        var again = inputs.withServices(services);
        if (!again.sameFixes(clocks)) {
            progress.stage("combining again, on the clocks the services' " + services.size() + " pairs moved");
            return build(hosts, dir, fingerprint, progress, again, notes, null);
        }
        again.write(dir.resolve(Clocks.FILE));
        return summary;
    }

    /** One combination on the given clocks; {@code collect} (if not null) gets the services' pairs between hosts. */
    private static Summary build(List<Host> hosts, Path dir, String fingerprint, Analysis.Progress progress, Clocks clocks,
                                 List<String> hostNotes, ServicePairs collect) throws IOException {
        long t0 = System.nanoTime();
        Files.deleteIfExists(dir.resolve(Analysis.SUMMARY));
        var notes = new ArrayList<>(hostNotes);
        Files.deleteIfExists(dir.resolve(Clocks.FILE));
        if (!clocks.hosts().isEmpty()) clocks.write(dir.resolve(Clocks.FILE));
        var fixes = hosts.stream().map(h -> clocks.fix(h.name())).toList();
        // Each host's pairs file, read on past its link ends: the bus log (step 3), then the services' state.
        var readers = new ArrayList<HostPairs.Reader>();
        // And its replication records (ReplicationJoin, step 3).
        var repl = new ArrayList<HostReplication.Reader>();

        var stores = new ArrayList<Stored>();
        var model = dir.resolve(Analysis.MODEL + ".tmp");
        var segs = dir.resolve(Analysis.SEGMENTS + ".tmp");
        var flowsTmp = dir.resolve(Analysis.FLOWS + ".tmp");
        Summary summary;
        try {
            for (var h : hosts) {
                HostPairs.Reader r = null;
                if (h.pairs() != null) {
                    r = new HostPairs.Reader(h.pairs());
                    try {
                        new BusPairs().read(r.in, h.name());
                    } catch (IOException e) {
                        throw damagedPairs(h, e);
                    }
                }
                readers.add(r);
                repl.add(h.repl() == null ? null : new HostReplication.Reader(h.repl()));
            }
            for (var h : hosts) stores.add(Stored.opened(h.dir(), h.summary()));
            // Progress: each host's requests copied, then the states of all hosts replayed together (the long part).
            long total = 0;
            for (var st : stores) total += st.segments().count() + st.history().intervalCount();
            long[] done = {0};
            // 2. Segments: each host's, shifted, under combined server and command indexes.
            var serverMaps = new ArrayList<int[]>();
            List<Summary.CommandLatency> latencies;
            Summary.Series series;
            long flows = 0, unpaired = 0, start = Long.MAX_VALUE, end = Long.MIN_VALUE;
            var renamed = new HashMap<String, String>();
            try (var sw = new SegmentWriter(segs);
                 var fw = new FlowWriter(flowsTmp);
                 var exchange = new BusExchange.Merge(dir.resolve("buslog.tmp"));
                 var history = History.create(model, Config.DEFAULT)) {
                for (int i = 0; i < hosts.size(); i++) {
                    var sf = stores.get(i).segments();
                    var map = new int[sf.servers().size()];
                    for (int k = 0; k < map.length; k++) {
                        var name = sf.servers().get(k);
                        if (sw.hasServer(name)) {
                            var unique = name + "@" + hosts.get(i).name();
                            renamed.put(hosts.get(i).name() + "\u0000" + name, unique);
                            name = unique;
                        }
                        map[k] = sw.server(name);
                    }
                    serverMaps.add(map);
                    progress.stage("combining " + hosts.get(i).name() + " (" + (i + 1) + "/" + hosts.size() + "): requests");
                    copySegments(sf, map, fixes.get(i), sw);
                    done[0] += sf.count();
                    progress.update(done[0], done[0], total, System.nanoTime() - t0);
                    var s = hosts.get(i).summary();
                    if (s.counters().events() == 0) continue; // a host without events has no time span
                    start = Math.min(start, fixes.get(i).apply(s.start()));
                    end = Math.max(end, fixes.get(i).apply(s.end()));
                }
                if (start > end) start = end = 0; // no host has events: an empty model, as of an empty trace
                if (!renamed.isEmpty()) notes.add("combined: " + renamed.size() + " servers had the name of another host's "
                        + "server and were given @HOST: " + String.join(", ", renamed.values()));
                // 3. Arrows: each host's, shifted, merged in one run; then the bus messages between hosts.
                var flowFiles = new ArrayList<FlowFile>();
                for (var st : stores) flowFiles.add(st.flows());
                // A host's bus arrows are paired again below with every host's bus log (losses on any host reset the
                // pairing of all, as in one go), unless the host has no pairs.bin.
                var busPairedAgain = new boolean[hosts.size()];
                for (int i = 0; i < hosts.size(); i++) busPairedAgain[i] = readers.get(i) != null;
                flows -= FlowMerge.merge(flowFiles, serverMaps, fixes, busPairedAgain, fw);
                for (var h : hosts) flows += h.summary().counters().flows();
                for (int i = 0; i < hosts.size(); i++) {
                    var p = readers.get(i);
                    try {
                        if (p != null) exchange.host(p.in, serverMaps.get(i), fixes.get(i),
                                hosts.get(i).dir().resolve(Analysis.PAIRS).toString());
                    } catch (IOException e) {
                        throw damagedPairs(hosts.get(i), e);
                    }
                }
                // Nodes no host could name alone (traces without node ids in server_info), named across hosts.
                NodeNames.eliminate(hosts.stream().map(Host::summary).toList(), (h, name) -> {
                    var combined = renamed.getOrDefault(hosts.get(h).name() + "\u0000" + name, name);
                    return sw.hasServer(combined) ? sw.server(combined) : -1;
                }, exchange);
                long[] paired;
                try {
                    paired = exchange.pair(fw);
                } catch (IOException e) {
                    throw new IOException(e.getMessage() + "; run `kvscope analyze --force` on that host, or delete the file to "
                            + "combine the host on its own clock", e);
                }
                flows += paired[0];
                unpaired = paired[1];
                // Replication between hosts, paired by offset on the synchronised clock (docs/combine.md).
                var join = joinReplication(hosts, repl, fixes, serverMaps, renamed, fw);
                flows += join.arrows();
                notes.addAll(join.notes());
                // 4. The history: every host's intervals, shifted, replayed in time order.
                var roots = new ArrayList<UnaryOperator<String>>();
                for (var h : hosts) roots.add(name -> renamed.getOrDefault(h.name() + "\u0000" + name, name));
                progress.stage("combining " + hosts.size() + " hosts: states");
                long copied = done[0];
                long totalAll = total;
                HistoryMerge.merge(stores.stream().map(Combined::history).toList(), fixes, roots, join.renames(), join.lag(),
                        history, n -> progress.update(copied + n, copied + n, totalAll, System.nanoTime() - t0));
                progress.update(totalAll, totalAll, totalAll, System.nanoTime() - t0);
                history.finish(end);
                sw.finish();
                var summaries = hosts.stream().map(Host::summary).toList();
                var names = hosts.stream().map(Host::name).toList();
                var servers = SummaryMerge.servers(summaries, names, fixes, name -> exchange.nodeId(sw.server(name)), renamed);
                try (var sf = sw.reader()) {
                    latencies = Analysis.latencies(sf, sw.latencies());
                    series = Plots.of(sf, history, start, end, servers);
                    // 5. The services: every host's joined against the combined requests, as in one go.
                    servicesInto(hosts, readers, serverMaps, fixes, sf, history, dir, notes, collect);
                }
                history.commit();
                sw.commit();
                fw.close();
                var traces = hosts.stream().map(h -> h.dir().toAbsolutePath().normalize().toString()).toList();
                var c = SummaryMerge.counters(summaries, names, fixes, flows, unpaired, notes);
                summary = SummaryMerge.summary(summaries, fixes, new Summary(Analysis.VERSION, fingerprint, traces, start,
                        end, System.nanoTime() - t0, false, c, servers, latencies, List.of(), List.of(), List.of(), series),
                        join.stats());
            }
        } finally {
            for (var s : stores) s.close();
            for (var r : readers) if (r != null) r.close();
            for (var r : repl) if (r != null) r.close();
        }
        Files.move(model, dir.resolve(Analysis.MODEL), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(segs, dir.resolve(Analysis.SEGMENTS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(flowsTmp, dir.resolve(Analysis.FLOWS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        var tmp = dir.resolve(Analysis.SUMMARY + ".tmp");
        SummaryJson.write(tmp, summary);
        Files.move(tmp, dir.resolve(Analysis.SUMMARY), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return summary;
    }

    private static ReplicationJoin joinReplication(List<Host> hosts, List<HostReplication.Reader> repl, List<ClockFix> fixes,
                                                   List<int[]> serverMaps, Map<String, String> renamed, FlowWriter fw)
            throws IOException {
        var in = new ArrayList<ReplicationJoin.Host>();
        for (int i = 0; i < hosts.size(); i++) {
            var h = hosts.get(i);
            in.add(new ReplicationJoin.Host(h.name(), h.summary(), repl.get(i), fixes.get(i), serverMaps.get(i),
                    name -> renamed.getOrDefault(h.name() + "\u0000" + name, name)));
        }
        try {
            return ReplicationJoin.join(in, fw);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; run `kvscope analyze --force` on that host, or delete the file to "
                    + "combine the host without its replication to other hosts", e);
        }
    }

    private static IOException damagedPairs(Host h, IOException e) {
        return new IOException(h.dir().resolve(Analysis.PAIRS) + ": cut short or damaged (" + e + "); run `kvscope analyze "
                + "--force` on host " + h.name() + ", or delete the file to combine that host on its own clock", e);
    }

    private static History history(Stored s) {
        try {
            return s.history();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long shift(ClockFix fix, long t) { return t == Segment.UNKNOWN ? t : fix.apply(t); }

    private static void copySegments(SegmentFile sf, int[] map, ClockFix fix, SegmentWriter sw) throws IOException {
        var cmd = new int[sf.commands().size()];
        for (int k = 0; k < cmd.length; k++) cmd[k] = sw.command(sf.commands().get(k));
        IOException[] failed = {null};
        sf.forEach(c -> {
            if (failed[0] != null) return;
            try {
                sw.add(map[c.server()], c.fd(), c.clientId(), cmd[c.command()], shift(fix, c.readable()),
                        shift(fix, c.readStart()), shift(fix, c.readEnd()), shift(fix, c.commandStart()),
                        shift(fix, c.commandEnd()), shift(fix, c.writeStart()), shift(fix, c.replyEnd()), c.bytesIn(),
                        c.bytesOut(), c.readThread(), c.writeThread());
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        if (failed[0] != null) throw failed[0];
    }

    /**
     * Every host's services (their state before the joins, exported in its pairs file) joined by the same linker as
     * one go — HTTP hops across hosts, Redis calls to the requests of any host's Redis — on the combined time line,
     * into the combined {@code services.bin}; the pairs those joins give between hosts go to {@code collect}, back on
     * each host's own clock, as one go collects them.
     */
    private static void servicesInto(List<Host> hosts, List<HostPairs.Reader> readers, List<int[]> serverMaps,
                                     List<ClockFix> fixes, SegmentFile segments, History history, Path dir,
                                     List<String> notes, ServicePairs collect) throws IOException {
        var merge = new ServicesState.Merge();
        var names = new ArrayList<String>();
        for (int i = 0; i < hosts.size(); i++) {
            var r = readers.get(i);
            if (r == null) continue;
            try {
                merge.host(r.in, serverMaps.get(i), fixes.get(i));
            } catch (IOException | RuntimeException e) {
                throw damagedPairs(hosts.get(i), e instanceof IOException io ? io : new IOException(e.toString(), e));
            }
            names.add(hosts.get(i).name());
        }
        var b = merge.builder();
        var tmp = dir.resolve(Analysis.SERVICES + ".tmp");
        b.finish(segments, history, tmp);
        Files.move(tmp, dir.resolve(Analysis.SERVICES), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (collect == null) return;
        var hostFixes = new ArrayList<ClockFix>();
        for (int i = 0; i < hosts.size(); i++) if (readers.get(i) != null) hostFixes.add(fixes.get(i));
        b.syncPairs((kind, from, send, to, receive) -> {
            int f = merge.hostOf(from), t = merge.hostOf(to);
            if (f < 0 || t < 0) return;
            collect.add(kind, names.get(f), ServicePairs.raw(hostFixes.get(f), send), names.get(t),
                    ServicePairs.raw(hostFixes.get(t), receive));
        });
    }
}
