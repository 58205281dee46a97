/*
 * test_hostile.c — hostile input against the real binary (issue #3 item 5).
 *
 * Group "hostile" (one server, default limits):
 *  - every JSON write route of `sanqu routes` has a write spec below (a route without one fails
 *    `write_routes_have_specs`); for each spec and each of its free-text fields, payloads (SQL
 *    metacharacters and injections, format strings, script and HTML, template syntax, emoji and
 *    astral-plane CJK, RTL and zero-width marks, non-characters, FTS syntax, strings at and over
 *    the length limit, line breaks and control characters) are stored and read back byte for byte
 *    — or refused with 422 naming the field when a rule forbids them (control characters; line
 *    breaks in one-line fields; lengths over the limit). Validated fields (dates, enums, codes,
 *    mobile numbers, user names) refuse every payload naming the field. Passwords that meet the
 *    policy work byte for byte at the next sign-in; a hostile sign-in name is recorded as given in
 *    the audit log;
 *  - wrong JSON types and out-of-range integers on every field → 422 naming it; invalid UTF-8 and
 *    overlong encodings, NUL and lone surrogates → 400 (or 422); nesting 33 deep → 400 on every
 *    JSON route; out-of-range numbers in query strings → 422;
 *  - CRLF in stored values, in paths and in queries never becomes a response header;
 *  - static paths with "..", encoded dots and slashes, backslashes, NUL, double encoding,
 *    symlinks and hidden files never serve a file outside the web root (a secret file beside it);
 *  - oversized headers, URLs, cookies and bodies are refused (431/414/413 or a closed connection),
 *    10,000 query parameters get a bounded answer, a declared 10 GiB body is refused without being
 *    read to the end, anonymous uploads are not buffered, and the server stays healthy;
 *  - attachment names are stored byte for byte or refused on `name` (paths, control characters,
 *    invalid UTF-8), downloads carry an encoded Content-Disposition, their type and nosniff, and
 *    the declared type must match the bytes.
 * Group "slow" (--timeout 2 --header-timeout 3 --threads 2): clients that send one byte a second
 * (headers or body), or nothing, are dropped within a bounded time; 50 clients trickling their
 * headers (a fresh connection, after the request line, or after an answer on a kept-alive one) are
 * each dropped at the header deadline, and meanwhile — more of them than there are threads — other
 * requests are still answered promptly; query-argument floods are answered at once.
 *
 * Usage: test_hostile SANQU_BINARY SOURCE_DIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static Server *S; /* the running group's server */

/* ==== failures are collected, so that one run names every wrong case =========================== */

static int g_failures;

__attribute__((format(printf, 1, 2))) static void case_fail(const char *fmt, ...) {
    char msg[3000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error("  %s\n", msg);
    g_failures++;
}

static void cases_done(const char *what) {
    if (g_failures) {
        int n = g_failures;
        g_failures = 0;
        fail_msg("%s: %d case(s) failed (listed above)", what, n);
    }
}

/* s made printable for messages: control and non-ASCII bytes as \xNN (in a ring buffer). */
static const char *shown(const char *s) {
    char out[400];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < sizeof out; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\') o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02X", *p);
        else out[o++] = (char)*p;
    }
    if (strlen(s) > 120 && o > 120) o = 120, memcpy(out + o, "…", 3), o += 3;
    out[o] = 0;
    return h_fmt("%s", out);
}

/* The body of r, shortened for messages (cut at a character boundary). */
static const char *brief(const Resp *r) {
    const char *b = r->body ? r->body : "";
    size_t n = strlen(b) > 300 ? 300 : strlen(b);
    while (n > 0 && n < strlen(b) && ((unsigned char)b[n] & 0xC0) == 0x80) n--;
    return h_fmt("%.*s", (int)n, b);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* True when errors[] of r names field (with rule, unless rule is NULL). */
static bool names_field(const Resp *r, const char *field, const char *rule) {
    size_t i;
    json_t *e;
    json_array_foreach(h_jpath(r->json, "errors"), i, e) {
        const char *f = h_jstr(e, "field"), *ru = h_jstr(e, "rule");
        if (f && strcmp(f, field) == 0 && (!rule || (ru && strcmp(ru, rule) == 0))) return true;
    }
    return false;
}

static bool problem_is(const Resp *r, const char *slug) {
    const char *t = h_jstr(r->json, "type");
    size_t tl = t ? strlen(t) : 0, sl = strlen(slug);
    return t && tl > sl && strcmp(t + tl - sl, slug) == 0;
}

/* ==== the route table =========================================================================== */

typedef struct Route {
    char method[16]; /* GET, POST, PUT, DELETE */
    char path[96];   /* pattern */
    char flags[16];  /* W write, J JSON body, C CSV body, P before a password change */
} Route;

static Route routes[128];
static int nroutes;

/* Reads `sanqu routes` (the plain table, which has the flags column). */
static bool load_routes(void) {
    const char *const args[] = {"routes", NULL};
    char *out = NULL;
    int rc = h_cli(S, args, &out);
    if (rc != 0 || !out) {
        free(out);
        return false;
    }
    nroutes = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char m[16], p[96], cap[32], fl[16];
        if (strncmp(line, "METHOD", 6) == 0) continue;
        /* "signed in" is two words: read the capability as what lies between path and flags. */
        if (sscanf(line, "%15s %95s", m, p) != 2 || p[0] != '/') continue;
        const char *rest = strstr(line, p) + strlen(p);
        while (*rest == ' ') rest++;
        if (strncmp(rest, "signed in", 9) == 0) rest += 9;
        else if (sscanf(rest, "%31s", cap) == 1) rest += strlen(cap);
        if (sscanf(rest, "%15s", fl) != 1) continue;
        Route *r = &routes[nroutes++];
        snprintf(r->method, sizeof r->method, "%s", m);
        snprintf(r->path, sizeof r->path, "%s", p);
        snprintf(r->flags, sizeof r->flags, "%s", strcmp(fl, "-") == 0 ? "" : fl);
        if (nroutes == 128) break;
    }
    free(out);
    return nroutes >= 10;
}

/* ==== fixtures ================================================================================== */

static struct Fx {
    long long district, town, leader, area, village1, village2, town_user, department; /* demo records */
    long long park, park2, put_area, agreement, liaison, user, pw_user;                  /* made here */
    long long a05, dossier, meeting; /* area A05; a dossier (leader's, for actions and comments); an open meeting */
    long long center, activity;      /* a neighbourhood centre and an activity (made here) */
    long long resource;              /* a resource of the catalogue (admin's) */
    char pw_user_password[300]; /* the current password of the account "hostile_pw" */
} fx;

static long long first_id(Client *c, const char *path) {
    Resp *r = h_get(c, "%s", path);
    long long id = h_jint(r->json, "items[0].id");
    if (r->status != 200 || id <= 0) print_error("fixture %s: %ld %s\n", path, r->status, r->body);
    return id;
}

static long long created(Resp *r, const char *what) {
    long long id = h_jint(r->json, "id");
    if (r->status != 201 || id <= 0) print_error("fixture %s: %ld %s\n", what, r->status, r->body);
    return id;
}

static bool make_fixtures(void) {
    Client *a = h_client_as(S, "admin");
    fx.district = first_id(a, "/api/v1/orgs?kind=district");
    fx.town = first_id(a, "/api/v1/orgs?kind=town&q=%E6%B4%9B%E9%98%B3%E9%95%87"); /* 洛阳镇 */
    fx.area = first_id(a, "/api/v1/areas?q=A01");
    fx.department = first_id(a, "/api/v1/orgs?kind=department");
    Resp *r = h_get(a, "/api/v1/orgs?kind=community&parent_id=%lld&page_size=2", fx.town);
    fx.village1 = h_jint(r->json, "items[0].id");
    fx.village2 = h_jint(r->json, "items[1].id");
    fx.leader = first_id(a, "/api/v1/users?role=leader&q=leader");
    fx.town_user = first_id(a, "/api/v1/users?role=town&q=town");
    fx.park = created(h_send(a, "POST", "/api/v1/orgs",
                             json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "恶意输入园", "parent_id", (json_int_t)fx.town)),
                      "park");
    fx.park2 = created(h_send(a, "POST", "/api/v1/orgs",
                              json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "恶意输入园二", "parent_id", (json_int_t)fx.town)),
                       "park2");
    fx.put_area = created(h_send(a, "POST", "/api/v1/areas",
                                 json_pack("{s:s, s:s, s:s, s:I}", "name", "恶意输入片区", "code", "HX00", "committee_name",
                                           "恶意输入委员会", "convener_id", (json_int_t)fx.leader)),
                          "area");
    fx.agreement = created(h_send(a, "POST", "/api/v1/agreements",
                                  json_pack("{s:s, s:I, s:s, s:s, s:s, s:[{s:I, s:s}, {s:I, s:s}]}", "title", "恶意输入协议",
                                            "area_id", (json_int_t)fx.area, "signed_on", "2025-01-01", "term_start",
                                            "2025-01-01", "term_end", "2027-01-01", "parties", "org_id",
                                            (json_int_t)fx.village1, "responsibilities", "甲", "org_id",
                                            (json_int_t)fx.village2, "responsibilities", "乙")),
                           "agreement");
    fx.liaison = created(h_send(a, "POST", "/api/v1/liaisons",
                                json_pack("{s:s, s:I, s:I, s:s}", "kind", "cadre_village", "user_id", (json_int_t)fx.town_user,
                                          "target_org_id", (json_int_t)fx.village1, "start_on", "2025-01-01")),
                         "liaison");
    fx.user = created(h_send(a, "POST", "/api/v1/users",
                             json_pack("{s:s, s:s, s:s, s:I, s:s}", "username", "hostile_user", "display_name", "恶意输入账号",
                                       "role", "community", "org_id", (json_int_t)fx.village1, "password", H_PASSWORD)),
                      "user");
    fx.pw_user = created(h_send(a, "POST", "/api/v1/users",
                                json_pack("{s:s, s:s, s:s, s:I, s:s}", "username", "hostile_pw", "display_name", "改密账号",
                                          "role", "community", "org_id", (json_int_t)fx.village1, "password", H_PASSWORD)),
                         "pw user");
    snprintf(fx.pw_user_password, sizeof fx.pw_user_password, "%s", H_PASSWORD);
    fx.a05 = first_id(a, "/api/v1/areas?q=A05");
    Client *l = h_client_as(S, "leader");
    fx.dossier = created(h_send(l, "POST", "/api/v1/dossiers",
                                json_pack("{s:s, s:s, s:I}", "type", "agreed_item", "title", "恶意输入事项", "area_id", (json_int_t)fx.a05)),
                         "dossier");
    fx.meeting = created(h_send(l, "POST", "/api/v1/meetings",
                                json_pack("{s:I, s:s, s:s}", "area_id", (json_int_t)fx.a05, "title", "恶意输入会议", "held_on", "2026-01-05")),
                         "meeting");
    fx.resource = created(h_send(a, "POST", "/api/v1/resources",
                                 json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:b}", "provider_org_id", (json_int_t)fx.department,
                                           "category", "elderly", "title", "恶意输入资源", "capacity", 10, "unit", "人次",
                                           "valid_from", "2025-01-01", "all_areas", 1)),
                          "resource");
    h_client_free(l);
    fx.center = created(h_send(a, "POST", "/api/v1/centers",
                               json_pack("{s:s, s:I, s:[s]}", "name", "恶意输入中心", "area_id", (json_int_t)fx.area, "functions", "gov")),
                        "center");
    fx.activity = created(h_send(a, "POST", "/api/v1/activities",
                                 json_pack("{s:s, s:s, s:[I], s:s, s:s, s:s}", "kind", "free_clinic", "title", "恶意输入活动",
                                           "organiser_ids", (json_int_t)fx.village1, "place", "广场", "starts_at",
                                           "2026-01-05T09:00", "ends_at", "2026-01-05T10:00")),
                          "activity");
    h_client_free(a);
    return fx.center > 0 && fx.activity > 0 && fx.resource > 0 && fx.district > 0 && fx.town > 0 && fx.area > 0 && fx.village1 > 0 && fx.village2 > 0 && fx.leader > 0 &&
           fx.town_user > 0 && fx.park > 0 && fx.park2 > 0 && fx.put_area > 0 && fx.agreement > 0 && fx.liaison > 0 &&
           fx.user > 0 && fx.pw_user > 0 && fx.department > 0 && fx.dossier > 0 && fx.meeting > 0;
}

/* ==== payloads ================================================================================== */

/* Hostile strings (valid UTF-8, no NUL). Each is tried in every free-text field. */
static const char *const payloads[] = {
    "'; DROP TABLE orgs; --",
    "\" OR 1=1 --",
    "') OR ('1'='1",
    "Robert'); DELETE FROM users WHERE ('a'='a",
    "1; SELECT * FROM sessions; ATTACH DATABASE '/tmp/x' AS x",
    "%s%n%x%p%d%%",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>'",
    "{{7*7}}${7*7}<%= 7*7 %>#{7*7}",
    "back\\slash \\\\ \\\" \\u0041 \\n",
    "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 \xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88 \xF0\x9F\x98\x80",
    "\xF0\xA0\x80\x80\xF0\xAA\x9A\xA5\xF0\xB0\xBB\x9E 𠀀 astral",
    "\xE2\x80\xAE" "evil" "\xE2\x80\xAC \xE2\x80\x8F\xE2\x80\x8E \xE2\x80\x8B\xEF\xBB\xBF rtl",
    "\xEF\xBF\xBF\xF4\x8F\xBF\xBF\xEF\xB7\x90 non-characters",
    "\xC3\xBF\xC3\xBE\xE2\x82\xAC latin",
    "NEAR(a b) OR \"x\" * AND NOT ^col: -y",
    "%_%_ like _ wildcards %",
    "   spaces around   ",
    "tab\there",
    "line1\nline2\r\nSet-Cookie: x=1",
    "\x01\x02\x1b[31m\x7f binary",
    "@LONG",  /* the field's limit in astral characters */
    "@LONG+1" /* one over it */
};
enum { NPAYLOADS = sizeof payloads / sizeof payloads[0] };

typedef enum FClass {
    F_LINE,   /* one-line free text: control characters, tab and line breaks are refused */
    F_TEXT,   /* multi-line free text: \t \n \r allowed, other control characters refused */
} FClass;

typedef struct SField {
    const char *name; /* member ("parties[0].responsibilities" for the first party's) */
    FClass cls;       /* one-line or multi-line */
    int max;          /* length limit in characters */
    bool unique;      /* the value must differ per request (prefixed with a counter) */
    const char *back; /* where the record read back holds it (NULL: the same path as name) */
} SField;

/* The value sent for payload p in field f; unique fields get a counter prefix. The caller frees. */
static char *value_for(const char *p, const SField *f, int n) {
    char prefix[16] = "";
    if (f->unique) snprintf(prefix, sizeof prefix, "%d", n);
    if (strncmp(p, "@LONG", 5) == 0) {
        int chars = f->max + (strcmp(p, "@LONG+1") == 0 ? 1 : 0);
        int pl = (int)strlen(prefix);
        char *s = malloc((size_t)chars * 4 + 1);
        assert_non_null(s);
        memcpy(s, prefix, (size_t)pl);
        size_t o = (size_t)pl;
        for (int i = pl; i < chars; i++, o += 4) memcpy(s + o, "\xF0\xA0\x80\x80", 4); /* 𠀀 */
        s[o] = 0;
        return s;
    }
    size_t n1 = strlen(prefix), n2 = strlen(p);
    char *s = malloc(n1 + n2 + 1);
    assert_non_null(s);
    memcpy(s, prefix, n1);
    memcpy(s + n1, p, n2 + 1);
    return s;
}

static size_t chars_of(const char *s) {
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n;
}

/* The rule that must refuse value in field f, or NULL when it must be stored. */
static const char *refusal(const char *v, const SField *f) {
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == 0x7f || (*p < 0x20 && !(f->cls == F_TEXT && (*p == '\n' || *p == '\r' || *p == '\t')))) return "format";
    }
    if ((int)chars_of(v) > f->max) return "max_length";
    return NULL;
}

/* ==== write specs =============================================================================== */

typedef enum Mode {
    M_RECORD,   /* the answer and GET of the record hold the fields */
    M_ACTION,   /* a dossier action ("return" with a reason): read back from the dossier and its events */
    M_COMMENT,  /* a dossier comment: read back from the events */
    M_MEMBER,   /* POST /areas/{id}/members: read back from the members list, then removed */
    M_LOGIN,    /* POST /session: never stored but in the audit log (user name) */
    M_PASSWORD, /* POST /me/password: the new password works at the next sign-in */
    M_NONE,     /* no free-text field (only validated ones) */
} Mode;

typedef struct Spec {
    const char *method, *path; /* the route, as in the table */
    const char *as;            /* account that writes */
    Mode mode;
    SField fields[6];          /* free-text fields */
    const char *checked[6];    /* validated string fields: every payload is refused naming them */
    const char *ids[6];        /* integer id fields */
    const char *errprefix;     /* field errors are named prefix + field ("item." for meeting items) */
} Spec;

static const Spec specs[] = {
    {"POST", "/api/v1/orgs", "admin", M_RECORD,
     {{"name", F_LINE, 100, false, NULL}, {"short_name", F_LINE, 50, false, NULL}, {"address", F_LINE, 200, false, NULL},
      {"contact_name", F_LINE, 50, false, NULL}, {"note", F_TEXT, 1000, false, NULL}},
     {"kind", "credit_code", "contact_phone"}, {"parent_id"}, NULL},
    {"PUT", "/api/v1/orgs/{id}", "admin", M_RECORD,
     {{"name", F_LINE, 100, false, NULL}, {"short_name", F_LINE, 50, false, NULL}, {"address", F_LINE, 200, false, NULL},
      {"contact_name", F_LINE, 50, false, NULL}, {"note", F_TEXT, 1000, false, NULL}},
     {"kind", "credit_code", "contact_phone"}, {"parent_id"}, NULL},
    {"POST", "/api/v1/areas", "admin", M_RECORD,
     {{"name", F_LINE, 50, true, NULL}, {"code", F_LINE, 20, true, NULL}, {"committee_name", F_LINE, 100, false, NULL},
      {"description", F_TEXT, 2000, false, NULL}},
     {NULL}, {"convener_id", "secretary_id"}, NULL},
    {"PUT", "/api/v1/areas/{id}", "admin", M_RECORD,
     {{"name", F_LINE, 50, true, NULL}, {"code", F_LINE, 20, true, NULL}, {"committee_name", F_LINE, 100, false, NULL},
      {"description", F_TEXT, 2000, false, NULL}},
     {NULL}, {"convener_id", "secretary_id"}, NULL},
    {"POST", "/api/v1/areas/{id}/members", "admin", M_MEMBER, {{"duty", F_TEXT, 500, false, NULL}}, {"joined_on"}, {"org_id"}, NULL},
    {"POST", "/api/v1/agreements", "admin", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"content", F_TEXT, 10000, false, NULL}, {"parties[0].responsibilities", F_TEXT, 2000, false, NULL}},
     {"signed_on", "term_start", "term_end"}, {"area_id", "parties[0].org_id"}, NULL},
    {"PUT", "/api/v1/agreements/{id}", "admin", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"content", F_TEXT, 10000, false, NULL}, {"parties[0].responsibilities", F_TEXT, 2000, false, NULL}},
     {"signed_on", "term_start", "term_end"}, {"area_id", "parties[0].org_id"}, NULL},
    {"POST", "/api/v1/liaisons", "admin", M_RECORD, {{"note", F_TEXT, 1000, false, NULL}}, {"kind", "start_on", "end_on"},
     {"user_id", "target_org_id"}, NULL},
    {"PUT", "/api/v1/liaisons/{id}", "admin", M_RECORD, {{"note", F_TEXT, 1000, false, NULL}}, {"kind", "start_on", "end_on"},
     {"user_id", "target_org_id"}, NULL},
    {"POST", "/api/v1/users", "admin", M_RECORD, {{"display_name", F_LINE, 50, false, NULL}}, {"username", "role", "phone"},
     {"org_id", "area_id"}, NULL},
    {"PUT", "/api/v1/users/{id}", "admin", M_RECORD, {{"display_name", F_LINE, 50, false, NULL}}, {"phone"}, {"org_id", "area_id"}, NULL},
    {"PUT", "/api/v1/users/{id}/role", "secadmin", M_NONE, {{NULL, F_LINE, 0, false, NULL}}, {"role"}, {"area_id"}, NULL},
    {"POST", "/api/v1/session", NULL, M_LOGIN, {{"username", F_LINE, 64, false, NULL}}, {NULL}, {NULL}, NULL},
    {"POST", "/api/v1/me/password", "hostile_pw", M_PASSWORD, {{"old_password", F_LINE, 256, false, NULL}}, {NULL}, {NULL}, NULL},
    {"POST", "/api/v1/dossiers", "leader", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"body", F_TEXT, 10000, false, "fields.body"}}, {"type", "priority"},
     {"area_id", "org_id", "handler_org_id", "meeting_id"}, NULL},
    {"POST", "/api/v1/dossiers/{id}/actions/{action}", "leader", M_ACTION, {{"reason", F_TEXT, 2000, false, "fields.reason"}},
     {NULL}, {NULL}, NULL},
    {"POST", "/api/v1/dossiers/{id}/comments", "leader", M_COMMENT, {{"body", F_TEXT, 5000, false, NULL}}, {NULL}, {NULL}, NULL},
    {"POST", "/api/v1/meetings", "leader", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"place", F_LINE, 200, false, NULL}, {"attendees", F_TEXT, 2000, false, NULL},
      {"agenda", F_TEXT, 10000, false, NULL}, {"minutes", F_TEXT, 50000, false, NULL}},
     {"held_on"}, {"area_id"}, NULL},
    {"PUT", "/api/v1/meetings/{id}", "leader", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"place", F_LINE, 200, false, NULL}, {"attendees", F_TEXT, 2000, false, NULL},
      {"agenda", F_TEXT, 10000, false, NULL}, {"minutes", F_TEXT, 50000, false, NULL}},
     {"held_on"}, {NULL}, NULL},
    {"POST", "/api/v1/meetings/{id}/items", "leader", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"body", F_TEXT, 10000, false, "fields.body"}}, {"priority"},
     {"handler_org_id", "org_id"}, "item."},
    {"POST", "/api/v1/meetings/{id}/carry", "leader", M_NONE, {{NULL, F_LINE, 0, false, NULL}}, {NULL}, {"dossier_id"}, NULL},
    {"POST", "/api/v1/resources", "admin", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"description", F_TEXT, 5000, false, NULL}, {"unit", F_LINE, 20, false, NULL},
      {"contact_name", F_LINE, 50, false, NULL}},
     {"category", "valid_from", "valid_to", "contact_phone"}, {"provider_org_id"}, NULL},
    {"PUT", "/api/v1/resources/{id}", "admin", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"description", F_TEXT, 5000, false, NULL}, {"unit", F_LINE, 20, false, NULL},
      {"contact_name", F_LINE, 50, false, NULL}},
     {"category", "valid_from", "valid_to", "contact_phone"}, {"provider_org_id"}, NULL},
    {"POST", "/api/v1/categories", "admin", M_NONE, {{NULL, F_LINE, 0, false, NULL}}, {"domain", "code"}, {NULL}, NULL},
    {"PUT", "/api/v1/categories/{code}", "admin", M_NONE, {{NULL, F_LINE, 0, false, NULL}}, {"domain"}, {NULL}, NULL},
    {"POST", "/api/v1/centers", "admin", M_RECORD,
     {{"name", F_LINE, 100, false, NULL}, {"address", F_LINE, 200, false, NULL}, {"hours", F_LINE, 200, false, NULL},
      {"contact_name", F_LINE, 50, false, NULL}, {"description", F_TEXT, 2000, false, NULL}},
     {"contact_phone"}, {"area_id", "org_id", "town_id"}, NULL},
    {"PUT", "/api/v1/centers/{id}", "admin", M_RECORD,
     {{"name", F_LINE, 100, false, NULL}, {"address", F_LINE, 200, false, NULL}, {"hours", F_LINE, 200, false, NULL},
      {"contact_name", F_LINE, 50, false, NULL}, {"description", F_TEXT, 2000, false, NULL}},
     {"contact_phone"}, {"area_id", "org_id", "town_id"}, NULL},
    /* The answer is the centre, so the entry's own text is not read back from it here. */
    {"POST", "/api/v1/centers/{id}/services", "admin", M_NONE, {{NULL, F_LINE, 0, false, NULL}}, {"function"},
     {"provider_org_id"}, NULL},
    {"POST", "/api/v1/activities", "admin", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"place", F_LINE, 200, false, NULL}, {"description", F_TEXT, 5000, false, NULL}},
     {"kind", "starts_at", "ends_at"}, {"center_id", "area_id"}, NULL},
    {"PUT", "/api/v1/activities/{id}", "admin", M_RECORD,
     {{"title", F_LINE, 200, false, NULL}, {"place", F_LINE, 200, false, NULL}, {"description", F_TEXT, 5000, false, NULL}},
     {"kind", "starts_at", "ends_at"}, {"center_id", "area_id"}, NULL},
};
enum { NSPECS = sizeof specs / sizeof specs[0] };

static const Spec *spec_of(const char *method, const char *path) {
    for (int i = 0; i < NSPECS; i++)
        if (strcmp(specs[i].method, method) == 0 && strcmp(specs[i].path, path) == 0) return &specs[i];
    return NULL;
}

static int counter;     /* unique values */
static int round_trips; /* values stored and read back identical */

/* A valid body for spec (unique values made unique by counter). The caller owns it. */
static json_t *base_body(const Spec *sp) {
    int n = ++counter;
    const char *p = sp->path;
    if (strcmp(p, "/api/v1/orgs") == 0 || strcmp(p, "/api/v1/orgs/{id}") == 0)
        return json_pack("{s:s, s:s, s:I}", "kind", "park", "name", h_fmt("恶意输入园%d", n), "parent_id", (json_int_t)fx.town);
    if (strcmp(p, "/api/v1/areas") == 0 || strcmp(p, "/api/v1/areas/{id}") == 0)
        return json_pack("{s:s, s:s, s:s, s:I}", "name", h_fmt("恶意片区%d", n), "code", h_fmt("HX%d", n), "committee_name",
                         "恶意委员会", "convener_id", (json_int_t)fx.leader);
    if (strcmp(p, "/api/v1/areas/{id}/members") == 0) return json_pack("{s:I}", "org_id", (json_int_t)fx.park2);
    if (strncmp(p, "/api/v1/agreements", 18) == 0)
        return json_pack("{s:s, s:I, s:s, s:s, s:s, s:[{s:I, s:s}, {s:I, s:s}]}", "title", h_fmt("恶意协议%d", n), "area_id",
                         (json_int_t)fx.area, "signed_on", "2025-01-01", "term_start", "2025-01-01", "term_end", "2027-01-01",
                         "parties", "org_id", (json_int_t)fx.village1, "responsibilities", "甲", "org_id",
                         (json_int_t)fx.village2, "responsibilities", "乙");
    if (strncmp(p, "/api/v1/liaisons", 16) == 0)
        return json_pack("{s:s, s:I, s:I, s:s}", "kind", "cadre_village", "user_id", (json_int_t)fx.town_user,
                         "target_org_id", (json_int_t)fx.village1, "start_on", "2025-01-01");
    if (strcmp(p, "/api/v1/users") == 0)
        return json_pack("{s:s, s:s, s:s, s:I, s:s}", "username", h_fmt("hostile%d", n), "display_name", "恶意账号", "role",
                         "community", "org_id", (json_int_t)fx.village1, "password", H_PASSWORD);
    if (strcmp(p, "/api/v1/users/{id}") == 0)
        return json_pack("{s:s, s:I}", "display_name", "恶意账号", "org_id", (json_int_t)fx.village1);
    if (strcmp(p, "/api/v1/users/{id}/role") == 0) return json_pack("{s:s}", "role", "community");
    if (strcmp(p, "/api/v1/session") == 0) return json_pack("{s:s, s:s}", "username", "nobody-hostile", "password", "x");
    if (strcmp(p, "/api/v1/dossiers") == 0)
        return json_pack("{s:s, s:s, s:I}", "type", "agreed_item", "title", h_fmt("恶意事项%d", n), "area_id", (json_int_t)fx.a05);
    if (strcmp(p, "/api/v1/dossiers/{id}/actions/{action}") == 0) return json_pack("{s:s}", "reason", "退回理由");
    if (strcmp(p, "/api/v1/dossiers/{id}/comments") == 0) return json_pack("{s:s}", "body", "意见");
    if (strcmp(p, "/api/v1/meetings") == 0 || strcmp(p, "/api/v1/meetings/{id}") == 0)
        return json_pack("{s:I, s:s, s:s}", "area_id", (json_int_t)fx.a05, "title", h_fmt("恶意会议%d", n), "held_on", "2026-01-05");
    if (strcmp(p, "/api/v1/meetings/{id}/items") == 0) return json_pack("{s:s}", "title", h_fmt("恶意会议事项%d", n));
    if (strcmp(p, "/api/v1/meetings/{id}/carry") == 0) return json_pack("{s:I}", "dossier_id", (json_int_t)fx.dossier);
    if (strcmp(p, "/api/v1/resources") == 0 || strcmp(p, "/api/v1/resources/{id}") == 0)
        return json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:b}", "provider_org_id", (json_int_t)fx.department, "category", "elderly",
                         "title", h_fmt("恶意资源%d", n), "capacity", 10, "unit", "人次", "valid_from", "2025-01-01", "all_areas", 1);
    if (strcmp(p, "/api/v1/categories") == 0)
        return json_pack("{s:s, s:s, s:s, s:s}", "domain", "activity", "code", h_fmt("hostile%d", n), "label_zh", "恶意类别", "label_en", "Hostile");
    if (strcmp(p, "/api/v1/categories/{code}") == 0)
        return json_pack("{s:s, s:s, s:s, s:b}", "domain", "activity", "label_zh", "义诊", "label_en", "Free clinic", "active", 1);
    if (strcmp(p, "/api/v1/me/password") == 0)
        return json_pack("{s:s, s:s}", "old_password", fx.pw_user_password, "new_password", H_PASSWORD);
    if (strcmp(p, "/api/v1/centers") == 0 || strcmp(p, "/api/v1/centers/{id}") == 0)
        return json_pack("{s:s, s:I, s:[s]}", "name", h_fmt("恶意中心%d", n), "area_id", (json_int_t)fx.area, "functions", "gov");
    if (strcmp(p, "/api/v1/centers/{id}/services") == 0) return json_pack("{s:s, s:s}", "name", h_fmt("恶意服务%d", n), "function", "gov");
    if (strcmp(p, "/api/v1/activities") == 0 || strcmp(p, "/api/v1/activities/{id}") == 0)
        return json_pack("{s:s, s:s, s:[I], s:s, s:s, s:s}", "kind", "free_clinic", "title", h_fmt("恶意活动%d", n), "organiser_ids",
                         (json_int_t)fx.village1, "place", "广场", "starts_at", "2026-01-05T09:00", "ends_at", "2026-01-05T10:00");
    return NULL;
}

/* The concrete path of spec. */
static const char *target(const Spec *sp) {
    const char *p = sp->path;
    if (strcmp(p, "/api/v1/orgs/{id}") == 0) return h_fmt("/api/v1/orgs/%lld", fx.park);
    if (strcmp(p, "/api/v1/areas/{id}") == 0) return h_fmt("/api/v1/areas/%lld", fx.put_area);
    if (strcmp(p, "/api/v1/areas/{id}/members") == 0) return h_fmt("/api/v1/areas/%lld/members", fx.put_area);
    if (strcmp(p, "/api/v1/agreements/{id}") == 0) return h_fmt("/api/v1/agreements/%lld", fx.agreement);
    if (strcmp(p, "/api/v1/liaisons/{id}") == 0) return h_fmt("/api/v1/liaisons/%lld", fx.liaison);
    if (strcmp(p, "/api/v1/users/{id}") == 0) return h_fmt("/api/v1/users/%lld", fx.user);
    if (strcmp(p, "/api/v1/users/{id}/role") == 0) return h_fmt("/api/v1/users/%lld/role", fx.user);
    if (strcmp(p, "/api/v1/dossiers/{id}/actions/{action}") == 0) return h_fmt("/api/v1/dossiers/%lld/actions/return", fx.dossier);
    if (strcmp(p, "/api/v1/dossiers/{id}/comments") == 0) return h_fmt("/api/v1/dossiers/%lld/comments", fx.dossier);
    if (strcmp(p, "/api/v1/meetings/{id}") == 0) return h_fmt("/api/v1/meetings/%lld", fx.meeting);
    if (strcmp(p, "/api/v1/meetings/{id}/items") == 0) return h_fmt("/api/v1/meetings/%lld/items", fx.meeting);
    if (strcmp(p, "/api/v1/meetings/{id}/carry") == 0) return h_fmt("/api/v1/meetings/%lld/carry", fx.meeting);
    if (strcmp(p, "/api/v1/resources/{id}") == 0) return h_fmt("/api/v1/resources/%lld", fx.resource);
    if (strcmp(p, "/api/v1/categories/{code}") == 0) return "/api/v1/categories/free_clinic";
    if (strcmp(p, "/api/v1/centers/{id}") == 0) return h_fmt("/api/v1/centers/%lld", fx.center);
    if (strcmp(p, "/api/v1/centers/{id}/services") == 0) return h_fmt("/api/v1/centers/%lld/services", fx.center);
    if (strcmp(p, "/api/v1/activities/{id}") == 0) return h_fmt("/api/v1/activities/%lld", fx.activity);
    return p;
}

/* Sets member path ("a", "parties[0].x") of body to v (a reference is stolen). */
static void set_member(json_t *body, const char *path, json_t *v) {
    const char *dot = strrchr(path, '.');
    json_t *obj = body;
    if (dot) {
        char head[64];
        snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
        obj = h_jpath(body, head);
        path = dot + 1;
    }
    if (json_is_object(obj)) json_object_set_new(obj, path, v);
    else json_decref(v);
}

/* Clients per account, signed in on first use and kept for the group (cleared by stop_group). */
static struct {
    char user[32]; /* account */
    Client *c;     /* its signed-in client */
} cache[8];

static Client *as(const char *user) {
    for (int i = 0; i < 8; i++)
        if (cache[i].c && strcmp(cache[i].user, user) == 0) return cache[i].c;
    for (int i = 0; i < 8; i++)
        if (!cache[i].c) {
            snprintf(cache[i].user, sizeof cache[i].user, "%s", user);
            cache[i].c = h_client(S);
            Resp *r = h_login(cache[i].c, user, strcmp(user, "hostile_pw") == 0 ? fx.pw_user_password : H_PASSWORD);
            if (r->status != 200) print_error("sign-in as %s: %ld %s\n", user, r->status, r->body);
            return cache[i].c;
        }
    fail_msg("too many accounts");
    return NULL;
}

/* The name under which the server reports a field of spec. */
static const char *errname(const Spec *sp, const char *field) {
    return h_fmt("%s%s", sp->errprefix ? sp->errprefix : "", field);
}

/* Before a "return": the dossier must be assigned (assign it again when it was returned). */
static void prepare(const Spec *sp) {
    if (sp->mode != M_ACTION) return;
    Client *l = as("leader");
    Resp *d = h_get(l, "/api/v1/dossiers/%lld", fx.dossier);
    const char *st = h_jstr(d->json, "state");
    if (st && strcmp(st, "assigned") != 0) {
        Resp *r = h_send(l, "POST", h_fmt("/api/v1/dossiers/%lld/actions/assign", fx.dossier),
                         json_pack("{s:I}", "handler_org_id", (json_int_t)fx.department));
        if (r->status != 200) print_error("assigning the test dossier: %ld %s\n", r->status, r->body);
    }
}

/* Sends body (stolen) for spec as its writer. */
static Resp *send_spec(const Spec *sp, json_t *body) {
    prepare(sp);
    Client *c = sp->as ? as(sp->as) : h_client(S);
    char path[128];
    snprintf(path, sizeof path, "%s", target(sp));
    return h_send(c, sp->method, path, body);
}

/* The record a successful write stored, read back by the admin (or NULL after reporting). */
static json_t *read_back(const Spec *sp, Resp *r) {
    Client *a = as(sp->as && strcmp(sp->as, "hostile_pw") != 0 ? sp->as : "admin"); /* the writer reads it back */
    if (sp->mode == M_COMMENT || sp->mode == M_ACTION) {
        /* The newest event of the dossier: its payload holds the comment (or the action's fields). */
        Resp *e = h_get(as("leader"), "/api/v1/dossiers/%lld/events", fx.dossier);
        size_t n = json_array_size(h_jpath(e->json, "items"));
        json_t *last = n ? json_array_get(h_jpath(e->json, "items"), n - 1) : NULL;
        if (!last) {
            case_fail("GET /api/v1/dossiers/%lld/events: no events (%ld)", fx.dossier, e->status);
            return NULL;
        }
        if (sp->mode == M_COMMENT) return h_client_own(as("leader"), json_pack("{s:O?}", "body", h_jpath(last, "payload.comment")));
        Resp *d = h_get(as("leader"), "/api/v1/dossiers/%lld", fx.dossier);
        json_t *both = h_client_own(as("leader"), json_deep_copy(d->json));
        json_object_set(both, "event", last);
        return both;
    }
    if (sp->mode == M_MEMBER) {
        Resp *m = h_get(a, "/api/v1/areas/%lld/members?page_size=200", fx.put_area);
        size_t i;
        json_t *it;
        json_array_foreach(h_jpath(m->json, "items"), i, it) if (h_jint(it, "org_id") == fx.park2) return it;
        case_fail("%s %s: the new member is not in the members list", sp->method, sp->path);
        return NULL;
    }
    const char *loc = h_header(r, "Location");
    char path[160];
    if (strcmp(sp->method, "POST") == 0) {
        if (!loc || strncmp(loc, "/api/v1/", 8) != 0) {
            case_fail("%s %s → %ld without a Location header", sp->method, sp->path, r->status);
            return NULL;
        }
        snprintf(path, sizeof path, "%s", loc);
    } else {
        snprintf(path, sizeof path, "%s", target(sp));
    }
    Resp *g = h_get(a, "%s", path);
    if (g->status != 200) {
        case_fail("GET %s after %s %s → %ld", path, sp->method, sp->path, g->status);
        return NULL;
    }
    return g->json;
}

/* Undoes what a successful write created, so that later writes do not collide. */
static void undo(const Spec *sp, Resp *r) {
    Client *a = as("admin");
    if (sp->mode == M_MEMBER) h_del(a, "/api/v1/areas/%lld/members/%lld", fx.put_area, fx.park2);
}

/* Compares the stored value with what was sent. */
static void expect_same(const Spec *sp, const char *where, json_t *rec, const char *field, const char *sent) {
    json_t *v = h_jpath(rec, field);
    const char *got = json_is_string(v) ? json_string_value(v) : NULL;
    if (got && strcmp(got, sent) == 0) round_trips++;
    if (!got || strcmp(got, sent) != 0)
        case_fail("%s %s: %s read back from %s differs: sent \"%s\" (%zu bytes), got \"%s\"", sp->method, sp->path, field,
                  where, shown(sent), strlen(sent), got ? shown(got) : "(not a string)");
}

/* One payload in the free-text fields of one spec (M_RECORD, M_MEMBER). */
static void try_record(const Spec *sp, const char *p) {
    /* The fields that must store it go in one request; each that must refuse it, in its own. */
    json_t *body = base_body(sp);
    char *vals[6] = {0};
    int nacc = 0;
    for (int f = 0; f < 6 && sp->fields[f].name; f++) {
        const SField *fd = &sp->fields[f];
        char *v = value_for(p, fd, ++counter);
        const char *rule = refusal(v, fd);
        if (rule) {
            json_t *b = base_body(sp);
            set_member(b, fd->name, json_string(v));
            Resp *r = send_spec(sp, b);
            const char *en = errname(sp, fd->name);
            if (r->status != 422 || !names_field(r, en, rule))
                case_fail("%s %s %s=\"%s\": expected 422 {field: %s, rule: %s}, got %ld %s", sp->method, sp->path, fd->name,
                          shown(v), en, rule, r->status, brief(r));
            if (r->status >= 200 && r->status < 300) undo(sp, r);
            free(v);
            continue;
        }
        set_member(body, fd->name, json_string(v));
        vals[f] = v;
        nacc++;
    }
    if (nacc > 0) {
        Resp *r = send_spec(sp, json_incref(body));
        if (r->status < 200 || r->status > 299) {
            case_fail("%s %s with \"%s\" in every free-text field: expected 2xx, got %ld %s", sp->method, sp->path, shown(p),
                      r->status, brief(r));
        } else {
            json_t *rec = read_back(sp, r);
            for (int f = 0; f < 6 && sp->fields[f].name; f++) {
                if (!vals[f]) continue;
                const char *back = sp->fields[f].back ? sp->fields[f].back : sp->fields[f].name;
                if (sp->mode == M_RECORD || sp->mode == M_ACTION) expect_same(sp, "the answer", r->json, back, vals[f]);
                if (rec) expect_same(sp, "GET", rec, back, vals[f]);
                if (rec && sp->mode == M_ACTION) expect_same(sp, "the event log", rec, h_fmt("event.payload.%s", back), vals[f]);
            }
            undo(sp, r);
        }
    }
    for (int f = 0; f < 6; f++) free(vals[f]);
    json_decref(body);
}

/* A sign-in with a hostile user name: refused (401, or 422 for forbidden characters), and the
 * audit log records the name exactly as given. */
static void try_login(const Spec *sp, const char *p) {
    const SField *fd = &sp->fields[0];
    char *v = value_for(p, fd, ++counter);
    const char *rule = refusal(v, fd);
    Client *c = h_client(S);
    Resp *r = h_send(c, "POST", "/api/v1/session", json_pack("{s:s, s:s}", "username", v, "password", "Wrong#pass1"));
    if (rule) {
        if (r->status != 422 || !names_field(r, "username", rule))
            case_fail("POST /api/v1/session username=\"%s\": expected 422 {username, %s}, got %ld %s", shown(v), rule,
                      r->status, brief(r));
    } else if (r->status != 401 || !problem_is(r, "bad-credentials")) {
        case_fail("POST /api/v1/session username=\"%s\": expected 401 bad-credentials, got %ld %s", shown(v), r->status, brief(r));
    } else {
        Client *aud = as("auditor");
        Resp *l = h_get(aud, "/api/v1/audit?action=login_failed&page_size=200&username=%s", h_esc(v));
        const char *got = h_jstr(l->json, "items[0].username");
        if (l->status != 200 || !got || strcmp(got, v) != 0)
            case_fail("the audit log does not hold the failed sign-in of \"%s\" as given: %ld %s", shown(v), l->status, brief(l));
    }
    h_client_free(c);
    free(v);
}

/* Password policy as documented: 8+ characters, three of lower, upper, digit, other. */
static bool policy_ok(const char *s) {
    if (chars_of(s) < 8 || strlen(s) > 128) return false;
    bool lo = false, up = false, di = false, ot = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 'a' && *p <= 'z') lo = true;
        else if (*p >= 'A' && *p <= 'Z') up = true;
        else if (*p >= '0' && *p <= '9') di = true;
        else if ((*p & 0xC0) != 0x80) ot = true;
    }
    return lo + up + di + ot >= 3;
}

/* A hostile password: a new password that meets the policy works at the next sign-in, byte for
 * byte (and a wrong old one is refused on old_password); one that does not is refused. Passwords
 * of new accounts (POST /users) likewise. */
static void try_password(const Spec *sp, const char *p) {
    (void)sp;
    SField pw = {"new_password", F_LINE, 128, false, NULL};
    char *v = value_for(p, &pw, ++counter);
    bool ok = policy_ok(v) && !refusal(v, &pw);
    Client *c = as("hostile_pw");
    /* As the old password, it is wrong (422 on old_password, nothing changes). */
    Resp *r = h_send(c, "POST", "/api/v1/me/password",
                     json_pack("{s:s, s:s}", "old_password", v, "new_password", "Another#Pw2026"));
    if (r->status != 422 || !names_field(r, "old_password", NULL))
        case_fail("POST /api/v1/me/password old_password=\"%s\": expected 422 on old_password, got %ld %s", shown(v), r->status,
                  brief(r));
    r = h_send(c, "POST", "/api/v1/me/password",
               json_pack("{s:s, s:s}", "old_password", fx.pw_user_password, "new_password", v));
    if (!ok) {
        if (r->status != 422 || !names_field(r, "new_password", NULL))
            case_fail("POST /api/v1/me/password new_password=\"%s\" (against the policy): expected 422, got %ld %s", shown(v),
                      r->status, brief(r));
    } else if (r->status != 204) {
        case_fail("POST /api/v1/me/password new_password=\"%s\": expected 204, got %ld %s", shown(v), r->status, brief(r));
    } else {
        snprintf(fx.pw_user_password, sizeof fx.pw_user_password, "%s", v);
        Client *n = h_client(S);
        Resp *l = h_login(n, "hostile_pw", v);
        if (l->status != 200) case_fail("sign-in with the new password \"%s\": %ld %s", shown(v), l->status, brief(l));
        h_client_free(n);
    }
    /* The same as the password of a new account. */
    json_t *b = base_body(spec_of("POST", "/api/v1/users"));
    const char *user = h_jstr(b, "username");
    char username[40];
    snprintf(username, sizeof username, "%s", user);
    json_object_set_new(b, "password", json_string(v));
    r = h_send(as("admin"), "POST", "/api/v1/users", b);
    if (!ok) {
        if (r->status != 422 || !names_field(r, "password", NULL))
            case_fail("POST /api/v1/users password=\"%s\" (against the policy): expected 422, got %ld %s", shown(v), r->status,
                      brief(r));
    } else if (r->status != 201) {
        case_fail("POST /api/v1/users password=\"%s\": expected 201, got %ld %s", shown(v), r->status, brief(r));
    } else {
        Client *n = h_client(S);
        Resp *l = h_login(n, username, v);
        if (l->status != 200) case_fail("sign-in of a new account with password \"%s\": %ld %s", shown(v), l->status, brief(l));
        h_client_free(n);
    }
    free(v);
}

/* Every payload in a validated field is refused naming that field. */
static void try_checked(const Spec *sp, const char *field, const char *p) {
    SField sixty = {field, F_TEXT, 60, false, NULL}; /* "@LONG" here: 61 astral characters */
    char *v = value_for(strncmp(p, "@LONG", 5) == 0 ? "@LONG+1" : p, &sixty, 0);
    json_t *b = base_body(sp);
    set_member(b, field, json_string(v));
    Resp *r = send_spec(sp, b);
    const char *en = errname(sp, field);
    if (r->status != 422 || !names_field(r, en, NULL))
        case_fail("%s %s %s=\"%s\": expected 422 naming %s, got %ld %s", sp->method, sp->path, field, shown(v), en,
                  r->status, brief(r));
    if (r->status >= 200 && r->status < 300) undo(sp, r);
    free(v);
}

/* ==== tests: payloads =========================================================================== */

static void write_routes_have_specs(void **state) {
    (void)state;
    int missing = 0;
    for (int i = 0; i < nroutes; i++) {
        if (!strchr(routes[i].flags, 'J')) continue;
        if (!spec_of(routes[i].method, routes[i].path)) {
            print_error("JSON write route %s %s has no write spec (test_hostile.c specs[])\n", routes[i].method, routes[i].path);
            missing++;
        }
    }
    for (int i = 0; i < NSPECS; i++) {
        bool found = false;
        for (int k = 0; k < nroutes; k++)
            found |= strcmp(routes[k].method, specs[i].method) == 0 && strcmp(routes[k].path, specs[i].path) == 0 &&
                     strchr(routes[k].flags, 'J');
        if (!found) {
            print_error("write spec %s %s is not a JSON route of `sanqu routes`\n", specs[i].method, specs[i].path);
            missing++;
        }
    }
    if (missing) fail_msg("%d route(s) and write specs do not match", missing);
}

static void payloads_round_trip(void **state) {
    (void)state;
    int tried = 0;
    for (int s = 0; s < NSPECS; s++) {
        const Spec *sp = &specs[s];
        for (int k = 0; k < NPAYLOADS; k++) {
            switch (sp->mode) {
            case M_RECORD:
            case M_MEMBER:
            case M_ACTION:
            case M_COMMENT: try_record(sp, payloads[k]); break;
            case M_LOGIN: try_login(sp, payloads[k]); break;
            case M_PASSWORD: try_password(sp, payloads[k]); break;
            case M_NONE: break;
            }
            tried++;
        }
    }
    print_message("payloads: %d spec × payload cases, %d values read back byte for byte\n", tried, round_trips);
    cases_done("payloads");
}

static void payloads_refused_by_validated_fields(void **state) {
    (void)state;
    for (int s = 0; s < NSPECS; s++)
        for (int f = 0; f < 6 && specs[s].checked[f]; f++)
            for (int k = 0; k < NPAYLOADS; k++) try_checked(&specs[s], specs[s].checked[f], payloads[k]);
    cases_done("validated fields");
}

/* Searching for every payload (and using it in every string query parameter) answers 200 or 422,
 * never 5xx; a stored name is found again by a search for a word of it. */
static void payloads_in_queries(void **state) {
    (void)state;
    Client *a = as("admin"), *aud = as("auditor");
    static const char *const lists[] = {"/api/v1/orgs?q=", "/api/v1/areas?q=", "/api/v1/agreements?q=", "/api/v1/users?q=",
                                        "/api/v1/orgs?kind=", "/api/v1/users?role=", "/api/v1/liaisons?kind=",
                                        "/api/v1/agreements?status=", "/api/v1/orgs/import?dry_run=",
                                        "/api/v1/areas/1/candidates?q=", "/api/v1/users?locked="};
    for (int k = 0; k < NPAYLOADS; k++) {
        SField f = {"q", F_TEXT, 60, false, NULL};
        char *v = value_for(payloads[k], &f, 0);
        for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
            bool post = strstr(lists[l], "import") != NULL;
            const char *path = h_fmt("%s%s", lists[l], h_esc(v));
            char p[2100];
            snprintf(p, sizeof p, "%s", path);
            Resp *r = post ? h_req(a, "POST", p, "text/csv", "kind,name,parent\n", 17) : h_get(a, "%s", p);
            if (r->status != 200 && r->status != 422)
                case_fail("GET %s → %ld (expected 200 or 422): %s", shown(p), r->status, brief(r));
            if (r->status == 422 && !json_is_array(h_jpath(r->json, "errors")))
                case_fail("GET %s → 422 without errors[]", shown(p));
        }
        Resp *r = h_get(aud, "/api/v1/audit?username=%s&object_type=%s", h_esc(v), h_esc(v));
        if (r->status != 200) case_fail("GET /api/v1/audit?username=%s → %ld", shown(v), r->status);
        free(v);
    }
    /* A stored hostile name is found by a search for one of its words. */
    Resp *r = h_send(a, "POST", "/api/v1/orgs",
                     json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "'; DROP TABLE orgs; -- 注入测试园", "parent_id",
                               (json_int_t)fx.town));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    static const char *const finds[] = {"DROP TABLE", "'; DROP", "注入测试", "orgs; --"};
    for (size_t i = 0; i < sizeof finds / sizeof finds[0]; i++) {
        Resp *s = h_get(a, "/api/v1/orgs?page_size=200&q=%s", h_esc(finds[i]));
        bool found = false;
        size_t j;
        json_t *it;
        json_array_foreach(h_jpath(s->json, "items"), j, it) found |= h_jint(it, "id") == id;
        if (!found) case_fail("GET /api/v1/orgs?q=%s does not find the organisation named with it: %s", finds[i], brief(s));
    }
    cases_done("payloads in queries");
}

/* ==== tests: types, numbers, encodings, nesting ================================================= */

/* Every field of every spec given a value of the wrong JSON type → 422 naming the field. */
static void wrong_types_name_the_field(void **state) {
    (void)state;
    static const char *const for_strings[] = {"123", "1.5", "true", "[]", "{}", "[\"a\"]"};
    static const char *const for_ids[] = {"\"1\"", "1.5", "true", "[]", "{}", "\"\"x"};
    for (int s = 0; s < NSPECS; s++) {
        const Spec *sp = &specs[s];
        if (sp->mode == M_LOGIN || sp->mode == M_PASSWORD) continue;
        const char *names[20];
        bool is_id[20];
        int n = 0;
        for (int f = 0; f < 6 && sp->fields[f].name; f++) names[n] = sp->fields[f].name, is_id[n++] = false;
        for (int f = 0; f < 6 && sp->checked[f]; f++) names[n] = sp->checked[f], is_id[n++] = false;
        for (int f = 0; f < 6 && sp->ids[f]; f++) names[n] = sp->ids[f], is_id[n++] = true;
        for (int f = 0; f < n; f++) {
            const char *const *vals = is_id[f] ? for_ids : for_strings;
            for (int k = 0; k < 5; k++) {
                json_t *b = base_body(sp);
                set_member(b, names[f], json_loads(vals[k], JSON_DECODE_ANY, NULL));
                Resp *r = send_spec(sp, b);
                const char *en = errname(sp, names[f]);
                if (r->status != 422 || !names_field(r, en, NULL))
                    case_fail("%s %s %s=%s: expected 422 naming %s, got %ld %s", sp->method, sp->path, names[f], vals[k], en,
                              r->status, brief(r));
                if (r->status >= 200 && r->status < 300) undo(sp, r);
            }
        }
    }
    /* Arrays and their items. */
    const Spec *ag = spec_of("POST", "/api/v1/agreements");
    static const struct {
        const char *value, *field;
    } arr[] = {{"{}", "parties"}, {"\"x\"", "parties"}, {"[1, 2]", "parties[0]"}, {"[null, null]", "parties[0]"},
               {"[\"a\", \"b\"]", "parties[1]"}};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++) {
        json_t *b = base_body(ag);
        json_object_set_new(b, "parties", json_loads(arr[i].value, JSON_DECODE_ANY, NULL));
        Resp *r = send_spec(ag, b);
        if (r->status != 422 || !names_field(r, arr[i].field, NULL))
            case_fail("POST /api/v1/agreements parties=%s: expected 422 naming %s, got %ld %s", arr[i].value, arr[i].field,
                      r->status, brief(r));
    }
    /* Booleans. */
    static const char *const for_bool[] = {"\"true\"", "1", "0", "[]", "\"false\""};
    for (size_t i = 0; i < sizeof for_bool / sizeof for_bool[0]; i++) {
        json_t *b = base_body(spec_of("PUT", "/api/v1/users/{id}"));
        json_object_set_new(b, "disabled", json_loads(for_bool[i], JSON_DECODE_ANY, NULL));
        Resp *r = h_send(as("admin"), "PUT", h_fmt("/api/v1/users/%lld", fx.user), b);
        if (r->status != 422 || !names_field(r, "disabled", "type"))
            case_fail("PUT /api/v1/users/{id} disabled=%s: expected 422 {disabled, type}, got %ld %s", for_bool[i], r->status,
                      brief(r));
    }
    cases_done("wrong types");
}

/* Integers out of range in every id field → 422 naming it (the last, beyond 64 bits, may also be
 * refused by the parser: 400). */
static void numbers_out_of_range(void **state) {
    (void)state;
    static const char *const values[] = {"1e30", "-1", "0", "9007199254740993", "9223372036854775807", "1E2", "-0",
                                         "99999999999999999999"};
    for (int s = 0; s < NSPECS; s++) {
        const Spec *sp = &specs[s];
        for (int f = 0; f < 6 && sp->ids[f]; f++) {
            for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
                json_t *b = base_body(sp);
                set_member(b, sp->ids[f], json_integer(0)); /* placeholder, replaced in the text */
                char *text = json_dumps(b, JSON_COMPACT);
                json_decref(b);
                /* Put the literal number text where the placeholder is. */
                char key[80];
                const char *leaf = strrchr(sp->ids[f], '.') ? strrchr(sp->ids[f], '.') + 1 : sp->ids[f];
                snprintf(key, sizeof key, "\"%s\":0", leaf);
                char *at = strstr(text, key);
                assert_non_null(at);
                size_t kl = strlen(key) - 1, vl = strlen(values[k]);
                char *body = malloc(strlen(text) + vl + 1);
                assert_non_null(body);
                memcpy(body, text, (size_t)(at - text) + kl);
                memcpy(body + (at - text) + kl, values[k], vl);
                strcpy(body + (at - text) + kl + vl, at + kl + 1);
                free(text);
                Client *c = sp->as ? as(sp->as) : h_client(S);
                char path[128];
                snprintf(path, sizeof path, "%s", target(sp));
                Resp *r = h_req(c, sp->method, path, "application/json", body, strlen(body));
                bool last = k == sizeof values / sizeof values[0] - 1;
                bool ok = (r->status == 422 && names_field(r, errname(sp, sp->ids[f]), NULL)) ||
                          (last && r->status == 400 && problem_is(r, "bad-request"));
                if (!ok)
                    case_fail("%s %s %s=%s: expected 422 naming %s%s, got %ld %s", sp->method, sp->path, sp->ids[f], values[k],
                              sp->ids[f], last ? " (or 400)" : "", r->status, brief(r));
                if (r->status >= 200 && r->status < 300) undo(sp, r);
                free(body);
            }
        }
    }
    /* Query parameters. */
    Client *a = as("admin");
    static const struct {
        const char *query, *field;
    } qs[] = {{"page=1e30", "page"}, {"page=-1", "page"}, {"page=9007199254740993", "page"},
              {"page=99999999999999999999", "page"}, {"page_size=-1", "page_size"}, {"page_size=1.5", "page_size"},
              {"parent_id=-1", "parent_id"}, {"under=0", "under"}, {"under=99999999999999999999", "under"},
              {"area_id=1e3", "area_id"}, {"page=0x10", "page"}};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        Resp *r = h_get(a, "/api/v1/orgs?%s", qs[i].query);
        if (r->status != 422 || !names_field(r, qs[i].field, NULL))
            case_fail("GET /api/v1/orgs?%s: expected 422 naming %s, got %ld %s", qs[i].query, qs[i].field, r->status, brief(r));
    }
    cases_done("numbers");
}

/* The body of a JSON route with raw bytes in a string value, or elsewhere. */
static void invalid_utf8_is_400(void **state) {
    (void)state;
    static const struct {
        const char *bytes, *what;
    } bad[] = {
        {"\xC0\x80", "overlong NUL"},           {"\xC0\xAF", "overlong /"},         {"\xE0\x80\xAF", "overlong / (3)"},
        {"\xF0\x80\x80\xAF", "overlong / (4)"}, {"\xED\xA0\x80", "surrogate D800"}, {"\xED\xBF\xBF", "surrogate DFFF"},
        {"\xF4\x90\x80\x80", "above U+10FFFF"}, {"\xF5\x80\x80\x80", "F5"},         {"\xF8\x88\x80\x80\x80", "5 bytes"},
        {"\xFC\x84\x80\x80\x80\x80", "6 bytes"}, {"\xFE", "FE"},                     {"\xFF", "FF"},
        {"\x80", "lone continuation"},          {"\xBF\xBF", "continuations"},      {"\xE4\xB8", "truncated (3)"},
        {"\xF0\x9F\x98", "truncated (4)"},      {"\xC3", "truncated (2)"},          {"a\xE4\xB8\xAD" "b\xE4", "truncated after a good one"},
    };
    int checked = 0;
    for (int i = 0; i < nroutes; i++) {
        const Route *rt = &routes[i];
        if (!strchr(rt->flags, 'J')) continue;
        const Spec *sp = spec_of(rt->method, rt->path);
        if (!sp) continue;
        Client *c = sp->as ? as(sp->as) : h_client(S);
        char path[128];
        snprintf(path, sizeof path, "%s", target(sp));
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            /* In a value, in a member name and after the object. */
            for (int where = 0; where < 3; where++) {
                char body[200];
                int n = where == 0   ? snprintf(body, sizeof body, "{\"name\":\"x%sy\",\"title\":\"t\"}", bad[k].bytes)
                        : where == 1 ? snprintf(body, sizeof body, "{\"na%sme\":\"x\"}", bad[k].bytes)
                                     : snprintf(body, sizeof body, "{\"name\":\"x\"}%s", bad[k].bytes);
                Resp *r = h_req(c, rt->method, path, "application/json", body, (size_t)n);
                if (r->status != 400 || !problem_is(r, "bad-request"))
                    case_fail("%s %s with %s (%s) %s: expected 400 bad-request, got %ld %s", rt->method, rt->path,
                              shown(bad[k].bytes), bad[k].what, where == 0 ? "in a value" : where == 1 ? "in a name" : "after the object",
                              r->status, brief(r));
                checked++;
            }
        }
    }
    /* A raw NUL byte in the body. */
    Client *a = as("admin");
    static const char nul[] = "{\"kind\":\"park\",\"name\":\"a\0b\",\"parent_id\":1}";
    Resp *r = h_req(a, "POST", "/api/v1/orgs", "application/json", nul, sizeof nul - 1);
    if (r->status != 400) case_fail("POST /api/v1/orgs with a raw NUL byte: expected 400, got %ld %s", r->status, brief(r));
    /* CSV imports: invalid UTF-8 is refused (400 or 422), nothing is created. */
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char csv[200];
        int n = snprintf(csv, sizeof csv, "kind,name,parent\npark,bad%s,%lld\n", bad[k].bytes, fx.town);
        r = h_req(a, "POST", "/api/v1/orgs/import?dry_run=false", "text/csv", csv, (size_t)n);
        if (r->status != 400 && r->status != 422)
            case_fail("POST /api/v1/orgs/import with %s (%s): expected 400 or 422, got %ld %s", shown(bad[k].bytes),
                      bad[k].what, r->status, brief(r));
    }
    /* Query strings and paths with invalid UTF-8: an answer, never a crash or 5xx. */
    static const char *const urls[] = {"/api/v1/orgs?q=%C0%80", "/api/v1/orgs?q=%FF%FE", "/api/v1/orgs?q=%ED%A0%80",
                                       "/api/v1/orgs?kind=%C0%AF", "/api/v1/orgs/%C0%AF", "/api/v1/%FF",
                                       "/api/v1/audit?username=%FF", "/%C0%AE%C0%AE/secret.txt"};
    for (size_t k = 0; k < sizeof urls / sizeof urls[0]; k++) {
        r = h_get(strstr(urls[k], "audit") ? as("auditor") : a, "%s", urls[k]);
        if (r->status == 0 || r->status >= 500) case_fail("GET %s → %ld", urls[k], r->status);
        if (r->len && r->json == NULL && strstr(urls[k], "/api/"))
            case_fail("GET %s → a body that is not JSON (invalid UTF-8 echoed?): %s", urls[k], shown(r->body));
    }
    EXPECT_STATUS(h_get(a, "/api/v1/health"), 200);
    print_message("invalid UTF-8: %d bodies\n", checked);
    cases_done("invalid UTF-8");
}

/* NUL escapes and lone surrogates are refused; a valid pair is stored as the 4-byte character. */
static void json_escapes(void **state) {
    (void)state;
    Client *a = as("admin");
    static const char *const bad[] = {"a\\u0000b", "\\u0000", "\\ud800", "\\udc00", "a\\ud800b", "\\ud800\\u0041",
                                      "\\ud800\\ud800", "\\udbff", "\\ude00\\ud83d", "\\u12", "\\x41", "\\U0001F600"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[200];
        int n = snprintf(body, sizeof body, "{\"kind\":\"park\",\"name\":\"%s\",\"parent_id\":%lld}", bad[i], fx.town);
        Resp *r = h_req(a, "POST", "/api/v1/orgs", "application/json", body, (size_t)n);
        if (r->status != 400 && r->status != 422)
            case_fail("POST /api/v1/orgs name=\"%s\": expected 400 or 422, got %ld %s", bad[i], r->status, brief(r));
        if (r->status == 422 && !names_field(r, "name", NULL))
            case_fail("POST /api/v1/orgs name=\"%s\": 422 without naming name: %s", bad[i], brief(r));
    }
    char body[200];
    int n = snprintf(body, sizeof body, "{\"kind\":\"park\",\"name\":\"pair \\ud83d\\ude00 \\u00e9\\u4e2d\",\"parent_id\":%lld}", fx.town);
    Resp *r = h_req(a, "POST", "/api/v1/orgs", "application/json", body, (size_t)n);
    EXPECT_STATUS(r, 201);
    Resp *g = h_get(a, "/api/v1/orgs/%lld", h_jint(r->json, "id"));
    const char *name = h_jstr(g->json, "name");
    if (!name || strcmp(name, "pair \xF0\x9F\x98\x80 \xC3\xA9\xE4\xB8\xAD") != 0)
        case_fail("an escaped surrogate pair is stored as \"%s\"", name ? shown(name) : "(none)");
    /* The raw answer carries it as UTF-8 or as an escape, never as CESU-8 (ED A0 BD …). */
    if (strstr(g->body, "\xED\xA0")) case_fail("the answer holds a UTF-8-encoded surrogate (CESU-8): %s", shown(g->body));
    cases_done("JSON escapes");
}

/* {"a": [[…]]} with depth levels in all. */
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

/* 33 levels → 400 on every JSON route (before its handler); 32 are parsed. */
static void nesting_limit_on_every_json_route(void **state) {
    (void)state;
    char *deep33 = nested(33), *deep32 = nested(32), *deep1000 = nested(1000);
    /* Objects too, and deep nesting inside an array member. */
    char objs[400];
    int n = snprintf(objs, sizeof objs, "{");
    for (int i = 0; i < 33; i++) n += snprintf(objs + n, sizeof objs - (size_t)n, "\"a\":{");
    n += snprintf(objs + n, sizeof objs - (size_t)n, "\"b\":1");
    for (int i = 0; i < 33; i++) objs[n++] = '}';
    objs[n++] = '}';
    objs[n] = 0;
    for (int i = 0; i < nroutes; i++) {
        const Route *rt = &routes[i];
        if (!strchr(rt->flags, 'J')) continue;
        const Spec *sp = spec_of(rt->method, rt->path);
        if (!sp) continue;
        Client *c = sp->as ? as(sp->as) : h_client(S);
        char path[128];
        snprintf(path, sizeof path, "%s", target(sp));
        const char *bodies[] = {deep33, deep1000, objs};
        for (int k = 0; k < 3; k++) {
            Resp *r = h_req(c, rt->method, path, "application/json", bodies[k], strlen(bodies[k]));
            if (r->status != 400 || !problem_is(r, "bad-request"))
                case_fail("%s %s nested %s: expected 400, got %ld %s", rt->method, rt->path,
                          k == 0 ? "33 deep" : k == 1 ? "1000 deep" : "33 objects deep", r->status, brief(r));
        }
        Resp *r = h_req(c, rt->method, path, "application/json", deep32, strlen(deep32));
        if (r->status == 400 || r->status >= 500 || r->status == 0)
            case_fail("%s %s nested 32 deep: expected to be parsed (not 400), got %ld %s", rt->method, rt->path, r->status, brief(r));
    }
    free(deep33);
    free(deep32);
    free(deep1000);
    cases_done("nesting");
}

/* ==== tests: CRLF =============================================================================== */

/* The header block of a raw answer (up to the blank line), or the whole text when there is none. */
static char *header_block(const char *raw) {
    const char *end = strstr(raw, "\r\n\r\n");
    size_t n = end ? (size_t)(end - raw) : strlen(raw);
    char *h = malloc(n + 1);
    assert_non_null(h);
    memcpy(h, raw, n);
    h[n] = 0;
    return h;
}

/* Sends a raw GET with the admin's cookie and checks that no injected header appears. */
static void expect_clean_headers(const char *target_path, const char *cookie, const char *what) {
    char req[4096];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sanqu_session=%s\r\nConnection: close\r\n\r\n",
                     target_path, cookie);
    char *out = NULL;
    int st = h_raw(S, req, (size_t)n, &out);
    char *h = header_block(out ? out : "");
    /* Each header line, looked at on its own. */
    bool bad = false;
    for (char *line = strtok(h, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        if (strncasecmp(line, "X-Injected", 10) == 0 || strncasecmp(line, "Set-Cookie: x=1", 15) == 0 ||
            strncasecmp(line, "Set-Cookie:x=1", 14) == 0)
            bad = true;
    }
    if (bad || st < 0) case_fail("%s: GET %s → %d; injected header in the answer:\n%.600s", what, shown(target_path), st, out ? out : "");
    free(h);
    free(out);
}

static void crlf_never_becomes_a_header(void **state) {
    (void)state;
    Client *a = as("admin");
    char cookie[128];
    h_client_session_token(a, cookie, sizeof cookie);
    static const char inj[] = "x\r\nSet-Cookie: x=1\r\nX-Injected: 1\r\n\r\n<html>";
    /* Stored in multi-line fields (accepted there), then read. */
    Resp *r = h_send(a, "POST", "/api/v1/orgs",
                     json_pack("{s:s, s:s, s:I, s:s}", "kind", "park", "name", "换行注入园", "parent_id", (json_int_t)fx.town,
                               "note", inj));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->hname[i], "X-Injected") == 0 || strstr(r->hvalue[i], "x=1"))
            case_fail("POST /api/v1/orgs answered a header %s: %s", r->hname[i], r->hvalue[i]);
    expect_clean_headers(h_fmt("/api/v1/orgs/%lld", id), cookie, "a stored note with CRLF");
    expect_clean_headers(h_fmt("/api/v1/orgs?q=%s", h_esc("换行注入园")), cookie, "a list holding it");
    r = h_send(a, "PUT", h_fmt("/api/v1/areas/%lld", fx.put_area),
               json_pack("{s:s, s:s, s:s, s:I, s:s}", "name", "换行片区", "code", "HXCRLF", "committee_name", "换行委员会",
                         "convener_id", (json_int_t)fx.leader, "description", inj));
    EXPECT_STATUS(r, 200);
    expect_clean_headers(h_fmt("/api/v1/areas/%lld", fx.put_area), cookie, "a stored description with CRLF");
    /* Encoded CRLF in paths and queries (API and static). */
    static const char *const paths[] = {
        "/api/v1/orgs/1%0d%0aX-Injected:%201",
        "/api/v1/orgs?q=%0d%0aX-Injected:%201",
        "/api/v1/orgs?kind=%0d%0aX-Injected:%201",
        "/api/v1/no-such%0d%0aX-Injected:%201",
        "/api/v1/orgs?page=%0d%0aX-Injected:%201",
        "/x%0d%0aX-Injected:%201",
        "/assets/app.js%0d%0aX-Injected:%201",
        "/%0aX-Injected:%201",
        "/%0dX-Injected:%201",
        "/api/v1/orgs/%0d%0aSet-Cookie:%20x=1",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) expect_clean_headers(paths[i], cookie, "an encoded CRLF");
    /* A failed sign-in whose user name holds CRLF. */
    Client *c = h_client(S);
    r = h_send(c, "POST", "/api/v1/session", json_pack("{s:s, s:s}", "username", "a\r\nX-Injected: 1", "password", "x"));
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->hname[i], "X-Injected") == 0) case_fail("a sign-in answered X-Injected");
    h_client_free(c);
    cases_done("CRLF");
}

/* ==== tests: static files ======================================================================= */

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void static_paths_stay_in_root(void **state) {
    (void)state;
    /* A secret beside the web root, a hidden file inside it, and symlinks that point out. */
    char secret[64], p[600], q[600];
    snprintf(secret, sizeof secret, "SANQU-SECRET-%d-%ld", (int)getpid(), (long)now_ms());
    snprintf(p, sizeof p, "%s/secret.txt", S->dir);
    write_text(p, secret);
    snprintf(p, sizeof p, "%s/web/.env", S->dir);
    write_text(p, secret);
    snprintf(p, sizeof p, "%s/web/assets/.hidden.js", S->dir);
    write_text(p, secret);
    snprintf(p, sizeof p, "%s/web/assets/leak.txt", S->dir);
    snprintf(q, sizeof q, "%s/secret.txt", S->dir);
    assert_int_equal(symlink(q, p), 0);
    snprintf(p, sizeof p, "%s/web/assets/leak-rel.js", S->dir);
    assert_int_equal(symlink("../../secret.txt", p), 0);
    snprintf(p, sizeof p, "%s/web/up", S->dir);
    assert_int_equal(symlink("..", p), 0);
    snprintf(p, sizeof p, "%s/web/etc", S->dir);
    assert_int_equal(symlink("/etc", p), 0);

    static const char *const targets[] = {
        "/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fsecret.txt", "/..%2f..%2fetc%2fpasswd", "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%5c..%5csecret.txt", "/assets/%2e%2e%5c%2e%2e%5csecret.txt", "/..\\secret.txt", "/assets\\..\\..\\secret.txt",
        "/%252e%252e/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt", "/..;/secret.txt", "/assets/..;/../secret.txt",
        "/%c0%ae%c0%ae/secret.txt", "/%c0%2e%c0%2e/secret.txt", "/%e0%80%ae%e0%80%ae/secret.txt", "/secret.txt%00.js",
        "/assets/app.js%00/../../secret.txt", "/%00/../secret.txt", "/assets/%00../../secret.txt", "/assets/leak.txt",
        "/assets/leak-rel.js", "/up/secret.txt", "/up/web/../secret.txt", "/up/s.db", "/etc/passwd", "/etc/hostname",
        "/.env", "/%2eenv", "/assets/.hidden.js", "/assets/%2ehidden.js", "//etc/passwd", "///../secret.txt",
        "/./../secret.txt", "/assets/./../../secret.txt", "/assets/../../../../../../../../etc/passwd",
        "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/assets/..%252f..%252fsecret.txt", "/web/../secret.txt",
        "http://127.0.0.1/../secret.txt", "../secret.txt", "*", "/?/../secret.txt", "/#/../secret.txt",
        "/assets/app.js/../../secret.txt", "/assets/app.js/..%2f..%2fsecret.txt",
    };
    int n = 0;
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        for (int method = 0; method < 2; method++) {
            char req[1200];
            int len = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                               method ? "HEAD" : "GET", targets[i]);
            char *out = NULL;
            int st = h_raw(S, req, (size_t)len, &out);
            if (out && (strstr(out, secret) || strstr(out, "root:x:0:0") || strstr(out, "SQLite format 3")))
                case_fail("%s %s (status %d) served a file outside the web root:\n%.300s", method ? "HEAD" : "GET",
                          shown(targets[i]), st, out);
            if (st == 200 && out && !strstr(out, "sanqu test") && !strstr(out, "textContent") && method == 0)
                case_fail("GET %s → 200 with something other than the web UI:\n%.300s", shown(targets[i]), out);
            free(out);
            n++;
        }
    }
    /* Still serving its own files. */
    Client *c = h_client(S);
    EXPECT_STATUS(h_get(c, "/assets/app.js"), 200);
    h_client_free(c);
    print_message("static paths: %d requests\n", n);
    cases_done("static paths");
}

/* ==== tests: oversized requests ================================================================= */

/* A raw request with a generated part; expects one of the statuses in ok[] (0 ends; -1 allows a
 * closed connection without an answer) within the time limit, and a healthy server afterwards. */
static void expect_refused(const char *what, const char *req, size_t len, const int *ok) {
    long long t0 = now_ms();
    char *out = NULL;
    int st = h_raw(S, req, len, &out);
    long long ms = now_ms() - t0;
    bool fine = false;
    for (int i = 0; ok[i]; i++) fine |= st == ok[i];
    if (!fine) case_fail("%s: answered %d (%lld ms):\n%.300s", what, st, ms, out ? out : "");
    if (ms > 5000LL * h_time_scale())
        case_fail("%s: %s after %lld ms (expected an answer or a close within 5 s)", what,
                  st < 0 ? "no answer and the connection still open" : h_fmt("answered %d", st), ms);
    free(out);
    Client *c = h_client(S);
    Resp *h = h_get(c, "/api/v1/health");
    if (h->status != 200) case_fail("after %s the server does not answer /health (%ld)", what, h->status);
    h_client_free(c);
}

static void oversized_requests_are_refused(void **state) {
    (void)state;
    static const int header_ok[] = {431, 413, 400, -1, 0};
    static const int url_ok[] = {414, 431, 413, 400, -1, 0};
    size_t big = 100 * 1024;
    char *req = malloc(big * 2 + 4096);
    assert_non_null(req);
    /* One 100 KiB header, on an API route with a JSON body. */
    int n = sprintf(req, "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Big: ");
    memset(req + n, 'a', big);
    n += (int)big;
    n += sprintf(req + n, "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    expect_refused("a 100 KiB header", req, (size_t)n, header_ok);
    /* 2,000 headers of 50 bytes. */
    n = sprintf(req, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 2000; i++) n += sprintf(req + n, "X-H%04d: %040d\r\n", i, i);
    n += sprintf(req + n, "Connection: close\r\n\r\n");
    expect_refused("2,000 headers (100 KiB)", req, (size_t)n, header_ok);
    /* A 100 KiB cookie. */
    n = sprintf(req, "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: sanqu_session=");
    memset(req + n, 'b', big);
    n += (int)big;
    n += sprintf(req + n, "\r\nConnection: close\r\n\r\n");
    expect_refused("a 100 KiB cookie", req, (size_t)n, header_ok);
    /* A 100 KiB URL, API and static. */
    for (int api = 0; api < 2; api++) {
        n = sprintf(req, "GET %s", api ? "/api/v1/orgs?q=" : "/assets/");
        memset(req + n, 'c', big);
        n += (int)big;
        n += sprintf(req + n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        expect_refused(api ? "a 100 KiB API URL" : "a 100 KiB static URL", req, (size_t)n, url_ok);
    }
    /* 10,000 query parameters: see query_parameter_floods_are_bounded (group "slow"). */
    free(req);

    /* Bodies over the limit on every route that takes one → 413, with Content-Length or chunked. */
    Client *a = as("admin");
    size_t limit = 1u << 20;
    char *body = malloc(limit + 16);
    assert_non_null(body);
    memset(body, ' ', limit + 16);
    body[0] = '{';
    body[limit + 14] = '}';
    for (int i = 0; i < nroutes; i++) {
        const Route *rt = &routes[i];
        if (!strchr(rt->flags, 'J') && !strchr(rt->flags, 'C')) continue;
        const Spec *sp = spec_of(rt->method, rt->path);
        char path[128];
        snprintf(path, sizeof path, "%s", sp ? target(sp) : rt->path);
        const char *ct = strchr(rt->flags, 'C') ? "text/csv" : "application/json";
        Client *c = sp && sp->as ? as(sp->as) : strcmp(rt->path, "/api/v1/session") == 0 ? h_client(S) : a;
        Resp *r = h_req(c, rt->method, path, ct, body, limit + 15);
        if (r->status != 413 || !problem_is(r, "payload-too-large"))
            case_fail("%s %s with a body of 1 MiB + 15: expected 413, got %ld %s", rt->method, rt->path, r->status, brief(r));
        /* Chunked (no Content-Length). */
        h_client_header(c, "Transfer-Encoding: chunked");
        r = h_req(c, rt->method, path, ct, body, limit + 15);
        if (r->status != 413)
            case_fail("%s %s with a chunked body of 1 MiB + 15: expected 413, got %ld %s", rt->method, rt->path, r->status,
                      brief(r));
    }
    free(body);
    cases_done("oversized");
}

/* A declared body far over the limit is refused without reading it all: after 2 MiB of a declared
 * 10 GiB the answer (413) or a closed connection comes within a few seconds. */
static void declared_huge_body_is_refused_early(void **state) {
    (void)state;
    int fd = h_raw_connect(S);
    assert_true(fd >= 0);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 10737418240\r\n\r\n");
    send(fd, head, (size_t)n, MSG_NOSIGNAL);
    static char chunk[65536];
    memset(chunk, ' ', sizeof chunk);
    for (int i = 0; i < 32; i++)
        if (send(fd, chunk, sizeof chunk, MSG_NOSIGNAL) <= 0) break;
    struct pollfd pfd = {fd, POLLIN, 0};
    long long t0 = now_ms();
    int pr = poll(&pfd, 1, (int)(5000 * h_time_scale()));
    char buf[512] = "";
    ssize_t got = pr > 0 ? recv(fd, buf, sizeof buf - 1, 0) : -1;
    close(fd);
    if (got > 0) buf[got] = 0;
    if (pr <= 0)
        fail_msg("a declared 10 GiB body: after 2 MiB, no answer and no close within %lld ms (the server keeps reading "
                 "a body it will refuse)",
                 now_ms() - t0);
    if (got > 0 && strncmp(buf + 9, "413", 3) != 0) fail_msg("a declared 10 GiB body answered: %.200s", buf);
}

/* ==== tests: attachments ======================================================================== */

/* The smallest PNG: signature, IHDR 1×1, IDAT, IEND. */
static const char PNG[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
                          "\0\0\0\rIDATx\x9c" "c\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xae" "B`\x82";

/* Attachment names are stored byte for byte or refused (422 on name); no name reaches the file
 * system or a header unencoded; the declared type must match the bytes; a download carries its
 * type, nosniff, the CSP and an encoded Content-Disposition, and the very bytes uploaded. */
static void attachments_hostile(void **state) {
    (void)state;
    Client *l = as("leader");
    char base[96];
    snprintf(base, sizeof base, "/api/v1/dossiers/%lld/attachments", fx.dossier);
    static const char *const good[] = {
        "<img src=x onerror=alert(1)>.png", "'; DROP TABLE attachments; --.png", "\" onload=\"x.png", "a;b=c; filename=evil.exe.png",
        "\xF0\xA0\x80\x80 astral \xF0\x9F\x98\x80.png", "\xE2\x80\xAEgnp.exe", "%s%n.png", "..png", "...", "name with spaces .png"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        Resp *r = h_req(l, "POST", h_fmt("%s?name=%s", base, h_esc(good[i])), "image/png", PNG, sizeof PNG - 1);
        if (r->status != 201) {
            case_fail("attach name=\"%s\": expected 201, got %ld %s", shown(good[i]), r->status, brief(r));
            continue;
        }
        const char *loc = h_header(r, "Location");
        char where[200];
        snprintf(where, sizeof where, "%s", loc ? loc : "");
        /* Listed under the same name. */
        bool listed = false;
        size_t k;
        json_t *it;
        json_array_foreach(h_jpath(r->json, "items"), k, it) listed |= h_jstr(it, "name") && strcmp(h_jstr(it, "name"), good[i]) == 0;
        if (!listed) case_fail("attach name=\"%s\": not listed under that name: %s", shown(good[i]), brief(r));
        /* Downloaded safely. */
        Resp *d = h_get(l, "%s", where);
        const char *cd = h_header(d, "Content-Disposition"), *ct = h_header(d, "Content-Type");
        if (d->status != 200 || d->len != sizeof PNG - 1 || memcmp(d->body, PNG, sizeof PNG - 1) != 0)
            case_fail("GET %s → %ld, %zu bytes (expected the %zu bytes uploaded)", where, d->status, d->len, sizeof PNG - 1);
        if (!ct || strncmp(ct, "image/png", 9) != 0) case_fail("GET %s: Content-Type %s", where, ct ? ct : "(none)");
        if (!cd || strncmp(cd, "attachment", 10) != 0 || strpbrk(cd + 10, "\"<>\\\r\n") ||
            (strchr(cd, ';') != strrchr(cd, ';')))
            case_fail("GET %s (name \"%s\"): Content-Disposition \"%s\" is not a single encoded attachment name", where,
                      shown(good[i]), cd ? cd : "(none)");
        const char *nosniff = h_header(d, "X-Content-Type-Options");
        if (!nosniff || strcmp(nosniff, "nosniff") != 0) case_fail("GET %s without nosniff", where);
        if (!h_header(d, "Content-Security-Policy")) case_fail("GET %s without a CSP", where);
    }
    static const struct {
        const char *query, *what;
    } bad[] = {{"name=..%2F..%2Fetc%2Fpasswd", "a path"}, {"name=a%2Fb.png", "a slash"}, {"name=..%5C..%5Cx.png", "backslashes"},
               {"name=%0D%0AX-Injected%3A%201.png", "CRLF"}, {"name=a%09b.png", "a tab"}, {"name=%FF%FE.png", "invalid UTF-8"},
               {"name=%C0%AE%C0%AE.png", "overlong dots"}, {"name=%ED%A0%80.png", "a surrogate"}, {"name=%00.png", "NUL first"},
               {"name=", "empty"}, {"", "missing"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Resp *r = h_req(l, "POST", h_fmt("%s?%s", base, bad[i].query), "image/png", PNG, sizeof PNG - 1);
        if (r->status != 422 || !names_field(r, "name", NULL))
            case_fail("attach %s (%s): expected 422 naming name, got %ld %s", bad[i].query, bad[i].what, r->status, brief(r));
    }
    char longname[2000]; /* 201 × "%E4%B8%AD" */
    size_t o = 0;
    for (int i = 0; i < 201; i++) o += (size_t)sprintf(longname + o, "%%E4%%B8%%AD"); /* 中 × 201 */
    Resp *r = h_req(l, "POST", h_fmt("%s?name=%s.png", base, longname), "image/png", PNG, sizeof PNG - 1);
    if (r->status != 422 || !names_field(r, "name", NULL)) case_fail("attach a 205-character name: %ld %s", r->status, brief(r));
    /* The declared type must match the bytes. */
    static const char html[] = "<html><script>alert(1)</script></html>";
    static const struct {
        const char *ct;
        const char *body;
        size_t len;
    } types[] = {{"image/png", html, sizeof html - 1}, {"text/html", PNG, sizeof PNG - 1}, {NULL, PNG, sizeof PNG - 1},
                 {"image/svg+xml", "<svg onload=alert(1)/>", 22}, {"application/pdf", PNG, sizeof PNG - 1},
                 {"image/png", "", 0}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        r = h_req(l, "POST", h_fmt("%s?name=t.png", base), types[i].ct, types[i].body, types[i].len);
        if (r->status != 415 && r->status != 422 && !(types[i].len == 0 && r->status == 400))
            case_fail("attach %s with %zu bytes of %s: expected 415, got %ld %s", types[i].ct ? types[i].ct : "(no type)",
                      types[i].len, types[i].body == PNG ? "PNG" : "other", r->status, brief(r));
    }
    cases_done("attachments");
}

/* VmRSS of the server in KiB, or -1. */
static long rss_kib(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = atol(line + 6);
    fclose(f);
    return kib;
}

/* A client without a session cannot make the server hold large bodies: bodies to routes that need
 * a session are refused (or at least not kept) before they are read. Twelve anonymous uploads of
 * 9 MiB each, held one byte short of complete, must not grow the server by more than 32 MiB. */
static void anonymous_uploads_are_not_buffered(void **state) {
    (void)state;
    if (h_wrapped()) skip(); /* the wrapper's own memory would be measured */
    enum { N = 12, MIB = 1 << 20, SIZE = 9 * MIB };
    long before = rss_kib(S->pid);
    int fds[N];
    static char chunk[1 << 16];
    memset(chunk, 'A', sizeof chunk);
    memcpy(chunk, PNG, sizeof PNG - 1);
    for (int i = 0; i < N; i++) {
        fds[i] = h_raw_connect(S);
        assert_true(fds[i] >= 0);
        char head[256];
        int n = snprintf(head, sizeof head,
                         "POST /api/v1/dossiers/1/attachments?name=x.png HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                         "Content-Length: %d\r\n\r\n", SIZE);
        send(fds[i], head, (size_t)n, MSG_NOSIGNAL);
        long sent = 0;
        while (sent < SIZE - 1) {
            size_t want = (size_t)(SIZE - 1 - sent) < sizeof chunk ? (size_t)(SIZE - 1 - sent) : sizeof chunk;
            ssize_t w = send(fds[i], chunk, want, MSG_NOSIGNAL);
            if (w <= 0) break; /* refused and closed: fine */
            sent += w;
        }
    }
    sleep_ms(300);
    long after = rss_kib(S->pid);
    for (int i = 0; i < N; i++) close(fds[i]);
    Client *c = h_client(S);
    EXPECT_STATUS(h_get(c, "/api/v1/health"), 200);
    h_client_free(c);
    print_message("server RSS %ld KiB → %ld KiB with %d anonymous 9 MiB uploads pending\n", before, after, N);
    if (before > 0 && after - before > 32 * 1024)
        fail_msg("%d anonymous uploads of 9 MiB (no session) grew the server by %ld MiB: bodies are buffered before the "
                 "session is checked",
                 N, (after - before) / 1024);
}

/* ==== the slow group ============================================================================ */

/* Clients that send one byte a second (in the headers, or in the body), and one that sends nothing,
 * are dropped within a bounded time; meanwhile — more of them than --threads — every other request
 * is answered promptly. */
/* Query-argument floods are answered at once: 400 (more than 100 arguments, or a query too large to
 * parse in the connection's memory) or 414 (a request line over it). libmicrohttpd 0.9.75 by itself
 * answers nothing when the arguments overflow its per-connection memory (from about 400 short
 * ones) and closes the connection only after --timeout (2 s here): the server refuses such a
 * query before it is parsed. Up to 100 short arguments are served as usual. */
static void query_parameter_floods_are_bounded(void **state) {
    (void)state;
    static const char *const forms[] = {"a=1&", "&", "page=1&", "q=%00&"};
    static const int counts[] = {100, 101, 300, 500, 2000, 10000};
    char *req = malloc(256 * 1024);
    assert_non_null(req);
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            int n = sprintf(req, "GET /api/v1/health?");
            for (int i = 0; i < counts[k]; i++) n += sprintf(req + n, "%s", forms[f]);
            n += sprintf(req + n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            const char *what = h_fmt("%d query arguments \"%s\"", counts[k], forms[f]);
            long long t0 = now_ms();
            char *out = NULL;
            int st = h_raw(S, req, (size_t)n, &out);
            long long ms = now_ms() - t0;
            bool fine = counts[k] <= 100 ? st == 200 : st == 400 || st == 414;
            if (!fine) case_fail("%s: answered %d after %lld ms (want %s):\n%.300s", what, st, ms,
                                 counts[k] <= 100 ? "200" : "400 or 414", out ? out : "");
            else if (ms > 1000LL * h_time_scale())
                case_fail("%s: answered %d only after %lld ms", what, st, ms);
            free(out);
        }
    }
    /* Fewer arguments in a long query: refused when they might not fit beside it. */
    for (int nargs = 10; nargs <= 100; nargs *= 10) {
        int n = sprintf(req, "GET /api/v1/health?");
        for (int i = 0; i < nargs; i++) {
            n += sprintf(req + n, "k%d=", i);
            memset(req + n, 'v', 21000 / nargs);
            n += 21000 / nargs;
            req[n++] = '&';
        }
        n += sprintf(req + n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        long long t0 = now_ms();
        int st = h_raw(S, req, (size_t)n, NULL);
        long long ms = now_ms() - t0;
        if ((st != 400 && st != 414) || ms > 1000LL * h_time_scale())
            case_fail("%d arguments in a 21 KB query: answered %d after %lld ms (want 400 or 414 at once)", nargs, st, ms);
    }
    free(req);
    Client *c = h_client(S);
    EXPECT_STATUS(h_get(c, "/api/v1/health?page=1&size=20&q=x"), 200);
    h_client_free(c);
    cases_done("query floods");
}

static void slow_clients_are_dropped(void **state) {
    (void)state;
    enum { NSLOW = 6, TIMEOUT_S = 2 };
    const long long deadline = (long long)(4 * TIMEOUT_S + 2) * 1000 * h_time_scale();
    int fds[NSLOW];
    const char *kinds[NSLOW];
    long long closed_at[NSLOW];
    static const char trickle_head[] = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    static const char body_head[] = "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    "Content-Length: 100\r\n\r\n{";
    long long t0 = now_ms();
    for (int i = 0; i < NSLOW; i++) {
        fds[i] = h_raw_connect(S);
        assert_true(fds[i] >= 0);
        closed_at[i] = -1;
        /* Two send nothing at all, two trickle a header, two trickle a body. */
        kinds[i] = i < 2 ? "idle" : i < 4 ? "header, 1 byte/s" : "body, 1 byte/s";
        if (i >= 4) send(fds[i], body_head, sizeof body_head - 1, MSG_NOSIGNAL);
        else if (i >= 2) send(fds[i], "G", 1, MSG_NOSIGNAL);
    }
    long long worst = 0;
    int probes = 0, sent_pos = 1;
    Client *c = h_client(S);
    while (now_ms() - t0 < deadline) {
        /* One byte per second to each trickler still connected. */
        for (int i = 2; i < NSLOW; i++) {
            if (closed_at[i] >= 0) continue;
            char b = i < 4 ? trickle_head[sent_pos % (sizeof trickle_head - 1)] : ' ';
            if (i < 4 && sent_pos >= (int)sizeof trickle_head - 1) b = 'x';
            if (send(fds[i], &b, 1, MSG_NOSIGNAL) < 0) closed_at[i] = now_ms() - t0;
        }
        sent_pos++;
        /* Has the server closed any? (recv 0 / error, or an answer such as 408) */
        for (int k = 0; k < 10; k++) {
            for (int i = 0; i < NSLOW; i++) {
                if (closed_at[i] >= 0) continue;
                struct pollfd pfd = {fds[i], POLLIN, 0};
                if (poll(&pfd, 1, 0) > 0) {
                    char buf[256];
                    ssize_t r = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
                    if (r <= 0 || (pfd.revents & (POLLHUP | POLLERR))) closed_at[i] = now_ms() - t0;
                    else if (r > 0) closed_at[i] = now_ms() - t0; /* an answer (408, 400): dropped too */
                }
            }
            /* Meanwhile, a normal client is answered promptly. */
            long long q0 = now_ms();
            Resp *h = h_get(c, "/api/v1/health");
            long long ms = now_ms() - q0;
            probes++;
            if (ms > worst) worst = ms;
            if (h->status != 200) case_fail("/health during slow clients → %ld", h->status);
            sleep_ms(90);
        }
        bool all = true;
        for (int i = 0; i < NSLOW; i++) all &= closed_at[i] >= 0;
        if (all) break;
    }
    h_client_free(c);
    for (int i = 0; i < NSLOW; i++) {
        close(fds[i]);
        /* Headers by the header deadline (--header-timeout 3), bodies by four times --timeout,
         * idle clients by --timeout. */
        if (closed_at[i] < 0)
            case_fail("slow client %d (%s) still connected after %lld ms with --timeout %d", i, kinds[i], deadline, TIMEOUT_S);
        else
            print_message("slow client %d (%s): dropped after %lld ms\n", i, kinds[i], closed_at[i]);
    }
    if (worst > 1000LL * h_time_scale())
        case_fail("while %d slow clients were connected (--threads 2), /health took up to %lld ms", NSLOW, worst);
    print_message("%d /health requests meanwhile, slowest %lld ms\n", probes, worst);
    cases_done("slow clients");
}

/* 50 clients trickle their request headers one byte a second — within --timeout (2 s), so that
 * libmicrohttpd's inactivity time-out never fires — from a fresh connection, after sending the
 * request line at once, or after a first request answered on the same kept-alive connection. Each
 * must be dropped at the header deadline (--header-timeout 3) counted from its connection or its
 * answer; meanwhile /health, on another connection, is answered promptly every 100 ms although the
 * tricklers outnumber the worker threads 25 to 1. */
static void header_tricklers_are_dropped_at_the_deadline(void **state) {
    (void)state;
    enum { N = 50, HEADER_TIMEOUT_MS = 3000 };
    const long long late = HEADER_TIMEOUT_MS + 1500LL * h_time_scale(), early = HEADER_TIMEOUT_MS - 300;
    static const char line[] = "GET /api/v1/health HTTP/1.1\r\n";
    static const char head[] = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: abcdefghijklmnopqrstuvwxyz";
    int fds[N], pos[N];
    long long start[N], closed[N];
    const char *kinds[] = {"fresh connection", "after the request line", "after an answer (keep-alive)"};
    for (int i = 0; i < N; i++) {
        fds[i] = h_raw_connect(S);
        assert_true(fds[i] >= 0);
        closed[i] = -1;
        pos[i] = 0;
        if (i % 3 == 1) {
            send(fds[i], line, sizeof line - 1, MSG_NOSIGNAL);
            pos[i] = (int)sizeof line - 1;
        } else if (i % 3 == 2) {
            static const char first[] = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            send(fds[i], first, sizeof first - 1, MSG_NOSIGNAL);
            char buf[4096];
            ssize_t r = recv(fds[i], buf, sizeof buf - 1, 0); /* the answer comes in one segment */
            if (r <= 0 || strncmp(buf, "HTTP/1.1 200", 12) != 0) fail_msg("trickler %d: no answer to its first request", i);
        }
        start[i] = now_ms();
    }
    long long t0 = now_ms(), last_byte = 0, worst = 0;
    int probes = 0, open = N;
    Client *c = h_client(S);
    while (open > 0 && now_ms() - t0 < late + 1000) {
        if (now_ms() - last_byte >= 1000) { /* one byte a second to each trickler still connected */
            last_byte = now_ms();
            for (int i = 0; i < N; i++)
                if (closed[i] < 0 && send(fds[i], &head[pos[i] % (int)(sizeof head - 1)], 1, MSG_NOSIGNAL) == 1) pos[i]++;
        }
        for (int i = 0; i < N; i++) { /* closed (end of file, reset) or answered: dropped */
            struct pollfd pfd = {fds[i], POLLIN, 0};
            if (closed[i] < 0 && poll(&pfd, 1, 0) > 0) {
                closed[i] = now_ms() - start[i];
                open--;
            }
        }
        long long q0 = now_ms();
        Resp *h = h_get(c, "/api/v1/health");
        long long ms = now_ms() - q0;
        probes++;
        if (ms > worst) worst = ms;
        if (h->status != 200) case_fail("/health while headers trickle → %ld", h->status);
        sleep_ms(100);
    }
    h_client_free(c);
    long long first = -1, lastc = -1;
    for (int i = 0; i < N; i++) {
        close(fds[i]);
        if (closed[i] < 0) case_fail("trickler %d (%s): still connected %lld ms after it began", i, kinds[i % 3], now_ms() - start[i]);
        else if (closed[i] < early || closed[i] > late)
            case_fail("trickler %d (%s): dropped after %lld ms (want %lld–%lld)", i, kinds[i % 3], closed[i], early, late);
        if (closed[i] >= 0 && (first < 0 || closed[i] < first)) first = closed[i];
        if (closed[i] > lastc) lastc = closed[i];
    }
    if (worst > 1000LL * h_time_scale())
        case_fail("while %d clients trickled headers (--threads 2), /health took up to %lld ms", N, worst);
    print_message("%d header tricklers dropped after %lld–%lld ms; %d /health requests meanwhile, slowest %lld ms\n", N,
                  first, lastc, probes, worst);
    cases_done("header tricklers");
}

/* ==== groups ==================================================================================== */

static void sigterm_exits_zero(void **state) {
    (void)state;
    int rc = h_server_stop(S);
    if (rc != 0) fail_msg("the server exited with %d after SIGTERM (want 0)", rc);
}

static int start_hostile(void **state) {
    (void)state;
    /* --timeout 60: longer than any time limit of these tests (also ×10 under a wrapper), so that
     * "refused early" can never be met by the idle time-out closing the connection. */
    static const char *const args[] = {"--lock-failures", "1000", "--ip-lock-failures", "0", "--timeout", "60", NULL};
    S = h_server_start(args);
    return S && load_routes() && make_fixtures() ? 0 : -1;
}

static int start_slow(void **state) {
    (void)state;
    static const char *const args[] = {"--timeout", "2", "--header-timeout", "3", "--threads", "2", "--ip-lock-failures", "0",
                                       NULL};
    S = h_server_start(args);
    return S ? 0 : -1;
}

static int stop_group(void **state) {
    (void)state;
    memset(cache, 0, sizeof cache);
    h_client_free_all();
    h_server_free(S);
    S = NULL;
    return 0;
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    const struct CMUnitTest hostile[] = {
        cmocka_unit_test(write_routes_have_specs),
        cmocka_unit_test(payloads_round_trip),
        cmocka_unit_test(payloads_refused_by_validated_fields),
        cmocka_unit_test(payloads_in_queries),
        cmocka_unit_test(wrong_types_name_the_field),
        cmocka_unit_test(numbers_out_of_range),
        cmocka_unit_test(invalid_utf8_is_400),
        cmocka_unit_test(json_escapes),
        cmocka_unit_test(nesting_limit_on_every_json_route),
        cmocka_unit_test(crlf_never_becomes_a_header),
        cmocka_unit_test(static_paths_stay_in_root),
        cmocka_unit_test(oversized_requests_are_refused),
        cmocka_unit_test(declared_huge_body_is_refused_early),
        cmocka_unit_test(attachments_hostile),
        cmocka_unit_test(anonymous_uploads_are_not_buffered),
        cmocka_unit_test(sigterm_exits_zero),
    };
    const struct CMUnitTest slow[] = {
        cmocka_unit_test(slow_clients_are_dropped),
        cmocka_unit_test(header_tricklers_are_dropped_at_the_deadline),
        cmocka_unit_test(query_parameter_floods_are_bounded),
        cmocka_unit_test(sigterm_exits_zero),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("hostile", hostile, start_hostile, stop_group);
    failed += cmocka_run_group_tests_name("slow", slow, start_slow, stop_group);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
