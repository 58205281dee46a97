/*
 * timeutil.c — see timeutil.h.
 */
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t time_offset;

void time_set_offset(int64_t seconds) { time_offset = seconds; }

int64_t time_now(void) { return (int64_t)time(NULL) + time_offset; }

int64_t time_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void time_iso(int64_t t, char *out, size_t outsz) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_today(char *out, size_t outsz) {
    time_t tt = (time_t)(time_now() + 8 * 3600);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, outsz, "%Y-%m-%d", &tm);
}
