/*
 * test_oom.c — allocation-failure injection in the core paths. SQLite's and jansson's allocators
 * are wrapped so that the Nth allocation fails; for every N up to the number of allocations a
 * path makes, the path must return a clean error (or succeed) — never crash, never leak (the
 * sanitizer build checks leaks), and leave the database consistent.
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

#include "core/auth.h"
#include "core/demo.h"
#include "core/org.h"
#include "core/user.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/scope.h"
#include "util/log.h"

static long countdown = -1; /* allocations left before failures start; -1 = never fail */
static long failed_allocs;

static int should_fail(void) {
    if (countdown < 0) return 0;
    if (countdown == 0) {
        failed_allocs++;
        return 1;
    }
    countdown--;
    return 0;
}

/* SQLite allocator wrapper (the size is kept in a header word). */
static void *sq_malloc(int n) {
    if (should_fail()) return NULL;
    int64_t *p = malloc((size_t)n + 8);
    if (!p) return NULL;
    p[0] = n;
    return p + 1;
}
static void sq_free(void *p) {
    if (p) free((int64_t *)p - 1);
}
static void *sq_realloc(void *p, int n) {
    if (should_fail()) return NULL;
    int64_t *q = realloc(p ? (int64_t *)p - 1 : NULL, (size_t)n + 8);
    if (!q) return NULL;
    q[0] = n;
    return q + 1;
}
static int sq_size(void *p) { return p ? (int)((int64_t *)p)[-1] : 0; }
static int sq_roundup(int n) { return (n + 7) & ~7; }
static int sq_init(void *x) { (void)x; return SQLITE_OK; }
static void sq_shutdown(void *x) { (void)x; }

static void *js_malloc(size_t n) { return should_fail() ? NULL : malloc(n); }
static void js_free(void *p) { free(p); }

static char dir[64], path[128];
static Db *db;
static Actor admin;

static int setup(void **state) {
    (void)state;
    static const sqlite3_mem_methods mm = {sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup, sq_init, sq_shutdown, NULL};
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mm) != SQLITE_OK) return -1;
    json_set_alloc_funcs(js_malloc, js_free);
    setenv("SANQU_PWHASH_MIN", "1", 1);
    log_set_level(-1); /* the injected failures are logged as errors: expected here */
    if (!crypto_init()) return -1;
    snprintf(dir, sizeof dir, "/tmp/sanqu-oom-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/o.db", dir);
    char err[256], key[160];
    db = db_open(path, true, err, sizeof err);
    if (!db || migrate_apply(db, err, sizeof err) != RC_OK) return -1;
    snprintf(key, sizeof key, "%s.key", path);
    if (!crypto_load_key(key)) return -1;
    FILE *acc = fopen("/dev/null", "w");
    Fail f = {0};
    Rc r = demo_build(db, "Oom#2026pw", acc, &f);
    fclose(acc);
    fail_clear(&f);
    if (r != RC_OK) return -1;
    memset(&admin, 0, sizeof admin);
    admin.user_id = 1;
    snprintf(admin.username, sizeof admin.username, "admin");
    snprintf(admin.role, sizeof admin.role, "admin");
    admin.caps = role_caps("admin");
    scope_all(&admin);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    countdown = -1;
    db_close(db);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static bool clean_rc(Rc r) { return r == RC_OK || r == RC_UNAVAILABLE || r == RC_INTERNAL; }

static int64_t count_orgs(void) {
    int64_t n = -1;
    Fail f = {0};
    db_int(db, &f, &n, "SELECT count(*) FROM orgs", NULL);
    fail_clear(&f);
    return n;
}

/* Runs op with the Nth allocation failing for N = 0, 1, 2, … until op succeeds untouched. */
static void sweep(const char *what, Rc (*op)(int iteration, Fail *f)) {
    int n;
    for (n = 0; n < 5000; n++) {
        Fail f = {0};
        countdown = n;
        failed_allocs = 0;
        Rc r = op(n, &f);
        countdown = -1;
        if (!clean_rc(r) && r != RC_VALIDATION && r != RC_CONFLICT && r != RC_NOT_FOUND)
            fail_msg("%s: allocation %d failing gave rc %d (%s)", what, n, r, f.detail);
        fail_clear(&f);
        db_rollback(db); /* a failed path must not leave a transaction open; harmless otherwise */
        if (failed_allocs == 0) break; /* ran to completion without reaching the failure point */
    }
    assert_true(n > 3);
    print_message("%s: survived %d injected allocation failures\n", what, n);
}

static Rc op_org_create(int it, Fail *f) {
    char name[64];
    snprintf(name, sizeof name, "内存测试%d", it);
    json_t *in = json_pack("{s:s, s:s, s:i}", "kind", "new_org", "name", name, "parent_id", 2);
    if (!in) return RC_UNAVAILABLE;
    int64_t id = 0;
    Rc r = org_create(db, &admin, in, &id, f);
    json_decref(in);
    return r;
}

static Rc op_org_list(int it, Fail *f) {
    (void)it;
    Buf out = BUF_INIT;
    OrgFilter flt = {.kind = "enterprise", .parent_id = -1, .under = -1, .area_id = -1, .q = "泉州"};
    Rc r = org_list(db, &admin, &flt, 2, 20, &out, f);
    buf_free(&out);
    return r;
}

static Rc op_user_me(int it, Fail *f) {
    (void)it;
    Buf out = BUF_INIT;
    Rc r = user_me(db, &admin, &out, f);
    buf_free(&out);
    return r;
}

static Rc op_login(int it, Fail *f) {
    (void)it;
    AuthConfig cfg;
    auth_config_defaults(&cfg);
    cfg.ip_lock_failures = 0;
    LoginResult lr;
    return auth_login(db, &cfg, "leader", "Oom#2026pw", "127.0.0.9", &lr, f);
}

static void test_org_create(void **state) {
    (void)state;
    int64_t before = count_orgs();
    sweep("org_create", op_org_create);
    int64_t after = count_orgs();
    /* Exactly the successful creates were kept: each name appears once, none half-written. */
    int64_t n = 0;
    Fail f = {0};
    db_int(db, &f, &n, "SELECT count(*) FROM orgs o WHERE name LIKE '内存测试%' AND NOT EXISTS (SELECT 1 FROM audit_log a"
                       " WHERE a.object_type = 'org' AND a.object_id = o.id AND a.action = 'create')", NULL);
    assert_int_equal(n, 0);
    assert_true(after > before);
    char ok[16];
    assert_int_equal(db_text(db, &f, ok, sizeof ok, "PRAGMA integrity_check", NULL), RC_OK);
    assert_string_equal(ok, "ok");
}

static void test_reads_and_login(void **state) {
    (void)state;
    sweep("org_list", op_org_list);
    sweep("user_me", op_user_me);
    sweep("auth_login", op_login);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_org_create),
        cmocka_unit_test(test_reads_and_login),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
