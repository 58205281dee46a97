/*
 * test_fts.c — Chinese full-text search: the `cjk` tokenizer and the query builder. Two-character
 * words (路灯, 消防, 隐患) must be found, as must single characters, longer phrases (as exact
 * substrings, not bags of bigrams), names that run from Chinese into Latin letters and digits, and
 * Latin prefixes in either case or full width. The upkeep merges an index's segments without
 * changing what it finds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store/fts.h"
#include "store/migrate.h"

static sqlite3 *h;

static int setup(void **state) {
    (void)state;
    if (sqlite3_open(":memory:", &h) != SQLITE_OK) return -1;
    if (fts_register(h) != SQLITE_OK) return -1;
    const char *sql =
        "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='cjk', prefix='3');"
        "INSERT INTO t(rowid, body) VALUES (1, '西吟头村更换路灯12盏');"
        "INSERT INTO t(rowid, body) VALUES (2, '养老院消防通道整改');"
        "INSERT INTO t(rowid, body) VALUES (3, '张坂工业园重大隐患挂牌督办');"
        "INSERT INTO t(rowid, body) VALUES (4, '泉州恒盛科技有限公司');"
        "INSERT INTO t(rowid, body) VALUES (5, '导入企业甲04ios5k7');"
        "INSERT INTO t(rowid, body) VALUES (6, 'Dingsheng 跨境电商 ABC公司');"
        "INSERT INTO t(rowid, body) VALUES (7, '灯');"
        "INSERT INTO t(rowid, body) VALUES (8, '臺灣同胞短期免費住宿');"
        "INSERT INTO t(rowid, body) VALUES (9, '消防隱患排查');"
        "INSERT INTO t(rowid, body) VALUES (10, '西吟头村修缮祠堂後院');"
        "INSERT INTO t(rowid, body) VALUES (11, '乾隆年间古厝修缮');"
        "INSERT INTO t(rowid, body) VALUES (12, '干部下沉社区');";
    return sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    return sqlite3_close(h);
}

/* Runs sql (one parameter: the MATCH expression built from what a user typed) on db and writes
 * the first column of its rows into out as "1,4"; "(none)" when nothing typed is searchable. */
static void match_rows(sqlite3 *db, const char *sql, const char *typed, char *out, size_t outsz) {
    Buf q = BUF_INIT;
    out[0] = 0;
    if (!fts_query(typed, &q)) {
        snprintf(out, outsz, "(none)");
        buf_free(&q);
        return;
    }
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, buf_str(&q), -1, SQLITE_TRANSIENT);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < outsz - 24)
        n += (size_t)snprintf(out + n, outsz - n, "%s%lld", n ? "," : "", (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    buf_free(&q);
}

/* Runs the query built from what a user typed; returns the matching rowids as "1,4" etc. */
static const char *search(const char *typed) {
    static char out[128];
    match_rows(h, "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", typed, out, sizeof out);
    return out;
}

static void test_two_character_words(void **state) {
    (void)state;
    assert_string_equal(search("路灯"), "1");
    assert_string_equal(search("消防"), "2,9");
    assert_string_equal(search("隐患"), "3,9");   /* 隱患 (traditional) is found too */
    assert_string_equal(search("督办"), "3");
    assert_string_equal(search("灯路"), ""); /* order matters */
}

static void test_single_characters(void **state) {
    (void)state;
    assert_string_equal(search("灯"), "1,7");  /* inside a run and alone */
    assert_string_equal(search("盏"), "1");    /* last character of a run, before nothing */
    assert_string_equal(search("改"), "2");
}

static void test_phrases_are_substrings(void **state) {
    (void)state;
    assert_string_equal(search("恒盛科技"), "4");
    assert_string_equal(search("恒盛科"), "4");
    assert_string_equal(search("恒科"), "");          /* not adjacent */
    assert_string_equal(search("重大隐患挂牌"), "3");
    assert_string_equal(search("更换 路灯"), "1");   /* terms are ANDed */
    assert_string_equal(search("更换 消防"), "");
}

static void test_mixed_and_latin(void **state) {
    (void)state;
    assert_string_equal(search("企业甲04ios"), "5");   /* Chinese running into Latin */
    assert_string_equal(search("04IOS5K7"), "5");      /* case folded */
    assert_string_equal(search("ding"), "6");          /* Latin prefix */
    assert_string_equal(search("ＤＩＮＧ"), "6");      /* full width */
    assert_string_equal(search("abc公司"), "6");
    assert_string_equal(search("12"), "1");
    assert_string_equal(search("!!! ,,,"), "(none)");
    assert_string_equal(search("\"); DROP TABLE t; --"), ""); /* quotes cannot break out */
}

static void test_traditional_and_simplified(void **state) {
    (void)state;
    assert_string_equal(search("台湾"), "8");      /* simplified query, traditional text */
    assert_string_equal(search("臺灣"), "8");      /* traditional query */
    assert_string_equal(search("免费住宿"), "8");
    assert_string_equal(search("消防隱患"), "9");
    assert_string_equal(search("路燈"), "1");      /* traditional query, simplified text */
    /* Simplified text skips the converter (store/fts.c, the map of changed characters): one
     * traditional character among simplified ones is still folded, and a phrase that keeps a
     * character (乾隆, where 乾 alone becomes 干) is still seen whole. */
    assert_string_equal(search("后院"), "10");
    assert_string_equal(search("後院"), "10");
    assert_string_equal(search("修缮"), "10,11");
    assert_string_equal(search("乾隆"), "11");
    assert_string_equal(search("干部"), "12");
}


/* Reads a varint of FTS5's structure record at *i. */
static uint64_t varint(const unsigned char *b, int *i) {
    uint64_t v = 0;
    for (int k = 0; k < 9; k++) {
        unsigned c = b[(*i)++];
        if (k == 8) return (v << 8) | c;
        v = (v << 7) | (c & 0x7f);
        if (!(c & 0x80)) return v;
    }
    return v;
}

/* The segments of dossiers_fts, in all and at its fullest level (from its structure record). */
static void segments(Db *d, int *total, int *widest) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db_handle(d), "SELECT block FROM dossiers_fts_data WHERE id = 10", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *b = sqlite3_column_blob(st, 0);
    int i = 4;
    bool v2 = memcmp(b + 4, "FTS5", 4) == 0;
    if (v2) i += 4;
    int levels = (int)varint(b, &i);
    *total = (int)varint(b, &i);
    varint(b, &i); /* write counter */
    *widest = 0;
    for (int l = 0; l < levels; l++) {
        varint(b, &i); /* segments being merged */
        int n = (int)varint(b, &i);
        if (n > *widest) *widest = n;
        /* Each segment: id, first and last page; a version 2 record adds two origins, the
         * tombstone pages and entries, and the entries. */
        for (int k = 0; k < n; k++)
            for (int x = 0; x < (v2 ? 8 : 3); x++) varint(b, &i);
    }
    sqlite3_finalize(st);
}

/* The dossiers whose rows hold what a user typed, as "3,17" (newest row numbers first; the
 * test's rows are numbered 1000 - dossier). */
static const char *found(Db *d, const char *typed) {
    static char out[256];
    match_rows(db_handle(d), "SELECT 1000 - rowid FROM dossiers_fts WHERE dossiers_fts MATCH ? ORDER BY rowid", typed, out,
               sizeof out);
    return out;
}

static void test_upkeep_merges_segments(void **state) {
    (void)state;
    char dir[] = "/tmp/sanqu-fts-XXXXXX", path[64], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/u.db", dir);
    Db *d = db_open(path, true, err, sizeof err);
    assert_non_null(d);
    assert_int_equal(migrate_apply(d, err, sizeof err), RC_OK);
    /* One transaction per row: a segment each, as writes leave them. FTS5 merges a level by
     * itself once it holds four: three stay apart until the upkeep merges them. */
    static const char *const texts[] = {"西吟头村更换路灯", "排水管网改造", "消防通道整改", "路灯维修进度"};
    Fail f = {0};
    for (int i = 1; i <= 3; i++)
        assert_int_equal(db_run(d, &f, "INSERT INTO dossiers_fts(rowid, text) VALUES (?, ?)", "it",
                                (int64_t)(1000 - i), texts[i % 4]), RC_OK);
    int total, widest, after, widest_after;
    segments(d, &total, &widest);
    assert_int_equal(total, 3);
    assert_int_equal(widest, 3);
    bool worked = true;
    int steps = 0;
    while (worked && steps < 100) {
        assert_int_equal(fts_upkeep_step(d, 64, &worked, &f), RC_OK);
        steps++;
    }
    segments(d, &after, &widest_after);
    assert_int_equal(after, 1);

    /* Many more, merged a few pages at a time: steps until there is nothing left to do; no level
     * keeps two segments, fewer in all, and every search finds what it found before. */
    for (int i = 4; i <= 60; i++)
        assert_int_equal(db_run(d, &f, "INSERT INTO dossiers_fts(rowid, text) VALUES (?, ?)", "it",
                                (int64_t)(1000 - i), texts[i % 4]), RC_OK);
    segments(d, &total, &widest);
    assert_true(widest >= 2);
    char lamps[256], drains[256];
    snprintf(lamps, sizeof lamps, "%s", found(d, "路灯"));
    snprintf(drains, sizeof drains, "%s", found(d, "排水管网"));
    assert_true(isdigit((unsigned char)lamps[0]) && isdigit((unsigned char)drains[0])); /* found, not "(none)" */
    worked = true;
    steps = 0;
    while (worked && steps < 1000) {
        assert_int_equal(fts_upkeep_step(d, 1, &worked, &f), RC_OK);
        steps++;
    }
    assert_false(worked);
    assert_true(steps >= 2);
    segments(d, &after, &widest_after);
    assert_true(after < total);
    assert_int_equal(widest_after, 1);
    assert_string_equal(found(d, "路灯"), lamps);
    assert_string_equal(found(d, "排水管网"), drains);
    /* Nothing to do: no work reported, nothing changed. */
    assert_int_equal(fts_upkeep_step(d, 4, &worked, &f), RC_OK);
    assert_false(worked);

    /* The end of a bulk load: one segment. */
    assert_int_equal(fts_optimize(d, &f), RC_OK);
    segments(d, &after, &widest_after);
    assert_int_equal(after, 1);
    assert_string_equal(found(d, "路灯"), lamps);
    fail_clear(&f);
    db_close(d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_character_words),
        cmocka_unit_test(test_single_characters),
        cmocka_unit_test(test_phrases_are_substrings),
        cmocka_unit_test(test_mixed_and_latin),
        cmocka_unit_test(test_traditional_and_simplified),
        cmocka_unit_test(test_upkeep_merges_segments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
