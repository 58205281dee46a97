/*
 * test_migrate.c — numbered migrations: a new database reaches the latest version, a second run
 * changes nothing, a database written by a newer sanqu is refused and left untouched, and the
 * audit log refuses UPDATE and DELETE; migration 010 renumbers the rows of the search index.
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
#include "store/migrate.h"

static char dir[64];
static char path[128];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sanqu-unit-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/m.db", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static int64_t scalar(Db *db, const char *sql) {
    int64_t v = -1;
    Fail f = {0};
    db_int(db, &f, &v, sql, NULL);
    fail_clear(&f);
    return v;
}

static void test_fresh_and_idempotent(void **state) {
    (void)state;
    char err[256];
    Db *db = db_open(path, true, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(migrate_apply(db, err, sizeof err), RC_OK);
    assert_int_equal(migrate_current(db), migrate_latest());
    assert_true(migrate_latest() >= 1);
    int64_t objects = scalar(db, "SELECT count(*) FROM sqlite_schema");
    assert_true(objects > 10);
    assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    char mode[16];
    Fail f = {0};
    assert_int_equal(db_text(db, &f, mode, sizeof mode, "PRAGMA journal_mode", NULL), RC_OK);
    assert_string_equal(mode, "wal");
    assert_int_equal(scalar(db, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(migrate_apply(db, err, sizeof err), RC_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema"), objects);
    assert_int_equal(scalar(db, "SELECT count(*) FROM schema_migrations"), migrate_latest());
    db_close(db);
}

static void test_newer_database_refused(void **state) {
    (void)state;
    char err[256];
    Db *db = db_open(path, true, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(migrate_apply(db, err, sizeof err), RC_OK);
    Fail f = {0};
    assert_int_equal(db_run(db, &f, "INSERT INTO schema_migrations(version, name) VALUES (999, '999_future.sql')", NULL), RC_OK);
    int64_t objects = scalar(db, "SELECT count(*) FROM sqlite_schema");
    assert_int_equal(migrate_apply(db, err, sizeof err), RC_CONFLICT);
    assert_non_null(strstr(err, "newer sanqu"));
    assert_non_null(strstr(err, "999"));
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema"), objects);
    assert_int_equal(scalar(db, "SELECT max(version) FROM schema_migrations"), 999);
    db_close(db);
    unlink(path);
}

static void test_audit_append_only(void **state) {
    (void)state;
    char err[256];
    Db *db = db_open(path, true, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(migrate_apply(db, err, sizeof err), RC_OK);
    Fail f = {0};
    assert_int_equal(db_run(db, &f, "INSERT INTO audit_log(action, username) VALUES ('login', 'x')", NULL), RC_OK);
    assert_int_not_equal(db_run(db, &f, "UPDATE audit_log SET username = 'y'", NULL), RC_OK);
    fail_clear(&f);
    assert_int_not_equal(db_run(db, &f, "DELETE FROM audit_log", NULL), RC_OK);
    fail_clear(&f);
    assert_int_equal(scalar(db, "SELECT count(*) FROM audit_log WHERE username = 'x'"), 1);
    db_close(db);
    unlink(path);
}

/* Applies the migrations up to version `to`, as migrate_apply does, to a database at an older
 * schema (a database left by an older release). */
static void apply_to(Db *db, int to) {
    Fail f = {0};
    for (int i = 0; i < migrations_count && migrations[i].version <= to; i++) {
        if (migrations[i].version <= migrate_current(db)) continue;
        assert_int_equal(db_begin(db, &f), RC_OK);
        assert_int_equal(db_exec(db, &f, migrations[i].sql), RC_OK);
        assert_int_equal(db_run(db, &f, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)", "it",
                                (int64_t)migrations[i].version, migrations[i].name), RC_OK);
        assert_int_equal(db_commit(db, &f), RC_OK);
    }
    assert_int_equal(migrate_current(db), to);
}

/* Migration 010: a database of schema 9, whose search rows are numbered the old way (the
 * dossier's id; 10^12 + a comment event's id), comes out with rows numbered by dossier ((2^39 - 1 - id) << 24
 * | the comment's sequence number, newest first) and the same texts, still found by the cjk tokenizer.
 * Migration 012 then keeps the index without its texts: the same rows are found by the same words. */
static void test_search_rows_renumbered(void **state) {
    (void)state;
    char err[256];
    Db *db = db_open(path, true, err, sizeof err);
    assert_non_null(db);
    Fail f = {0};
    assert_true(migrate_current(db) == 0);
    apply_to(db, 9);
    /* The rows alone (no dossier behind them: the index is what is renumbered). */
    assert_int_equal(db_exec(db, &f, "PRAGMA foreign_keys = OFF"), RC_OK);
    assert_int_equal(db_exec(db, &f,
                             "INSERT INTO dossier_events(id, dossier_id, seq, at, action, payload, hash)"
                             " VALUES (55, 7, 3, '2026-01-01T00:00:00Z', 'comment', '{}', x'00'),"
                             " (56, 9, 2, '2026-01-01T00:00:00Z', 'comment', '{}', x'00');"
                             "INSERT INTO dossiers_fts(rowid, text, dossier_id) VALUES (7, '鹭鸶湾路灯维修', 7),"
                             " (9, '排水改造', 9), (1000000000055, '路灯已换', 7), (1000000000056, '鹭鸶湾积水', 9);"),
                     RC_OK);
    apply_to(db, 10);
    assert_int_equal(scalar(db, "SELECT count(*) FROM dossiers_fts"), 4);
    assert_int_equal(scalar(db, "SELECT count(*) FROM dossiers_fts WHERE rowid = ((549755813887 - 7) << 24) AND text = '鹭鸶湾路灯维修' AND dossier_id = 7"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM dossiers_fts WHERE rowid = ((549755813887 - 7) << 24) | 3 AND text = '路灯已换'"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM dossiers_fts WHERE rowid = ((549755813887 - 9) << 24) | 2 AND text = '鹭鸶湾积水'"), 1);
    assert_int_equal(migrate_apply(db, err, sizeof err), RC_OK);
    assert_int_equal(migrate_current(db), migrate_latest());
    /* No copy of the texts is kept (a contentless index: the column reads NULL). */
    assert_int_equal(scalar(db, "SELECT count(*) FROM dossiers_fts WHERE dossiers_fts MATCH '\"维修\"' AND text IS NULL"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('dossiers_fts_content', 'dossiers_fts_docsize')"), 0);
    /* Two-character words are found in the renumbered index, newest dossier first. */
    assert_int_equal(scalar(db, "SELECT count(*) FROM dossiers_fts WHERE dossiers_fts MATCH '\"鹭鸶\"'"), 2);
    assert_int_equal(scalar(db, "SELECT 549755813887 - (rowid >> 24) FROM dossiers_fts WHERE dossiers_fts MATCH '\"鹭鸶\"' ORDER BY rowid LIMIT 1"), 9);
    assert_int_equal(scalar(db, "SELECT count(*) FROM dossiers_fts WHERE dossiers_fts MATCH '\"路灯\"' AND rowid >= ((549755813887 - 7) << 24) AND rowid < ((549755813887 - 6) << 24)"), 2);
    assert_int_equal(scalar(db, "SELECT rowid FROM dossiers_fts WHERE dossiers_fts MATCH '\"积水\"'"), ((549755813887LL - 9) << 24) | 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM dossiers_fts WHERE dossiers_fts MATCH '\"排水\"'"), 1);
    db_close(db);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_and_idempotent),
        cmocka_unit_test(test_newer_database_refused),
        cmocka_unit_test(test_audit_append_only),
        cmocka_unit_test(test_search_rows_renumbered),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
