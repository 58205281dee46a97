/*
 * test_org.c — organisation registry rules (src/core/org.c) on a demo district, with regression
 * tests for what tests/fuzz found: organisations outside every town (town_id bound as 0 broke the
 * foreign key) and credit codes of multi-byte characters (dropped silently, so an enterprise could
 * be stored without one).
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
#include "store/db.h"
#include "store/migrate.h"
#include "store/scope.h"
#include "util/log.h"

static char dir[64], path[128];
static Db *db;
static Actor admin;

static int setup(void **state) {
    (void)state;
    setenv("SANQU_PWHASH_MIN", "1", 1);
    log_set_level(-1);
    if (!crypto_init()) return -1;
    snprintf(dir, sizeof dir, "/tmp/sanqu-org-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/o.db", dir);
    char err[256], key[160];
    db = db_open(path, true, err, sizeof err);
    if (!db || migrate_apply(db, err, sizeof err) != RC_OK) return -1;
    snprintf(key, sizeof key, "%s.key", path);
    if (!crypto_load_key(key)) return -1;
    FILE *acc = fopen("/dev/null", "w");
    Fail f = {0};
    Rc r = demo_build(db, "Org#2026pw", acc, &f);
    fclose(acc);
    fail_clear(&f);
    if (r != RC_OK) return -1;
    int64_t id = 0;
    if (db_int(db, &f, &id, "SELECT id FROM users WHERE username = 'admin'", NULL) != RC_OK) return -1;
    if (auth_load_actor(db, id, &admin, &f) != RC_OK) return -1;
    snprintf(admin.ip, sizeof admin.ip, "local");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    db_close(db);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* Creates an organisation from JSON text as admin; returns the Rc and leaves details in f. */
static Rc create(const char *json, int64_t *id, Fail *f) {
    json_t *in = json_loads(json, 0, NULL);
    assert_non_null(in);
    Rc r = org_create(db, &admin, in, id, f);
    json_decref(in);
    return r;
}

/* True when f has a field error {field, rule}. */
static bool has_error(const Fail *f, const char *field, const char *rule) {
    size_t i;
    json_t *e;
    json_array_foreach(f->errors, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0 &&
            strcmp(json_string_value(json_object_get(e, "rule")), rule) == 0)
            return true;
    }
    return false;
}

/* Kinds that may sit directly under the district have no town: town_id is NULL, not 0. */
static void test_create_outside_town(void **state) {
    (void)state;
    static const char *const bodies[] = {
        "{\"kind\":\"department\",\"name\":\"测试局\",\"parent_id\":1}",
        "{\"kind\":\"park\",\"name\":\"区直园区\",\"parent_id\":1}",
        "{\"kind\":\"resident_unit\",\"name\":\"驻区测试单位\",\"parent_id\":1}",
        "{\"kind\":\"enterprise\",\"name\":\"区直企业\",\"parent_id\":1,\"credit_code\":\"91350521MA2Y3KQH7G\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        Fail f = {0};
        int64_t id = 0;
        Rc r = create(bodies[i], &id, &f);
        if (r != RC_OK) fail_msg("%s: rc %d: %s", bodies[i], r, f.detail);
        int64_t n = -1;
        assert_int_equal(db_int(db, &f, &n, "SELECT count(*) FROM orgs WHERE id = ? AND town_id IS NULL", "i", id), RC_OK);
        assert_int_equal(n, 1);
        fail_clear(&f);
    }
}

/* 18 characters that are not 18 bytes are no credit code: refused, never stored as none. */
static void test_credit_code_multibyte(void **state) {
    (void)state;
    Fail f = {0};
    int64_t id = 0;
    assert_int_equal(create("{\"kind\":\"enterprise\",\"name\":\"甲公司\",\"parent_id\":1,"
                            "\"credit_code\":\"91350521MA32ABC公司\"}", &id, &f), RC_VALIDATION);
    assert_true(has_error(&f, "credit_code", "credit_code"));
    fail_clear(&f);
    /* Longer than 18 characters: one max_length error, no second one. */
    assert_int_equal(create("{\"kind\":\"park\",\"name\":\"乙园区\",\"parent_id\":1,"
                            "\"credit_code\":\"一二三四五六七八九十一二三四五六七八九\"}", &id, &f), RC_VALIDATION);
    assert_true(has_error(&f, "credit_code", "max_length"));
    assert_int_equal(fail_nfields(&f), 1);
    fail_clear(&f);

    const char csv[] = "kind,name,parent,credit_code\nenterprise,甲公司,1,91350521MA32ABC公司\n";
    Buf out = BUF_INIT;
    assert_int_equal(org_import(db, &admin, csv, sizeof csv - 1, true, &out, &f), RC_OK);
    json_t *rep = json_loads(buf_str(&out), 0, NULL);
    assert_non_null(rep);
    assert_int_equal(json_integer_value(json_object_get(rep, "valid")), 0);
    json_t *e = json_array_get(json_object_get(rep, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "credit_code");
    assert_int_equal(json_integer_value(json_object_get(e, "line")), 2);
    json_decref(rep);
    buf_free(&out);
    fail_clear(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_outside_town),
        cmocka_unit_test(test_credit_code_multibyte),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
