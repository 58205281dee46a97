/*
 * fuzz_request.c — libFuzzer target for the whole request path in-process: server_dispatch (route
 * table, router, authentication, CSRF, capability, content type, body parsing, Idempotency-Key)
 * and every handler behind it, on a demo district with sessions for several roles.
 *
 * An input is a request written like HTTP/1.1 (the seeds in corpus/request/ are readable):
 *
 *     POST /api/v1/orgs?dry_run=true HTTP/1.1
 *     Cookie: sanqu_session=$admin
 *     X-CSRF-Token: $admin
 *     Content-Type: application/json
 *
 *     {"kind":"park","name":"…"}
 *
 * The request line gives the method (any bytes up to a space, cut to 7 as the server does) and the
 * target (percent-decoded as libmicrohttpd does; the query split into arguments). Header lines
 * follow up to an empty line; the rest is the body. A cookie value "$name" is replaced by the token
 * of the fixture's session of that name, and any other header value "$name" by that session's
 * CSRF token, so that inputs reach signed-in handlers without knowing random tokens.
 *
 * Properties checked on every input, beyond ASan and UBSan:
 *   - the status is one the error table can produce (or 200/201/204), and never 5xx;
 *   - a problem answer is application/problem+json with type, title, detail and a status equal to
 *     the HTTP status; every 4xx is a problem; a 2xx JSON answer parses as JSON;
 *   - a file answer (attachment download) is a regular file of the announced size inside the
 *     attachments directory;
 *   - 405 carries Allow; no route gives 404 or 405; a signed-out call to a non-public route is 401;
 *   - a 2xx answer proves the dispatcher's rules held: a live session of ours for non-public
 *     routes, the right CSRF token on state-changing ones, the route's capability, no pending
 *     forced password change, the declared content type, a body within the limit, a JSON object;
 *   - a 2xx body agrees with itself: ETag and version, Location and id, a list page's item count
 *     with its total, page and page_size; organisations read lie in the reader's scope (checked
 *     with path prefixes, independently of store/scope.h);
 *   - the connection is idle afterwards (no open transaction, no statement left mid-step);
 *   - after any write the registry is consistent (fuzz_env_require_consistent), and a refused
 *     request (4xx) has changed no record (fuzz_env_fingerprint).
 * The database is restored to the pristine state after every input that wrote to it, so an input
 * behaves the same whatever ran before it (crashes reproduce from the saved file alone).
 */
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "http/router.h"
#include "http/server.h"
#include "util/validate.h"

enum { MAX_KV = 24 };

/* One name/value pair pointing into the decoded copy of the input. */
typedef struct Kv {
    const char *k; /* name, NUL-terminated */
    const char *v; /* value, NUL-terminated */
} Kv;

/* The request decoded from an input; lookup_ctx of the Req. */
typedef struct Input {
    Kv hdr[MAX_KV];  /* header lines, in order */
    int nhdr;
    Kv qry[MAX_KV];  /* query arguments, in order */
    int nqry;
    Kv ck[MAX_KV];   /* cookies, in order */
    int nck;
    const char *body; /* body bytes (not NUL-terminated), inside the input */
    size_t body_len;
    FuzzSession *cookie_sess; /* the session whose token the cookie carries, or NULL */
} Input;

static FuzzEnv *env;
static bool trace; /* SANQU_FUZZ_TRACE set: print each request and its answer (corpus work) */
static char pristine_print[256]; /* fuzz_env_fingerprint of the snapshot */

/* Req.lookup for in-process requests: headers by case-insensitive name, query arguments and cookies
 * by exact name; the first of several with the same name wins, as in libmicrohttpd. */
static const char *input_lookup(const Req *r, ReqValueKind kind, const char *name) {
    const Input *in = r->lookup_ctx;
    const Kv *kv = kind == REQ_HEADER ? in->hdr : kind == REQ_QUERY ? in->qry : in->ck;
    int n = kind == REQ_HEADER ? in->nhdr : kind == REQ_QUERY ? in->nqry : in->nck;
    for (int i = 0; i < n; i++) {
        bool eq = kind == REQ_HEADER ? strcasecmp(kv[i].k, name) == 0 : strcmp(kv[i].k, name) == 0;
        if (eq) return kv[i].v;
    }
    return NULL;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes the NUL-terminated s in place (libmicrohttpd's unescaping: %XY only, a bad
 * escape is kept as it is). A decoded NUL ends the string, as it does for the server. */
static void pct_decode(char *s) {
    char *o = s;
    for (char *p = s; *p; p++) {
        int hi, lo;
        if (p[0] == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
            *o++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

/* Cuts s at the first c (which becomes NUL) and returns what follows, or NULL when c is absent. */
static char *cut(char *s, char c) {
    char *p = strchr(s, c);
    if (!p) return NULL;
    *p = 0;
    return p + 1;
}

/* Strips spaces and tabs at both ends of s in place; returns the new start. */
static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
    return s;
}

/* Splits a query string into arguments (name=value, both percent-decoded; a name without '=' gets
 * the empty value). */
static void parse_query(Input *in, char *q) {
    while (q && *q && in->nqry < MAX_KV) {
        char *next = cut(q, '&');
        char *v = cut(q, '=');
        pct_decode(q);
        if (v) pct_decode(v);
        in->qry[in->nqry].k = q;
        in->qry[in->nqry].v = v ? v : "";
        in->nqry++;
        q = next;
    }
}

/* Splits a Cookie header into cookies; "$name" values become that session's token. */
static void parse_cookies(Input *in, char *c) {
    while (c && *c && in->nck < MAX_KV) {
        char *next = cut(c, ';');
        char *v = cut(c, '=');
        char *k = trim(c);
        if (v && *k) {
            v = trim(v);
            size_t n = strlen(v);
            if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
                v[n - 1] = 0;
                v++;
            }
            FuzzSession *s = v[0] == '$' ? fuzz_env_session(env, v + 1) : NULL;
            if (s) v = s->token;
            in->ck[in->nck].k = k;
            in->ck[in->nck].v = v;
            in->nck++;
        }
        c = next;
    }
}

/* The session whose token the sanqu_session cookie carries (first cookie of that name), or NULL. */
static FuzzSession *cookie_session(const Input *in) {
    for (int i = 0; i < in->nck; i++) {
        if (strcmp(in->ck[i].k, "sanqu_session") != 0) continue;
        for (int s = 0; s < env->nsess; s++)
            if (strcmp(env->sess[s].token, in->ck[i].v) == 0) return &env->sess[s];
        return NULL;
    }
    return NULL;
}

/* Decodes the input held (NUL-terminated, writable) in mem, len bytes before the NUL, into r and
 * in. Everything points into mem. */
static void parse_input(char *mem, size_t len, Req *r, Input *in) {
    /* The head is everything before the first empty line; the body follows it. */
    char *end = mem + len;
    char *body = NULL;
    for (char *p = mem; p < end; p++) {
        if (p[0] != '\n') continue;
        if (p + 1 < end && p[1] == '\n') { *p = 0; body = p + 2; break; }
        if (p + 2 < end && p[1] == '\r' && p[2] == '\n') { *p = 0; body = p + 3; break; }
    }
    if (body) {
        in->body = body;
        in->body_len = (size_t)(end - body);
    }

    char *line = mem;
    char *rest = cut(line, '\n');
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r') line[n - 1] = 0;
    char *target = cut(line, ' ');
    snprintf(r->method, sizeof r->method, "%s", line);
    if (target) {
        cut(target, ' '); /* drops " HTTP/1.1" */
        char *q = cut(target, '?');
        pct_decode(target);
        if (strlen(target) >= sizeof r->path) snprintf(r->path, sizeof r->path, "/too-long");
        else snprintf(r->path, sizeof r->path, "%s", target);
        parse_query(in, q);
    }

    while (rest && *rest && in->nhdr < MAX_KV) {
        line = rest;
        rest = cut(line, '\n');
        n = strlen(line);
        if (n && line[n - 1] == '\r') line[n - 1] = 0;
        char *v = cut(line, ':');
        if (!v) continue; /* not a header line */
        v = trim(v);
        if (strcasecmp(line, "Cookie") == 0) {
            parse_cookies(in, v);
            continue;
        }
        FuzzSession *s = v[0] == '$' ? fuzz_env_session(env, v + 1) : NULL;
        in->hdr[in->nhdr].k = line;
        in->hdr[in->nhdr].v = s ? s->actor.csrf : v;
        in->nhdr++;
    }
    in->cookie_sess = cookie_session(in);
}

/* Sends one request, written as an input is, through the dispatcher (start-up only); aborts unless
 * it succeeds. Returns the status, and the "id" of the answer in *id when id is not NULL. */
static int setup_request(const char *text, size_t n, int64_t *id) {
    char *mem = malloc(n + 1);
    REQUIRE(mem != NULL);
    memcpy(mem, text, n + 1);
    Req *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    Input in;
    memset(&in, 0, sizeof in);
    r->lookup = input_lookup;
    r->lookup_ctx = &in;
    r->cfg = &env->cfg;
    r->db = env->db;
    r->send_fd = -1;
    r->body_limit = env->cfg.max_body;
    snprintf(r->actor.ip, sizeof r->actor.ip, "127.0.0.1");
    parse_input(mem, n, r, &in);
    if (in.body_len) buf_append(&r->body, in.body, in.body_len);
    server_dispatch(r);
    if (r->fail.rc != RC_OK) {
        fprintf(stderr, "fuzz_request set-up: %s (%s:%d)\n", r->fail.detail, r->fail.file, r->fail.line);
        abort();
    }
    int status = r->status;
    if (id) {
        json_t *j = json_loadb(buf_str(&r->out), r->out.len, 0, NULL);
        *id = json_integer_value(json_object_get(j, "id"));
        json_decref(j);
        REQUIRE(*id > 0);
    }
    json_decref(r->json);
    fail_clear(&r->fail);
    buf_free(&r->body);
    buf_free(&r->out);
    free(r);
    free(mem);
    return status;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Builds the fixture and adds what inputs should find in the snapshot they all start from: an
 * answered Idempotency-Key (to reach the replay path), an open dossier (1) of area 1 with an
 * attachment (1), and a meeting (1) of area 1 with an agreed item (to reach actions, comments,
 * downloads and meeting follow-up). */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    env = fuzz_env_init(true);
    trace = getenv("SANQU_FUZZ_TRACE") != NULL;
    static const char idem[] = "POST /api/v1/orgs HTTP/1.1\n"
                               "Cookie: sanqu_session=$admin\n"
                               "X-CSRF-Token: $admin\n"
                               "Content-Type: application/json\n"
                               "Idempotency-Key: fuzz-idem-1\n"
                               "\n"
                               "{\"kind\":\"park\",\"name\":\"幂等测试园区\",\"parent_id\":2}";
    REQUIRE(setup_request(idem, sizeof idem - 1, NULL) == 201);
    static const char dossier[] = "POST /api/v1/dossiers HTTP/1.1\n"
                                  "Cookie: sanqu_session=$committee\n"
                                  "X-CSRF-Token: $committee\n"
                                  "Content-Type: application/json\n"
                                  "\n"
                                  "{\"type\":\"agreed_item\",\"title\":\"模糊测试事项\",\"area_id\":1}";
    int64_t did = 0;
    REQUIRE(setup_request(dossier, sizeof dossier - 1, &did) == 201);
    char attach[512];
    int n = snprintf(attach, sizeof attach,
                     "POST /api/v1/dossiers/%lld/attachments?name=%%E7%%85%%A7%%E7%%89%%87.png HTTP/1.1\n"
                     "Cookie: sanqu_session=$committee\n"
                     "X-CSRF-Token: $committee\n"
                     "Content-Type: image/png\n"
                     "\n"
                     "\x89PNG\r\n\x1a\nfuzz",
                     (long long)did);
    REQUIRE(n > 0 && (size_t)n < sizeof attach);
    REQUIRE(setup_request(attach, (size_t)n, NULL) == 201);
    static const char meeting[] = "POST /api/v1/meetings HTTP/1.1\n"
                                  "Cookie: sanqu_session=$committee\n"
                                  "X-CSRF-Token: $committee\n"
                                  "Content-Type: application/json\n"
                                  "\n"
                                  "{\"area_id\":1,\"title\":\"第一次联席会议\",\"held_on\":\"2025-03-01\","
                                  "\"org_ids\":[3,4],\"items\":[{\"title\":\"议定事项一\"}]}";
    REQUIRE(setup_request(meeting, sizeof meeting - 1, NULL) == 201);
    fuzz_env_snapshot(env);
    fuzz_env_fingerprint(env, pristine_print, sizeof pristine_print);
    return 0;
}

/* True for the statuses sanqu answers: the error table's and the successes handlers use. */
static bool status_known(int st) {
    if (st == 200 || st == 201 || st == 204) return true;
    for (int rc = 1; rc < RC__COUNT; rc++)
        if (rc_status((Rc)rc) == st) return true;
    return false;
}

/* Checks a problem+json body against the status. */
static void check_problem(const Req *r) {
    json_error_t err;
    json_t *p = json_loadb(r->out.data ? r->out.data : "", r->out.len, 0, &err);
    if (!p) fprintf(stderr, "problem body does not parse: %s\n%.*s\n", err.text, (int)r->out.len, buf_str(&r->out));
    REQUIRE(json_is_object(p));
    const char *type = json_string_value(json_object_get(p, "type"));
    REQUIRE(type && strncmp(type, "urn:sanqu:problem:", 18) == 0);
    REQUIRE(json_is_string(json_object_get(p, "title")));
    REQUIRE(json_is_string(json_object_get(p, "detail")));
    REQUIRE(json_integer_value(json_object_get(p, "status")) == r->status);
    REQUIRE(json_is_string(json_object_get(p, "instance")));
    /* The type names the error that made the status. */
    REQUIRE(strcmp(type + 18, rc_slug(r->fail.rc)) == 0);
    json_t *errors = json_object_get(p, "errors");
    if (errors) {
        REQUIRE(json_is_array(errors));
        size_t i;
        json_t *e;
        json_array_foreach(errors, i, e) {
            REQUIRE(json_is_string(json_object_get(e, "field")));
            REQUIRE(json_is_string(json_object_get(e, "rule")));
        }
    }
    json_decref(p);
}

/* True when organisation id is visible to the actor by the rules of docs/architecture.md, written
 * here with path prefixes: district-wide roles see everything; a committee sees its area's member
 * organisations and what lies under them; everyone else the subtree of their own organisation. */
static bool org_visible(const Actor *a, int64_t id) {
    Fail f = {0};
    int64_t yes = 0;
    Rc rc;
    if (role_district_wide(a->role)) return true;
    if (strcmp(a->role, "committee") == 0)
        rc = db_int(env->db, &f, &yes,
                    "SELECT EXISTS (SELECT 1 FROM area_members m JOIN orgs mo ON mo.id = m.org_id"
                    " JOIN orgs o ON o.id = ? WHERE m.area_id = ? AND substr(o.path, 1, length(mo.path)) = mo.path)",
                    "ii", id, a->area_id);
    else
        rc = db_int(env->db, &f, &yes,
                    "SELECT EXISTS (SELECT 1 FROM orgs o JOIN orgs u ON u.id = ? WHERE o.id = ?"
                    " AND substr(o.path, 1, length(u.path)) = u.path)", "ii", a->org_id, id);
    REQUIRE(rc == RC_OK);
    fail_clear(&f);
    return yes != 0;
}

/* An integer query argument as the handlers read it (dflt when absent or not a number). */
static long long query_int(const Req *r, const char *name, long long dflt) {
    const char *v = input_lookup(r, REQ_QUERY, name);
    if (!v || !*v) return dflt;
    char *end;
    long long x = strtoll(v, &end, 10);
    return *end ? dflt : x;
}

/* Properties of a 2xx JSON body j: the ETag and Location agree with the record; a list page holds
 * as many items as its total and page say; organisations read are in the reader's scope. */
static void check_body(const Req *r, const Input *in, json_t *j) {
    json_t *version = json_object_get(j, "version"), *id = json_object_get(j, "id");
    if (r->etag[0] && json_is_integer(version)) {
        char want[40];
        snprintf(want, sizeof want, "\"%lld\"", (long long)json_integer_value(version));
        REQUIRE(strcmp(r->etag, want) == 0);
    }
    if (r->location[0] && json_is_integer(id)) {
        char tail[32];
        snprintf(tail, sizeof tail, "/%lld", (long long)json_integer_value(id));
        size_t n = strlen(r->location), t = strlen(tail);
        REQUIRE(n > t && strcmp(r->location + n - t, tail) == 0);
    }
    json_t *items = json_object_get(j, "items");
    if (json_is_array(items) && json_is_integer(json_object_get(j, "total"))) {
        long long total = json_integer_value(json_object_get(j, "total"));
        long long page = json_integer_value(json_object_get(j, "page"));
        long long size = json_integer_value(json_object_get(j, "page_size"));
        long long n = (long long)json_array_size(items);
        REQUIRE(page >= 1 && size >= 1 && n <= size && total >= 0);
        REQUIRE(page == query_int(r, "page", 1) && size == query_int(r, "page_size", 20));
        if (!json_is_false(json_object_get(j, "total_exact"))) {
            long long left = total - (page - 1) * size;
            long long want = left < 0 ? 0 : left > size ? size : left;
            if (n != want) fprintf(stderr, "%s: total %lld, page %lld of %lld, %lld items\n", r->path, total, page, size, n);
            REQUIRE(n == want);
        }
    }
    /* Scope: what an organisation read returns is visible to the reader. */
    const FuzzSession *s = in->cookie_sess;
    if (!s || strcmp(r->method, "GET") != 0 || strncmp(r->path, "/api/v1/orgs", 12) != 0) return;
    if (json_is_array(items)) {
        size_t i;
        json_t *e;
        json_array_foreach(items, i, e) REQUIRE(org_visible(&s->actor, json_integer_value(json_object_get(e, "id"))));
    } else if (json_is_integer(id)) {
        REQUIRE(org_visible(&s->actor, json_integer_value(id)));
    }
}

/* Checks the properties listed at the top of the file for the answered request r. */
static void check_answer(const Req *r, const Input *in) {
    const Route *rt = r->route;
    int st = r->status;
    if (!status_known(st) || st >= 500) {
        fprintf(stderr, "status %d for %s %s: %s\n", st, r->method, r->path, r->fail.detail);
        REQUIRE(status_known(st) && st < 500);
    }
    const char *ctype = r->ctype ? r->ctype : "application/json";
    bool problem = strcmp(ctype, "application/problem+json") == 0;
    REQUIRE(problem == (st >= 400));
    REQUIRE(problem == (r->fail.rc != RC_OK));
    if (problem) check_problem(r);
    /* Input is validated before it reaches SQL: only a UNIQUE constraint (a duplicate, which the
     * table itself detects) may surface as a conflict. A foreign key, NOT NULL or CHECK failure
     * means a handler let a bad value through to the database. */
    if (r->fail.rc == RC_CONFLICT && strncmp(r->fail.detail, "constraint: ", 12) == 0 &&
        strstr(r->fail.detail, "UNIQUE") == NULL) {
        fprintf(stderr, "%s %s: %s (%s:%d)\n", r->method, r->path, r->fail.detail,
                r->fail.file ? r->fail.file : "?", r->fail.line);
        abort();
    }
    if (st == 405) REQUIRE(r->allow[0] != 0);
    if (st >= 200 && st < 300 && st != 204 && strcmp(ctype, "application/json") == 0) {
        json_error_t err;
        json_t *j = json_loadb(r->out.data ? r->out.data : "", r->out.len, JSON_DECODE_ANY, &err);
        if (!j) fprintf(stderr, "2xx body does not parse: %s\n%.*s\n", err.text, (int)r->out.len, buf_str(&r->out));
        REQUIRE(j != NULL);
        check_body(r, in, j);
        json_decref(j);
    }
    if (r->send_fd >= 0) {
        /* A file answer (attachment download): a regular file of the announced size inside the
         * attachments directory, and only on success. */
        REQUIRE(st == 200 && !problem);
        struct stat sb;
        REQUIRE(fstat(r->send_fd, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == r->send_size);
        char link[64], real[PATH_MAX], dir[PATH_MAX];
        snprintf(link, sizeof link, "/proc/self/fd/%d", r->send_fd);
        ssize_t n = readlink(link, real, sizeof real - 1);
        REQUIRE(n > 0);
        real[n] = 0;
        REQUIRE(realpath(env->cfg.files_dir, dir) != NULL);
        size_t dl = strlen(dir);
        if (strncmp(real, dir, dl) != 0 || real[dl] != '/') {
            fprintf(stderr, "an attachment answer sends %s, outside %s\n", real, dir);
            abort();
        }
    }
    if (r->etag[0]) {
        size_t n = strlen(r->etag);
        REQUIRE(n >= 3 && r->etag[0] == '"' && r->etag[n - 1] == '"');
    }

    if (!rt) {
        REQUIRE(st == 404 || st == 405);
        return;
    }
    if (!(rt->flags & R_PUBLIC) && !input_lookup(r, REQ_COOKIE, "sanqu_session") && !r->body_too_large)
        REQUIRE(st == 401);
    if (st >= 300) return;

    /* A success: every rule of the route table held. */
    REQUIRE(!r->body_too_large && r->body.len <= env->cfg.max_body);
    if (!(rt->flags & R_PUBLIC)) {
        const FuzzSession *s = in->cookie_sess;
        REQUIRE(s != NULL && !s->expired);
        /* HEAD is a GET without the body: no state changes, no CSRF token. */
        bool changes = (rt->flags & R_WRITE) || (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0);
        if (changes && !(rt->flags & R_NO_CSRF)) {
            const char *t = input_lookup(r, REQ_HEADER, "X-CSRF-Token");
            REQUIRE(t && strcmp(t, s->actor.csrf) == 0);
        }
        REQUIRE(!rt->cap || (s->actor.caps & rt->cap));
        REQUIRE(!s->actor.must_change_pw || (rt->flags & R_PWCHANGE));
    }
    if (rt->flags & (R_JSON | R_CSV)) {
        const char *ct = input_lookup(r, REQ_HEADER, "Content-Type");
        const char *want = rt->flags & R_JSON ? "application/json" : "text/csv";
        REQUIRE(ct && strncasecmp(ct, want, strlen(want)) == 0);
    }
    if (rt->flags & R_JSON) {
        REQUIRE(val_utf8(buf_str(&r->body), r->body.len));
        REQUIRE(json_is_object(r->json));
    }
}

/* One fuzz iteration. Frees all it allocates. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *mem = malloc(size + 1);
    REQUIRE(mem != NULL);
    memcpy(mem, data, size);
    mem[size] = 0;
    Req *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    Input in;
    memset(&in, 0, sizeof in);
    r->lookup = input_lookup;
    r->lookup_ctx = &in;
    r->cfg = &env->cfg;
    r->db = env->db;
    snprintf(r->actor.ip, sizeof r->actor.ip, "127.0.0.1");
    r->send_fd = -1;
    parse_input(mem, size, r, &in);
    /* The server's on_request: upload routes take larger bodies; past the limit the body is not
     * stored and the answer is 413. */
    r->body_limit = env->cfg.max_body;
    if (strcmp(r->method, "POST") == 0 && strstr(r->path, "/attachments")) {
        char *pp[REQ_MAX_PARAMS], pb[1024], allow[64];
        int np;
        bool known;
        const Route *rt = router_match(routes, routes_count, r->method, r->path, pp, &np, pb, sizeof pb, &known,
                                       allow, sizeof allow);
        if (rt && (rt->flags & R_UPLOAD)) r->body_limit = env->cfg.max_upload;
    }
    if (in.body_len > r->body_limit) r->body_too_large = true;
    else if (in.body_len) buf_append(&r->body, in.body, in.body_len);

    sqlite3_int64 changes = sqlite3_total_changes64(db_handle(env->db));
    fuzz_env_touch_reset(env);
    server_dispatch(r);
    /* What the server's api_response does before queueing the answer. */
    if (r->fail.rc != RC_OK) server_render_problem(r);
    if (r->status == 0) r->status = 200;
    if (trace)
        fprintf(stderr, "%s %s -> %d %.300s\n", r->method, r->path, r->status, buf_str(&r->out));
    check_answer(r, &in);
    fuzz_env_require_idle(env);
    /* A request that wrote (a login or a failed one, a change, an audited read, an expired session
     * deleted) leaves a consistent registry, and the database goes back to the snapshot so that the
     * next input starts from it. */
    if (sqlite3_total_changes64(db_handle(env->db)) != changes) {
        fuzz_env_require_consistent(env);
        static const char *const registry[] = {"orgs", "areas", "area_members", "agreements",
                                               "agreement_parties", "liaisons", "users"};
        bool registry_written = false;
        for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
            registry_written = registry_written || fuzz_env_touched(env, registry[i]);
        if (r->status >= 400 && registry_written) {
            /* A refused request changes no record (it may log a failed login or free a key). */
            char now[256];
            fuzz_env_fingerprint(env, now, sizeof now);
            if (strcmp(now, pristine_print) != 0) {
                fprintf(stderr, "%s %s answered %d but changed the registry: %s -> %s\n", r->method, r->path,
                        r->status, pristine_print, now);
                abort();
            }
        }
        fuzz_env_restore(env);
    }

    /* What the server's on_completed frees. */
    json_decref(r->json);
    if (r->send_fd >= 0) close(r->send_fd);
    fail_clear(&r->fail);
    buf_free(&r->body);
    buf_free(&r->out);
    free(r);
    free(mem);
    return 0;
}
