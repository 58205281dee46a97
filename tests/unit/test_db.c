/*
 * test_db.c — the store's statement cache (src/store/db.c). Regression test for what
 * tests/fuzz/fuzz_request found: the list filters assemble many SQL variants, and once a
 * connection had prepared CACHE_SLOTS (256) of them every new statement failed ("statement cache
 * full", a 500 for the rest of the thread's life). A full cache now replaces an idle statement;
 * a running one, or one handed out and not yet released with db_done, keeps working.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "util/log.h"

enum { NTEXTS = 700 };

static char dir[64], path[128];
static Db *db;
static char *texts[NTEXTS]; /* distinct SQL texts; the cache keys them by address, so they live on */

static int setup(void **state) {
    (void)state;
    log_set_level(-1);
    snprintf(dir, sizeof dir, "/tmp/sanqu-db-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/t.db", dir);
    char err[256];
    db = db_open(path, true, err, sizeof err);
    if (!db) return -1;
    Fail f = {0};
    if (db_exec(db, &f, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (3);") != RC_OK) return -1;
    for (int i = 0; i < NTEXTS; i++) {
        texts[i] = malloc(64);
        if (!texts[i]) return -1;
        snprintf(texts[i], 64, "SELECT %d + count(*) FROM t", i);
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    db_close(db);
    for (int i = 0; i < NTEXTS; i++) free(texts[i]);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* Runs texts[i] and checks its answer. */
static void run_text(int i) {
    Fail f = {0};
    int64_t v = -1;
    Rc rc = db_int(db, &f, &v, texts[i], NULL);
    if (rc != RC_OK) fail_msg("statement %d: rc %d: %s", i, rc, f.detail);
    assert_int_equal(v, i + 3);
    fail_clear(&f);
}

static void test_many_statements(void **state) {
    (void)state;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < NTEXTS; i++) run_text(i);
}

static void test_statements_in_use_survive(void **state) {
    (void)state;
    Fail f = {0};
    /* A statement mid-step while hundreds of others are prepared. */
    sqlite3_stmt *running = db_q(db, &f, "SELECT x FROM t ORDER BY x", NULL);
    assert_non_null(running);
    assert_int_equal(sqlite3_step(running), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(running, 0), 1);
    for (int i = 0; i < NTEXTS; i++) run_text(i);
    assert_int_equal(sqlite3_step(running), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(running, 0), 2);
    db_done(running);
    /* One handed out and not yet stepped, while a few others are prepared. */
    sqlite3_stmt *held = db_q(db, &f, "SELECT sum(x) FROM t", NULL);
    assert_non_null(held);
    for (int i = 0; i < 8; i++) run_text(NTEXTS - 1 - i * 37);
    assert_int_equal(sqlite3_step(held), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(held, 0), 6);
    db_done(held);
    fail_clear(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_statements),
        cmocka_unit_test(test_statements_in_use_survive),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
