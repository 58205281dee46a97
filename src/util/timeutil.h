/*
 * timeutil.h — wall-clock helpers: Unix seconds, ISO 8601 UTC text, and a test hook that shifts
 * "now" (SANQU_TIME_OFFSET, seconds) so that idle expiry and lockout ends can be tested without
 * waiting.
 */
#ifndef SANQU_UTIL_TIMEUTIL_H
#define SANQU_UTIL_TIMEUTIL_H

#include <stdint.h>
#include <stddef.h>

/* Current Unix time in seconds, plus the test offset when one is set. */
int64_t time_now(void);
/* Monotonic microseconds, for measuring durations. */
int64_t time_mono_us(void);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void time_iso(int64_t t, char *out, size_t outsz);
/* Today's date (UTC+8, the district's civil date) as "YYYY-MM-DD" into out (at least 11 bytes). */
void time_today(char *out, size_t outsz);
/* Adds an offset in seconds to "now" (tests and the serve --time-offset flag). */
void time_set_offset(int64_t seconds);

#endif
