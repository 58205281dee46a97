/*
 * log.c — stderr logging; see log.h.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_level = LOG_INFO;
static int log_access = 1;

void log_set_level(int level) { log_level = level; }
void log_set_access(int enabled) { log_access = enabled; }
int log_access_enabled(void) { return log_access; }

void log_msg(int level, const char *file, int line, const char *fmt, ...) {
    static const char *names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    if (level > log_level) return;
    char msg[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(msg, sizeof msg, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, names[level & 3]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof msg) n += vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof msg - 64) n = (int)sizeof msg - 64;
    if (level <= LOG_WARN) n += snprintf(msg + n, sizeof msg - (size_t)n, " (%s:%d)", file, line);
    msg[n++] = '\n';
    ssize_t w = write(2, msg, (size_t)n);
    (void)w;
}
