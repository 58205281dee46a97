/*
 * test_fts.c — Chinese full-text search: the `cjk` tokenizer and the query builder. Two-character
 * words (路灯, 消防, 隐患) must be found, as must single characters, longer phrases (as exact
 * substrings, not bags of bigrams), names that run from Chinese into Latin letters and digits, and
 * Latin prefixes in either case or full width.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "store/fts.h"

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
        "INSERT INTO t(rowid, body) VALUES (9, '消防隱患排查');";
    return sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    return sqlite3_close(h);
}

/* Runs the query built from what a user typed; returns the matching rowids as "1,4" etc. */
static const char *search(const char *typed) {
    static char out[128];
    Buf q = BUF_INIT;
    out[0] = 0;
    if (!fts_query(typed, &q)) {
        snprintf(out, sizeof out, "(none)");
        buf_free(&q);
        return out;
    }
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, buf_str(&q), -1, SQLITE_TRANSIENT);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%lld", n ? "," : "", (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    buf_free(&q);
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
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_character_words),
        cmocka_unit_test(test_single_characters),
        cmocka_unit_test(test_phrases_are_substrings),
        cmocka_unit_test(test_mixed_and_latin),
        cmocka_unit_test(test_traditional_and_simplified),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
