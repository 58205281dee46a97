/*
 * test_db.c — the store's statement cache (src/store/db.c). Regression test for what
 * tests/fuzz/fuzz_request found: the list filters assemble many SQL variants, and once a
 * connection had prepared CACHE_SLOTS (256) of them every new statement failed ("statement cache
 * full", a 500 for the rest of the thread's life). A full cache now replaces an idle statement;
 * a running one, or one handed out and not yet released with db_done, keeps working.
 *
 * The second group covers group commit (the server's mode): write transactions of several threads
 * run on one shared writer connection and share batches; nested transactions stay savepoints; a
 * rolled-back transaction or a broken deferred foreign key leaves the others of its batch intact;
 * a write outside a transaction goes through the writer and db_changes / db_last_id report it.
 * The flush runs in a thread of its own while the next batch executes: db_commit returns RC_OK
 * only after a flush that began once its COMMIT had been made (tested through a hook that stands
 * in for fdatasync and notes what was committed when it began), and a failed flush fails the
 * commits it covered, not the following ones.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "util/timeutil.h"
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

/* ---- group commit: the shared writer ---------------------------------------------------------- */

enum { THREADS = 6, TXNS = 150 };
static char gdir[64], gpath[128];

static int gsetup(void **state) {
    (void)state;
    log_set_level(-1);
    snprintf(gdir, sizeof gdir, "/tmp/sanqu-dbg-XXXXXX");
    if (!mkdtemp(gdir)) return -1;
    snprintf(gpath, sizeof gpath, "%s/g.db", gdir);
    char err[256];
    Db *d = db_open(gpath, true, err, sizeof err);
    if (!d) return -1;
    Fail f = {0};
    Rc r = db_exec(d, &f, "CREATE TABLE p(id INTEGER PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0);"
                          "CREATE TABLE c(id INTEGER PRIMARY KEY, p INTEGER NOT NULL REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED,"
                          " who INTEGER, k INTEGER, UNIQUE(who, k));"
                          "INSERT INTO p(id) VALUES (1);"
                          "CREATE TABLE dq(who INTEGER, k INTEGER, UNIQUE(who, k));"
                          "CREATE TABLE q(id INTEGER PRIMARY KEY, v TEXT);");
    db_close(d);
    if (r != RC_OK) return -1;
    db_set_group_commit(gpath);
    return 0;
}

static int gteardown(void **state) {
    (void)state;
    db_set_group_commit(NULL);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", gdir);
    return system(cmd);
}

/* One worker: TXNS transactions, each a row of its own, a nested savepoint of which every fifth
 * is rolled back, and every seventh transaction rolled back whole; also a write outside any
 * transaction. Reads its own rows back on its own connection after each commit. Each
 * transaction also queues a row of dq for its batch's commit (db_run_at_commit), and one more in
 * its nested savepoint (k + 100000). */
static void *writer_thread(void *arg) {
    int who = (int)(intptr_t)arg;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    if (!d) return (void *)"open failed";
    const char *bad = NULL;
    for (int k = 0; k < TXNS && !bad; k++) {
        Fail f = {0};
        if (db_begin(d, &f) != RC_OK) { bad = "begin"; break; }
        if (db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, ?, ?)", "ii", (int64_t)who, (int64_t)k) != RC_OK) bad = "insert";
        int64_t id = db_last_id(d);
        if (!bad && db_changes(d) != 1) bad = "changes in a transaction";
        if (!bad && db_run_at_commit(d, &f, k, "INSERT INTO dq(who, k) VALUES (?, ?)", "ii", (int64_t)who, (int64_t)k) != RC_OK)
            bad = "queue";
        if (!bad && db_begin(d, &f) != RC_OK) bad = "savepoint";
        if (!bad && db_run(d, &f, "UPDATE p SET n = n + 1 WHERE id = 1", NULL) != RC_OK) bad = "update";
        if (!bad && db_run_at_commit(d, &f, k, "INSERT INTO dq(who, k) VALUES (?, ?)", "ii", (int64_t)who, (int64_t)k + 100000) != RC_OK)
            bad = "queue in a savepoint";
        if (!bad && k % 5 == 0) db_rollback(d);
        else if (!bad && db_commit(d, &f) != RC_OK) bad = "release";
        if (bad) { db_rollback(d); fail_clear(&f); break; }
        if (k % 7 == 3) {
            db_rollback(d);
        } else {
            if (db_commit(d, &f) != RC_OK) { bad = "commit"; fail_clear(&f); break; }
            if (db_last_id(d) != id) bad = "last id after commit";
            int64_t v = 0;
            if (!bad && (db_int(d, &f, &v, "SELECT count(*) FROM c WHERE id = ? AND who = ?", "ii", id, (int64_t)who) != RC_OK || v != 1))
                bad = "own write not visible after commit";
        }
        fail_clear(&f);
    }
    Fail f = {0};
    if (!bad && db_run(d, &f, "UPDATE c SET k = k WHERE who = ?", "i", (int64_t)who) != RC_OK) bad = "autocommit write";
    if (!bad && db_changes(d) != TXNS - (TXNS + 3) / 7) bad = "changes of an autocommit write";
    fail_clear(&f);
    db_close(d);
    return (void *)bad;
}

static void test_shared_writer(void **state) {
    (void)state;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) assert_int_equal(pthread_create(&t[i], NULL, writer_thread, (void *)(intptr_t)(i + 1)), 0);
    for (int i = 0; i < THREADS; i++) {
        void *bad = NULL;
        pthread_join(t[i], &bad);
        if (bad) fail_msg("thread %d: %s", i + 1, (const char *)bad);
    }
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    assert_non_null(d);
    Fail f = {0};
    int64_t rows = 0, n = 0;
    int kept = TXNS - (TXNS + 3) / 7; /* k % 7 == 3 rolled back */
    int bumps = 0;
    for (int k = 0; k < TXNS; k++)
        if (k % 7 != 3 && k % 5 != 0) bumps++;
    assert_int_equal(db_int(d, &f, &rows, "SELECT count(*) FROM c", NULL), RC_OK);
    assert_int_equal(rows, (int64_t)THREADS * kept);
    assert_int_equal(db_int(d, &f, &n, "SELECT n FROM p WHERE id = 1", NULL), RC_OK);
    assert_int_equal(n, (int64_t)THREADS * bumps);
    /* Queued rows: those of committed transactions, minus those of rolled-back savepoints. */
    assert_int_equal(db_int(d, &f, &n, "SELECT count(*) FROM dq WHERE k < 100000", NULL), RC_OK);
    assert_int_equal(n, (int64_t)THREADS * kept);
    assert_int_equal(db_int(d, &f, &n, "SELECT count(*) FROM dq WHERE k >= 100000", NULL), RC_OK);
    assert_int_equal(n, (int64_t)THREADS * bumps);
    assert_int_equal(db_int(d, &f, &n, "SELECT count(*) FROM dq WHERE (k % 100000) % 7 = 3 OR (k >= 100000 AND k % 5 = 0)", NULL), RC_OK);
    assert_int_equal(n, 0);
    char ok[32];
    assert_int_equal(db_text(d, &f, ok, sizeof ok, "PRAGMA integrity_check", NULL), RC_OK);
    assert_string_equal(ok, "ok");
    fail_clear(&f);
    db_close(d);
}

/* A transaction that leaves a deferred foreign key broken is refused alone (409), and a
 * constraint error does not end the transaction of the handle. */
static void test_shared_deferred_fk(void **state) {
    (void)state;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    assert_non_null(d);
    Fail f = {0};
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (999, 100, 1)", NULL), RC_OK);
    assert_int_equal(db_commit(d, &f), RC_CONFLICT);
    fail_clear(&f);
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 100, 2)", NULL), RC_OK);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 100, 2)", NULL), RC_CONFLICT);
    fail_clear(&f);
    assert_int_equal(db_commit(d, &f), RC_OK);
    int64_t v = 0;
    assert_int_equal(db_int(d, &f, &v, "SELECT count(*) FROM c WHERE who = 100", NULL), RC_OK);
    assert_int_equal(v, 1);
    /* A write outside a transaction that fails reports its error and leaves no transaction open. */
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 100, 2)", NULL), RC_CONFLICT);
    fail_clear(&f);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 100, 3)", NULL), RC_OK);
    assert_int_equal(db_changes(d), 1);
    fail_clear(&f);
    db_close(d);
}

/* ---- group commit: the flusher -------------------------------------------------------------- */

/* The hook standing in for fdatasync: notes the last row committed when the flush began (a
 * connection of its own sees every committed batch), sleeps like a slow disk so that batches run
 * during flushes, then flushes and publishes that row as durable. */
static sqlite3 *probe;                 /* the hook's connection (used by the flusher thread only) */
static atomic_llong durable_max;       /* rows of c up to this id are covered by a finished flush */
static atomic_int flushes;             /* flushes made */
static atomic_int flushes_begun;       /* flushes begun */
static atomic_int fail_flushes;        /* the next this many flushes fail */
static atomic_int flush_sleep_us = 1000;

static int probe_flush(int fd) {
    atomic_fetch_add(&flushes_begun, 1);
    sqlite3_stmt *st = NULL;
    long long seen = -1;
    if (sqlite3_prepare_v2(probe, "SELECT coalesce(max(id), 0) FROM c", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        seen = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    struct timespec ts = {0, (long)atomic_load(&flush_sleep_us) * 1000};
    nanosleep(&ts, NULL);
    atomic_fetch_add(&flushes, 1);
    if (atomic_load(&fail_flushes) > 0) {
        atomic_fetch_sub(&fail_flushes, 1);
        return -1;
    }
    int rc = fdatasync(fd);
    if (rc == 0 && seen >= 0) atomic_store(&durable_max, seen);
    return rc;
}

static void probe_on(void) {
    assert_int_equal(sqlite3_open_v2(gpath, &probe, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    atomic_store(&durable_max, 0);
    atomic_store(&flushes, 0);
    atomic_store(&flushes_begun, 0);
    db_set_flush_hook(probe_flush);
}

static void probe_off(void) {
    db_set_flush_hook(NULL);
    sqlite3_close(probe);
    probe = NULL;
}

enum { FTHREADS = 8, FTXNS = 60 };

/* One worker: FTXNS transactions of one row each; after each RC_OK the row must be covered by a
 * flush that has ended. */
static void *flush_thread_main(void *arg) {
    int who = (int)(intptr_t)arg;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    if (!d) return (void *)"open failed";
    const char *bad = NULL;
    for (int k = 0; k < FTXNS && !bad; k++) {
        Fail f = {0};
        if (db_begin(d, &f) != RC_OK) bad = "begin";
        else if (db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, ?, ?)", "ii", (int64_t)who, (int64_t)k) != RC_OK) {
            bad = "insert";
            db_rollback(d);
        } else {
            int64_t id = db_last_id(d);
            if (db_commit(d, &f) != RC_OK) bad = "commit";
            else if (id > atomic_load(&durable_max)) bad = "db_commit returned before a flush covered the commit";
        }
        fail_clear(&f);
    }
    db_close(d);
    return (void *)bad;
}

static void test_commit_waits_for_its_flush(void **state) {
    (void)state;
    /* A handle open throughout, so that the writer (and the flusher) live across the threads. */
    char err[256];
    Db *keep = db_open(gpath, false, err, sizeof err);
    assert_non_null(keep);
    probe_on();
    pthread_t t[FTHREADS];
    for (int i = 0; i < FTHREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, flush_thread_main, (void *)(intptr_t)(300 + i)), 0);
    for (int i = 0; i < FTHREADS; i++) {
        void *bad = NULL;
        pthread_join(t[i], &bad);
        if (bad) fail_msg("thread %d: %s", i, (const char *)bad);
    }
    /* Commits shared flushes: with a 1 ms flush, eight threads cannot each have had their own. */
    int n = atomic_load(&flushes);
    assert_true(n > 0);
    assert_true(n < FTHREADS * FTXNS);
    probe_off();
    Fail f = {0};
    int64_t rows = 0;
    assert_int_equal(db_int(keep, &f, &rows, "SELECT count(*) FROM c WHERE who BETWEEN 300 AND 399", NULL), RC_OK);
    assert_int_equal(rows, FTHREADS * FTXNS);
    db_close(keep);
}

/* A commit made while a flush runs, with no other writer to end its batch, is committed by the
 * flusher when that flush ends, and acknowledged after the next one. */
static void *one_commit(void *arg) {
    Db *d = arg;
    Fail f = {0};
    Rc r = db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 400, (SELECT count(*) FROM c WHERE who = 400))", NULL);
    fail_clear(&f);
    return (void *)(intptr_t)r;
}

static void test_batch_left_open_during_a_flush(void **state) {
    (void)state;
    char err[256];
    Db *a = db_open(gpath, false, err, sizeof err), *b = db_open(gpath, false, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    probe_on();
    atomic_store(&flush_sleep_us, 50000);
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, one_commit, a), 0);
    struct timespec ts = {0, 100000};
    while (atomic_load(&flushes_begun) == 0) nanosleep(&ts, NULL); /* a's flush is running */
    assert_int_equal(pthread_create(&tb, NULL, one_commit, b), 0);
    void *ra = NULL, *rb = NULL;
    pthread_join(ta, &ra);
    pthread_join(tb, &rb);
    assert_int_equal((int)(intptr_t)ra, RC_OK);
    assert_int_equal((int)(intptr_t)rb, RC_OK);
    assert_int_equal(atomic_load(&flushes), 2);
    atomic_store(&flush_sleep_us, 1000);
    probe_off();
    db_close(a);
    db_close(b);
}

/* A failed flush fails the commits it covered (503), and the next commit is flushed anew. */
static void test_failed_flush(void **state) {
    (void)state;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    assert_non_null(d);
    probe_on();
    atomic_store(&fail_flushes, 1);
    Fail f = {0};
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 500, 1)", NULL), RC_UNAVAILABLE);
    fail_clear(&f);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 500, 2)", NULL), RC_OK);
    fail_clear(&f);
    assert_int_equal(atomic_load(&flushes), 2);
    probe_off();
    db_close(d);
}

/* Held writes (the server's): the first commit of a request stays open on the writer, where
 * the thread reads it back while other connections do not see it; a later transaction nests in
 * it (its rollback, or its broken deferred foreign key, refuses it alone); db_hold_end returns at
 * once, and the callback comes after a flush that covers the work, or with false when the flush
 * fails. A request that wrote nothing is DB_HOLD_NONE. */
typedef struct Durable {
    atomic_int calls, ok;
    atomic_llong covered; /* durable_max when called back */
} Durable;

static void durable_cb(void *ctx, bool ok) {
    Durable *x = ctx;
    atomic_store(&x->ok, ok);
    atomic_store(&x->covered, atomic_load(&durable_max));
    atomic_fetch_add(&x->calls, 1);
}

static void wait_called(Durable *x) {
    struct timespec ts = {0, 1000000};
    for (int i = 0; i < 5000 && atomic_load(&x->calls) == 0; i++) nanosleep(&ts, NULL);
    assert_int_equal(atomic_load(&x->calls), 1);
}

static int64_t raw_count(sqlite3 *raw, int k_below) {
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(raw, "SELECT count(*) FROM c WHERE who = 810 AND k < ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int(st, 1, k_below);
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

static void test_held_writes(void **state) {
    (void)state;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    assert_non_null(d);
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open_v2(gpath, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    probe_on();
    Fail f = {0};
    int64_t v = -1;
    Durable none = {0};
    db_hold_begin();
    assert_int_equal(db_int(d, &f, &v, "SELECT count(*) FROM c", NULL), RC_OK);
    assert_false(db_holding());
    assert_int_equal(db_hold_end(durable_cb, &none), DB_HOLD_NONE);

    db_hold_begin();
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 810, 1)", NULL), RC_OK);
    assert_int_equal(db_commit(d, &f), RC_OK);
    assert_true(db_holding());
    assert_int_equal(db_int(d, &f, &v, "SELECT count(*) FROM c WHERE who = 810", NULL), RC_OK);
    assert_int_equal(v, 1);
    assert_int_equal(raw_count(raw, 100), 0);
    /* A later transaction rolled back, and one that breaks a deferred key: refused alone. */
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 810, 2)", NULL), RC_OK);
    db_rollback(d);
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (999, 810, 3)", NULL), RC_OK);
    assert_int_equal(db_commit(d, &f), RC_CONFLICT);
    fail_clear(&f);
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 810, 4)", NULL), RC_OK);
    int64_t last = db_last_id(d);
    assert_int_equal(db_commit(d, &f), RC_OK);
    assert_int_equal(db_int(d, &f, &v, "SELECT count(*) FROM c WHERE who = 810", NULL), RC_OK);
    assert_int_equal(v, 2);
    assert_int_equal(raw_count(raw, 100), 0);
    Durable x = {0};
    assert_int_equal(db_hold_end(durable_cb, &x), DB_HOLD_PENDING);
    assert_false(db_holding());
    wait_called(&x);
    assert_int_equal(atomic_load(&x.ok), 1);
    assert_true(atomic_load(&x.covered) >= last);
    assert_int_equal(raw_count(raw, 100), 2);
    assert_int_equal(atomic_load(&none.calls), 0);

    /* A held write outside a transaction whose flush fails: called back with false. */
    atomic_store(&fail_flushes, 1);
    db_hold_begin();
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 810, 5)", NULL), RC_OK);
    assert_true(db_holding());
    Durable y = {0};
    assert_int_equal(db_hold_end(durable_cb, &y), DB_HOLD_PENDING);
    wait_called(&y);
    assert_int_equal(atomic_load(&y.ok), 0);
    fail_clear(&f);
    probe_off();
    sqlite3_close(raw);
    db_close(d);
}

/* An idle server gives its connections' page caches back (db_release_memory), and the writer's
 * unless another thread holds it. */
static void test_release_memory(void **state) {
    (void)state;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    assert_non_null(d);
    Fail f = {0};
    assert_int_equal(db_run(d, &f, "INSERT INTO q(v) SELECT zeroblob(3000) FROM c", NULL), RC_OK);
    int64_t n = 0;
    assert_int_equal(db_int(d, &f, &n, "SELECT sum(length(v)) FROM q", NULL), RC_OK);
    int cur = 0, hi = 0;
    assert_int_equal(sqlite3_db_status(db_handle(d), SQLITE_DBSTATUS_CACHE_USED, &cur, &hi, 0), SQLITE_OK);
    assert_true(cur > 100 * 1024);
    db_release_memory(d);
    int after = 0;
    assert_int_equal(sqlite3_db_status(db_handle(d), SQLITE_DBSTATUS_CACHE_USED, &after, &hi, 0), SQLITE_OK);
    assert_true(after < cur / 4);
    /* The writer: given back when free, skipped (without waiting) while this thread holds it. */
    db_release_writer_memory();
    assert_int_equal(db_begin(d, &f), RC_OK);
    db_release_writer_memory();
    assert_int_equal(db_run(d, &f, "DELETE FROM q", NULL), RC_OK);
    assert_int_equal(db_commit(d, &f), RC_OK);
    fail_clear(&f);
    db_close(d);
}

/* db_run_at_commit: queued statements run when the batch commits, in ascending order, not
 * before (the transaction does not see them); a rolled-back savepoint drops its own; one that
 * fails at the commit fails the batch, so nothing of the transaction is kept. */
static void test_run_at_commit(void **state) {
    (void)state;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    assert_non_null(d);
    Fail f = {0};
    int64_t n = -1;
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run_at_commit(d, &f, 30, "INSERT INTO q(id, v) VALUES (?, ?)", "it", (int64_t)3, "c"), RC_OK);
    assert_int_equal(db_run_at_commit(d, &f, 10, "INSERT INTO q(id, v) VALUES (?, ?)", "it", (int64_t)1, "a"), RC_OK);
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run_at_commit(d, &f, 20, "INSERT INTO q(id, v) VALUES (?, ?)", "it", (int64_t)9, "x"), RC_OK);
    db_rollback(d);
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run_at_commit(d, &f, 20, "INSERT INTO q(id, v) VALUES (?, ?)", "it", (int64_t)2, "b"), RC_OK);
    assert_int_equal(db_commit(d, &f), RC_OK);
    assert_int_equal(db_int(d, &f, &n, "SELECT count(*) FROM q", NULL), RC_OK);
    assert_int_equal(n, 0); /* not yet */
    assert_int_equal(db_commit(d, &f), RC_OK);
    char got[16];
    assert_int_equal(db_text(d, &f, got, sizeof got, "SELECT group_concat(v, '') FROM (SELECT v FROM q ORDER BY id)", NULL), RC_OK);
    assert_string_equal(got, "abc");

    /* Rolled back whole: nothing. */
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run_at_commit(d, &f, 1, "INSERT INTO q(id, v) VALUES (?, ?)", "it", (int64_t)4, "z"), RC_OK);
    db_rollback(d);
    assert_int_equal(db_int(d, &f, &n, "SELECT count(*) FROM q", NULL), RC_OK);
    assert_int_equal(n, 3);

    /* Failing at the commit (row 1 exists): the transaction is not kept. */
    assert_int_equal(db_begin(d, &f), RC_OK);
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 600, 1)", NULL), RC_OK);
    assert_int_equal(db_run_at_commit(d, &f, 1, "INSERT INTO q(id, v) VALUES (?, ?)", "it", (int64_t)1, "dup"), RC_OK);
    assert_int_equal(db_commit(d, &f), RC_UNAVAILABLE);
    fail_clear(&f);
    assert_int_equal(db_int(d, &f, &n, "SELECT count(*) FROM c WHERE who = 600", NULL), RC_OK);
    assert_int_equal(n, 0);
    /* Outside a transaction it runs at once. */
    assert_int_equal(db_run_at_commit(d, &f, 1, "INSERT INTO q(id, v) VALUES (?, ?)", "it", (int64_t)5, "e"), RC_OK);
    assert_int_equal(db_int(d, &f, &n, "SELECT count(*) FROM q", NULL), RC_OK);
    assert_int_equal(n, 4);
    /* Equal orders run in the order they were queued (ids given by the insert). */
    assert_int_equal(db_begin(d, &f), RC_OK);
    for (int i = 0; i < 40; i++) {
        char v[8];
        snprintf(v, sizeof v, "%c", 'A' + i % 26);
        assert_int_equal(db_run_at_commit(d, &f, 7, "INSERT INTO q(v) VALUES (?)", "t", v), RC_OK);
    }
    assert_int_equal(db_commit(d, &f), RC_OK);
    char seq[64];
    assert_int_equal(db_text(d, &f, seq, sizeof seq, "SELECT group_concat(v, '') FROM (SELECT v FROM q WHERE id > 5 ORDER BY id)", NULL), RC_OK);
    assert_string_equal(seq, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMN");
    fail_clear(&f);
    db_close(d);
}

/* A database reached through a symbolic link: SQLite keeps the WAL beside the linked file, and
 * the flusher must sync that one (it synced "link-wal", which does not exist: every write 503). */
static void test_linked_database(void **state) {
    (void)state;
    char link[160];
    snprintf(link, sizeof link, "%s/link.db", gdir);
    assert_int_equal(symlink(gpath, link), 0);
    db_set_group_commit(link);
    char err[256];
    Db *d = db_open(link, false, err, sizeof err);
    assert_non_null(d);
    Fail f = {0};
    assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 700, 1)", NULL), RC_OK);
    fail_clear(&f);
    db_close(d);
    db_set_group_commit(gpath);
    unlink(link);
}

/* Under steady reads the WAL never finds a moment without a reader of its frames, so the writer
 * cannot start it again from its beginning; the checkpoint thread empties it once it is past the
 * limit (db_set_wal_limit). Without that, this test's WAL grows to the whole ~48 MB written. */
static atomic_bool reading;
static int no_sync(int fd) { (void)fd; return 0; }

static atomic_int reader_pause_us; /* between two reads: 0, or like the requests of a server */

static void *reader_main(void *arg) {
    (void)arg;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    if (!d) return (void *)"open failed";
    while (atomic_load(&reading)) {
        Fail f = {0};
        int64_t n = 0;
        db_int(d, &f, &n, "SELECT count(*) FROM c", NULL);
        fail_clear(&f);
        if (atomic_load(&reader_pause_us)) usleep((useconds_t)atomic_load(&reader_pause_us));
    }
    db_close(d);
    return NULL;
}

/* A WAL test's set-up: no fsync, the TRUNCATE checkpoint past limit frames, and two readers
 * reading (pause_us between two reads). Returns the handle to write with. */
static Db *wal_test_begin(int limit, int pause_us, pthread_t rt[2]) {
    db_set_flush_hook(no_sync);
    db_set_wal_limit(limit);
    atomic_store(&reader_pause_us, pause_us);
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    assert_non_null(d);
    atomic_store(&reading, true);
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&rt[i], NULL, reader_main, NULL), 0);
    return d;
}

static void wal_readers_stop(pthread_t rt[2]) {
    atomic_store(&reading, false);
    for (int i = 0; i < 2; i++) pthread_join(rt[i], NULL);
    atomic_store(&reader_pause_us, 0);
}

static void wal_test_end(Db *d) {
    Fail f = {0};
    assert_int_equal(db_run(d, &f, "DELETE FROM pad", NULL), RC_OK);
    fail_clear(&f);
    db_close(d);
    db_set_wal_limit(0);
    db_set_flush_hook(NULL);
}

static void test_wal_stays_bounded(void **state) {
    (void)state;
    pthread_t rt[2];
    Db *d = wal_test_begin(2000, 0, rt); /* ~8 MB of 4 KiB pages */
    Fail f = {0};
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", gpath);
    struct stat sb = {0};
    /* 3,000 transactions of ~5 pages write ~60 MB of frames; then the WAL must be under 24 MB
     * (three times its limit). On a machine busy with other disk work a TRUNCATE checkpoint can
     * still be under way when the 3,000th commits, so writing and reading go on for up to 30 s
     * more until it is; without the TRUNCATE the WAL only grows and the test fails. */
    int64_t deadline = 0;
    for (int k = 0;; k++) {
        assert_int_equal(db_begin(d, &f), RC_OK);
        assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, -1, ?)", "i", (int64_t)k), RC_OK);
        assert_int_equal(db_run(d, &f, "UPDATE c SET who = -1 - length(zeroblob(16000)) WHERE id = ?", "i", db_last_id(d)), RC_OK);
        assert_int_equal(db_run(d, &f, "CREATE TABLE IF NOT EXISTS pad(b BLOB)", NULL), RC_OK);
        assert_int_equal(db_run(d, &f, "INSERT INTO pad(b) VALUES (zeroblob(16000))", NULL), RC_OK);
        assert_int_equal(db_commit(d, &f), RC_OK);
        if (k < 3000) continue;
        assert_int_equal(stat(wal, &sb), 0);
        if (sb.st_size <= 24 * 1024 * 1024) break;
        if (!deadline) deadline = time_mono_us() + 30 * 1000000;
        if (time_mono_us() > deadline) break;
        assert_int_equal(db_run(d, &f, "DELETE FROM pad", NULL), RC_OK);
    }
    wal_readers_stop(rt);
    fail_clear(&f);
    if (sb.st_size > 24 * 1024 * 1024) fail_msg("the WAL grew to %lld bytes", (long long)sb.st_size);
    wal_test_end(d);
}

/* Writes run by one thread for others (the server's write thread): while more are queued the
 * batch stays open for them; when the last has run, even one that wrote nothing, the batch is
 * ended and every held write of it becomes durable. */
static void test_queued_writes(void **state) {
    (void)state;
    char err[256];
    Db *d = db_open(gpath, false, err, sizeof err);
    assert_non_null(d);
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open_v2(gpath, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    Fail f = {0};
    db_writes_queued(1);
    db_writes_queued(1);
    db_writes_queued(1);
    Durable x[2] = {{0}};
    for (int i = 0; i < 2; i++) {
        db_hold_begin();
        assert_int_equal(db_run(d, &f, "INSERT INTO c(p, who, k) VALUES (1, 810, ?)", "i", (int64_t)(20 + i)), RC_OK);
        assert_int_equal(db_hold_end(durable_cb, &x[i]), DB_HOLD_PENDING);
        db_writes_queued(-1);
    }
    /* Two have run and one is queued: the batch waits for it. */
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
    assert_int_equal(atomic_load(&x[0].calls) + atomic_load(&x[1].calls), 0);
    assert_int_equal(raw_count(raw, 100) - raw_count(raw, 20), 0);
    /* The last writes nothing (refused before its transaction). */
    db_hold_begin();
    assert_int_equal(db_hold_end(durable_cb, NULL), DB_HOLD_NONE);
    db_writes_queued(-1);
    for (int i = 0; i < 2; i++) {
        wait_called(&x[i]);
        assert_int_equal(atomic_load(&x[i].ok), 1);
    }
    assert_int_equal(raw_count(raw, 100) - raw_count(raw, 20), 2);
    assert_int_equal(db_run(d, &f, "DELETE FROM c WHERE who = 810 AND k IN (20, 21)", NULL), RC_OK);
    fail_clear(&f);
    sqlite3_close(raw);
    db_close(d);
}

/* The WAL's checkpoint sequence number (its header, bytes 12–15, big-endian): one more each time
 * the WAL starts again from its beginning. */
static uint32_t wal_restarts(const char *wal) {
    unsigned char h[16] = {0};
    FILE *fp = fopen(wal, "rb");
    if (!fp) return 0;
    size_t n = fread(h, 1, sizeof h, fp);
    fclose(fp);
    return n == sizeof h ? (uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 | (uint32_t)h[14] << 8 | h[15] : 0;
}

/* Under a steady stream of write transactions and reads that come and go (as requests do), the
 * writer starts the WAL again from its beginning (restart_wanted in db.c) instead of letting it
 * grow to the TRUNCATE limit, which is set out of reach here. Without that, it never starts again
 * (checked): every transaction begins before the checkpointer has copied back the last one. */
static void test_wal_starts_again(void **state) {
    (void)state;
    pthread_t rt[2];
    Db *d = wal_test_begin(1 << 30, 200, rt);
    Fail f = {0};
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", gpath);
    /* Transactions of ~5 pages: the WAL passes 4,000 frames every ~800. Two starts again are
     * asked for; a machine busy with other disk work gets up to 60 s. */
    uint32_t first = wal_restarts(wal), now = first;
    int64_t deadline = time_mono_us() + 60 * 1000000;
    for (int k = 0; now - first < 2 && time_mono_us() < deadline; k++) {
        assert_int_equal(db_begin(d, &f), RC_OK);
        assert_int_equal(db_run(d, &f, "CREATE TABLE IF NOT EXISTS pad(b BLOB)", NULL), RC_OK);
        assert_int_equal(db_run(d, &f, "INSERT INTO pad(b) VALUES (zeroblob(16000))", NULL), RC_OK);
        assert_int_equal(db_commit(d, &f), RC_OK);
        if (k % 500 == 499) assert_int_equal(db_run(d, &f, "DELETE FROM pad", NULL), RC_OK);
        if (k % 100 == 99) now = wal_restarts(wal);
    }
    wal_readers_stop(rt);
    fail_clear(&f);
    if (now - first < 2) fail_msg("the WAL started again %u times", (unsigned)(now - first));
    wal_test_end(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_statements),
        cmocka_unit_test(test_statements_in_use_survive),
    };
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_shared_writer),
        cmocka_unit_test(test_shared_deferred_fk),
        cmocka_unit_test(test_commit_waits_for_its_flush),
        cmocka_unit_test(test_batch_left_open_during_a_flush),
        cmocka_unit_test(test_failed_flush),
        cmocka_unit_test(test_held_writes),
        cmocka_unit_test(test_queued_writes),
        cmocka_unit_test(test_release_memory),
        cmocka_unit_test(test_run_at_commit),
        cmocka_unit_test(test_linked_database),
        cmocka_unit_test(test_wal_stays_bounded),
        cmocka_unit_test(test_wal_starts_again),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    return rc | cmocka_run_group_tests(shared, gsetup, gteardown);
}
