/*
 * fuzz_fts.c — libFuzzer target for the full-text search input side (src/store/fts.c): fts_query
 * and fts_terms, which turn what a user typed into an FTS5 MATCH expression, and the `cjk`
 * tokenizer, which splits documents and queries.
 *
 * The input is a search text; it is also stored as the one document of an FTS5 table (tokenize =
 * 'cjk') in an in-memory database. Properties checked, beyond ASan and UBSan:
 *   - fts_query succeeds exactly when the text holds a letter, a digit or a CJK character (as
 *     fts.h defines them, restated here), and its expression is valid FTS5 syntax: running it
 *     never fails (a failure would be a 500 on every list with q=);
 *   - a document (valid UTF-8, as JSON and CSV input are) is found by a search for its own text,
 *     and by each term of fts_terms;
 *   - fts_terms gives the terms fts_query joins with AND, each a valid expression too.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "store/fts.h"
#include "util/validate.h"

static sqlite3 *db;
static sqlite3_stmt *ins, *del, *match;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
    REQUIRE(fts_register(db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'cjk', prefix = '3')", NULL, NULL,
                         NULL) == SQLITE_OK);
    REQUIRE(sqlite3_prepare_v2(db, "INSERT INTO t(rowid, body) VALUES (1, ?)", -1, &ins, NULL) == SQLITE_OK);
    REQUIRE(sqlite3_prepare_v2(db, "DELETE FROM t", -1, &del, NULL) == SQLITE_OK);
    REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &match, NULL) == SQLITE_OK);
    return 0;
}

/* Decodes one well-formed UTF-8 character at s (n bytes); 0 for anything else. */
static uint32_t decode(const unsigned char *s, size_t n, size_t *len) {
    *len = 1;
    if (s[0] < 0x80) return s[0];
    size_t l = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    if (!l || l > n) return 0;
    uint32_t v = s[0] & (0x3F >> (l - 1));
    for (size_t i = 1; i < l; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *len = l;
    return v;
}

/* Searchable per fts.h: CJK ideographs (with extensions and compatibility forms), kana, hangul,
 * ASCII letters and digits and their full-width forms. */
static bool searchable(uint32_t c) {
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF) ||
           (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);
}

/* Number of documents the expression matches; aborts when SQLite refuses it. */
static int count_matches(const char *expr, const char *q) {
    sqlite3_reset(match);
    sqlite3_bind_text(match, 1, expr, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(match);
    if (rc != SQLITE_ROW) {
        fprintf(stderr, "MATCH %s (for \"%s\"): %s\n", expr, q, sqlite3_errmsg(db));
        abort();
    }
    int n = sqlite3_column_int(match, 0);
    sqlite3_reset(match);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *q = malloc(size + 1);
    REQUIRE(q != NULL);
    memcpy(q, data, size);
    q[size] = 0;
    size_t n = strlen(q);

    bool any = false;
    for (size_t i = 0, l; i < n && !any; i += l) any = searchable(decode((const unsigned char *)q + i, n - i, &l));

    Buf expr = BUF_INIT;
    bool ok = fts_query(q, &expr);
    REQUIRE(!buf_oom(&expr));
    if (ok != any) fprintf(stderr, "fts_query(\"%s\") = %d, searchable characters: %d\n", q, ok, any);
    REQUIRE(ok == any);

    /* The text as the one document. */
    sqlite3_reset(del);
    REQUIRE(sqlite3_step(del) == SQLITE_DONE);
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, q, (int)n, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(ins) == SQLITE_DONE);

    /* Documents are valid UTF-8 (JSON and CSV input are checked); a query need not be. */
    bool text = val_utf8(q, n);
    if (ok) {
        int found = count_matches(buf_str(&expr), q);
        if (text && found != 1) {
            fprintf(stderr, "\"%s\" does not find itself with %s\n", q, buf_str(&expr));
            abort();
        }
        enum { MAXT = 8 };
        Buf terms[MAXT];
        for (int i = 0; i < MAXT; i++) terms[i] = (Buf)BUF_INIT;
        int nt = fts_terms(q, terms, MAXT);
        REQUIRE(nt >= 1 && nt <= MAXT);
        /* The terms joined with AND are the expression, as far as they go. */
        Buf joined = BUF_INIT;
        for (int i = 0; i < nt; i++) {
            if (i) buf_puts(&joined, " AND ");
            buf_append(&joined, terms[i].data, terms[i].len);
            found = count_matches(buf_str(&terms[i]), q);
            REQUIRE(!text || found == 1);
        }
        REQUIRE(strncmp(buf_str(&expr), buf_str(&joined), joined.len) == 0);
        buf_free(&joined);
        for (int i = 0; i < MAXT; i++) buf_free(&terms[i]);
    }
    buf_free(&expr);
    free(q);
    return 0;
}
