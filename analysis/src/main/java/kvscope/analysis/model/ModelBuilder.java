package kvscope.analysis.model;

import kvscope.analysis.flows.FlowWriter;
import kvscope.analysis.segments.SegmentWriter;
import kvscope.analysis.util.LongMap;
import kvscope.ctf.Event;
import kvscope.ctf.EventType;
import kvscope.ctf.Trace;
import kvscope.statesystem.History;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The sink of the analysis: turns each event of an instrumented Redis into changes of the model (paper Fig. 3) and
 * request segments. One entity class per branch of the model registers the events it reacts to.
 */
public final class ModelBuilder implements AutoCloseable {
    /**
     * How late (trace time) a phase reported at its end may arrive and still be placed exactly; see Timeline. Longer
     * phases are placed late and counted (the report says how many and by how much). Measured on 10 M events: 200 ms
     * cost 18 % more than 50 ms (the buffers outgrow the CPU caches), 10 ms saved another 8 %.
     */
    public static final long DEFAULT_HORIZON_NS = 50_000_000L;
    /** Light-profile traces report whole commands at their end (DEBUG SLEEP, KEYS…): a wider window, few events. */
    static final long COMMANDS_ONLY_HORIZON_NS = 2_000_000_000L;

    private final Trace trace;
    private final History h;
    private final Fields fields;
    private final Ctx ctx;
    private final Timeline timeline;
    private final Map<Long, String> names;
    private final ServerNames naming;
    private final LongMap<ServerState> servers = new LongMap<>();
    private final List<ServerState> serverList = new ArrayList<>();
    /** Handlers by the reader's dense event-type index: one array load per event. */
    private final Dispatch.Entry[] entries;
    private final ModelCounters counters = new ModelCounters();
    private final SegmentWriter segments;
    private final FlowWriter flows;
    private final BusLog busLog;
    private final Invariants invariants = new Invariants();
    private final EventLoop eventLoop = new EventLoop();
    private final Backlogs backlogs = new Backlogs();
    private final Flows flowFinder = new Flows();
    private final Replication replication;
    private ReplicationSpool replicationSpool;
    private long first = Long.MIN_VALUE, last = Long.MIN_VALUE;
    /** Event types another analysis of the same pass reads (the services'): not "unknown" to this one. */
    private final boolean[] readElsewhere;

    /**
     * @param flows   where the Netflow arrows go
     * @param busLog  a scratch file for the bus messages paired after the pass (deleted on close)
     */
    public ModelBuilder(Trace trace, History h, SegmentWriter segments, FlowWriter flows,
                        Path busLog, long horizonNs) throws IOException {
        this.trace = trace;
        this.h = h;
        this.segments = segments;
        this.flows = flows;
        this.busLog = new BusLog(busLog);
        var layouts = new Layouts(trace);
        this.fields = new Fields(trace, layouts);
        boolean commandsOnly = !Dispatch.redis(trace, "write_to_client_end").exists();
        this.timeline = new Timeline(h, commandsOnly ? Math.max(horizonNs, COMMANDS_ONLY_HORIZON_NS) : horizonNs);
        this.names = ServerNames.scan(trace);
        // Runs of one host:port the look-ahead met: a later run of it is named by its run too (learnName).
        for (var n : names.values()) if (n.indexOf('@') > 0) restarted.add(n.substring(0, n.indexOf('@')));
        this.naming = new ServerNames(trace);
        boolean fileEvents = Dispatch.redis(trace, "delete_file_event").exists();
        this.ctx = new Ctx(fields, timeline, segments, flows, this.busLog, commandsOnly, fileEvents, counters);
        var d = new Dispatch(Dispatch.REDIS);
        new Servers().register(d.as("server facts"));
        // Before Connections: a free_client ends a blocked phase while the connection is still open.
        new Blocking().register(d.as("blocked clients"));
        var connections = new Connections();
        connections.register(d.as("connection states"));
        new Snapshot().register(d.as("connections from the snapshot"));
        new Requests().register(d.as("requests and their latencies"));
        new Threads().register(d.as("thread phases"));
        eventLoop.register(d.as("event loop"));
        new Bus().register(d.as("cluster bus"));
        flowFinder.register(d.as("causal links"));
        replication = new Replication(trace, layouts, serverList);
        replication.register(d.as("replication"));
        backlogs.register(d.as("output backlogs"));
        invariants.register(d.as("invariant checks"));
        // Last of a free's handlers: they all still find the connection (see there).
        connections.registerForget(d.as("freed connections forgotten"));
        // The light profile's batches run the call_command_end handlers once per command they hold, and the publish
        // handlers once per publish: those handlers are checked against the batch's layout (its sequences).
        var skipped = new ArrayList<Dispatch.Skipped>();
        var batches = d.as("the light profile's batches");
        batches.on("commands", CommandBatch.NEEDS,
                new CommandBatch(batchOf(d, trace, layouts, "call_command_end", "commands", skipped), counters));
        batches.on("publishes", PublishBatch.NEEDS,
                new PublishBatch(batchOf(d, trace, layouts, "publish", "publishes", skipped), counters));
        this.entries = d.entries(trace, layouts, skipped);
        var unknownRedis = new TreeSet<String>();
        for (var t : trace.eventTypes()) {
            if (t.name().startsWith(Dispatch.REDIS + ":") && t.index() >= 0 && entries[t.index()] == null) unknownRedis.add(t.name());
        }
        counters.layout.addAll(layouts.notes(skipped, unknownRedis));
        this.readElsewhere = new boolean[entries.length];
    }

    /** The handlers of {@code single} that a batch event's layout can feed (its {@code names} stand for {@code name}). */
    private static Dispatch.Entry batchOf(Dispatch d, Trace trace, Layouts layouts, String single, String batch,
                                          List<Dispatch.Skipped> skipped) {
        var type = Dispatch.redis(trace, batch);
        // A trace without the batch (the full profile, an earlier layout) switches nothing off.
        return d.entry(single).restrictedTo(f -> layouts.usable(type, f.equals("name") ? "names" : f),
                type.name() + " (as " + single + ")", type.exists() ? skipped : new ArrayList<>());
    }

    public boolean commandsOnly() { return ctx.commandsOnly; }

    /** Applies one event (or lost-events record) of the time-ordered iteration. */
    public void accept(Event e) {
        long t = e.timestamp();
        if (first == Long.MIN_VALUE) first = t;
        last = Math.max(last, t);
        counters.events++;
        timeline.advance(t);
        if (e.isLost()) {
            lost(e);
            return;
        }
        var type = e.type();
        int i = type.index();
        var entry = i >= 0 && i < entries.length ? entries[i] : null;
        if (entry == null) {
            if (i >= 0 && i < readElsewhere.length && readElsewhere[i]) return;
            // Kernel events and other providers' are no part of the Redis model: counted apart, not "unknown".
            if (type.name().startsWith(Dispatch.REDIS + ":")) counters.unknownEvents.merge(type.name(), 1L, Long::sum);
            else counters.otherProviders.merge(type.name(), 1L, Long::sum);
            return;
        }
        var c = ctx;
        c.event = e;
        c.time = t;
        c.seq = counters.events;
        c.eventName = entry.name;
        c.server = server(e);
        if (!c.server.named) learnName(c.server, e);
        c.thread = c.server.thread(e.has(fields.vtid) ? (int) e.getLong(fields.vtid) : c.server.vpid);
        if (c.thread.instant) {
            c.thread.instant = false;
            Threads.restore(c);
        }
        entry.run(c);
    }

    /** Events of this type are read by another analysis of the same pass: they are not counted as unknown. */
    public void readElsewhere(EventType type) {
        if (type.index() >= 0 && type.index() < readElsewhere.length) readElsewhere[type.index()] = true;
    }

    /** The index, in the segment file's servers, of the Redis server that emitted this event (after {@link #accept}). */
    public int serverIndex(Event e) { return server(e).index; }

    private ServerState server(Event e) {
        int ti = e.trace().index();
        long vpid = e.has(fields.vpid) ? e.getLong(fields.vpid) : -1;
        long key = ServerNames.key(ti, vpid);
        var s = servers.get(key);
        if (s == null) {
            var name = names.get(key);
            if (name == null) {
                var proc = e.has(fields.procname) ? e.getString(fields.procname) : e.trace().hostname();
                name = vpid >= 0 ? proc + "-" + vpid : proc;
            }
            s = new ServerState(name, (int) vpid, ti, e.trace().clockOffsetNs(), trace.clockFix(ti), segments.server(name), h);
            s.named = names.containsKey(key);
            s.stats.vpid = (int) vpid;
            s.stats.host = e.trace().hostname();
            int colon = name.lastIndexOf(':');
            int at = name.indexOf('@', colon + 1); // host:port@vpid: one run of a restarted server (ServerNames)
            if (colon > 0) s.stats.port = Integer.parseInt(name.substring(colon + 1, at < 0 ? name.length() : at));
            servers.put(key, s);
            serverList.add(s);
        }
        return s;
    }

    /**
     * A server that started after the look-ahead (ServerNames) is renamed host:port by its first server_info or
     * accepted client, in the history, the segments and its statistics. If another server already has the name (a
     * restart on the same port), this one is host:port@vpid, and so is the other one when the build finishes
     * ({@link #finish}: every record is made under the final names then). If that is taken too, it keeps procname-vpid.
     */
    private void learnName(ServerState s, Event e) {
        int port = naming.port(e);
        if (port <= 0) return;
        s.named = true;
        var name = e.trace().hostname() + ":" + port;
        s.stats.port = port;
        // Every server is a root attribute: a rename fails when another one has the name.
        if (!restarted.contains(name) && rename(s, name)) return;
        if (s.vpid >= 0 && rename(s, ServerNames.run(name, s.vpid))) restarted.add(name);
    }

    /** Host:port names that more than one run of a server had: each run is named host:port@vpid. */
    private final Set<String> restarted = new HashSet<>();

    private boolean rename(ServerState s, String name) {
        if (!h.rename(s.root, name)) return false;
        if (!segments.renameServer(s.index, name)) throw new IllegalStateException("segment server " + name + " exists");
        s.name = name;
        s.stats.name = name;
        return true;
    }

    /**
     * Events were discarded by the tracer: whatever was in flight on the servers of that trace is no longer known.
     * Their connections become UNKNOWN from the start of the loss and their half-seen requests are dropped, counted.
     */
    private void lost(Event e) {
        // A counter that went backwards (negative as a long) says events are missing, not how many.
        if (e.lostCount() > 0) counters.lostEvents += e.lostCount();
        else counters.lostCountUnknown++;
        counters.lostRanges++;
        if (counters.lossRanges.size() < 1000) counters.lossRanges.add(new long[] {e.lostStart(), e.timestamp()});
        int ti = e.trace().index();
        try {
            busLog.reset(e.timestamp(), e.lostStart());
            flowFinder.lost();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        for (var s : serverList) {
            if (s.traceIndex != ti) continue;
            s.lose();
            s.forEachThread(th -> {
                Threads.forget(th);
                timeline.clear(e.lostStart(), th.qOperation);
                timeline.clear(e.lostStart(), th.qRequest);
            });
            for (var conn : s.openConns()) {
                backlogs.lost(conn, e.lostStart());
                counters.requestsAffectedByLoss += conn.lose();
                timeline.set(e.lostStart(), conn.qStatus, "UNKNOWN");
            }
        }
    }

    /** The trace could not be read further: the model ends with what was read, and says so. */
    public void damaged(String where) {
        counters.damage.add(where);
    }

    private boolean finished;

    /** Releases the writer thread if the build did not finish (an exception); after {@link #finish} it does nothing. */
    @Override public void close() throws IOException {
        if (!finished) timeline.abandon();
        busLog.close();
        if (replicationSpool != null) replicationSpool.close();
    }

    /**
     * Ends the model at the last event: flushes and {@link History#finish finishes} the history, which can then be
     * queried; making it durable ({@link History#commit}) is left to the caller, to overlap with other work.
     */
    public Result finish() throws IOException {
        finished = true;
        long end = last == Long.MIN_VALUE ? 0 : last;
        // The first run of a restarted server kept the short name: it gets its run's name too (see learnName).
        for (var s : serverList) if (restarted.contains(s.name) && s.vpid >= 0) rename(s, ServerNames.run(s.name, s.vpid));
        for (var s : serverList) {
            for (var conn : s.openConns()) s.stats.unfinishedAtEnd += conn.inFlight();
        }
        for (var s : serverList) backlogs.finish(s.openConns(), end);
        timeline.finish(end);
        var layout = Layouts.withWritten(List.copyOf(counters.layout), counters.writtenLayout);
        counters.layout.clear();
        counters.layout.addAll(layout);
        counters.lateStates = timeline.late();
        counters.maxLatenessNs = timeline.maxLateness();
        for (var en : entries) if (en != null && en.count > 0) counters.eventsByName.put(en.eventName, en.count);
        NodeIds.resolve(serverList);
        counters.flows += BusMatcher.match(busLog, serverList, flows, counters);
        // The records are made now, once, under the servers' final names.
        return new Result(first == Long.MIN_VALUE ? 0 : first, end, counters.build(),
                serverList.stream().map(s -> s.stats.build()).toList(), ctx.commandsOnly, invariants.found(),
                eventLoop.stalls(), backlogs.largest(), replication.build());
    }

    /**
     * This model's cluster-bus publish messages and its servers' node ids, for the aggregator that pairs them with
     * other hosts' ({@link BusExchange}); after {@link #finish}, before {@link #close}.
     */
    public void exportBus(DataOutputStream out) throws IOException {
        BusExchange.write(busLog, serverList, out);
    }

    /**
     * From now on (before the first event), spools what an aggregator needs to pair this host's replication with other
     * hosts' ({@link ReplicationSpool}; deleted on close).
     */
    public void spoolReplication(Path file) throws IOException {
        replicationSpool = new ReplicationSpool(file);
        replication.spoolTo(replicationSpool);
    }

    /**
     * The servers (segment index, final name, port) and the spooled replication records, for the aggregator
     * (combine.HostReplication); after {@link #finish}, before {@link #close}.
     */
    public void exportReplication(DataOutputStream out) throws IOException {
        out.writeInt(serverList.size());
        for (var s : serverList) {
            out.writeInt(s.index);
            out.writeUTF(s.name);
            out.writeInt(s.stats.port);
        }
        replicationSpool.finish();
        Files.copy(replicationSpool.file(), out);
    }

    /** What the build produced besides the history and the segments. */
    public record Result(long start, long end, Counters counters, List<ServerStats> servers, boolean commandsOnly,
                         List<Anomaly> anomalies, List<Stall> stalls, List<Backlog> backlogs,
                         ReplicationStats replication) {}
}
