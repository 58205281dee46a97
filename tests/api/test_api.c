/*
 * test_api.c — API tests against the real sanqu binary (issue #2 item 15): health and security
 * headers, static files, login and logout, CSRF, account and address lockout, idle expiry, the
 * generated-password change, every error status, organisation CRUD and CSV import, scope per role,
 * areas / agreements / liaisons, accounts, idempotency (also under concurrent retries), concurrent
 * writes and graceful stop (an in-flight request finishes).
 *
 * Three cmocka groups, one server each (harness.c): "api" (--lock-failures 5 --ip-lock-failures 0,
 * so that the many logins from 127.0.0.1 never lock the address), "options" (--ip-lock-failures 3
 * --lock-failures 100 --secure-cookies --max-body 2048; its address lock test comes last but the
 * stop) and "idle" (--idle-timeout 2). Each group ends by stopping its server with SIGTERM and
 * checking exit status 0, that the database opens afterwards and that the WAL was checkpointed.
 *
 * Tests in a group share one database. They never depend on another test having run: each creates
 * what it needs under names of its own, looks demo records up by name, and compares counts before
 * and after rather than with fixed numbers. (One exception, to spend the 3.5 s wait only once:
 * idle_timeout_counts_from_last_request checks what idle_session_expires recorded.)
 *
 * Usage: test_api SANQU_BINARY SOURCE_DIR (SANQU_TEST_KEEP=1 keeps the temporary directories).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static Server *S; /* the server of the group that is running */

/* ==== helpers ================================================================================== */

/* Items of a list answer. */
static json_t *items_of(const Resp *r) { return h_jpath(r->json, "items"); }

/* Every item of a list route (path may carry a query), walking the pages with page_size 200.
 * Returns an array owned by the client. Fails the test unless every page answers 200. */
static json_t *all_items(Client *c, const char *path) {
    json_t *all = h_client_own(c, json_array());
    char sep = strchr(path, '?') ? '&' : '?';
    for (int page = 1; page < 100; page++) {
        Resp *r = h_get(c, "%s%cpage=%d&page_size=200", path, sep, page);
        EXPECT_STATUS(r, 200);
        json_array_extend(all, items_of(r));
        long long total = h_jint(r->json, "total");
        if ((long long)json_array_size(all) >= total || json_array_size(items_of(r)) == 0) break;
    }
    return all;
}

/* "total" of a list route. */
static long long total_of(Client *c, const char *path) {
    Resp *r = h_get(c, "%s", path);
    EXPECT_STATUS(r, 200);
    long long t = h_jint(r->json, "total");
    if (t < 0) FAIL_RESP(r, "no total in the list answer");
    return t;
}

/* Id of the item of items whose member key equals value, or -1. */
static long long find_by(json_t *items, const char *key, const char *value) {
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        const char *v = h_jstr(it, key);
        if (v && strcmp(v, value) == 0) return h_jint(it, "id");
    }
    return -1;
}

/* True when an item of items has member key equal to the integer id. */
static bool has_id(json_t *items, const char *key, long long id) {
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (h_jint(it, key) == id) return true;
    return false;
}

/* Id of the organisation called name, looked up through c (which must be able to see it). */
static long long org_id(Client *c, const char *name) {
    Resp *r = h_get(c, "/api/v1/orgs?page_size=200&q=%s", h_esc(name));
    EXPECT_STATUS(r, 200);
    long long id = find_by(items_of(r), "name", name);
    if (id < 0) FAIL_RESP(r, "no organisation named %s", name);
    return id;
}

/* Id of the account username, looked up through c (user.read). */
static long long user_id(Client *c, const char *username) {
    Resp *r = h_get(c, "/api/v1/users?page_size=200&q=%s", h_esc(username));
    EXPECT_STATUS(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) {
        const char *u = h_jstr(it, "username");
        if (u && strcmp(u, username) == 0) return h_jint(it, "id");
    }
    FAIL_RESP(r, "no account named %s", username);
    return -1;
}

/* Number of organisations the client sees. */
static long long org_count(Client *c) { return total_of(c, "/api/v1/orgs?page_size=1"); }

/* A fresh, valid unified social credit code (GB 32100-2015): a fixed body, a counter, and the
 * check character computed here independently of the server. */
static void credit_check(const char body[17], char out[19]) {
    static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (int)(strchr(cs, body[i]) - cs) * w[i];
    memcpy(out, body, 17);
    out[17] = cs[(31 - sum % 31) % 31];
    out[18] = 0;
}

static const char *new_credit_code(void) {
    static int n;
    char body[32]; /* 17 characters: 10 fixed, 7 digits of the counter */
    snprintf(body, sizeof body, "91350521QA%07u", (unsigned)(++n % 10000000));
    static char ring[8][19];
    char *out = ring[n % 8];
    credit_check(body, out);
    return out;
}

/* The same code with a wrong check character. */
static const char *spoil_credit_code(const char *good) {
    static char bad[19];
    memcpy(bad, good, 19);
    bad[17] = bad[17] == '0' ? '1' : '0';
    return bad;
}

/* POST /orgs for an enterprise. */
static Resp *create_enterprise(Client *c, long long parent, const char *name, const char *code) {
    return h_send(c, "POST", "/api/v1/orgs",
                  json_pack("{s:s, s:s, s:I, s:s}", "kind", "enterprise", "name", name, "parent_id",
                            (json_int_t)parent, "credit_code", code));
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ", or -1. */
static long long parse_iso(const char *s) {
    if (!s) return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *e = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!e || *e) return -1;
    return (long long)timegm(&tm);
}

/* True when the JSON array arr holds the string s. */
static bool array_has_str(json_t *arr, const char *s) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

/* The entry of a problem's errors[] for this line, field and rule exists. */
static bool import_error(json_t *errors, int line, const char *field, const char *rule) {
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        const char *f = h_jstr(e, "field"), *ru = h_jstr(e, "rule");
        if (h_jint(e, "line") == line && f && strcmp(f, field) == 0 && ru && strcmp(ru, rule) == 0) return true;
    }
    return false;
}

#define EXPECT_IMPORT_ERROR(r, errors, line, field, rule)                                           \
    do {                                                                                           \
        if (!import_error((errors), (line), (field), (rule)))                                      \
            FAIL_RESP((r), "expected an import error {line: %d, field: %s, rule: %s}", (line), (field), (rule)); \
    } while (0)

/* ETag of r must be "<version>" of its body. */
static void expect_etag_is_version(const Resp *r) {
    const char *etag = h_header(r, "ETag");
    long long v = h_jint(r->json, "version");
    if (v < 1) FAIL_RESP(r, "no version in the record");
    if (!etag || strcmp(etag, h_fmt("\"%lld\"", v)) != 0)
        FAIL_RESP(r, "expected ETag \"%lld\", got %s", v, etag ? etag : "(none)");
}

/* PUT with If-Match: "<version>". */
static Resp *put_if_match(Client *c, const char *path, long long version, json_t *body) {
    h_client_header(c, h_fmt("If-Match: \"%lld\"", version));
    return h_send(c, "PUT", path, body);
}

/* ==== group fixtures =========================================================================== */

static int start_main(void **state) {
    (void)state;
    static const char *const args[] = {"--lock-failures", "5", "--ip-lock-failures", "0", NULL};
    S = h_server_start(args);
    return S ? 0 : -1;
}

static int start_options(void **state) {
    (void)state;
    static const char *const args[] = {"--ip-lock-failures", "3", "--lock-failures", "100", "--secure-cookies",
                                       "--max-body", "2048", NULL};
    S = h_server_start(args);
    return S ? 0 : -1;
}

static int start_idle(void **state) {
    (void)state;
    static const char *const args[] = {"--idle-timeout", "2", "--ip-lock-failures", "0", NULL};
    S = h_server_start(args);
    return S ? 0 : -1;
}

static int stop_group(void **state) {
    (void)state;
    h_client_free_all();
    h_server_free(S);
    S = NULL;
    return 0;
}

/* ==== 1. health, security headers, static files, raw HTTP ====================================== */

static void health_without_session(void **state) {
    (void)state;
    Client *c = h_client(S);
    Resp *r = h_get(c, "/api/v1/health");
    EXPECT_STATUS(r, 200);
    const char *ct = h_header(r, "Content-Type");
    EXPECT_TRUE_R(r, ct && strncmp(ct, "application/json", 16) == 0);
    EXPECT_TRUE_R(r, h_jstr(r->json, "status") && strcmp(h_jstr(r->json, "status"), "ok") == 0);
    EXPECT_TRUE_R(r, h_jstr(r->json, "version") != NULL);
    EXPECT_TRUE_R(r, h_header(r, "Set-Cookie") == NULL);
    EXPECT_SECURITY_HEADERS(r);
    h_client_free(c);
}

static void security_headers_on_every_response(void **state) {
    (void)state;
    Client *anon = h_client(S);
    Client *admin = h_client(S);
    Resp *rs[12];
    int n = 0;
    rs[n++] = h_login(admin, "admin", H_PASSWORD);
    rs[n++] = h_get(admin, "/api/v1/orgs?page_size=1");
    rs[n++] = h_get(anon, "/api/v1/me");                                  /* 401 */
    rs[n++] = h_get(anon, "/api/v1/no-such-route");                       /* 404 */
    rs[n++] = h_req(anon, "PATCH", "/api/v1/orgs", NULL, NULL, 0);          /* 405 */
    rs[n++] = h_req(admin, "POST", "/api/v1/orgs", "text/plain", "x", 1);   /* 415 */
    rs[n++] = h_get(anon, "/");                                           /* static */
    rs[n++] = h_get(anon, "/assets/app.js");
    rs[n++] = h_get(anon, "/orgs/17");                                    /* app route */
    rs[n++] = h_get(anon, "/assets/missing.js");                          /* static 404 */
    rs[n++] = h_req(anon, "POST", "/", "text/plain", "x", 1);               /* static 405 */
    long want[] = {200, 200, 401, 404, 405, 415, 200, 200, 200, 404, 405};
    for (int i = 0; i < n; i++) {
        EXPECT_STATUS(rs[i], want[i]);
        EXPECT_SECURITY_HEADERS(rs[i]);
    }
    h_client_free(anon);
    h_client_free(admin);
}

static void static_files_and_traversal(void **state) {
    (void)state;
    Client *c = h_client(S);
    Resp *r = h_get(c, "/");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, strstr(r->body, "sanqu test") != NULL);
    EXPECT_TRUE_R(r, h_header(r, "Content-Type") && strncmp(h_header(r, "Content-Type"), "text/html", 9) == 0);

    r = h_get(c, "/assets/app.js");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_header(r, "Content-Type") && strstr(h_header(r, "Content-Type"), "javascript") != NULL);

    r = h_get(c, "/areas/3/members"); /* a route of the single-page app gets index.html */
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, strstr(r->body, "sanqu test") != NULL);

    EXPECT_STATUS(h_get(c, "/assets/missing.js"), 404);

    r = h_req(c, "DELETE", "/", NULL, NULL, 0);
    EXPECT_PROBLEM(r, 405, "method-not-allowed");
    EXPECT_TRUE_R(r, h_header(r, "Allow") && strstr(h_header(r, "Allow"), "GET"));

    /* The database sits next to the web root: no spelling of ".." may reach it. */
    static const char *const sneaky[] = {"/../s.db",     "/assets/../../s.db", "/%2e%2e/s.db", "/..%2fs.db",
                                         "/..%2Fs.db.key", "/assets/..%2f..%2fs.db", "/./../s.db"};
    for (size_t i = 0; i < sizeof sneaky / sizeof sneaky[0]; i++) {
        r = h_get(c, "%s", sneaky[i]);
        EXPECT_TRUE_R(r, strstr(r->body, "SQLite format 3") == NULL);
        EXPECT_TRUE_R(r, r->status == 404 || r->status == 400);
    }
    h_client_free(c);
}

static void raw_malformed_requests(void **state) {
    (void)state;
    char *out = NULL;
    /* A header line without a colon. */
    static const char bad_header[] = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nThisIsNotAHeader\r\n"
                                     "Connection: close\r\n\r\n";
    int st = h_raw(S, bad_header, sizeof bad_header - 1, &out);
    if (st != 400) fail_msg("a header line without a colon: expected 400, got %d:\n%.300s", st, out);
    free(out);

    /* A 100 KiB header: larger than the connection's memory. */
    size_t big = 100 * 1024;
    char *req = malloc(big + 200);
    assert_non_null(req);
    int n = snprintf(req, 200, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + n, 'a', big);
    memcpy(req + n + big, "\r\nConnection: close\r\n\r\n", 24);
    st = h_raw(S, req, (size_t)n + big + 23, &out);
    free(req);
    if (st != 431 && st != 413 && st != 400)
        fail_msg("an oversized header: expected 431 (or 413/400), got %d:\n%.300s", st, out);
    free(out);

    /* A request line that is not HTTP. */
    static const char junk[] = "HELLO\r\n\r\n";
    st = h_raw(S, junk, sizeof junk - 1, &out);
    if (st != 400 && st != 501 && st != -1) fail_msg("a junk request line: expected 400/501 or a close, got %d", st);
    free(out);

    /* HTTP/1.0 still works, and the server is alive after all that. */
    static const char http10[] = "GET /api/v1/health HTTP/1.0\r\n\r\n";
    st = h_raw(S, http10, sizeof http10 - 1, &out);
    if (st != 200 || !strstr(out, "\"ok\"")) fail_msg("HTTP/1.0 health: expected 200, got %d:\n%.300s", st, out);
    free(out);
}

/* ==== 2. login, logout, /me ===================================================================== */

static void login_sets_cookie_and_returns_user(void **state) {
    (void)state;
    Client *c = h_client(S);
    Resp *r = h_login(c, "admin", H_PASSWORD);
    EXPECT_STATUS(r, 200);
    const char *sc = h_header(r, "Set-Cookie");
    EXPECT_TRUE_R(r, sc && strncmp(sc, "sanqu_session=", 14) == 0 && strlen(sc) > 30);
    EXPECT_TRUE_R(r, strstr(sc, "HttpOnly") != NULL);
    EXPECT_TRUE_R(r, strstr(sc, "SameSite=Strict") != NULL);
    EXPECT_TRUE_R(r, strstr(sc, "Path=/") != NULL);
    char token[128];
    h_client_session_token(c, token, sizeof token);
    EXPECT_TRUE_R(r, token[0] && strstr(r->body, token) == NULL); /* the token only travels in the cookie */
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "user.username"), "admin") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "user.role"), "admin") == 0);
    EXPECT_TRUE_R(r, h_jpath(r->json, "user.pw_hash") == NULL && strstr(r->body, "argon2") == NULL);
    EXPECT_TRUE_R(r, array_has_str(h_jpath(r->json, "capabilities"), "org.write"));
    EXPECT_TRUE_R(r, !array_has_str(h_jpath(r->json, "capabilities"), "audit.read"));
    const char *csrf = h_jstr(r->json, "csrf_token");
    EXPECT_TRUE_R(r, csrf && strlen(csrf) >= 16);
    EXPECT_TRUE_R(r, json_is_false(h_jpath(r->json, "must_change_password")));
    EXPECT_TRUE_R(r, json_is_true(h_jpath(r->json, "scope.district_wide")));

    Resp *me = h_get(c, "/api/v1/me");
    EXPECT_STATUS(me, 200);
    EXPECT_TRUE_R(me, strcmp(h_jstr(me->json, "user.username"), "admin") == 0);
    EXPECT_TRUE_R(me, h_jstr(me->json, "csrf_token") && strcmp(h_jstr(me->json, "csrf_token"), csrf) == 0);

    /* A scoped role gets its scope. */
    Client *t = h_client(S);
    r = h_login(t, "town", H_PASSWORD);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_false(h_jpath(r->json, "scope.district_wide")));
    EXPECT_TRUE_R(r, h_jstr(r->json, "scope.org_name") && strcmp(h_jstr(r->json, "scope.org_name"), "洛阳镇") == 0);
    h_client_free(t);
    h_client_free(c);
}

static void login_rejects_bad_credentials(void **state) {
    (void)state;
    Client *c = h_client(S);
    Resp *wrong = h_login(c, "leader", "Wrong#pass1");
    EXPECT_PROBLEM(wrong, 401, "bad-credentials");
    EXPECT_TRUE_R(wrong, h_header(wrong, "Set-Cookie") == NULL || strstr(h_header(wrong, "Set-Cookie"), "sanqu_session=;"));
    Resp *unknown = h_login(c, "nobody-here", "Wrong#pass1");
    EXPECT_PROBLEM(unknown, 401, "bad-credentials");
    /* The two answers do not tell which of user name or password was wrong. */
    EXPECT_TRUE_R(unknown, strcmp(h_jstr(wrong->json, "detail"), h_jstr(unknown->json, "detail")) == 0);
    EXPECT_TRUE_R(unknown, strcmp(h_jstr(wrong->json, "title"), h_jstr(unknown->json, "title")) == 0);
    EXPECT_PROBLEM(h_get(c, "/api/v1/me"), 401, "unauthenticated");
    /* The right password still works (two failures lock nothing). */
    EXPECT_STATUS(h_login(c, "leader", H_PASSWORD), 200);
    h_client_free(c);
}

static void login_validates_fields(void **state) {
    (void)state;
    Client *c = h_client(S);
    Resp *r = h_req(c, "POST", "/api/v1/session", "application/json", "{}", 2);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "username", "required");
    EXPECT_FIELD_ERROR(r, "password", "required");
    r = h_send(c, "POST", "/api/v1/session", json_pack("{s:s}", "username", "admin"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "password", "required");
    EXPECT_NO_FIELD_ERROR(r, "username");
    r = h_send(c, "POST", "/api/v1/session", json_pack("{s:i, s:s}", "username", 5, "password", "x"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "username", "type");
    r = h_req(c, "POST", "/api/v1/session", "text/plain", "username=admin", 14);
    EXPECT_PROBLEM(r, 415, "unsupported-media-type");
    h_client_free(c);
}

static void me_requires_a_session(void **state) {
    (void)state;
    Client *c = h_client(S);
    Resp *r = h_get(c, "/api/v1/me");
    EXPECT_PROBLEM(r, 401, "unauthenticated");
    h_client_header(c, "Cookie: sanqu_session=not-a-real-token");
    EXPECT_PROBLEM(h_get(c, "/api/v1/me"), 401, "unauthenticated");
    h_client_header(c, "Cookie: sanqu_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    EXPECT_PROBLEM(h_get(c, "/api/v1/orgs"), 401, "unauthenticated");
    EXPECT_PROBLEM(h_get(c, "/api/v1/orgs"), 401, "unauthenticated");
    h_client_free(c);
}

static void logout_ends_the_session(void **state) {
    (void)state;
    Client *c = h_client_as(S, "department");
    char token[128];
    h_client_session_token(c, token, sizeof token);
    assert_true(strlen(token) > 20);

    /* Without the CSRF token, sign-out is refused and the session lives on. */
    h_client_send_csrf(c, false);
    EXPECT_PROBLEM(h_del(c, "/api/v1/session"), 403, "csrf");
    EXPECT_STATUS(h_get(c, "/api/v1/me"), 200);
    h_client_send_csrf(c, true);

    Resp *r = h_del(c, "/api/v1/session");
    EXPECT_STATUS(r, 204);
    EXPECT_TRUE_R(r, r->len == 0);
    const char *sc = h_header(r, "Set-Cookie");
    EXPECT_TRUE_R(r, sc && strstr(sc, "sanqu_session=;") && (strstr(sc, "Max-Age=0") || strstr(sc, "Expires=")));
    EXPECT_PROBLEM(h_get(c, "/api/v1/me"), 401, "unauthenticated");

    /* The old token is dead on the server, not just forgotten by this client. */
    Client *thief = h_client(S);
    h_client_header(thief, h_fmt("Cookie: sanqu_session=%s", token));
    EXPECT_PROBLEM(h_get(thief, "/api/v1/me"), 401, "unauthenticated");
    h_client_free(thief);
    h_client_free(c);
}

static void login_issues_a_new_token_each_time(void **state) {
    (void)state;
    Client *c = h_client_as(S, "inspector");
    char first[128], second[128];
    h_client_session_token(c, first, sizeof first);
    char csrf1[128];
    snprintf(csrf1, sizeof csrf1, "%s", h_client_csrf(c));
    EXPECT_STATUS(h_login(c, "inspector", H_PASSWORD), 200);
    h_client_session_token(c, second, sizeof second);
    assert_true(first[0] && second[0]);
    assert_string_not_equal(first, second);
    assert_string_not_equal(csrf1, h_client_csrf(c));
    h_client_free(c);
}

/* ==== 3. CSRF =================================================================================== */

static void csrf_required_on_state_changes(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Client *other = h_client_as(S, "admin"); /* a second, valid session with its own token */
    long long park = org_id(a, "海峡雕刻艺术园");
    Resp *made = create_enterprise(a, park, "CSRF测试有限公司", new_credit_code());
    EXPECT_STATUS(made, 201);
    long long id = h_jint(made->json, "id");
    long long before = org_count(a);
    const char *path = h_fmt("/api/v1/orgs/%lld", id);
    char opath[64];
    snprintf(opath, sizeof opath, "%s", path);

    const char *const tokens[] = {NULL, "", "wrong-token", h_client_csrf(other)};
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        if (tokens[i]) {
            h_client_send_csrf(a, false);
            h_client_header(a, h_fmt("X-CSRF-Token: %s", tokens[i]));
        } else {
            h_client_send_csrf(a, false);
        }
        Resp *r = create_enterprise(a, park, "CSRF不应创建有限公司", new_credit_code());
        EXPECT_PROBLEM(r, 403, "csrf");
        h_client_header(a, h_fmt("X-CSRF-Token: %s", tokens[i] ? tokens[i] : ""));
        r = h_send(a, "PUT", opath, json_pack("{s:s}", "name", "CSRF改名"));
        EXPECT_PROBLEM(r, 403, "csrf");
        h_client_header(a, h_fmt("X-CSRF-Token: %s", tokens[i] ? tokens[i] : ""));
        EXPECT_PROBLEM(h_del(a, "%s", opath), 403, "csrf");
        h_client_header(a, h_fmt("X-CSRF-Token: %s", tokens[i] ? tokens[i] : ""));
        r = h_send(a, "POST", "/api/v1/me/password",
                   json_pack("{s:s, s:s}", "old_password", H_PASSWORD, "new_password", "Csrf#2026pw"));
        EXPECT_PROBLEM(r, 403, "csrf");
        h_client_header(a, h_fmt("X-CSRF-Token: %s", tokens[i] ? tokens[i] : ""));
        r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=false", "text/csv",
                  "kind,name,parent\nenterprise,CSRF导入,1\n", 37);
        EXPECT_PROBLEM(r, 403, "csrf");
        h_client_send_csrf(a, true);
    }
    /* Nothing changed. */
    EXPECT_TRUE_R(made, org_count(a) == before);
    Resp *r = h_get(a, "%s", opath);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 1);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "name"), "CSRF测试有限公司") == 0);
    EXPECT_STATUS(h_login(h_client(S), "admin", H_PASSWORD), 200); /* password unchanged */
    /* Reads need no token; with the right one the delete goes through. */
    h_client_send_csrf(a, false);
    EXPECT_STATUS(h_get(a, "/api/v1/orgs?page_size=1"), 200);
    h_client_send_csrf(a, true);
    EXPECT_STATUS(h_del(a, "%s", opath), 204);
    h_client_free(other);
    h_client_free(a);
}

/* ==== 4. lockout ================================================================================ */

static void account_locks_after_repeated_failures(void **state) {
    (void)state;
    Client *c = h_client(S);
    Resp *r = NULL;
    int locked_at = 0;
    for (int i = 1; i <= 6 && !locked_at; i++) {
        r = h_login(c, "volunteer", "Wrong#pass1");
        if (r->status == 423) locked_at = i;
        else EXPECT_PROBLEM(r, 401, "bad-credentials");
    }
    if (locked_at != 5 && locked_at != 6) FAIL_RESP(r, "expected 423 at the 5th or 6th failure, got it at %d", locked_at);
    EXPECT_PROBLEM(r, 423, "account-locked");
    long long until = parse_iso(h_jstr(r->json, "locked_until"));
    long long now = (long long)time(NULL);
    EXPECT_TRUE_R(r, until > now && until <= now + 16 * 60);

    /* Even the right password is refused now. */
    r = h_login(c, "volunteer", H_PASSWORD);
    EXPECT_PROBLEM(r, 423, "account-locked");
    EXPECT_TRUE_R(r, h_jstr(r->json, "locked_until") != NULL);
    EXPECT_TRUE_R(r, h_header(r, "Set-Cookie") == NULL);

    /* The auditor sees the lockout. */
    Client *aud = h_client_as(S, "auditor");
    r = h_get(aud, "/api/v1/audit?action=lockout&username=volunteer");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") >= 1);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].action"), "lockout") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].username"), "volunteer") == 0);
    r = h_get(aud, "/api/v1/audit?action=login_failed&username=volunteer&page_size=200");
    EXPECT_TRUE_R(r, h_jint(r->json, "total") >= 5);
    EXPECT_TRUE_R(r, h_jstr(r->json, "items[0].ip") && strcmp(h_jstr(r->json, "items[0].ip"), "127.0.0.1") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].outcome"), "denied") == 0);
    EXPECT_TRUE_R(r, strstr(r->body, "Wrong#pass1") == NULL && strstr(r->body, H_PASSWORD) == NULL);

    /* The security administrator sees the lock and lifts it. */
    Client *sec = h_client_as(S, "secadmin");
    long long id = user_id(sec, "volunteer");
    r = h_get(sec, "/api/v1/users/%lld", id);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_true(h_jpath(r->json, "locked")));
    EXPECT_TRUE_R(r, h_jstr(r->json, "locked_until") != NULL);
    EXPECT_TRUE_R(r, total_of(sec, "/api/v1/users?locked=true&q=volunteer") == 1);
    r = h_req(sec, "POST", h_fmt("/api/v1/users/%lld/unlock", id), NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_false(h_jpath(r->json, "locked")));

    r = h_login(c, "volunteer", H_PASSWORD);
    EXPECT_STATUS(r, 200);
    /* The failure count started again: one wrong password is just a wrong password. */
    Client *c2 = h_client(S);
    EXPECT_PROBLEM(h_login(c2, "volunteer", "Wrong#pass1"), 401, "bad-credentials");
    r = h_get(aud, "/api/v1/audit?action=unlock");
    EXPECT_TRUE_R(r, has_id(items_of(r), "object_id", id));
    h_client_free(c2);
    h_client_free(sec);
    h_client_free(aud);
    h_client_free(c);
}

/* options group (before the address is locked): --secure-cookies marks the cookie Secure. */
static void secure_cookies_option(void **state) {
    (void)state;
    Client *c = h_client(S);
    Resp *r = h_login(c, "leader", H_PASSWORD);
    EXPECT_STATUS(r, 200);
    const char *sc = h_header(r, "Set-Cookie");
    EXPECT_TRUE_R(r, sc && strstr(sc, "; Secure") && strstr(sc, "HttpOnly") && strstr(sc, "SameSite=Strict"));
    char token[128];
    h_client_session_token(c, token, sizeof token);
    if (!token[0]) skip(); /* this curl keeps Secure cookies away from http:// */
    r = h_del(c, "/api/v1/session");
    EXPECT_STATUS(r, 204);
    sc = h_header(r, "Set-Cookie");
    EXPECT_TRUE_R(r, sc && (strstr(sc, "Max-Age=0") || strstr(sc, "Expires=")) && strstr(sc, "; Secure"));
    h_client_free(c);
}

/* options group: --max-body 2048 moves the 413 limit, before authentication. */
static void max_body_option(void **state) {
    (void)state;
    Client *c = h_client(S);
    char body[2100];
    memset(body, ' ', sizeof body);
    body[0] = '{';
    body[2047] = '}';
    Resp *r = h_req(c, "POST", "/api/v1/session", "application/json", body, 2048);
    EXPECT_PROBLEM(r, 422, "validation");
    body[2048] = '}';
    body[2047] = ' ';
    r = h_req(c, "POST", "/api/v1/session", "application/json", body, 2049);
    EXPECT_PROBLEM(r, 413, "payload-too-large");
    r = h_req(c, "POST", "/api/v1/orgs", "application/json", body, 2049);
    EXPECT_PROBLEM(r, 413, "payload-too-large");
    h_client_free(c);
}

/* options group: failures under different names lock the address. */
static void address_locks_across_user_names(void **state) {
    (void)state;
    Client *c = h_client(S);
    EXPECT_PROBLEM(h_login(c, "admin", "Wrong#pass1"), 401, "bad-credentials");
    EXPECT_PROBLEM(h_login(c, "leader", "Wrong#pass2"), 401, "bad-credentials");
    Resp *r = h_login(c, "no-such-user", "Wrong#pass3");
    EXPECT_PROBLEM(r, 429, "rate-limited");
    long long until = parse_iso(h_jstr(r->json, "locked_until"));
    EXPECT_TRUE_R(r, until > (long long)time(NULL));
    /* Now even a correct login from this address is refused, for any account. */
    r = h_login(c, "auditor", H_PASSWORD);
    EXPECT_PROBLEM(r, 429, "rate-limited");
    EXPECT_TRUE_R(r, h_header(r, "Set-Cookie") == NULL);
    EXPECT_PROBLEM(h_login(c, "admin", H_PASSWORD), 429, "rate-limited");
    EXPECT_PROBLEM(h_get(c, "/api/v1/me"), 401, "unauthenticated");
    h_client_free(c);
}

/* The account lock of the options group is 100 failures: the accounts themselves stay unlocked. */
static void address_lock_does_not_lock_accounts(void **state) {
    (void)state;
    char *out = NULL;
    const char *const args[] = {"user", "list", "--db", S->db, NULL};
    /* The CLI reads the same database while the server runs. */
    int rc = h_cli(S, args, &out);
    if (rc != 0) fail_msg("sanqu user list exited with %d:\n%s", rc, out ? out : "");
    char *line = out ? strstr(out, "\nadmin ") : NULL;
    if (!line) fail_msg("no admin line in:\n%s", out ? out : "");
    char *eol = strchr(line + 1, '\n');
    if (eol) *eol = 0;
    if (strstr(line, "locked")) fail_msg("the admin account was locked by an address lock: %s", line);
    free(out);
}

/* ==== 5. idle expiry ============================================================================ */

static long idle_keepalive_status[8]; /* statuses of the kept-busy session, one per second */
static int idle_keepalive_n;          /* entries used */

static void idle_session_expires(void **state) {
    (void)state;
    Client *idle = h_client_as(S, "admin");
    Client *busy = h_client_as(S, "leader");
    EXPECT_STATUS(h_get(idle, "/api/v1/me"), 200);
    /* The busy session makes a request every second; the idle one sleeps for 3.5 s. */
    idle_keepalive_n = 0;
    for (int i = 0; i < 7; i++) {
        struct timespec ts = {0, 500 * 1000000L};
        nanosleep(&ts, NULL);
        if (i % 2 == 1) idle_keepalive_status[idle_keepalive_n++] = h_get(busy, "/api/v1/me")->status;
    }
    Resp *r = h_get(idle, "/api/v1/me");
    EXPECT_PROBLEM(r, 401, "session-expired");
    r = h_get(idle, "/api/v1/orgs");
    EXPECT_TRUE_R(r, r->status == 401);
    /* A new login works at once. */
    EXPECT_STATUS(h_login(idle, "admin", H_PASSWORD), 200);
    EXPECT_STATUS(h_get(idle, "/api/v1/me"), 200);
    h_client_free(busy);
    h_client_free(idle);
}

/* Runs after idle_session_expires: a session used every second never was idle for 2 s. */
static void idle_timeout_counts_from_last_request(void **state) {
    (void)state;
    if (idle_keepalive_n == 0) skip();
    for (int i = 0; i < idle_keepalive_n; i++)
        if (idle_keepalive_status[i] != 200)
            fail_msg("GET /api/v1/me once a second with --idle-timeout 2: request %d (%d s after login) answered %ld; "
                     "a session in use must not expire as idle",
                     i + 1, i + 1, idle_keepalive_status[i]);
}

/* ==== 6. generated password ===================================================================== */

static void generated_password_must_be_changed(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long village = org_id(a, "西吟头村");
    Resp *r = h_send(a, "POST", "/api/v1/users",
                     json_pack("{s:s, s:s, s:s, s:I}", "username", "firstlogin", "display_name", "首次登录",
                               "role", "community", "org_id", (json_int_t)village));
    EXPECT_STATUS(r, 201);
    const char *initial = h_jstr(r->json, "initial_password");
    EXPECT_TRUE_R(r, initial && strlen(initial) >= 8);
    EXPECT_TRUE_R(r, json_is_true(h_jpath(r->json, "must_change_password")));
    long long uid = h_jint(r->json, "id");
    EXPECT_TRUE_R(r, h_header(r, "Location") &&
                         strcmp(h_header(r, "Location"), h_fmt("/api/v1/users/%lld", uid)) == 0);
    char pw[64];
    snprintf(pw, sizeof pw, "%s", initial);
    /* The one-time password is shown once: a read does not reveal it. */
    r = h_get(a, "/api/v1/users/%lld", uid);
    EXPECT_TRUE_R(r, h_jpath(r->json, "initial_password") == NULL && strstr(r->body, pw) == NULL);

    Client *u = h_client(S);
    r = h_login(u, "firstlogin", pw);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_true(h_jpath(r->json, "must_change_password")));
    static const char *const blocked[] = {"/api/v1/orgs", "/api/v1/meta", "/api/v1/stats/overview",
                                          "/api/v1/areas", "/api/v1/agreements"};
    for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
        EXPECT_PROBLEM(h_get(u, "%s", blocked[i]), 403, "password-change-required");
    EXPECT_PROBLEM(h_send(u, "POST", "/api/v1/orgs", json_pack("{s:s}", "name", "x")), 403, "password-change-required");
    EXPECT_STATUS(h_get(u, "/api/v1/me"), 200);

    /* Sign-out is allowed too (in a second session). */
    Client *u2 = h_client(S);
    EXPECT_STATUS(h_login(u2, "firstlogin", pw), 200);
    EXPECT_STATUS(h_del(u2, "/api/v1/session"), 204);

    r = h_send(u, "POST", "/api/v1/me/password", json_pack("{s:s, s:s}", "old_password", pw, "new_password", "weakpass"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "new_password", "password_policy");
    r = h_send(u, "POST", "/api/v1/me/password", json_pack("{s:s, s:s}", "old_password", pw, "new_password", "Ab1"));
    EXPECT_FIELD_ERROR(r, "new_password", "password_policy");
    r = h_send(u, "POST", "/api/v1/me/password",
               json_pack("{s:s, s:s}", "old_password", "Not#theOld1", "new_password", "Fresh#2026pw"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "old_password", "mismatch");
    r = h_send(u, "POST", "/api/v1/me/password", json_pack("{s:s}", "old_password", pw));
    EXPECT_FIELD_ERROR(r, "new_password", "required");
    EXPECT_PROBLEM(h_get(u, "/api/v1/orgs"), 403, "password-change-required");

    r = h_send(u, "POST", "/api/v1/me/password", json_pack("{s:s, s:s}", "old_password", pw, "new_password", "Fresh#2026pw"));
    EXPECT_STATUS(r, 204);
    r = h_get(u, "/api/v1/orgs");
    EXPECT_STATUS(r, 200);
    r = h_get(u, "/api/v1/me");
    EXPECT_TRUE_R(r, json_is_false(h_jpath(r->json, "must_change_password")));
    /* The one-time password is spent; the new one works. */
    Client *u3 = h_client(S);
    EXPECT_PROBLEM(h_login(u3, "firstlogin", pw), 401, "bad-credentials");
    r = h_login(u3, "firstlogin", "Fresh#2026pw");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_false(h_jpath(r->json, "must_change_password")));
    h_client_free(u3);
    h_client_free(u2);
    h_client_free(u);
    h_client_free(a);
}

/* ==== 7. every error status ===================================================================== */

static void error_400_malformed_json(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    static const char bad[] = "{\"kind\": \"park\", \"name\": }";
    Resp *r = h_req(a, "POST", "/api/v1/orgs", "application/json", bad, sizeof bad - 1);
    EXPECT_PROBLEM(r, 400, "bad-request");
    long long pos = h_jint(r->json, "position");
    EXPECT_TRUE_R(r, pos > 0 && pos <= (long long)sizeof bad);
    EXPECT_TRUE_R(r, h_jstr(r->json, "detail") && strstr(h_jstr(r->json, "detail"), h_fmt("%lld", pos)));

    /* Empty body, a trailing comma, a duplicated member, invalid UTF-8. */
    static const char *const bodies[] = {"", "{\"name\":\"a\",}", "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"\xff\xfe\"}",
                                         "{\"name\":\"\xc0\xaf\"}"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        r = h_req(a, "POST", "/api/v1/orgs", "application/json", bodies[i], strlen(bodies[i]));
        EXPECT_PROBLEM(r, 400, "bad-request");
    }
    /* Login has the same parser. */
    r = h_req(h_client(S), "POST", "/api/v1/session", "application/json", "{\"username\":", 12);
    EXPECT_PROBLEM(r, 400, "bad-request");
    EXPECT_TRUE_R(r, h_jint(r->json, "position") >= 0);
    h_client_free(a);
}

/* {"a": [[[ … ]]]} with the object as level 1 and depth levels in all. */
static char *nested(int depth) {
    char *s = malloc((size_t)depth * 2 + 16);
    assert_non_null(s);
    int n = sprintf(s, "{\"a\":");
    for (int i = 1; i < depth; i++) s[n++] = '[';
    for (int i = 1; i < depth; i++) s[n++] = ']';
    s[n++] = '}';
    s[n] = 0;
    return s;
}

static void error_400_nesting_and_non_objects(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    char *deep = nested(40);
    Resp *r = h_req(a, "POST", "/api/v1/orgs", "application/json", deep, strlen(deep));
    free(deep);
    EXPECT_PROBLEM(r, 400, "bad-request");
    deep = nested(33);
    r = h_req(a, "POST", "/api/v1/orgs", "application/json", deep, strlen(deep));
    free(deep);
    EXPECT_PROBLEM(r, 400, "bad-request");
    /* 32 levels are still parsed: the answer is about the fields, not the nesting. */
    deep = nested(32);
    r = h_req(a, "POST", "/api/v1/orgs", "application/json", deep, strlen(deep));
    free(deep);
    EXPECT_PROBLEM(r, 422, "validation");
    /* Deep nesting hidden inside a string is just a string. */
    static const char str[] = "{\"name\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
    r = h_req(a, "POST", "/api/v1/orgs", "application/json", str, sizeof str - 1);
    EXPECT_PROBLEM(r, 422, "validation");

    static const char *const not_objects[] = {"[1,2]", "\"name\"", "42", "null", "true"};
    for (size_t i = 0; i < sizeof not_objects / sizeof not_objects[0]; i++) {
        r = h_req(a, "POST", "/api/v1/orgs", "application/json", not_objects[i], strlen(not_objects[i]));
        EXPECT_PROBLEM(r, 400, "bad-request");
    }
    h_client_free(a);
}

static void error_422_types_and_required(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long before = org_count(a);
    Resp *r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:s, s:i, s:i}", "kind", "park", "name", 5, "parent_id", 1));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "name", "type");
    r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:s, s:i}", "kind", "park", "parent_id", 1));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "name", "required");
    r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:s, s:s, s:s}", "kind", "park", "name", "类型园", "parent_id", "1"));
    EXPECT_FIELD_ERROR(r, "parent_id", "type");
    r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:s, s:s, s:i}", "kind", "castle", "name", "城堡", "parent_id", 1));
    EXPECT_FIELD_ERROR(r, "kind", "enum");
    /* Several errors are reported together, and detail counts them. */
    r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:b, s:s}", "name", 1, "note", "x"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "kind", "required");
    EXPECT_FIELD_ERROR(r, "name", "type");
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "errors")) >= 2);
    /* Lengths carry their limit. */
    char longname[400];
    memset(longname, 'x', 101);
    longname[101] = 0;
    r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:s, s:s, s:i}", "kind", "park", "name", longname, "parent_id", 1));
    EXPECT_FIELD_ERROR(r, "name", "max_length");
    size_t i;
    json_t *e;
    bool has_max = false;
    json_array_foreach(h_jpath(r->json, "errors"), i, e) if (h_jint(e, "params.max") == 100) has_max = true;
    EXPECT_TRUE_R(r, has_max);
    EXPECT_TRUE_R(r, org_count(a) == before);
    h_client_free(a);
}

static void error_422_query_parameters(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Resp *r = h_get(a, "/api/v1/orgs?page_size=201");
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "page_size", "range");
    EXPECT_FIELD_ERROR(h_get(a, "/api/v1/orgs?page_size=0"), "page_size", "range");
    EXPECT_FIELD_ERROR(h_get(a, "/api/v1/orgs?page=0"), "page", "range");
    EXPECT_FIELD_ERROR(h_get(a, "/api/v1/orgs?page=abc"), "page", "type");
    EXPECT_FIELD_ERROR(h_get(a, "/api/v1/orgs?kind=castle"), "kind", "enum");
    EXPECT_FIELD_ERROR(h_get(a, "/api/v1/orgs?parent_id=x"), "parent_id", "type");
    EXPECT_STATUS(h_get(a, "/api/v1/orgs?page_size=200"), 200);
    h_client_free(a);
}

static void error_404_unknown_routes_and_records(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    EXPECT_PROBLEM(h_get(a, "/api/v1/no-such-thing"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v2/orgs"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/orgs/999999"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/orgs/abc"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/orgs/-1"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/orgs/99999999999999999999999"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/orgs/1x"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/areas/999999"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/agreements/999999"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/liaisons/999999"), 404, "not-found");
    EXPECT_PROBLEM(h_get(a, "/api/v1/users/999999"), 404, "not-found");
    EXPECT_PROBLEM(h_send(a, "PUT", "/api/v1/orgs/999999", json_pack("{s:s}", "name", "x")), 404, "not-found");
    EXPECT_PROBLEM(h_del(a, "/api/v1/orgs/999999"), 404, "not-found");
    /* Unknown API routes answer 404 without a session too. */
    EXPECT_PROBLEM(h_get(h_client(S), "/api/v1/no-such-thing"), 404, "not-found");
    h_client_free(a);
}

static void error_405_with_allow(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Resp *r = h_req(a, "PATCH", "/api/v1/orgs", "application/json", "{}", 2);
    EXPECT_PROBLEM(r, 405, "method-not-allowed");
    const char *allow = h_header(r, "Allow");
    EXPECT_TRUE_R(r, allow && strstr(allow, "GET") && strstr(allow, "POST") && !strstr(allow, "DELETE"));
    r = h_del(a, "/api/v1/health");
    EXPECT_PROBLEM(r, 405, "method-not-allowed");
    EXPECT_TRUE_R(r, h_header(r, "Allow") && strstr(h_header(r, "Allow"), "GET"));
    r = h_req(a, "PUT", "/api/v1/session", "application/json", "{}", 2);
    EXPECT_PROBLEM(r, 405, "method-not-allowed");
    allow = h_header(r, "Allow");
    EXPECT_TRUE_R(r, allow && strstr(allow, "POST") && strstr(allow, "DELETE"));
    r = h_req(a, "POST", "/api/v1/orgs/1", "application/json", "{}", 2);
    EXPECT_PROBLEM(r, 405, "method-not-allowed");
    allow = h_header(r, "Allow");
    EXPECT_TRUE_R(r, allow && strstr(allow, "GET") && strstr(allow, "PUT") && strstr(allow, "DELETE"));
    h_client_free(a);
}

static void error_413_body_too_large(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long before = org_count(a);
    /* {"kind":"park","parent_id":1,"name":"xxx…"} of exactly n bytes. */
    size_t limit = 1u << 20;
    char *body = malloc(limit + 2);
    assert_non_null(body);
    static const char head[] = "{\"kind\":\"park\",\"parent_id\":1,\"name\":\"";
    size_t hl = sizeof head - 1;
    memcpy(body, head, hl);
    memset(body + hl, 'x', limit + 1 - hl - 2);
    memcpy(body + limit + 1 - 2, "\"}", 2);
    body[limit + 1] = 0;
    Resp *r = h_req(a, "POST", "/api/v1/orgs", "application/json", body, limit + 1);
    EXPECT_PROBLEM(r, 413, "payload-too-large");
    /* Exactly 1 MiB is read and judged on its content. */
    memcpy(body + limit - 2, "\"}", 2);
    r = h_req(a, "POST", "/api/v1/orgs", "application/json", body, limit);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "name", "max_length");
    /* A big CSV import and a big login are refused alike. */
    r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=true", "text/csv", body, limit + 1);
    EXPECT_PROBLEM(r, 413, "payload-too-large");
    r = h_req(h_client(S), "POST", "/api/v1/session", "application/json", body, limit + 1);
    EXPECT_PROBLEM(r, 413, "payload-too-large");
    free(body);
    EXPECT_TRUE_R(r, org_count(a) == before);
    EXPECT_STATUS(h_get(a, "/api/v1/health"), 200);
    h_client_free(a);
}

static void error_415_wrong_content_type(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long before = org_count(a);
    char body[200];
    snprintf(body, sizeof body, "{\"kind\":\"park\",\"name\":\"媒体类型园\",\"parent_id\":%lld}", org_id(a, "洛阳镇"));
    static const char *const wrong[] = {"text/plain", "application/x-www-form-urlencoded", "text/csv",
                                        "application/jsonx", "multipart/form-data; boundary=x", NULL};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        Resp *r = h_req(a, "POST", "/api/v1/orgs", wrong[i], body, strlen(body));
        EXPECT_PROBLEM(r, 415, "unsupported-media-type");
    }
    EXPECT_PROBLEM(h_req(a, "POST", "/api/v1/orgs/import", "application/json", "{}", 2), 415, "unsupported-media-type");
    EXPECT_TRUE_R(h_get(a, "/api/v1/health"), org_count(a) == before);
    /* Parameters and case do not matter. */
    Resp *r = h_req(a, "POST", "/api/v1/orgs", "Application/JSON; charset=utf-8", body, strlen(body));
    EXPECT_STATUS(r, 201);
    EXPECT_STATUS(h_del(a, "/api/v1/orgs/%lld", h_jint(r->json, "id")), 204);
    h_client_free(a);
}

static void error_412_stale_if_match(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long town = org_id(a, "洛阳镇");
    Resp *r = h_send(a, "POST", "/api/v1/orgs",
                     json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "版本测试园", "parent_id", (json_int_t)town));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    const char *path = h_fmt("/api/v1/orgs/%lld", id);
    char p[64];
    snprintf(p, sizeof p, "%s", path);
    r = put_if_match(a, p, 1, json_pack("{s:s, s:s}", "kind", "park", "name", "版本测试园二"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 2);
    r = put_if_match(a, p, 1, json_pack("{s:s, s:s}", "kind", "park", "name", "版本测试园三"));
    EXPECT_PROBLEM(r, 412, "precondition-failed");
    EXPECT_TRUE_R(r, h_jint(r->json, "current_version") == 2);
    h_client_header(a, "If-Match: \"not-a-version\"");
    EXPECT_PROBLEM(h_send(a, "PUT", p, json_pack("{s:s, s:s}", "kind", "park", "name", "版本测试园四")), 412,
                   "precondition-failed");
    r = h_get(a, "%s", p);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "name"), "版本测试园二") == 0 && h_jint(r->json, "version") == 2);
    /* Weak form and the current version are accepted. */
    h_client_header(a, "If-Match: W/\"2\"");
    r = h_send(a, "PUT", p, json_pack("{s:s, s:s}", "kind", "park", "name", "版本测试园五"));
    EXPECT_STATUS(r, 200);
    EXPECT_STATUS(h_del(a, "%s", p), 204);
    h_client_free(a);
}

static void error_409_referenced_org(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long town = org_id(a, "洛阳镇");
    long long before = org_count(a);
    Resp *r = h_del(a, "/api/v1/orgs/%lld", town);
    EXPECT_PROBLEM(r, 409, "conflict");
    json_t *refs = h_jpath(r->json, "references");
    EXPECT_TRUE_R(r, json_is_array(refs));
    bool children = false, users = false;
    size_t i;
    json_t *e;
    json_array_foreach(refs, i, e) {
        const char *t = h_jstr(e, "type");
        if (t && strcmp(t, "org") == 0 && h_jint(e, "count") > 0) children = true;
        if (t && strcmp(t, "user") == 0 && h_jint(e, "count") > 0) users = true;
    }
    EXPECT_TRUE_R(r, children && users);
    EXPECT_STATUS(h_get(a, "/api/v1/orgs/%lld", town), 200);
    EXPECT_TRUE_R(r, org_count(a) == before);
    /* A village that is an area member and an agreement party lists those. */
    long long village = org_id(a, "西吟头村");
    r = h_del(a, "/api/v1/orgs/%lld", village);
    EXPECT_PROBLEM(r, 409, "conflict");
    bool member = false;
    json_array_foreach(h_jpath(r->json, "references"), i, e) if (strcmp(h_jstr(e, "type"), "area_member") == 0) member = true;
    EXPECT_TRUE_R(r, member);
    h_client_free(a);
}

static void error_403_role_without_capability(void **state) {
    (void)state;
    Client *d = h_client_as(S, "department");
    long long before = org_count(d);
    Resp *r = h_send(d, "POST", "/api/v1/orgs", json_pack("{s:s, s:s, s:i}", "kind", "park", "name", "越权园", "parent_id", 1));
    EXPECT_PROBLEM(r, 403, "forbidden");
    EXPECT_PROBLEM(h_get(d, "/api/v1/users"), 403, "forbidden");
    EXPECT_PROBLEM(h_get(d, "/api/v1/audit"), 403, "forbidden");
    EXPECT_PROBLEM(h_req(d, "POST", "/api/v1/users/1/lock", NULL, NULL, 0), 403, "forbidden");
    EXPECT_PROBLEM(h_del(d, "/api/v1/orgs/1"), 403, "forbidden");
    EXPECT_TRUE_R(r, org_count(d) == before);
    Client *e = h_client_as(S, "enterprise");
    EXPECT_PROBLEM(h_get(e, "/api/v1/agreements"), 403, "forbidden");
    EXPECT_PROBLEM(h_get(e, "/api/v1/liaisons"), 403, "forbidden");
    h_client_free(e);
    h_client_free(d);
}

/* ==== 8. organisations ========================================================================== */

static void orgs_crud(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long park = org_id(a, "海峡雕刻艺术园");
    long long park2 = org_id(a, "鼎盛跨境电商产业园");
    char code[19];
    snprintf(code, sizeof code, "%s", new_credit_code());
    long long before = org_count(a);

    Resp *r = h_send(a, "POST", "/api/v1/orgs",
                     json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "enterprise", "name",
                               "泉州增删改查石雕有限公司", "parent_id", (json_int_t)park, "credit_code", code, "short_name",
                               "增删改查石雕", "address", "洛阳镇测试路1号", "contact_name", "王测试", "contact_phone",
                               "0595-12345678", "note", "第一行\n第二行"));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    EXPECT_TRUE_R(r, id > 0);
    EXPECT_TRUE_R(r, h_header(r, "Location") && strcmp(h_header(r, "Location"), h_fmt("/api/v1/orgs/%lld", id)) == 0);
    expect_etag_is_version(r);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 1);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "kind"), "enterprise") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "credit_code"), code) == 0);
    EXPECT_TRUE_R(r, h_jint(r->json, "parent_id") == park);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "parent_name"), "海峡雕刻艺术园") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "town_name"), "洛阳镇") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "note"), "第一行\n第二行") == 0);
    EXPECT_TRUE_R(r, h_jint(r->json, "child_count") == 0);
    EXPECT_TRUE_R(r, org_count(a) == before + 1);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/orgs/%lld", id);

    r = h_get(a, "%s", path);
    EXPECT_STATUS(r, 200);
    expect_etag_is_version(r);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "name"), "泉州增删改查石雕有限公司") == 0);
    EXPECT_TRUE_R(r, json_is_array(h_jpath(r->json, "areas")));
    EXPECT_TRUE_R(r, h_jstr(r->json, "created_at") && h_jstr(r->json, "updated_at"));

    /* The parent counts its new child. */
    Resp *p = h_get(a, "/api/v1/orgs/%lld", park);
    long long children = h_jint(p->json, "child_count");
    EXPECT_TRUE_R(p, children >= 1);

    r = put_if_match(a, path, 1,
                     json_pack("{s:s, s:s, s:I, s:s, s:s}", "kind", "enterprise", "name", "泉州增删改查石雕股份有限公司",
                               "parent_id", (json_int_t)park, "credit_code", code, "contact_phone", "0595-87654321"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 2);
    expect_etag_is_version(r);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "name"), "泉州增删改查石雕股份有限公司") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "contact_phone"), "0595-87654321") == 0);

    /* Moving to a park in another town changes the town. */
    r = put_if_match(a, path, 2,
                     json_pack("{s:s, s:s, s:I, s:s}", "kind", "enterprise", "name", "泉州增删改查石雕股份有限公司",
                               "parent_id", (json_int_t)park2, "credit_code", code));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "parent_id") == park2);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "town_name"), "东园镇") == 0);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/orgs?under=%lld&q=%s", park2, h_esc("增删改查"))) == 1);

    /* The kind cannot change. */
    r = put_if_match(a, path, 3, json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "改成园区", "parent_id", (json_int_t)park2));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "kind", NULL);

    /* Search by name and by credit code (in lower case too). */
    r = h_get(a, "/api/v1/orgs?q=%s", h_esc("增删改查石雕"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1 && h_jint(r->json, "items[0].id") == id);
    EXPECT_TRUE_R(r, h_jpath(r->json, "items[0].areas") == NULL);
    r = h_get(a, "/api/v1/orgs?q=%s", code);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1 && h_jint(r->json, "items[0].id") == id);

    r = h_del(a, "%s", path);
    EXPECT_STATUS(r, 204);
    EXPECT_TRUE_R(r, r->len == 0);
    EXPECT_PROBLEM(h_get(a, "%s", path), 404, "not-found");
    EXPECT_PROBLEM(h_del(a, "%s", path), 404, "not-found");
    EXPECT_TRUE_R(r, org_count(a) == before);
    h_client_free(a);
}

static void orgs_list_filters_and_pages(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Resp *r = h_get(a, "/api/v1/orgs?kind=park&page_size=200");
    EXPECT_STATUS(r, 200);
    long long parks = h_jint(r->json, "total");
    EXPECT_TRUE_R(r, parks >= 7 && (long long)json_array_size(items_of(r)) == parks);
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) EXPECT_TRUE_R(r, strcmp(h_jstr(it, "kind"), "park") == 0);

    long long park = org_id(a, "海峡雕刻艺术园");
    r = h_get(a, "/api/v1/orgs?parent_id=%lld&page_size=200", park);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") >= 1);
    json_array_foreach(items_of(r), i, it) EXPECT_TRUE_R(r, h_jint(it, "parent_id") == park);
    Resp *pr = h_get(a, "/api/v1/orgs/%lld", park);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == h_jint(pr->json, "child_count"));

    r = h_get(a, "/api/v1/orgs?parent_id=0");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1 && strcmp(h_jstr(r->json, "items[0].kind"), "district") == 0);

    /* kind and parent together. */
    long long town = org_id(a, "洛阳镇");
    r = h_get(a, "/api/v1/orgs?parent_id=%lld&kind=community&page_size=200", town);
    json_array_foreach(items_of(r), i, it) {
        EXPECT_TRUE_R(r, h_jint(it, "parent_id") == town);
        EXPECT_TRUE_R(r, strcmp(h_jstr(it, "kind"), "community") == 0);
    }
    EXPECT_TRUE_R(r, h_jint(r->json, "total") >= 10);

    /* Pages: disjoint, same total, echoing page and page_size. */
    Resp *p1 = h_get(a, "/api/v1/orgs?kind=community&page=1&page_size=5");
    Resp *p2 = h_get(a, "/api/v1/orgs?kind=community&page=2&page_size=5");
    EXPECT_STATUS(p1, 200);
    EXPECT_STATUS(p2, 200);
    long long total = h_jint(p1->json, "total");
    EXPECT_TRUE_R(p1, total >= 30 && h_jint(p2->json, "total") == total);
    EXPECT_TRUE_R(p1, json_array_size(items_of(p1)) == 5 && json_array_size(items_of(p2)) == 5);
    EXPECT_TRUE_R(p2, h_jint(p2->json, "page") == 2 && h_jint(p2->json, "page_size") == 5);
    json_array_foreach(items_of(p2), i, it) EXPECT_TRUE_R(p2, !has_id(items_of(p1), "id", h_jint(it, "id")));
    long long last = (total + 4) / 5;
    r = h_get(a, "/api/v1/orgs?kind=community&page=%lld&page_size=5", last);
    EXPECT_TRUE_R(r, (long long)json_array_size(items_of(r)) == total - (last - 1) * 5);
    r = h_get(a, "/api/v1/orgs?kind=community&page=%lld&page_size=5", last + 1);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_array_size(items_of(r)) == 0 && h_jint(r->json, "total") == total);
    /* q is text, not SQL or a pattern. */
    static const char *const odd[] = {"' OR '1'='1", "%", "_", "\\", "\"", "1; DROP TABLE orgs"};
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
        r = h_get(a, "/api/v1/orgs?q=%s", h_esc(odd[k]));
        EXPECT_STATUS(r, 200);
        EXPECT_TRUE_R(r, h_jint(r->json, "total") == 0);
    }
    /* Defaults. */
    r = h_get(a, "/api/v1/orgs");
    EXPECT_TRUE_R(r, h_jint(r->json, "page") == 1 && h_jint(r->json, "page_size") == 20 &&
                         json_array_size(items_of(r)) == 20);
    /* The whole walk sees every organisation once. */
    json_t *all = all_items(a, "/api/v1/orgs?kind=community");
    EXPECT_TRUE_R(r, (long long)json_array_size(all) == total);
    h_client_free(a);
}

static void orgs_validation(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long park = org_id(a, "海峡雕刻艺术园");
    long long town = org_id(a, "洛阳镇");
    long long before = org_count(a);
    char good[19];
    snprintf(good, sizeof good, "%s", new_credit_code());

    Resp *r = create_enterprise(a, park, "信用代码错误有限公司", spoil_credit_code(good));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "credit_code", "credit_code");
    r = create_enterprise(a, park, "信用代码过短有限公司", "91350521QA0000");
    EXPECT_FIELD_ERROR(r, "credit_code", NULL);
    r = create_enterprise(a, park, "信用代码含I有限公司", "91350521IA0000001X");
    EXPECT_FIELD_ERROR(r, "credit_code", NULL);
    r = h_send(a, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "enterprise", "name", "无代码有限公司", "parent_id", (json_int_t)park));
    EXPECT_FIELD_ERROR(r, "credit_code", "required");

    /* Lower case is accepted and stored in upper case. */
    char lower[19];
    for (int i = 0; i < 19; i++) lower[i] = (char)((good[i] >= 'A' && good[i] <= 'Z') ? good[i] + 32 : good[i]);
    r = create_enterprise(a, park, "信用代码唯一有限公司", lower);
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "credit_code"), good) == 0);
    long long id = h_jint(r->json, "id");
    r = create_enterprise(a, park, "信用代码重复有限公司", good);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "credit_code", "unique");

    /* Parent kinds: a community belongs under a town, not a park; a town under the district. */
    r = h_send(a, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "community", "name", "园区里的村", "parent_id", (json_int_t)park));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "parent_id", "kind");
    r = h_send(a, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "town", "name", "镇中镇", "parent_id", (json_int_t)town));
    EXPECT_FIELD_ERROR(r, "parent_id", "kind");
    r = h_send(a, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "enterprise", "name", "企业下的企业", "parent_id", (json_int_t)id));
    EXPECT_FIELD_ERROR(r, "parent_id", "kind");
    r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:s, s:s, s:i}", "kind", "park", "name", "无父园", "parent_id", 999999));
    EXPECT_FIELD_ERROR(r, "parent_id", "reference");
    r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:s, s:s}", "kind", "park", "name", "孤儿园"));
    EXPECT_FIELD_ERROR(r, "parent_id", "required");
    r = h_send(a, "POST", "/api/v1/orgs", json_pack("{s:s, s:s}", "kind", "district", "name", "第二个区"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "kind", "unique");
    /* Field formats. */
    r = h_send(a, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I, s:s}", "kind", "park", "name", "电话园", "parent_id", (json_int_t)town,
                         "contact_phone", "call me"));
    EXPECT_FIELD_ERROR(r, "contact_phone", "format");
    r = h_send(a, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "控制\x01字符园", "parent_id", (json_int_t)town));
    EXPECT_FIELD_ERROR(r, "name", "format");

    EXPECT_TRUE_R(r, org_count(a) == before + 1);
    EXPECT_STATUS(h_del(a, "/api/v1/orgs/%lld", id), 204);
    h_client_free(a);
}

static void orgs_directly_under_the_district(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Resp *r = h_get(a, "/api/v1/orgs?parent_id=0");
    long long district = h_jint(r->json, "items[0].id");
    EXPECT_TRUE_R(r, district > 0 && strcmp(h_jstr(r->json, "items[0].kind"), "district") == 0);
    long long before = org_count(a);
    static const char *const kinds[] = {"park", "department", "resident_unit", "enterprise"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        json_t *body = json_pack("{s:s, s:s, s:I}", "kind", kinds[i], "name", h_fmt("区直属测试%s", kinds[i]), "parent_id",
                                 (json_int_t)district);
        if (strcmp(kinds[i], "enterprise") == 0) json_object_set_new(body, "credit_code", json_string(new_credit_code()));
        r = h_send(a, "POST", "/api/v1/orgs", body);
        EXPECT_STATUS(r, 201);
        EXPECT_TRUE_R(r, h_jint(r->json, "parent_id") == district);
        EXPECT_TRUE_R(r, json_is_null(h_jpath(r->json, "town_id")) && json_is_null(h_jpath(r->json, "town_name")));
        EXPECT_STATUS(h_del(a, "/api/v1/orgs/%lld", h_jint(r->json, "id")), 204);
    }
    EXPECT_TRUE_R(r, org_count(a) == before);
    h_client_free(a);
}

static void orgs_move_carries_the_subtree(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long luoyang = org_id(a, "洛阳镇"), dongyuan = org_id(a, "东园镇");
    Resp *r = h_send(a, "POST", "/api/v1/orgs",
                     json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "搬迁测试园", "parent_id", (json_int_t)luoyang));
    EXPECT_STATUS(r, 201);
    long long park = h_jint(r->json, "id");
    r = create_enterprise(a, park, "搬迁测试园入驻有限公司", new_credit_code());
    EXPECT_STATUS(r, 201);
    long long ent = h_jint(r->json, "id");
    r = h_send(a, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "new_org", "name", "搬迁测试园党支部", "parent_id", (json_int_t)park));
    EXPECT_STATUS(r, 201);
    long long cell = h_jint(r->json, "id");
    Client *t = h_client_as(S, "town"); /* 洛阳镇 */
    EXPECT_STATUS(h_get(t, "/api/v1/orgs/%lld", ent), 200);

    r = put_if_match(a, h_fmt("/api/v1/orgs/%lld", park), 1,
                     json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "搬迁测试园", "parent_id", (json_int_t)dongyuan));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "town_name"), "东园镇") == 0);
    long long kids[] = {ent, cell};
    for (int i = 0; i < 2; i++) {
        r = h_get(a, "/api/v1/orgs/%lld", kids[i]);
        EXPECT_TRUE_R(r, h_jint(r->json, "parent_id") == park && h_jint(r->json, "town_id") == dongyuan);
        EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "town_name"), "东园镇") == 0);
        EXPECT_PROBLEM(h_get(t, "/api/v1/orgs/%lld", kids[i]), 404, "not-found");
    }
    r = h_get(a, "/api/v1/orgs?under=%lld&q=%s", dongyuan, h_esc("搬迁测试园"));
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 3);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/orgs?under=%lld&q=%s", luoyang, h_esc("搬迁测试园"))) == 0);
    /* A park with children is not deleted; bottom-up it is. */
    EXPECT_PROBLEM(h_del(a, "/api/v1/orgs/%lld", park), 409, "conflict");
    EXPECT_STATUS(h_del(a, "/api/v1/orgs/%lld", ent), 204);
    EXPECT_STATUS(h_del(a, "/api/v1/orgs/%lld", cell), 204);
    EXPECT_STATUS(h_del(a, "/api/v1/orgs/%lld", park), 204);
    h_client_free(t);
    h_client_free(a);
}

/* q matches a name, a part of it, a short name or a credit code, whatever the script. */
static void orgs_search_q(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long town = org_id(a, "洛阳镇");
    static const char *const names[] = {"检索测试园", "检索测试园A", "检索测试园2号", "检索Tech科创园", "ABC检索园区",
                                        "检索 空格 园"};
    long long ids[6];
    for (int i = 0; i < 6; i++) {
        Resp *r = h_send(a, "POST", "/api/v1/orgs",
                         json_pack("{s:s, s:s, s:I, s:s}", "kind", "park", "name", names[i], "parent_id", (json_int_t)town,
                                   "short_name", h_fmt("简称%d号", i)));
        EXPECT_STATUS(r, 201);
        ids[i] = h_jint(r->json, "id");
    }
    for (int i = 0; i < 6; i++) {
        Resp *r = h_get(a, "/api/v1/orgs?page_size=200&q=%s", h_esc(names[i]));
        EXPECT_STATUS(r, 200);
        if (!has_id(items_of(r), "id", ids[i])) FAIL_RESP(r, "q=%s does not find the organisation of that name", names[i]);
    }
    Resp *r = h_get(a, "/api/v1/orgs?page_size=200&q=%s", h_esc("检索"));
    for (int i = 0; i < 6; i++)
        if (!has_id(items_of(r), "id", ids[i])) FAIL_RESP(r, "q=检索 does not find %s", names[i]);
    r = h_get(a, "/api/v1/orgs?page_size=200&q=%s", h_esc("简称3号"));
    EXPECT_TRUE_R(r, has_id(items_of(r), "id", ids[3]));
    for (int i = 0; i < 6; i++) EXPECT_STATUS(h_del(a, "/api/v1/orgs/%lld", ids[i]), 204);
    h_client_free(a);
}

/* ==== 9. CSV import ============================================================================= */

static void import_dry_run_reports_bad_rows(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long before = org_count(a);
    char good1[19], good2[19], bad[19];
    snprintf(good1, sizeof good1, "%s", new_credit_code());
    snprintf(good2, sizeof good2, "%s", new_credit_code());
    snprintf(bad, sizeof bad, "%s", spoil_credit_code(new_credit_code()));
    char csv[2048];
    int n = snprintf(csv, sizeof csv,
                     "kind,name,parent,credit_code,short_name,address,contact_name,contact_phone\n"
                     "enterprise,导入试运行甲有限公司,海峡雕刻艺术园,%s,,,张三,13800000000\n" /* 2: fine */
                     "enterprise,导入试运行乙有限公司,海峡雕刻艺术园,%s,,,,\n"                 /* 3: credit code */
                     "enterprise,导入试运行丙有限公司,不存在的园区,%s,,,,\n"                   /* 4: parent */
                     "factory,导入试运行丁,洛阳镇,,,,,\n"                                      /* 5: kind */
                     "community,,洛阳镇,,,,,\n"                                                /* 6: name */
                     "community,导入试运行村,海峡雕刻艺术园,,,,,\n",                          /* 7: parent kind */
                     good1, bad, good2);
    Resp *r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=true", "text/csv", csv, (size_t)n);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_true(h_jpath(r->json, "dry_run")));
    EXPECT_TRUE_R(r, h_jint(r->json, "rows") == 6);
    EXPECT_TRUE_R(r, h_jint(r->json, "valid") == 1);
    EXPECT_TRUE_R(r, h_jint(r->json, "created") == 0);
    json_t *errors = h_jpath(r->json, "errors");
    EXPECT_IMPORT_ERROR(r, errors, 3, "credit_code", "credit_code");
    EXPECT_IMPORT_ERROR(r, errors, 4, "parent", "reference");
    EXPECT_IMPORT_ERROR(r, errors, 5, "kind", "enum");
    EXPECT_IMPORT_ERROR(r, errors, 6, "name", "required");
    EXPECT_IMPORT_ERROR(r, errors, 7, "parent", "kind");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) EXPECT_TRUE_R(r, h_jint(e, "line") != 2);
    /* The bad value is echoed for the user. */
    bool echoed = false;
    json_array_foreach(errors, i, e) if (h_jstr(e, "value") && strcmp(h_jstr(e, "value"), bad) == 0) echoed = true;
    EXPECT_TRUE_R(r, echoed);
    EXPECT_TRUE_R(r, org_count(a) == before);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/orgs?q=%s", h_esc("导入试运行"))) == 0);

    /* A real import of the same file fails as a whole. */
    r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=false", "text/csv", csv, (size_t)n);
    EXPECT_PROBLEM(r, 422, "validation");
    errors = h_jpath(r->json, "errors");
    EXPECT_IMPORT_ERROR(r, errors, 3, "credit_code", "credit_code");
    EXPECT_IMPORT_ERROR(r, errors, 7, "parent", "kind");
    EXPECT_TRUE_R(r, org_count(a) == before);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/orgs?q=%s", h_esc("导入试运行甲"))) == 0);
    /* No dry_run means a real import. */
    r = h_req(a, "POST", "/api/v1/orgs/import", "text/csv", csv, (size_t)n);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_TRUE_R(r, org_count(a) == before);
    EXPECT_FIELD_ERROR(h_req(a, "POST", "/api/v1/orgs/import?dry_run=maybe", "text/csv", csv, (size_t)n), "dry_run", "enum");

    /* A missing required column is reported against the header. */
    static const char nohead[] = "kind,name\nenterprise,无父列\n";
    r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=true", "text/csv", nohead, sizeof nohead - 1);
    EXPECT_TRUE_R(r, r->status == 200 || r->status == 422);
    EXPECT_IMPORT_ERROR(r, h_jpath(r->json, "errors"), 1, "parent", "missing_column");
    h_client_free(a);
}

static void import_creates_rows(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long before = org_count(a);
    long long park = org_id(a, "海峡雕刻艺术园");
    char c1[19], c2[19];
    snprintf(c1, sizeof c1, "%s", new_credit_code());
    snprintf(c2, sizeof c2, "%s", new_credit_code());
    char csv[2048];
    int n = snprintf(csv, sizeof csv,
                     "\xEF\xBB\xBFkind,name,parent,credit_code,short_name,address,contact_name,contact_phone\r\n"
                     "园区,导入测试科技园,洛阳镇,,科技园,洛阳镇测试路2号,李四,0595-11112222\r\n"
                     "企业,导入测试戊有限公司,导入测试科技园,%s,,,,\r\n" /* parent: the row above */
                     "村居,导入测试新村,洛阳镇,,,,,\r\n"
                     "enterprise,\"导入测试己有限公司，\"\"分公司\"\"\",%lld,%s,,\"泉州, 洛阳\",,\r\n",
                     c1, park, c2);
    Resp *r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=true", "text/csv", csv, (size_t)n);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "valid") == 4 && json_array_size(h_jpath(r->json, "errors")) == 0);
    EXPECT_TRUE_R(r, org_count(a) == before);

    r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=false", "text/csv", csv, (size_t)n);
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, json_is_false(h_jpath(r->json, "dry_run")));
    EXPECT_TRUE_R(r, h_jint(r->json, "rows") == 4 && h_jint(r->json, "valid") == 4 && h_jint(r->json, "created") == 4);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "errors")) == 0);
    EXPECT_TRUE_R(r, org_count(a) == before + 4);

    long long tp = org_id(a, "导入测试科技园");
    Resp *g = h_get(a, "/api/v1/orgs/%lld", tp);
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "kind"), "park") == 0);
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "short_name"), "科技园") == 0);
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "parent_name"), "洛阳镇") == 0);
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "contact_phone"), "0595-11112222") == 0);
    g = h_get(a, "/api/v1/orgs/%lld", org_id(a, "导入测试戊有限公司"));
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "kind"), "enterprise") == 0);
    EXPECT_TRUE_R(g, h_jint(g->json, "parent_id") == tp);
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "credit_code"), c1) == 0);
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "town_name"), "洛阳镇") == 0);
    g = h_get(a, "/api/v1/orgs/%lld", org_id(a, "导入测试新村"));
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "kind"), "community") == 0);
    g = h_get(a, "/api/v1/orgs/%lld", org_id(a, "导入测试己有限公司，\"分公司\""));
    EXPECT_TRUE_R(g, h_jint(g->json, "parent_id") == park);
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "address"), "泉州, 洛阳") == 0);

    /* The import is audited. */
    Client *aud = h_client_as(S, "auditor");
    EXPECT_TRUE_R(g, total_of(aud, "/api/v1/audit?action=import&username=admin") >= 1);
    h_client_free(aud);

    /* Importing the same file again trips over its own credit codes, and creates nothing. */
    long long mid = org_count(a);
    r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=false", "text/csv", csv, (size_t)n);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_IMPORT_ERROR(r, h_jpath(r->json, "errors"), 3, "credit_code", "unique");
    EXPECT_TRUE_R(r, org_count(a) == mid);
    h_client_free(a);
}

/* ==== 10. scope ================================================================================= */

static void scope_town_sees_its_town_only(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long dongyuan = org_id(a, "东园镇");
    long long village = org_id(a, "东园村");
    long long luoyang = org_id(a, "洛阳镇");
    long long all = org_count(a);
    Client *t = h_client_as(S, "town");
    json_t *items = all_items(t, "/api/v1/orgs");
    Resp *r = h_get(t, "/api/v1/orgs?page_size=1");
    long long total = h_jint(r->json, "total");
    EXPECT_TRUE_R(r, total > 10 && total < all && (long long)json_array_size(items) == total);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        const char *tn = h_jstr(it, "town_name");
        if (!tn || strcmp(tn, "洛阳镇") != 0)
            FAIL_RESP(r, "the town account sees %s (town %s)", h_jstr(it, "name"), tn ? tn : "none");
    }
    EXPECT_PROBLEM(h_get(t, "/api/v1/orgs/%lld", village), 404, "not-found");
    EXPECT_PROBLEM(h_get(t, "/api/v1/orgs/%lld", dongyuan), 404, "not-found");
    EXPECT_PROBLEM(h_send(t, "PUT", h_fmt("/api/v1/orgs/%lld", village), json_pack("{s:s}", "name", "越界改名")), 404,
                   "not-found");
    EXPECT_PROBLEM(h_del(t, "/api/v1/orgs/%lld", village), 404, "not-found");
    EXPECT_TRUE_R(r, total_of(t, h_fmt("/api/v1/orgs?under=%lld", dongyuan)) == 0);
    EXPECT_TRUE_R(r, total_of(t, h_fmt("/api/v1/orgs?q=%s", h_esc("东园村"))) == 0);
    /* The roots of its world: its own town. */
    r = h_get(t, "/api/v1/orgs?parent_id=0");
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1 && h_jint(r->json, "items[0].id") == luoyang);

    /* It creates under its own town, not under another. */
    r = h_send(t, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "community", "name", "镇管新村", "parent_id", (json_int_t)luoyang));
    EXPECT_STATUS(r, 201);
    EXPECT_STATUS(h_del(t, "/api/v1/orgs/%lld", h_jint(r->json, "id")), 204);
    r = h_send(t, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "community", "name", "越界新村", "parent_id", (json_int_t)dongyuan));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "parent_id", "reference");
    /* Nor by import. */
    static const char csv[] = "kind,name,parent\ncommunity,越界导入村,东园镇\n";
    r = h_req(t, "POST", "/api/v1/orgs/import?dry_run=true", "text/csv", csv, sizeof csv - 1);
    EXPECT_STATUS(r, 200);
    EXPECT_IMPORT_ERROR(r, h_jpath(r->json, "errors"), 2, "parent", "reference");
    /* Figures are scoped too. */
    r = h_get(t, "/api/v1/stats/overview");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "orgs_by_kind.town") == 1);
    EXPECT_TRUE_R(r, h_jint(r->json, "orgs_by_kind.district") == -1);
    h_client_free(t);
    h_client_free(a);
}

static void scope_town_updates_its_own_town(void **state) {
    (void)state;
    Client *t = h_client_as(S, "town");
    long long luoyang = h_jint(h_get(t, "/api/v1/me")->json, "scope.org_id");
    Resp *r = h_get(t, "/api/v1/orgs/%lld", luoyang);
    EXPECT_STATUS(r, 200);
    long long v = h_jint(r->json, "version");
    r = put_if_match(t, h_fmt("/api/v1/orgs/%lld", luoyang), v,
                     json_pack("{s:s, s:s, s:s}", "kind", "town", "name", "洛阳镇", "address", "洛阳镇人民政府（新址）"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "parent_id") > 0);
    h_client_free(t);
}

static void scope_community_and_enterprise(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long other_village = org_id(a, "后亭村");
    Client *c = h_client_as(S, "community");
    long long own = h_jint(h_get(c, "/api/v1/me")->json, "scope.org_id");
    json_t *items = all_items(c, "/api/v1/orgs");
    EXPECT_TRUE_R(h_get(c, "/api/v1/me"), json_array_size(items) >= 1 && has_id(items, "id", own));
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
        if (h_jint(it, "id") != own && h_jint(it, "parent_id") != own)
            fail_msg("the community account sees %s outside its village", h_jstr(it, "name"));
    EXPECT_PROBLEM(h_get(c, "/api/v1/orgs/%lld", other_village), 404, "not-found");
    EXPECT_STATUS(h_get(c, "/api/v1/orgs/%lld", own), 200);

    Client *e = h_client_as(S, "enterprise");
    long long company = h_jint(h_get(e, "/api/v1/me")->json, "scope.org_id");
    Resp *r = h_get(e, "/api/v1/orgs?page_size=200");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1 && h_jint(r->json, "items[0].id") == company);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].kind"), "enterprise") == 0);
    r = h_get(a, "/api/v1/orgs?kind=enterprise&page_size=2");
    long long another = h_jint(r->json, "items[0].id") == company ? h_jint(r->json, "items[1].id") : h_jint(r->json, "items[0].id");
    EXPECT_PROBLEM(h_get(e, "/api/v1/orgs/%lld", another), 404, "not-found");
    EXPECT_PROBLEM(h_get(e, "/api/v1/orgs/%lld", own), 404, "not-found");
    h_client_free(e);
    h_client_free(c);
    h_client_free(a);
}

static void scope_committee_sees_its_area(void **state) {
    (void)state;
    Client *k = h_client_as(S, "committee");
    long long area = h_jint(h_get(k, "/api/v1/me")->json, "scope.area_id");
    assert_true(area > 0);
    Resp *r = h_get(k, "/api/v1/areas?page_size=200");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1);
    EXPECT_TRUE_R(r, h_jint(r->json, "items[0].id") == area && strcmp(h_jstr(r->json, "items[0].code"), "A01") == 0);
    EXPECT_STATUS(h_get(k, "/api/v1/areas/%lld", area), 200);
    EXPECT_PROBLEM(h_get(k, "/api/v1/areas/%lld", area + 1), 404, "not-found");
    EXPECT_PROBLEM(h_get(k, "/api/v1/areas/%lld/members", area + 1), 404, "not-found");
    r = h_get(k, "/api/v1/areas/%lld/members?page_size=200", area);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") >= 4);
    h_client_free(k);
}

static void scope_committee_orgs_are_its_members(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Client *k = h_client_as(S, "committee");
    long long area = h_jint(h_get(k, "/api/v1/me")->json, "scope.area_id");
    /* Parent of every organisation, from the admin's view. */
    enum { MAXID = 100000 };
    static long long parent[MAXID];
    memset(parent, 0, sizeof parent);
    json_t *every = all_items(a, "/api/v1/orgs");
    size_t i;
    json_t *it;
    json_array_foreach(every, i, it) {
        long long id = h_jint(it, "id");
        if (id > 0 && id < MAXID) parent[id] = h_jint(it, "parent_id") > 0 ? h_jint(it, "parent_id") : 0;
    }
    long long all = (long long)json_array_size(every);
    json_t *members = all_items(a, h_fmt("/api/v1/areas/%lld/members", area));
    json_t *seen = all_items(k, "/api/v1/orgs");
    Resp *me = h_get(k, "/api/v1/me");
    EXPECT_TRUE_R(me, json_array_size(seen) >= json_array_size(members));
    EXPECT_TRUE_R(me, (long long)json_array_size(seen) < all);
    json_array_foreach(seen, i, it) {
        long long id = h_jint(it, "id");
        bool ok = false;
        for (long long x = id; x > 0 && x < MAXID && !ok; x = parent[x]) ok = has_id(members, "org_id", x);
        if (!ok) fail_msg("the committee account of area %lld sees %s, which is neither a member nor under one",
                          area, h_jstr(it, "name"));
    }
    h_client_free(k);
    h_client_free(a);
}

static void scope_separation_of_duties(void **state) {
    (void)state;
    Client *aud = h_client_as(S, "auditor");
    EXPECT_PROBLEM(h_get(aud, "/api/v1/orgs"), 403, "forbidden");
    EXPECT_PROBLEM(h_get(aud, "/api/v1/users"), 403, "forbidden");
    EXPECT_STATUS(h_get(aud, "/api/v1/audit"), 200);
    Client *a = h_client_as(S, "admin");
    EXPECT_PROBLEM(h_get(a, "/api/v1/audit"), 403, "forbidden");
    Client *sec = h_client_as(S, "secadmin");
    EXPECT_PROBLEM(h_get(sec, "/api/v1/orgs"), 403, "forbidden");
    EXPECT_PROBLEM(h_get(sec, "/api/v1/audit"), 403, "forbidden");
    EXPECT_STATUS(h_get(sec, "/api/v1/users?page_size=1"), 200);
    /* The audit log has the documented shape. */
    Resp *r = h_get(aud, "/api/v1/audit?action=login&page_size=5");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") >= 1);
    static const char *const keys[] = {"id", "at", "user_id", "username", "role", "ip", "action", "object_type",
                                       "object_id", "outcome", "detail"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!json_object_get(h_jpath(r->json, "items[0]"), keys[i])) FAIL_RESP(r, "audit item without %s", keys[i]);
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) EXPECT_TRUE_R(r, strcmp(h_jstr(it, "action"), "login") == 0);
    EXPECT_FIELD_ERROR(h_get(aud, "/api/v1/audit?from=2026-13-01"), "from", "date");
    EXPECT_FIELD_ERROR(h_get(aud, "/api/v1/audit?action=dance"), "action", "enum");
    r = h_get(aud, "/api/v1/audit?object_type=user&action=login&page_size=200");
    json_array_foreach(items_of(r), i, it) EXPECT_TRUE_R(r, strcmp(h_jstr(it, "object_type"), "user") == 0);
    h_client_free(sec);
    h_client_free(a);
    h_client_free(aud);
}

static void pii_phone_only_for_leader_and_audited(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long village = org_id(a, "西吟头村");
    Resp *r = h_send(a, "POST", "/api/v1/users",
                     json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "username", "phoneuser", "display_name", "电话测试",
                               "role", "community", "org_id", (json_int_t)village, "phone", "13912345678", "password",
                               "Phone#2026pw"));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    const char *masked = h_jstr(r->json, "phone");
    EXPECT_TRUE_R(r, masked && strstr(masked, "***") && strcmp(masked, "13912345678") != 0);
    EXPECT_TRUE_R(r, strncmp(masked, "139", 3) == 0 && strcmp(masked + strlen(masked) - 4, "5678") == 0);
    EXPECT_TRUE_R(r, strstr(r->body, "13912345678") == NULL);

    /* Lists and single reads show masked phones only. */
    json_t *users = all_items(a, "/api/v1/users");
    size_t i;
    json_t *it;
    json_array_foreach(users, i, it) {
        const char *ph = h_jstr(it, "phone");
        if (ph && !strstr(ph, "***")) fail_msg("GET /api/v1/users shows an unmasked phone for %s: %s", h_jstr(it, "username"), ph);
    }
    r = h_get(a, "/api/v1/users/%lld", id);
    EXPECT_TRUE_R(r, strstr(r->body, "13912345678") == NULL);

    EXPECT_PROBLEM(h_get(a, "/api/v1/users/%lld/phone", id), 403, "forbidden");
    Client *aud = h_client_as(S, "auditor");
    EXPECT_PROBLEM(h_get(aud, "/api/v1/users/%lld/phone", id), 403, "forbidden");
    Client *l = h_client_as(S, "leader");
    long long before = total_of(aud, "/api/v1/audit?action=pii_read&username=leader");
    r = h_get(l, "/api/v1/users/%lld/phone", id);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jstr(r->json, "phone") && strcmp(h_jstr(r->json, "phone"), "13912345678") == 0);
    /* A demo account's number is a full mobile number matching its mask. */
    long long town = user_id(a, "town");
    Resp *tm = h_get(a, "/api/v1/users/%lld", town);
    const char *tmask = h_jstr(tm->json, "phone");
    r = h_get(l, "/api/v1/users/%lld/phone", town);
    EXPECT_STATUS(r, 200);
    const char *full = h_jstr(r->json, "phone");
    EXPECT_TRUE_R(r, full && strlen(full) == 11 && full[0] == '1' && strspn(full, "0123456789") == 11);
    EXPECT_TRUE_R(r, tmask && strncmp(tmask, full, 3) == 0 && strcmp(tmask + strlen(tmask) - 4, full + 7) == 0);

    r = h_get(aud, "/api/v1/audit?action=pii_read&username=leader&page_size=200");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == before + 2);
    EXPECT_TRUE_R(r, has_id(items_of(r), "object_id", id) && has_id(items_of(r), "object_id", town));
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].object_type"), "user") == 0);
    /* The audit trail itself does not hold the number. */
    EXPECT_TRUE_R(r, strstr(r->body, "13912345678") == NULL);
    h_client_free(l);
    h_client_free(aud);
    h_client_free(a);
}

/* ==== 11. areas, agreements, liaisons =========================================================== */

static void areas_crud(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long convener = user_id(a, "leader02");
    long long secretary = user_id(a, "committee");
    long long admin_id = user_id(a, "admin");
    Resp *r = h_send(a, "POST", "/api/v1/areas",
                     json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "name", "测试片区", "code", "T01", "committee_name",
                               "测试片区党建工作协调委员会", "convener_id", (json_int_t)convener, "secretary_id",
                               (json_int_t)secretary, "description", "用于接口测试"));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    EXPECT_TRUE_R(r, h_header(r, "Location") && strcmp(h_header(r, "Location"), h_fmt("/api/v1/areas/%lld", id)) == 0);
    expect_etag_is_version(r);
    EXPECT_TRUE_R(r, h_jint(r->json, "convener.id") == convener && h_jstr(r->json, "convener.display_name"));
    EXPECT_TRUE_R(r, h_jint(r->json, "secretary.id") == secretary);
    EXPECT_TRUE_R(r, h_jint(r->json, "member_count") == 0);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/areas/%lld", id);
    r = h_get(a, "%s", path);
    EXPECT_STATUS(r, 200);
    expect_etag_is_version(r);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "code"), "T01") == 0);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/areas?q=%s", h_esc("测试片区"))) == 1);

    r = put_if_match(a, path, 1,
                     json_pack("{s:s, s:s, s:s, s:I}", "name", "测试片区二", "code", "T01", "committee_name",
                               "测试片区党建工作协调委员会", "convener_id", (json_int_t)convener));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 2 && strcmp(h_jstr(r->json, "name"), "测试片区二") == 0);
    EXPECT_TRUE_R(r, json_is_null(h_jpath(r->json, "secretary")) || h_jpath(r->json, "secretary") == NULL);
    EXPECT_PROBLEM(put_if_match(a, path, 1,
                                json_pack("{s:s, s:s, s:s, s:I}", "name", "测试片区三", "code", "T01", "committee_name",
                                          "委员会", "convener_id", (json_int_t)convener)),
                   412, "precondition-failed");

    /* Validation. */
    r = h_send(a, "POST", "/api/v1/areas",
               json_pack("{s:s, s:s, s:s, s:I}", "name", "召集人不对片区", "code", "T02", "committee_name", "委员会",
                         "convener_id", (json_int_t)admin_id));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "convener_id", "reference");
    r = h_send(a, "POST", "/api/v1/areas",
               json_pack("{s:s, s:s, s:s, s:I}", "name", "重复代码片区", "code", "A01", "committee_name", "委员会",
                         "convener_id", (json_int_t)convener));
    EXPECT_FIELD_ERROR(r, "code", "unique");
    r = h_send(a, "POST", "/api/v1/areas", json_pack("{s:s, s:I}", "code", "T03", "convener_id", (json_int_t)convener));
    EXPECT_FIELD_ERROR(r, "name", "required");
    EXPECT_FIELD_ERROR(r, "committee_name", "required");
    r = h_send(a, "POST", "/api/v1/areas",
               json_pack("{s:s, s:s, s:s}", "name", "无召集人片区", "code", "T04", "committee_name", "委员会"));
    EXPECT_FIELD_ERROR(r, "convener_id", "required");

    /* Referenced areas are not deleted. */
    long long a01 = find_by(items_of(h_get(a, "/api/v1/areas?q=A01")), "code", "A01");
    r = h_del(a, "/api/v1/areas/%lld", a01);
    EXPECT_PROBLEM(r, 409, "conflict");
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "references")) >= 1);

    /* Only registry writers write areas. */
    Client *l = h_client_as(S, "leader");
    EXPECT_PROBLEM(h_del(l, "%s", path), 403, "forbidden");
    h_client_free(l);

    EXPECT_STATUS(h_del(a, "%s", path), 204);
    EXPECT_PROBLEM(h_get(a, "%s", path), 404, "not-found");
    h_client_free(a);
}

static void area_members_by_admin(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long convener = user_id(a, "leader03");
    Resp *r = h_send(a, "POST", "/api/v1/areas",
                     json_pack("{s:s, s:s, s:s, s:I}", "name", "成员测试片区", "code", "T11", "committee_name",
                               "成员测试片区委员会", "convener_id", (json_int_t)convener));
    EXPECT_STATUS(r, 201);
    long long area = h_jint(r->json, "id");
    long long village = org_id(a, "塘西村");
    long long ent = h_jint(h_get(a, "/api/v1/orgs?kind=enterprise&page_size=1")->json, "items[0].id");
    char mpath[64];
    snprintf(mpath, sizeof mpath, "/api/v1/areas/%lld/members", area);

    r = h_send(a, "POST", mpath,
               json_pack("{s:I, s:s, s:s}", "org_id", (json_int_t)village, "joined_on", "2025-05-01", "duty", "属地共建"));
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, h_jint(r->json, "member_count") == 1);
    r = h_get(a, "%s", mpath);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1 && h_jint(r->json, "items[0].org_id") == village);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].kind"), "community") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].town_name"), "洛阳镇") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].joined_on"), "2025-05-01") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].duty"), "属地共建") == 0);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("%s?kind=park", mpath)) == 0);
    r = h_get(a, "/api/v1/orgs/%lld", village);
    EXPECT_TRUE_R(r, has_id(h_jpath(r->json, "areas"), "id", area));
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/orgs?area_id=%lld", area)) == 1);

    r = h_send(a, "POST", mpath, json_pack("{s:I}", "org_id", (json_int_t)village));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "org_id", "unique");
    r = h_send(a, "POST", mpath, json_pack("{s:I}", "org_id", (json_int_t)ent));
    EXPECT_FIELD_ERROR(r, "org_id", "kind");
    r = h_send(a, "POST", mpath, json_pack("{s:i}", "org_id", 999999));
    EXPECT_FIELD_ERROR(r, "org_id", "reference");
    r = h_send(a, "POST", mpath, json_pack("{s:I, s:s}", "org_id", (json_int_t)village, "joined_on", "2025-13-01"));
    EXPECT_FIELD_ERROR(r, "joined_on", "date");
    EXPECT_PROBLEM(h_send(a, "POST", "/api/v1/areas/999999/members", json_pack("{s:I}", "org_id", (json_int_t)village)),
                   404, "not-found");

    /* The area with a member cannot go; without one it can. */
    EXPECT_PROBLEM(h_del(a, "/api/v1/areas/%lld", area), 409, "conflict");
    EXPECT_STATUS(h_del(a, "%s/%lld", mpath, village), 204);
    EXPECT_PROBLEM(h_del(a, "%s/%lld", mpath, village), 404, "not-found");
    EXPECT_TRUE_R(r, total_of(a, mpath) == 0);
    EXPECT_STATUS(h_del(a, "/api/v1/areas/%lld", area), 204);
    h_client_free(a);
}

static void area_members_by_committee(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Client *k = h_client_as(S, "committee");
    long long own = h_jint(h_get(k, "/api/v1/me")->json, "scope.area_id");
    long long other = own + 1;
    long long village = org_id(a, "塘西村");
    long long ent = h_jint(h_get(a, "/api/v1/orgs?kind=enterprise&page_size=1")->json, "items[0].id");
    long long other_before = total_of(a, h_fmt("/api/v1/areas/%lld/members", other));

    Resp *r = h_send(k, "POST", h_fmt("/api/v1/areas/%lld/members", own),
                     json_pack("{s:I, s:s, s:s}", "org_id", (json_int_t)village, "joined_on", "2025-06-01", "duty", "联建"));
    EXPECT_STATUS(r, 201);
    r = h_send(k, "POST", h_fmt("/api/v1/areas/%lld/members", other), json_pack("{s:I}", "org_id", (json_int_t)village));
    /* Another area: 403 (role may not) or 404 (out of scope) — never a change. */
    if (r->status != 403 && r->status != 404) FAIL_RESP(r, "expected 403 or 404 for another area's members");
    EXPECT_PROBLEM(r, r->status, r->status == 403 ? "forbidden" : "not-found");
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/areas/%lld/members", other)) == other_before);
    r = h_send(k, "POST", h_fmt("/api/v1/areas/%lld/members", own), json_pack("{s:I}", "org_id", (json_int_t)ent));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "org_id", "kind");
    /* The committee may not write the area itself. */
    EXPECT_PROBLEM(h_del(k, "/api/v1/areas/%lld", own), 403, "forbidden");
    EXPECT_STATUS(h_del(k, "/api/v1/areas/%lld/members/%lld", own, village), 204);
    h_client_free(k);
    h_client_free(a);
}

static void agreements_crud(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long area = find_by(items_of(h_get(a, "/api/v1/areas?q=A01")), "code", "A01");
    long long v = org_id(a, "西吟头村");
    long long p = org_id(a, "海峡雕刻艺术园");
#define PARTIES(x, y)                                                                              \
    json_pack("[{s:I, s:s}, {s:I, s:s}]", "org_id", (json_int_t)(x), "responsibilities", "提供场地和日常管理", \
              "org_id", (json_int_t)(y), "responsibilities", "派驻专业人员")
    Resp *r = h_send(a, "POST", "/api/v1/agreements",
                     json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o}", "title", "接口测试邻里中心共建联建协议", "area_id",
                               (json_int_t)area, "signed_on", "2025-03-01", "term_start", "2025-03-01", "term_end",
                               "2099-12-31", "content", "各方明确职责。", "parties", PARTIES(v, p)));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    expect_etag_is_version(r);
    EXPECT_TRUE_R(r, h_header(r, "Location") && strcmp(h_header(r, "Location"), h_fmt("/api/v1/agreements/%lld", id)) == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "status"), "active") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "area_name"), "洛阳片区") == 0);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "parties")) == 2);
    EXPECT_TRUE_R(r, h_jint(r->json, "parties[0].org_id") == v && strcmp(h_jstr(r->json, "parties[0].org_name"), "西吟头村") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "parties[1].org_kind"), "park") == 0);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/agreements/%lld", id);
    r = h_get(a, "%s", path);
    EXPECT_STATUS(r, 200);
    expect_etag_is_version(r);

    /* Moving the term into the future makes it pending. */
    r = put_if_match(a, path, 1,
                     json_pack("{s:s, s:I, s:s, s:s, s:s, s:o}", "title", "接口测试邻里中心共建联建协议（修订）", "area_id",
                               (json_int_t)area, "signed_on", "2025-03-01", "term_start", "2098-01-01", "term_end",
                               "2099-12-31", "parties", PARTIES(p, v)));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 2 && strcmp(h_jstr(r->json, "status"), "pending") == 0);
    EXPECT_TRUE_R(r, h_jint(r->json, "parties[0].org_id") == p);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/agreements?q=%s", h_esc("接口测试邻里中心"))) == 1);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/agreements?status=pending&q=%s", h_esc("接口测试邻里中心"))) == 1);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/agreements?status=active&q=%s", h_esc("接口测试邻里中心"))) == 0);
    r = h_get(a, "/api/v1/agreements?org_id=%lld&page_size=200", v);
    EXPECT_TRUE_R(r, has_id(items_of(r), "id", id));

    /* Validation. */
    r = h_send(a, "POST", "/api/v1/agreements",
               json_pack("{s:s, s:s, s:s, s:s, s:o}", "title", "倒序协议", "signed_on", "2025-03-01", "term_start",
                         "2025-03-01", "term_end", "2024-03-01", "parties", PARTIES(v, p)));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "term_end", "date_order");
    r = h_send(a, "POST", "/api/v1/agreements",
               json_pack("{s:s, s:s, s:s, s:s, s:[{s:I, s:s}]}", "title", "独角协议", "signed_on", "2025-03-01",
                         "term_start", "2025-03-01", "term_end", "2026-03-01", "parties", "org_id", (json_int_t)v,
                         "responsibilities", "全部"));
    EXPECT_FIELD_ERROR(r, "parties", "min_items");
    r = h_send(a, "POST", "/api/v1/agreements",
               json_pack("{s:s, s:s, s:s, s:s, s:o}", "title", "重复方协议", "signed_on", "2025-03-01", "term_start",
                         "2025-03-01", "term_end", "2026-03-01", "parties", PARTIES(v, v)));
    EXPECT_FIELD_ERROR(r, "parties[1].org_id", "unique");
    r = h_send(a, "POST", "/api/v1/agreements",
               json_pack("{s:s, s:s, s:s, s:s, s:[{s:I}, {s:I, s:s}]}", "title", "无职责协议", "signed_on", "2025-02-30",
                         "term_start", "2025-03-01", "term_end", "2026-03-01", "parties", "org_id", (json_int_t)v,
                         "org_id", (json_int_t)p, "responsibilities", "x"));
    EXPECT_FIELD_ERROR(r, "parties[0].responsibilities", "required");
    EXPECT_FIELD_ERROR(r, "signed_on", "date");
    r = h_send(a, "POST", "/api/v1/agreements",
               json_pack("{s:s, s:s, s:s, s:s, s:[{s:i, s:s}, {s:I, s:s}]}", "title", "无此方协议", "signed_on",
                         "2025-03-01", "term_start", "2025-03-01", "term_end", "2026-03-01", "parties", "org_id", 999999,
                         "responsibilities", "x", "org_id", (json_int_t)p, "responsibilities", "y"));
    EXPECT_FIELD_ERROR(r, "parties[0].org_id", "reference");
    r = h_send(a, "POST", "/api/v1/agreements", json_pack("{}"));
    EXPECT_FIELD_ERROR(r, "title", "required");
    EXPECT_FIELD_ERROR(r, "parties", "required");

    EXPECT_STATUS(h_del(a, "%s", path), 204);
    EXPECT_PROBLEM(h_get(a, "%s", path), 404, "not-found");
    h_client_free(a);
}

static void agreements_by_committee(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Client *k = h_client_as(S, "committee");
    long long own = h_jint(h_get(k, "/api/v1/me")->json, "scope.area_id");
    long long v = org_id(a, "西吟头村");
    long long p = org_id(a, "海峡雕刻艺术园");
    Resp *r = h_send(k, "POST", "/api/v1/agreements",
                     json_pack("{s:s, s:I, s:s, s:s, s:s, s:o}", "title", "片区秘书录入的联建协议", "area_id", (json_int_t)own,
                               "signed_on", "2025-04-01", "term_start", "2025-04-01", "term_end", "2027-03-31",
                               "parties", PARTIES(v, p)));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    r = h_send(k, "POST", "/api/v1/agreements",
               json_pack("{s:s, s:I, s:s, s:s, s:s, s:o}", "title", "别的片区的联建协议", "area_id", (json_int_t)(own + 1),
                         "signed_on", "2025-04-01", "term_start", "2025-04-01", "term_end", "2027-03-31", "parties",
                         PARTIES(v, p)));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "area_id", NULL);
    EXPECT_TRUE_R(r, total_of(a, h_fmt("/api/v1/agreements?q=%s", h_esc("别的片区的联建协议"))) == 0);
    EXPECT_STATUS(h_del(k, "/api/v1/agreements/%lld", id), 204);
#undef PARTIES
    h_client_free(k);
    h_client_free(a);
}

static void liaisons_crud(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long town_user = user_id(a, "town");
    long long leader = user_id(a, "leader");
    long long village = org_id(a, "塘西村");
    long long dept = org_id(a, "经济发展局");
    long long ent = h_jint(h_get(a, "/api/v1/orgs?kind=enterprise&page_size=1")->json, "items[0].id");
    Resp *r = h_send(a, "POST", "/api/v1/liaisons",
                     json_pack("{s:s, s:I, s:I, s:s, s:s}", "kind", "cadre_village", "user_id", (json_int_t)town_user,
                               "target_org_id", (json_int_t)village, "start_on", "2025-01-01", "note", "每月走访"));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    expect_etag_is_version(r);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "kind"), "cadre_village") == 0);
    EXPECT_TRUE_R(r, h_jint(r->json, "user.id") == town_user && h_jstr(r->json, "user.display_name"));
    EXPECT_TRUE_R(r, h_jint(r->json, "target.id") == village && strcmp(h_jstr(r->json, "target.kind"), "community") == 0);
    EXPECT_TRUE_R(r, json_is_null(h_jpath(r->json, "end_on")));
    char path[64];
    snprintf(path, sizeof path, "/api/v1/liaisons/%lld", id);
    r = h_get(a, "%s", path);
    EXPECT_STATUS(r, 200);
    expect_etag_is_version(r);
    r = put_if_match(a, path, 1,
                     json_pack("{s:s, s:I, s:I, s:s, s:s}", "kind", "cadre_village", "user_id", (json_int_t)town_user,
                               "target_org_id", (json_int_t)village, "start_on", "2025-01-01", "end_on", "2025-12-31"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 2 && strcmp(h_jstr(r->json, "end_on"), "2025-12-31") == 0);
    r = h_get(a, "/api/v1/liaisons?org_id=%lld&kind=cadre_village&page_size=200", village);
    EXPECT_TRUE_R(r, has_id(items_of(r), "id", id));
    r = h_get(a, "/api/v1/liaisons?user_id=%lld&page_size=200", town_user);
    EXPECT_TRUE_R(r, has_id(items_of(r), "id", id));

    /* Validation. */
    r = h_send(a, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "cadre_village", "user_id", (json_int_t)town_user,
                         "target_org_id", (json_int_t)ent, "start_on", "2025-01-01"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "target_org_id", "kind");
    r = h_send(a, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "cadre_village", "user_id", (json_int_t)leader,
                         "target_org_id", (json_int_t)village, "start_on", "2025-01-01"));
    EXPECT_FIELD_ERROR(r, "user_id", "reference");
    r = h_send(a, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s, s:s}", "kind", "cadre_village", "user_id", (json_int_t)town_user,
                         "target_org_id", (json_int_t)village, "start_on", "2025-06-01", "end_on", "2025-05-31"));
    EXPECT_FIELD_ERROR(r, "end_on", "date_order");
    r = h_send(a, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:s}", "kind", "leader_area", "user_id", (json_int_t)leader, "start_on", "2025-01-01"));
    EXPECT_FIELD_ERROR(r, "area_id", "required");
    r = h_send(a, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "department_point", "department_id", (json_int_t)village,
                         "target_org_id", (json_int_t)ent, "start_on", "2025-01-01"));
    EXPECT_FIELD_ERROR(r, "department_id", "kind");
    r = h_send(a, "POST", "/api/v1/liaisons", json_pack("{s:s, s:s}", "kind", "pen_pal", "start_on", "2025-01-01"));
    EXPECT_FIELD_ERROR(r, "kind", "enum");
    r = h_send(a, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I}", "kind", "department_point", "department_id", (json_int_t)dept,
                         "target_org_id", (json_int_t)ent));
    EXPECT_FIELD_ERROR(r, "start_on", "required");
    r = h_send(a, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "department_point", "department_id", (json_int_t)dept,
                         "target_org_id", (json_int_t)ent, "start_on", "2025-01-01"));
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, h_jint(r->json, "department.id") == dept && json_is_null(h_jpath(r->json, "user")));
    EXPECT_STATUS(h_del(a, "/api/v1/liaisons/%lld", h_jint(r->json, "id")), 204);

    /* A town cadre records cadre liaisons in its own town only. */
    Client *t = h_client_as(S, "town");
    long long far = org_id(a, "东园村");
    r = h_send(t, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "cadre_village", "user_id", (json_int_t)town_user,
                         "target_org_id", (json_int_t)far, "start_on", "2025-01-01"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "target_org_id", "reference");
    long long a01 = find_by(items_of(h_get(a, "/api/v1/areas?q=A01")), "code", "A01");
    r = h_send(t, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "department_area", "department_id", (json_int_t)dept, "area_id",
                         (json_int_t)a01, "start_on", "2025-01-01"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "kind", "forbidden");
    h_client_free(t);

    EXPECT_STATUS(h_del(a, "%s", path), 204);
    EXPECT_PROBLEM(h_get(a, "%s", path), 404, "not-found");
    h_client_free(a);
}

/* ==== 12. accounts ============================================================================== */

/* Creates an account with a known password through admin; returns its id. */
static long long make_user(Client *admin, const char *username, const char *role, long long org, const char *password) {
    Resp *r = h_send(admin, "POST", "/api/v1/users",
                     json_pack("{s:s, s:s, s:s, s:I, s:s}", "username", username, "display_name", username, "role", role,
                               "org_id", (json_int_t)org, "password", password));
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, h_jpath(r->json, "initial_password") == NULL);
    EXPECT_TRUE_R(r, json_is_false(h_jpath(r->json, "must_change_password")));
    return h_jint(r->json, "id");
}

static void users_role_change_by_secadmin(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Client *sec = h_client_as(S, "secadmin");
    long long village = org_id(a, "西吟头村");
    long long id = make_user(a, "roleuser", "community", village, "Role#2026pw");
    Client *u = h_client(S);
    EXPECT_STATUS(h_login(u, "roleuser", "Role#2026pw"), 200);
    char rpath[64];
    snprintf(rpath, sizeof rpath, "/api/v1/users/%lld/role", id);

    EXPECT_PROBLEM(h_send(a, "PUT", rpath, json_pack("{s:s}", "role", "volunteer")), 403, "forbidden");
    Resp *r = h_send(sec, "PUT", rpath, json_pack("{s:s}", "role", "volunteer"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "role"), "volunteer") == 0);
    /* The old session does not keep the old role. */
    r = h_get(u, "/api/v1/me");
    EXPECT_TRUE_R(r, r->status == 401 || (r->status == 200 && strcmp(h_jstr(r->json, "user.role"), "volunteer") == 0));
    r = h_login(u, "roleuser", "Role#2026pw");
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "user.role"), "volunteer") == 0);
    EXPECT_TRUE_R(r, !array_has_str(h_jpath(r->json, "capabilities"), "agreement.read"));

    r = h_send(sec, "PUT", rpath, json_pack("{s:s}", "role", "town"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "org_id", "kind");
    r = h_send(sec, "PUT", rpath, json_pack("{s:s}", "role", "committee"));
    EXPECT_FIELD_ERROR(r, "area_id", "required");
    r = h_send(sec, "PUT", rpath, json_pack("{s:s}", "role", "emperor"));
    EXPECT_FIELD_ERROR(r, "role", "enum");
    long long self = user_id(sec, "secadmin");
    EXPECT_PROBLEM(h_send(sec, "PUT", h_fmt("/api/v1/users/%lld/role", self), json_pack("{s:s}", "role", "admin")), 403,
                   "forbidden");
    Client *aud = h_client_as(S, "auditor");
    r = h_get(aud, "/api/v1/audit?action=role_change&username=secadmin");
    EXPECT_TRUE_R(r, has_id(items_of(r), "object_id", id));
    h_client_free(aud);
    h_client_free(u);
    h_client_free(sec);
    h_client_free(a);
}

static void users_admin_cannot_create_privileged(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    static const char *const roles[] = {"auditor", "admin", "secadmin"};
    for (size_t i = 0; i < 3; i++) {
        Resp *r = h_send(a, "POST", "/api/v1/users",
                         json_pack("{s:s, s:s, s:s, s:i}", "username", h_fmt("priv%zu", i), "display_name", "特权",
                                   "role", roles[i], "org_id", 1));
        EXPECT_PROBLEM(r, 422, "validation");
        EXPECT_FIELD_ERROR(r, "role", "forbidden");
    }
    EXPECT_TRUE_R(h_get(a, "/api/v1/health"), total_of(a, "/api/v1/users?q=priv") == 0);
    Client *sec = h_client_as(S, "secadmin");
    EXPECT_PROBLEM(h_send(sec, "POST", "/api/v1/users",
                          json_pack("{s:s, s:s, s:s, s:i}", "username", "secmade", "display_name", "x", "role", "leader",
                                    "org_id", 1)),
                   403, "forbidden");
    /* The admin cannot touch the auditor's account either. */
    long long aud = user_id(a, "auditor");
    EXPECT_PROBLEM(h_req(a, "POST", h_fmt("/api/v1/users/%lld/reset-password", aud), NULL, NULL, 0), 403, "forbidden");
    h_client_free(sec);
    h_client_free(a);
}

static void users_validation(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long village = org_id(a, "西吟头村");
    struct {
        const char *username, *role, *phone, *password;
        long long org;
        const char *field, *rule;
    } cases[] = {
        {"Bad Name", "community", NULL, NULL, village, "username", "format"},
        {"ab", "community", NULL, NULL, village, "username", "min_length"},
        {"admin", "community", NULL, NULL, village, "username", "unique"},
        {"phonebad", "community", "12345", NULL, village, "phone", "mobile"},
        {"rolebad", "boss", NULL, NULL, village, "role", "enum"},
        {"orgbad", "community", NULL, NULL, 999999, "org_id", "reference"},
        {"kindbad", "town", NULL, NULL, village, "org_id", "kind"},
        {"areabad", "committee", NULL, NULL, 1, "area_id", "required"},
        {"weakpw", "community", NULL, "abc", village, "password", "password_policy"},
    };
    long long before = total_of(a, "/api/v1/users?page_size=1");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = json_pack("{s:s, s:s, s:s, s:I}", "username", cases[i].username, "display_name", "校验", "role",
                                 cases[i].role, "org_id", (json_int_t)cases[i].org);
        if (cases[i].phone) json_object_set_new(body, "phone", json_string(cases[i].phone));
        if (cases[i].password) json_object_set_new(body, "password", json_string(cases[i].password));
        Resp *r = h_send(a, "POST", "/api/v1/users", body);
        EXPECT_PROBLEM(r, 422, "validation");
        EXPECT_FIELD_ERROR(r, cases[i].field, cases[i].rule);
    }
    EXPECT_TRUE_R(h_get(a, "/api/v1/health"), total_of(a, "/api/v1/users?page_size=1") == before);
    h_client_free(a);
}

static void users_lock_unlock_and_disable(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    Client *sec = h_client_as(S, "secadmin");
    long long village = org_id(a, "西吟头村");
    long long id = make_user(a, "lockme", "community", village, "Lock#2026pw");
    Client *u = h_client(S);
    EXPECT_STATUS(h_login(u, "lockme", "Lock#2026pw"), 200);

    EXPECT_PROBLEM(h_req(a, "POST", h_fmt("/api/v1/users/%lld/lock", id), NULL, NULL, 0), 403, "forbidden");
    Resp *r = h_req(sec, "POST", h_fmt("/api/v1/users/%lld/lock", id), NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_true(h_jpath(r->json, "locked")) && h_jstr(r->json, "locked_until"));
    EXPECT_TRUE_R(r, h_get(u, "/api/v1/me")->status == 401);
    r = h_login(h_client(S), "lockme", "Lock#2026pw");
    EXPECT_PROBLEM(r, 423, "account-locked");
    r = h_req(sec, "POST", h_fmt("/api/v1/users/%lld/unlock", id), NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_false(h_jpath(r->json, "locked")));
    EXPECT_STATUS(h_login(u, "lockme", "Lock#2026pw"), 200);
    long long self = user_id(sec, "secadmin");
    EXPECT_PROBLEM(h_req(sec, "POST", h_fmt("/api/v1/users/%lld/lock", self), NULL, NULL, 0), 403, "forbidden");

    /* Disabling ends the sessions and refuses sign-in like a wrong password. */
    r = h_get(a, "/api/v1/users/%lld", id);
    long long v = h_jint(r->json, "version");
    r = put_if_match(a, h_fmt("/api/v1/users/%lld", id), v,
                     json_pack("{s:s, s:I, s:b}", "display_name", "已停用", "org_id", (json_int_t)village, "disabled", 1));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_true(h_jpath(r->json, "disabled")));
    EXPECT_TRUE_R(r, h_get(u, "/api/v1/me")->status == 401);
    EXPECT_PROBLEM(h_login(h_client(S), "lockme", "Lock#2026pw"), 401, "bad-credentials");
    h_client_free(u);
    h_client_free(sec);
    h_client_free(a);
}

static void users_reset_password(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long village = org_id(a, "西吟头村");
    long long id = make_user(a, "resetme", "community", village, "Reset#2026pw");
    Client *u = h_client(S);
    EXPECT_STATUS(h_login(u, "resetme", "Reset#2026pw"), 200);
    Resp *r = h_req(a, "POST", h_fmt("/api/v1/users/%lld/reset-password", id), NULL, NULL, 0);
    EXPECT_STATUS(r, 200);
    const char *pw = h_jstr(r->json, "initial_password");
    EXPECT_TRUE_R(r, pw && strlen(pw) >= 8);
    char fresh[64];
    snprintf(fresh, sizeof fresh, "%s", pw);
    EXPECT_TRUE_R(r, h_get(u, "/api/v1/me")->status == 401);
    EXPECT_PROBLEM(h_login(h_client(S), "resetme", "Reset#2026pw"), 401, "bad-credentials");
    r = h_login(u, "resetme", fresh);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_is_true(h_jpath(r->json, "must_change_password")));
    EXPECT_PROBLEM(h_get(u, "/api/v1/orgs"), 403, "password-change-required");
    Client *aud = h_client_as(S, "auditor");
    r = h_get(aud, "/api/v1/audit?action=password_reset&username=admin");
    EXPECT_TRUE_R(r, has_id(items_of(r), "object_id", id));
    EXPECT_TRUE_R(r, strstr(r->body, fresh) == NULL);
    h_client_free(aud);
    h_client_free(u);
    h_client_free(a);
}

static void password_change_ends_other_sessions(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long village = org_id(a, "西吟头村");
    make_user(a, "pwuser", "community", village, "Pw#2026pass");
    Client *one = h_client(S), *two = h_client(S);
    EXPECT_STATUS(h_login(one, "pwuser", "Pw#2026pass"), 200);
    EXPECT_STATUS(h_login(two, "pwuser", "Pw#2026pass"), 200);
    Resp *r = h_send(one, "POST", "/api/v1/me/password",
                     json_pack("{s:s, s:s}", "old_password", "Pw#2026pass", "new_password", "Pw#2026pass"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "new_password", NULL);
    r = h_send(one, "POST", "/api/v1/me/password",
               json_pack("{s:s, s:s}", "old_password", "Pw#2026pass", "new_password", "Pw#2027pass"));
    EXPECT_STATUS(r, 204);
    EXPECT_STATUS(h_get(one, "/api/v1/me"), 200);
    EXPECT_PROBLEM(h_get(two, "/api/v1/me"), 401, "unauthenticated");
    EXPECT_PROBLEM(h_login(two, "pwuser", "Pw#2026pass"), 401, "bad-credentials");
    EXPECT_STATUS(h_login(two, "pwuser", "Pw#2027pass"), 200);
    Client *aud = h_client_as(S, "auditor");
    EXPECT_TRUE_R(r, total_of(aud, "/api/v1/audit?action=password_change&username=pwuser") == 1);
    h_client_free(aud);
    h_client_free(two);
    h_client_free(one);
    h_client_free(a);
}

/* ==== 13. idempotency =========================================================================== */

static void idempotency_key_replays_the_answer(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long park = org_id(a, "海峡雕刻艺术园");
    char code[19];
    snprintf(code, sizeof code, "%s", new_credit_code());
    long long before = org_count(a);
    h_client_header(a, "Idempotency-Key: create-org-0001");
    Resp *first = create_enterprise(a, park, "幂等测试有限公司", code);
    EXPECT_STATUS(first, 201);
    h_client_header(a, "Idempotency-Key: create-org-0001");
    Resp *second = create_enterprise(a, park, "幂等测试有限公司", code);
    EXPECT_STATUS(second, 201);
    EXPECT_TRUE_R(second, second->len == first->len && memcmp(second->body, first->body, first->len) == 0);
    EXPECT_TRUE_R(second, org_count(a) == before + 1);
    EXPECT_TRUE_R(second, total_of(a, h_fmt("/api/v1/orgs?q=%s", code)) == 1);
    /* Without the key, the retry is a second create (refused here for the credit code). */
    Resp *r = create_enterprise(a, park, "幂等测试有限公司", code);
    EXPECT_FIELD_ERROR(r, "credit_code", "unique");
    /* The key belongs to its route. */
    h_client_header(a, "Idempotency-Key: create-org-0001");
    r = h_send(a, "POST", "/api/v1/areas", json_pack("{s:s}", "name", "幂等片区"));
    EXPECT_PROBLEM(r, 409, "conflict");
    /* And to its user: another account's key of the same name is its own. */
    Client *t = h_client_as(S, "town");
    h_client_header(t, "Idempotency-Key: create-org-0001");
    r = h_send(t, "POST", "/api/v1/orgs",
               json_pack("{s:s, s:s, s:I}", "kind", "community", "name", "幂等新村", "parent_id",
                         (json_int_t)org_id(a, "洛阳镇")));
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, strstr(r->body, "幂等新村") != NULL);
    /* An over-long key is refused. */
    char key[260] = "Idempotency-Key: ";
    memset(key + strlen(key), 'k', 220);
    key[sizeof key - 1] = 0;
    h_client_header(a, key);
    EXPECT_PROBLEM(create_enterprise(a, park, "长键有限公司", new_credit_code()), 422, "validation");
    h_client_free(t);
    h_client_free(a);
}

/* One thread of a burst: its own client, n POST /orgs of parks under parent, started together with
 * the other threads. No cmocka calls here: the main thread checks what is recorded. */
typedef struct Burst {
    Client *c;                 /* this thread's client, logged in */
    pthread_barrier_t *start;  /* every thread waits here, then all fire at once */
    long long parent;          /* parent_id of the parks */
    const char *name;          /* park name; "%d-%d" suffixes it with thread and request when not keyed */
    const char *key;           /* Idempotency-Key for every request, or NULL */
    int thread, n;             /* thread number; requests to send (at most 16) */
    long status[16];           /* status of each answer */
    long long id[16];          /* id in each answer, -1 when none */
    char *body[16];            /* body of each answer (owned by the client) */
} Burst;

static void *burst_run(void *ud) {
    Burst *b = ud;
    pthread_barrier_wait(b->start);
    for (int i = 0; i < b->n; i++) {
        char name[128], hdr[160];
        if (b->key) snprintf(name, sizeof name, "%s", b->name);
        else snprintf(name, sizeof name, "%s-%d-%d", b->name, b->thread, i);
        if (b->key) {
            snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", b->key);
            h_client_header(b->c, hdr);
        }
        Resp *r = h_send(b->c, "POST", "/api/v1/orgs",
                         json_pack("{s:s, s:s, s:I}", "kind", "park", "name", name, "parent_id", (json_int_t)b->parent));
        b->status[i] = r->status;
        b->id[i] = h_jint(r->json, "id");
        b->body[i] = r->body;
    }
    return NULL;
}

/* Runs nthreads bursts of n requests each (same client per thread, logged in as admin). */
static void run_bursts(Burst *b, int nthreads, int n, long long parent, const char *name, const char *key) {
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)nthreads);
    pthread_t th[16];
    for (int t = 0; t < nthreads; t++) {
        memset(&b[t], 0, sizeof b[t]);
        b[t].c = h_client_as(S, "admin");
        b[t].start = &start;
        b[t].parent = parent;
        b[t].name = name;
        b[t].key = key;
        b[t].thread = t;
        b[t].n = n;
    }
    for (int t = 0; t < nthreads; t++) assert_int_equal(pthread_create(&th[t], NULL, burst_run, &b[t]), 0);
    for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
}

static void concurrent_creates_all_succeed(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long town = org_id(a, "洛阳镇");
    long long before = org_count(a);
    enum { T = 6, N = 8 };
    Burst b[T];
    run_bursts(b, T, N, town, "并发测试园", NULL);
    long long ids[T * N];
    int k = 0;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < N; i++) {
            if (b[t].status[i] != 201)
                fail_msg("concurrent POST /api/v1/orgs (thread %d, request %d): status %ld: %.300s", t, i, b[t].status[i],
                         b[t].body[i] ? b[t].body[i] : "");
            for (int j = 0; j < k; j++)
                if (ids[j] == b[t].id[i]) fail_msg("two concurrent creates answered the same id %lld", ids[j]);
            ids[k++] = b[t].id[i];
        }
    assert_true(org_count(a) == before + T * N);
    for (int j = 0; j < k; j++) EXPECT_STATUS(h_del(a, "/api/v1/orgs/%lld", ids[j]), 204);
    for (int t = 0; t < T; t++) h_client_free(b[t].c);
    h_client_free(a);
}

static void idempotency_key_under_concurrent_retries(void **state) {
    (void)state;
    Client *a = h_client_as(S, "admin");
    long long town = org_id(a, "洛阳镇");
    enum { T = 8, ROUNDS = 6 };
    /* One client retrying: the same session sends the same keyed request from T threads at once;
     * several rounds, each with a key and a name of its own, since a race needs chances. */
    Client *c[T];
    c[0] = h_client_as(S, "admin");
    char token[128];
    h_client_session_token(c[0], token, sizeof token);
    for (int t = 1; t < T; t++) {
        c[t] = h_client(S);
        h_client_set_csrf(c[t], h_client_csrf(c[0]));
    }
    static const char *const stems[ROUNDS] = {"甲", "乙", "丙", "丁", "戊", "己"};
    for (int round = 0; round < ROUNDS; round++) {
        char name[64], key[64];
        snprintf(name, sizeof name, "并发幂等%s园", stems[round]);
        snprintf(key, sizeof key, "burst-key-%04d", round);
        Burst b[T];
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, T);
        pthread_t th[T];
        for (int t = 0; t < T; t++) {
            b[t] = (Burst){.c = c[t], .start = &start, .parent = town, .name = name, .key = key, .thread = t, .n = 1};
            /* Clients 1..T-1 present client 0's session cookie. */
            if (t > 0) h_client_header(c[t], h_fmt("Cookie: sanqu_session=%s", token));
        }
        for (int t = 0; t < T; t++) assert_int_equal(pthread_create(&th[t], NULL, burst_run, &b[t]), 0);
        for (int t = 0; t < T; t++) pthread_join(th[t], NULL);
        pthread_barrier_destroy(&start);
        for (int t = 0; t < T; t++)
            if (b[t].status[0] != 201 && b[t].status[0] != 409)
                fail_msg("round %d: keyed retry %d answered %ld: %.300s", round, t, b[t].status[0],
                         b[t].body[0] ? b[t].body[0] : "");
        long long made = total_of(a, h_fmt("/api/v1/orgs?q=%s", h_esc(name)));
        if (made != 1)
            fail_msg("round %d: %d simultaneous POST /api/v1/orgs with the same Idempotency-Key created %lld records "
                     "(want 1)", round, T, made);
        for (int t = 1; t < T; t++)
            if (b[t].status[0] == 201 && b[0].status[0] == 201 && strcmp(b[t].body[0], b[0].body[0]) != 0)
                fail_msg("round %d: keyed retries answered different bodies:\n%.300s\n%.300s", round, b[0].body[0],
                         b[t].body[0]);
    }
    for (int t = 0; t < T; t++) h_client_free(c[t]);
    h_client_free(a);
}

/* ==== 14. graceful stop ========================================================================= */

static int late_status;  /* what a request sent during the stop was answered */
static char *late_answer;

static void send_sigterm(void *ud) {
    Server *s = ud;
    struct timespec ts = {0, 150 * 1000000L};
    nanosleep(&ts, NULL); /* let the server take the headers */
    kill(s->pid, SIGTERM);
    nanosleep(&ts, NULL);
    /* The in-flight request has not sent its body yet, so the server is still stopping. */
    static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    late_status = h_raw(s, req, sizeof req - 1, &late_answer);
}

/* The database opens after the stop and the WAL is checkpointed. */
static void expect_database_intact(void) {
    char *out = NULL;
    const char *const args[] = {"user", "list", "--db", S->db, NULL};
    int rc = h_cli(S, args, &out);
    if (rc != 0 || !out || !strstr(out, "admin")) fail_msg("sanqu user list after the stop: exit %d\n%s", rc, out ? out : "");
    free(out);
    char wal[400];
    snprintf(wal, sizeof wal, "%s-wal", S->db);
    struct stat st;
    if (stat(wal, &st) == 0 && st.st_size > 0) fail_msg("%s holds %lld bytes after a graceful stop", wal, (long long)st.st_size);
}

static void sigterm_finishes_in_flight_request(void **state) {
    (void)state;
    static const char body[] = "{\"username\":\"admin\",\"password\":\"" H_PASSWORD "\"}";
    char head[256];
    snprintf(head, sizeof head,
             "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
             sizeof body - 1);
    char *out = NULL;
    int st = h_raw_split(S, head, body, send_sigterm, S, &out);
    if (st != 200) fail_msg("a login in flight during SIGTERM: expected 200, got %d:\n%.400s", st, out ? out : "");
    free(out);
    /* A new request meanwhile is refused in the problem format and its connection closed. */
    const char *a = late_answer ? late_answer : "";
    if (late_status != 503 || !strcasestr(a, "application/problem+json") || !strcasestr(a, "Connection: close") ||
        !strcasestr(a, "Retry-After: 5"))
        fail_msg("a request sent during the stop: expected 503 problem+json with Connection: close and "
                 "Retry-After, got %d:\n%.600s", late_status, a);
    free(late_answer);
    late_answer = NULL;
    int rc = h_server_stop(S);
    if (rc != 0) fail_msg("the server exited with %d after SIGTERM (want 0)", rc);
    expect_database_intact();
}

static void sigterm_exits_zero(void **state) {
    (void)state;
    int rc = h_server_stop(S);
    if (rc != 0) fail_msg("the server exited with %d after SIGTERM (want 0)", rc);
    expect_database_intact();
}

/* ==== main ====================================================================================== */

int main(int argc, char **argv) {
    h_init(argc, argv);
    const struct CMUnitTest api[] = {
        cmocka_unit_test(health_without_session),
        cmocka_unit_test(security_headers_on_every_response),
        cmocka_unit_test(static_files_and_traversal),
        cmocka_unit_test(raw_malformed_requests),
        cmocka_unit_test(login_sets_cookie_and_returns_user),
        cmocka_unit_test(login_rejects_bad_credentials),
        cmocka_unit_test(login_validates_fields),
        cmocka_unit_test(me_requires_a_session),
        cmocka_unit_test(logout_ends_the_session),
        cmocka_unit_test(login_issues_a_new_token_each_time),
        cmocka_unit_test(csrf_required_on_state_changes),
        cmocka_unit_test(account_locks_after_repeated_failures),
        cmocka_unit_test(generated_password_must_be_changed),
        cmocka_unit_test(error_400_malformed_json),
        cmocka_unit_test(error_400_nesting_and_non_objects),
        cmocka_unit_test(error_422_types_and_required),
        cmocka_unit_test(error_422_query_parameters),
        cmocka_unit_test(error_404_unknown_routes_and_records),
        cmocka_unit_test(error_405_with_allow),
        cmocka_unit_test(error_413_body_too_large),
        cmocka_unit_test(error_415_wrong_content_type),
        cmocka_unit_test(error_412_stale_if_match),
        cmocka_unit_test(error_409_referenced_org),
        cmocka_unit_test(error_403_role_without_capability),
        cmocka_unit_test(orgs_crud),
        cmocka_unit_test(orgs_list_filters_and_pages),
        cmocka_unit_test(orgs_validation),
        cmocka_unit_test(orgs_directly_under_the_district),
        cmocka_unit_test(orgs_move_carries_the_subtree),
        cmocka_unit_test(orgs_search_q),
        cmocka_unit_test(import_dry_run_reports_bad_rows),
        cmocka_unit_test(import_creates_rows),
        cmocka_unit_test(scope_town_sees_its_town_only),
        cmocka_unit_test(scope_town_updates_its_own_town),
        cmocka_unit_test(scope_community_and_enterprise),
        cmocka_unit_test(scope_committee_sees_its_area),
        cmocka_unit_test(scope_committee_orgs_are_its_members),
        cmocka_unit_test(scope_separation_of_duties),
        cmocka_unit_test(pii_phone_only_for_leader_and_audited),
        cmocka_unit_test(areas_crud),
        cmocka_unit_test(area_members_by_admin),
        cmocka_unit_test(area_members_by_committee),
        cmocka_unit_test(agreements_crud),
        cmocka_unit_test(agreements_by_committee),
        cmocka_unit_test(liaisons_crud),
        cmocka_unit_test(users_role_change_by_secadmin),
        cmocka_unit_test(users_admin_cannot_create_privileged),
        cmocka_unit_test(users_validation),
        cmocka_unit_test(users_lock_unlock_and_disable),
        cmocka_unit_test(users_reset_password),
        cmocka_unit_test(password_change_ends_other_sessions),
        cmocka_unit_test(idempotency_key_replays_the_answer),
        cmocka_unit_test(concurrent_creates_all_succeed),
        cmocka_unit_test(idempotency_key_under_concurrent_retries),
        cmocka_unit_test(sigterm_finishes_in_flight_request),
    };
    const struct CMUnitTest options[] = {
        cmocka_unit_test(secure_cookies_option),
        cmocka_unit_test(max_body_option),
        cmocka_unit_test(address_locks_across_user_names),
        cmocka_unit_test(address_lock_does_not_lock_accounts),
        cmocka_unit_test(sigterm_exits_zero),
    };
    const struct CMUnitTest idle[] = {
        cmocka_unit_test(idle_session_expires),
        cmocka_unit_test(idle_timeout_counts_from_last_request),
        cmocka_unit_test(sigterm_exits_zero),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("api", api, start_main, stop_group);
    failed += cmocka_run_group_tests_name("options", options, start_options, stop_group);
    failed += cmocka_run_group_tests_name("idle", idle, start_idle, stop_group);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
