/*
 * test_csv.c — cmocka unit tests for the streaming CSV reader in src/util/csv.c: records and line
 * numbers, RFC 4180 quoting, CRLF, BOM, blank lines, every error code with its line, the field and
 * size limits, and callbacks that stop early. Standalone program; build with -Isrc together with
 * src/util/csv.c and src/util/validate.c.
 *
 * Most tests render what the parser reports as text, one record per "L<line>[f1|f2|...]", and
 * compare it with the expected rendering, so a failure shows the whole picture at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

/* Accumulates the rendering of every record seen; stops with stop_rc at record number stop_at. */
typedef struct Seen {
    char text[8192]; /* "L1[a|b]L2[c|d]" */
    size_t len;      /* bytes used in text */
    int records;     /* records seen */
    int stop_at;     /* 1-based record at which to return stop_rc; 0 never */
    int stop_rc;     /* value returned to stop */
} Seen;

/* Appends formatted text to seen->text, failing the test if it would not fit. */
static void seen_add(Seen *seen, const char *s) {
    size_t n = strlen(s);
    assert_true(seen->len + n < sizeof seen->text);
    memcpy(seen->text + seen->len, s, n + 1);
    seen->len += n;
}

/* CsvRecordFn that renders rec into the Seen at ud and checks the record's invariants. */
static int on_record(const CsvRecord *rec, void *ud) {
    Seen *seen = ud;
    char head[32];
    assert_true(rec->nfields >= 1 && rec->nfields <= CSV_MAX_FIELDS);
    assert_true(rec->line >= 1);
    snprintf(head, sizeof head, "L%d[", rec->line);
    seen_add(seen, head);
    for (int i = 0; i < rec->nfields; i++) {
        assert_non_null(rec->fields[i]);
        if (i > 0) seen_add(seen, "|");
        seen_add(seen, rec->fields[i]);
    }
    seen_add(seen, "]");
    seen->records++;
    return seen->records == seen->stop_at ? seen->stop_rc : 0;
}

/* Parses the n bytes at data into a fresh Seen, checks the return code and error line, and
 * compares the rendering with want. */
static void check_n(const char *data, size_t n, int want_rc, int want_line, const char *want) {
    Seen seen;
    memset(&seen, 0, sizeof seen);
    int line = -7;
    int rc = csv_parse(data, n, on_record, &seen, &line);
    if (rc != want_rc || line != want_line || strcmp(seen.text, want) != 0)
        fail_msg("input %.*s\n  got  rc=%d line=%d %s\n  want rc=%d line=%d %s", (int)n, data, rc,
                 line, seen.text, want_rc, want_line, want);
}

/* check_n over a string literal (without its terminating NUL). */
#define CHECK(lit, rc, line, want) check_n((lit), sizeof(lit) - 1, (rc), (line), (want))

/* ---------------------------------------------------------------------------------------------- */

static void test_basic(void **state) {
    (void)state;
    CHECK("kind,name,parent\nenterprise,某公司,3\npark,园区,1\n", CSV_OK, 0,
          "L1[kind|name|parent]L2[enterprise|某公司|3]L3[park|园区|1]");
    CHECK("a,b\nc,d", CSV_OK, 0, "L1[a|b]L2[c|d]"); /* no final line end */
    CHECK("a", CSV_OK, 0, "L1[a]");
    CHECK("", CSV_OK, 0, "");
    CHECK(",", CSV_OK, 0, "L1[|]");
    CHECK("a,\n", CSV_OK, 0, "L1[a|]");
    CHECK("a,", CSV_OK, 0, "L1[a|]");
    CHECK(",,\n", CSV_OK, 0, "L1[||]");
    CHECK(" a , b \n", CSV_OK, 0, "L1[ a | b ]"); /* spaces are data */
    CHECK("a,b\nc\nd,e,f\n", CSV_OK, 0, "L1[a|b]L2[c]L3[d|e|f]"); /* ragged rows are the caller's */
}

static void test_quotes(void **state) {
    (void)state;
    CHECK("\"a,b\",c\n", CSV_OK, 0, "L1[a,b|c]");
    CHECK("\"he said \"\"hi\"\"\",x\n", CSV_OK, 0, "L1[he said \"hi\"|x]");
    CHECK("\"\"\"\"\n", CSV_OK, 0, "L1[\"]");
    CHECK("\"\"\n", CSV_OK, 0, "L1[]");        /* one empty field, not a blank line */
    CHECK("\"\",\"\"\n", CSV_OK, 0, "L1[|]");
    CHECK("a,\"\"\n", CSV_OK, 0, "L1[a|]");
    CHECK("\"x\"", CSV_OK, 0, "L1[x]");        /* closing quote is the last byte */
    CHECK("a,\"b\"", CSV_OK, 0, "L1[a|b]");
    CHECK("\"a\nb\",c\nd,e\n", CSV_OK, 0, "L1[a\nb|c]L3[d|e]");
    CHECK("\"1\n2\n3\n\"\n\nx\n", CSV_OK, 0, "L1[1\n2\n3\n]L6[x]");
    CHECK("x,\"line1\r\nline2\"\r\ny\r\n", CSV_OK, 0, "L1[x|line1\r\nline2]L3[y]");
    CHECK("\"a\"\"\n\"\"b\"\n", CSV_OK, 0, "L1[a\"\n\"b]");
    CHECK("\"中,文\",\"引\"\"号\"\n", CSV_OK, 0, "L1[中,文|引\"号]");
}

static void test_line_ends(void **state) {
    (void)state;
    CHECK("a,b\r\nc,d\r\n", CSV_OK, 0, "L1[a|b]L2[c|d]");
    CHECK("a,b\r\nc,d", CSV_OK, 0, "L1[a|b]L2[c|d]");
    CHECK("a\r\nb\nc\r\n", CSV_OK, 0, "L1[a]L2[b]L3[c]"); /* mixed */
    CHECK("\"q\"\r\n\"r\"\r\n", CSV_OK, 0, "L1[q]L2[r]");
    CHECK("a,b\r", CSV_OK, 0, "L1[a|b]");          /* CR as the last byte ends the line */
    CHECK("\"a\"\r", CSV_OK, 0, "L1[a]");
    CHECK("a\rb,c\n", CSV_OK, 0, "L1[a\rb|c]");      /* a lone CR is data */
    CHECK("\"a\"\rb\n", CSV_ERR_QUOTE, 1, "");      /* ... but not after a closing quote */
}

static void test_bom(void **state) {
    (void)state;
    CHECK("\xEF\xBB\xBFkind,name\nx,y\n", CSV_OK, 0, "L1[kind|name]L2[x|y]");
    CHECK("\xEF\xBB\xBF\"kind\",name\n", CSV_OK, 0, "L1[kind|name]");
    CHECK("\xEF\xBB\xBF", CSV_OK, 0, "");
    CHECK("\xEF\xBB\xBF\n\na\n", CSV_OK, 0, "L3[a]");
    /* Only the first BOM is dropped; a second one is data (U+FEFF). */
    CHECK("\xEF\xBB\xBF\xEF\xBB\xBF" "a\n", CSV_OK, 0, "L1[\xEF\xBB\xBF" "a]");
    CHECK("a,\xEF\xBB\xBF" "b\n", CSV_OK, 0, "L1[a|\xEF\xBB\xBF" "b]");
    /* A partial BOM is not UTF-8. */
    CHECK("\xEF\xBB" "a\n", CSV_ERR_UTF8, 1, "");
}

static void test_blank_lines(void **state) {
    (void)state;
    CHECK("\n\na,b\n\n\nc,d\n\n", CSV_OK, 0, "L3[a|b]L6[c|d]");
    CHECK("\r\n\r\na\r\n\r\nb", CSV_OK, 0, "L3[a]L5[b]");
    CHECK("\n", CSV_OK, 0, "");
    CHECK("\n\n\n", CSV_OK, 0, "");
    CHECK("\r\n", CSV_OK, 0, "");
    CHECK("\r", CSV_OK, 0, "");
    CHECK(" \n", CSV_OK, 0, "L1[ ]");  /* a space is a character */
    CHECK(",\n", CSV_OK, 0, "L1[|]");
}

static void test_quote_errors(void **state) {
    (void)state;
    /* Unterminated: the line of the opening quote. */
    CHECK("a,b\nc,\"open\n", CSV_ERR_QUOTE, 2, "L1[a|b]");
    CHECK("a,b\nc,\"open\nmore\nlines", CSV_ERR_QUOTE, 2, "L1[a|b]");
    CHECK("\"", CSV_ERR_QUOTE, 1, "");
    CHECK("\n\n\"x\"\"", CSV_ERR_QUOTE, 3, "");
    /* A quote inside an unquoted field, and text after a closing quote: their own line. */
    CHECK("a,b\nc,d\"e\nf\n", CSV_ERR_QUOTE, 2, "L1[a|b]");
    CHECK("a,b\"\n", CSV_ERR_QUOTE, 1, "");
    CHECK("a\n\"x\"y,z\n", CSV_ERR_QUOTE, 2, "L1[a]");
    CHECK("\"multi\nline\"x\n", CSV_ERR_QUOTE, 2, "");
    CHECK("\"a\" ,b\n", CSV_ERR_QUOTE, 1, "");
    CHECK("x, \"a\"\n", CSV_ERR_QUOTE, 1, "");
}

static void test_utf8_errors(void **state) {
    (void)state;
    /* The whole input is checked first: no record is delivered, the line is the bad byte's. */
    CHECK("a,b\nc,d\ne,\xC0\x80\n", CSV_ERR_UTF8, 3, "");
    CHECK("\xFF", CSV_ERR_UTF8, 1, "");
    CHECK("a\n\"x\ny\xED\xA0\x80\"\n", CSV_ERR_UTF8, 3, "");
    CHECK("a,\xE4\xB8", CSV_ERR_UTF8, 1, "");  /* truncated at the end */
    CHECK("a\n\n\n\n\x80\n", CSV_ERR_UTF8, 5, "");
    CHECK("ok\na\0b\n", CSV_ERR_UTF8, 2, ""); /* NUL byte */
    CHECK("\xEF\xBB\xBF" "a\n\xF4\x90\x80\x80\n", CSV_ERR_UTF8, 2, "");
}

/* Writes n comma-separated one-letter fields and a LF into buf (which must be big enough). */
static size_t make_row(char *buf, int n) {
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0) buf[o++] = ',';
        buf[o++] = (char)('a' + i % 26);
    }
    buf[o++] = '\n';
    buf[o] = '\0';
    return o;
}

/* CsvRecordFn that counts records and remembers the last one's field count and line. */
static int count_record(const CsvRecord *rec, void *ud) {
    int *c = ud; /* c[0] records, c[1] last nfields, c[2] last line, c[3] longest field */
    c[0]++;
    c[1] = rec->nfields;
    c[2] = rec->line;
    for (int i = 0; i < rec->nfields; i++) {
        int len = (int)strlen(rec->fields[i]);
        if (len > c[3]) c[3] = len;
    }
    return 0;
}

static void test_too_many_fields(void **state) {
    (void)state;
    char buf[1024];
    int c[4] = {0}, line = 0;
    size_t n = make_row(buf, CSV_MAX_FIELDS);
    assert_int_equal(csv_parse(buf, n, count_record, c, &line), CSV_OK);
    assert_int_equal(c[0], 1);
    assert_int_equal(c[1], CSV_MAX_FIELDS);

    /* 65 fields on line 3, after two good rows. */
    size_t o = 0;
    o += make_row(buf + o, 2);
    o += make_row(buf + o, CSV_MAX_FIELDS);
    o += make_row(buf + o, CSV_MAX_FIELDS + 1);
    memset(c, 0, sizeof c);
    assert_int_equal(csv_parse(buf, o, count_record, c, &line), CSV_ERR_TOO_MANY);
    assert_int_equal(line, 3);
    assert_int_equal(c[0], 2);

    /* A trailing comma after 64 fields is a 65th, empty field; also at the end of input. */
    n = make_row(buf, CSV_MAX_FIELDS);
    memcpy(buf + n - 1, ",", 2);
    assert_int_equal(csv_parse(buf, n, NULL, NULL, &line), CSV_ERR_TOO_MANY);
    assert_int_equal(line, 1);
    buf[n] = '\n';
    assert_int_equal(csv_parse(buf, n + 1, NULL, NULL, &line), CSV_ERR_TOO_MANY);
    assert_int_equal(line, 1);
}

static void test_too_long(void **state) {
    (void)state;
    enum { BIG = CSV_MAX_FIELD + 16 };
    char *buf = malloc(2 * BIG + 64);
    assert_non_null(buf);
    int c[4] = {0}, line = 0;

    /* Exactly CSV_MAX_FIELD bytes, unquoted. */
    memcpy(buf, "h\n", 2);
    memset(buf + 2, 'x', CSV_MAX_FIELD);
    memcpy(buf + 2 + CSV_MAX_FIELD, ",y\n", 3);
    assert_int_equal(csv_parse(buf, 2 + CSV_MAX_FIELD + 3, count_record, c, &line), CSV_OK);
    assert_int_equal(c[0], 2);
    assert_int_equal(c[3], CSV_MAX_FIELD);

    /* One more byte: error on line 2. */
    memset(buf + 2, 'x', CSV_MAX_FIELD + 1);
    memcpy(buf + 2 + CSV_MAX_FIELD + 1, ",y\n", 3);
    memset(c, 0, sizeof c);
    assert_int_equal(csv_parse(buf, 2 + CSV_MAX_FIELD + 4, count_record, c, &line),
                     CSV_ERR_TOO_LONG);
    assert_int_equal(line, 2);
    assert_int_equal(c[0], 1);

    /* Quoted: doubled quotes count once, so 2 * CSV_MAX_FIELD quote bytes are CSV_MAX_FIELD. */
    size_t o = 0;
    buf[o++] = '"';
    memset(buf + o, '"', 2 * CSV_MAX_FIELD);
    o += 2 * CSV_MAX_FIELD;
    buf[o++] = '"';
    memset(c, 0, sizeof c);
    assert_int_equal(csv_parse(buf, o, count_record, c, &line), CSV_OK);
    assert_int_equal(c[3], CSV_MAX_FIELD);
    /* An embedded LF plus the same CSV_MAX_FIELD quotes is one byte too many; the error names
     * the line of the byte that overflows (2), not the line where the field began. */
    memcpy(buf, "\"\n", 2);
    o = 2;
    memset(buf + o, '"', 2 * CSV_MAX_FIELD);
    o += 2 * CSV_MAX_FIELD;
    buf[o++] = '"';
    assert_int_equal(csv_parse(buf, o, NULL, NULL, &line), CSV_ERR_TOO_LONG);
    assert_int_equal(line, 2);
    free(buf);
}

/* The largest record the limits allow: 64 fields of CSV_MAX_FIELD bytes, quoted, with multi-byte
 * characters and embedded line ends, twice over to reuse the buffer. */
static void test_biggest_record(void **state) {
    (void)state;
    size_t field = CSV_MAX_FIELD + 2, row = CSV_MAX_FIELDS * (field + 1);
    char *buf = malloc(2 * row);
    assert_non_null(buf);
    size_t o = 0;
    for (int r = 0; r < 2; r++) {
        for (int f = 0; f < CSV_MAX_FIELDS; f++) {
            buf[o++] = '"';
            /* 1365 x "中" (3 bytes) = 4095 bytes, then a LF: 4096 bytes. */
            for (int k = 0; k < CSV_MAX_FIELD / 3; k++, o += 3) memcpy(buf + o, "中", 3);
            buf[o++] = '\n';
            buf[o++] = '"';
            buf[o++] = f + 1 < CSV_MAX_FIELDS ? ',' : '\n';
        }
    }
    int c[4] = {0}, line = 0;
    assert_int_equal(csv_parse(buf, o, count_record, c, &line), CSV_OK);
    assert_int_equal(c[0], 2);
    assert_int_equal(c[1], CSV_MAX_FIELDS);
    assert_int_equal(c[2], 1 + CSV_MAX_FIELDS + 1); /* 64 embedded LFs, then the row's own */
    assert_int_equal(c[3], CSV_MAX_FIELD);
    free(buf);
}

/* Many records in one input: the buffer is per record, so this only checks counting. */
static void test_many_records(void **state) {
    (void)state;
    enum { N = 20000 };
    char *buf = malloc(N * 8 + 1);
    assert_non_null(buf);
    size_t o = 0;
    for (int i = 0; i < N; i++) o += (size_t)sprintf(buf + o, "%d,x\n", i % 1000);
    int c[4] = {0}, line = 0;
    assert_int_equal(csv_parse(buf, o, count_record, c, &line), CSV_OK);
    assert_int_equal(c[0], N);
    assert_int_equal(c[2], N);
    free(buf);
}

static void test_callback_stops(void **state) {
    (void)state;
    static const char in[] = "h1,h2\na,b\n\n\"c\nc\",d\ne,f\n";
    Seen seen;
    int line = 0;

    memset(&seen, 0, sizeof seen);
    seen.stop_at = 1;
    seen.stop_rc = 42;
    assert_int_equal(csv_parse(in, sizeof in - 1, on_record, &seen, &line), 42);
    assert_string_equal(seen.text, "L1[h1|h2]");
    assert_int_equal(line, 1);

    memset(&seen, 0, sizeof seen);
    seen.stop_at = 3;
    seen.stop_rc = 7;
    assert_int_equal(csv_parse(in, sizeof in - 1, on_record, &seen, &line), 7);
    assert_string_equal(seen.text, "L1[h1|h2]L2[a|b]L4[c\nc|d]");
    assert_int_equal(line, 4);

    /* The last record, without a final line end. */
    memset(&seen, 0, sizeof seen);
    seen.stop_at = 4;
    seen.stop_rc = 9;
    assert_int_equal(csv_parse(in, sizeof in - 2, on_record, &seen, &line), 9);
    assert_int_equal(seen.records, 4);
    assert_int_equal(line, 6);

    /* A negative value, even one equal to an error code, is passed through unchanged. */
    memset(&seen, 0, sizeof seen);
    seen.stop_at = 2;
    seen.stop_rc = -1000;
    assert_int_equal(csv_parse(in, sizeof in - 1, on_record, &seen, &line), -1000);
    assert_int_equal(seen.records, 2);
    assert_int_equal(line, 2);
    memset(&seen, 0, sizeof seen);
    seen.stop_at = 2;
    seen.stop_rc = CSV_ERR_QUOTE;
    assert_int_equal(csv_parse(in, sizeof in - 1, on_record, &seen, &line), CSV_ERR_QUOTE);
    assert_int_equal(line, 2);

    /* Stopping at a record that a later syntax error follows never reaches the error. */
    static const char bad[] = "a\nb\"\n";
    memset(&seen, 0, sizeof seen);
    seen.stop_at = 1;
    seen.stop_rc = 1;
    assert_int_equal(csv_parse(bad, sizeof bad - 1, on_record, &seen, &line), 1);
    assert_int_equal(line, 1);
}

/* NULL callback, NULL err_line, NULL data, and a length shorter than the string. */
static void test_arguments(void **state) {
    (void)state;
    assert_int_equal(csv_parse("a,b\n", 4, NULL, NULL, NULL), CSV_OK);
    assert_int_equal(csv_parse("a,\"b\n", 5, NULL, NULL, NULL), CSV_ERR_QUOTE);
    int line = -1;
    assert_int_equal(csv_parse(NULL, 0, NULL, NULL, &line), CSV_OK);
    assert_int_equal(line, 0);
    assert_int_equal(csv_parse(NULL, 10, NULL, NULL, &line), CSV_OK);
    /* Only len bytes are read: the quote after them is never seen. */
    check_n("a,b\"", 3, CSV_OK, 0, "L1[a|b]");
    check_n("x\n\"y\"", 3, CSV_ERR_QUOTE, 2, "L1[x]");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_quote_errors),
        cmocka_unit_test(test_utf8_errors),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_biggest_record),
        cmocka_unit_test(test_many_records),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
