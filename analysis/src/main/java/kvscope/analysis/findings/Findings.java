package kvscope.analysis.findings;

import kvscope.analysis.Stored;
import kvscope.analysis.Summary;
import kvscope.analysis.model.Anomaly;
import kvscope.analysis.model.ServerStats;
import kvscope.analysis.report.Units;
import kvscope.analysis.segments.BlockReason;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.Slowest;
import kvscope.analysis.services.Blame;
import kvscope.statesystem.ValueKind;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The detectors: each reads the stored model (summary, segments) and says in plain words what went wrong, with the
 * numbers. They run at report time, so thresholds can change without analysing again.
 */
public final class Findings {
    /** Redis 7.0's clusterMsg header: every bus message carries it (offsetof(clusterMsg, data) == 2256). */
    static final int CLUSTER_HEADER = 2256;
    static final int MAX_SLOW = 5;

    private Findings() {}

    public static List<Finding> detect(Stored stored, Thresholds th) throws IOException {
        var out = new ArrayList<Finding>();
        var sum = stored.summary();
        traceDamage(sum, out);
        layout(sum, out);
        for (var a : sum.anomalies()) out.add(anomaly(a, sum.start()));
        for (var s : sum.servers()) busAmplification(s, th, sum.start(), sum.end(), out);
        stalls(stored, th, out);
        slowRequests(stored, th, out);
        out.addAll(Blame.findings(stored.services(), th));
        backlogs(sum, th, out);
        ReplicationFindings.detect(sum, th, out);
        out.sort(Comparator.comparing((Finding f) -> f.severity()).reversed().thenComparingLong(Finding::start));
        return out;
    }

    private static void traceDamage(Summary sum, List<Finding> out) {
        var c = sum.counters();
        if (c.lostEvents() > 0 || c.lostCountUnknown() > 0) {
            out.add(new Finding("trace-damage", Finding.Severity.WARNING, "", sum.start(), sum.end(), -1, List.of(),
                    String.format(Locale.ROOT, "the tracer discarded %s events%s", Units.count(c.lostEvents()),
                            c.lostCountUnknown() > 0 ? " and more in " + c.lostCountUnknown() + " ranges of unknown size" : ""),
                    String.format(Locale.ROOT, "LTTng's buffers filled faster than they were written out, %s times: %s events "
                                    + "were never recorded. The %s requests in flight at those moments were dropped from the "
                                    + "latency figures, and the connections involved show UNKNOWN until their next event. Counts of "
                                    + "requests are lower than what the servers did. Record with larger sub-buffers "
                                    + "(lttng enable-channel --subbuf-size) or the light profile.",
                            Units.count(c.lostRanges()), Units.count(c.lostEvents()), Units.count(c.requestsAffectedByLoss())),
                    "Events latency", List.of()));
        }
        for (var d : c.damage()) {
            out.add(new Finding("trace-damage", Finding.Severity.WARNING, "", sum.end(), sum.end(), -1, List.of(),
                    "the trace is damaged", "Reading stopped at " + d + ". Everything before is in the model; whatever that "
                    + "stream held after this point is missing, so counts and the state after it are incomplete.",
                    "Statistics", List.of()));
        }
    }

    /** The trace's Redis events are not all of the layout kvscope's patch writes today: say what was left out. */
    private static void layout(Summary sum, List<Finding> out) {
        var notes = sum.counters().layout();
        if (notes.isEmpty()) return;
        out.add(new Finding("trace-layout", Finding.Severity.INFO, "", sum.start(), sum.end(), -1, List.of(),
                "the Redis events have another layout than kvscope's own instrumentation writes",
                "The layouts were checked when the trace opened. What they lack is not modelled; everything else is. "
                        + String.join(". ", notes) + ".",
                "Statistics", List.of()));
    }

    private static Finding anomaly(Anomaly a, long traceStart) {
        var events = a.events().stream().map(line -> {
            var f = line.split(" ", 3);
            return Units.offset(Long.parseLong(f[0]), traceStart) + "  thread " + f[1] + "  " + f[2];
        }).toList();
        var threads = a.threads().toString();
        return switch (a.kind()) {
            case "queued-twice" -> new Finding(a.kind(), Finding.Severity.CRITICAL, a.server(), a.time(), a.time(), a.fd(), a.threads(),
                    "client fd=" + a.fd() + " queued twice for threaded reads",
                    "The client (fd " + a.fd() + ", id " + a.clientId() + ") was put on clients_pending_read while it was already "
                            + "waiting there (threads " + threads + "). The next fan-out can give it to two I/O threads at once, "
                            + "which then both read it and, on EOF or error, both free it: redis/redis#12540, seen with TLS and "
                            + "io-threads-do-reads (Redis 7.0 lost the CLIENT_PENDING_READ guard of 6.2). Avoid "
                            + "io-threads-do-reads with TLS on Redis 7.x.",
                    "Threads", events);
            case "freed-twice" -> new Finding(a.kind(), Finding.Severity.CRITICAL, a.server(), a.time(), a.time(), a.fd(), a.threads(),
                    "client id " + a.clientId() + " freed twice",
                    "freeClient() ran a second time for client id " + a.clientId() + " (fd " + a.fd() + "), threads " + threads
                            + ". In Redis this corrupts the client lists (the assertion in freeClient, or a use after free): "
                            + "the crash of redis/redis#12540. The events below show how the client got there.",
                    "Threads", events);
            default -> new Finding(a.kind(), Finding.Severity.CRITICAL, a.server(), a.time(), a.time(), a.fd(), a.threads(),
                    "two threads on connection fd=" + a.fd() + " at once",
                    "Threads " + threads + " worked on connection fd " + a.fd() + " (client id " + a.clientId() + ") at overlapping "
                            + "times. Redis's I/O threads must never share a client; this is the race behind "
                            + "redis/redis#12540 (a client given to two I/O threads).",
                    "Threads", events);
        };
    }

    /** Over the whole trace: the factor is a property of the traffic, not of one moment. */
    private static void busAmplification(ServerStats s, Thresholds th, long start, long end, List<Finding> out) {
        if (s.publishes() == 0 || s.publishedPayloadBytes() == 0) return;
        long msgs = 0, bytes = 0;
        for (var type : List.of("publish", "publishshard")) {
            var v = s.busOutByType().get(type);
            if (v != null) {
                msgs += v[0];
                bytes += v[1];
            }
        }
        double factor = (double) bytes / s.publishedPayloadBytes();
        if (bytes == 0 || factor < th.amplification()) return;
        double perPublish = (double) msgs / s.publishes();
        double avgPayload = (double) s.publishedPayloadBytes() / s.publishes();
        out.add(new Finding("bus-amplification", factor >= 10 ? Finding.Severity.CRITICAL : Finding.Severity.WARNING, s.name(),
                start, end, -1, List.of(),
                String.format(Locale.ROOT, "PUBLISH multiplies cluster-bus traffic %.1f×", factor),
                String.format(Locale.ROOT, "Clients published %s messages with %s of payload on %s; to deliver them, the server "
                                + "sent %s on the cluster bus (%.1f bus bytes per payload byte). Each PUBLISH is broadcast to every "
                                + "other node (%.1f messages per PUBLISH here), whether or not it has subscribers, and each bus "
                                + "message carries Redis 7.0's %d-byte clusterMsg header (the 2 KiB slot bitmap included) on top of "
                                + "the %.0f-byte payload. This is redis/redis#12196. Remedies: sharded pub/sub (SPUBLISH/SSUBSCRIBE) "
                                + "only reaches the nodes of the channel's shard; keep pub/sub on small clusters; batch small messages.",
                        Units.count(s.publishes()), Units.bytes(s.publishedPayloadBytes()), s.name(), Units.bytes(bytes), factor,
                        perPublish, CLUSTER_HEADER, avgPayload),
                "Data volume", List.of()));
    }

    private static void stalls(Stored stored, Thresholds th, List<Finding> out) throws IOException {
        var sum = stored.summary();
        var sf = stored.segments();
        int reported = 0;
        for (var st : sum.stalls()) {
            if (st.busyNs() < th.stallNs() || reported >= MAX_SLOW) break;
            long end = st.start() + st.busyNs();
            // An iteration that spans lost events only looks long: its events were not recorded.
            if (sum.counters().lossRanges().stream().anyMatch(r -> r[0] <= end && r[1] >= st.start())) continue;
            reported++;
            // What filled it: the requests that executed during the iteration, longest execution first.
            var inside = new ArrayList<long[]>(); // [execution ns, index]
            int si = sf.serverIndex(st.server());
            sf.scan(st.start(), end, si, -1, c -> {
                if (c.commandStart() >= st.start() && c.commandEnd() <= end) inside.add(new long[] {c.commandEnd() - c.commandStart(), c.index()});
            });
            inside.sort((a, b) -> Long.compare(b[0], a[0]));
            long exec = inside.stream().mapToLong(x -> x[0]).sum();
            var cause = new StringBuilder();
            if (!inside.isEmpty()) {
                var top = sf.get(inside.get(0)[1]);
                cause.append(String.format(Locale.ROOT, " It executed %d requests taking %s in all; the longest, %s on fd %d, ran for %s.",
                        inside.size(), Units.duration(exec), sf.commands().get(top.command()), top.fd(), Units.duration(inside.get(0)[0])));
            } else {
                cause.append(" No request executed in it.");
            }
            var spent = mainThreadTime(stored, st.server(), st.start(), end);
            cause.append(spent.text());
            cause.append(StallVerdict.usage(st));
            var v = StallVerdict.of(st, spent.tracedNs(), th);
            out.add(new Finding(v.kind(), v.severity(), st.server(), st.start(), end, -1, List.of(), v.title(),
                    "One event-loop iteration kept the main thread from returning to poll for " + Units.duration(st.busyNs())
                            + ": every other client of " + st.server() + " waited meanwhile." + cause + v.advice(),
                    "Event loop", List.of()));
        }
    }

    private record Spent(String text, long tracedNs) {}

    /** What the server's main thread was doing during [t0, t1], by operation, from the model's Threads branch. */
    private static Spent mainThreadTime(Stored stored, String server, long t0, long t1) throws IOException {
        var st = stored.summary().servers().stream().filter(s -> s.name().equals(server)).findFirst().orElse(null);
        if (st == null) return new Spent("", 0);
        var h = stored.history();
        int q = h.lookup(server, "Threads", Integer.toString(st.vpid()), "Operation");
        if (q < 0) return new Spent("", 0);
        var byOp = new HashMap<String, long[]>();
        for (var it = h.intervals(q, t0, t1); it.next(); ) {
            if (it.kind() != ValueKind.STRING) continue;
            long d = Math.min(t1, it.end()) - Math.max(t0, it.start());
            var v = byOp.computeIfAbsent(it.string(), k -> new long[2]);
            v[0] += Math.max(0, d);
            v[1]++;
        }
        if (byOp.isEmpty()) return new Spent(" The trace shows no operation of the main thread in it.", 0);
        var top = byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(4)
                .map(e -> String.format(Locale.ROOT, "%s %s (%d×)", e.getKey(), Units.duration(e.getValue()[0]), e.getValue()[1]))
                .toList();
        // Waiting for the I/O threads is not the main thread's own work, but it is Redis's: count it as traced.
        long known = byOp.values().stream().mapToLong(v -> v[0]).sum();
        return new Spent(" The main thread spent it on: " + String.join(", ", top)
                + (t1 - t0 - known > (t1 - t0) / 10 ? String.format(Locale.ROOT, "; %s in no traced operation",
                Units.duration(t1 - t0 - known)) : "") + ".", known);
    }

    private static void slowRequests(Stored stored, Thresholds th, List<Finding> out) throws IOException {
        var sf = stored.segments();
        for (var l : stored.summary().latencies()) {
            var st = l.stats(th.slowWithBlocked());
            if (st.max() < th.slowNs()) continue;
            var found = Slowest.of(sf, MAX_SLOW, sf.serverIndex(l.server()), sf.commandIndex(l.command()), th.slowNs(),
                    th.slowWithBlocked());
            if (found.indexes().length == 0) continue;
            var slow = LongStream.of(found.indexes()).mapToObj(sf::get).toList();
            var worst = slow.get(0);
            var lines = slow.stream().map(s -> String.format(Locale.ROOT, "%s  fd=%d  %s: %s",
                    Units.offset(s.start(), stored.summary().start()), s.fd(), Units.duration(s.latency()),
                    String.join(", ", parts(s).entrySet().stream().map(e -> e.getKey() + " " + (e.getValue() == null ? "?"
                            : Units.duration(e.getValue()))).toList()))).toList();
            // Where the slowest one's time went: the largest known part names the cause.
            var parts = parts(worst);
            var top = parts.entrySet().stream().filter(e -> e.getValue() != null)
                    .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("executing");
            String where = switch (top) {
                case "executing" -> "executing the command itself";
                case "queued" -> "queued: its data had arrived but the server was busy with other work before reading it";
                case "reading" -> "reading the request (a large request, or TLS decryption)";
                case "waiting to execute" -> "waiting to execute after it was read (parsing, or other clients' commands of the same batch)";
                case "waiting to write" -> "waiting for its reply to be written (the event loop was busy elsewhere)";
                case "blocked" -> "blocked, waiting by design for data or replicas (" + BlockReason.at(worst.blockReason()).text()
                        + "; counted because of --slow-with-blocked)";
                default -> "writing the reply (a large reply, or a client that reads slowly)";
            };
            out.add(new Finding("slow-request", top.equals("executing") ? Finding.Severity.WARNING : Finding.Severity.INFO,
                    l.server(), worst.start(), worst.end(), worst.fd(), List.of(),
                    String.format(Locale.ROOT, "%s %s requests slower than %s", Units.count(found.matching()), l.command(), Units.duration(th.slowNs())),
                    String.format(Locale.ROOT, "%s of %s %s requests took longer than %s%s (p50 %s, max %s, blocked time "
                                    + "%s). The slowest spent most of its time %s. Its time: %s.", Units.count(found.matching()),
                            Units.count(l.count()), l.command(), Units.duration(th.slowNs()),
                            th.slowWithBlocked() ? "" : " without the time they spent blocked", Units.duration(st.p50()),
                            Units.duration(st.max()), th.slowWithBlocked() ? "included" : "left out", where,
                            String.join(", ", parts.entrySet().stream().map(e -> e.getKey() + " " + (e.getValue() == null ? "?"
                                    : Units.duration(e.getValue()))).toList())),
                    "Events latency", lines));
        }
    }

    /**
     * Output buffers that grew: a client whose reply bytes kept piling up. "Steadily" means most writes left more
     * waiting than the one before; a client freed with a large buffer unsent is reported whatever the shape.
     */
    private static void backlogs(Summary sum, Thresholds th, List<Finding> out) {
        int reported = 0;
        for (var b : sum.backlogs()) {
            if (b.maxBytes() < th.backlogBytes() || reported >= MAX_SLOW) break;
            boolean steady = b.writes() >= 3 && b.increases() * 2 >= b.writes();
            boolean freed = b.ending().equals("freed") && b.endBytes() >= th.backlogBytes();
            if (!steady && !freed) continue;
            reported++;
            String ending = switch (b.ending()) {
                case "drained" -> "It drained " + Units.duration(b.end() - b.maxAt()) + " after its peak.";
                case "freed" -> "The client was then closed with " + Units.bytes(b.endBytes()) + " still unsent: Redis drops "
                        + "clients over client-output-buffer-limit (pubsub: 32 MB hard, 8 MB for 60 s by default; normal: "
                        + "no limit), so the client lost those replies or messages.";
                case "lost" -> "Events were lost afterwards: how it ended is unknown.";
                default -> "It was still growing when the trace ended (" + Units.bytes(b.endBytes()) + " waiting).";
            };
            out.add(new Finding("backlog-growth", Finding.Severity.WARNING, b.server(), b.start(), b.end(), b.fd(), List.of(),
                    String.format(Locale.ROOT, "output buffer of client fd=%d grew to %s", b.fd(), Units.bytes(b.maxBytes())),
                    String.format(Locale.ROOT, "Client fd %d (id %d%s) had reply bytes waiting for %s: from %s to %s at the "
                                    + "peak%s, while Redis wrote it %s (%d of its %d writes left more waiting than "
                                    + "before). The client reads more slowly than Redis produces for it — a slow pub/sub "
                                    + "subscriber, a consumer that stopped reading, or replies larger than its link — and Redis "
                                    + "keeps every waiting byte in memory. %s Remedies: make the client read faster or in "
                                    + "parallel, publish less to it, or set client-output-buffer-limit to protect the server.",
                            b.fd(), b.clientId(), b.peer() == null || b.peer().isEmpty() ? "" : ", " + b.peer(), Units.duration(b.durationNs()),
                            Units.bytes(b.startBytes()), Units.bytes(b.maxBytes()),
                            b.maxAt() > b.start() ? ", growing by " + Units.bytes((long) ((b.maxBytes() - b.startBytes())
                                    / ((b.maxAt() - b.start()) / 1e9))) + "/s" : "",
                            Units.bytes(b.bytesWritten()), b.increases(), b.writes(), ending),
                    "Netflow", List.of()));
        }
    }

    /**
     * A request's time in its parts (see {@link Segment}), in order; null for a part the trace did not show (light
     * profile, or no event-loop events for "queued").
     */
    static LinkedHashMap<String, Long> parts(Segment s) {
        var m = new LinkedHashMap<String, Long>();
        long bs = s.blockStart(), be = s.blockEnd();
        m.put("queued", part(s.readable(), s.readStart(), bs, be));
        m.put("reading", part(s.readStart(), s.readEnd(), bs, be));
        m.put("waiting to execute", part(s.readEnd(), s.commandStart(), bs, be));
        m.put("executing", part(s.commandStart(), s.commandEnd(), bs, be));
        // A blocking command blocks inside its execution and is let go before its reply is written: a part of its
        // own, taken out of the ones it overlaps (waiting to write; waiting to execute for CLIENT PAUSE).
        if (s.blockedNs() > 0) m.put("blocked", s.blockedNs());
        m.put("waiting to write", part(s.commandEnd(), s.writeStart(), bs, be));
        m.put("writing", part(s.writeStart(), s.replyEnd(), bs, be));
        return m;
    }

    /** The length of [from, to] outside the blocked phase [bs, be] (UNKNOWN bounds: never blocked). */
    private static Long part(long from, long to, long bs, long be) {
        if (from == Segment.UNKNOWN || to == Segment.UNKNOWN || to < from) return null;
        long overlap = bs == Segment.UNKNOWN || be == Segment.UNKNOWN ? 0 : Math.max(0, Math.min(to, be) - Math.max(from, bs));
        return to - from - overlap;
    }
}
