/* Instantiates the LTTng-UST probes of the "redis" provider (redis_tp.h) inside redis-server. */
#define _GNU_SOURCE /* clock_gettime, CLOCK_MONOTONIC under -std=c99 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "redis_tp.h"

__thread struct redis_tp_commands redis_tp_batch;

void redis_tp_commands_flush(void) {
    struct redis_tp_commands *b = &redis_tp_batch;
    if (!b->n) return;
    /* A session may have stopped since the commands were batched: the tracepoint checks, the batch empties anyway. */
    lttng_ust_tracepoint(redis, commands, b);
    b->n = 0;
    b->names_len = 0;
}

__thread struct redis_tp_publishes redis_tp_pubs;

void redis_tp_publishes_flush(void) {
    struct redis_tp_publishes *b = &redis_tp_pubs;
    if (!b->n) return;
    lttng_ust_tracepoint(redis, publishes, b);
    b->n = 0;
    b->channels_len = 0;
}

void redis_tp_flush_all(void) {
    redis_tp_publishes_flush();
    redis_tp_commands_flush();
}
