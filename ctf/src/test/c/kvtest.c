/*
 * A small traced program for kvscope's CTF differential test: several threads emit every event of the kvtest
 * provider (all LTTng-UST field types) in bursts, so that a channel with tiny sub-buffers discards some.
 * Usage: kvtest THREADS LOOPS
 */
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET */
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#include "kvtest_tp.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int loops;

/* Thread k runs on the k-th CPU it may use (modulo their number). Why: per-UID buffers are per CPU, so with tiny
 * sub-buffers every CPU's buffer keeps the events of at least one thread, whatever the scheduler does. */
static void pin(long k) {
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    int n = CPU_COUNT(&allowed), want = (int) (k % (n > 0 ? n : 1));
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed) || want-- > 0) continue;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        pthread_setaffinity_np(pthread_self(), sizeof one, &one);
        return;
    }
}

static void *work(void *arg) {
    long id = (long) arg;
    pin(id);
    /* No empty text here: babeltrace2 2.0.4 shows a stale value for an empty string in a reused event (see EventsDifferentialTest). */
    static const char *texts[] = {"hello", "héllo wörld ✓", "x", "tab\there \"quoted\" \\ back", "日本語テキスト"};
    for (int i = 0; i < loops; i++) {
        int64_t v = (int64_t) i * 1000003 - 500000 + id;
        if (i % 7 == 0) v = INT64_MIN + i;
        if (i % 11 == 0) v = -1;
        lttng_ust_tracepoint(kvtest, ints, v);
        lttng_ust_tracepoint(kvtest, floats, (double) v / 3.0 + 0.25);
        const char *s = texts[(i + id) % 5];
        const char *t = texts[(i + id + 1) % 5];
        lttng_ust_tracepoint(kvtest, texts, s, t, (unsigned int) strlen(t));
        int32_t a[6] = {i, -i, (int32_t) v, 0x7fffffff, -2147483647 - 1, 42};
        uint8_t b[6] = {0, 1, 127, 128, 255, (uint8_t) i};
        lttng_ust_tracepoint(kvtest, arrays, a, (unsigned int) (i % 7), b);
        int e = (int[]){0, 1, 15, -5, 21, 99}[i % 6];
        lttng_ust_tracepoint(kvtest, enums, e);
        lttng_ust_tracepoint(kvtest, empty);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    loops = argc > 2 ? atoi(argv[2]) : 1000;
    pthread_t tid[64];
    if (threads > 64) threads = 64;
    for (long k = 0; k < threads; k++) pthread_create(&tid[k], NULL, work, (void *) k);
    for (int k = 0; k < threads; k++) pthread_join(tid[k], NULL);
    return 0;
}
