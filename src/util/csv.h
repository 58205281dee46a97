/*
 * csv.h — a streaming RFC 4180 CSV reader for imports. Accepts an optional UTF-8 BOM, CRLF or LF
 * line ends, quoted fields with doubled quotes and embedded newlines. Reports the physical line
 * number on which each record starts so that import errors can name it.
 */
#ifndef SANQU_UTIL_CSV_H
#define SANQU_UTIL_CSV_H

#include <stddef.h>

enum { CSV_MAX_FIELDS = 64, CSV_MAX_FIELD = 4096 };

/* One record: nfields pointers into storage owned by the parser, valid only during the callback. */
typedef struct CsvRecord {
    int line;                         /* 1-based line number where the record starts */
    int nfields;                      /* number of fields in fields[] */
    const char *fields[CSV_MAX_FIELDS]; /* NUL-terminated field values */
} CsvRecord;

/* Called for every record (the header too). Return 0 to go on, non-zero to stop; that value is
 * then returned by csv_parse. */
typedef int (*CsvRecordFn)(const CsvRecord *rec, void *ud);

/* Error codes returned by csv_parse (negative; a callback's own non-zero value passes through). */
enum {
    CSV_OK = 0,
    CSV_ERR_QUOTE = -1,      /* unterminated quoted field, or a quote inside an unquoted field */
    CSV_ERR_TOO_MANY = -2,   /* more than CSV_MAX_FIELDS fields in a record */
    CSV_ERR_TOO_LONG = -3,   /* a field longer than CSV_MAX_FIELD bytes */
    CSV_ERR_NOMEM = -4,      /* allocation failed */
    CSV_ERR_UTF8 = -5,       /* the input is not valid UTF-8 (or holds a NUL byte) */
};

/* Parses len bytes at data, calling fn for each record. Blank lines (no characters at all) are
 * skipped. On a syntax error returns a negative CSV_ERR_* and sets *err_line (if not NULL) to the
 * line where it happened. Allocates only internally; frees everything before returning. */
int csv_parse(const char *data, size_t len, CsvRecordFn fn, void *ud, int *err_line);

#endif
