/*
 * test_auth.c — passwords and sessions in the core: argon2id hashes, generated passwords meet
 * the policy, login creates a session resolved by its token, five failures lock the account until
 * the lock period passes (with lockout and unlock audited), idle and absolute session expiry,
 * and the password change rules.
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
#include "store/db.h"
#include "store/migrate.h"
#include "util/timeutil.h"
#include "util/validate.h"

static char dir[64], path[128];
static Db *db;
static AuthConfig cfg;

static int64_t scalar(const char *sql) {
    int64_t v = -1;
    Fail f = {0};
    db_int(db, &f, &v, sql, NULL);
    fail_clear(&f);
    return v;
}

static int setup(void **state) {
    (void)state;
    setenv("SANQU_PWHASH_MIN", "1", 1);
    if (!crypto_init()) return -1;
    snprintf(dir, sizeof dir, "/tmp/sanqu-auth-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/a.db", dir);
    char err[256];
    db = db_open(path, true, err, sizeof err);
    if (!db || migrate_apply(db, err, sizeof err) != RC_OK) return -1;
    char hash[CRYPTO_PWHASH_LEN];
    if (!crypto_pw_hash("Good#Pass1", hash)) return -1;
    Fail f = {0};
    if (db_run(db, &f, "INSERT INTO orgs(id, kind, name, path) VALUES (1, 'district', 'D', '/1/')", NULL) ||
        db_run(db, &f, "INSERT INTO users(id, username, display_name, role, org_id, pw_hash) VALUES (1, 'u1', 'U', 'town', 1, ?)", "t", hash) ||
        db_run(db, &f, "INSERT INTO users(id, username, display_name, role, org_id, pw_hash) VALUES (2, 'u2', 'U', 'leader', 1, ?)", "t", hash))
        return -1;
    auth_config_defaults(&cfg);
    cfg.ip_lock_failures = 0;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    db_close(db);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void test_hash_and_generate(void **state) {
    (void)state;
    char h[CRYPTO_PWHASH_LEN];
    assert_true(crypto_pw_hash("Abc#12345", h));
    assert_non_null(strstr(h, "$argon2id$"));
    assert_true(crypto_pw_verify(h, "Abc#12345"));
    assert_false(crypto_pw_verify(h, "Abc#12346"));
    for (int i = 0; i < 50; i++) {
        char pw[15];
        crypto_gen_password(pw);
        assert_int_equal(strlen(pw), 14);
        assert_true(val_password_policy(pw));
    }
}

static void test_login_and_session(void **state) {
    (void)state;
    Fail f = {0};
    LoginResult lr;
    assert_int_equal(auth_login(db, &cfg, "u2", "Good#Pass1", "10.0.0.1", &lr, &f), RC_OK);
    assert_int_equal(strlen(lr.token), CRYPTO_TOKEN_LEN);
    assert_string_equal(lr.actor.role, "leader");
    assert_string_equal(lr.actor.scope_lo, "/"); /* district-wide */
    Actor a;
    assert_int_equal(auth_session(db, &cfg, lr.token, &a, &f), RC_OK);
    assert_int_equal(a.user_id, 2);
    assert_string_equal(a.csrf, lr.actor.csrf);
    /* The token is never stored, only its digest. */
    int64_t n = -1;
    assert_int_equal(db_int(db, &f, &n, "SELECT count(*) FROM sessions WHERE digest = ?", "t", lr.token), RC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(auth_session(db, &cfg, "not-a-token", &a, &f), RC_UNAUTHENTICATED);
    fail_clear(&f);
    /* Idle expiry. */
    time_set_offset(cfg.idle_timeout + 5);
    assert_int_equal(auth_session(db, &cfg, lr.token, &a, &f), RC_SESSION_EXPIRED);
    fail_clear(&f);
    time_set_offset(0);
    assert_int_equal(auth_session(db, &cfg, lr.token, &a, &f), RC_UNAUTHENTICATED); /* deleted */
    fail_clear(&f);
    assert_true(scalar("SELECT count(*) FROM audit_log WHERE action = 'login' AND username = 'u2'") >= 1);
}

static void test_lockout(void **state) {
    (void)state;
    Fail f = {0};
    LoginResult lr;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(auth_login(db, &cfg, "u1", "wrong-pass", "10.0.0.2", &lr, &f), RC_BAD_CREDENTIALS);
        fail_clear(&f);
    }
    assert_int_equal(auth_login(db, &cfg, "u1", "wrong-pass", "10.0.0.2", &lr, &f), RC_LOCKED);
    assert_true(lr.locked_until >= time_now() + cfg.lock_period - 2);
    fail_clear(&f);
    assert_int_equal(auth_login(db, &cfg, "u1", "Good#Pass1", "10.0.0.2", &lr, &f), RC_LOCKED);
    fail_clear(&f);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE action = 'lockout'"), 1);
    /* After the lock period the right password works again and the end of the lock is audited. */
    time_set_offset(cfg.lock_period + 1);
    assert_int_equal(auth_login(db, &cfg, "u1", "Good#Pass1", "10.0.0.2", &lr, &f), RC_OK);
    time_set_offset(0);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE action = 'unlock'"), 1);
    /* Unknown users are answered like wrong passwords. */
    assert_int_equal(auth_login(db, &cfg, "nobody", "x", "10.0.0.2", &lr, &f), RC_BAD_CREDENTIALS);
    fail_clear(&f);
}

static void test_change_password(void **state) {
    (void)state;
    Fail f = {0};
    LoginResult lr;
    assert_int_equal(auth_login(db, &cfg, "u2", "Good#Pass1", "10.0.0.3", &lr, &f), RC_OK);
    assert_int_equal(auth_change_password(db, &lr.actor, lr.token, "bad-old", "New#Pass22", &f), RC_VALIDATION);
    fail_clear(&f);
    assert_int_equal(auth_change_password(db, &lr.actor, lr.token, "Good#Pass1", "short", &f), RC_VALIDATION);
    fail_clear(&f);
    assert_int_equal(auth_change_password(db, &lr.actor, lr.token, "Good#Pass1", "New#Pass22", &f), RC_OK);
    assert_int_equal(auth_login(db, &cfg, "u2", "Good#Pass1", "10.0.0.3", &lr, &f), RC_BAD_CREDENTIALS);
    fail_clear(&f);
    assert_int_equal(auth_login(db, &cfg, "u2", "New#Pass22", "10.0.0.3", &lr, &f), RC_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_generate),
        cmocka_unit_test(test_login_and_session),
        cmocka_unit_test(test_lockout),
        cmocka_unit_test(test_change_password),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
