package kvscope.ctf.live;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import kvscope.ctf.CtfException;
import kvscope.ctf.LiveFeed;

/**
 * One running session followed through a relay daemon's live port: the {@link LiveFeed} that
 * {@link kvscope.ctf.Trace#live} reads. Each packet received is also appended to a copy of the trace on this machine
 * ({@code out}: the relay's layout below it, metadata included), so that when the session ends the trace is here like
 * any recorded one and the model built from it is stored beside it. Memory: one packet buffer per stream and the
 * metadata text; the packets themselves wait on the relay's disk until the reader asks for them.
 */
public final class LiveSession implements LiveFeed, AutoCloseable {
    /** How long to wait before asking again when every stream said "nothing yet" (LTTng's live timer is 1 s by default). */
    static final long IDLE_MS = 100;

    private final ViewerConnection conn;
    private final LiveUrl url;
    private final List<Long> sessionIds;
    private final List<ViewerConnection.RelaySession> relaySessions;
    private final Path out;
    private final Consumer<String> notes;
    private final Map<Long, TraceState> traces = new LinkedHashMap<>();
    private final Map<Long, StreamState> streams = new HashMap<>();
    private final ArrayDeque<StreamRef> announced = new ArrayDeque<>();
    private final boolean[] closed;
    private long lastPoll;
    private final int liveTimerUs;
    /** The sessions followed, as addresses. */
    private final List<String> names;
    /** The address of each relay session, in the order of sessionIds. */
    private final List<String> sessionNames;
    private final boolean fromNow;

    private static final class TraceState {
        final long id;
        final Path dir;
        /** The relay session (index in sessionIds) the trace belongs to. */
        int session;
        long metadataStream = -1;
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        int version;
        boolean metadataClosed;
        /** The text as last handed out, for its version: traces() is asked on every packet, the text grows rarely. */
        TraceText handed;

        TraceState(long id, Path dir) {
            this.id = id;
            this.dir = dir;
        }
    }

    private static final class StreamState {
        final StreamRef ref;
        final FileChannel copy;
        byte[] buf = new byte[1 << 16];
        ViewerConnection.Index pending;
        boolean hungUp;

        StreamState(StreamRef ref, FileChannel copy) {
            this.ref = ref;
            this.copy = copy;
        }
    }

    private LiveSession(ViewerConnection conn, LiveUrl url, List<ViewerConnection.RelaySession> sessions, Path out,
                        Consumer<String> notes, boolean fromNow) {
        this.conn = conn;
        this.url = url;
        this.sessionIds = sessions.stream().map(ViewerConnection.RelaySession::id).toList();
        this.relaySessions = List.copyOf(sessions);
        this.liveTimerUs = sessions.stream().mapToInt(ViewerConnection.RelaySession::liveTimerUs).max().orElse(0);
        this.sessionNames = sessions.stream().map(x -> url.with(x.hostname(), x.name()).toString()).toList();
        this.names = sessionNames.stream().distinct().toList();
        this.out = out;
        this.notes = notes;
        this.fromNow = fromNow;
        this.closed = new boolean[sessionIds.size()];
    }

    /** Follows the one session {@code url} names (or the relay's live sessions), from its beginning. */
    public static LiveSession open(LiveUrl url, Path out, Duration timeout, Consumer<String> notes) {
        return open(List.of(url), false, out, timeout, notes);
    }

    /**
     * Connects to the relay of {@code urls} (one relay), finds the sessions they name — a host or session name may
     * be a pattern with {@code *} (host {@code web-*}); an address without a session names
     * every live session of the relay — and attaches to all of them: from their beginning, or with {@code fromNow}
     * from their current end (the relay's last packet; for a long-running recording). Several sessions, of one host
     * or several, are then read as one trace set ({@link kvscope.ctf.Trace#live}).
     *
     * @param out     where the copy of the traces goes (created; the relay's layout, one folder per host)
     * @param timeout for connecting and for each reply of the relay
     * @param notes   what is worth telling the user (which sessions are followed)
     * @throws CtfException when the relay cannot be reached, a session is not there (the message lists the ones
     *                      that are), or the relay refuses the viewer
     */
    public static LiveSession open(List<LiveUrl> urls, boolean fromNow, Path out, Duration timeout, Consumer<String> notes) {
        if (urls.isEmpty()) throw new IllegalArgumentException("no live session's address");
        var first = urls.get(0);
        for (var u : urls) {
            if (!u.relay().equals(first.relay()) || u.port() != first.port())
                throw new CtfException(Path.of("relay " + u.relay() + ":" + u.port()), -1, "the sessions followed as one"
                        + " must be on one relay (" + first.relay() + ":" + first.port() + " and " + u.relay() + ":"
                        + u.port() + " given): aggregate the hosts on one relay daemon (kvscope aggregate)");
        }
        var conn = ViewerConnection.open(first.relay(), first.port(), timeout);
        try {
            var all = conn.listSessions();
            var picked = new ArrayList<ViewerConnection.RelaySession>();
            for (var u : urls) for (var x : pick(u, all, conn.where())) if (!picked.contains(x)) picked.add(x);
            picked.sort(Comparator.comparing(ViewerConnection.RelaySession::hostname).thenComparing(ViewerConnection.RelaySession::name)
                    .thenComparingLong(ViewerConnection.RelaySession::id));
            var name = first.with(picked.get(0).hostname(), picked.get(0).name());
            conn.createViewerSession();
            var s = new LiveSession(conn, name, picked, out, notes, fromNow);
            if (s.names.size() > 1 || !first.names() || first.patterned())
                notes.accept("following " + String.join(", ", s.names) + (fromNow ? ", from their current end" : ""));
            s.attach();
            return s;
        } catch (RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    /** The sessions of the relay, as {@code net://} addresses (for a user who has not named one). */
    public static List<String> list(LiveUrl url, Duration timeout) {
        try (var conn = ViewerConnection.open(url.relay(), url.port(), timeout)) {
            return conn.listSessions().stream().map(s -> describe(url, s)).toList();
        }
    }

    private static String describe(LiveUrl url, ViewerConnection.RelaySession s) {
        return url.with(s.hostname(), s.name()) + (s.liveTimerUs() == 0 ? "  (not live)"
                : "  (live timer " + s.liveTimerUs() / 1000 + " ms, " + s.streams() + " streams, " + s.clients() + " viewers)");
    }

    static List<ViewerConnection.RelaySession> pick(LiveUrl url, List<ViewerConnection.RelaySession> all, String where) {
        var live = all.stream().filter(s -> s.liveTimerUs() > 0).toList();
        if (!url.names()) {
            if (live.isEmpty()) {
                throw new CtfException(Path.of("relay " + where), -1, "no live session"
                        + (all.isEmpty() ? " (the relay holds none)" : " (" + all.size() + " not live)")
                        + "; create one with: lttng create NAME --live --set-url net://" + url.relay());
            }
            // Every live session of the relay: several hosts' sessions are followed as one system.
            return live;
        }
        // One session of the sessiond is one relay session per domain (kernel, 32- and 64-bit user space): take all.
        var same = all.stream().filter(s -> url.matches(s.hostname(), s.name())).toList();
        if (same.isEmpty()) {
            var sb = new StringBuilder(url.patterned()
                    ? "no session matches host '" + url.hostname() + "' and name '" + url.session() + "' on the relay"
                    : "no session '" + url.session() + "' of host '" + url.hostname() + "' on the relay");
            if (all.isEmpty()) sb.append(" (it holds none)");
            else sb.append("; it has:");
            for (var s : all) sb.append("\n  ").append(describe(url, s));
            throw new CtfException(Path.of("relay " + where), -1, sb.toString());
        }
        if (same.stream().allMatch(s -> s.liveTimerUs() == 0)) {
            throw new CtfException(Path.of("relay " + where), -1, "session " + url + " is not a live session: create it"
                    + " with lttng create " + url.session() + " --live --set-url net://" + url.relay());
        }
        return same.stream().filter(s -> s.liveTimerUs() > 0).toList();
    }

    private void attach() {
        for (long id : sessionIds) {
            var a = conn.attach(id, fromNow);
            switch (a.status()) {
                case ViewerConnection.ATTACH_OK -> { }
                case ViewerConnection.ATTACH_ALREADY -> throw fail("another viewer is attached to " + url
                        + " (the relay allows one per session): stop it, or wait until it detaches");
                case ViewerConnection.ATTACH_UNKNOWN -> throw fail("the relay no longer knows session " + url);
                case ViewerConnection.ATTACH_NOT_LIVE -> throw fail(url + " is not a live session");
                default -> throw fail("the relay refused to attach to " + url + " (status " + a.status() + ")");
            }
            addStreams(a.streams(), sessionIds.indexOf(id));
        }
        lastPoll = System.nanoTime();
    }

    /** The session followed (the first, when several are). */
    public LiveUrl url() { return url; }

    /** Every session followed, as addresses. */
    public List<String> names() { return names; }

    /** Whether the sessions are followed from their current end (their earlier packets not read). */
    public boolean fromNow() { return fromNow; }

    /** The sessions' longest live timer (µs): how often the tracer flushes, so about how far behind live reading is. */
    public int liveTimerUs() { return liveTimerUs; }

    /** Where the copy of the trace is. */
    public Path out() { return out; }

    @Override public List<TraceText> traces() {
        var list = new ArrayList<TraceText>();
        for (var t : traces.values()) {
            if (t.text.size() == 0) continue;
            if (t.handed == null || t.handed.version() != t.version) t.handed = new TraceText(t.id, t.dir, t.text.toByteArray(), t.version);
            list.add(t.handed);
        }
        return list;
    }

    /**
     * Waits until every session followed has a trace with its metadata (a session whose traced processes have not
     * started yet has none): the trace set read is the one there then; traces that appear later are counted, not
     * read ({@link kvscope.ctf.LiveStats#unreadStreams}). A session that ends with nothing recorded is not waited for.
     */
    @Override public void awaitTraces() {
        boolean told = false;
        while (true) {
            for (var t : traces.values()) if (t.metadataStream >= 0) fetchMetadata(t);
            // Per session name: a sessiond's session is one relay session per consumer (64- and 32-bit), of which
            // one may never have a stream.
            var has = new HashSet<String>();
            boolean ready = !traces.isEmpty();
            for (var t : traces.values()) {
                ready &= t.text.size() > 0;
                has.add(sessionNames.get(t.session));
            }
            var waiting = new ArrayList<String>();
            for (int i = 0; i < sessionIds.size(); i++) {
                var n = sessionNames.get(i);
                if (!closed[i] && !has.contains(n) && !waiting.contains(n)) waiting.add(n);
            }
            if (ready && waiting.isEmpty()) return;
            if (ended()) {
                if (traces.isEmpty()) throw fail("the session ended before it recorded anything");
                if (ready) return;
            }
            if (!told) {
                notes.accept("waiting for " + (waiting.isEmpty() ? url.toString() : String.join(", ", waiting))
                        + " to record something (no traced process yet)");
                told = true;
            }
            sleep();
            pollNewStreams();
        }
    }

    @Override public List<StreamRef> newStreams() {
        if (announced.isEmpty()) return List.of();
        var list = new ArrayList<>(announced);
        announced.clear();
        return list;
    }

    @Override public Next next(long streamId) {
        var st = streams.get(streamId);
        if (st == null || st.hungUp) return new Hangup();
        if (st.pending == null) {
            var ix = conn.nextIndex(streamId);
            flags(ix.flags(), st);
            switch (ix.status()) {
                case ViewerConnection.Index.OK -> st.pending = ix;
                case ViewerConnection.Index.RETRY -> {
                    return new Retry();
                }
                case ViewerConnection.Index.INACTIVE -> {
                    return new Quiet(ix.endCycles());
                }
                case ViewerConnection.Index.HUP, ViewerConnection.Index.EOF -> {
                    return hangUp(st);
                }
                default -> throw fail("GET_NEXT_INDEX: the relay reports an error for stream " + st.ref.file());
            }
        }
        var ix = st.pending;
        long bytes = ix.packetBits() / 8;
        if (ix.packetBits() % 8 != 0 || bytes <= 0 || bytes > ViewerConnection.MAX_BYTES)
            throw fail("GET_NEXT_INDEX: garbled reply (a packet of " + ix.packetBits() + " bits in stream " + st.ref.file() + ")");
        if (st.buf.length < bytes) st.buf = new byte[(int) bytes];
        var r = conn.packet(streamId, ix.offset(), (int) bytes, st.buf);
        flags(r.flags(), st);
        switch (r.status()) {
            case ViewerConnection.PacketReply.OK -> {
                st.pending = null;
                copy(st, r.length());
                return new Packet(ix.offset(), st.buf, r.length());
            }
            case ViewerConnection.PacketReply.RETRY -> {
                return new Retry();
            }
            case ViewerConnection.PacketReply.EOF -> {
                return hangUp(st);
            }
            default -> {
                // The packet needs metadata the relay had not sent yet: fetched above (flags), ask again.
                if ((r.flags() & ViewerConnection.FLAG_NEW_METADATA) != 0) return new Retry();
                throw fail("GET_PACKET: the relay reports an error for stream " + st.ref.file() + " at byte " + ix.offset());
            }
        }
    }

    @Override public void idle() {
        sleep();
        if (System.nanoTime() - lastPoll > 1_000_000_000L) pollNewStreams();
    }

    @Override public boolean ended() {
        if (!allClosed()) pollNewStreams();
        return allClosed() && announced.isEmpty();
    }

    /** Leaves the session (another viewer may attach) and closes the connection and the copy's files. */
    @Override public void close() {
        try {
            if (!allClosed()) for (long id : sessionIds) conn.detach(id);
        } catch (CtfException ignored) {
            // the connection is closed below anyway, which detaches too
        } finally {
            conn.close();
            for (var st : streams.values()) closeQuietly(st.copy);
        }
    }

    private boolean allClosed() {
        for (boolean c : closed) if (!c) return false;
        return true;
    }

    private Next hangUp(StreamState st) {
        st.hungUp = true;
        closeQuietly(st.copy);
        return new Hangup();
    }

    private void flags(int flags, StreamState st) {
        if ((flags & ViewerConnection.FLAG_NEW_STREAM) != 0) pollNewStreams();
        if ((flags & ViewerConnection.FLAG_NEW_METADATA) != 0) {
            var t = traces.get(st.ref.traceId());
            if (t != null) fetchMetadata(t);
        }
    }

    private void pollNewStreams() {
        lastPoll = System.nanoTime();
        for (int i = 0; i < sessionIds.size(); i++) {
            if (closed[i]) continue;
            var r = conn.newStreams(sessionIds.get(i));
            switch (r.status()) {
                case ViewerConnection.NewStreams.OK, ViewerConnection.NewStreams.NO_NEW -> addStreams(r.streams(), i);
                case ViewerConnection.NewStreams.HUP -> closed[i] = true;
                default -> throw fail("GET_NEW_STREAMS: the relay reports an error for " + url);
            }
        }
    }

    private void addStreams(List<ViewerConnection.RelayStream> list, int session) {
        for (var s : list) {
            if (streams.containsKey(s.id())) continue;
            // The relay's stream paths are relative to its session's folder (ust/uid/0/64-bit): several sessions' copies
            // go below HOST/SESSION each, as the relay lays them out, or they would write into one another's files.
            var base = names.size() > 1 ? out.resolve(safe(relaySessions.get(session).hostname())).resolve(safe(relaySessions.get(session).name())) : out;
            var dir = base.resolve(safe(s.path()));
            var t = traces.computeIfAbsent(s.traceId(), id -> new TraceState(id, dir));
            t.session = session;
            if (s.metadata()) {
                t.metadataStream = s.id();
                fetchMetadata(t);
                streams.put(s.id(), new StreamState(new StreamRef(s.id(), s.traceId(), dir.resolve("metadata")), null));
                continue;
            }
            var file = dir.resolve(safe(s.channel()));
            FileChannel ch;
            try {
                Files.createDirectories(dir);
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new CtfException(file, -1, "cannot write the copy of the live trace: " + e.getMessage(), e);
            }
            var ref = new StreamRef(s.id(), s.traceId(), file);
            streams.put(s.id(), new StreamState(ref, ch));
            announced.add(ref);
        }
    }

    private void fetchMetadata(TraceState t) {
        if (t.metadataStream < 0 || t.metadataClosed) return;
        boolean grew = false;
        while (true) {
            var r = conn.metadata(t.metadataStream);
            if (r.status() == ViewerConnection.MetadataReply.OK) {
                if (r.data().length == 0) break;
                if (t.text.size() + (long) r.data().length > ViewerConnection.MAX_BYTES)
                    throw fail("the metadata of " + t.dir + " grew past " + ViewerConnection.MAX_BYTES + " bytes");
                t.text.writeBytes(r.data());
                grew = true;
            } else if (r.status() == ViewerConnection.MetadataReply.NO_NEW) {
                break;
            } else if (r.status() == ViewerConnection.MetadataReply.HUP) {
                t.metadataClosed = true;
                break;
            } else {
                throw fail("GET_METADATA: the relay reports an error for " + t.dir);
            }
        }
        if (grew) {
            t.version++;
            try {
                Files.createDirectories(t.dir);
                Files.write(t.dir.resolve("metadata"), t.text.toByteArray());
            } catch (IOException e) {
                throw new CtfException(t.dir.resolve("metadata"), -1, "cannot write the copy of the live trace: " + e.getMessage(), e);
            }
        }
    }

    private void copy(StreamState st, int length) {
        try {
            var bb = ByteBuffer.wrap(st.buf, 0, length);
            while (bb.hasRemaining()) st.copy.write(bb);
        } catch (IOException e) {
            throw new CtfException(st.ref.file(), -1, "cannot write the copy of the live trace: " + e.getMessage(), e);
        }
    }

    /** A relative path the relay sent, kept below {@link #out}: no root, no "..". */
    private Path safe(String rel) {
        var p = Path.of(rel.isEmpty() ? "trace" : rel).normalize();
        if (p.isAbsolute() || p.startsWith("..")) throw fail("the relay sent the stream path '" + rel + "', which leaves the output folder");
        return p;
    }

    private CtfException fail(String message) {
        return new CtfException(Path.of("relay " + conn.where()), -1, message);
    }

    private static void sleep() {
        try {
            Thread.sleep(IDLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtfException(Path.of("live session"), -1, "interrupted while waiting for the relay", e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // the copy's data is written; a failing close loses nothing it had
        }
    }
}
