/*
 * test_dossier_engine.c — the dossier engine in the core (issue #4 item 11): type declarations
 * checked by dtype_check (each broken declaration refused with a message naming what is wrong);
 * create and every kind of action moving the state with the limits the type declares, on the
 * working-day clock (Spring Festival 2026 with its make-up Saturdays, the turn of 2025/2026,
 * National Day 2026, a year without a calendar flagged); the time status as the days pass; the
 * refusals as Rc values with their problem members; the hash chain recomputed here from the
 * documented formula; `dossier_verify` on a clean log and after an event is altered, removed or
 * renumbered with SQL (naming the dossier and the event); `dossier_rebuild` recreating identical
 * projections, search index and counts from the log.
 *
 * One demo database (demo_build + demo_matters) in a temporary directory for the whole run; "today"
 * is moved with time_set_offset (src/util/timeutil.h) and put back after every test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/auth.h"
#include "core/clock.h"
#include "core/demo.h"
#include "core/dossier.h"
#include "core/dtype.h"
#include "core/resource.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/timeutil.h"

static char dir[64], path[128];
static Db *db;
static Calendar *cal;
static Actor committee, leader, town, community; /* demo accounts, loaded as the server would */
static int64_t luoyang;                          /* 洛阳镇, the handler used here */

/* ==== set-up ===================================================================================== */

static int64_t scalar(const char *sql) {
    int64_t v = -1;
    Fail f = {0};
    db_int(db, &f, &v, sql, NULL);
    fail_clear(&f);
    return v;
}

/* The text of a one-value query with one integer parameter (new string; "" when none). The SQL
 * is a literal: statements are cached by their text's address. */
static char *text_of(const char *sql, int64_t arg) {
    char v[512] = "";
    Fail f = {0};
    db_text(db, &f, v, sizeof v, sql, "i", arg);
    fail_clear(&f);
    return strdup(v);
}

static void exec_sql(const char *sql) {
    Fail f = {0};
    if (db_exec(db, &f, sql) != RC_OK) fail_msg("SQL failed: %s\n%s", f.detail, sql);
    fail_clear(&f);
}

static bool load_actor(const char *username, Actor *a) {
    int64_t uid = 0;
    Fail f = {0};
    bool ok = db_int(db, &f, &uid, "SELECT id FROM users WHERE username = ?", "t", username) == RC_OK &&
              auth_load_actor(db, uid, a, &f) == RC_OK;
    fail_clear(&f);
    return ok;
}

static int setup(void **state) {
    (void)state;
    log_set_level(-1);
    setenv("SANQU_PWHASH_MIN", "1", 1);
    if (!crypto_init()) return -1;
    snprintf(dir, sizeof dir, "/tmp/sanqu-dossier-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/d.db", dir);
    char err[256], key[160];
    db = db_open(path, true, err, sizeof err);
    if (!db || migrate_apply(db, err, sizeof err) != RC_OK) {
        fprintf(stderr, "database: %s\n", err);
        return -1;
    }
    snprintf(key, sizeof key, "%s.key", path);
    if (!crypto_load_key(key)) return -1;
    if (!dtype_load(err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    Fail f = {0};
    cal = clock_load(db, &f);
    if (!cal) return -1;
    dossier_set_calendar(cal);
    FILE *acc = fopen("/dev/null", "w");
    Rc r = demo_build(db, "Demo#2026pw", acc, &f);
    if (acc) fclose(acc);
    if (r == RC_OK) r = demo_matters(db, &f);
    if (r != RC_OK) {
        fprintf(stderr, "demo: %s\n", f.detail);
        fail_clear(&f);
        return -1;
    }
    time_set_offset(0);
    if (!load_actor("committee", &committee) || !load_actor("leader", &leader) || !load_actor("town", &town) ||
        !load_actor("community", &community))
        return -1;
    luoyang = scalar("SELECT id FROM orgs WHERE name = '洛阳镇'");
    return luoyang > 0 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    time_set_offset(0);
    dossier_set_calendar(NULL);
    clock_free(cal);
    db_close(db);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* Puts "now" at hour:00 district time (UTC+8) on day (YYYY-MM-DD). */
static void at_day(const char *day, int hour) {
    int y = 0, m = 0, d = 0;
    assert_int_equal(sscanf(day, "%d-%d-%d", &y, &m, &d), 3);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hour};
    time_t t = timegm(&tm) - 8 * 3600;
    time_set_offset((int64_t)t - (int64_t)time(NULL));
    char today[11];
    time_today(today, sizeof today);
    assert_string_equal(today, day);
}

/* Every test leaves the clock as it found it. */
static int back_to_now(void **state) {
    (void)state;
    time_set_offset(0);
    return 0;
}

/* ==== engine helpers ============================================================================= */

/* Creates an agreed item in area 1 as the committee (priority "normal" or "urgent"). */
static int64_t create(const char *title, const char *priority) {
    json_t *in = json_pack("{s:s, s:s, s:i, s:s}", "type", "agreed_item", "title", title, "area_id", 1, "priority", priority);
    Fail f = {0};
    int64_t id = 0;
    Rc r = dossier_create(db, &committee, in, &id, &f);
    json_decref(in);
    if (r != RC_OK) fail_msg("create %s: rc %d: %s", title, r, f.detail);
    fail_clear(&f);
    return id;
}

/* Takes an action; in is stolen (NULL: {}). The Fail is left to the caller. */
static Rc act(const Actor *a, int64_t id, const char *action, json_t *in, int64_t ver, Fail *f) {
    if (!in) in = json_object();
    Rc r = dossier_act(db, a, id, action, in, ver, f);
    json_decref(in);
    return r;
}

static void act_ok(const Actor *a, int64_t id, const char *action, json_t *in) {
    Fail f = {0};
    Rc r = act(a, id, action, in, 0, &f);
    if (r != RC_OK) fail_msg("%s on %lld by %s: rc %d: %s", action, (long long)id, a->username, r, f.detail);
    fail_clear(&f);
}

static json_t *assign_to(int64_t org, int limit) {
    json_t *j = json_pack("{s:I}", "handler_org_id", (json_int_t)org);
    if (limit > 0) json_object_set_new(j, "limit_days", json_integer(limit));
    return j;
}

/* The dossier as the actor sees it (new reference). */
static json_t *get_as(const Actor *a, int64_t id) {
    Buf b = BUF_INIT;
    Fail f = {0};
    if (dossier_get(db, a, id, &b, &f) != RC_OK) fail_msg("dossier_get %lld: %s", (long long)id, f.detail);
    fail_clear(&f);
    json_t *j = json_loads(buf_str(&b), 0, NULL);
    buf_free(&b);
    assert_non_null(j);
    return j;
}

static json_t *get(int64_t id) { return get_as(&leader, id); }

/* Member k of the dossier as text ("" for null). Static buffer: use at once. */
static const char *str_of(int64_t id, const char *k) {
    static char out[64];
    json_t *d = get(id);
    json_t *v = json_object_get(d, k);
    snprintf(out, sizeof out, "%s", json_is_string(v) ? json_string_value(v) : "");
    json_decref(d);
    return out;
}

static int64_t int_of(int64_t id, const char *k) {
    json_t *d = get(id);
    int64_t v = json_integer_value(json_object_get(d, k));
    json_decref(d);
    return v;
}

/* Checks state, limit_days, warn_on and due_on of a dossier. */
static void expect_clock(int64_t id, const char *state, int limit, const char *warn, const char *due) {
    json_t *d = get(id);
    const char *st = json_string_value(json_object_get(d, "state"));
    json_t *w = json_object_get(d, "warn_on"), *u = json_object_get(d, "due_on");
    int64_t l = json_integer_value(json_object_get(d, "limit_days"));
    bool ok = st && strcmp(st, state) == 0 && l == limit &&
              (warn ? json_is_string(w) && strcmp(json_string_value(w), warn) == 0 : json_is_null(w)) &&
              (due ? json_is_string(u) && strcmp(json_string_value(u), due) == 0 : json_is_null(u));
    if (!ok)
        fail_msg("dossier %lld: expected %s, %d days, warn %s, due %s; found %s, %lld days, warn %s, due %s", (long long)id, state,
                 limit, warn ? warn : "null", due ? due : "null", st ? st : "?", (long long)l,
                 json_is_string(w) ? json_string_value(w) : "null", json_is_string(u) ? json_string_value(u) : "null");
    json_decref(d);
}

/* ==== 1. declarations ============================================================================= */

static void test_shipped_types_pass(void **state) {
    (void)state;
    for (int i = 0; i < dtype_files_count; i++) {
        json_error_t je;
        json_t *d = json_loads(dtype_files[i].text, JSON_REJECT_DUPLICATES, &je);
        assert_non_null(d);
        char err[200] = "";
        if (!dtype_check(d, err, sizeof err)) fail_msg("%s: %s", dtype_files[i].name, err);
        json_decref(d);
    }
    assert_non_null(dtype_get("agreed_item"));
    assert_null(dtype_get("complaint"));
    assert_null(dtype_get(NULL));
    assert_string_equal(dtype_names()[0], "agreed_item");
}

/* A copy of the agreed_item declaration to break. */
static json_t *decl_copy(void) { return json_deep_copy(dtype_get("agreed_item")->decl); }

static void test_broken_declarations_refused(void **state) {
    (void)state;
    static const struct {
        const char *what;
        const char *a, *b, *c; /* the member set: decl[a][b][c] (c may be NULL: decl[a][b]) */
        const char *value;     /* JSON text, or NULL to delete it */
        const char *message;   /* a part of the expected message */
    } cases[] = {
        {"unknown state in from", "actions", "assign", "from", "[\"nowhere\"]", "action assign: from names an unknown state"},
        {"unknown state in to", "actions", "assign", "to", "\"nowhere\"", "action assign: to names an unknown state"},
        {"empty from", "actions", "accept", "from", "[]", "action accept: from must list states"},
        {"action from a final state", "actions", "reopen", "from", "[\"written_off\"]", "action reopen: cannot start from a final state"},
        {"unknown role", "actions", "accept", "roles", "[\"@handler\", \"mayor\"]", "unknown role 'mayor'"},
        {"unknown pseudo-role", "actions", "accept", "roles", "[\"@owner\"]", "unknown role '@owner'"},
        {"no roles", "actions", "verify", "roles", "[]", "action verify.roles must be a non-empty array"},
        {"unknown field in create.required", "create", "required", NULL, "[\"title\", \"area_id\", \"colour\"]",
         "create.required names an undeclared field 'colour'"},
        {"unknown field in create.optional", "create", "optional", NULL, "[\"weight\"]", "create.optional names an undeclared field 'weight'"},
        {"unknown field in an action's required", "actions", "verify", "required", "[\"opinion\"]", "undeclared field 'opinion'"},
        {"unknown field in needs", "actions", "write_off", "needs", "[\"signature\"]", "undeclared field 'signature'"},
        {"unknown create role", "create", "roles", NULL, "[\"mayor\"]", "create.roles names an unknown role 'mayor'"},
        {"create without title", "create", "required", NULL, "[\"area_id\"]", "create.required must include title"},
        {"supervision without level", "actions", "supervise", "required", "[\"limit_days\"]", "requires level and limit_days"},
        {"reserved action name", "actions", "comment", NULL, "{\"from\":[\"registered\"],\"roles\":[\"committee\"]}", "reserved"},
        {"reserved action name create", "actions", "create", NULL, "{\"from\":[\"registered\"],\"roles\":[\"committee\"]}", "reserved"},
        {"reserved action name attach", "actions", "attach", NULL, "{\"from\":[\"registered\"],\"roles\":[\"committee\"]}", "reserved"},
        {"limit of zero", "states", "assigned", "limit", "{\"normal\":0}", "state assigned: limit for normal must be 1-3650"},
        {"limit without normal", "states", "assigned", "limit", "{\"urgent\":1}", "limit needs a value for priority normal"},
        {"final not a boolean", "states", "done", "final", "\"yes\"", "state done: final must be true or false"},
        {"enum without values", "fields", "priority", "values", "[]", "enum field priority needs values"},
        {"field of no known type", "fields", "body", "type", "\"blob\"", "field body has no valid type"},
        {"min not an integer", "fields", "title", "min", "\"1\"", "field title: min must be an integer"},
        {"no title field", "fields", "title", NULL, NULL, "every type needs a title field"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        json_t *d = decl_copy();
        json_t *parent = json_object_get(d, cases[k].a);
        const char *key = cases[k].b;
        if (cases[k].c) {
            parent = json_object_get(parent, cases[k].b);
            key = cases[k].c;
        }
        assert_non_null(parent);
        if (cases[k].value) {
            json_error_t je;
            json_t *v = json_loads(cases[k].value, JSON_DECODE_ANY, &je);
            assert_non_null(v);
            json_object_set_new(parent, key, v);
        } else {
            json_object_del(parent, key);
        }
        char err[200] = "";
        bool ok = dtype_check(d, err, sizeof err);
        if (ok) fail_msg("%s: accepted", cases[k].what);
        if (!strstr(err, cases[k].message)) fail_msg("%s: message \"%s\" lacks \"%s\"", cases[k].what, err, cases[k].message);
        json_decref(d);
    }
    /* Top-level breakage. */
    static const struct {
        const char *what, *key, *value, *message;
    } top[] = {
        {"initial state final", "initial", "\"written_off\"", "the initial state cannot be final"},
        {"initial state unknown", "initial", "\"draft\"", "initial must name a state"},
        {"type name with capitals", "type", "\"AgreedItem\"", "may hold only a-z and _"},
        {"type name empty", "type", "\"\"", "type must be a name of 1-30 characters"},
        {"no states", "states", "{}", "states must be a non-empty object"},
        {"no actions", "actions", "[]", "actions must be an object"},
        {"no create", "create", NULL, "create must be an object"},
        {"no fields", "fields", NULL, "fields must be an object"},
    };
    for (size_t k = 0; k < sizeof top / sizeof top[0]; k++) {
        json_t *d = decl_copy();
        if (top[k].value) json_object_set_new(d, top[k].key, json_loads(top[k].value, JSON_DECODE_ANY, NULL));
        else json_object_del(d, top[k].key);
        char err[200] = "";
        if (dtype_check(d, err, sizeof err)) fail_msg("%s: accepted", top[k].what);
        if (!strstr(err, top[k].message)) fail_msg("%s: message \"%s\" lacks \"%s\"", top[k].what, err, top[k].message);
        json_decref(d);
    }
    char err[200] = "";
    json_t *arr = json_array();
    assert_false(dtype_check(arr, err, sizeof err));
    assert_non_null(strstr(err, "must be an object"));
    json_decref(arr);
    /* A valid new type (a second, smaller one) passes. */
    json_t *d = json_loads("{\"type\":\"hazard\",\"fields\":{\"title\":{\"type\":\"string\",\"max\":100},\"area_id\":{\"type\":\"area\"}},"
                           "\"create\":{\"roles\":[\"town\"],\"required\":[\"title\",\"area_id\"]},\"initial\":\"open\","
                           "\"states\":{\"open\":{\"limit\":{\"normal\":2}},\"fixed\":{\"final\":true}},"
                           "\"actions\":{\"fix\":{\"from\":[\"open\"],\"to\":\"fixed\",\"roles\":[\"@handler\"]}}}",
                           0, NULL);
    assert_non_null(d);
    err[0] = 0;
    if (!dtype_check(d, err, sizeof err)) fail_msg("a valid small type refused: %s", err);
    json_decref(d);
}

/* ==== 2. the clock ================================================================================ */

/* 2026-02-13 is the Friday before Spring Festival (holidays 02-15 … 02-23; Saturdays 02-14 and 02-28
 * are make-up working days). Working days after it: 02-14, 02-24, 02-25, 02-26, 02-27, 02-28,
 * 03-02 … */
static void test_spring_festival_2026(void **state) {
    (void)state;
    at_day("2026-02-13", 10);
    int64_t id = create("春节前登记", "normal");
    /* registered: 3 working days → 02-25; yellow after 2 (80% rounded up, or one day left) → 02-24. */
    expect_clock(id, "registered", 3, "2026-02-24", "2026-02-25");
    assert_string_equal(str_of(id, "state_since"), "2026-02-13");
    /* assign with a limit of 5 working days: due 02-27, yellow from 02-26. */
    act_ok(&committee, id, "assign", assign_to(luoyang, 5));
    expect_clock(id, "assigned", 5, "2026-02-26", "2026-02-27");
    /* accept: in_progress takes the type's 20 working days (normal): due 03-19, yellow 03-13. */
    act_ok(&town, id, "accept", NULL);
    expect_clock(id, "in_progress", 20, "2026-03-13", "2026-03-19");
    /* The same on an urgent item: 5 days → 02-27, yellow on the 4th → 02-26. */
    int64_t u = create("春节前紧急", "urgent");
    expect_clock(u, "registered", 1, "2026-02-13", "2026-02-14");
    act_ok(&committee, u, "assign", assign_to(luoyang, 0));
    expect_clock(u, "assigned", 1, "2026-02-13", "2026-02-14");
    act_ok(&town, u, "accept", NULL);
    expect_clock(u, "in_progress", 5, "2026-02-26", "2026-02-27");
    /* The clock as the days pass (the limit of 5 started on 02-13). */
    int64_t g = create("春节时限状态", "normal");
    act_ok(&committee, g, "assign", assign_to(luoyang, 5));
    static const struct {
        const char *day, *status;
    } days[] = {
        {"2026-02-13", "green"}, {"2026-02-14", "green"}, {"2026-02-20", "green"},  {"2026-02-25", "green"},
        {"2026-02-26", "yellow"}, {"2026-02-27", "yellow"}, {"2026-02-28", "red"}, {"2026-03-02", "red"},
    };
    for (size_t k = 0; k < sizeof days / sizeof days[0]; k++) {
        at_day(days[k].day, 9);
        const char *s = str_of(g, "time_status");
        if (strcmp(s, days[k].status) != 0) fail_msg("on %s: time_status %s, expected %s", days[k].day, s, days[k].status);
    }
}

static void test_year_end_and_national_day(void **state) {
    (void)state;
    /* 2025-12-30 (Tue): 12-31, then New Year 01-01 … 01-03, Sunday 01-04 is a make-up day, 01-05. */
    at_day("2025-12-30", 15);
    int64_t id = create("跨年登记", "normal");
    expect_clock(id, "registered", 3, "2026-01-04", "2026-01-05");
    /* The last working day of 2025 with 20 working days (accepted on 12-31). */
    act_ok(&committee, id, "assign", assign_to(luoyang, 0));
    at_day("2025-12-31", 9);
    act_ok(&town, id, "accept", NULL);
    /* 01-04, 05-09 (5), 12-16 (5), 19-23 (5), 26-29 (4) = 20 → 01-29; 16th → 01-23. */
    expect_clock(id, "in_progress", 20, "2026-01-23", "2026-01-29");
    /* 2026-09-30 (Wed): National Day 10-01 … 10-07, 10-08 and 10-09, Saturday 10-10 is a make-up day. */
    at_day("2026-09-30", 9);
    int64_t n = create("国庆前登记", "normal");
    expect_clock(n, "registered", 3, "2026-10-09", "2026-10-10");
    /* "Today" is the district's date (UTC+8): 23:00 on 09-30 is still 09-30, 01:00 on 10-01 (17:00
     * UTC on 09-30) is already 10-01. */
    at_day("2026-09-30", 23);
    int64_t late = create("国庆前深夜登记", "normal");
    assert_string_equal(str_of(late, "state_since"), "2026-09-30");
    at_day("2026-10-01", 1);
    int64_t early = create("国庆凌晨登记", "normal");
    assert_string_equal(str_of(early, "state_since"), "2026-10-01");
    expect_clock(early, "registered", 3, "2026-10-09", "2026-10-10");
}

static void test_unknown_year_flagged(void **state) {
    (void)state;
    /* 2026-12-28 (Mon): 12-29, 12-30, 12-31, then 2027 — not in the calendar: plain weekends,
     * 01-01 (Fri) counts, 01-04 (Mon) is the 5th. The event says so. */
    at_day("2026-12-28", 10);
    int64_t id = create("跨入未知年份", "normal");
    act_ok(&committee, id, "assign", assign_to(luoyang, 5));
    expect_clock(id, "assigned", 5, "2027-01-01", "2027-01-04");
    Buf b = BUF_INIT;
    Fail f = {0};
    assert_int_equal(dossier_events(db, &leader, id, &b, &f), RC_OK);
    json_t *ev = json_loads(buf_str(&b), 0, NULL);
    buf_free(&b);
    json_t *items = json_object_get(ev, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *clk = json_object_get(json_object_get(json_array_get(items, 1), "payload"), "clock");
    if (json_integer_value(json_object_get(clk, "unknown_year")) != 2027) fail_msg("the assign event does not flag 2027 as unknown");
    /* The create event's 3 days stay within 2026: no flag. */
    clk = json_object_get(json_object_get(json_array_get(items, 0), "payload"), "clock");
    assert_null(json_object_get(clk, "unknown_year"));
    json_decref(ev);
}

/* Every state's limit comes from the declaration, per priority; supervision sets its own. */
static void test_state_limits_from_the_type(void **state) {
    (void)state;
    at_day("2026-06-01", 10);
    const DType *t = dtype_get("agreed_item");
    const char *prios[] = {"normal", "urgent"};
    for (int k = 0; k < 2; k++) {
        int64_t id = create(prios[k][0] == 'n' ? "时限来自类型" : "时限来自类型（紧急）", prios[k]);
        static const char *const steps[][2] = {{"assign", "assigned"}, {"return", "returned"}, {"assign", "assigned"},
                                              {"accept", "in_progress"}, {"report_done", "done"}, {"verify", "verified"},
                                              {"write_off", "written_off"}};
        assert_int_equal(int_of(id, "limit_days"), dtype_state_limit(t, "registered", prios[k]));
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            const char *a = steps[s][0];
            json_t *in = strcmp(a, "assign") == 0 ? assign_to(luoyang, 0)
                         : strcmp(a, "return") == 0 ? json_pack("{s:s}", "reason", "退回")
                         : strcmp(a, "report_done") == 0 ? json_pack("{s:s}", "result", "完成")
                         : strcmp(a, "verify") == 0 ? json_pack("{s:s}", "conclusion", "同意")
                                                    : NULL;
            const Actor *who = strcmp(a, "accept") == 0 || strcmp(a, "report_done") == 0 || strcmp(a, "return") == 0 ? &town : &committee;
            act_ok(who, id, a, in);
            int want = dtype_state_limit(t, steps[s][1], prios[k]);
            if (int_of(id, "limit_days") != want)
                fail_msg("%s: %s: limit_days %lld, declared %d", prios[k], steps[s][1], (long long)int_of(id, "limit_days"), want);
        }
        /* Final: no limit, no dates, time status none, closed today. */
        expect_clock(id, "written_off", 0, NULL, NULL);
        assert_string_equal(str_of(id, "time_status"), "none");
        assert_string_equal(str_of(id, "closed_on"), "2026-06-01");
    }
    assert_int_equal(dtype_state_limit(t, "in_progress", "normal"), 20);
    assert_int_equal(dtype_state_limit(t, "in_progress", "urgent"), 5);
    assert_int_equal(dtype_state_limit(t, "in_progress", "unheard-of"), 20);
    assert_int_equal(dtype_state_limit(t, "written_off", "normal"), 0);
    /* Supervision replaces the limit; the next state change goes back to the type's. */
    int64_t s = create("督办时限", "normal");
    act_ok(&committee, s, "assign", assign_to(luoyang, 0));
    act_ok(&town, s, "accept", NULL);
    /* 2026-06-01 (Mon) + 7 working days: 06-02 … 06-05 (4), 06-08 … 06-10 (3) → 06-10; 6th → 06-09. */
    act_ok(&leader, s, "supervise", json_pack("{s:s, s:i}", "level", "listed", "limit_days", 7));
    expect_clock(s, "in_progress", 7, "2026-06-09", "2026-06-10");
    assert_string_equal(str_of(s, "supervision_level"), "listed");
    assert_int_equal(int_of(s, "supervisions"), 1);
    act_ok(&town, s, "report_done", json_pack("{s:s}", "result", "完成"));
    assert_int_equal(int_of(s, "limit_days"), dtype_state_limit(t, "done", "normal"));
    assert_string_equal(str_of(s, "supervision_level"), "listed");
    /* A comment days later keeps the clock. */
    int64_t before = int_of(s, "limit_days");
    char due[11];
    snprintf(due, sizeof due, "%s", str_of(s, "due_on"));
    at_day("2026-06-03", 10);
    Fail f = {0};
    assert_int_equal(dossier_comment(db, &community, s, "群众回访", NULL, &f), RC_OK);
    fail_clear(&f);
    assert_int_equal(int_of(s, "limit_days"), before);
    assert_string_equal(str_of(s, "due_on"), due);
}

static void test_time_status_function(void **state) {
    (void)state;
    assert_string_equal(dossier_time_status(NULL, NULL, "2026-03-01"), "none");
    assert_string_equal(dossier_time_status("", "", "2026-03-01"), "none");
    assert_string_equal(dossier_time_status("2026-03-05", "2026-03-06", "2026-03-04"), "green");
    assert_string_equal(dossier_time_status("2026-03-05", "2026-03-06", "2026-03-05"), "yellow");
    assert_string_equal(dossier_time_status("2026-03-05", "2026-03-06", "2026-03-06"), "yellow");
    assert_string_equal(dossier_time_status("2026-03-05", "2026-03-06", "2026-03-07"), "red");
    assert_string_equal(dossier_time_status(NULL, "2026-03-06", "2026-03-06"), "green");
    assert_string_equal(dossier_time_status("2026-12-31", "2027-01-04", "2027-01-01"), "yellow");
}

/* ==== 3. refusals as values ======================================================================= */

static void test_refusals(void **state) {
    (void)state;
    at_day("2026-06-15", 10);
    int64_t id = create("拒绝测试", "normal");
    Fail f = {0};
    /* Not in this state: 409 with the state and the actor's allowed actions. */
    assert_int_equal(act(&committee, id, "verify", json_pack("{s:s}", "conclusion", "x"), 0, &f), RC_CONFLICT);
    assert_string_equal(json_string_value(json_object_get(f.extra, "state")), "registered");
    json_t *allowed = json_object_get(f.extra, "allowed_actions");
    assert_true(json_is_array(allowed));
    /* carry is internal (POST /meetings/{id}/carry): never among the offered actions. */
    assert_true(dtype_has(allowed, "assign") && !dtype_has(allowed, "carry") && !dtype_has(allowed, "supervise"));
    fail_clear(&f);
    /* A role that may not. */
    assert_int_equal(act(&town, id, "assign", assign_to(luoyang, 0), 0, &f), RC_FORBIDDEN);
    fail_clear(&f);
    assert_int_equal(act(&committee, id, "supervise", json_pack("{s:s, s:i}", "level", "listed", "limit_days", 3), 0, &f), RC_FORBIDDEN);
    fail_clear(&f);
    /* Stale version: 412 with the current version. */
    assert_int_equal(act(&committee, id, "assign", assign_to(luoyang, 0), 7, &f), RC_PRECONDITION);
    assert_int_equal(json_integer_value(json_object_get(f.extra, "current_version")), 1);
    fail_clear(&f);
    /* Unknown action / dossier / out of scope: 404. */
    assert_int_equal(act(&committee, id, "approve", NULL, 0, &f), RC_NOT_FOUND);
    fail_clear(&f);
    assert_int_equal(act(&committee, 99999999, "assign", assign_to(luoyang, 0), 0, &f), RC_NOT_FOUND);
    fail_clear(&f);
    /* Field errors name the field. */
    assert_int_equal(act(&committee, id, "assign", NULL, 0, &f), RC_VALIDATION);
    assert_string_equal(json_string_value(json_object_get(json_array_get(f.errors, 0), "field")), "handler_org_id");
    assert_string_equal(json_string_value(json_object_get(json_array_get(f.errors, 0), "rule")), "required");
    fail_clear(&f);
    /* None of these wrote an event. */
    assert_int_equal(int_of(id, "events"), 1);
    /* The handler who reported done may not verify; another may. (Handed to the district itself,
     * whose leader is then the handler.) */
    act_ok(&committee, id, "assign", assign_to(1, 0));
    act_ok(&leader, id, "accept", NULL);
    act_ok(&leader, id, "report_done", json_pack("{s:s}", "result", "领导自办"));
    assert_int_equal(int_of(id, "handled_by"), leader.user_id);
    assert_int_equal(act(&leader, id, "verify", json_pack("{s:s}", "conclusion", "自验"), 0, &f), RC_FORBIDDEN);
    fail_clear(&f);
    act_ok(&committee, id, "verify", json_pack("{s:s}", "conclusion", "同意"));
    assert_int_equal(act(&leader, id, "write_off", NULL, 0, &f), RC_FORBIDDEN);
    fail_clear(&f);
    act_ok(&committee, id, "write_off", NULL);
    /* Creation: unknown type, roles, area of another committee. */
    int64_t nid = 0;
    json_t *in = json_pack("{s:s, s:s, s:i}", "type", "complaint", "title", "x", "area_id", 1);
    assert_int_equal(dossier_create(db, &committee, in, &nid, &f), RC_VALIDATION);
    assert_string_equal(json_string_value(json_object_get(json_array_get(f.errors, 0), "rule")), "enum");
    json_decref(in);
    fail_clear(&f);
    /* Another committee's area is outside the committee's scope: not a valid reference. */
    in = json_pack("{s:s, s:s, s:i}", "type", "agreed_item", "title", "x", "area_id", 2);
    assert_int_equal(dossier_create(db, &committee, in, &nid, &f), RC_VALIDATION);
    assert_string_equal(json_string_value(json_object_get(json_array_get(f.errors, 0), "rule")), "reference");
    json_decref(in);
    fail_clear(&f);
    in = json_pack("{s:s, s:s, s:i}", "type", "agreed_item", "title", "x", "area_id", 1);
    assert_int_equal(dossier_create(db, &community, in, &nid, &f), RC_FORBIDDEN);
    json_decref(in);
    fail_clear(&f);
}

/* ==== 4. the hash chain =========================================================================== */

/* Recomputes every event hash of dossier id from the stored columns with the documented formula. */
static void expect_chain(int64_t id) {
    Fail f = {0};
    sqlite3_stmt *st = db_q(db, &f,
                            "SELECT seq, at, coalesce(user_id, 0), action, coalesce(from_state, ''), coalesce(to_state, ''),"
                            " payload, prev_hash, hash FROM dossier_events WHERE dossier_id = ? ORDER BY seq", "i", id);
    assert_non_null(st);
    uint8_t prev[32];
    bool have_prev = false;
    int64_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        n++;
        assert_int_equal(sqlite3_column_int64(st, 0), n);
        char prevhex[65] = "";
        if (have_prev) crypto_hex(prev, 32, prevhex);
        Buf b = BUF_INIT;
        buf_printf(&b, "sanqu-event-v1\n%lld\n%lld\n%s\n%lld\n%s\n%s\n%s\n%s\n%s", (long long)id, (long long)n,
                   (const char *)sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 2),
                   (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4),
                   (const char *)sqlite3_column_text(st, 5), (const char *)sqlite3_column_text(st, 6), prevhex);
        uint8_t h[32];
        crypto_sha256(b.data, b.len, h);
        buf_free(&b);
        /* The payload is stored canonical: sorted keys, compact. */
        json_t *pl = json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL);
        char *canon = json_dumps(pl, JSON_COMPACT | JSON_SORT_KEYS);
        if (strcmp(canon, (const char *)sqlite3_column_text(st, 6)) != 0)
            fail_msg("dossier %lld event %lld: payload not canonical", (long long)id, (long long)n);
        free(canon);
        json_decref(pl);
        if (have_prev) {
            if (sqlite3_column_bytes(st, 7) != 32 || memcmp(sqlite3_column_blob(st, 7), prev, 32) != 0)
                fail_msg("dossier %lld event %lld: prev_hash is not the previous hash", (long long)id, (long long)n);
        } else if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
            fail_msg("dossier %lld: the first event has a prev_hash", (long long)id);
        }
        if (sqlite3_column_bytes(st, 8) != 32 || memcmp(sqlite3_column_blob(st, 8), h, 32) != 0)
            fail_msg("dossier %lld event %lld: stored hash differs from the recomputed one", (long long)id, (long long)n);
        memcpy(prev, h, 32);
        have_prev = true;
    }
    db_done(st);
    fail_clear(&f);
    assert_true(n > 0);
    assert_int_equal(int_of(id, "events"), n);
}

static void test_hash_chain(void **state) {
    (void)state;
    at_day("2026-07-01", 10);
    int64_t id = create("哈希链", "normal");
    act_ok(&committee, id, "assign", assign_to(luoyang, 0));
    Fail f = {0};
    const char *said = "引号\" 反斜杠\\ 换行\n 表情😀";
    Buf ans = BUF_INIT;
    assert_int_equal(dossier_comment(db, &town, id, said, &ans, &f), RC_OK);
    fail_clear(&f);
    /* The answer is the comment's event as the log holds it, and the dossier's new head. */
    json_t *a = json_loads(buf_str(&ans), 0, NULL);
    buf_free(&ans);
    assert_non_null(a);
    char *hash = text_of("SELECT lower(hex(hash)) FROM dossier_events WHERE dossier_id = ? AND seq = 3", id);
    char *prev = text_of("SELECT lower(hex(prev_hash)) FROM dossier_events WHERE dossier_id = ? AND seq = 3", id);
    assert_int_equal(strlen(prev), 64);
    json_t *head = json_object_get(a, "dossier");
    assert_int_equal(json_integer_value(json_object_get(a, "seq")), 3);
    assert_string_equal(json_string_value(json_object_get(a, "action")), "comment");
    assert_string_equal(json_string_value(json_object_get(a, "username")), town.username);
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "payload"), "comment")), said);
    assert_string_equal(json_string_value(json_object_get(a, "hash")), hash);
    assert_string_equal(json_string_value(json_object_get(a, "prev_hash")), prev);
    assert_int_equal(json_integer_value(json_object_get(head, "id")), id);
    assert_int_equal(json_integer_value(json_object_get(head, "version")), int_of(id, "version"));
    assert_int_equal(json_integer_value(json_object_get(head, "events")), 3);
    assert_string_equal(json_string_value(json_object_get(head, "last_hash")), hash);
    free(hash);
    free(prev);
    json_decref(a);
    act_ok(&town, id, "accept", NULL);
    act_ok(&leader, id, "supervise", json_pack("{s:s, s:i}", "level", "supervise", "limit_days", 4));
    expect_chain(id);
    /* And the demo's dossiers, made through the engine on dated clocks. */
    sqlite3_stmt *st = db_q(db, &f, "SELECT id FROM dossiers ORDER BY id LIMIT 40", NULL);
    int64_t ids[40];
    int n = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW && n < 40) ids[n++] = sqlite3_column_int64(st, 0);
    db_done(st);
    fail_clear(&f);
    assert_true(n >= 20);
    for (int i = 0; i < n; i++) expect_chain(ids[i]);
}

/* ==== 5. verify =================================================================================== */

/* Runs dossier_verify and returns its output (static buffer, overwritten by the next call);
 * *broken receives its result. */
static char *verify_text(int *broken) {
    static char text[16384];
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    *broken = dossier_verify(db, out);
    fclose(out);
    snprintf(text, sizeof text, "%s", buf ? buf : "");
    free(buf);
    return text;
}

/* Lines of text holding "dossier ". */
static int dossier_lines(const char *text) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, "dossier ")); p++)
        if (p == text || p[-1] == '\n') n++;
    return n;
}

/* SQL that recreates a trigger, read before it is dropped (malloc'd). */
static char *trigger_sql(const char *name) {
    char sql[1024] = "";
    Fail f = {0};
    assert_int_equal(db_text(db, &f, sql, sizeof sql, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?", "t", name), RC_OK);
    fail_clear(&f);
    return strdup(sql);
}

/* Runs sql with the append-only triggers of dossier_events lifted, then puts them back. */
static void tamper(const char *sql) {
    char *up = trigger_sql("dossier_events_no_update"), *del = trigger_sql("dossier_events_no_delete");
    exec_sql("DROP TRIGGER dossier_events_no_update; DROP TRIGGER dossier_events_no_delete");
    exec_sql(sql);
    exec_sql(up);
    exec_sql(del);
    free(up);
    free(del);
    assert_int_equal(scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'dossier_events_no_%'"), 2);
}

static void expect_verify_names(const char *what, const char *needle, int want_broken) {
    int broken = 0;
    char *text = verify_text(&broken);
    if (broken != want_broken || !strstr(text, needle))
        fail_msg("%s: dossier_verify returned %d (want %d), output lacks \"%s\":\n%s", what, broken, want_broken, needle, text);
    if (want_broken > 0 && !strstr(text, "BROKEN")) fail_msg("%s: no BROKEN summary:\n%s", what, text);
}

static void test_verify_clean_and_tampered(void **state) {
    (void)state;
    at_day("2026-07-02", 10);
    int broken = -1;
    char *text = verify_text(&broken);
    if (broken != 0 || !strstr(text, "all chains intact")) fail_msg("a clean log: %d\n%s", broken, text);
    int64_t id = create("篡改测试", "normal");
    act_ok(&committee, id, "assign", assign_to(luoyang, 0));
    act_ok(&town, id, "accept", NULL);
    act_ok(&town, id, "report_done", json_pack("{s:s}", "result", "已完成"));
    char sql[512], needle[128];
    exec_sql("DROP TABLE IF EXISTS temp.saved");
    snprintf(sql, sizeof sql, "CREATE TEMP TABLE saved AS SELECT * FROM dossier_events WHERE dossier_id = %lld", (long long)id);
    exec_sql(sql);

    /* The payload of event 2 altered: that event is named, once, and only this dossier. */
    snprintf(sql, sizeof sql,
             "UPDATE dossier_events SET payload = json_set(payload, '$.fields.handler_org_id', 1) WHERE dossier_id = %lld AND seq = 2",
             (long long)id);
    tamper(sql);
    snprintf(needle, sizeof needle, "dossier %lld event 2: hash does not match", (long long)id);
    expect_verify_names("payload altered", needle, 1);
    text = verify_text(&broken);
    if (dossier_lines(text) != 1) fail_msg("one altered event should be reported once:\n%s", text);
    snprintf(sql, sizeof sql,
             "UPDATE dossier_events SET payload = (SELECT payload FROM temp.saved s WHERE s.seq = 2) WHERE dossier_id = %lld AND seq = 2",
             (long long)id);
    tamper(sql);
    expect_verify_names("payload restored", "all chains intact", 0);

    /* Other columns: the time, the user, the action, the state. */
    static const char *const cols[] = {"at = '2026-01-01T00:00:00Z'", "user_id = 1", "action = 'verify'", "to_state = 'verified'",
                                       "from_state = 'registered'"};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
        snprintf(sql, sizeof sql, "UPDATE dossier_events SET %s WHERE dossier_id = %lld AND seq = 3", cols[k], (long long)id);
        tamper(sql);
        snprintf(needle, sizeof needle, "dossier %lld event 3:", (long long)id);
        expect_verify_names(cols[k], needle, 1);
        snprintf(sql, sizeof sql,
                 "DELETE FROM dossier_events WHERE dossier_id = %lld AND seq = 3; INSERT INTO dossier_events SELECT * FROM temp.saved"
                 " WHERE seq = 3",
                 (long long)id);
        tamper(sql);
        expect_verify_names("restored", "all chains intact", 0);
    }

    /* The last event deleted: the chain that is left is whole, but the projection ends elsewhere. */
    snprintf(sql, sizeof sql, "DELETE FROM dossier_events WHERE dossier_id = %lld AND seq = 4", (long long)id);
    tamper(sql);
    snprintf(needle, sizeof needle, "dossier %lld: the projection does not end at the last event", (long long)id);
    expect_verify_names("last event deleted", needle, 1);
    tamper("INSERT INTO dossier_events SELECT * FROM temp.saved WHERE seq = 4");
    expect_verify_names("last event back", "all chains intact", 0);

    /* A middle event deleted: a gap at the next one. */
    snprintf(sql, sizeof sql, "DELETE FROM dossier_events WHERE dossier_id = %lld AND seq = 2", (long long)id);
    tamper(sql);
    snprintf(needle, sizeof needle, "dossier %lld event 3: sequence gap", (long long)id);
    text = verify_text(&broken);
    if (broken < 1 || !strstr(text, needle)) fail_msg("middle event deleted: %d, output lacks \"%s\":\n%s", broken, needle, text);
    tamper("INSERT INTO dossier_events SELECT * FROM temp.saved WHERE seq = 2");
    expect_verify_names("middle event back", "all chains intact", 0);

    /* A stored hash overwritten: that event is named. */
    snprintf(sql, sizeof sql, "UPDATE dossier_events SET hash = zeroblob(32) WHERE dossier_id = %lld AND seq = 2", (long long)id);
    tamper(sql);
    snprintf(needle, sizeof needle, "dossier %lld event 2:", (long long)id);
    expect_verify_names("hash zeroed", needle, 1);
    snprintf(sql, sizeof sql,
             "UPDATE dossier_events SET hash = (SELECT hash FROM temp.saved s WHERE s.seq = 2) WHERE dossier_id = %lld AND seq = 2",
             (long long)id);
    tamper(sql);
    expect_verify_names("hash restored", "all chains intact", 0);

    /* Two dossiers broken: two counted, each named. */
    int64_t other = create("篡改测试二", "normal");
    exec_sql("DROP TABLE IF EXISTS temp.saved2");
    snprintf(sql, sizeof sql, "CREATE TEMP TABLE saved2 AS SELECT * FROM dossier_events WHERE dossier_id IN (%lld, %lld) AND seq = 1",
             (long long)id, (long long)other);
    exec_sql(sql);
    snprintf(sql, sizeof sql, "UPDATE dossier_events SET at = '2020-01-01T00:00:00Z' WHERE dossier_id IN (%lld, %lld) AND seq = 1",
             (long long)id, (long long)other);
    tamper(sql);
    text = verify_text(&broken);
    char n1[64], n2[64];
    snprintf(n1, sizeof n1, "dossier %lld event 1:", (long long)id);
    snprintf(n2, sizeof n2, "dossier %lld event 1:", (long long)other);
    if (broken != 2 || !strstr(text, n1) || !strstr(text, n2)) fail_msg("two altered dossiers: dossier_verify returned %d\n%s", broken, text);
    snprintf(sql, sizeof sql,
             "DELETE FROM dossier_events WHERE dossier_id IN (%lld, %lld) AND seq = 1; INSERT INTO dossier_events SELECT * FROM temp.saved2",
             (long long)id, (long long)other);
    tamper(sql);
    expect_verify_names("both restored", "all chains intact", 0);
    exec_sql("DROP TABLE temp.saved; DROP TABLE temp.saved2");
}

/* dossier_verify "returns the number of broken dossiers" (dossier.h): one dossier with an event
 * removed from the middle is one broken dossier, even though both its chain and its projection
 * show it. */
static void test_verify_counts_each_broken_dossier_once(void **state) {
    (void)state;
    at_day("2026-07-02", 11);
    int64_t id = create("篡改计数", "normal");
    act_ok(&committee, id, "assign", assign_to(luoyang, 0));
    act_ok(&town, id, "accept", NULL);
    char sql[512];
    exec_sql("DROP TABLE IF EXISTS temp.saved3");
    snprintf(sql, sizeof sql, "CREATE TEMP TABLE saved3 AS SELECT * FROM dossier_events WHERE dossier_id = %lld AND seq = 2", (long long)id);
    exec_sql(sql);
    snprintf(sql, sizeof sql, "DELETE FROM dossier_events WHERE dossier_id = %lld AND seq = 2", (long long)id);
    tamper(sql);
    int broken = -1;
    char *text = verify_text(&broken);
    tamper("INSERT INTO dossier_events SELECT * FROM temp.saved3");
    exec_sql("DROP TABLE temp.saved3");
    if (broken != 1) fail_msg("one dossier with a middle event removed: dossier_verify returned %d\n%s", broken, text);
    expect_verify_names("restored", "all chains intact", 0);
}

/* ==== 6. rebuild ================================================================================== */

/* Every dossier's GET answer as the leader sees it, as one JSON object id → text (new reference). */
static json_t *snapshot(void) {
    json_t *all = json_object();
    Fail f = {0};
    sqlite3_stmt *st = db_q(db, &f, "SELECT id FROM dossiers ORDER BY id", NULL);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) ids = realloc(ids, (cap = cap ? cap * 2 : 256) * sizeof *ids);
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    db_done(st);
    fail_clear(&f);
    for (size_t i = 0; i < n; i++) {
        Buf b = BUF_INIT;
        if (dossier_get(db, &leader, ids[i], &b, &f) != RC_OK) fail_msg("dossier_get %lld: %s", (long long)ids[i], f.detail);
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)ids[i]);
        json_object_set_new(all, key, json_string(buf_str(&b)));
        buf_free(&b);
        b = (Buf)BUF_INIT;
        if (dossier_events(db, &leader, ids[i], &b, &f) != RC_OK) fail_msg("dossier_events %lld", (long long)ids[i]);
        snprintf(key, sizeof key, "%lld/events", (long long)ids[i]);
        json_object_set_new(all, key, json_string(buf_str(&b)));
        buf_free(&b);
    }
    free(ids);
    return all;
}

/* One page of a search: the ids found (as "a,b,"), and the cursor for the next (0: none). */
static char *search_page(const char *q, const char *state, int limit, int64_t cursor, int64_t *next) {
    DossierFilter flt = {.q = q, .state = state, .area_id = -1, .org_id = -1, .handler_org_id = -1, .limit = limit, .cursor = cursor};
    Buf b = BUF_INIT;
    Fail f = {0};
    if (dossier_list(db, &leader, &flt, &b, &f) != RC_OK) fail_msg("dossier_list q=%s: %s", q, f.detail);
    fail_clear(&f);
    json_t *j = json_loads(buf_str(&b), 0, NULL);
    buf_free(&b);
    assert_non_null(j);
    *next = json_integer_value(json_object_get(j, "next_cursor"));
    Buf ids = BUF_INIT;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(j, "items"), i, it) buf_printf(&ids, "%lld,", (long long)json_integer_value(json_object_get(it, "id")));
    json_decref(j);
    char *out = strdup(buf_str(&ids));
    buf_free(&ids);
    return out;
}

/* The first 200 ids a full-text query finds. */
static char *search(const char *q) {
    int64_t next;
    return search_page(q, NULL, 200, 0, &next);
}

/* The search index keeps no copy of its texts (migration 012): a dossier whose title and body an
 * action changes is taken out of it with the words it was indexed with, and found by its new
 * words only. No shipped type changes the title in an action, so the test lets "assign" take
 * them for a while (a type declared as data may). */
static void test_retitled_dossier_is_found_by_new_words(void **state) {
    (void)state;
    json_t *opt = json_object_get(dtype_action(dtype_get("agreed_item"), "assign"), "optional");
    size_t had = json_array_size(opt);
    json_array_append_new(opt, json_string("title"));
    json_array_append_new(opt, json_string("body"));
    int64_t id = create("鹈鹕湾井盖缺失", "normal");
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%lld,", (long long)id);
    char *s = search("井盖");
    if (!strstr(s, idtext)) fail_msg("not found by its title: %s", s);
    free(s);
    json_t *in = assign_to(luoyang, 0);
    json_object_set_new(in, "title", json_string("鹈鹕湾路面塌陷"));
    json_object_set_new(in, "body", json_string("雨后出现坑洞"));
    act_ok(&committee, id, "assign", in);
    while (json_array_size(opt) > had) json_array_remove(opt, had);
    static const char *const gone[] = {"井盖", "缺失"}, *const found[] = {"塌陷", "坑洞", "鹈鹕湾"};
    for (size_t i = 0; i < 2; i++) {
        s = search(gone[i]);
        if (strstr(s, idtext)) fail_msg("still found by the old word %s: %s", gone[i], s);
        free(s);
    }
    for (size_t i = 0; i < 3; i++) {
        s = search(found[i]);
        if (!strstr(s, idtext)) fail_msg("not found by the new word %s: %s", found[i], s);
        free(s);
    }
    /* Changed again (the body alone): the row indexed with the new title and body is taken out. */
    json_array_append_new(opt, json_string("body"));
    in = json_pack("{s:s}", "reason", "x");
    act_ok(&committee, id, "return", in);
    in = assign_to(luoyang, 0);
    json_object_set_new(in, "body", json_string("已设置围挡"));
    act_ok(&committee, id, "assign", in);
    while (json_array_size(opt) > had) json_array_remove(opt, had);
    s = search("坑洞");
    if (strstr(s, idtext)) fail_msg("still found by the old body: %s", s);
    free(s);
    s = search("围挡");
    if (!strstr(s, idtext)) fail_msg("not found by the new body: %s", s);
    free(s);
    s = search("塌陷");
    if (!strstr(s, idtext)) fail_msg("not found by its title after the body changed: %s", s);
    free(s);
}

/* A search walks the index newest dossier first: pages follow each other without gaps or repeats,
 * a dossier whose title and comments all match is one item, and a page cut short by the scan
 * bound (filters that most matches fail) hands on a cursor that finds the rest. */
static void test_search_pages(void **state) {
    (void)state;
    int64_t id[5];
    id[0] = create("鸬鹚湾护栏修复", "normal"); /* the oldest stays registered */
    for (int i = 1; i < 5; i++) {
        char title[64];
        snprintf(title, sizeof title, "鸬鹚湾排水第%d段", i);
        id[i] = create(title, "normal");
        act_ok(&committee, id[i], "assign", assign_to(luoyang, 0));
    }
    Fail f = {0};
    assert_int_equal(dossier_comment(db, &committee, id[2], "鸬鹚湾居民反映积水", NULL, &f), RC_OK);
    assert_int_equal(dossier_comment(db, &committee, id[2], "再次反映鸬鹚湾积水", NULL, &f), RC_OK);
    fail_clear(&f);

    /* Pages of two, newest first. */
    int64_t next = 0;
    char want[128];
    char *got = search_page("鸬鹚湾", NULL, 2, 0, &next);
    snprintf(want, sizeof want, "%lld,%lld,", (long long)id[4], (long long)id[3]);
    assert_string_equal(got, want);
    assert_int_equal(next, id[3]);
    free(got);
    got = search_page("鸬鹚湾", NULL, 2, next, &next);
    snprintf(want, sizeof want, "%lld,%lld,", (long long)id[2], (long long)id[1]);
    assert_string_equal(got, want);
    assert_int_equal(next, id[1]);
    free(got);
    got = search_page("鸬鹚湾", NULL, 2, next, &next);
    snprintf(want, sizeof want, "%lld,", (long long)id[0]);
    assert_string_equal(got, want);
    assert_int_equal(next, 0);
    free(got);
    /* Two terms, one in the title, one in a comment only. */
    got = search_page("排水 积水", NULL, 20, 0, &next);
    snprintf(want, sizeof want, "%lld,", (long long)id[2]);
    assert_string_equal(got, want);
    free(got);

    /* Two index rows a page: the four newest are assigned, only the oldest is registered. Pages
     * cut short by the bound come back empty with a cursor, each cursor lower than the last, and
     * following them finds the registered one exactly once. */
    dossier_set_search_scan(2);
    int pages = 0;
    int64_t cursor = 0;
    Buf found = BUF_INIT;
    do {
        got = search_page("鸬鹚湾", "registered", 20, cursor, &next);
        buf_puts(&found, got);
        free(got);
        if (next) {
            if (cursor && next >= cursor) fail_msg("page %d: cursor %lld after %lld", pages + 1, (long long)next, (long long)cursor);
            cursor = next;
        }
        pages++;
    } while (next && pages < 20);
    snprintf(want, sizeof want, "%lld,", (long long)id[0]);
    assert_string_equal(buf_str(&found), want);
    buf_free(&found);
    if (pages < 3) fail_msg("a bound of two index rows took %d pages to reach the oldest of five dossiers", pages);
    /* Two terms are merged under the same bound. */
    got = search_page("鸬鹚湾 护栏", NULL, 20, 0, &next);
    assert_string_equal(got, "");
    assert_int_not_equal(next, 0);
    free(got);
    dossier_set_search_scan(0);
}

/* dossier_counts agrees with a count of the projections. */
static void expect_counts_agree(const char *when) {
    int64_t bad = scalar(
        "SELECT count(*) FROM (SELECT 'total' AS k, count(*) AS n FROM dossiers UNION ALL"
        " SELECT 'closed', count(*) FROM dossiers WHERE closed_on IS NOT NULL UNION ALL"
        " SELECT 'state:' || state, count(*) FROM dossiers GROUP BY state) c"
        " WHERE c.n IS NOT (SELECT n FROM dossier_counts WHERE key = c.k)");
    int64_t stale = scalar("SELECT count(*) FROM dossier_counts WHERE key LIKE 'state:%' AND n <> 0 AND substr(key, 7) NOT IN"
                           " (SELECT state FROM dossiers)");
    if (bad != 0 || stale != 0) fail_msg("%s: dossier_counts disagrees with the projections (%lld keys off, %lld stale)", when, (long long)bad, (long long)stale);
}

static void test_rebuild_recreates_projections(void **state) {
    (void)state;
    at_day("2026-07-03", 10);
    /* Some fresh history with comments for the index. */
    int64_t id = create("重建测试：鹭鸶湾路灯", "normal");
    act_ok(&committee, id, "assign", assign_to(luoyang, 0));
    Fail f = {0};
    assert_int_equal(dossier_comment(db, &town, id, "已联系供电所更换灯杆", NULL, &f), RC_OK);
    fail_clear(&f);
    act_ok(&leader, id, "supervise", json_pack("{s:s, s:i}", "level", "supervise", "limit_days", 6));
    expect_counts_agree("before");
    json_t *before = snapshot();
    char *s1 = search("鹭鸶湾"), *s2 = search("灯杆"), *s3 = search("路灯");
    int64_t n = scalar("SELECT count(*) FROM dossiers");
    /* Rows found for a common word (the index keeps no texts to count its rows by). */
    const char *lamp_rows = "SELECT count(*) FROM dossiers_fts WHERE dossiers_fts MATCH '\"路灯\"'";
    int64_t fts_rows = scalar(lamp_rows);
    assert_true(fts_rows > 0);
    /* Damage the projections and the index. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE dossiers SET state = 'registered', title = '被改动', due_on = NULL, supervision_level = NULL, events = 1,"
             " fields = '{}' WHERE id = %lld OR id %% 7 = 0",
             (long long)id);
    exec_sql(sql);
    exec_sql("INSERT INTO dossiers_fts(dossiers_fts) VALUES ('delete-all')");
    exec_sql("INSERT INTO dossiers_fts(rowid, text) VALUES (1, '被改动的路灯')");
    assert_int_equal(scalar(lamp_rows), 1);
    /* Rebuild: every dossier, the same answers as before, the same search results, the same counts. */
    int64_t done = dossier_rebuild(db, &f);
    if (done != n) fail_msg("dossier_rebuild returned %lld for %lld dossiers: %s", (long long)done, (long long)n, f.detail);
    fail_clear(&f);
    json_t *after = snapshot();
    const char *k;
    json_t *v;
    json_object_foreach(before, k, v) {
        const char *a = json_string_value(v), *b = json_string_value(json_object_get(after, k));
        if (!b || strcmp(a, b) != 0) fail_msg("dossier %s differs after rebuild:\nbefore %s\nafter  %s", k, a, b ? b : "(missing)");
    }
    assert_int_equal(json_object_size(before), json_object_size(after));
    char *t1 = search("鹭鸶湾"), *t2 = search("灯杆"), *t3 = search("路灯");
    if (strcmp(s1, t1) || strcmp(s2, t2) || strcmp(s3, t3))
        fail_msg("search differs after rebuild: [%s|%s|%s] → [%s|%s|%s]", s1, s2, s3, t1, t2, t3);
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%lld,", (long long)id);
    if (!strstr(t1, idtext) || !strstr(t2, idtext)) fail_msg("the rebuilt index does not find dossier %lld by title and comment", (long long)id);
    assert_int_equal(scalar(lamp_rows), fts_rows);
    expect_counts_agree("after rebuild");
    int broken = -1;
    char *text = verify_text(&broken);
    if (broken != 0) fail_msg("verify after rebuild: %d\n%s", broken, text);
    /* A second rebuild changes nothing. */
    assert_int_equal(dossier_rebuild(db, &f), n);
    fail_clear(&f);
    json_t *again = snapshot();
    assert_true(json_equal(after, again));
    free(s1), free(s2), free(s3), free(t1), free(t2), free(t3);
    json_decref(before);
    json_decref(after);
    json_decref(again);
}

/* ==== 7. dates ==================================================================================== */

/* A matter is closed on the day it was written off; a comment days later does not move that day. */
static void test_closed_on_stays_the_day_of_closing(void **state) {
    (void)state;
    at_day("2026-08-03", 10);
    int64_t id = create("销号日期", "normal");
    act_ok(&committee, id, "assign", assign_to(luoyang, 0));
    act_ok(&town, id, "accept", NULL);
    act_ok(&town, id, "report_done", json_pack("{s:s}", "result", "完成"));
    act_ok(&committee, id, "verify", json_pack("{s:s}", "conclusion", "同意"));
    act_ok(&committee, id, "write_off", NULL);
    assert_string_equal(str_of(id, "closed_on"), "2026-08-03");
    assert_string_equal(str_of(id, "state_since"), "2026-08-03");
    at_day("2026-08-10", 10);
    Fail f = {0};
    assert_int_equal(dossier_comment(db, &community, id, "回访：群众满意", NULL, &f), RC_OK);
    fail_clear(&f);
    const char *c = str_of(id, "closed_on");
    if (strcmp(c, "2026-08-03") != 0) fail_msg("a comment a week after the write-off moved closed_on to %s", c);
    assert_string_equal(str_of(id, "state_since"), "2026-08-03");
}

/* from / to are the district's dates, the same dates as state_since and today. */
static void test_list_dates_are_district_dates(void **state) {
    (void)state;
    at_day("2026-08-12", 7); /* 07:00 in the district = 23:00 UTC the day before */
    int64_t id = create("清晨登记", "normal");
    assert_string_equal(str_of(id, "state_since"), "2026-08-12");
    DossierFilter flt = {.area_id = -1, .org_id = -1, .handler_org_id = -1, .limit = 200, .from = "2026-08-12", .to = "2026-08-12"};
    Buf b = BUF_INIT;
    Fail f = {0};
    assert_int_equal(dossier_list(db, &leader, &flt, &b, &f), RC_OK);
    char needle[32];
    snprintf(needle, sizeof needle, "\"id\":%lld,", (long long)id);
    bool found = strstr(buf_str(&b), needle) != NULL;
    buf_free(&b);
    if (!found) fail_msg("created at 07:00 on 2026-08-12 (district time), not listed with from=to=2026-08-12");
    flt.from = "2026-08-11";
    flt.to = "2026-08-11";
    b = (Buf)BUF_INIT;
    assert_int_equal(dossier_list(db, &leader, &flt, &b, &f), RC_OK);
    found = strstr(buf_str(&b), needle) != NULL;
    buf_free(&b);
    fail_clear(&f);
    if (found) fail_msg("created on 2026-08-12 (district time), listed with from=to=2026-08-11");
}

/* Capacity accounting: a project takes what it allocates from each resource, within what is left
 * (others' use counted, its own not); a cancelled project gives it back; the need follows its
 * project; `rebuild` recreates the capacity taken from the event log alone. */
static void test_capacity_accounting(void **state) {
    (void)state;
    Actor admin;
    assert_true(load_actor("admin", &admin));
    Fail f = {0};
    int64_t res = 0, need = 0, need2 = 0, p1 = 0, p2 = 0;
    json_t *in = json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:b}", "provider_org_id", (json_int_t)scalar("SELECT id FROM orgs WHERE kind = 'department' ORDER BY id LIMIT 1"),
                           "category", "elderly", "title", "单元测试助餐资源", "capacity", 5, "unit", "人次", "valid_from", "2020-01-01",
                           "all_areas", 1);
    assert_int_equal(resource_create(db, &admin, in, &res, &f), RC_OK);
    json_decref(in);
    for (int k = 0; k < 2; k++) {
        in = json_pack("{s:s, s:s, s:s, s:s, s:i}", "type", "need", "title", k ? "单元测试需求二" : "单元测试需求一", "body", "助餐",
                       "category", "elderly", "area_id", 1);
        assert_int_equal(dossier_create(db, &committee, in, k ? &need2 : &need, &f), RC_OK);
        json_decref(in);
    }
#define PROJECT(needid, qty)                                                                                            \
    json_pack("{s:s, s:s, s:i, s:[I], s:[{s:I, s:i}], s:I}", "type", "project", "title", "单元测试项目", "area_id", 1, "need_ids", \
              (json_int_t)(needid), "allocations", "resource_id", (json_int_t)res, "quantity", (qty), "handler_org_id", (json_int_t)luoyang)
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(quantity), 0) FROM resource_uses WHERE resource_id = %lld", (long long)res);
    in = PROJECT(need, 6);
    assert_int_equal(dossier_create(db, &committee, in, &p1, &f), RC_VALIDATION);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(json_array_get(f.errors, 0), "rule")), "capacity");
    fail_clear(&f);
    assert_int_equal(scalar(sql), 0);
    in = PROJECT(need, 4);
    assert_int_equal(dossier_create(db, &committee, in, &p1, &f), RC_OK);
    json_decref(in);
    assert_int_equal(scalar(sql), 4);
    /* (A buffer per query: the statement cache is keyed by the text's address.) */
    char taken[200];
    snprintf(taken, sizeof taken, "SELECT state = 'in_project' FROM dossiers WHERE id = %lld", (long long)need);
    assert_int_equal(scalar(taken), 1);
    /* One is left: two is too many, one fits. */
    in = PROJECT(need2, 2);
    assert_int_equal(dossier_create(db, &committee, in, &p2, &f), RC_VALIDATION);
    json_decref(in);
    fail_clear(&f);
    in = PROJECT(need2, 1);
    assert_int_equal(dossier_create(db, &committee, in, &p2, &f), RC_OK);
    json_decref(in);
    assert_int_equal(scalar(sql), 5);
    /* Cancelling gives back what it took and reopens its need. */
    in = json_pack("{s:s}", "reason", "调整");
    assert_int_equal(dossier_act(db, &committee, p1, "cancel", in, 0, &f), RC_OK);
    json_decref(in);
    assert_int_equal(scalar(sql), 1);
    char st[200];
    snprintf(st, sizeof st, "SELECT state = 'open' FROM dossiers WHERE id = %lld", (long long)need);
    assert_int_equal(scalar(st), 1);
    /* Rebuild from the log: the same capacity taken. */
    assert_int_equal(db_run(db, &f, "DELETE FROM resource_uses", NULL), RC_OK);
    assert_true(dossier_rebuild(db, &f) > 0);
    assert_int_equal(scalar(sql), 1);
    fail_clear(&f);
#undef PROJECT
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_shipped_types_pass, back_to_now),
        cmocka_unit_test_teardown(test_broken_declarations_refused, back_to_now),
        cmocka_unit_test_teardown(test_spring_festival_2026, back_to_now),
        cmocka_unit_test_teardown(test_year_end_and_national_day, back_to_now),
        cmocka_unit_test_teardown(test_unknown_year_flagged, back_to_now),
        cmocka_unit_test_teardown(test_state_limits_from_the_type, back_to_now),
        cmocka_unit_test_teardown(test_time_status_function, back_to_now),
        cmocka_unit_test_teardown(test_refusals, back_to_now),
        cmocka_unit_test_teardown(test_hash_chain, back_to_now),
        cmocka_unit_test_teardown(test_verify_clean_and_tampered, back_to_now),
        cmocka_unit_test_teardown(test_verify_counts_each_broken_dossier_once, back_to_now),
        cmocka_unit_test_teardown(test_rebuild_recreates_projections, back_to_now),
        cmocka_unit_test_teardown(test_closed_on_stays_the_day_of_closing, back_to_now),
        cmocka_unit_test_teardown(test_list_dates_are_district_dates, back_to_now),
        cmocka_unit_test_teardown(test_search_pages, back_to_now),
        cmocka_unit_test_teardown(test_retitled_dossier_is_found_by_new_words, back_to_now),
        cmocka_unit_test(test_capacity_accounting),
    };
    return cmocka_run_group_tests_name("dossier_engine", tests, setup, teardown);
}
