/*
 * log.h — one-line log records on stderr: access lines and errors, with a timestamp and level.
 * Thread-safe (each record is written with a single write(2)).
 */
#ifndef SANQU_UTIL_LOG_H
#define SANQU_UTIL_LOG_H

enum { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Records at a level above this are dropped (default LOG_INFO). */
void log_set_level(int level);
/* When quiet, access lines are not written (errors still are). */
void log_set_access(int enabled);
int log_access_enabled(void);
void log_msg(int level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_error(...) log_msg(LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)

#endif
