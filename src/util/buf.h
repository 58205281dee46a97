/*
 * buf.h — a growable byte buffer (in the spirit of Fossil's Blob): the response body, SQL text,
 * CSV rows and log lines are all built in one. The buffer owns its memory; buf_free releases it.
 * Out-of-memory is sticky: after a failed growth every append is ignored and buf_oom() is true,
 * so callers check once at the end instead of after every append.
 */
#ifndef SANQU_UTIL_BUF_H
#define SANQU_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct Buf {
    char *data;   /* bytes, always NUL-terminated when len > 0 or after any append; may be NULL */
    size_t len;   /* bytes in use, not counting the terminating NUL */
    size_t cap;   /* bytes allocated */
    bool oom;     /* an allocation failed; the content is truncated */
} Buf;

#define BUF_INIT {NULL, 0, 0, false}

/* Ensures room for n more bytes plus a NUL. Returns false (and sets oom) when allocation fails. */
bool buf_reserve(Buf *b, size_t n);
void buf_append(Buf *b, const void *p, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
/* Empties the buffer but keeps its memory. */
void buf_reset(Buf *b);
/* Releases the memory; the buffer is empty and usable again. */
void buf_free(Buf *b);
/* Hands the memory to the caller (who frees it with free()); the buffer becomes empty. Never NULL
 * unless out of memory: an empty buffer yields an allocated "". */
char *buf_detach(Buf *b);
/* The content as a C string ("" when empty). Valid until the next append. */
const char *buf_str(const Buf *b);
static inline bool buf_oom(const Buf *b) { return b->oom; }

#endif
