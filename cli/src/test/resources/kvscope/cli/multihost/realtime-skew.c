/*
 * A host whose wall clock is wrong, for the multi-host tests: preloaded into one "host"'s LTTng session daemon, it
 * adds KVSCOPE_TEST_REALTIME_SKEW_NS to every CLOCK_REALTIME reading of that daemon. The daemon measures its trace
 * clock's offset as CLOCK_REALTIME − CLOCK_MONOTONIC when it creates a session's registry (lttng-tools
 * ust-metadata.c, measure_clock_offset), so the trace says what a host whose clock runs that far ahead would say,
 * while the events' own timestamps (CLOCK_MONOTONIC, read in the traced process) are untouched. A time namespace
 * cannot do this: only CLOCK_MONOTONIC and CLOCK_BOOTTIME are namespaced (docs/live.md).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static long long skew(void) {
    const char *s = getenv("KVSCOPE_TEST_REALTIME_SKEW_NS");
    return s ? atoll(s) : 0;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
    static int (*real)(clockid_t, struct timespec *);
    if (!real) real = (int (*)(clockid_t, struct timespec *)) dlsym(RTLD_NEXT, "clock_gettime");
    int r = real(id, ts);
    if (r == 0 && id == CLOCK_REALTIME) {
        long long ns = (long long) ts->tv_sec * 1000000000LL + ts->tv_nsec + skew();
        ts->tv_sec = ns / 1000000000LL;
        ts->tv_nsec = ns % 1000000000LL;
    }
    return r;
}
