/*
 * fts.c — see fts.h.
 */
#include "store/fts.h"

#include <opencc/opencc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/validate.h"

/* Traditional characters are folded to simplified ones (OpenCC t2s) before tokenising, in
 * documents and queries alike, so that 臺灣 and 台湾 find each other. One converter is shared
 * under a mutex (a conversion takes microseconds); without OpenCC's data, text is left as is.
 * Most text is simplified already: a map of the characters of the BMP that t2s changes, read off
 * OpenCC itself when the converter opens, lets such text skip the converter and its mutex (a
 * search's query spent more time folding than walking the index: 9.7–11k searches/s, p99
 * 16–30 ms, against 12.9–15.4k/s, p99 12–17 ms without; docs/performance.md). Characters beyond
 * the BMP always go to the converter. */
static pthread_once_t cc_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t cc_mutex = PTHREAD_MUTEX_INITIALIZER;
static opencc_t cc = (opencc_t)-1;
static uint8_t cc_changes[0x10000 / 8]; /* bit c: t2s changes code point c, alone */
static bool cc_mapped;                  /* the map is complete (else every text is converted) */

static int utf8_next(const unsigned char *s, int n, uint32_t *cp);

/* Writes c as UTF-8 at out (a BMP code point, not a surrogate); returns its length. */
static int utf8_put(uint32_t c, char *out) {
    if (c < 0x80) { out[0] = (char)c; return 1; }
    if (c < 0x800) { out[0] = (char)(0xC0 | c >> 6); out[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    out[0] = (char)(0xE0 | c >> 12);
    out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

/* Converts every non-ASCII code point of the BMP alone, one a line (no phrase spans a line
 * break), and marks those whose line comes back different. */
static void cc_map(void) {
    size_t cap = 0x10000 * 4, len = 0;
    char *all = malloc(cap);
    if (!all) return;
    for (uint32_t c = 0x80; c < 0x10000; c++) {
        if (c >= 0xD800 && c < 0xE000) continue;
        len += (size_t)utf8_put(c, all + len);
        all[len++] = '\n';
    }
    char *conv = opencc_convert_utf8(cc, all, len);
    if (conv) {
        const char *a = all, *b = conv;
        bool ok = true;
        for (uint32_t c = 0x80; c < 0x10000 && ok; c++) {
            if (c >= 0xD800 && c < 0xE000) continue;
            const char *ae = memchr(a, '\n', (size_t)(all + len - a)), *be = strchr(b, '\n');
            if (!ae || !be) { ok = false; break; }
            if (ae - a != be - b || memcmp(a, b, (size_t)(ae - a)) != 0) cc_changes[c >> 3] |= (uint8_t)(1u << (c & 7));
            a = ae + 1;
            b = be + 1;
        }
        cc_mapped = ok;
        opencc_convert_utf8_free(conv);
    }
    free(all);
}

static void cc_open(void) {
    cc = opencc_open("t2s.json");
    if (cc == (opencc_t)-1) {
        log_warn("OpenCC t2s is not available: traditional and simplified characters are searched apart");
        return;
    }
    cc_map();
    if (!cc_mapped) log_warn("OpenCC t2s: the map of changed characters could not be read; every text is converted");
}

/* Whether t2s may change text (well-formed UTF-8 of n bytes). */
static bool cc_may_change(const char *text, int n) {
    if (!cc_mapped) return true;
    for (int i = 0, len; i < n; i += len) {
        uint32_t c;
        len = utf8_next((const unsigned char *)text + i, n - i, &c);
        if (c >= 0x10000 || (cc_changes[c >> 3] & (1u << (c & 7)))) return true;
    }
    return false;
}

/* The simplified form of text, of the same length so that token offsets still point into the
 * original, or NULL when nothing is folded. The text is converted whole (OpenCC's phrases see
 * their context); when that changes its length (a character whose simplified form is longer,
 * 臗 → 𣎑), each character is converted alone and kept where its length holds, so that one such
 * character does not leave a whole document unfolded while queries are folded (found by
 * tests/fuzz/fuzz_fts). The caller frees with free(). */
static char *fold(const char *text, int n) {
    bool ascii = true;
    for (int i = 0; i < n && ascii; i++) ascii = (unsigned char)text[i] < 0x80;
    if (ascii) return NULL;
    /* OpenCC trusts lead bytes: a sequence cut at the end makes it read past the buffer (found by
     * tests/fuzz/fuzz_fts). Only well-formed text is folded. */
    if (!val_utf8(text, (size_t)n)) return NULL;
    pthread_once(&cc_once, cc_open);
    if (cc == (opencc_t)-1 || !cc_may_change(text, n)) return NULL;
    char *out = malloc((size_t)n + 1);
    if (!out) return NULL;
    pthread_mutex_lock(&cc_mutex);
    char *whole = opencc_convert_utf8(cc, text, (size_t)n);
    if (whole && strlen(whole) == (size_t)n) {
        memcpy(out, whole, (size_t)n);
    } else {
        for (int i = 0, len; i < n; i += len) {
            uint32_t c;
            len = utf8_next((const unsigned char *)text + i, n - i, &c);
            char *one = len > 1 ? opencc_convert_utf8(cc, text + i, (size_t)len) : NULL;
            memcpy(out + i, one && strlen(one) == (size_t)len ? one : text + i, (size_t)len);
            if (one) opencc_convert_utf8_free(one);
        }
    }
    if (whole) opencc_convert_utf8_free(whole);
    pthread_mutex_unlock(&cc_mutex);
    out[n] = 0;
    return out;
}

/* Decodes one UTF-8 code point at s (n bytes left); returns its length (1 for invalid bytes,
 * which then count as separators). */
static int utf8_next(const unsigned char *s, int n, uint32_t *cp) {
    unsigned c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len == 1 || len > n) { *cp = 0xFFFD; return 1; }
    uint32_t v = c & (0x3F >> (len - 1));
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) { *cp = 0xFFFD; return 1; }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

static bool is_cjk(uint32_t c) {
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF);
}

/* Latin letters and digits, with full-width forms folded to ASCII; 0 when c is not one. */
static char word_char(uint32_t c) {
    if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + '0';
    else if (c >= 0xFF21 && c <= 0xFF3A) c = c - 0xFF21 + 'a';
    else if (c >= 0xFF41 && c <= 0xFF5A) c = c - 0xFF41 + 'a';
    if (c >= 'A' && c <= 'Z') return (char)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return (char)c;
    return 0;
}

typedef struct CjkTokenizer { int unused; } CjkTokenizer;

static int cjk_create(void *ctx, const char **az, int n, Fts5Tokenizer **out) {
    (void)ctx; (void)az; (void)n;
    static CjkTokenizer one;
    *out = (Fts5Tokenizer *)&one;
    return SQLITE_OK;
}

static void cjk_delete(Fts5Tokenizer *t) { (void)t; }

enum { MAX_WORD = 64 };

static int cjk_tokenize_folded(void *ctx, int flags, const char *text, int n,
                               int (*xToken)(void *, int, const char *, int, int, int));

static int cjk_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                        int (*xToken)(void *, int, const char *, int, int, int)) {
    (void)t;
    char *folded = fold(text, n);
    int rc = cjk_tokenize_folded(ctx, flags, folded ? folded : text, n, xToken);
    free(folded);
    return rc;
}

/* Tokenises text (already folded); offsets are the same in the original. */
static int cjk_tokenize_folded(void *ctx, int flags, const char *text, int n,
                               int (*xToken)(void *, int, const char *, int, int, int)) {
    const unsigned char *s = (const unsigned char *)text;
    bool query = (flags & FTS5_TOKENIZE_QUERY) != 0;
    int i = 0, rc = SQLITE_OK;
    while (i < n && rc == SQLITE_OK) {
        uint32_t c;
        int len = utf8_next(s + i, n - i, &c);
        if (is_cjk(c)) {
            /* A run of CJK characters: overlapping bigrams, then the last character alone (in
             * documents, so that a one-character prefix query finds it at the end of a run). */
            int start = i, prev = -1, prevlen = 0, count = 0;
            while (i < n) {
                uint32_t d;
                int l = utf8_next(s + i, n - i, &d);
                if (!is_cjk(d)) break;
                if (prev >= 0) {
                    rc = xToken(ctx, 0, text + prev, prevlen + l, prev, i + l);
                    if (rc != SQLITE_OK) return rc;
                }
                prev = i;
                prevlen = l;
                i += l;
                count++;
            }
            (void)start;
            /* Alone, the character is the run's one token; after bigrams it shares the last
             * bigram's position (colocated), so phrases that continue past the run still match. */
            if (count == 1) rc = xToken(ctx, 0, text + prev, prevlen, prev, prev + prevlen);
            else if (!query) rc = xToken(ctx, FTS5_TOKEN_COLOCATED, text + prev, prevlen, prev, prev + prevlen);
            continue;
        }
        char w = word_char(c);
        if (w) {
            char word[MAX_WORD];
            int wl = 0, start = i;
            while (i < n) {
                uint32_t d;
                int l = utf8_next(s + i, n - i, &d);
                char x = word_char(d);
                if (!x) break;
                if (wl < MAX_WORD) word[wl++] = x;
                i += l;
            }
            rc = xToken(ctx, 0, word, wl, start, i);
            continue;
        }
        i += len;
    }
    return rc;
}

int fts_register(sqlite3 *h) {
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api) return SQLITE_ERROR;
    static fts5_tokenizer tok = {cjk_create, cjk_delete, cjk_tokenize};
    return api->xCreateTokenizer(api, "cjk", NULL, &tok, NULL);
}

int fts_terms(const char *q, Buf *terms, int max) {
    Buf all = BUF_INIT;
    int n = 0;
    if (!fts_query(q, &all)) {
        buf_free(&all);
        return 0;
    }
    /* fts_query joins the terms with " AND "; a term holds no quote or space inside its quotes. */
    const char *p = buf_str(&all);
    while (*p && n < max) {
        const char *e = strstr(p, " AND ");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        buf_reset(&terms[n]);
        buf_append(&terms[n], p, len);
        n++;
        if (!e) break;
        p = e + 5;
    }
    buf_free(&all);
    return n;
}

bool fts_query(const char *q, Buf *out) {
    const unsigned char *s = (const unsigned char *)q;
    int n = (int)strlen(q), i = 0, terms = 0;
    while (i < n) {
        /* Skip separators (white space, ASCII punctuation, ideographic space). */
        uint32_t c;
        int len = utf8_next(s + i, n - i, &c);
        if (!is_cjk(c) && !word_char(c)) { i += len; continue; }
        int start = i, cjk = 0;
        bool last_latin = false;
        while (i < n) {
            uint32_t d;
            int l = utf8_next(s + i, n - i, &d);
            if (is_cjk(d)) cjk++, last_latin = false;
            else if (word_char(d)) last_latin = true;
            else break;
            i += l;
        }
        if (terms++) buf_puts(out, " AND ");
        buf_putc(out, '"');
        buf_append(out, q + start, (size_t)(i - start)); /* only letters, digits and CJK: no quotes */
        buf_putc(out, '"');
        /* A term that ends in a Latin word, or is one CJK character, matches as a prefix. */
        if (last_latin || (cjk == 1 && i - start <= 4)) buf_putc(out, '*');
    }
    return terms > 0;
}

/* ---- upkeep ------------------------------------------------------------------------------- */

/* The indexes kept merged, with their statements (constant text: no name is ever spliced). */
static const char *const merge_sql[] = {
    "INSERT INTO dossiers_fts(dossiers_fts, rank) VALUES ('merge', ?)",
    "INSERT INTO orgs_fts(orgs_fts, rank) VALUES ('merge', ?)",
};
static const char *const optimize_sql[] = {
    "INSERT INTO dossiers_fts(dossiers_fts) VALUES ('optimize')",
    "INSERT INTO orgs_fts(orgs_fts) VALUES ('optimize')",
};
enum { FTS_INDEXES = sizeof merge_sql / sizeof merge_sql[0] };

Rc fts_upkeep_step(Db *db, int pages, bool *worked, Fail *f) {
    *worked = false;
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    for (int i = 0; i < FTS_INDEXES && r == RC_OK; i++) {
        /* SQLite's documented test: the 'merge' command changed two or more rows when it merged. */
        int64_t before = db_total_changes(db);
        r = db_run(db, f, merge_sql[i], "i", (int64_t)pages);
        if (r == RC_OK && db_total_changes(db) - before >= 2) *worked = true;
    }
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    if (r != RC_OK) *worked = false;
    return r;
}

Rc fts_optimize(Db *db, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    for (int i = 0; i < FTS_INDEXES && r == RC_OK; i++) r = db_run(db, f, optimize_sql[i], NULL);
    if (r == RC_OK) return db_commit(db, f);
    db_rollback(db);
    return r;
}
