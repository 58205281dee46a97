/*
 * fuzz_org_import.c — libFuzzer target for the organisation CSV import, org_import
 * (src/core/org.c), on the demo district.
 *
 * The input is the CSV body. The importing user is chosen by the input's size among the accounts
 * that may write organisations (admin for the whole district; two town cadres limited to their
 * towns), so the scope rules for "parent" are exercised too. Each input runs as a dry run; when
 * that finds no error the same CSV is imported for real, and the database is then restored.
 * Properties checked, beyond ASan and UBSan:
 *   - the dry run succeeds with a report {dry_run:true, rows, valid, created:0, errors:[…]} where
 *     0 <= valid <= rows and every error has a line within the input, a field and a rule;
 *   - a dry run changes nothing (organisations, audit rows);
 *   - the real import agrees with the dry run: with errors it answers RC_VALIDATION with the same
 *     errors and changes nothing; without, it creates exactly `valid` organisations, with one audit
 *     row, and leaves the registry consistent (fuzz_env_require_consistent);
 *   - the connection is idle afterwards (no open transaction, no statement left mid-step).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth.h"
#include "core/org.h"
#include "fuzz.h"

static FuzzEnv *env;
static Actor actors[3];
enum { NACTORS = sizeof actors / sizeof actors[0] };

/* Organisation count, largest organisation id and audit row count, to see that nothing changed. */
typedef struct Counts {
    int64_t orgs, max_id, audit;
} Counts;

static Counts counts(void) {
    Counts c = {0, 0, 0};
    Fail f = {0};
    REQUIRE(db_int(env->db, &f, &c.orgs, "SELECT count(*) FROM orgs", NULL) == RC_OK);
    REQUIRE(db_int(env->db, &f, &c.max_id, "SELECT coalesce(max(id), 0) FROM orgs", NULL) == RC_OK);
    REQUIRE(db_int(env->db, &f, &c.audit, "SELECT count(*) FROM audit_log", NULL) == RC_OK);
    fail_clear(&f);
    return c;
}

/* Loads the actor for a demo user name. */
static void load_actor(Actor *a, const char *username) {
    Fail f = {0};
    int64_t id = 0;
    REQUIRE(db_int(env->db, &f, &id, "SELECT id FROM users WHERE username = ?", "t", username) == RC_OK);
    REQUIRE(auth_load_actor(env->db, id, a, &f) == RC_OK);
    REQUIRE(a->caps & CAP_ORG_WRITE);
    snprintf(a->ip, sizeof a->ip, "127.0.0.1");
    fail_clear(&f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    env = fuzz_env_init(false);
    load_actor(&actors[0], "admin");
    load_actor(&actors[1], "town");
    load_actor(&actors[2], "cadre02");
    fuzz_env_snapshot(env);
    return 0;
}

/* Number of lines in the input (1 + LF bytes). */
static int line_count(const uint8_t *data, size_t size) {
    int n = 1;
    for (size_t i = 0; i < size; i++) n += data[i] == '\n';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *csv = (const char *)data;
    const Actor *a = &actors[size % NACTORS];
    int lines = line_count(data, size);
    Counts before = counts();

    Buf out = BUF_INIT;
    Fail f = {0};
    Rc rc = org_import(env->db, a, csv, size, true, &out, &f);
    if (rc != RC_OK) fprintf(stderr, "dry run: rc %d: %s\n", rc, f.detail);
    REQUIRE(rc == RC_OK && f.rc == RC_OK);
    fuzz_env_require_idle(env);
    Counts after = counts();
    REQUIRE(after.orgs == before.orgs && after.max_id == before.max_id && after.audit == before.audit);

    json_error_t err;
    json_t *rep = json_loadb(buf_str(&out), out.len, 0, &err);
    REQUIRE(json_is_object(rep));
    REQUIRE(json_is_true(json_object_get(rep, "dry_run")));
    json_int_t rows = json_integer_value(json_object_get(rep, "rows"));
    json_int_t valid = json_integer_value(json_object_get(rep, "valid"));
    REQUIRE(json_is_integer(json_object_get(rep, "rows")) && json_is_integer(json_object_get(rep, "valid")));
    REQUIRE(0 <= valid && valid <= rows && rows <= lines);
    REQUIRE(json_integer_value(json_object_get(rep, "created")) == 0);
    json_t *errors = json_object_get(rep, "errors");
    REQUIRE(json_is_array(errors));
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        json_int_t line = json_integer_value(json_object_get(e, "line"));
        REQUIRE(line >= 1 && line <= lines);
        REQUIRE(json_is_string(json_object_get(e, "field")) && json_is_string(json_object_get(e, "rule")));
        json_t *v = json_object_get(e, "value");
        REQUIRE(!v || json_is_string(v));
    }
    /* Every row either imports or has at least one error. */
    if (json_array_size(errors) == 0) REQUIRE(valid == rows);

    /* The real import must agree with the dry run. */
    Buf out2 = BUF_INIT;
    Fail g = {0};
    fuzz_env_touch_reset(env);
    Rc rc2 = org_import(env->db, a, csv, size, false, &out2, &g);
    fuzz_env_require_idle(env);
    Counts done = counts();
    if (json_array_size(errors) > 0) {
        REQUIRE(rc2 == RC_VALIDATION);
        REQUIRE(json_equal(json_object_get(g.extra, "errors"), errors));
        REQUIRE(done.orgs == before.orgs && done.max_id == before.max_id && done.audit == before.audit);
    } else {
        if (rc2 != RC_OK) fprintf(stderr, "real import after a clean dry run: rc %d: %s\n", rc2, g.detail);
        REQUIRE(rc2 == RC_OK);
        json_t *rep2 = json_loadb(buf_str(&out2), out2.len, 0, &err);
        REQUIRE(json_is_object(rep2));
        REQUIRE(json_integer_value(json_object_get(rep2, "created")) == valid);
        REQUIRE(json_array_size(json_object_get(rep2, "errors")) == 0);
        json_decref(rep2);
        REQUIRE(done.orgs == before.orgs + valid && done.audit == before.audit + 1);
        fuzz_env_require_consistent(env);
        fuzz_env_restore(env);
    }
    json_decref(rep);
    buf_free(&out);
    buf_free(&out2);
    fail_clear(&f);
    fail_clear(&g);
    return 0;
}
