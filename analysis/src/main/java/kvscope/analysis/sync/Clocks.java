package kvscope.analysis.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import kvscope.ctf.ClockFix;
import kvscope.ctf.CtfException;
import kvscope.ctf.Trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The clocks of the hosts of a set of traces, synchronised from the traces themselves: a first pass collects the
 * message pairs ({@link BusPairs}), {@link ClockSync} estimates each host's correction, and {@link #apply} puts it
 * on the reader, so that everything built afterwards — model, segments, arrows, views — is on the reference host's
 * time line. Stored as {@code clocks.json} beside the model for the report and the page.
 *
 * @param hosts           every host, in name order (one entry per host; empty for a single host)
 * @param unmatchedLinks  cluster links whose other end, or whose creation, the traces do not have
 * @param disagreeing     messages not paired because the two ends' sequences disagreed (lost events)
 * @param beyondCap       messages beyond {@link BusPairs#MAX_PER_LINK} on a link, and services' pairs beyond
 *                        {@link ServicePairs#MAX_PER_DIRECTION} between two hosts, not used
 */
public record Clocks(List<HostClock> hosts, long unmatchedLinks, long disagreeing, long beyondCap) {
    public static final String FILE = "clocks.json";
    public static final Clocks SINGLE = new Clocks(List.of(), 0, 0, 0);

    /** Reads the traces' message pairs and estimates every host's clock; {@link #SINGLE} when they are of one host. */
    public static Clocks estimate(List<Path> traces) { return Inputs.read(traces).first(); }

    /**
     * What an estimate is made from — every host's span and the bus's pairs in a {@link ClockSync} — kept so that the
     * services' pairs, found later by a model pass, are added for a second estimate without reading the traces again.
     */
    public static final class Inputs {
        private final ClockSync sync;
        private final long unmatchedLinks, disagreeing, beyondCap;
        private boolean withServices;

        private Inputs(ClockSync sync, BusPairs bus) {
            this.sync = sync;
            if (bus != null) bus.into(sync);
            unmatchedLinks = bus == null ? 0 : bus.unmatchedLinks;
            disagreeing = bus == null ? 0 : bus.disagreeing;
            beyondCap = bus == null ? 0 : bus.beyondCap;
        }

        /** The traces' spans and bus pairs (one pass over them); of one host, nothing to estimate. */
        public static Inputs read(List<Path> traces) {
            try (var trace = Trace.open(traces)) {
                var hosts = new HashMap<Integer, String>();
                for (var t : trace.traces()) hosts.put(t.index(), t.host());
                if (hosts.values().stream().distinct().count() < 2) return new Inputs(null, null);
                var sync = new ClockSync();
                var bus = new BusPairs(trace);
                var first = new long[hosts.size()];
                var last = new long[hosts.size()];
                Arrays.fill(first, Long.MAX_VALUE);
                Arrays.fill(last, Long.MIN_VALUE);
                try {
                    for (var e : trace) {
                        int i = e.trace().index();
                        long ts = e.timestamp();
                        if (ts < first[i]) first[i] = ts;
                        if (ts > last[i]) last[i] = ts;
                        bus.accept(e);
                    }
                } catch (CtfException e) {
                    // The model's pass reports the damage; the pairs before it are used.
                }
                for (var t : trace.traces()) {
                    int i = t.index();
                    if (first[i] <= last[i]) sync.host(t.host(), first[i], last[i]);
                    else sync.host(t.host(), Long.MAX_VALUE, Long.MIN_VALUE);
                }
                return new Inputs(sync, bus);
            }
        }

        /**
         * The pairs gathered elsewhere (the aggregator's, from each host's exported ends): {@code spans} gives each
         * host's first and last event on its own clock, as {@link #read} measures them.
         */
        public static Inputs of(BusPairs bus, Map<String, long[]> spans) {
            if (spans.size() < 2) return new Inputs(null, null);
            var sync = new ClockSync();
            spans.forEach((host, s) -> sync.host(host, s[0], s[1]));
            return new Inputs(sync, bus);
        }

        /** The clocks from the bus's pairs. */
        public Clocks first() {
            return sync == null ? SINGLE : new Clocks(sync.solve(), unmatchedLinks, disagreeing, beyondCap);
        }

        /**
         * The clocks with the services' pairs too (found by a model pass on the first clocks, on each host's own
         * clock): a host that only runs services is synchronised by its calls to Redis and its HTTP exchanges. Once.
         */
        public Clocks withServices(ServicePairs services) {
            if (sync == null) return SINGLE;
            if (withServices) throw new IllegalStateException("the services' pairs were added already");
            withServices = true;
            services.into(sync);
            return new Clocks(sync.solve(), unmatchedLinks, disagreeing, beyondCap + services.thinned());
        }
    }

    /** Whether every host gets the same correction from both. */
    public boolean sameFixes(Clocks o) {
        for (var h : hosts) if (!h.fix().equals(o.fix(h.host()))) return false;
        for (var h : o.hosts) if (!h.fix().equals(fix(h.host()))) return false;
        return true;
    }

    /** Each host's correction by name (none for a host not listed). */
    public ClockFix fix(String host) {
        for (var h : hosts) if (h.host().equals(host)) return h.fix();
        return ClockFix.NONE;
    }

    /** Puts each trace of {@code trace} on the reference host's time line. */
    public void apply(Trace trace) {
        var byHost = new HashMap<String, ClockFix>();
        for (var h : hosts) byHost.put(h.host(), h.fix());
        for (var t : trace.traces()) trace.synchronize(t.index(), byHost.getOrDefault(t.host(), ClockFix.NONE));
    }

    /** The host every other one is put on, or null for a single host. */
    public String reference() {
        for (var h : hosts) if (h.verdict() == Verdict.REFERENCE) return h.host();
        return null;
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path file) throws IOException {
        var list = new ArrayList<Map<String, Object>>();
        for (var h : hosts) {
            var m = new LinkedHashMap<String, Object>();
            m.put("host", h.host());
            m.put("verdict", h.verdict().name());
            m.put("offsetNs", h.offsetNs());
            m.put("drift", h.fix().drift());
            m.put("atNs", h.fix().atNs());
            m.put("boundNs", finite(h.boundNs()));
            m.put("offsetBoundNs", finite(h.offsetBoundNs()));
            m.put("driftBoundPpm", finite(h.driftBoundPpm()));
            m.put("pairs", h.pairs());
            m.put("pairsByKind", h.pairsByKind());
            m.put("path", h.path());
            list.add(m);
        }
        var root = new LinkedHashMap<String, Object>();
        root.put("hosts", list);
        root.put("unmatchedLinks", unmatchedLinks);
        root.put("disagreeing", disagreeing);
        root.put("beyondCap", beyondCap);
        JSON.writeValue(file.toFile(), root);
    }

    /** The stored clocks, or {@link #SINGLE} when there is no file (one host). */
    @SuppressWarnings("unchecked")
    public static Clocks read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return SINGLE;
        var root = JSON.readValue(file.toFile(), Map.class);
        var hosts = new ArrayList<HostClock>();
        for (var o : (List<Map<String, Object>>) root.get("hosts")) {
            var fix = new ClockFix(num(o.get("offsetNs")).longValue(), num(o.get("drift")).doubleValue(),
                    num(o.get("atNs")).longValue());
            hosts.add(new HostClock((String) o.get("host"), Verdict.valueOf((String) o.get("verdict")), fix,
                    fix.offsetNs(), fix.drift() * 1e6, bound(o.get("boundNs")), bound(o.get("offsetBoundNs")),
                    bound(o.get("driftBoundPpm")), num(o.get("pairs")).longValue(), kinds(o.get("pairsByKind")),
                    List.copyOf((List<String>) o.get("path"))));
        }
        return new Clocks(hosts, num(root.get("unmatchedLinks")).longValue(), num(root.get("disagreeing")).longValue(),
                num(root.get("beyondCap")).longValue());
    }

    /** The counts by kind as stored (a clocks.json written before they were kept has none). */
    @SuppressWarnings("unchecked")
    private static Map<String, Long> kinds(Object o) {
        var out = new LinkedHashMap<String, Long>();
        if (o instanceof Map<?, ?> m) ((Map<String, Object>) m).forEach((k, v) -> out.put(k, num(v).longValue()));
        return out;
    }

    private static Object finite(double v) { return Double.isFinite(v) ? v : null; }
    private static Number num(Object o) { return (Number) o; }
    private static double bound(Object o) { return o == null ? Double.POSITIVE_INFINITY : ((Number) o).doubleValue(); }
}
