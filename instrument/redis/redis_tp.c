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
