/*
 * fuzz_csv.c — libFuzzer target for csv_parse (src/util/csv.c).
 *
 * Beyond "no crash, no leak, no out-of-bounds read" (ASan/UBSan), every input checks properties:
 *   - each record has 1..CSV_MAX_FIELDS fields of at most CSV_MAX_FIELD bytes of valid UTF-8, and
 *     record lines increase strictly and stay within the input's line count;
 *   - CSV_ERR_UTF8 is returned exactly when the input is not strict UTF-8, and then no record is
 *     delivered;
 *   - the error line is 0 on success and a line of the input otherwise;
 *   - parsing without a callback gives the same result;
 *   - round trip: the records, written back as CSV with every field quoted, parse to the same
 *     records.
 * A few inputs (by size) also stop the parse from the callback to exercise that path.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_csv.c
 *        src/util/csv.c src/util/validate.c -o fuzz_csv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/validate.h"

/* Aborts with the failed condition, which libFuzzer reports as a crash with the input saved. */
#define REQUIRE(cond)                                                                          \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);        \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* The value the callback returns to stop a parse; distinct from every CSV_ERR_*. */
enum { STOP_RC = 77 };

/* Records as seen by the callback, written back as canonical CSV (every field quoted). */
typedef struct Sink {
    char *buf;     /* canonical CSV of the records so far; malloc'd, freed by sink_free */
    size_t len;    /* bytes used */
    size_t cap;    /* bytes allocated */
    int records;   /* records seen */
    int last_line; /* line of the previous record, 0 before the first */
    int max_line;  /* 1 + number of LF bytes in the input */
    int stop_at;   /* record number at which to return STOP_RC; 0 never */
} Sink;

/* Appends n bytes to the sink's buffer; aborts if memory runs out (not a property failure, but
 * there is no sensible way on). */
static void sink_put(Sink *s, const char *p, size_t n) {
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + n) cap *= 2;
        char *nb = realloc(s->buf, cap);
        REQUIRE(nb != NULL);
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

/* Frees the sink's buffer. */
static void sink_free(Sink *s) {
    free(s->buf);
    s->buf = NULL;
}

/* CsvRecordFn: checks the record's invariants and appends it to the Sink at ud as canonical CSV. */
static int on_record(const CsvRecord *rec, void *ud) {
    Sink *s = ud;
    REQUIRE(rec->nfields >= 1 && rec->nfields <= CSV_MAX_FIELDS);
    REQUIRE(rec->line > s->last_line && rec->line <= s->max_line);
    s->last_line = rec->line;
    for (int i = 0; i < rec->nfields; i++) {
        const char *f = rec->fields[i];
        REQUIRE(f != NULL);
        size_t n = strlen(f);
        REQUIRE(n <= CSV_MAX_FIELD);
        REQUIRE(val_utf8(f, n));
        if (i > 0) sink_put(s, ",", 1);
        sink_put(s, "\"", 1);
        for (const char *q = f; *q; q++) {
            if (*q == '"') sink_put(s, "\"", 1); /* a quote is written twice */
            sink_put(s, q, 1);
        }
        sink_put(s, "\"", 1);
    }
    sink_put(s, "\n", 1);
    s->records++;
    return s->records == s->stop_at ? STOP_RC : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One fuzz iteration over the size bytes at data. Frees all it allocates. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *in = (const char *)data;
    int lines = 1;
    for (size_t i = 0; i < size; i++)
        if (in[i] == '\n') lines++;

    Sink s;
    memset(&s, 0, sizeof s);
    s.max_line = lines;
    s.stop_at = size % 11 == 3 ? 1 + (int)(size % 4) : 0;
    int line = -1;
    int rc = csv_parse(in, size, on_record, &s, &line);

    REQUIRE(rc == CSV_OK || rc == CSV_ERR_QUOTE || rc == CSV_ERR_TOO_MANY ||
            rc == CSV_ERR_TOO_LONG || rc == CSV_ERR_UTF8 || rc == STOP_RC);
    REQUIRE((rc == CSV_ERR_UTF8) == !val_utf8(in, size));
    if (rc == CSV_ERR_UTF8) REQUIRE(s.records == 0);
    if (rc == STOP_RC) REQUIRE(s.records == s.stop_at && line == s.last_line);
    else REQUIRE(s.stop_at == 0 || s.records < s.stop_at);
    if (rc == CSV_OK) REQUIRE(line == 0);
    else REQUIRE(line >= 1 && line <= lines);

    /* Without a callback the parse runs to the end: same result unless the callback stopped it. */
    int line2 = -1;
    int rc2 = csv_parse(in, size, NULL, NULL, &line2);
    if (rc != STOP_RC) REQUIRE(rc2 == rc && line2 == line);

    /* Round trip of every record delivered before the end (or the error). */
    Sink again;
    memset(&again, 0, sizeof again);
    again.max_line = 1;
    for (size_t i = 0; i < s.len; i++)
        if (s.buf[i] == '\n') again.max_line++;
    int rc3 = csv_parse(s.buf, s.len, on_record, &again, NULL);
    REQUIRE(rc3 == CSV_OK);
    REQUIRE(again.records == s.records);
    REQUIRE(again.len == s.len && (s.len == 0 || memcmp(again.buf, s.buf, s.len) == 0));

    sink_free(&again);
    sink_free(&s);
    return 0;
}
