/*
 * csv.c — the streaming RFC 4180 reader behind CSV imports (contract in csv.h).
 *
 * The input is first checked to be strict UTF-8 without NUL (val_utf8), so no callback ever sees
 * bad text and a bad byte is reported with its own line. Then a small state machine walks the
 * bytes once, unescaping each field into one growable buffer that holds the current record's
 * fields back to back, each NUL-terminated. The buffer never exceeds
 * CSV_MAX_FIELDS * (CSV_MAX_FIELD + 1) bytes, whatever the input, and is freed before returning.
 *
 * Dialect, beyond RFC 4180:
 *   - a UTF-8 byte order mark at the very start is skipped;
 *   - records end at LF or CRLF; a CR that is neither followed by LF nor the last byte of the input
 *     is ordinary data in an unquoted field (and an error right after a closing quote);
 *   - inside quotes every byte is kept as is, line ends included;
 *   - lines with no characters at all are skipped; a line holding only "" is one empty field;
 *   - the last record need not end with a line end.
 * Line numbers count LF bytes; a record's line is the line of its first character. The error line
 * of an unterminated quoted field is the line of its opening quote; other errors give the line of
 * the offending byte.
 */
#include "util/csv.h"

#include "util/validate.h"

#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound of the record buffer: every field at its longest plus its NUL. */
enum { CSV_BUF_MAX = CSV_MAX_FIELDS * (CSV_MAX_FIELD + 1), CSV_BUF_INIT = 256 };

/* Where the state machine is within the current record. */
typedef enum CsvState {
    ST_RECORD_START, /* nothing of the record read yet (blank lines are skipped here) */
    ST_FIELD_START,  /* just after a comma: a field starts, possibly quoted */
    ST_UNQUOTED,     /* inside an unquoted field */
    ST_QUOTED,       /* inside a quoted field */
    ST_QUOTE_SEEN,   /* a quote inside a quoted field: either the closing one or half of "" */
} CsvState;

/* Parser state for one csv_parse() call. Lives on the caller's stack; only buf is on the heap. */
typedef struct CsvParser {
    char *buf;                    /* current record's fields, each NUL-terminated; malloc'd */
    size_t len;                   /* bytes used in buf */
    size_t cap;                   /* bytes allocated for buf (<= CSV_BUF_MAX) */
    size_t start[CSV_MAX_FIELDS]; /* offset in buf where each field of the record begins */
    int nfields;                  /* fields begun in the current record */
    size_t field_len;             /* bytes in the field being read (without its NUL) */
    int line;                     /* current physical line, 1-based, saturating at INT_MAX */
    int rec_line;                 /* line where the current record began */
    int quote_line;               /* line of the opening quote of the current quoted field */
} CsvParser;

/* Makes room for extra more bytes in p->buf, doubling up to CSV_BUF_MAX. Returns CSV_OK or
 * CSV_ERR_NOMEM (p->buf is left valid either way and is still owned by p). The callers' own limits
 * keep len + extra within CSV_BUF_MAX. */
static int buf_reserve(CsvParser *p, size_t extra) {
    assert(p->len + extra <= CSV_BUF_MAX);
    if (p->len + extra <= p->cap) return CSV_OK;
    size_t cap = p->cap ? p->cap : CSV_BUF_INIT;
    while (cap < p->len + extra) cap *= 2;
    if (cap > CSV_BUF_MAX) cap = CSV_BUF_MAX;
    char *nb = realloc(p->buf, cap);
    if (nb == NULL) return CSV_ERR_NOMEM;
    p->buf = nb;
    p->cap = cap;
    return CSV_OK;
}

/* Begins a new (empty) field of the current record. Returns CSV_ERR_TOO_MANY when the record
 * already has CSV_MAX_FIELDS fields. */
static int field_begin(CsvParser *p) {
    if (p->nfields >= CSV_MAX_FIELDS) return CSV_ERR_TOO_MANY;
    p->start[p->nfields++] = p->len;
    p->field_len = 0;
    return CSV_OK;
}

/* Appends byte c to the current field. Returns CSV_ERR_TOO_LONG past CSV_MAX_FIELD bytes, or
 * CSV_ERR_NOMEM. Room for the field's NUL is reserved along with its bytes. */
static int field_add(CsvParser *p, char c) {
    if (p->field_len >= CSV_MAX_FIELD) return CSV_ERR_TOO_LONG;
    int rc = buf_reserve(p, 2); /* the byte and the NUL that will end the field */
    if (rc != CSV_OK) return rc;
    p->buf[p->len++] = c;
    p->field_len++;
    return CSV_OK;
}

/* Ends the current field with its NUL. Returns CSV_OK or CSV_ERR_NOMEM. */
static int field_end(CsvParser *p) {
    int rc = buf_reserve(p, 1);
    if (rc != CSV_OK) return rc;
    p->buf[p->len++] = '\0';
    return CSV_OK;
}

/* Ends the current field and hands the record to fn (if any), then clears it for the next one.
 * Returns CSV_OK, CSV_ERR_NOMEM, or the callback's non-zero value. */
static int record_emit(CsvParser *p, CsvRecordFn fn, void *ud) {
    int rc = field_end(p);
    if (rc != CSV_OK) return rc;
    CsvRecord rec;
    rec.line = p->rec_line;
    rec.nfields = p->nfields;
    for (int i = 0; i < p->nfields; i++) rec.fields[i] = p->buf + p->start[i];
    for (int i = p->nfields; i < CSV_MAX_FIELDS; i++) rec.fields[i] = NULL;
    rc = fn ? fn(&rec, ud) : 0;
    p->len = 0;
    p->nfields = 0;
    p->field_len = 0;
    return rc;
}

/* Counts a line end, saturating so that absurd inputs cannot overflow the int. */
static void next_line(CsvParser *p) {
    if (p->line < INT_MAX) p->line++;
}

/* When the n bytes at s are not strict UTF-8 (or hold a NUL), returns the 1-based line holding the
 * first bad byte; returns 0 when they are valid. Line ends are LF bytes. */
static int utf8_bad_line(const char *s, size_t n) {
    if (val_utf8(s, n)) return 0;
    const unsigned char *u = (const unsigned char *)s;
    int line = 1;
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2; /* length the lead implies */
        if (k > n - i || !val_utf8(s + i, k)) return line;
        if (c == '\n' && line < INT_MAX) line++;
        i += k;
    }
    return line; /* not reached: val_utf8 said something is wrong */
}

/* Runs the state machine over the n bytes at s (BOM already skipped) and returns CSV_OK, a
 * negative CSV_ERR_*, or a callback's non-zero value. On a syntax error *err_line gets its line;
 * when a callback stops, the line of its record. Owns nothing beyond p. */
static int parse(CsvParser *p, const char *s, size_t n, CsvRecordFn fn, void *ud, int *err_line) {
    CsvState st = ST_RECORD_START;
    int rc = CSV_OK;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        /* A line end: LF, or CR followed by LF (consumed together), or CR as the very last byte. */
        bool eol = c == '\n' || (c == '\r' && (i + 1 == n || s[i + 1] == '\n'));

        /* The two "start" states decide what c begins, then hand c on to the field states. */
        if (st == ST_RECORD_START) {
            if (eol) { /* blank line */
                if (c == '\r') i++;
                next_line(p);
                continue;
            }
            p->rec_line = p->line;
            st = ST_FIELD_START;
        }
        if (st == ST_FIELD_START) {
            if ((rc = field_begin(p)) != CSV_OK) goto fail;
            if (c == '"') {
                p->quote_line = p->line;
                st = ST_QUOTED;
                continue;
            }
            st = ST_UNQUOTED; /* c is the first byte of an unquoted, maybe empty, field */
        }

        if (st == ST_QUOTED) {
            if (c == '"') {
                st = ST_QUOTE_SEEN;
                continue;
            }
            if (c == '\n') next_line(p);
            if ((rc = field_add(p, c)) != CSV_OK) goto fail;
            continue;
        }
        if (st == ST_QUOTE_SEEN && c == '"') { /* "" stands for one quote */
            if ((rc = field_add(p, '"')) != CSV_OK) goto fail;
            st = ST_QUOTED;
            continue;
        }

        /* ST_UNQUOTED, or ST_QUOTE_SEEN after a closing quote: only a separator may follow the
         * latter, and an unquoted field may not hold a quote. */
        assert(st == ST_UNQUOTED || st == ST_QUOTE_SEEN);
        if (c == ',') {
            if ((rc = field_end(p)) != CSV_OK) goto fail;
            st = ST_FIELD_START;
        } else if (eol) {
            if (c == '\r') i++;
            if ((rc = record_emit(p, fn, ud)) != CSV_OK) goto stopped;
            next_line(p);
            st = ST_RECORD_START;
        } else if (c == '"' || st == ST_QUOTE_SEEN) {
            rc = CSV_ERR_QUOTE;
            goto fail;
        } else if ((rc = field_add(p, c)) != CSV_OK) {
            goto fail;
        }
    }

    /* End of input: finish a record that lacks its line end. */
    if (st == ST_RECORD_START) return CSV_OK;
    if (st == ST_QUOTED) {
        if (err_line) *err_line = p->quote_line;
        return CSV_ERR_QUOTE;
    }
    if (st == ST_FIELD_START && (rc = field_begin(p)) != CSV_OK) /* "a," ends with an empty field */
        goto fail;
    if ((rc = record_emit(p, fn, ud)) != CSV_OK) goto stopped;
    return CSV_OK;

fail: /* a syntax error or a failed allocation at the current byte */
    if (err_line) *err_line = p->line;
    return rc;
stopped: /* the callback's stop value, or no memory to end the record */
    if (err_line) *err_line = p->rec_line;
    return rc;
}

/* Parses len bytes at data (NULL is taken as empty), calling fn (may be NULL: only check) for each
 * record. Returns CSV_OK, a negative CSV_ERR_* with *err_line set to its line, or the callback's
 * non-zero value with *err_line set to the line of the record it stopped on. *err_line is 0 after
 * success. All memory is allocated and freed here. */
int csv_parse(const char *data, size_t len, CsvRecordFn fn, void *ud, int *err_line) {
    if (err_line) *err_line = 0;
    if (data == NULL) len = 0;

    int bad = utf8_bad_line(data, len);
    if (bad) {
        if (err_line) *err_line = bad;
        return CSV_ERR_UTF8;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }

    CsvParser p;
    memset(&p, 0, sizeof p);
    p.line = 1;
    p.rec_line = 1;
    int rc = parse(&p, data, len, fn, ud, err_line);
    free(p.buf);
    return rc;
}
