/* Instantiates the LTTng-UST probes of the "redis" provider (redis_tp.h) inside redis-server. */
#define _GNU_SOURCE /* clock_gettime, CLOCK_MONOTONIC under -std=c99 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "redis_tp.h"
