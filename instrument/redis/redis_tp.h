/*
 * LTTng-UST tracepoint provider "redis" for kvscope's instrumented Redis 7.0.
 * The events, their fields and where they fire are documented in EVENTS.md beside this file.
 *
 * Call sites use RTP_ENABLED(event) to guard any work done only for tracing (clock reads, byte counting,
 * getpeername) and RTP(event, args...) to emit; RTP_ENABLED is a single load and branch when no session
 * enables the event. redis_tp.c instantiates the probes (LTTNG_UST_TRACEPOINT_CREATE_PROBES); the server is
 * linked with -llttng-ust -ldl.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER redis

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./redis_tp.h"

#ifndef REDIS_TP_COMMON_H
#define REDIS_TP_COMMON_H
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#ifndef RUSAGE_THREAD
#define RUSAGE_THREAD 1 /* Linux's, where _GNU_SOURCE was not defined before <sys/resource.h> */
#endif

/* Arguments of server_info (more than a tracepoint's 10 arguments). */
struct redis_tp_server_info {
    int32_t port, tls_port, cluster_port, io_threads;
    uint8_t cluster_enabled, io_threads_do_reads, io_threads_active, startup;
    uint64_t connected_clients, replicas, used_memory;
    const char *role;
    const char *node_id; /* CLUSTER_NAMELEN (40) chars, not NUL-terminated; all NUL when not a cluster node */
};

/* Arguments of snapshot_client (more than a tracepoint's 10 arguments); strings never NULL. */
struct redis_tp_snapshot_client {
    uint64_t seq, id, qbuf_len, pending_reply, repl_offset, age_s, idle_s;
    int32_t fd, peer_port, local_port, db, subscriptions;
    uint8_t inbound, tls;
    const char *type, *peer_addr, *name, *flags;
};

/* Arguments of snapshot_cluster_link. */
struct redis_tp_snapshot_link {
    uint64_t seq, id, sndbuf_len, rcvbuf_len;
    int32_t fd, peer_port;
    uint8_t inbound, tls;
    const char *peer;       /* CLUSTER_NAMELEN (40) chars, not NUL-terminated */
    const char *peer_addr;
};

/*
 * What the main thread used of the machine during one event-loop iteration (poll_end's iteration_* fields): its CPU
 * time and its voluntary and involuntary context switches, from getrusage(RUSAGE_THREAD) — one system call giving
 * all three (CLOCK_THREAD_CPUTIME_ID gives only the time). A long iteration with little CPU time did not compute:
 * involuntary switches say the kernel gave the CPU to others (it waited on a run queue), voluntary ones that it
 * slept in a system call (disk, a lock, DEBUG SLEEP). -1: not known (the iteration began before tracing did).
 */
struct redis_tp_usage {
    int64_t cpu_ns, voluntary, involuntary;
};

static inline int redis_tp_usage_now(struct redis_tp_usage *u) {
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0) return 0;
    u->cpu_ns = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    u->voluntary = ru.ru_nvcsw;
    u->involuntary = ru.ru_nivcsw;
    return 1;
}

/* out = now − since when since is valid (and now could be read), else all −1. */
static inline void redis_tp_usage_since(struct redis_tp_usage *out, const struct redis_tp_usage *since, int valid) {
    struct redis_tp_usage now;
    if (valid && redis_tp_usage_now(&now)) {
        out->cpu_ns = now.cpu_ns - since->cpu_ns;
        out->voluntary = now.voluntary - since->voluntary;
        out->involuntary = now.involuntary - since->involuntary;
    } else {
        out->cpu_ns = out->voluntary = out->involuntary = -1;
    }
}

/* start_ns fields: CLOCK_MONOTONIC, the clock LTTng-UST stamps events with (see EVENTS.md, "Clock"). */
static inline uint64_t redis_tp_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The `commands` event: the commands a thread ran since its last event, in one event. Why: one LTTng-UST event
 * costs about as much as a tenth of a small request, so the light profile records up to 32 commands at once.
 * Every other event of the thread flushes the batch first (RTP below), so the events of a thread stay in the order
 * things happened; on the main thread a 1 ms timer of the event loop flushes what is left (server.c). Except
 * `publish(es)` and the cluster-bus events (RTP_BUS): they change no client's life cycle, so the commands held may
 * follow them, each with its own times; flushing before every publish made a PUBLISH load cost two events per
 * request instead of one.
 */
/* The layout of these events, written in server_info.layout so a reader knows which it holds: bumped whenever an
 * event or a field is added or changed (kvscope's analysis/model/Layouts.java lists every one). */
#define REDIS_TP_LAYOUT 8

#define REDIS_TP_BATCH 32          /* commands per event at most */
#define REDIS_TP_BATCH_NAMES 640   /* bytes of their names, separated by one space */
#define REDIS_TP_NAME_MAX 64       /* a longer command name is cut */
struct redis_tp_commands {
    uint32_t n, names_len;
    int32_t fd[REDIS_TP_BATCH];
    uint8_t depth[REDIS_TP_BATCH];
    uint64_t id[REDIS_TP_BATCH], start_ns[REDIS_TP_BATCH], duration_ns[REDIS_TP_BATCH];
    int64_t dirty[REDIS_TP_BATCH];
    char names[REDIS_TP_BATCH_NAMES];
};
extern __thread struct redis_tp_commands redis_tp_batch;
/* Emits the thread's batched commands (if any) as one `commands` event and empties the batch. */
void redis_tp_commands_flush(void);

static inline void redis_tp_commands_add(int fd, uint64_t id, const char *name, size_t len, uint64_t start_ns,
                                         uint64_t duration_ns, int64_t dirty, int depth) {
    struct redis_tp_commands *b = &redis_tp_batch;
    if (len > REDIS_TP_NAME_MAX) len = REDIS_TP_NAME_MAX;
    if (b->names_len + len + 1 > REDIS_TP_BATCH_NAMES) redis_tp_commands_flush();
    uint32_t i = b->n;
    b->fd[i] = fd;
    b->id[i] = id;
    b->start_ns[i] = start_ns;
    b->duration_ns[i] = duration_ns;
    b->dirty[i] = dirty;
    b->depth[i] = depth > 255 ? 255 : (uint8_t)depth;
    if (i) b->names[b->names_len++] = ' ';
    for (size_t k = 0; k < len; k++) b->names[b->names_len + k] = name[k] == ' ' ? '_' : name[k]; /* one word */
    b->names_len += len;
    b->n = i + 1;
    if (b->n == REDIS_TP_BATCH) redis_tp_commands_flush();
}

/*
 * The `publishes` event: the light profile's `publish`, batched like the commands, for the same reason (one event per
 * PUBLISH was a tenth of the request). Written before any other event of the thread, cluster-bus events included (a
 * PUBLISH's bus messages follow its publish, so in a cluster each batch holds one), from the same 1 ms timer, and
 * at exit. Channels are cut at 64 bytes.
 */
#define REDIS_TP_CHANNEL_MAX 64
struct redis_tp_publishes {
    uint32_t n, channels_len;
    int32_t fd[REDIS_TP_BATCH], receivers[REDIS_TP_BATCH];
    uint32_t channel_len[REDIS_TP_BATCH];
    uint8_t sharded[REDIS_TP_BATCH];
    uint64_t id[REDIS_TP_BATCH], time_ns[REDIS_TP_BATCH], payload_len[REDIS_TP_BATCH];
    char channels[REDIS_TP_BATCH * REDIS_TP_CHANNEL_MAX];
};
extern __thread struct redis_tp_publishes redis_tp_pubs;
/* Emits the thread's batched publishes (if any) as one `publishes` event and empties the batch. */
void redis_tp_publishes_flush(void);
/* Both batches of the thread: at exit and from the timer. */
void redis_tp_flush_all(void);
/* Arms server.c's one-shot 1 ms timer that flushes the main thread's batches (if not armed already). */
void redisTraceArmBatchTimer(void);

static inline void redis_tp_publishes_add(int fd, uint64_t id, const char *channel, size_t len, uint64_t payload_len,
                                          int receivers, int sharded) {
    struct redis_tp_publishes *b = &redis_tp_pubs;
    if (len > REDIS_TP_CHANNEL_MAX) len = REDIS_TP_CHANNEL_MAX;
    uint32_t i = b->n;
    b->fd[i] = fd;
    b->id[i] = id;
    b->time_ns[i] = redis_tp_now_ns();
    b->payload_len[i] = payload_len;
    b->receivers[i] = receivers;
    b->sharded[i] = sharded ? 1 : 0;
    b->channel_len[i] = (uint32_t)len;
    memcpy(b->channels + b->channels_len, channel, len);
    b->channels_len += (uint32_t)len;
    b->n = i + 1;
    if (b->n == REDIS_TP_BATCH) redis_tp_publishes_flush();
}

#define RTP_ENABLED(event) lttng_ust_tracepoint_enabled(redis, event)
#define RTP(event, ...) do { \
        if (redis_tp_pubs.n) redis_tp_publishes_flush(); \
        if (redis_tp_batch.n) redis_tp_commands_flush(); \
        lttng_ust_do_tracepoint(redis, event, __VA_ARGS__); \
    } while (0)
/* publish and cluster-bus events: the thread's held publishes go first, its held commands may follow (see above). */
#define RTP_BUS(event, ...) do { \
        if (redis_tp_pubs.n) redis_tp_publishes_flush(); \
        lttng_ust_do_tracepoint(redis, event, __VA_ARGS__); \
    } while (0)
#define RTP0(event) do { \
        if (redis_tp_pubs.n) redis_tp_publishes_flush(); \
        if (redis_tp_batch.n) redis_tp_commands_flush(); \
        lttng_ust_do_tracepoint(redis, event); \
    } while (0)
#endif /* REDIS_TP_COMMON_H */

#if !defined(REDIS_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define REDIS_TP_H

#include <lttng/tracepoint.h>

/* ---- connection life cycle ---- */

LTTNG_UST_TRACEPOINT_EVENT(redis, accept_client,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, type, int, inbound, int, tls,
                      const char *, peer_addr, int, peer_port, int, local_port),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(type, type)
        lttng_ust_field_integer(uint8_t, inbound, inbound)
        lttng_ust_field_integer(uint8_t, tls, tls)
        lttng_ust_field_string(peer_addr, peer_addr)
        lttng_ust_field_integer(int32_t, peer_port, peer_port)
        lttng_ust_field_integer(int32_t, local_port, local_port)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, client_set_type,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, type),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(type, type)
    )
)

LTTNG_UST_TRACEPOINT_EVENT_CLASS(redis, client_class,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
    )
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, client_class, redis, free_client_async,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id))

LTTNG_UST_TRACEPOINT_EVENT(redis, free_client,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, type, int, async,
                      uint64_t, qbuf_len, uint64_t, pending_reply),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(type, type)
        lttng_ust_field_integer(uint8_t, async, async)
        lttng_ust_field_integer(uint64_t, qbuf_len, qbuf_len)
        lttng_ust_field_integer(uint64_t, pending_reply, pending_reply)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, free_cluster_link,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, peer),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_array_text(char, peer, peer, 40)
    )
)

/* ---- requests ---- */

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, client_class, redis, insert_pending_read,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id))

LTTNG_UST_TRACEPOINT_EVENT(redis, end_read_client_query,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, uint64_t, start_ns, uint64_t, readlen,
                      int64_t, nread, uint64_t, qbuf_len),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint64_t, start_ns, start_ns)
        lttng_ust_field_integer(uint64_t, readlen, readlen)
        lttng_ust_field_integer(int64_t, nread, nread)
        lttng_ust_field_integer(uint64_t, qbuf_len, qbuf_len)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, call_command_start,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, name, int, argc, int, depth, int, slot),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(name, name)
        lttng_ust_field_integer(int32_t, argc, argc)
        lttng_ust_field_integer(int32_t, depth, depth)
        lttng_ust_field_integer(int32_t, slot, slot)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, call_command_end,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, name, uint64_t, start_ns,
                      uint64_t, duration_ns, int64_t, dirty, int, depth),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(name, name)
        lttng_ust_field_integer(uint64_t, start_ns, start_ns)
        lttng_ust_field_integer(uint64_t, duration_ns, duration_ns)
        lttng_ust_field_integer(int64_t, dirty, dirty)
        lttng_ust_field_integer(int32_t, depth, depth)
    )
)

/* The light profile's form of call_command_end: up to REDIS_TP_BATCH commands of one thread (see above). Element i
 * of every sequence, and the i-th space-separated word of names, describe one command. */
LTTNG_UST_TRACEPOINT_EVENT(redis, commands,
    LTTNG_UST_TP_ARGS(const struct redis_tp_commands *, b),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_sequence(int32_t, fd, b->fd, uint32_t, b->n)
        lttng_ust_field_sequence(uint64_t, id, b->id, uint32_t, b->n)
        lttng_ust_field_sequence_text(char, names, b->names, uint32_t, b->names_len)
        lttng_ust_field_sequence(uint64_t, start_ns, b->start_ns, uint32_t, b->n)
        lttng_ust_field_sequence(uint64_t, duration_ns, b->duration_ns, uint32_t, b->n)
        lttng_ust_field_sequence(int64_t, dirty, b->dirty, uint32_t, b->n)
        lttng_ust_field_sequence(uint8_t, depth, b->depth, uint32_t, b->n)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, end_process_command,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, int, blocked),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint8_t, blocked, blocked)
    )
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, client_class, redis, insert_clientwrite_queue,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id))

LTTNG_UST_TRACEPOINT_EVENT(redis, write_to_client_end,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, uint64_t, start_ns, uint64_t, pending,
                      int64_t, nwritten, int, done),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint64_t, start_ns, start_ns)
        lttng_ust_field_integer(uint64_t, pending, pending)
        lttng_ust_field_integer(int64_t, nwritten, nwritten)
        lttng_ust_field_integer(uint8_t, done, done)
    )
)

/* ---- TLS ---- */

LTTNG_UST_TRACEPOINT_EVENT(redis, ssl_read,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, uint64_t, start_ns, uint64_t, requested,
                      int64_t, ret, int, ssl_pending),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint64_t, start_ns, start_ns)
        lttng_ust_field_integer(uint64_t, requested, requested)
        lttng_ust_field_integer(int64_t, ret, ret)
        lttng_ust_field_integer(int32_t, ssl_pending, ssl_pending)
    )
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, client_class, redis, tls_pending_add,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id))

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, client_class, redis, tls_pending_process,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id))

/* ---- I/O threads ---- */

LTTNG_UST_TRACEPOINT_EVENT_CLASS(redis, threads_start_class,
    LTTNG_UST_TP_ARGS(unsigned int, nclients, int, io_threads),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint32_t, nclients, nclients)
        lttng_ust_field_integer(int32_t, io_threads, io_threads)
    )
)

LTTNG_UST_TRACEPOINT_EVENT_CLASS(redis, threads_end_class,
    LTTNG_UST_TP_ARGS(unsigned int, nclients),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint32_t, nclients, nclients)
    )
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, threads_start_class, redis, handle_pending_reads_threads_start,
    LTTNG_UST_TP_ARGS(unsigned int, nclients, int, io_threads))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, threads_end_class, redis, handle_pending_reads_threads_end,
    LTTNG_UST_TP_ARGS(unsigned int, nclients))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, threads_start_class, redis, handle_pending_writes_threads_start,
    LTTNG_UST_TP_ARGS(unsigned int, nclients, int, io_threads))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, threads_end_class, redis, handle_pending_writes_threads_end,
    LTTNG_UST_TP_ARGS(unsigned int, nclients))

/* ---- event loop ---- */

LTTNG_UST_TRACEPOINT_EVENT(redis, before_sleep_start,
    LTTNG_UST_TP_ARGS(unsigned int, pending_writes, unsigned int, pending_reads, int, tls_pending),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint32_t, pending_writes, pending_writes)
        lttng_ust_field_integer(uint32_t, pending_reads, pending_reads)
        lttng_ust_field_integer(int32_t, tls_pending, tls_pending)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, before_sleep_end,
    LTTNG_UST_TP_ARGS(),
    LTTNG_UST_TP_FIELDS()
)

LTTNG_UST_TRACEPOINT_EVENT(redis, poll_end,
    LTTNG_UST_TP_ARGS(uint64_t, start_ns, int64_t, timeout_us, int, nevents, const struct redis_tp_usage *, it),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint64_t, start_ns, start_ns)
        lttng_ust_field_integer(int64_t, timeout_us, timeout_us)
        lttng_ust_field_integer(int32_t, nevents, nevents)
        lttng_ust_field_integer(int64_t, iteration_cpu_ns, it->cpu_ns)
        lttng_ust_field_integer(int64_t, iteration_voluntary, it->voluntary)
        lttng_ust_field_integer(int64_t, iteration_involuntary, it->involuntary)
    )
)

LTTNG_UST_TRACEPOINT_EVENT_CLASS(redis, file_event_class,
    LTTNG_UST_TP_ARGS(int, fd, int, mask, int, new_mask),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(int32_t, mask, mask)
        lttng_ust_field_integer(int32_t, new_mask, new_mask)
    )
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, file_event_class, redis, add_file_event,
    LTTNG_UST_TP_ARGS(int, fd, int, mask, int, new_mask))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(redis, file_event_class, redis, delete_file_event,
    LTTNG_UST_TP_ARGS(int, fd, int, mask, int, new_mask))

/* ---- pub/sub and cluster bus ---- */

LTTNG_UST_TRACEPOINT_EVENT(redis, publish,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, channel, uint64_t, channel_len,
                      uint64_t, payload_len, int, receivers, int, sharded),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_sequence_text(char, channel, channel, uint64_t, channel_len)
        lttng_ust_field_integer(uint64_t, payload_len, payload_len)
        lttng_ust_field_integer(int32_t, receivers, receivers)
        lttng_ust_field_integer(uint8_t, sharded, sharded)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, publishes,
    LTTNG_UST_TP_ARGS(const struct redis_tp_publishes *, b),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_sequence(int32_t, fd, b->fd, uint32_t, b->n)
        lttng_ust_field_sequence(uint64_t, id, b->id, uint32_t, b->n)
        lttng_ust_field_sequence(uint64_t, time_ns, b->time_ns, uint32_t, b->n)
        lttng_ust_field_sequence(uint32_t, channel_len, b->channel_len, uint32_t, b->n)
        lttng_ust_field_sequence_text(char, channels, b->channels, uint32_t, b->channels_len)
        lttng_ust_field_sequence(uint64_t, payload_len, b->payload_len, uint32_t, b->n)
        lttng_ust_field_sequence(int32_t, receivers, b->receivers, uint32_t, b->n)
        lttng_ust_field_sequence(uint8_t, sharded, b->sharded, uint32_t, b->n)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, broadcast_start,
    LTTNG_UST_TP_ARGS(unsigned int, type, const char *, type_name, uint64_t, len, unsigned int, nlinks),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint16_t, type, type)
        lttng_ust_field_string(type_name, type_name)
        lttng_ust_field_integer(uint64_t, len, len)
        lttng_ust_field_integer(uint32_t, nlinks, nlinks)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, broadcast_end,
    LTTNG_UST_TP_ARGS(unsigned int, type, unsigned int, nlinks),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint16_t, type, type)
        lttng_ust_field_integer(uint32_t, nlinks, nlinks)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, cluster_redirect,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, kind, int, slot, const char *, node,
                      const char *, target_addr, int, target_port),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(kind, kind)
        lttng_ust_field_integer(int32_t, slot, slot)
        lttng_ust_field_array_text(char, node, node, 40)
        lttng_ust_field_string(target_addr, target_addr)
        lttng_ust_field_integer(int32_t, target_port, target_port)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, cluster_send,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, peer, unsigned int, type,
                      const char *, type_name, uint64_t, totlen, uint64_t, sndbuf_len),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_array_text(char, peer, peer, 40)
        lttng_ust_field_integer(uint16_t, type, type)
        lttng_ust_field_string(type_name, type_name)
        lttng_ust_field_integer(uint64_t, totlen, totlen)
        lttng_ust_field_integer(uint64_t, sndbuf_len, sndbuf_len)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, cluster_write,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, uint64_t, start_ns, uint64_t, requested, int64_t, nwritten),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint64_t, start_ns, start_ns)
        lttng_ust_field_integer(uint64_t, requested, requested)
        lttng_ust_field_integer(int64_t, nwritten, nwritten)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, cluster_read,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, uint64_t, start_ns, uint64_t, requested, int64_t, nread,
                      uint64_t, rcvbuf_len),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint64_t, start_ns, start_ns)
        lttng_ust_field_integer(uint64_t, requested, requested)
        lttng_ust_field_integer(int64_t, nread, nread)
        lttng_ust_field_integer(uint64_t, rcvbuf_len, rcvbuf_len)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, cluster_process_packet,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, uint64_t, start_ns, const char *, sender, unsigned int, type,
                      const char *, type_name, uint32_t, totlen, int, link_freed),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint64_t, start_ns, start_ns)
        lttng_ust_field_array_text(char, sender, sender, 40)
        lttng_ust_field_integer(uint16_t, type, type)
        lttng_ust_field_string(type_name, type_name)
        lttng_ust_field_integer(uint32_t, totlen, totlen)
        lttng_ust_field_integer(uint8_t, link_freed, link_freed)
    )
)

/* ---- server ---- */

LTTNG_UST_TRACEPOINT_EVENT(redis, server_info,
    LTTNG_UST_TP_ARGS(const struct redis_tp_server_info *, si),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, port, si->port)
        lttng_ust_field_integer(int32_t, tls_port, si->tls_port)
        lttng_ust_field_integer(uint8_t, cluster_enabled, si->cluster_enabled)
        lttng_ust_field_integer(int32_t, cluster_port, si->cluster_port)
        lttng_ust_field_integer(int32_t, io_threads, si->io_threads)
        lttng_ust_field_integer(uint8_t, io_threads_do_reads, si->io_threads_do_reads)
        lttng_ust_field_integer(uint8_t, io_threads_active, si->io_threads_active)
        lttng_ust_field_integer(uint64_t, connected_clients, si->connected_clients)
        lttng_ust_field_integer(uint64_t, replicas, si->replicas)
        lttng_ust_field_integer(uint64_t, used_memory, si->used_memory)
        lttng_ust_field_string(role, si->role)
        lttng_ust_field_integer(uint8_t, startup, si->startup)
        lttng_ust_field_array_text(char, node_id, si->node_id, 40)
        lttng_ust_field_integer(uint16_t, layout, REDIS_TP_LAYOUT)
    )
)

/* ---- snapshot: what exists when a session starts (redis_snapshot.c; EVENTS.md "Snapshot") ---- */

LTTNG_UST_TRACEPOINT_EVENT(redis, snapshot_start,
    LTTNG_UST_TP_ARGS(uint64_t, seq, int, periodic, uint64_t, clients, uint32_t, links, uint64_t, repl_offset,
                      const char *, master_addr, int, master_port),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint64_t, seq, seq)
        lttng_ust_field_integer(uint8_t, periodic, periodic)
        lttng_ust_field_integer(uint64_t, clients, clients)
        lttng_ust_field_integer(uint32_t, links, links)
        lttng_ust_field_integer(uint64_t, repl_offset, repl_offset)
        lttng_ust_field_string(master_addr, master_addr)
        lttng_ust_field_integer(int32_t, master_port, master_port)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, snapshot_client,
    LTTNG_UST_TP_ARGS(const struct redis_tp_snapshot_client *, s),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint64_t, seq, s->seq)
        lttng_ust_field_integer(int32_t, fd, s->fd)
        lttng_ust_field_integer(uint64_t, id, s->id)
        lttng_ust_field_string(type, s->type)
        lttng_ust_field_integer(uint8_t, inbound, s->inbound)
        lttng_ust_field_integer(uint8_t, tls, s->tls)
        lttng_ust_field_string(peer_addr, s->peer_addr)
        lttng_ust_field_integer(int32_t, peer_port, s->peer_port)
        lttng_ust_field_integer(int32_t, local_port, s->local_port)
        lttng_ust_field_string(client_name, s->name)
        lttng_ust_field_integer(int32_t, db, s->db)
        lttng_ust_field_string(flags, s->flags)
        lttng_ust_field_integer(uint64_t, age_s, s->age_s)
        lttng_ust_field_integer(uint64_t, idle_s, s->idle_s)
        lttng_ust_field_integer(int32_t, subscriptions, s->subscriptions)
        lttng_ust_field_integer(uint64_t, qbuf_len, s->qbuf_len)
        lttng_ust_field_integer(uint64_t, pending_reply, s->pending_reply)
        lttng_ust_field_integer(uint64_t, repl_offset, s->repl_offset)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, snapshot_cluster_link,
    LTTNG_UST_TP_ARGS(const struct redis_tp_snapshot_link *, s),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint64_t, seq, s->seq)
        lttng_ust_field_integer(int32_t, fd, s->fd)
        lttng_ust_field_integer(uint64_t, id, s->id)
        lttng_ust_field_array_text(char, peer, s->peer, 40)
        lttng_ust_field_integer(uint8_t, inbound, s->inbound)
        lttng_ust_field_integer(uint8_t, tls, s->tls)
        lttng_ust_field_string(peer_addr, s->peer_addr)
        lttng_ust_field_integer(int32_t, peer_port, s->peer_port)
        lttng_ust_field_integer(uint64_t, sndbuf_len, s->sndbuf_len)
        lttng_ust_field_integer(uint64_t, rcvbuf_len, s->rcvbuf_len)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, snapshot_end,
    LTTNG_UST_TP_ARGS(uint64_t, seq, uint64_t, clients, uint32_t, links, uint32_t, steps, uint64_t, busy_ns,
                      uint64_t, cpu_ns),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint64_t, seq, seq)
        lttng_ust_field_integer(uint64_t, clients, clients)
        lttng_ust_field_integer(uint32_t, links, links)
        lttng_ust_field_integer(uint32_t, steps, steps)
        lttng_ust_field_integer(uint64_t, busy_ns, busy_ns)
        lttng_ust_field_integer(uint64_t, cpu_ns, cpu_ns)
    )
)

/* replication (issue #19): the stream a master feeds its replicas, what a replica applies, its ACKs, and each
 * (re)synchronisation. Offsets are replication offsets (INFO's master_repl_offset, slave_repl_offset): the master's
 * offset after feeding a command equals the replica's applied offset after executing it, which pairs them. */

LTTNG_UST_TRACEPOINT_EVENT(redis, repl_feed,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, name, int, argc, int, dbid, int64_t, repl_offset,
                      int64_t, bytes),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(name, name)
        lttng_ust_field_integer(int32_t, argc, argc)
        lttng_ust_field_integer(int32_t, dbid, dbid)
        lttng_ust_field_integer(int64_t, repl_offset, repl_offset)
        lttng_ust_field_integer(int64_t, bytes, bytes)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, repl_apply,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, name, int64_t, repl_offset, int64_t, bytes),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(name, name)
        lttng_ust_field_integer(int64_t, repl_offset, repl_offset)
        lttng_ust_field_integer(int64_t, bytes, bytes)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, repl_ack,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, int64_t, ack_offset, int64_t, repl_offset, int, listening_port),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(int64_t, ack_offset, ack_offset)
        lttng_ust_field_integer(int64_t, repl_offset, repl_offset)
        lttng_ust_field_integer(int32_t, listening_port, listening_port)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, repl_sync,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, int, full, const char *, reason, int64_t, requested_offset,
                      int64_t, repl_offset, int64_t, backlog_bytes, int, listening_port),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint8_t, full, full)
        lttng_ust_field_string(reason, reason)
        lttng_ust_field_integer(int64_t, requested_offset, requested_offset)
        lttng_ust_field_integer(int64_t, repl_offset, repl_offset)
        lttng_ust_field_integer(int64_t, backlog_bytes, backlog_bytes)
        lttng_ust_field_integer(int32_t, listening_port, listening_port)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, repl_replica_online,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, int64_t, initial_offset, int64_t, repl_offset, int, listening_port),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(int64_t, initial_offset, initial_offset)
        lttng_ust_field_integer(int64_t, repl_offset, repl_offset)
        lttng_ust_field_integer(int32_t, listening_port, listening_port)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(redis, repl_master_sync,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, int, full, int64_t, repl_offset, int64_t, rdb_bytes),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_integer(uint8_t, full, full)
        lttng_ust_field_integer(int64_t, repl_offset, repl_offset)
        lttng_ust_field_integer(int64_t, rdb_bytes, rdb_bytes)
    )
)

/* blocking (issue #19) */

/* Why the next unblockClient() happens, set by its callers just before (blocked.c, networking.c, replication.c):
 * a plain store, cheaper than testing whether unblock_client is enabled; read only when it is, then reset. The
 * key is set (and kept) while handleClientsBlockedOnKeys serves the clients blocked on it, with the client whose
 * command made it ready. Declared here, defined in blocked.c. */
#ifndef REDIS_TP_BLOCKING_DECLS   /* once: the probes re-read this part of the header inside expressions */
#define REDIS_TP_BLOCKING_DECLS
extern const char *redis_tp_unblock_reason;
extern const char *redis_tp_unblock_key;    /* an sds */
extern uint64_t redis_tp_unblock_by;
#endif

/* blockClient(): the client stops being served until a key it waits on gets data, replicas acknowledge (WAIT), a
 * module or a pause lets it go, or its timeout passes. btype: list, zset, stream, wait, module, pause, shutdown.
 * timeout_ms: time left until the timeout (0: none); keys: how many it waits on, key: one of them (up to 128 bytes). */
LTTNG_UST_TRACEPOINT_EVENT(redis, block_client,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, btype, int64_t, timeout_ms, uint32_t, keys,
                      const char *, key, uint32_t, key_len),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(btype, btype)
        lttng_ust_field_integer(int64_t, timeout_ms, timeout_ms)
        lttng_ust_field_integer(uint32_t, keys, keys)
        lttng_ust_field_sequence_text(char, key, key, uint32_t, key_len)
    )
)

/* unblockClient(): reason key (served: a key it waited on got data; key and by_id, the client whose command made it
 * ready, 0 if none), timeout, client_unblock (CLIENT UNBLOCK), replicas (WAIT satisfied), disconnect, unpause,
 * role_change (became a replica), other. */
LTTNG_UST_TRACEPOINT_EVENT(redis, unblock_client,
    LTTNG_UST_TP_ARGS(int, fd, uint64_t, id, const char *, btype, const char *, reason, const char *, key,
                      uint32_t, key_len, uint64_t, by_id),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int32_t, fd, fd)
        lttng_ust_field_integer(uint64_t, id, id)
        lttng_ust_field_string(btype, btype)
        lttng_ust_field_string(reason, reason)
        lttng_ust_field_sequence_text(char, key, key, uint32_t, key_len)
        lttng_ust_field_integer(uint64_t, by_id, by_id)
    )
)

#endif /* REDIS_TP_H */

#include <lttng/tracepoint-event.h>
