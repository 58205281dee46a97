/*
 * dclock.c — see dclock.h.
 */
#include "core/dclock.h"

#include <stdio.h>

#include "core/clock.h"

static const struct Calendar *g_cal;

void dclock_set(const struct Calendar *cal) { g_cal = cal; }

bool dclock_limit(const char *since, int days, char warn[11], char due[11], int *unknown_year) {
    *unknown_year = 0;
    ClockDay start, d_due, d_warn;
    if (days < 1 || !clock_parse_day(since, &start)) return false;
    /* Yellow after ceil(80%) of the limit, or with one working day left — whichever comes first. */
    int at80 = (days * 8 + 9) / 10;
    int warn_after = at80 < days - 1 ? at80 : days - 1;
    int u1 = 0, u2 = 0;
    if (!clock_add_workdays(g_cal, start, days, &d_due, &u1)) return false;
    if (!clock_add_workdays(g_cal, start, warn_after > 0 ? warn_after : 0, &d_warn, &u2)) return false;
    clock_format_day(d_due, due);
    clock_format_day(d_warn, warn);
    *unknown_year = u1 ? u1 : u2;
    return true;
}
