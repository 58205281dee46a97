/*
 * test_dossier.c — API tests of the dossier engine (一事一档) and of 1+N joint meetings against the
 * real sanqu binary (issue #4 item 11): the declared types; opening a dossier (roles, scope, field
 * errors); every action of the generic lifecycle in every state, driven from the declaration the
 * server publishes (allowed → the declared next state, not allowed → 409 with `state` and
 * `allowed_actions`); field errors of actions (422), role refusals (403, including "whoever reported
 * a matter done may not verify or write it off"), stale If-Match (412), unknown actions and records
 * (404); scope per role; the hash-chained event log, re-hashed here from what the API serves;
 * comments and full-text search of two-character words; list filters and cursor pagination;
 * Idempotency-Key on creates and actions, also under concurrent retries; concurrent actions on one
 * version (exactly one wins, one event is written); meetings with their items, carry, close, and
 * their invariants under concurrent requests (a closed meeting holds no open item; one PUT per
 * version); the supervision board; and at the end `sanqu verify` and `sanqu rebuild` on the
 * database the suite wrote.
 *
 * One cmocka group, one server (harness.c, --ip-lock-failures 0). Tests never depend on another
 * test having run: each opens the dossiers and meetings it needs, under titles of its own, and
 * compares counts before and after rather than with fixed numbers (the demo database already holds
 * two years of meetings and agreed items). The last test stops the server.
 *
 * Demo facts relied on (src/core/demo.c): area 1 (A01 洛阳片区) has the committee account
 * `committee` (organisation: the district) and the convener `leader`; 西吟头村 (under 洛阳镇) is a
 * member of area 1; area 3 (东园片区) has no member under 洛阳镇; `town` belongs to 洛阳镇,
 * `community` to 西吟头村, `department` to 经济发展局. Every demo account has H_PASSWORD.
 *
 * Usage: test_dossier SANQU_BINARY SOURCE_DIR (SANQU_TEST_KEEP=1 keeps the temporary directory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static Server *S; /* the group's server */

/* Areas of the demo district used here (ids follow the codes A01..A12). */
enum {
    AREA_LUOYANG = 1,  /* A01 洛阳片区: the committee's own area */
    AREA_OTHER = 2,    /* A02 洛阳江片区: another committee's */
    AREA_DONGYUAN = 3, /* A03 东园片区: nothing of 洛阳镇 in it */
    AREA_FILTERS = 4,  /* A04: the list-filter test's dossiers */
    AREA_BOARD = 5,    /* A05: the supervision-board test's dossiers */
    AREA_PAGES = 6,    /* A06: the pagination test's dossiers */
};

/* Demo records looked up once (by name, through the leader). */
static struct {
    bool loaded;
    long long luoyang;   /* 洛阳镇 (town) */
    long long xiyintou;  /* 西吟头村 (community under 洛阳镇, member of area 1) */
    long long dongyuan;  /* 东园镇 (town) */
    long long econ;      /* 经济发展局 (department) */
    long long u_town;    /* user ids of the demo accounts */
    long long u_leader;
    long long u_committee;
    char today[11];      /* the server's "today" (district date), from a fresh dossier */
} K;

/* ==== SHA-256 (FIPS 180-4), to re-hash the event log independently of the server ============== */

typedef struct Sha256 {
    uint32_t h[8];     /* chaining state */
    uint8_t blk[64];   /* pending bytes */
    size_t nblk;       /* bytes in blk */
    uint64_t total;    /* message length in bytes */
} Sha256;

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(Sha256 *s, const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void sha_init(Sha256 *s) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->nblk = 0;
    s->total = 0;
}

static void sha_update(Sha256 *s, const void *data, size_t n) {
    const uint8_t *p = data;
    s->total += n;
    while (n > 0) {
        size_t take = 64 - s->nblk < n ? 64 - s->nblk : n;
        memcpy(s->blk + s->nblk, p, take);
        s->nblk += take;
        p += take;
        n -= take;
        if (s->nblk == 64) {
            sha_block(s, s->blk);
            s->nblk = 0;
        }
    }
}

/* Finishes and writes 64 lower-case hex digits and a NUL into hex. */
static void sha_hex(Sha256 *s, char hex[65]) {
    uint64_t bits = s->total * 8;
    uint8_t pad = 0x80, zero = 0, len[8];
    sha_update(s, &pad, 1);
    while (s->nblk != 56) sha_update(s, &zero, 1);
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(s, len, 8);
    for (int i = 0; i < 8; i++) snprintf(hex + 8 * i, 9, "%08x", s->h[i]);
}

/* ==== helpers ================================================================================== */

static json_t *items_of(const Resp *r) { return h_jpath(r->json, "items"); }

/* True when the JSON array arr holds the string s. */
static bool has_str(json_t *arr, const char *s) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

/* True when an item of arr has member key equal to id. */
static bool has_id(json_t *arr, const char *key, long long id) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (h_jint(v, key) == id) return true;
    return false;
}

/* The item of arr whose member key equals id, or NULL. */
static json_t *find_id(json_t *arr, const char *key, long long id) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (h_jint(v, key) == id) return v;
    return NULL;
}

/* True when the arrays of strings a and b hold the same set. */
static bool same_set(json_t *a, json_t *b) {
    if (!json_is_array(a) || !json_is_array(b) || json_array_size(a) != json_array_size(b)) return false;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (!json_is_string(v) || !has_str(b, json_string_value(v))) return false;
    return true;
}

/* A JSON array of the strings given (NULL-terminated), owned by the client. */
static json_t *strs(Client *c, ...) {
    json_t *a = h_client_own(c, json_array());
    va_list ap;
    va_start(ap, c);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) json_array_append_new(a, json_string(s));
    va_end(ap);
    return a;
}

/* Id of the organisation called name. */
static long long org_named(Client *c, const char *name) {
    Resp *r = h_get(c, "/api/v1/orgs?page_size=200&q=%s", h_esc(name));
    EXPECT_STATUS(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) {
        const char *n = h_jstr(it, "name");
        if (n && strcmp(n, name) == 0) return h_jint(it, "id");
    }
    FAIL_RESP(r, "no organisation named %s", name);
    return -1;
}

/* The signed-in user's id. */
static long long my_id(Client *c) {
    Resp *r = h_get(c, "/api/v1/me");
    EXPECT_STATUS(r, 200);
    long long id = h_jint(r->json, "user.id");
    if (id <= 0) FAIL_RESP(r, "no user.id in /me");
    return id;
}

static Resp *create_raw(Client *c, long long area, const char *title, json_t *extra);

/* Fills K once per group. */
static void load_ids(void) {
    if (K.loaded) return;
    Client *l = h_client_as(S, "leader");
    K.luoyang = org_named(l, "洛阳镇");
    K.xiyintou = org_named(l, "西吟头村");
    K.dongyuan = org_named(l, "东园镇");
    K.econ = org_named(l, "经济发展局");
    K.u_leader = my_id(l);
    Client *t = h_client_as(S, "town");
    K.u_town = my_id(t);
    Client *c = h_client_as(S, "committee");
    K.u_committee = my_id(c);
    Resp *r = create_raw(c, AREA_LUOYANG, "取今日日期", NULL);
    EXPECT_STATUS(r, 201);
    const char *d = h_jstr(r->json, "state_since");
    if (!d || strlen(d) != 10) FAIL_RESP(r, "no state_since in a new dossier");
    snprintf(K.today, sizeof K.today, "%s", d);
    K.loaded = true;
    h_client_free(l);
    h_client_free(t);
    h_client_free(c);
}

/* The day n days after day (YYYY-MM-DD), in a static buffer of h_fmt's ring. */
static const char *day_add(const char *day, int n) {
    int y = 0, m = 0, d = 0;
    sscanf(day, "%d-%d-%d", &y, &m, &d);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + n, .tm_hour = 12};
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    return h_fmt("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* POST /dossiers {"type":"agreed_item","title","area_id"} plus the members of extra (stolen). */
static Resp *create_raw(Client *c, long long area, const char *title, json_t *extra) {
    json_t *b = json_pack("{s:s, s:s, s:I}", "type", "agreed_item", "title", title, "area_id", (json_int_t)area);
    if (extra) {
        json_object_update(b, extra);
        json_decref(extra);
    }
    return h_send(c, "POST", "/api/v1/dossiers", b);
}

/* The same, which must answer 201; returns the id. */
static long long create_ok(Client *c, long long area, const char *title, json_t *extra) {
    Resp *r = create_raw(c, area, title, extra);
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    if (id <= 0) FAIL_RESP(r, "no id in the created dossier");
    return id;
}

/* POST /dossiers/{id}/actions/{action} with body (stolen; NULL: {}) and If-Match when ver > 0. */
static Resp *act(Client *c, long long id, const char *action, json_t *body, long long ver) {
    if (ver > 0) h_client_header(c, h_fmt("If-Match: \"%lld\"", ver));
    return h_send(c, "POST", h_fmt("/api/v1/dossiers/%lld/actions/%s", id, action), body ? body : json_object());
}

/* An action that must answer 200 with the dossier in state want (NULL: any). Returns the dossier. */
static json_t *act_ok(Client *c, long long id, const char *action, json_t *body, const char *want) {
    Resp *r = act(c, id, action, body, 0);
    EXPECT_STATUS(r, 200);
    const char *st = h_jstr(r->json, "state");
    if (want && (!st || strcmp(st, want) != 0)) FAIL_RESP(r, "%s: expected state %s", action, want);
    return r->json;
}

/* GET /dossiers/{id}, which must answer 200. */
static json_t *get_ok(Client *c, long long id) {
    Resp *r = h_get(c, "/api/v1/dossiers/%lld", id);
    EXPECT_STATUS(r, 200);
    return r->json;
}

/* The event log of a dossier (items[]), which must answer 200. */
static json_t *events_of(Client *c, long long id) {
    Resp *r = h_get(c, "/api/v1/dossiers/%lld/events", id);
    EXPECT_STATUS(r, 200);
    if (!json_is_array(items_of(r))) FAIL_RESP(r, "no items[] in the event log");
    return items_of(r);
}

/* 409 conflict naming the dossier's state and the caller's allowed_actions (an array). */
static void expect_state_conflict(const Resp *r, const char *state) {
    EXPECT_PROBLEM(r, 409, "conflict");
    const char *st = h_jstr(r->json, "state");
    if (!st || strcmp(st, state) != 0) FAIL_RESP(r, "expected member \"state\": \"%s\"", state);
    if (!json_is_array(h_jpath(r->json, "allowed_actions"))) FAIL_RESP(r, "expected an allowed_actions array");
}

/* The fields each action needs (fresh object). */
static json_t *fields_for(const char *action) {
    if (strcmp(action, "assign") == 0) return json_pack("{s:I}", "handler_org_id", (json_int_t)K.luoyang);
    if (strcmp(action, "return") == 0) return json_pack("{s:s}", "reason", "材料不全，退回补充");
    if (strcmp(action, "reopen") == 0) return json_pack("{s:s}", "reason", "群众反映仍未解决");
    if (strcmp(action, "report_done") == 0) return json_pack("{s:s, s:s}", "result", "已完成改造", "evidence", "照片两张");
    if (strcmp(action, "verify") == 0) return json_pack("{s:s}", "conclusion", "现场查看，同意验收");
    if (strcmp(action, "supervise") == 0) return json_pack("{s:s, s:i}", "level", "supervise", "limit_days", 10);
    return json_object();
}

/* The demo account that takes each action in these tests. */
static const char *actor_for(const char *action) {
    if (strcmp(action, "accept") == 0 || strcmp(action, "report_done") == 0) return "town";
    if (strcmp(action, "supervise") == 0) return "leader";
    return "committee";
}

/* The clients a test uses, signed in once. */
typedef struct Crew {
    Client *committee, *town, *leader, *community;
} Crew;

static Crew crew(void) {
    Crew c = {h_client_as(S, "committee"), h_client_as(S, "town"), h_client_as(S, "leader"), h_client_as(S, "community")};
    return c;
}

static Client *crew_for(const Crew *c, const char *account) {
    if (strcmp(account, "town") == 0) return c->town;
    if (strcmp(account, "leader") == 0) return c->leader;
    if (strcmp(account, "community") == 0) return c->community;
    return c->committee;
}

/* The path from registered to each state (actions in order). */
static const char *const *path_to(const char *state) {
    static const char *const registered[] = {NULL};
    static const char *const assigned[] = {"assign", NULL};
    static const char *const returned[] = {"assign", "return", NULL};
    static const char *const in_progress[] = {"assign", "accept", NULL};
    static const char *const done[] = {"assign", "accept", "report_done", NULL};
    static const char *const verified[] = {"assign", "accept", "report_done", "verify", NULL};
    static const char *const written_off[] = {"assign", "accept", "report_done", "verify", "write_off", NULL};
    static const struct {
        const char *state;
        const char *const *path;
    } t[] = {{"registered", registered}, {"assigned", assigned}, {"returned", returned}, {"in_progress", in_progress},
             {"done", done}, {"verified", verified}, {"written_off", written_off}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].state, state) == 0) return t[i].path;
    fail_msg("no path to the state %s (a new state in the declaration needs one here)", state);
    return NULL;
}

/* Takes dossier id from registered to state, each action by its usual actor. */
static void drive(const Crew *c, long long id, const char *state) {
    for (const char *const *a = path_to(state); *a; a++) act_ok(crew_for(c, actor_for(*a)), id, *a, fields_for(*a), NULL);
    const char *st = h_jstr(get_ok(c->committee, id), "state");
    if (!st || strcmp(st, state) != 0) fail_msg("dossier %lld: driven to %s, found %s", id, state, st ? st : "(none)");
}

/* POST /meetings in area 1 held on day with no items; returns its id. */
static long long meeting_ok(Client *c, long long area, const char *title, const char *day) {
    Resp *r = h_send(c, "POST", "/api/v1/meetings",
                     json_pack("{s:I, s:s, s:s, s:s}", "area_id", (json_int_t)area, "title", title, "held_on", day, "place", "党群服务中心"));
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    if (id <= 0) FAIL_RESP(r, "no id in the created meeting");
    return id;
}

/* Re-checks a dossier's event log as served: seq 1..n, prev_hash = the previous hash (empty or
 * null first), 64 hex digits, and each hash recomputed here from the documented formula
 *   "sanqu-event-v1\n" id "\n" seq "\n" at "\n" user_id "\n" action "\n" from "\n" to "\n"
 *   payload "\n" prev_hash
 * with the payload in canonical JSON (sorted keys, compact). Returns the number of events. */
static size_t check_chain(Client *c, long long id) {
    json_t *ev = events_of(c, id);
    const char *prev = "";
    size_t i;
    json_t *e;
    json_array_foreach(ev, i, e) {
        if (h_jint(e, "seq") != (long long)i + 1) fail_msg("dossier %lld: event %zu has seq %lld", id, i + 1, h_jint(e, "seq"));
        const char *hash = h_jstr(e, "hash");
        const char *ph = h_jstr(e, "prev_hash");
        if (!hash || strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64)
            fail_msg("dossier %lld event %zu: hash is not 64 lower-case hex digits: %s", id, i + 1, hash ? hash : "(none)");
        if (i == 0 ? (ph && *ph) : (!ph || strcmp(ph, prev) != 0))
            fail_msg("dossier %lld event %zu: prev_hash %s, previous hash %s", id, i + 1, ph ? ph : "(null)", prev);
        const char *from = h_jstr(e, "from_state"), *to = h_jstr(e, "to_state"), *at = h_jstr(e, "at"),
                   *action = h_jstr(e, "action");
        if (!at || !action) fail_msg("dossier %lld event %zu: no at or action", id, i + 1);
        char *payload = json_dumps(h_jpath(e, "payload"), JSON_COMPACT | JSON_SORT_KEYS);
        assert_non_null(payload);
        char head[512];
        snprintf(head, sizeof head, "sanqu-event-v1\n%lld\n%lld\n%s\n%lld\n%s\n%s\n%s\n", id, h_jint(e, "seq"), at,
                 h_jint(e, "user_id"), action, from ? from : "", to ? to : "");
        Sha256 s;
        sha_init(&s);
        sha_update(&s, head, strlen(head));
        sha_update(&s, payload, strlen(payload));
        sha_update(&s, "\n", 1);
        sha_update(&s, prev, strlen(prev));
        char want[65];
        sha_hex(&s, want);
        if (strcmp(want, hash) != 0)
            fail_msg("dossier %lld event %zu (%s): served hash %s, recomputed %s over payload %s", id, i + 1, action, hash,
                     want, payload);
        free(payload);
        prev = hash;
    }
    json_t *d = get_ok(c, id);
    if (h_jint(d, "events") != (long long)json_array_size(ev) || h_jint(d, "version") != (long long)json_array_size(ev))
        fail_msg("dossier %lld: events %lld, version %lld, log holds %zu", id, h_jint(d, "events"), h_jint(d, "version"),
                 json_array_size(ev));
    const char *last = h_jstr(d, "last_hash");
    if (json_array_size(ev) > 0 && (!last || strcmp(last, prev) != 0))
        fail_msg("dossier %lld: last_hash %s, last event's hash %s", id, last ? last : "(none)", prev);
    return json_array_size(ev);
}

/* ==== group set-up =============================================================================== */

static int start_group(void **state) {
    (void)state;
    static const char *const args[] = {"--ip-lock-failures", "0", "--lock-failures", "100", NULL};
    S = h_server_start(args);
    memset(&K, 0, sizeof K);
    return S ? 0 : -1;
}

static int stop_group(void **state) {
    (void)state;
    h_client_free_all();
    h_server_free(S);
    S = NULL;
    return 0;
}

/* ==== 1. the declared types ======================================================================= */

static void types_are_declared(void **state) {
    (void)state;
    Client *c = h_client_as(S, "committee");
    Resp *r = h_get(c, "/api/v1/dossier-types");
    EXPECT_STATUS(r, 200);
    json_t *t = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) if (h_jstr(it, "type") && strcmp(h_jstr(it, "type"), "agreed_item") == 0) t = it;
    if (!t) FAIL_RESP(r, "no agreed_item type");
    EXPECT_TRUE_R(r, h_jstr(t, "labels.zh-CN") && h_jstr(t, "labels.en"));
    EXPECT_TRUE_R(r, h_jstr(t, "initial") && strcmp(h_jstr(t, "initial"), "registered") == 0);
    EXPECT_TRUE_R(r, has_str(h_jpath(t, "create.roles"), "committee") && has_str(h_jpath(t, "create.required"), "title"));
    static const char *const states[] = {"registered", "assigned", "in_progress", "returned", "done", "verified", "written_off"};
    for (size_t k = 0; k < 7; k++)
        if (!json_is_object(h_jpath(t, h_fmt("states.%s", states[k])))) FAIL_RESP(r, "no state %s", states[k]);
    EXPECT_TRUE_R(r, json_is_true(h_jpath(t, "states.written_off.final")));
    EXPECT_TRUE_R(r, h_jint(t, "states.in_progress.limit.normal") == 20 && h_jint(t, "states.in_progress.limit.urgent") == 5);
    static const char *const actions[] = {"assign", "accept", "return", "report_done", "verify", "reopen", "write_off", "carry", "supervise"};
    for (size_t k = 0; k < 9; k++) {
        json_t *a = h_jpath(t, h_fmt("actions.%s", actions[k]));
        if (!json_is_object(a) || !json_is_array(json_object_get(a, "from")) || !json_is_array(json_object_get(a, "roles")))
            FAIL_RESP(r, "action %s is not declared with from and roles", actions[k]);
    }
    EXPECT_TRUE_R(r, json_is_true(h_jpath(t, "actions.verify.not_by_handler")));
    EXPECT_TRUE_R(r, json_is_true(h_jpath(t, "actions.report_done.marks_handler")));
    EXPECT_TRUE_R(r, json_is_true(h_jpath(t, "actions.supervise.supervision")));
    EXPECT_TRUE_R(r, has_str(h_jpath(t, "actions.accept.roles"), "@handler"));
    EXPECT_TRUE_R(r, has_str(h_jpath(t, "actions.supervise.roles"), "@convener"));
    EXPECT_TRUE_R(r, h_jstr(t, "fields.priority.type") && strcmp(h_jstr(t, "fields.priority.type"), "enum") == 0);
    /* Every working role reads the types; the three administrators do not. */
    const char *readers[] = {"leader", "town", "community", "department", "enterprise", "inspector", "volunteer"};
    for (size_t k = 0; k < 7; k++) {
        Client *x = h_client_as(S, readers[k]);
        Resp *rr = h_get(x, "/api/v1/dossier-types");
        EXPECT_STATUS(rr, 200);
        h_client_free(x);
    }
    h_client_free(c);
}

/* ==== 2. opening a dossier ======================================================================= */

static void create_in_own_area(void **state) {
    (void)state;
    load_ids();
    Client *c = h_client_as(S, "committee");
    Resp *r = create_raw(c, AREA_LUOYANG, "西吟头村路灯改造",
                         json_pack("{s:s, s:I}", "body", "村道路灯损坏较多，夜间出行不便。\n需更换路灯 12 盏。", "org_id",
                                   (json_int_t)K.xiyintou));
    EXPECT_STATUS(r, 201);
    json_t *d = r->json;
    long long id = h_jint(d, "id");
    const char *loc = h_header(r, "Location");
    EXPECT_TRUE_R(r, loc && strcmp(loc, h_fmt("/api/v1/dossiers/%lld", id)) == 0);
    const char *etag = h_header(r, "ETag");
    EXPECT_TRUE_R(r, etag && strcmp(etag, "\"1\"") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(d, "type"), "agreed_item") == 0 && strcmp(h_jstr(d, "state"), "registered") == 0);
    EXPECT_TRUE_R(r, h_jint(d, "version") == 1 && h_jint(d, "events") == 1);
    EXPECT_TRUE_R(r, h_jint(d, "area_id") == AREA_LUOYANG && h_jstr(d, "area_name") && strcmp(h_jstr(d, "area_name"), "洛阳片区") == 0);
    EXPECT_TRUE_R(r, h_jint(d, "org_id") == K.xiyintou && strcmp(h_jstr(d, "org_name"), "西吟头村") == 0);
    EXPECT_TRUE_R(r, h_jint(d, "created_by") == K.u_committee);
    EXPECT_TRUE_R(r, strcmp(h_jstr(d, "priority"), "normal") == 0 && strcmp(h_jstr(d, "fields.priority"), "normal") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(d, "fields.body"), "村道路灯损坏较多，夜间出行不便。\n需更换路灯 12 盏。") == 0);
    /* The registered state's limit (3 working days for normal) runs from today. */
    EXPECT_TRUE_R(r, h_jint(d, "limit_days") == 3 && strcmp(h_jstr(d, "state_since"), K.today) == 0);
    EXPECT_TRUE_R(r, h_jstr(d, "due_on") && strcmp(h_jstr(d, "due_on"), K.today) > 0);
    EXPECT_TRUE_R(r, h_jstr(d, "warn_on") && strcmp(h_jstr(d, "warn_on"), h_jstr(d, "due_on")) <= 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(d, "time_status"), "green") == 0);
    /* carry is internal: taken through POST /meetings/{id}/carry, never offered here. */
    EXPECT_TRUE_R(r, same_set(h_jpath(d, "allowed_actions"), strs(c, "assign", NULL)));
    EXPECT_TRUE_R(r, json_is_null(h_jpath(d, "closed_on")) && json_is_null(h_jpath(d, "supervision_level")));
    /* An urgent item: the registered limit is 1 working day, yellow at once. */
    r = create_raw(c, AREA_LUOYANG, "紧急事项", json_pack("{s:s}", "priority", "urgent"));
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, h_jint(r->json, "limit_days") == 1 && strcmp(h_jstr(r->json, "time_status"), "yellow") == 0);
    /* GET answers the same record with its ETag. */
    Resp *g = h_get(c, "/api/v1/dossiers/%lld", id);
    EXPECT_STATUS(g, 200);
    EXPECT_TRUE_R(g, h_header(g, "ETag") && strcmp(h_header(g, "ETag"), "\"1\"") == 0);
    EXPECT_TRUE_R(g, strcmp(h_jstr(g->json, "title"), "西吟头村路灯改造") == 0);
    /* The leader opens dossiers in any area. */
    Client *l = h_client_as(S, "leader");
    create_ok(l, AREA_OTHER, "区领导交办事项", NULL);
    h_client_free(l);
    h_client_free(c);
}

static void create_refused_by_role_and_scope(void **state) {
    (void)state;
    load_ids();
    Client *c = h_client_as(S, "committee");
    /* Another committee's area: not in the committee's scope, so not a valid reference. */
    Resp *other = create_raw(c, AREA_OTHER, "越界事项", NULL);
    EXPECT_PROBLEM(other, 422, "validation");
    EXPECT_FIELD_ERROR(other, "area_id", "reference");
    /* Roles the type does not let open one. */
    const char *others[] = {"town", "community", "department", "enterprise", "inspector", "volunteer"};
    for (size_t k = 0; k < 6; k++) {
        Client *x = h_client_as(S, others[k]);
        EXPECT_PROBLEM(create_raw(x, AREA_LUOYANG, "无权登记", NULL), 403, "forbidden");
        h_client_free(x);
    }
    /* The three administrators have no dossier capability at all. */
    const char *admins[] = {"admin", "secadmin", "auditor"};
    for (size_t k = 0; k < 3; k++) {
        Client *x = h_client_as(S, admins[k]);
        EXPECT_PROBLEM(create_raw(x, AREA_LUOYANG, "管理员登记", NULL), 403, "forbidden");
        h_client_free(x);
    }
    /* Out of scope or missing areas and organisations are reference errors. */
    Client *l = h_client_as(S, "leader");
    Resp *r = create_raw(l, 99999, "不存在的片区", NULL);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "area_id", "reference");
    r = create_raw(c, AREA_LUOYANG, "不存在的单位", json_pack("{s:i, s:i}", "org_id", 999999, "handler_org_id", 999999));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "org_id", "reference");
    EXPECT_FIELD_ERROR(r, "handler_org_id", "reference");
    /* A committee names organisations among its area's members (and below); a handler anywhere. */
    r = create_raw(c, AREA_LUOYANG, "范围外的单位", json_pack("{s:I}", "org_id", (json_int_t)K.dongyuan));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "org_id", "reference");
    create_ok(c, AREA_LUOYANG, "区级部门承办", json_pack("{s:I}", "handler_org_id", (json_int_t)K.econ));
    h_client_free(l);
    h_client_free(c);
}

static void create_field_errors_name_the_field(void **state) {
    (void)state;
    Client *c = h_client_as(S, "committee");
    Client *l = h_client_as(S, "leader");
    /* No title. */
    Resp *r = h_send(c, "POST", "/api/v1/dossiers", json_pack("{s:s, s:i}", "type", "agreed_item", "area_id", AREA_LUOYANG));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "title", "required");
    r = create_raw(c, AREA_LUOYANG, "", NULL);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "title", "required");
    /* Too long (201 characters of Chinese: counted in characters, not bytes). */
    char title[201 * 3 + 1] = "";
    for (int i = 0; i < 201; i++) strcat(title, "事");
    r = create_raw(c, AREA_LUOYANG, title, NULL);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "title", "max_length");
    title[200 * 3] = 0;
    create_ok(c, AREA_LUOYANG, title, NULL);
    /* Unknown or missing type. */
    r = h_send(c, "POST", "/api/v1/dossiers", json_pack("{s:s, s:s, s:i}", "type", "complaint", "title", "x", "area_id", 1));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "type", "enum");
    json_t *e0 = h_jpath(r->json, "errors[0].params.allowed");
    EXPECT_TRUE_R(r, has_str(e0, "agreed_item"));
    r = h_send(c, "POST", "/api/v1/dossiers", json_pack("{s:s, s:i}", "title", "x", "area_id", 1));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "type", "required");
    /* Enumerations, types and ranges. */
    r = create_raw(c, AREA_LUOYANG, "优先级", json_pack("{s:s}", "priority", "critical"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "priority", "enum");
    r = create_raw(c, AREA_LUOYANG, "类型", json_pack("{s:s, s:i}", "org_id", "三", "body", 5));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "org_id", "type");
    EXPECT_FIELD_ERROR(r, "body", "type");
    /* A control character in a one-line field. */
    r = create_raw(c, AREA_LUOYANG, "标题\n换行", NULL);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "title", NULL);
    /* The leader without an area: the missing field is named. */
    r = h_send(l, "POST", "/api/v1/dossiers", json_pack("{s:s, s:s}", "type", "agreed_item", "title", "无片区"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "area_id", "required");
    /* Not JSON / not an object. */
    r = h_req(c, "POST", "/api/v1/dossiers", "application/json", "{\"type\":", 8);
    EXPECT_PROBLEM(r, 400, "bad-request");
    r = h_req(c, "POST", "/api/v1/dossiers", "text/plain", "x", 1);
    EXPECT_PROBLEM(r, 415, "unsupported-media-type");
    h_client_free(l);
    h_client_free(c);
}

/* A committee that leaves out area_id made a validation mistake, not a role one: the answer should
 * be 422 naming area_id (docs/api.md: "the message names the field and the rule"). */
static void create_by_committee_without_area_names_the_field(void **state) {
    (void)state;
    Client *c = h_client_as(S, "committee");
    Resp *r = h_send(c, "POST", "/api/v1/dossiers", json_pack("{s:s, s:s}", "type", "agreed_item", "title", "漏填片区"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "area_id", "required");
    h_client_free(c);
}

/* ==== 3. the lifecycle =========================================================================== */

/* Every action of the served declaration in every state: from a state it lists → 200 and the
 * declared next state (or the same state); from any other → 409 with state and allowed_actions.
 * carry goes through POST /meetings/{id}/carry (the route that records it on the meeting). */
static void every_action_in_every_state(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    Resp *tr = h_get(c.committee, "/api/v1/dossier-types");
    EXPECT_STATUS(tr, 200);
    json_t *t = NULL;
    size_t ti;
    json_t *tv;
    json_array_foreach(items_of(tr), ti, tv) if (h_jstr(tv, "type") && strcmp(h_jstr(tv, "type"), "agreed_item") == 0) t = tv;
    if (!t) FAIL_RESP(tr, "no agreed_item type");
    json_t *states = h_jpath(t, "states"), *actions = h_jpath(t, "actions");
    long long early = meeting_ok(c.committee, AREA_LUOYANG, "状态表测试·前次会议", "2026-01-06");
    long long later = meeting_ok(c.committee, AREA_LUOYANG, "状态表测试·后次会议", "2026-02-06");
    const char *sname;
    json_t *sdecl;
    int allowed_checked = 0, refused_checked = 0;
    json_object_foreach(states, sname, sdecl) {
        /* One dossier sits in this state for the refusals. */
        long long sitting = create_ok(c.committee, AREA_LUOYANG, h_fmt("停留在%s", sname), NULL);
        drive(&c, sitting, sname);
        json_t *d = get_ok(c.committee, sitting);
        long long version = h_jint(d, "version");
        const char *aname;
        json_t *adecl;
        json_object_foreach(actions, aname, adecl) {
            bool allowed = has_str(json_object_get(adecl, "from"), sname);
            Client *who = crew_for(&c, actor_for(aname));
            if (!allowed) {
                Resp *r = strcmp(aname, "carry") == 0
                              ? h_send(who, "POST", h_fmt("/api/v1/meetings/%lld/carry", later), json_pack("{s:I}", "dossier_id", (json_int_t)sitting))
                              : act(who, sitting, aname, fields_for(aname), 0);
                if (strcmp(aname, "carry") == 0) {
                    /* Only an open item of an earlier meeting can be carried. */
                    if (r->status != 409 && r->status != 422) FAIL_RESP(r, "carry from %s: expected 409 or 422", sname);
                } else {
                    expect_state_conflict(r, sname);
                    json_t *mine = get_ok(who, sitting);
                    if (!same_set(h_jpath(r->json, "allowed_actions"), h_jpath(mine, "allowed_actions")))
                        FAIL_RESP(r, "allowed_actions in the 409 differ from GET's for %s", actor_for(aname));
                }
                refused_checked++;
                continue;
            }
            /* Allowed: a fresh dossier in this state takes the action. */
            long long id;
            if (strcmp(aname, "carry") == 0) {
                Resp *ir = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", early),
                                  json_pack("{s:s}", "title", h_fmt("转入测试%s", sname)));
                EXPECT_STATUS(ir, 201);
                id = h_jint(ir->json, "id");
            } else {
                id = create_ok(c.committee, AREA_LUOYANG, h_fmt("%s于%s", aname, sname), NULL);
            }
            drive(&c, id, sname);
            long long v0 = h_jint(get_ok(c.committee, id), "version");
            json_t *mine = get_ok(who, id);
            bool internal = json_is_true(json_object_get(adecl, "internal"));
            if (internal == has_str(h_jpath(mine, "allowed_actions"), aname))
                fail_msg("%s in %s: %s's allowed_actions %s it", aname, sname, actor_for(aname), internal ? "offer" : "lack");
            const char *to = h_jstr(adecl, "to");
            Resp *r;
            if (strcmp(aname, "carry") == 0) {
                r = h_send(who, "POST", h_fmt("/api/v1/meetings/%lld/carry", later), json_pack("{s:I}", "dossier_id", (json_int_t)id));
                EXPECT_STATUS(r, 200);
            } else {
                r = act(who, id, aname, fields_for(aname), v0);
                EXPECT_STATUS(r, 200);
            }
            json_t *after = get_ok(c.committee, id);
            const char *now = h_jstr(after, "state");
            if (!now || strcmp(now, to ? to : sname) != 0)
                fail_msg("%s from %s: expected state %s, found %s", aname, sname, to ? to : sname, now ? now : "(none)");
            if (h_jint(after, "version") != v0 + 1) fail_msg("%s from %s: version %lld after %lld", aname, sname, h_jint(after, "version"), v0);
            json_t *ev = events_of(c.committee, id);
            json_t *last = json_array_get(ev, json_array_size(ev) - 1);
            if (!h_jstr(last, "action") || strcmp(h_jstr(last, "action"), aname) != 0 || !h_jstr(last, "from_state") ||
                strcmp(h_jstr(last, "from_state"), sname) != 0)
                fail_msg("%s from %s: the last event is %s from %s", aname, sname, h_jstr(last, "action") ? h_jstr(last, "action") : "?",
                         h_jstr(last, "from_state") ? h_jstr(last, "from_state") : "?");
            allowed_checked++;
        }
        /* The refusals wrote nothing. */
        long long v1 = h_jint(get_ok(c.committee, sitting), "version");
        if (v1 != version) fail_msg("refused actions in %s changed the version from %lld to %lld", sname, version, v1);
    }
    /* Every (state, action) pair was tried; the allowed ones are the declaration's from lists. */
    const char *aname_total;
    json_t *adecl_total;
    assert_int_equal(allowed_checked + refused_checked, (int)(json_object_size(states) * json_object_size(actions)));
    int pairs = 0;
    json_object_foreach(actions, aname_total, adecl_total) pairs += (int)json_array_size(json_object_get(adecl_total, "from"));
    assert_int_equal(allowed_checked, pairs);
}

/* The actions each account sees in each state (allowed_actions of GET), for a matter handled by
 * 洛阳镇: the town as handler, the community (below the handler, in the area) sees none. */
static void allowed_actions_per_account(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    static const struct {
        const char *state;
        const char *town[3];
    } want[] = {
        {"registered", {NULL}},
        {"assigned", {"accept", "return", NULL}},
        {"in_progress", {"return", "report_done", NULL}},
        {"returned", {NULL}},
        {"done", {"return", NULL}},
        {"verified", {"return", NULL}},
        {"written_off", {NULL}},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        long long id = create_ok(c.committee, AREA_LUOYANG, h_fmt("可办动作%s", want[k].state),
                                 json_pack("{s:I}", "handler_org_id", (json_int_t)K.luoyang));
        drive(&c, id, want[k].state);
        json_t *exp = h_client_own(c.town, json_array());
        for (int i = 0; want[k].town[i]; i++) json_array_append_new(exp, json_string(want[k].town[i]));
        json_t *t = get_ok(c.town, id);
        if (!same_set(h_jpath(t, "allowed_actions"), exp)) {
            char *got = json_dumps(h_jpath(t, "allowed_actions"), JSON_COMPACT);
            fail_msg("town in %s: allowed_actions %s", want[k].state, got);
        }
        json_t *m = get_ok(c.community, id);
        if (json_array_size(h_jpath(m, "allowed_actions")) != 0) fail_msg("community in %s has allowed_actions", want[k].state);
    }
    /* The written-off matter: nothing for anyone, each action answers 409. */
    long long id = create_ok(c.committee, AREA_LUOYANG, "已销号事项", NULL);
    drive(&c, id, "written_off");
    json_t *d = get_ok(c.committee, id);
    EXPECT_TRUE_R(NULL, json_array_size(h_jpath(d, "allowed_actions")) == 0);
    if (strcmp(h_jstr(d, "time_status"), "none") != 0 || !json_is_null(h_jpath(d, "due_on")) ||
        !h_jstr(d, "closed_on") || strcmp(h_jstr(d, "closed_on"), K.today) != 0)
        fail_msg("a written-off matter: time_status %s, closed_on %s", h_jstr(d, "time_status"),
                 h_jstr(d, "closed_on") ? h_jstr(d, "closed_on") : "null");
    const char *all[] = {"assign", "accept", "return", "report_done", "verify", "reopen", "write_off", "carry", "supervise"};
    for (size_t k = 0; k < 9; k++) {
        Resp *r = act(c.leader, id, all[k], fields_for(all[k]), 0);
        expect_state_conflict(r, "written_off");
        EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "allowed_actions")) == 0);
    }
}

/* A walk through the whole life with the fields each step records. */
static void lifecycle_records_each_step(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long id = create_ok(c.committee, AREA_LUOYANG, "后亭村排水沟清淤", json_pack("{s:s}", "body", "雨季前完成"));
    json_t *d = act_ok(c.committee, id, "assign", json_pack("{s:I, s:i}", "handler_org_id", (json_int_t)K.luoyang, "limit_days", 7), "assigned");
    EXPECT_TRUE_R(NULL, h_jint(d, "handler_org_id") == K.luoyang && strcmp(h_jstr(d, "handler_org_name"), "洛阳镇") == 0);
    if (h_jint(d, "limit_days") != 7) fail_msg("assign with limit_days 7: limit_days %lld", h_jint(d, "limit_days"));
    d = act_ok(c.town, id, "return", json_pack("{s:s}", "reason", "不属于本镇职责"), "returned");
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "fields.reason"), "不属于本镇职责") == 0);
    EXPECT_TRUE_R(NULL, h_jint(d, "limit_days") == 3);
    d = act_ok(c.committee, id, "assign", json_pack("{s:I}", "handler_org_id", (json_int_t)K.luoyang), "assigned");
    EXPECT_TRUE_R(NULL, h_jint(d, "limit_days") == 3);
    d = act_ok(c.town, id, "accept", NULL, "in_progress");
    if (h_jint(d, "limit_days") != 20) fail_msg("in_progress (normal): limit_days %lld, declared 20", h_jint(d, "limit_days"));
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "state_since"), K.today) == 0);
    d = act_ok(c.town, id, "report_done", json_pack("{s:s, s:s}", "result", "已清淤 300 米", "evidence", "照片 4 张"), "done");
    if (h_jint(d, "handled_by") != K.u_town || !h_jstr(d, "handled_by_name"))
        fail_msg("report_done by town: handled_by %lld (town is %lld)", h_jint(d, "handled_by"), K.u_town);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "fields.result"), "已清淤 300 米") == 0 && strcmp(h_jstr(d, "fields.evidence"), "照片 4 张") == 0);
    d = act_ok(c.committee, id, "reopen", json_pack("{s:s}", "reason", "仍有积水"), "in_progress");
    d = act_ok(c.town, id, "report_done", json_pack("{s:s}", "result", "已加装排水管"), "done");
    d = act_ok(c.committee, id, "verify", json_pack("{s:s}", "conclusion", "同意验收"), "verified");
    d = act_ok(c.leader, id, "reopen", json_pack("{s:s}", "reason", "抽查发现问题"), "in_progress");
    d = act_ok(c.town, id, "report_done", json_pack("{s:s}", "result", "已整改"), "done");
    d = act_ok(c.committee, id, "verify", json_pack("{s:s}", "conclusion", "整改到位"), "verified");
    d = act_ok(c.committee, id, "write_off", NULL, "written_off");
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "closed_on"), K.today) == 0);
    json_t *ev = events_of(c.committee, id);
    static const char *const trail[] = {"create", "assign", "return", "assign", "accept", "report_done", "reopen", "report_done",
                                        "verify", "reopen", "report_done", "verify", "write_off"};
    if (json_array_size(ev) != 13) fail_msg("13 events expected, found %zu", json_array_size(ev));
    for (size_t k = 0; k < 13; k++) {
        json_t *e = json_array_get(ev, k);
        if (strcmp(h_jstr(e, "action"), trail[k]) != 0) fail_msg("event %zu is %s, expected %s", k + 1, h_jstr(e, "action"), trail[k]);
        if (k > 0) {
            /* Each event starts where the previous one ended. */
            const char *prev_to = h_jstr(json_array_get(ev, k - 1), "to_state");
            if (!prev_to || !h_jstr(e, "from_state") || strcmp(prev_to, h_jstr(e, "from_state")) != 0)
                fail_msg("event %zu starts from %s, the previous ended in %s", k + 1, h_jstr(e, "from_state"), prev_to);
        }
        const char *on = h_jstr(e, "payload.on");
        if (!on || strcmp(on, K.today) != 0) fail_msg("event %zu: payload.on %s", k + 1, on ? on : "(none)");
    }
    /* State changes carry the clock; the final one clears it. */
    json_t *acc = json_array_get(ev, 4);
    EXPECT_TRUE_R(NULL, h_jint(acc, "payload.clock.limit_days") == 20 && h_jstr(acc, "payload.clock.due_on"));
    EXPECT_TRUE_R(NULL, json_is_null(h_jpath(json_array_get(ev, 12), "payload.clock")));
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(json_array_get(ev, 2), "username"), "town") == 0 && h_jstr(json_array_get(ev, 2), "display_name"));
    check_chain(c.committee, id);
}

static void action_field_errors(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long id = create_ok(c.committee, AREA_LUOYANG, "字段校验", NULL);
    Resp *r = act(c.committee, id, "assign", NULL, 0);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "handler_org_id", "required");
    r = act(c.committee, id, "assign", json_pack("{s:i}", "handler_org_id", 999999), 0);
    EXPECT_FIELD_ERROR(r, "handler_org_id", "reference");
    r = act(c.committee, id, "assign", json_pack("{s:I, s:i}", "handler_org_id", (json_int_t)K.luoyang, "limit_days", 0), 0);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "limit_days", "range");
    r = act(c.committee, id, "assign", json_pack("{s:I, s:s}", "handler_org_id", (json_int_t)K.luoyang, "limit_days", "五"), 0);
    EXPECT_FIELD_ERROR(r, "limit_days", "type");
    r = act(c.leader, id, "supervise", json_pack("{s:s}", "level", "severe"), 0);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "level", "enum");
    EXPECT_FIELD_ERROR(r, "limit_days", "required");
    /* None of these wrote anything. */
    EXPECT_TRUE_R(NULL, h_jint(get_ok(c.committee, id), "version") == 1);
    act_ok(c.committee, id, "assign", fields_for("assign"), "assigned");
    /* return needs a reason: missing, empty, or only in another field. */
    r = act(c.town, id, "return", NULL, 0);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "reason", "required");
    r = act(c.town, id, "return", json_pack("{s:s}", "reason", ""), 0);
    EXPECT_FIELD_ERROR(r, "reason", "required");
    r = act(c.town, id, "return", json_pack("{s:s}", "result", "理由写错了地方"), 0);
    EXPECT_FIELD_ERROR(r, "reason", "required");
    act_ok(c.town, id, "return", fields_for("return"), "returned");
    act_ok(c.committee, id, "assign", fields_for("assign"), "assigned");
    act_ok(c.town, id, "accept", NULL, "in_progress");
    r = act(c.town, id, "report_done", json_pack("{s:s}", "evidence", "只有佐证"), 0);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "result", "required");
    act_ok(c.town, id, "report_done", fields_for("report_done"), "done");
    r = act(c.committee, id, "verify", NULL, 0);
    EXPECT_FIELD_ERROR(r, "conclusion", "required");
    r = act(c.committee, id, "reopen", NULL, 0);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "reason", "required");
    act_ok(c.committee, id, "verify", fields_for("verify"), "verified");
    r = act(c.committee, id, "reopen", json_pack("{s:s}", "reason", ""), 0);
    EXPECT_FIELD_ERROR(r, "reason", "required");
    act_ok(c.committee, id, "reopen", fields_for("reopen"), "in_progress");
    /* Not an object. */
    r = h_req(c.committee, "POST", h_fmt("/api/v1/dossiers/%lld/actions/return", id), "application/json", "[1]", 3);
    if (r->status != 400 && r->status != 422) FAIL_RESP(r, "an array body: expected 400 or 422");
}

static void role_refusals_answer_403(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long id = create_ok(c.committee, AREA_LUOYANG, "角色校验", json_pack("{s:I}", "org_id", (json_int_t)K.xiyintou));
    /* The community sees the matter (its area) but may not run it. */
    EXPECT_PROBLEM(act(c.community, id, "assign", fields_for("assign"), 0), 403, "forbidden");
    EXPECT_PROBLEM(act(c.town, id, "assign", fields_for("assign"), 0), 403, "forbidden");
    /* The committee is neither a leader nor the convener. */
    EXPECT_PROBLEM(act(c.committee, id, "supervise", fields_for("supervise"), 0), 403, "forbidden");
    EXPECT_PROBLEM(act(c.town, id, "supervise", fields_for("supervise"), 0), 403, "forbidden");
    act_ok(c.committee, id, "assign", fields_for("assign"), "assigned");
    /* 西吟头村 is below the handler 洛阳镇, not above it: not the handler. */
    EXPECT_PROBLEM(act(c.community, id, "accept", NULL, 0), 403, "forbidden");
    act_ok(c.town, id, "accept", NULL, "in_progress");
    EXPECT_PROBLEM(act(c.community, id, "report_done", fields_for("report_done"), 0), 403, "forbidden");
    act_ok(c.town, id, "report_done", fields_for("report_done"), "done");
    /* Verification is the committee's or a leader's. */
    EXPECT_PROBLEM(act(c.community, id, "verify", fields_for("verify"), 0), 403, "forbidden");
    EXPECT_PROBLEM(act(c.town, id, "verify", fields_for("verify"), 0), 403, "forbidden");
    EXPECT_PROBLEM(act(c.town, id, "reopen", fields_for("reopen"), 0), 403, "forbidden");
    act_ok(c.committee, id, "verify", fields_for("verify"), "verified");
    EXPECT_PROBLEM(act(c.town, id, "write_off", NULL, 0), 403, "forbidden");
    EXPECT_PROBLEM(act(c.community, id, "write_off", NULL, 0), 403, "forbidden");
    /* None of the refusals wrote an event. */
    EXPECT_TRUE_R(NULL, json_array_size(events_of(c.committee, id)) == 5);
    /* A department handles matters handed to it, not others'. */
    Client *dep = h_client_as(S, "department");
    long long mine = create_ok(c.committee, AREA_LUOYANG, "部门承办", json_pack("{s:I}", "handler_org_id", (json_int_t)K.econ));
    act_ok(c.committee, mine, "assign", json_pack("{s:I}", "handler_org_id", (json_int_t)K.econ), "assigned");
    act_ok(dep, mine, "accept", NULL, "in_progress");
    long long theirs = create_ok(c.committee, AREA_LUOYANG, "镇里承办", NULL);
    act_ok(c.committee, theirs, "assign", fields_for("assign"), "assigned");
    EXPECT_PROBLEM(act(dep, theirs, "accept", NULL, 0), 404, "not-found");
    h_client_free(dep);
}

/* Whoever reported a matter done may not verify or write it off. The leader's organisation is
 * the district, above every handler, so the leader is the handler of a matter handed to 洛阳镇. */
static void reporter_may_not_verify_or_write_off(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    /* Handed to the district itself: its leader is then the handler (people of the district
     * handle only what is handed to the district). */
    long long id = create_ok(c.committee, AREA_LUOYANG, "领导自办事项", NULL);
    act_ok(c.committee, id, "assign", json_pack("{s:i}", "handler_org_id", 1), "assigned");
    act_ok(c.leader, id, "accept", NULL, "in_progress");
    json_t *d = act_ok(c.leader, id, "report_done", fields_for("report_done"), "done");
    if (h_jint(d, "handled_by") != K.u_leader) fail_msg("handled_by %lld, the leader is %lld", h_jint(d, "handled_by"), K.u_leader);
    /* The leader's allowed actions no longer hold verify; the committee's do. */
    EXPECT_TRUE_R(NULL, !has_str(h_jpath(get_ok(c.leader, id), "allowed_actions"), "verify"));
    EXPECT_TRUE_R(NULL, has_str(h_jpath(get_ok(c.committee, id), "allowed_actions"), "verify"));
    Resp *r = act(c.leader, id, "verify", fields_for("verify"), 0);
    EXPECT_PROBLEM(r, 403, "forbidden");
    act_ok(c.committee, id, "verify", fields_for("verify"), "verified");
    EXPECT_TRUE_R(NULL, !has_str(h_jpath(get_ok(c.leader, id), "allowed_actions"), "write_off"));
    EXPECT_PROBLEM(act(c.leader, id, "write_off", NULL, 0), 403, "forbidden");
    act_ok(c.committee, id, "write_off", NULL, "written_off");
    /* The same for the town that reported. */
    long long t = create_ok(c.committee, AREA_LUOYANG, "镇里办结事项", NULL);
    drive(&c, t, "done");
    EXPECT_TRUE_R(NULL, h_jint(get_ok(c.town, t), "handled_by") == K.u_town);
    EXPECT_PROBLEM(act(c.town, t, "verify", fields_for("verify"), 0), 403, "forbidden");
}

static void stale_if_match_answers_412(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long id = create_ok(c.committee, AREA_LUOYANG, "版本校验", NULL);
    Resp *r = act(c.committee, id, "assign", fields_for("assign"), 1);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 2 && h_header(r, "ETag") && strcmp(h_header(r, "ETag"), "\"2\"") == 0);
    /* The old version again, or one from the future. */
    r = act(c.town, id, "accept", NULL, 1);
    EXPECT_PROBLEM(r, 412, "precondition-failed");
    EXPECT_TRUE_R(r, h_jint(r->json, "current_version") == 2);
    r = act(c.town, id, "accept", NULL, 9);
    EXPECT_PROBLEM(r, 412, "precondition-failed");
    /* Not a version at all. */
    h_client_header(c.town, "If-Match: \"abc\"");
    r = h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/actions/accept", id), json_object());
    EXPECT_PROBLEM(r, 412, "precondition-failed");
    EXPECT_TRUE_R(NULL, h_jint(get_ok(c.committee, id), "version") == 2);
    /* A weak tag and * are accepted. */
    h_client_header(c.town, "If-Match: W/\"2\"");
    r = h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/actions/accept", id), json_object());
    EXPECT_STATUS(r, 200);
    h_client_header(c.town, "If-Match: *");
    r = h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/actions/report_done", id), fields_for("report_done"));
    EXPECT_STATUS(r, 200);
    /* 412 comes before the state check: a stale version of an impossible action is still 412. */
    r = act(c.committee, id, "assign", fields_for("assign"), 2);
    EXPECT_PROBLEM(r, 412, "precondition-failed");
    /* Comments are not versioned writes, but they move the version. */
    EXPECT_STATUS(h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", "已上传照片")), 201);
    r = act(c.committee, id, "verify", fields_for("verify"), 4);
    EXPECT_PROBLEM(r, 412, "precondition-failed");
    EXPECT_TRUE_R(r, h_jint(r->json, "current_version") == 5);
    EXPECT_STATUS(act(c.committee, id, "verify", fields_for("verify"), 5), 200);
}

static void unknown_actions_and_records_answer_404(void **state) {
    (void)state;
    Client *c = h_client_as(S, "committee");
    long long id = create_ok(c, AREA_LUOYANG, "未知动作", NULL);
    EXPECT_PROBLEM(act(c, id, "approve", NULL, 0), 404, "not-found");
    EXPECT_PROBLEM(act(c, id, "create", NULL, 0), 404, "not-found");
    EXPECT_PROBLEM(act(c, id, "comment", NULL, 0), 404, "not-found");
    EXPECT_PROBLEM(act(c, 99999999, "assign", fields_for("assign"), 0), 404, "not-found");
    EXPECT_PROBLEM(h_get(c, "/api/v1/dossiers/99999999"), 404, "not-found");
    EXPECT_PROBLEM(h_get(c, "/api/v1/dossiers/99999999/events"), 404, "not-found");
    EXPECT_PROBLEM(h_send(c, "POST", "/api/v1/dossiers/99999999/comments", json_pack("{s:s}", "body", "x")), 404, "not-found");
    EXPECT_PROBLEM(h_get(c, "/api/v1/dossiers/abc"), 404, "not-found");
    EXPECT_PROBLEM(h_get(c, "/api/v1/dossiers/0"), 404, "not-found");
    EXPECT_PROBLEM(h_get(c, "/api/v1/meetings/99999999"), 404, "not-found");
    /* The method is checked: GET on an action route. */
    Resp *r = h_get(c, "/api/v1/dossiers/%lld/actions/assign", id);
    EXPECT_PROBLEM(r, 405, "method-not-allowed");
    EXPECT_TRUE_R(NULL, h_jint(get_ok(c, id), "version") == 1);
    h_client_free(c);
}

/* ==== 4. scope ==================================================================================== */

static void scope_per_role(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    Client *dep = h_client_as(S, "department");
    /* Area 3 (东园片区): nothing of 洛阳镇 in it. */
    long long far = create_ok(c.leader, AREA_DONGYUAN, "东园片区内部事项", NULL);
    long long to_luoyang = create_ok(c.leader, AREA_DONGYUAN, "东园片区交洛阳镇", NULL);
    act_ok(c.leader, to_luoyang, "assign", fields_for("assign"), "assigned");
    long long to_dongyuan = create_ok(c.leader, AREA_DONGYUAN, "东园片区交东园镇", NULL);
    act_ok(c.leader, to_dongyuan, "assign", json_pack("{s:I}", "handler_org_id", (json_int_t)K.dongyuan), "assigned");
    long long to_econ = create_ok(c.leader, AREA_DONGYUAN, "东园片区交经发局", NULL);
    act_ok(c.leader, to_econ, "assign", json_pack("{s:I}", "handler_org_id", (json_int_t)K.econ), "assigned");
    long long own_area = create_ok(c.committee, AREA_LUOYANG, "本片区事项", NULL);

    /* The community (西吟头村, area 1) sees its area, not area 3: 404 everywhere. */
    get_ok(c.community, own_area);
    EXPECT_PROBLEM(h_get(c.community, "/api/v1/dossiers/%lld", far), 404, "not-found");
    EXPECT_PROBLEM(h_get(c.community, "/api/v1/dossiers/%lld/events", far), 404, "not-found");
    EXPECT_PROBLEM(h_send(c.community, "POST", h_fmt("/api/v1/dossiers/%lld/comments", far), json_pack("{s:s}", "body", "看不见")), 404, "not-found");
    EXPECT_PROBLEM(act(c.community, far, "assign", fields_for("assign"), 0), 404, "not-found");
    EXPECT_PROBLEM(h_get(c.community, "/api/v1/dossiers/%lld", to_luoyang), 404, "not-found");
    /* (Published projects are visible to every reader of dossiers: only matters are scoped.) */
    Resp *r = h_get(c.community, "/api/v1/dossiers?type=agreed_item&area_id=%d&limit=200", AREA_DONGYUAN);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_array_size(items_of(r)) == 0);
    /* The committee sees its own area only. */
    EXPECT_PROBLEM(h_get(c.committee, "/api/v1/dossiers/%lld", far), 404, "not-found");
    EXPECT_PROBLEM(act(c.committee, far, "assign", fields_for("assign"), 0), 404, "not-found");
    /* The town sees what 洛阳镇 handles, even in another area, and handles it. */
    get_ok(c.town, to_luoyang);
    EXPECT_PROBLEM(h_get(c.town, "/api/v1/dossiers/%lld", far), 404, "not-found");
    EXPECT_PROBLEM(h_get(c.town, "/api/v1/dossiers/%lld", to_dongyuan), 404, "not-found");
    r = h_get(c.town, "/api/v1/dossiers?handler_org_id=%lld&limit=200", K.luoyang);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, has_id(items_of(r), "id", to_luoyang));
    r = h_get(c.town, "/api/v1/dossiers?area_id=%d&limit=200", AREA_DONGYUAN);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, has_id(items_of(r), "id", to_luoyang) && !has_id(items_of(r), "id", far) && !has_id(items_of(r), "id", to_dongyuan));
    act_ok(c.town, to_luoyang, "accept", NULL, "in_progress");
    /* The department sees the matters of its own organisation only. */
    get_ok(dep, to_econ);
    EXPECT_PROBLEM(h_get(dep, "/api/v1/dossiers/%lld", far), 404, "not-found");
    EXPECT_PROBLEM(h_get(dep, "/api/v1/dossiers/%lld", own_area), 404, "not-found");
    r = h_get(dep, "/api/v1/dossiers?limit=200");
    EXPECT_STATUS(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) {
        if (strcmp(h_jstr(it, "type"), "bounty") == 0) continue; /* published projects: public */
        if (h_jint(it, "handler_org_id") != K.econ && h_jint(it, "org_id") != K.econ)
            FAIL_RESP(r, "the department lists dossier %lld (handler %lld), not its own", h_jint(it, "id"), h_jint(it, "handler_org_id"));
    }
    EXPECT_TRUE_R(r, has_id(items_of(r), "id", to_econ));
    /* The leader sees everything. */
    get_ok(c.leader, far);
    get_ok(c.leader, own_area);
    h_client_free(dep);
}

static void administrators_have_no_dossiers(void **state) {
    (void)state;
    Client *c = h_client_as(S, "committee");
    long long id = create_ok(c, AREA_LUOYANG, "管理员不可见", NULL);
    long long m = meeting_ok(c, AREA_LUOYANG, "管理员不可见的会议", "2026-01-07");
    const char *admins[] = {"admin", "secadmin", "auditor"};
    for (size_t k = 0; k < 3; k++) {
        Client *x = h_client_as(S, admins[k]);
        EXPECT_PROBLEM(h_get(x, "/api/v1/dossiers"), 403, "forbidden");
        EXPECT_PROBLEM(h_get(x, "/api/v1/dossier-types"), 403, "forbidden");
        EXPECT_PROBLEM(h_get(x, "/api/v1/dossiers/%lld", id), 403, "forbidden");
        EXPECT_PROBLEM(h_get(x, "/api/v1/dossiers/%lld/events", id), 403, "forbidden");
        EXPECT_PROBLEM(act(x, id, "assign", fields_for("assign"), 0), 403, "forbidden");
        EXPECT_PROBLEM(h_send(x, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", "x")), 403, "forbidden");
        EXPECT_PROBLEM(h_get(x, "/api/v1/meetings"), 403, "forbidden");
        EXPECT_PROBLEM(h_get(x, "/api/v1/meetings/%lld", m), 403, "forbidden");
        EXPECT_PROBLEM(h_send(x, "POST", h_fmt("/api/v1/meetings/%lld/close", m), json_object()), 403, "forbidden");
        EXPECT_PROBLEM(h_get(x, "/api/v1/supervision"), 403, "forbidden");
        h_client_free(x);
    }
    /* Without a session: 401. */
    Client *anon = h_client(S);
    EXPECT_PROBLEM(h_get(anon, "/api/v1/dossiers"), 401, "unauthenticated");
    EXPECT_PROBLEM(h_get(anon, "/api/v1/dossiers/%lld", id), 401, "unauthenticated");
    h_client_free(anon);
    EXPECT_TRUE_R(NULL, h_jint(get_ok(c, id), "version") == 1);
    h_client_free(c);
}

/* ==== 5. the event log, comments, search ========================================================= */

static void events_form_a_hash_chain(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long id = create_ok(c.committee, AREA_LUOYANG, "哈希链校验", json_pack("{s:s}", "body", "引号\"、反斜杠\\、制表\t和换行\n都在内容里"));
    act_ok(c.committee, id, "assign", fields_for("assign"), "assigned");
    EXPECT_STATUS(h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", "收到，本周内到场查看。")), 201);
    act_ok(c.town, id, "accept", NULL, "in_progress");
    act_ok(c.leader, id, "supervise", json_pack("{s:s, s:i}", "level", "listed", "limit_days", 4), "in_progress");
    EXPECT_STATUS(h_send(c.community, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", "村民反映：😀 emoji 与 <script>")), 201);
    act_ok(c.town, id, "report_done", fields_for("report_done"), "done");
    /* An attachment is an event of the chain too (a tiny PNG: the signature and a few bytes). */
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    Resp *ar = h_req(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/attachments?name=%s", id, h_esc("现场照片.png")), "image/png", png,
                     sizeof png - 1);
    EXPECT_STATUS(ar, 201);
    size_t n = check_chain(c.committee, id);
    assert_int_equal(n, 8);
    json_t *ev = events_of(c.committee, id);
    json_t *first = json_array_get(ev, 0);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(first, "action"), "create") == 0 && json_is_null(h_jpath(first, "from_state")));
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(first, "to_state"), "registered") == 0 && strcmp(h_jstr(first, "payload.type"), "agreed_item") == 0);
    EXPECT_TRUE_R(NULL, h_jint(first, "user_id") == K.u_committee && strcmp(h_jstr(first, "username"), "committee") == 0);
    json_t *att = json_array_get(ev, 7);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(att, "action"), "attach") == 0 && h_jstr(att, "payload.attachment.sha256") &&
                            strcmp(h_jstr(att, "payload.attachment.name"), "现场照片.png") == 0 && json_is_null(h_jpath(att, "to_state")));
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(get_ok(c.committee, id), "state"), "done") == 0);
    /* The supervision event carries its own limit. */
    json_t *sup = json_array_get(ev, 4);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(sup, "action"), "supervise") == 0 && h_jint(sup, "payload.clock.limit_days") == 4);
    json_t *d = get_ok(c.committee, id);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "supervision_level"), "listed") == 0 && h_jint(d, "supervisions") == 1);
    /* Everyone who can see the dossier reads the same log. */
    json_t *again = events_of(c.community, id);
    char *a = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS), *b = json_dumps(again, JSON_COMPACT | JSON_SORT_KEYS);
    bool same = strcmp(a, b) == 0;
    free(a);
    free(b);
    assert_true(same);
    /* A demo dossier with a long history checks out too. */
    Resp *r = h_get(c.leader, "/api/v1/dossiers?state=written_off&limit=5");
    EXPECT_STATUS(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) check_chain(c.leader, h_jint(it, "id"));
}

static void comments_are_events(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long id = create_ok(c.committee, AREA_LUOYANG, "评论测试", NULL);
    const char *text = "第一行：群众意见\n第二行：「已记录」 & <b>不是 HTML</b>";
    Resp *r = h_send(c.community, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", text));
    EXPECT_STATUS(r, 201);
    /* Answered with the comment's event and the dossier's new head. */
    EXPECT_TRUE_R(r, h_jint(r->json, "seq") == 2 && strcmp(h_jstr(r->json, "action"), "comment") == 0 &&
                         strcmp(h_jstr(r->json, "payload.comment"), text) == 0 &&
                         h_jint(r->json, "dossier.id") == id && h_jint(r->json, "dossier.version") == 2 &&
                         h_jint(r->json, "dossier.events") == 2);
    json_t *ev = events_of(c.committee, id);
    json_t *e = json_array_get(ev, 1);
    EXPECT_TRUE_R(r, strcmp(h_jstr(e, "hash"), h_jstr(r->json, "hash")) == 0 &&
                         strcmp(h_jstr(e, "prev_hash"), h_jstr(r->json, "prev_hash")) == 0 &&
                         strcmp(h_jstr(e, "at"), h_jstr(r->json, "at")) == 0 &&
                         strcmp(h_jstr(r->json, "dossier.last_hash"), h_jstr(r->json, "hash")) == 0);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(e, "action"), "comment") == 0);
    EXPECT_TRUE_R(NULL, h_jstr(e, "payload.comment") && strcmp(h_jstr(e, "payload.comment"), text) == 0);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(e, "username"), "community") == 0 && json_is_null(h_jpath(e, "to_state")));
    /* A comment does not move the state or its clock. */
    json_t *d = get_ok(c.committee, id);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "state"), "registered") == 0 && h_jint(d, "limit_days") == 3);
    /* Field errors. */
    r = h_send(c.committee, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_object());
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "body", "required");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", ""));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "body", NULL);
    char *big = malloc(5002);
    memset(big, 'x', 5001);
    big[5001] = 0;
    r = h_send(c.committee, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", big));
    free(big);
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "body", "max_length");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:i}", "body", 5));
    EXPECT_FIELD_ERROR(r, "body", "type");
    /* A closed matter still takes comments (the log stays open); the state does not change. */
    long long closed = create_ok(c.committee, AREA_LUOYANG, "销号后评论", NULL);
    drive(&c, closed, "written_off");
    json_t *before = get_ok(c.committee, closed);
    char closed_on[11];
    snprintf(closed_on, sizeof closed_on, "%s", h_jstr(before, "closed_on"));
    EXPECT_STATUS(h_send(c.committee, "POST", h_fmt("/api/v1/dossiers/%lld/comments", closed), json_pack("{s:s}", "body", "回访：群众满意")), 201);
    json_t *after = get_ok(c.committee, closed);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(after, "state"), "written_off") == 0 && strcmp(h_jstr(after, "closed_on"), closed_on) == 0);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(after, "time_status"), "none") == 0);
    EXPECT_TRUE_R(NULL, check_chain(c.committee, id) == 2);
}

/* Ids of the items of GET /dossiers?QUERY (one page of up to 200). */
static json_t *list_ids(Client *c, const char *query) {
    Resp *r = h_get(c, "/api/v1/dossiers?limit=200&%s", query);
    EXPECT_STATUS(r, 200);
    json_t *ids = h_client_own(c, json_array());
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) json_array_append_new(ids, json_integer(h_jint(it, "id")));
    return ids;
}

static bool ids_have(json_t *ids, long long id) {
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) if (json_integer_value(v) == id) return true;
    return false;
}

static void full_text_finds_two_character_words(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long in_title = create_ok(c.committee, AREA_LUOYANG, "屿头村路灯维修", NULL);
    long long in_body = create_ok(c.committee, AREA_LUOYANG, "屿头村照明", json_pack("{s:s}", "body", "主干道路灯不亮"));
    long long in_comment = create_ok(c.committee, AREA_LUOYANG, "屿头村夜间照明", NULL);
    long long neither = create_ok(c.committee, AREA_LUOYANG, "屿头村道路硬化", NULL);
    EXPECT_STATUS(h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/comments", in_comment), json_pack("{s:s}", "body", "已安排更换路灯和鹭鸶图案灯罩 LED")), 201);
    json_t *ids = list_ids(c.committee, h_fmt("q=%s", h_esc("路灯")));
    if (!ids_have(ids, in_title) || !ids_have(ids, in_body) || !ids_have(ids, in_comment))
        fail_msg("q=路灯: title %d, body %d, comment %d found", ids_have(ids, in_title), ids_have(ids, in_body), ids_have(ids, in_comment));
    if (ids_have(ids, neither)) fail_msg("q=路灯 found a dossier without the word");
    /* A word that only the comment holds. */
    ids = list_ids(c.committee, h_fmt("q=%s", h_esc("鹭鸶")));
    if (json_array_size(ids) != 1 || !ids_have(ids, in_comment)) fail_msg("q=鹭鸶: expected only %lld, got %zu items", in_comment, json_array_size(ids));
    /* Latin words, any case. */
    ids = list_ids(c.committee, "q=led");
    EXPECT_TRUE_R(NULL, ids_have(ids, in_comment) && !ids_have(ids, in_title));
    ids = list_ids(c.committee, "q=LED");
    EXPECT_TRUE_R(NULL, ids_have(ids, in_comment));
    /* Two terms in the same text are ANDed. */
    ids = list_ids(c.committee, h_fmt("q=%s", h_esc("屿头村 维修")));
    EXPECT_TRUE_R(NULL, ids_have(ids, in_title) && !ids_have(ids, in_comment) && !ids_have(ids, neither));
    /* q combines with the other filters and with scope. */
    ids = list_ids(c.committee, h_fmt("q=%s&state=registered&area_id=%d", h_esc("屿头村"), AREA_LUOYANG));
    EXPECT_TRUE_R(NULL, ids_have(ids, neither) && ids_have(ids, in_title));
    ids = list_ids(h_client_as(S, "department"), h_fmt("q=%s", h_esc("鹭鸶")));
    EXPECT_TRUE_R(NULL, json_array_size(ids) == 0);
    /* A word absent everywhere finds nothing. */
    ids = list_ids(c.committee, h_fmt("q=%s", h_esc("鲲鹏")));
    EXPECT_TRUE_R(NULL, json_array_size(ids) == 0);
    /* Punctuation only: no searchable term, an empty answer rather than an error. */
    Resp *r = h_get(c.committee, "/api/v1/dossiers?q=%s", h_esc("\"*()"));
    EXPECT_STATUS(r, 200);
}

/* A dossier is one matter: "屿头村 路灯" should find the matter whose title names the village and
 * whose comment names the street lamps (terms are ANDed over the dossier, as for organisations). */
static void full_text_terms_span_title_and_comments(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long id = create_ok(c.committee, AREA_LUOYANG, "万安村夜间照明", json_pack("{s:s}", "body", "村民夜间出行不便"));
    EXPECT_STATUS(h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", "已安排更换鹈鹕路灯")), 201);
    EXPECT_STATUS(h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", "施工队下周进场")), 201);
    json_t *ids = list_ids(c.committee, h_fmt("q=%s", h_esc("鹈鹕")));
    if (!ids_have(ids, id)) fail_msg("q=鹈鹕 (a comment) does not find dossier %lld", id);
    ids = list_ids(c.committee, h_fmt("q=%s", h_esc("万安村 鹈鹕")));
    if (!ids_have(ids, id)) fail_msg("q=万安村 鹈鹕 (title + comment) does not find dossier %lld", id);
    ids = list_ids(c.committee, h_fmt("q=%s", h_esc("出行 施工队")));
    if (!ids_have(ids, id)) fail_msg("q=出行 施工队 (body + another comment) does not find dossier %lld", id);
    ids = list_ids(c.committee, h_fmt("q=%s", h_esc("鹈鹕 施工队")));
    if (!ids_have(ids, id)) fail_msg("q=鹈鹕 施工队 (two comments) does not find dossier %lld", id);
}

/* ==== 6. lists ==================================================================================== */

static void list_filters(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    /* Six dossiers in area 4, each distinct under some filter. */
    long long a = create_ok(c.leader, AREA_FILTERS, "筛选A登记", NULL);
    long long b = create_ok(c.leader, AREA_FILTERS, "筛选B交洛阳镇", NULL);
    act_ok(c.leader, b, "assign", fields_for("assign"), "assigned");
    long long s = create_ok(c.leader, AREA_FILTERS, "筛选C督办", NULL);
    act_ok(c.leader, s, "assign", json_pack("{s:I}", "handler_org_id", (json_int_t)K.dongyuan), "assigned");
    json_t *sd = act_ok(c.leader, s, "supervise", json_pack("{s:s, s:i}", "level", "supervise", "limit_days", 1), "assigned");
    if (strcmp(h_jstr(sd, "time_status"), "yellow") != 0) fail_msg("a limit of 1 working day is yellow at once, got %s", h_jstr(sd, "time_status"));
    /* D: handled by the town, verified and written off by the leader. */
    long long w = create_ok(c.leader, AREA_FILTERS, "筛选D销号", NULL);
    act_ok(c.leader, w, "assign", fields_for("assign"), "assigned");
    act_ok(c.town, w, "accept", NULL, "in_progress");
    act_ok(c.town, w, "report_done", fields_for("report_done"), "done");
    act_ok(c.leader, w, "verify", fields_for("verify"), "verified");
    act_ok(c.leader, w, "write_off", NULL, "written_off");
    long long e = create_ok(c.leader, AREA_FILTERS, "筛选E有单位", json_pack("{s:I}", "org_id", (json_int_t)K.xiyintou));
    long long f = create_ok(c.leader, AREA_FILTERS, "筛选F退回", NULL);
    act_ok(c.leader, f, "assign", fields_for("assign"), "assigned");
    act_ok(c.town, f, "return", fields_for("return"), "returned");
    long long mine[6] = {a, b, s, w, e, f};
    char hq[64], hqo[80], oq[64], fq[64], fqs[96];
    snprintf(hq, sizeof hq, "handler_org_id=%lld", K.luoyang);
    snprintf(hqo, sizeof hqo, "handler_org_id=%lld&open=true", K.luoyang);
    snprintf(oq, sizeof oq, "org_id=%lld", K.xiyintou);
    snprintf(fq, sizeof fq, "q=%.50s", h_esc("筛选"));
    snprintf(fqs, sizeof fqs, "q=%.50s&state=assigned", h_esc("筛选"));
    const struct {
        const char *query;
        int want; /* bit k: mine[k] is in the answer */
    } cases[] = {
        {"type=agreed_item", 0x3f},
        {"state=assigned", 0x06},
        {"state=registered", 0x11},
        {"state=written_off", 0x08},
        {"state=returned", 0x20},
        {"time_status=yellow", 0x04},
        {"time_status=green", 0x33},
        {"time_status=red", 0x00},
        {"open=true", 0x37},
        {"supervised=true", 0x04},
        {"state=assigned&supervised=true", 0x04},
        {hq, 0x2a},
        {hqo, 0x22},
        {oq, 0x10},
        {fq, 0x3f},
        {fqs, 0x06},
    };
    size_t ncases = sizeof cases / sizeof cases[0];
    for (size_t k = 0; k < ncases; k++) {
        json_t *ids = list_ids(c.leader, h_fmt("area_id=%d&%s", AREA_FILTERS, cases[k].query));
        for (int j = 0; j < 6; j++)
            if (ids_have(ids, mine[j]) != ((cases[k].want >> j) & 1))
                fail_msg("area_id=%d&%s: dossier %c (%lld) %s", AREA_FILTERS, cases[k].query, "ABCDEF"[j], mine[j],
                         ids_have(ids, mine[j]) ? "listed, should not be" : "missing");
    }
    /* The same through the town: of area 4, what 洛阳镇 handles (B, D, F) or what concerns an
     * organisation under it (E, at 西吟头村). */
    json_t *ids = list_ids(c.town, h_fmt("area_id=%d", AREA_FILTERS));
    for (int j = 0; j < 6; j++)
        if (ids_have(ids, mine[j]) != ((0x3a >> j) & 1)) fail_msg("the town's list of area 4: dossier %c wrongly %s", "ABCDEF"[j], ids_have(ids, mine[j]) ? "listed" : "missing");
}

/* The filters also hold for every item they return (demo data included), in the leader's scope. */
static void list_filters_hold_for_every_item(void **state) {
    (void)state;
    load_ids();
    Client *l = h_client_as(S, "leader");
    static const char *const checks[][3] = {
        /* query, member, value ("" means: not null; "null" means null) */
        {"state=written_off", "state", "written_off"},
        {"state=in_progress", "state", "in_progress"},
        {"time_status=red", "time_status", "red"},
        {"time_status=yellow", "time_status", "yellow"},
        {"time_status=green", "time_status", "green"},
        {"open=true", "closed_on", "null"},
        {"supervised=true", "supervision_level", ""},
        {"area_id=2", "area_id", "2"},
    };
    for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++) {
        Resp *r = h_get(l, "/api/v1/dossiers?limit=200&%s", checks[k][0]);
        EXPECT_STATUS(r, 200);
        size_t i;
        json_t *it;
        json_array_foreach(items_of(r), i, it) {
            json_t *v = json_object_get(it, checks[k][1]);
            bool ok;
            if (strcmp(checks[k][2], "null") == 0) ok = json_is_null(v);
            else if (checks[k][2][0] == 0) ok = v && !json_is_null(v);
            else if (json_is_integer(v)) ok = json_integer_value(v) == atoll(checks[k][2]);
            else ok = json_is_string(v) && strcmp(json_string_value(v), checks[k][2]) == 0;
            if (!ok) FAIL_RESP(r, "%s: item %lld has %s not %s", checks[k][0], h_jint(it, "id"), checks[k][1], checks[k][2]);
        }
    }
    /* The demo holds overdue matters: red ones are listed and are past their due day. */
    Resp *r = h_get(l, "/api/v1/dossiers?limit=200&time_status=red");
    size_t i;
    json_t *it;
    json_array_foreach(items_of(r), i, it) {
        const char *due = h_jstr(it, "due_on");
        if (!due || strcmp(due, K.today) >= 0) FAIL_RESP(r, "red item %lld is due %s (today %s)", h_jint(it, "id"), due ? due : "null", K.today);
    }
    /* handler_org_id and org_id. */
    r = h_get(l, "/api/v1/dossiers?limit=200&handler_org_id=%lld", K.econ);
    EXPECT_STATUS(r, 200);
    json_array_foreach(items_of(r), i, it) if (h_jint(it, "handler_org_id") != K.econ) FAIL_RESP(r, "handler_org_id filter leaks %lld", h_jint(it, "id"));
    r = h_get(l, "/api/v1/dossiers?limit=200&org_id=%lld", K.xiyintou);
    EXPECT_STATUS(r, 200);
    json_array_foreach(items_of(r), i, it) if (h_jint(it, "org_id") != K.xiyintou) FAIL_RESP(r, "org_id filter leaks %lld", h_jint(it, "id"));
    /* from / to: today's dossiers are created today (district dates). */
    long long id = create_ok(l, AREA_FILTERS, "日期筛选", NULL);
    json_t *ids = list_ids(l, h_fmt("from=%s&to=%s&area_id=%d", K.today, K.today, AREA_FILTERS));
    if (!ids_have(ids, id)) fail_msg("from=to=%s (today) does not list a dossier created today", K.today);
    ids = list_ids(l, h_fmt("from=%s&area_id=%d", day_add(K.today, 1), AREA_FILTERS));
    EXPECT_TRUE_R(NULL, !ids_have(ids, id));
    ids = list_ids(l, h_fmt("to=%s&area_id=%d", day_add(K.today, -1), AREA_FILTERS));
    EXPECT_TRUE_R(NULL, !ids_have(ids, id));
    /* Bad parameters name themselves. */
    r = h_get(l, "/api/v1/dossiers?type=complaint&time_status=purple&limit=0&from=2026-13-01&area_id=x&handler_org_id=-3");
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "type", "enum");
    EXPECT_FIELD_ERROR(r, "time_status", "enum");
    EXPECT_FIELD_ERROR(r, "limit", "range");
    EXPECT_FIELD_ERROR(r, "from", "date");
    EXPECT_FIELD_ERROR(r, "area_id", NULL);
    EXPECT_FIELD_ERROR(r, "handler_org_id", NULL);
    r = h_get(l, "/api/v1/dossiers?limit=201");
    EXPECT_FIELD_ERROR(r, "limit", "range");
    r = h_get(l, "/api/v1/dossiers?cursor=-1");
    EXPECT_PROBLEM(r, 422, "validation");
    h_client_free(l);
}

/* Filters on a dossier that changes: it moves between them as it goes. */
static void list_filters_follow_changes(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long x = create_ok(c.leader, AREA_FILTERS, "筛选变化X", NULL);
    const char *in = "listed, should not be", *out = "missing";
    struct {
        const char *query;
        bool want;
    } at_start[] = {{"open=true", true}, {"state=registered", true}, {"supervised=true", false}, {"time_status=green", true}};
    for (size_t k = 0; k < 4; k++)
        if (ids_have(list_ids(c.leader, h_fmt("area_id=%d&%s", AREA_FILTERS, at_start[k].query)), x) != at_start[k].want)
            fail_msg("new: %s: %s", at_start[k].query, at_start[k].want ? out : in);
    act_ok(c.leader, x, "assign", fields_for("assign"), "assigned");
    act_ok(c.leader, x, "supervise", json_pack("{s:s, s:i}", "level", "listed", "limit_days", 30), "assigned");
    struct {
        const char *query;
        bool want;
    } supervised[] = {{"state=registered", false}, {"state=assigned", true}, {"supervised=true", true}, {"time_status=green", true},
                      {"time_status=yellow", false}};
    for (size_t k = 0; k < 5; k++)
        if (ids_have(list_ids(c.leader, h_fmt("area_id=%d&%s", AREA_FILTERS, supervised[k].query)), x) != supervised[k].want)
            fail_msg("supervised: %s: %s", supervised[k].query, supervised[k].want ? out : in);
    act_ok(c.town, x, "accept", NULL, "in_progress");
    act_ok(c.town, x, "report_done", fields_for("report_done"), "done");
    act_ok(c.leader, x, "verify", fields_for("verify"), "verified");
    act_ok(c.leader, x, "write_off", NULL, "written_off");
    struct {
        const char *query;
        bool want;
    } closed[] = {{"open=true", false}, {"state=written_off", true}, {"time_status=green", false}, {"time_status=yellow", false},
                  {"time_status=red", false}};
    for (size_t k = 0; k < 5; k++)
        if (ids_have(list_ids(c.leader, h_fmt("area_id=%d&%s", AREA_FILTERS, closed[k].query)), x) != closed[k].want)
            fail_msg("written off: %s: %s", closed[k].query, closed[k].want ? out : in);
}

static void cursor_pagination(void **state) {
    (void)state;
    Client *l = h_client_as(S, "leader");
    enum { N = 30, LIMIT = 7 };
    long long made[N];
    for (int i = 0; i < N; i++) made[i] = create_ok(l, AREA_PAGES, h_fmt("分页测试第%02d件", i + 1), NULL);
    /* Walk with a filter that selects exactly these 30. */
    const char *q = h_esc("分页测试");
    long long seen[N + LIMIT];
    int nseen = 0, pages = 0;
    long long cursor = 0;
    for (;;) {
        Resp *r = cursor ? h_get(l, "/api/v1/dossiers?area_id=%d&q=%s&limit=%d&cursor=%lld", AREA_PAGES, q, LIMIT, cursor)
                         : h_get(l, "/api/v1/dossiers?area_id=%d&q=%s&limit=%d", AREA_PAGES, q, LIMIT);
        EXPECT_STATUS(r, 200);
        pages++;
        json_t *it = items_of(r);
        if (json_array_size(it) > LIMIT) FAIL_RESP(r, "more than limit=%d items", LIMIT);
        size_t i;
        json_t *v;
        json_array_foreach(it, i, v) {
            long long id = h_jint(v, "id");
            for (int k = 0; k < nseen; k++)
                if (seen[k] == id) FAIL_RESP(r, "dossier %lld on two pages", id);
            if (nseen > 0 && id >= seen[nseen - 1]) FAIL_RESP(r, "not newest first: %lld after %lld", id, seen[nseen - 1]);
            if (nseen < N + LIMIT) seen[nseen++] = id;
        }
        json_t *nc = h_jpath(r->json, "next_cursor");
        if (json_is_null(nc)) break;
        if (!json_is_integer(nc)) FAIL_RESP(r, "next_cursor is neither an id nor null");
        if (json_integer_value(nc) != seen[nseen - 1]) FAIL_RESP(r, "next_cursor is not the last id of the page");
        cursor = json_integer_value(nc);
        if (pages > N) fail_msg("pagination does not end");
    }
    if (nseen != N) fail_msg("walked %d dossiers over %d pages, made %d", nseen, pages, N);
    for (int i = 0; i < N; i++)
        if (seen[i] != made[N - 1 - i]) fail_msg("page order: position %d holds %lld, expected %lld", i, seen[i], made[N - 1 - i]);
    if (pages != (N + LIMIT - 1) / LIMIT) fail_msg("%d pages for %d items at %d a page", pages, N, LIMIT);
    /* Without q: the area's whole list, walked, matches one big page. */
    json_t *all = list_ids(l, h_fmt("area_id=%d", AREA_PAGES));
    int walked = 0;
    cursor = 0;
    for (int guard = 0; guard < 100; guard++) {
        Resp *r = cursor ? h_get(l, "/api/v1/dossiers?area_id=%d&limit=%d&cursor=%lld", AREA_PAGES, LIMIT, cursor)
                         : h_get(l, "/api/v1/dossiers?area_id=%d&limit=%d", AREA_PAGES, LIMIT);
        EXPECT_STATUS(r, 200);
        size_t i;
        json_t *v;
        json_array_foreach(items_of(r), i, v) {
            if (walked >= (int)json_array_size(all) || json_integer_value(json_array_get(all, (size_t)walked)) != h_jint(v, "id"))
                FAIL_RESP(r, "the walk differs from the single page at position %d", walked);
            walked++;
        }
        if (json_is_null(h_jpath(r->json, "next_cursor"))) break;
        cursor = h_jint(r->json, "next_cursor");
    }
    if (walked != (int)json_array_size(all)) fail_msg("walked %d of %zu", walked, json_array_size(all));
    /* A cursor past the oldest: an empty page, next_cursor null. */
    Resp *r = h_get(l, "/api/v1/dossiers?area_id=%d&cursor=1", AREA_PAGES);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_array_size(items_of(r)) == 0 && json_is_null(h_jpath(r->json, "next_cursor")));
    h_client_free(l);
}

/* ==== 7. idempotency and concurrency ============================================================ */

static void idempotency_key_on_create_and_action(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    const char *title = "幂等登记测试";
    h_client_header(c.committee, "Idempotency-Key: dossier-create-0001");
    Resp *r1 = create_raw(c.committee, AREA_LUOYANG, title, NULL);
    EXPECT_STATUS(r1, 201);
    h_client_header(c.committee, "Idempotency-Key: dossier-create-0001");
    Resp *r2 = create_raw(c.committee, AREA_LUOYANG, title, NULL);
    EXPECT_STATUS(r2, 201);
    if (r1->len != r2->len || memcmp(r1->body, r2->body, r1->len) != 0) FAIL_RESP(r2, "the replay differs from the first answer");
    json_t *ids = list_ids(c.committee, h_fmt("q=%s", h_esc(title)));
    if (json_array_size(ids) != 1) fail_msg("one Idempotency-Key, two POSTs: %zu dossiers", json_array_size(ids));
    long long id = h_jint(r1->json, "id");
    /* The same key on another path answers 409. */
    h_client_header(c.committee, "Idempotency-Key: dossier-create-0001");
    Resp *r = h_send(c.committee, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", "x"));
    EXPECT_PROBLEM(r, 409, "conflict");
    /* An action replayed: one event. */
    h_client_header(c.committee, "Idempotency-Key: dossier-assign-0001");
    r1 = act(c.committee, id, "assign", fields_for("assign"), 1);
    EXPECT_STATUS(r1, 200);
    h_client_header(c.committee, "Idempotency-Key: dossier-assign-0001");
    r2 = act(c.committee, id, "assign", fields_for("assign"), 1);
    EXPECT_STATUS(r2, 200);
    if (r1->len != r2->len || memcmp(r1->body, r2->body, r1->len) != 0) FAIL_RESP(r2, "the replayed action differs");
    EXPECT_TRUE_R(NULL, json_array_size(events_of(c.committee, id)) == 2);
    /* A comment replayed: one event. */
    for (int k = 0; k < 2; k++) {
        h_client_header(c.town, "Idempotency-Key: dossier-comment-0001");
        EXPECT_STATUS(h_send(c.town, "POST", h_fmt("/api/v1/dossiers/%lld/comments", id), json_pack("{s:s}", "body", "只记一次")), 201);
    }
    EXPECT_TRUE_R(NULL, json_array_size(events_of(c.committee, id)) == 3);
    /* Another user's key space is its own. */
    h_client_header(c.leader, "Idempotency-Key: dossier-create-0001");
    Resp *r3 = create_raw(c.leader, AREA_LUOYANG, title, NULL);
    EXPECT_STATUS(r3, 201);
    EXPECT_TRUE_R(r3, h_jint(r3->json, "id") != id);
    /* A failed request is not remembered: the key can be used again. */
    h_client_header(c.committee, "Idempotency-Key: dossier-create-0002");
    EXPECT_STATUS(create_raw(c.committee, AREA_LUOYANG, "", NULL), 422);
    h_client_header(c.committee, "Idempotency-Key: dossier-create-0002");
    EXPECT_STATUS(create_raw(c.committee, AREA_LUOYANG, "幂等第二次成功", NULL), 201);
}

/* One thread's burst: waits at the barrier, then sends its requests one after another. */
typedef struct Shot {
    Client *c;                /* this thread's client */
    pthread_barrier_t *go;    /* released when every thread is ready */
    const char *method;       /* "POST" when NULL */
    char path[256];           /* request target */
    const char *body[8];      /* JSON bodies, one per request */
    int n;                    /* requests to send (<= 8) */
    int delay_us;             /* wait this long after the barrier before the first request */
    long status[8];           /* answers' statuses */
    char *answer[8];          /* answers' bodies (malloc'd) */
} Shot;

static void *shot_run(void *p) {
    Shot *s = p;
    pthread_barrier_wait(s->go);
    if (s->delay_us > 0) {
        struct timespec ts = {0, (long)s->delay_us * 1000L};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < s->n; i++) {
        Resp *r = h_req(s->c, s->method ? s->method : "POST", s->path, "application/json", s->body[i], strlen(s->body[i]));
        s->status[i] = r->status;
        s->answer[i] = strdup(r->body ? r->body : "");
    }
    return NULL;
}

/* Runs nt shots at once (headers must already be set on their clients). */
static void fire(Shot *shots, int nt) {
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)nt);
    pthread_t th[16];
    for (int t = 0; t < nt; t++) {
        shots[t].go = &go;
        assert_int_equal(pthread_create(&th[t], NULL, shot_run, &shots[t]), 0);
    }
    for (int t = 0; t < nt; t++) pthread_join(th[t], NULL);
    pthread_barrier_destroy(&go);
}

static void shots_free(Shot *shots, int nt) {
    for (int t = 0; t < nt; t++)
        for (int i = 0; i < shots[t].n; i++) free(shots[t].answer[i]);
}

static void idempotency_under_concurrent_retries(void **state) {
    (void)state;
    enum { T = 8, ROUNDS = 4 };
    Client *c[T];
    c[0] = h_client_as(S, "committee");
    char token[128];
    h_client_session_token(c[0], token, sizeof token);
    for (int t = 1; t < T; t++) {
        c[t] = h_client(S);
        h_client_set_csrf(c[t], h_client_csrf(c[0]));
    }
    for (int round = 0; round < ROUNDS; round++) {
        char title[64], body[256], key[64];
        snprintf(title, sizeof title, "并发幂等登记%d号", round);
        snprintf(body, sizeof body, "{\"type\":\"agreed_item\",\"title\":\"%s\",\"area_id\":%d}", title, AREA_LUOYANG);
        snprintf(key, sizeof key, "Idempotency-Key: burst-dossier-%04d", round);
        Shot s[T];
        memset(s, 0, sizeof s);
        for (int t = 0; t < T; t++) {
            s[t].c = c[t];
            snprintf(s[t].path, sizeof s[t].path, "/api/v1/dossiers");
            s[t].body[0] = body;
            s[t].n = 1;
            h_client_header(c[t], key);
            if (t > 0) h_client_header(c[t], h_fmt("Cookie: sanqu_session=%s", token));
        }
        fire(s, T);
        const char *first = NULL;
        for (int t = 0; t < T; t++) {
            if (s[t].status[0] != 201 && s[t].status[0] != 409)
                fail_msg("round %d: keyed retry %d answered %ld: %.300s", round, t, s[t].status[0], s[t].answer[0]);
            if (s[t].status[0] == 201) {
                if (!first) first = s[t].answer[0];
                else if (strcmp(first, s[t].answer[0]) != 0) fail_msg("round %d: two 201 answers differ", round);
            }
        }
        if (!first) fail_msg("round %d: no retry answered 201", round);
        json_t *ids = list_ids(c[0], h_fmt("q=%s", h_esc(title)));
        if (json_array_size(ids) != 1) fail_msg("round %d: %d keyed retries made %zu dossiers", round, T, json_array_size(ids));
        shots_free(s, T);
    }
    for (int t = 0; t < T; t++) h_client_free(c[t]);
}

/* T clients take the same action with the same If-Match at once: one wins, one event is written. */
static void concurrent_actions_one_wins(void **state) {
    (void)state;
    load_ids();
    enum { T = 8 };
    Client *cm[T], *tw[T];
    for (int t = 0; t < T; t++) {
        cm[t] = h_client_as(S, "committee");
        tw[t] = h_client_as(S, "town");
    }
    static const struct {
        const char *action;
        bool by_town;
        const char *body;
        const char *to;
    } steps[] = {
        {"assign", false, NULL, "assigned"},
        {"accept", true, "{}", "in_progress"},
        {"report_done", true, "{\"result\":\"并发办结\"}", "done"},
        {"verify", false, "{\"conclusion\":\"并发验收\"}", "verified"},
        {"write_off", false, "{}", "written_off"},
    };
    char assign_body[64];
    snprintf(assign_body, sizeof assign_body, "{\"handler_org_id\":%lld}", K.luoyang);
    for (int rep = 0; rep < 3; rep++) {
        long long id = create_ok(cm[0], AREA_LUOYANG, h_fmt("并发动作%d", rep), NULL);
        for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
            long long v = (long long)k + 1;
            Shot s[T];
            memset(s, 0, sizeof s);
            for (int t = 0; t < T; t++) {
                s[t].c = steps[k].by_town ? tw[t] : cm[t];
                snprintf(s[t].path, sizeof s[t].path, "/api/v1/dossiers/%lld/actions/%s", id, steps[k].action);
                s[t].body[0] = steps[k].body ? steps[k].body : assign_body;
                s[t].n = 1;
                h_client_header(s[t].c, h_fmt("If-Match: \"%lld\"", v));
            }
            fire(s, T);
            int wins = 0;
            for (int t = 0; t < T; t++) {
                if (s[t].status[0] == 200) wins++;
                else if (s[t].status[0] != 412 && s[t].status[0] != 409)
                    fail_msg("%s at version %lld: a racer answered %ld: %.300s", steps[k].action, v, s[t].status[0], s[t].answer[0]);
            }
            if (wins != 1) fail_msg("%s at version %lld by %d racers: %d answered 200 (want exactly 1)", steps[k].action, v, T, wins);
            json_t *d = get_ok(cm[0], id);
            if (h_jint(d, "version") != v + 1 || strcmp(h_jstr(d, "state"), steps[k].to) != 0)
                fail_msg("after the %s race: version %lld, state %s", steps[k].action, h_jint(d, "version"), h_jstr(d, "state"));
            shots_free(s, T);
        }
        if (check_chain(cm[0], id) != 6) fail_msg("the raced dossier holds other than 6 events");
    }
    /* Without If-Match the state decides: one assign wins, the others find it assigned (409). */
    long long id = create_ok(cm[0], AREA_LUOYANG, "无版本并发", NULL);
    Shot s[T];
    memset(s, 0, sizeof s);
    for (int t = 0; t < T; t++) {
        s[t].c = cm[t];
        snprintf(s[t].path, sizeof s[t].path, "/api/v1/dossiers/%lld/actions/assign", id);
        s[t].body[0] = assign_body;
        s[t].n = 1;
    }
    fire(s, T);
    int wins = 0;
    for (int t = 0; t < T; t++) {
        if (s[t].status[0] == 200) wins++;
        else if (s[t].status[0] != 409) fail_msg("unversioned assign racer answered %ld: %.300s", s[t].status[0], s[t].answer[0]);
    }
    if (wins != 1) fail_msg("unversioned assign by %d racers: %d answered 200", T, wins);
    shots_free(s, T);
    EXPECT_TRUE_R(NULL, check_chain(cm[0], id) == 2);
    for (int t = 0; t < T; t++) {
        h_client_free(cm[t]);
        h_client_free(tw[t]);
    }
}

/* Many writers append to one log at once: every comment lands once, the chain stays whole. */
/* CS_T writers (town and community in turn), each to comment n times (n <= CS_N) in a row on one
 * new dossier of the committee's. */
enum { CS_T = 8, CS_N = 6 };
typedef struct CommentShots {
    Client *c[CS_T];
    Client *cm;
    long long id;
    Shot s[CS_T];
    char bodies[CS_T][CS_N][96];
} CommentShots;

/* Sets the shots up; body(t, i, out, size) writes comment i of writer t (a JSON body). */
static void comment_shots(CommentShots *x, const char *title, int n, void (*body)(int t, int i, char *out, size_t size)) {
    memset(x, 0, sizeof *x);
    for (int t = 0; t < CS_T; t++) x->c[t] = h_client_as(S, t % 2 ? "town" : "community");
    x->cm = h_client_as(S, "committee");
    x->id = create_ok(x->cm, AREA_LUOYANG, title, json_pack("{s:I}", "org_id", (json_int_t)K.xiyintou));
    for (int t = 0; t < CS_T; t++) {
        x->s[t].c = x->c[t];
        snprintf(x->s[t].path, sizeof x->s[t].path, "/api/v1/dossiers/%lld/comments", x->id);
        x->s[t].n = n;
        for (int i = 0; i < n; i++) {
            body(t, i, x->bodies[t][i], sizeof x->bodies[t][i]);
            x->s[t].body[i] = x->bodies[t][i];
        }
    }
}

static void comment_shots_free(CommentShots *x) {
    shots_free(x->s, CS_T);
    for (int t = 0; t < CS_T; t++) h_client_free(x->c[t]);
    h_client_free(x->cm);
}

static void chain_comment(int t, int i, char *out, size_t size) {
    snprintf(out, size, "{\"body\":\"并发评论 线程%d 第%d条\"}", t, i);
}

static void concurrent_comments_keep_the_chain(void **state) {
    (void)state;
    enum { N = 5 };
    static CommentShots x;
    comment_shots(&x, "并发评论", N, chain_comment);
    fire(x.s, CS_T);
    for (int t = 0; t < CS_T; t++)
        for (int i = 0; i < N; i++)
            if (x.s[t].status[i] != 201) fail_msg("comment %d/%d answered %ld: %.300s", t, i, x.s[t].status[i], x.s[t].answer[i]);
    if (check_chain(x.cm, x.id) != 1 + CS_T * N) fail_msg("expected %d events", 1 + CS_T * N);
    json_t *ev = events_of(x.cm, x.id);
    for (int t = 0; t < CS_T; t++)
        for (int i = 0; i < N; i++) {
            char want[64];
            snprintf(want, sizeof want, "并发评论 线程%d 第%d条", t, i);
            int found = 0;
            size_t k;
            json_t *e;
            json_array_foreach(ev, k, e) if (h_jstr(e, "payload.comment") && strcmp(h_jstr(e, "payload.comment"), want) == 0) found++;
            if (found != 1) fail_msg("comment \"%s\" appears %d times", want, found);
        }
    comment_shots_free(&x);
}

static void refused_or_comment(int t, int i, char *out, size_t size) {
    if ((t + i) % 2) snprintf(out, size, "{\"body\":\"\"}");
    else snprintf(out, size, "{\"body\":\"排队评论 线程%d 第%d条\"}", t, i);
}

/* Writes queued together on the server's write thread, half of them refused before they write
 * (an empty comment: 422): every one is answered, each with its own status, and the accepted ones
 * are in the log once each. A refused write that ended the queue must not leave the batch of the
 * others open (their answers would wait for the next write). */
static void concurrent_writes_with_refusals(void **state) {
    (void)state;
    static CommentShots x;
    comment_shots(&x, "并发评论与拒绝", CS_N, refused_or_comment);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fire(x.s, CS_T);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long took = (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
    int accepted = 0;
    for (int t = 0; t < CS_T; t++)
        for (int i = 0; i < CS_N; i++) {
            long want = (t + i) % 2 ? 422 : 201;
            if (x.s[t].status[i] != want)
                fail_msg("write %d/%d answered %ld, want %ld: %.300s", t, i, x.s[t].status[i], want, x.s[t].answer[i]);
            if (want == 422 && !strstr(x.s[t].answer[i], "\"body\"")) fail_msg("the refusal does not name body: %.300s", x.s[t].answer[i]);
            accepted += want == 201;
        }
    /* 48 small writes: well under a second; a batch left open would wait for the client's timeout. */
    if (took > 10 * 1000000) fail_msg("the writes took %lld ms", took / 1000);
    if (check_chain(x.cm, x.id) != (size_t)(1 + accepted)) fail_msg("expected %d events", 1 + accepted);
    comment_shots_free(&x);
}

/* ==== 8. meetings ================================================================================= */

static long long meetings_total(Client *c, long long area) {
    Resp *r = h_get(c, "/api/v1/meetings?area_id=%lld&page_size=1", area);
    EXPECT_STATUS(r, 200);
    return h_jint(r->json, "total");
}

static void meeting_with_items(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    Resp *r = h_send(c.committee, "POST", "/api/v1/meetings",
                     json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:[I], s:[{s:s, s:s, s:I, s:I, s:i}, {s:s, s:s}]}",
                               "area_id", AREA_LUOYANG, "title", "洛阳片区联席会议（测试）", "held_on", "2026-03-02", "place",
                               "西吟头村党群服务中心", "attendees", "召集人、成员单位书记", "agenda", "议定事项交办", "minutes",
                               "会议议定两件事项。", "org_ids", (json_int_t)K.xiyintou, "items", "title", "西吟头村停车位规划",
                               "body", "规划停车位 40 个", "org_id", (json_int_t)K.xiyintou, "handler_org_id", (json_int_t)K.luoyang,
                               "limit_days", 10, "title", "村口交通安全隐患整治", "priority", "urgent"));
    EXPECT_STATUS(r, 201);
    json_t *m = r->json;
    long long mid = h_jint(m, "id");
    EXPECT_TRUE_R(r, h_header(r, "Location") && strcmp(h_header(r, "Location"), h_fmt("/api/v1/meetings/%lld", mid)) == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(m, "status"), "open") == 0 && json_is_null(h_jpath(m, "closed_on")));
    EXPECT_TRUE_R(r, h_jint(m, "convener.id") == K.u_leader && h_jint(m, "area_id") == AREA_LUOYANG);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(m, "orgs")) == 1 && h_jint(m, "orgs[0].id") == K.xiyintou);
    json_t *items = h_jpath(m, "items");
    if (json_array_size(items) != 2) FAIL_RESP(r, "two items expected");
    json_t *i0 = json_array_get(items, 0), *i1 = json_array_get(items, 1);
    EXPECT_TRUE_R(r, strcmp(h_jstr(i0, "role"), "agreed") == 0 && strcmp(h_jstr(i0, "state"), "assigned") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(i0, "handler_org_name"), "洛阳镇") == 0 && h_jstr(i0, "due_on") && json_is_null(h_jpath(i0, "carried_to")));
    EXPECT_TRUE_R(r, strcmp(h_jstr(i1, "state"), "registered") == 0 && strcmp(h_jstr(i1, "time_status"), "yellow") == 0);
    /* Each item is an agreed_item dossier that knows its meeting. */
    long long d0 = h_jint(i0, "dossier_id"), d1 = h_jint(i1, "dossier_id");
    json_t *d = get_ok(c.committee, d0);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "type"), "agreed_item") == 0 && h_jint(d, "fields.meeting_id") == mid);
    EXPECT_TRUE_R(NULL, h_jint(d, "limit_days") == 10 && h_jint(d, "org_id") == K.xiyintou && h_jint(d, "area_id") == AREA_LUOYANG);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "fields.body"), "规划停车位 40 个") == 0);
    d = get_ok(c.committee, d1);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "priority"), "urgent") == 0 && h_jint(d, "fields.meeting_id") == mid);
    check_chain(c.committee, d0);
    /* The list shows it with counts; q and dates filter. */
    r = h_get(c.committee, "/api/v1/meetings?area_id=%d&q=%s&page_size=50", AREA_LUOYANG, h_esc("联席会议（测试）"));
    EXPECT_STATUS(r, 200);
    json_t *row = find_id(items_of(r), "id", mid);
    if (!row) FAIL_RESP(r, "the meeting is not listed");
    EXPECT_TRUE_R(r, h_jint(row, "items") == 2 && h_jint(row, "items_open") == 2 && h_jint(row, "orgs") == 1);
    EXPECT_TRUE_R(r, strcmp(h_jstr(row, "held_on"), "2026-03-02") == 0 && h_jint(row, "version") >= 1);
    r = h_get(c.committee, "/api/v1/meetings?area_id=%d&from=2026-03-02&to=2026-03-02&page_size=200", AREA_LUOYANG);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, find_id(items_of(r), "id", mid) != NULL);
    r = h_get(c.committee, "/api/v1/meetings?area_id=%d&from=2026-03-03&page_size=200", AREA_LUOYANG);
    EXPECT_TRUE_R(r, find_id(items_of(r), "id", mid) == NULL);
    r = h_get(c.committee, "/api/v1/meetings?from=20260303");
    EXPECT_PROBLEM(r, 422, "validation");
    /* The community of the area reads it; a community of another area does not. */
    Resp *g = h_get(c.community, "/api/v1/meetings/%lld", mid);
    EXPECT_STATUS(g, 200);
    EXPECT_TRUE_R(g, h_header(g, "ETag") != NULL);
    long long far = meeting_ok(c.leader, AREA_DONGYUAN, "东园片区联席会议（测试）", "2026-03-03");
    EXPECT_PROBLEM(h_get(c.community, "/api/v1/meetings/%lld", far), 404, "not-found");
    EXPECT_PROBLEM(h_get(c.committee, "/api/v1/meetings/%lld", far), 404, "not-found");
    r = h_get(c.community, "/api/v1/meetings?area_id=%d&page_size=200", AREA_DONGYUAN);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, find_id(items_of(r), "id", far) == NULL);
    /* PUT: minutes and attendees, versioned. */
    long long v = h_jint(m, "version");
    h_client_header(c.committee, h_fmt("If-Match: \"%lld\"", v));
    r = h_send(c.committee, "PUT", h_fmt("/api/v1/meetings/%lld", mid),
               json_pack("{s:s, s:s, s:s}", "title", "洛阳片区联席会议（测试）", "held_on", "2026-03-02", "minutes", "补充纪要"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "minutes"), "补充纪要") == 0 && h_jint(r->json, "version") == v + 1);
    EXPECT_TRUE_R(r, h_jint(r->json, "area_id") == AREA_LUOYANG && json_array_size(h_jpath(r->json, "items")) == 2);
    h_client_header(c.committee, h_fmt("If-Match: \"%lld\"", v));
    r = h_send(c.committee, "PUT", h_fmt("/api/v1/meetings/%lld", mid), json_pack("{s:s, s:s}", "title", "旧版本", "held_on", "2026-03-02"));
    EXPECT_PROBLEM(r, 412, "precondition-failed");
    r = h_send(c.committee, "PUT", h_fmt("/api/v1/meetings/%lld", mid), json_pack("{s:s}", "held_on", "2026-03-02"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "title", "required");
    EXPECT_PROBLEM(h_send(c.town, "PUT", h_fmt("/api/v1/meetings/%lld", mid), json_pack("{s:s, s:s}", "title", "镇改", "held_on", "2026-03-02")),
                   403, "forbidden");
}

static void meeting_errors_name_the_item(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long before = meetings_total(c.committee, AREA_LUOYANG);
    Resp *r = h_send(c.committee, "POST", "/api/v1/meetings",
                     json_pack("{s:i, s:s, s:s, s:[{s:s}, {s:s}, {s:s, s:i}, i, {s:s}, {s:s, s:s}]}", "area_id", AREA_LUOYANG,
                               "title", "错误会议（测试）", "held_on", "2026-03-04", "items", "title", "正确的事项", "body",
                               "缺标题", "title", "承办单位不存在", "handler_org_id", 999999, 5, "title",
                               "这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长"
                               "这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长"
                               "这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长"
                               "这个标题很长这个标题很长这个标题很长这个标题很长这个标题很长",
                               "title", "优先级错误", "priority", "critical"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "items[1].title", "required");
    EXPECT_FIELD_ERROR(r, "items[2].handler_org_id", "reference");
    EXPECT_FIELD_ERROR(r, "items[3]", "type");
    EXPECT_FIELD_ERROR(r, "items[4].title", "max_length");
    EXPECT_FIELD_ERROR(r, "items[5].priority", "enum");
    EXPECT_NO_FIELD_ERROR(r, "items[0].title");
    /* Nothing was written: no meeting, no dossier for the valid item. */
    assert_int_equal(meetings_total(c.committee, AREA_LUOYANG), before);
    json_t *ids = list_ids(c.committee, h_fmt("q=%s", h_esc("正确的事项")));
    if (json_array_size(ids) != 0) fail_msg("a refused meeting left %zu dossiers behind", json_array_size(ids));
    /* The meeting's own fields. */
    r = h_send(c.committee, "POST", "/api/v1/meetings", json_pack("{s:i, s:s, s:[i]}", "area_id", AREA_LUOYANG, "held_on", "2026-02-30", "org_ids", 999999));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "title", "required");
    EXPECT_FIELD_ERROR(r, "held_on", "date");
    EXPECT_FIELD_ERROR(r, "org_ids[0]", "reference");
    /* An organisation that is not a member of the area. */
    r = h_send(c.committee, "POST", "/api/v1/meetings",
               json_pack("{s:i, s:s, s:s, s:[I]}", "area_id", AREA_LUOYANG, "title", "非成员", "held_on", "2026-03-04", "org_ids", (json_int_t)K.dongyuan));
    EXPECT_FIELD_ERROR(r, "org_ids[0]", "reference");
    /* Another committee's area is out of scope; a missing area too. */
    r = h_send(c.committee, "POST", "/api/v1/meetings", json_pack("{s:i, s:s, s:s}", "area_id", AREA_OTHER, "title", "越界", "held_on", "2026-03-04"));
    if (r->status != 403 && r->status != 422) FAIL_RESP(r, "another area's meeting: expected 403 or 422");
    r = h_send(c.leader, "POST", "/api/v1/meetings", json_pack("{s:i, s:s, s:s}", "area_id", 99999, "title", "无此片区", "held_on", "2026-03-04"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "area_id", "reference");
    r = h_send(c.leader, "POST", "/api/v1/meetings", json_pack("{s:s, s:s}", "title", "无片区", "held_on", "2026-03-04"));
    EXPECT_FIELD_ERROR(r, "area_id", "required");
    /* Roles that do not run meetings. */
    EXPECT_PROBLEM(h_send(c.town, "POST", "/api/v1/meetings", json_pack("{s:i, s:s, s:s}", "area_id", AREA_LUOYANG, "title", "镇开会", "held_on", "2026-03-04")),
                   403, "forbidden");
    EXPECT_PROBLEM(h_send(c.community, "POST", "/api/v1/meetings", json_pack("{s:i, s:s, s:s}", "area_id", AREA_LUOYANG, "title", "村开会", "held_on", "2026-03-04")),
                   403, "forbidden");
    assert_int_equal(meetings_total(c.committee, AREA_LUOYANG), before);
}

static void meeting_add_item(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long mid = meeting_ok(c.committee, AREA_LUOYANG, "追加事项会议（测试）", "2026-03-05");
    Resp *g = h_get(c.committee, "/api/v1/meetings/%lld", mid);
    EXPECT_STATUS(g, 200);
    long long v = h_jint(g->json, "version");
    Resp *r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", mid),
                     json_pack("{s:s, s:I, s:i}", "title", "追加：洛阳村邻里书屋", "handler_org_id", (json_int_t)K.luoyang, "limit_days", 15));
    EXPECT_STATUS(r, 201);
    long long did = h_jint(r->json, "id");
    EXPECT_TRUE_R(r, h_header(r, "Location") && strcmp(h_header(r, "Location"), h_fmt("/api/v1/dossiers/%lld", did)) == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "state"), "assigned") == 0 && h_jint(r->json, "limit_days") == 15);
    EXPECT_TRUE_R(r, h_jint(r->json, "fields.meeting_id") == mid && h_jint(r->json, "area_id") == AREA_LUOYANG);
    g = h_get(c.committee, "/api/v1/meetings/%lld", mid);
    EXPECT_TRUE_R(g, h_jint(g->json, "version") == v + 1);
    json_t *it = find_id(h_jpath(g->json, "items"), "dossier_id", did);
    EXPECT_TRUE_R(g, it && strcmp(h_jstr(it, "role"), "agreed") == 0);
    /* Errors are named item.field; nothing is added. */
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", mid), json_pack("{s:s}", "body", "无标题"));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "item.title", "required");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", mid), json_pack("{s:s, s:i}", "title", "坏承办", "handler_org_id", 999999));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "item.handler_org_id", "reference");
    g = h_get(c.committee, "/api/v1/meetings/%lld", mid);
    EXPECT_TRUE_R(g, json_array_size(h_jpath(g->json, "items")) == 1 && h_jint(g->json, "version") == v + 1);
    json_t *ids = list_ids(c.committee, h_fmt("q=%s", h_esc("坏承办")));
    EXPECT_TRUE_R(NULL, json_array_size(ids) == 0);
    /* Roles and scope. */
    EXPECT_PROBLEM(h_send(c.town, "POST", h_fmt("/api/v1/meetings/%lld/items", mid), json_pack("{s:s}", "title", "镇加事项")), 403, "forbidden");
    long long far = meeting_ok(c.leader, AREA_DONGYUAN, "东园追加（测试）", "2026-03-05");
    EXPECT_PROBLEM(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", far), json_pack("{s:s}", "title", "越界加事项")), 404, "not-found");
    r = h_send(c.leader, "POST", h_fmt("/api/v1/meetings/%lld/items", far), json_pack("{s:s}", "title", "领导加事项"));
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, h_jint(r->json, "area_id") == AREA_DONGYUAN);
}

static void meeting_carry_recorded_on_both(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long a = meeting_ok(c.committee, AREA_LUOYANG, "转入测试·第一次（测试）", "2026-04-01");
    long long b = meeting_ok(c.committee, AREA_LUOYANG, "转入测试·第二次（测试）", "2026-05-06");
    Resp *r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", a), json_pack("{s:s, s:I}", "title", "未办完的事项", "handler_org_id", (json_int_t)K.luoyang));
    EXPECT_STATUS(r, 201);
    long long x = h_jint(r->json, "id");
    act_ok(c.town, x, "accept", NULL, "in_progress");
    long long v0 = h_jint(get_ok(c.committee, x), "version");
    long long mv = h_jint(h_get(c.committee, "/api/v1/meetings/%lld", b)->json, "version");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", b), json_pack("{s:I}", "dossier_id", (json_int_t)x));
    EXPECT_STATUS(r, 200);
    /* On the later meeting: an item with role carried. */
    EXPECT_TRUE_R(r, h_jint(r->json, "id") == b && h_jint(r->json, "version") == mv + 1);
    json_t *it = find_id(h_jpath(r->json, "items"), "dossier_id", x);
    if (!it || strcmp(h_jstr(it, "role"), "carried") != 0) FAIL_RESP(r, "the later meeting does not hold the item as carried");
    EXPECT_TRUE_R(r, strcmp(h_jstr(it, "state"), "in_progress") == 0);
    /* On the earlier meeting: the item says where it went. */
    Resp *g = h_get(c.committee, "/api/v1/meetings/%lld", a);
    it = find_id(h_jpath(g->json, "items"), "dossier_id", x);
    if (!it || strcmp(h_jstr(it, "role"), "agreed") != 0 || h_jint(it, "carried_to") != b) FAIL_RESP(g, "the earlier meeting's item has no carried_to %lld", b);
    /* In the dossier: a carry event, state unchanged. */
    json_t *d = get_ok(c.committee, x);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(d, "state"), "in_progress") == 0 && h_jint(d, "version") == v0 + 1);
    EXPECT_TRUE_R(NULL, h_jint(d, "fields.meeting_id") == b);
    json_t *ev = events_of(c.committee, x);
    json_t *last = json_array_get(ev, json_array_size(ev) - 1);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(last, "action"), "carry") == 0 && h_jint(last, "payload.fields.meeting_id") == b);
    EXPECT_TRUE_R(NULL, strcmp(h_jstr(last, "from_state"), "in_progress") == 0 && json_is_null(h_jpath(last, "to_state")));
    check_chain(c.committee, x);
    /* The list counts it on both. */
    r = h_get(c.committee, "/api/v1/meetings?area_id=%d&q=%s&page_size=50", AREA_LUOYANG, h_esc("转入测试"));
    json_t *ra = find_id(items_of(r), "id", a), *rb = find_id(items_of(r), "id", b);
    EXPECT_TRUE_R(r, ra && rb && h_jint(ra, "items") == 1 && h_jint(rb, "items") == 1 && h_jint(rb, "items_open") == 1);
}

static void meeting_carry_refusals(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long a = meeting_ok(c.committee, AREA_LUOYANG, "转入拒绝·早（测试）", "2026-04-02");
    long long b = meeting_ok(c.committee, AREA_LUOYANG, "转入拒绝·晚（测试）", "2026-05-07");
    Resp *r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", b), json_pack("{s:s}", "title", "晚会议的事项"));
    EXPECT_STATUS(r, 201);
    long long late_item = h_jint(r->json, "id");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", a), json_pack("{s:s}", "title", "早会议已销号事项"));
    long long closed = h_jint(r->json, "id");
    drive(&c, closed, "written_off");
    long long loose = create_ok(c.committee, AREA_LUOYANG, "不属于任何会议", NULL);
    long long far_meeting = meeting_ok(c.leader, AREA_DONGYUAN, "东园转入（测试）", "2026-01-02");
    r = h_send(c.leader, "POST", h_fmt("/api/v1/meetings/%lld/items", far_meeting), json_pack("{s:s}", "title", "东园的事项"));
    long long far_item = h_jint(r->json, "id");
    /* Into an earlier meeting. */
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", a), json_pack("{s:I}", "dossier_id", (json_int_t)late_item));
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "dossier_id", "reference");
    /* A written-off item, an item of no meeting, another area's item, no such dossier. */
    long long bad[] = {closed, loose, far_item, 99999999};
    for (size_t k = 0; k < 4; k++) {
        r = h_send(c.leader, "POST", h_fmt("/api/v1/meetings/%lld/carry", b), json_pack("{s:I}", "dossier_id", (json_int_t)bad[k]));
        EXPECT_PROBLEM(r, 422, "validation");
        EXPECT_FIELD_ERROR(r, "dossier_id", "reference");
    }
    /* Into the meeting it already belongs to. */
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", b), json_pack("{s:I}", "dossier_id", (json_int_t)late_item));
    EXPECT_PROBLEM(r, 422, "validation");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", b), json_object());
    EXPECT_PROBLEM(r, 422, "validation");
    EXPECT_FIELD_ERROR(r, "dossier_id", "required");
    /* Carried twice into the same meeting: refused, and no second carry event. */
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", a), json_pack("{s:s}", "title", "转入两次的事项"));
    long long twice = h_jint(r->json, "id");
    EXPECT_STATUS(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", b), json_pack("{s:I}", "dossier_id", (json_int_t)twice)), 200);
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", b), json_pack("{s:I}", "dossier_id", (json_int_t)twice));
    if (r->status != 409 && r->status != 422) FAIL_RESP(r, "a second carry into the same meeting: expected 409 or 422");
    EXPECT_TRUE_R(r, h_jint(get_ok(c.committee, twice), "version") == 2);
    /* Roles. */
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", a), json_pack("{s:s}", "title", "早会议未办事项"));
    long long open_item = h_jint(r->json, "id");
    EXPECT_PROBLEM(h_send(c.town, "POST", h_fmt("/api/v1/meetings/%lld/carry", b), json_pack("{s:I}", "dossier_id", (json_int_t)open_item)), 403, "forbidden");
    EXPECT_PROBLEM(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", far_meeting), json_pack("{s:I}", "dossier_id", (json_int_t)open_item)), 404, "not-found");
    /* Nothing was recorded by the refusals (b holds its own item and the one carried once). */
    Resp *g = h_get(c.committee, "/api/v1/meetings/%lld", b);
    EXPECT_TRUE_R(g, json_array_size(h_jpath(g->json, "items")) == 2);
    EXPECT_TRUE_R(NULL, h_jint(get_ok(c.committee, open_item), "version") == 1);
}

/* A carry is only meaningful as "to a later meeting of the same area", and the meeting must record
 * it (its items, carried_to, close). The action route takes `carry` too: it must either be refused
 * there, or keep the same rules and leave the same record on the meeting. */
static void carry_action_keeps_the_meeting_rules(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long a = meeting_ok(c.committee, AREA_LUOYANG, "动作转入·早（测试）", "2026-06-01");
    long long b = meeting_ok(c.committee, AREA_LUOYANG, "动作转入·晚（测试）", "2026-07-01");
    Resp *r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", b), json_pack("{s:s}", "title", "动作转入的事项"));
    EXPECT_STATUS(r, 201);
    long long x = h_jint(r->json, "id");
    /* Backwards in time: carried "to" an earlier meeting. */
    r = act(c.committee, x, "carry", json_pack("{s:I}", "meeting_id", (json_int_t)a), 0);
    if (r->status == 200) FAIL_RESP(r, "the carry action moved an item of %lld back to the earlier meeting %lld", b, a);
    /* Into another area's meeting. */
    long long far = meeting_ok(c.leader, AREA_DONGYUAN, "东园动作转入（测试）", "2026-08-01");
    r = act(c.leader, x, "carry", json_pack("{s:I}", "meeting_id", (json_int_t)far), 0);
    if (r->status == 200) FAIL_RESP(r, "the carry action moved an item of area 1 to a meeting of area 3");
    /* Forwards: if the action route takes it, the meeting must show it. */
    long long later = meeting_ok(c.committee, AREA_LUOYANG, "动作转入·更晚（测试）", "2026-09-01");
    r = act(c.committee, x, "carry", json_pack("{s:I}", "meeting_id", (json_int_t)later), 0);
    if (r->status == 200) {
        Resp *g = h_get(c.committee, "/api/v1/meetings/%lld", later);
        json_t *it = find_id(h_jpath(g->json, "items"), "dossier_id", x);
        if (!it || strcmp(h_jstr(it, "role"), "carried") != 0)
            FAIL_RESP(g, "POST /dossiers/%lld/actions/carry answered 200 but meeting %lld does not list the item", x, later);
        g = h_get(c.committee, "/api/v1/meetings/%lld", b);
        it = find_id(h_jpath(g->json, "items"), "dossier_id", x);
        if (!it || h_jint(it, "carried_to") != later) FAIL_RESP(g, "the source meeting does not show carried_to %lld", later);
    } else if (r->status != 409 && r->status != 403 && r->status != 422) {
        FAIL_RESP(r, "the carry action: expected 200 (recorded on the meeting) or a refusal");
    }
}

/* meeting_id is an optional field of a new agreed item: a dossier that names its meeting must be
 * one of that meeting's items (or the field refused), else the meeting's progress and its close
 * miss it. */
static void create_with_meeting_id_is_on_the_meeting(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long m = meeting_ok(c.committee, AREA_LUOYANG, "登记时指明会议（测试）", "2026-03-09");
    Resp *r = create_raw(c.committee, AREA_LUOYANG, "指明会议的事项", json_pack("{s:I}", "meeting_id", (json_int_t)m));
    if (r->status == 201) {
        long long id = h_jint(r->json, "id");
        Resp *g = h_get(c.committee, "/api/v1/meetings/%lld", m);
        EXPECT_STATUS(g, 200);
        if (!find_id(h_jpath(g->json, "items"), "dossier_id", id))
            FAIL_RESP(g, "dossier %lld was opened with meeting_id %lld (answered 201) but the meeting does not list it", id, m);
    } else if (r->status != 422) {
        FAIL_RESP(r, "expected 201 (and the meeting lists it) or 422");
    }
    /* A meeting of another area is never right. */
    long long far = meeting_ok(c.leader, AREA_DONGYUAN, "东园会议（测试）", "2026-03-09");
    r = create_raw(c.leader, AREA_LUOYANG, "指明别的片区的会议", json_pack("{s:I}", "meeting_id", (json_int_t)far));
    if (r->status == 201) FAIL_RESP(r, "an item of area 1 opened on a meeting of area 3");
}

/* Closing a meeting while items are being added: a closed meeting never holds an open item. */
static void meeting_close_races_add_item(void **state) {
    (void)state;
    enum { T = 12, ROUNDS = 25 };
    Client *c[T];
    for (int t = 0; t < T; t++) c[t] = h_client_as(S, "committee");
    for (int round = 0; round < ROUNDS; round++) {
        long long m = meeting_ok(c[0], AREA_LUOYANG, h_fmt("竞态关闭（测试）%d", round), "2026-03-10");
        static char bodies[T][96];
        Shot s[T];
        memset(s, 0, sizeof s);
        for (int t = 0; t < T; t++) {
            s[t].c = c[t];
            s[t].n = 1;
            if (t == 0) {
                snprintf(s[t].path, sizeof s[t].path, "/api/v1/meetings/%lld/close", m);
                snprintf(bodies[t], sizeof bodies[t], "{}");
            } else {
                snprintf(s[t].path, sizeof s[t].path, "/api/v1/meetings/%lld/items", m);
                /* Spread the adders over the close's short transaction: those that read "open"
                 * just before it commits write just after. */
                s[t].delay_us = (t - 1) * 250;
                snprintf(bodies[t], sizeof bodies[t], "{\"title\":\"竞态事项 %d-%d\"}", round, t);
            }
            s[t].body[0] = bodies[t];
        }
        fire(s, T);
        Resp *g = h_get(c[0], "/api/v1/meetings/%lld", m);
        EXPECT_STATUS(g, 200);
        int open = 0;
        size_t i;
        json_t *it;
        json_array_foreach(h_jpath(g->json, "items"), i, it) if (json_is_null(h_jpath(it, "closed_on"))) open++;
        if (strcmp(h_jstr(g->json, "status"), "closed") == 0 && open > 0)
            FAIL_RESP(g, "round %d: the meeting closed (%ld) with %d open items added alongside", round, s[0].status[0], open);
        for (int t = 1; t < T; t++)
            if (s[t].status[0] != 201 && s[t].status[0] != 409) fail_msg("add item answered %ld: %.300s", s[t].status[0], s[t].answer[0]);
        shots_free(s, T);
    }
    for (int t = 0; t < T; t++) h_client_free(c[t]);
}

/* PUT /meetings/{id} with the same If-Match from several clients at once: one update wins, the
 * others answer 412 (otherwise the last writer silently overwrites the others' minutes). */
static void meeting_update_if_match_under_concurrency(void **state) {
    (void)state;
    enum { T = 8, ROUNDS = 20 };
    Client *c[T];
    for (int t = 0; t < T; t++) c[t] = h_client_as(S, "committee");
    for (int round = 0; round < ROUNDS; round++) {
        long long m = meeting_ok(c[0], AREA_LUOYANG, h_fmt("并发修改纪要（测试）%d", round), "2026-03-11");
        static char bodies[T][160];
        Shot s[T];
        memset(s, 0, sizeof s);
        for (int t = 0; t < T; t++) {
            s[t].c = c[t];
            s[t].n = 1;
            s[t].method = "PUT";
            snprintf(s[t].path, sizeof s[t].path, "/api/v1/meetings/%lld", m);
            snprintf(bodies[t], sizeof bodies[t], "{\"title\":\"并发修改纪要（测试）%d\",\"held_on\":\"2026-03-11\",\"minutes\":\"第%d份纪要\"}",
                     round, t);
            s[t].body[0] = bodies[t];
            h_client_header(c[t], "If-Match: \"1\"");
        }
        fire(s, T);
        int wins = 0;
        for (int t = 0; t < T; t++) {
            if (s[t].status[0] == 200) wins++;
            else if (s[t].status[0] != 412) fail_msg("PUT racer answered %ld: %.300s", s[t].status[0], s[t].answer[0]);
        }
        Resp *g = h_get(c[0], "/api/v1/meetings/%lld", m);
        if (wins != 1)
            FAIL_RESP(g, "round %d: %d concurrent PUTs with If-Match \"1\" answered 200 (want exactly 1); the meeting is at version %lld",
                      round, wins, h_jint(g->json, "version"));
        shots_free(s, T);
    }
    for (int t = 0; t < T; t++) h_client_free(c[t]);
}

static void meeting_close_needs_items_settled(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long a = meeting_ok(c.committee, AREA_LUOYANG, "闭环测试·本次（测试）", "2026-04-03");
    long long b = meeting_ok(c.committee, AREA_LUOYANG, "闭环测试·下次（测试）", "2026-05-08");
    long long ids[3];
    for (int k = 0; k < 3; k++) {
        Resp *r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", a),
                         json_pack("{s:s, s:I}", "title", h_fmt("闭环事项%d", k + 1), "handler_org_id", (json_int_t)K.luoyang));
        EXPECT_STATUS(r, 201);
        ids[k] = h_jint(r->json, "id");
    }
    /* All three open. */
    Resp *r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/close", a), json_object());
    EXPECT_PROBLEM(r, 409, "conflict");
    json_t *open = h_jpath(r->json, "open_items");
    if (!json_is_array(open) || json_array_size(open) != 3) FAIL_RESP(r, "open_items should list the 3 open items");
    /* Carry one, write one off: the third still holds the close. */
    EXPECT_STATUS(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", b), json_pack("{s:I}", "dossier_id", (json_int_t)ids[0])), 200);
    act_ok(c.town, ids[1], "accept", NULL, "in_progress");
    act_ok(c.town, ids[1], "report_done", fields_for("report_done"), "done");
    act_ok(c.committee, ids[1], "verify", fields_for("verify"), "verified");
    act_ok(c.committee, ids[1], "write_off", NULL, "written_off");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/close", a), json_object());
    EXPECT_PROBLEM(r, 409, "conflict");
    open = h_jpath(r->json, "open_items");
    if (json_array_size(open) != 1 || json_integer_value(json_array_get(open, 0)) != ids[2]) FAIL_RESP(r, "open_items should be [%lld]", ids[2]);
    /* A verified item is not yet written off. */
    act_ok(c.town, ids[2], "accept", NULL, "in_progress");
    act_ok(c.town, ids[2], "report_done", fields_for("report_done"), "done");
    act_ok(c.committee, ids[2], "verify", fields_for("verify"), "verified");
    EXPECT_PROBLEM(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/close", a), json_object()), 409, "conflict");
    /* Others may not close it. */
    EXPECT_PROBLEM(h_send(c.town, "POST", h_fmt("/api/v1/meetings/%lld/close", a), json_object()), 403, "forbidden");
    act_ok(c.committee, ids[2], "write_off", NULL, "written_off");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/close", a), json_object());
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "status"), "closed") == 0 && h_jstr(r->json, "closed_on") && strcmp(h_jstr(r->json, "closed_on"), K.today) == 0);
    /* Closed: no second close, no new items, nothing carried in. */
    EXPECT_PROBLEM(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/close", a), json_object()), 409, "conflict");
    EXPECT_PROBLEM(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", a), json_pack("{s:s}", "title", "关闭后追加")), 409, "conflict");
    long long earlier = meeting_ok(c.committee, AREA_LUOYANG, "闭环测试·更早（测试）", "2026-03-01");
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/items", earlier), json_pack("{s:s}", "title", "更早会议的事项"));
    long long e = h_jint(r->json, "id");
    EXPECT_PROBLEM(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/carry", a), json_pack("{s:I}", "dossier_id", (json_int_t)e)), 409, "conflict");
    /* The next meeting still holds the carried item open: it cannot close yet. */
    r = h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/close", b), json_object());
    EXPECT_PROBLEM(r, 409, "conflict");
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "open_items")) == 1 && json_integer_value(h_jpath(r->json, "open_items[0]")) == ids[0]);
    /* A meeting without items closes at once. */
    long long empty = meeting_ok(c.committee, AREA_LUOYANG, "闭环测试·无事项（测试）", "2026-04-04");
    EXPECT_STATUS(h_send(c.committee, "POST", h_fmt("/api/v1/meetings/%lld/close", empty), json_object()), 200);
}

/* ==== 9. the supervision board =================================================================== */

typedef struct Board {
    long long red, yellow, supervised, listed;     /* totals */
    long long a_red, a_yellow, a_supervised;       /* by_area for AREA_BOARD (0 when absent) */
    long long h_yellow;                            /* by_handler for 洛阳镇 */
    bool has_item;                                 /* items[] holds the watched dossier */
    char item_level[16];                           /* its supervision_level ("" when null) */
    long long item_supervisions;
} Board;

static Board board(Client *c, const char *query, long long watch) {
    Board b = {0};
    Resp *r = h_get(c, "/api/v1/supervision%s", query);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jstr(r->json, "today") && strcmp(h_jstr(r->json, "today"), K.today) == 0);
    b.red = h_jint(r->json, "totals.red");
    b.yellow = h_jint(r->json, "totals.yellow");
    b.supervised = h_jint(r->json, "totals.supervised");
    b.listed = h_jint(r->json, "totals.listed");
    if (b.red < 0 || b.yellow < 0 || b.supervised < 0 || b.listed < 0) FAIL_RESP(r, "totals incomplete");
    json_t *a = find_id(h_jpath(r->json, "by_area"), "area_id", AREA_BOARD);
    if (a) {
        b.a_red = h_jint(a, "red");
        b.a_yellow = h_jint(a, "yellow");
        b.a_supervised = h_jint(a, "supervised");
        EXPECT_TRUE_R(r, h_jstr(a, "area_name") != NULL);
    }
    json_t *h = find_id(h_jpath(r->json, "by_handler"), "org_id", K.luoyang);
    if (h) b.h_yellow = h_jint(h, "yellow");
    json_t *it = find_id(h_jpath(r->json, "items"), "id", watch);
    if (it) {
        b.has_item = true;
        snprintf(b.item_level, sizeof b.item_level, "%s", h_jstr(it, "supervision_level") ? h_jstr(it, "supervision_level") : "");
        b.item_supervisions = h_jint(it, "supervisions");
    }
    return b;
}

static void supervision_board_counts(void **state) {
    (void)state;
    load_ids();
    Crew c = crew();
    long long x = create_ok(c.leader, AREA_BOARD, "督办看板测试", NULL);
    act_ok(c.leader, x, "assign", fields_for("assign"), "assigned");
    char qa[32];
    snprintf(qa, sizeof qa, "?area_id=%d", AREA_BOARD);
    Board b0 = board(c.leader, qa, x), w0 = board(c.leader, "", x);
    EXPECT_TRUE_R(NULL, !b0.has_item);
    /* Supervised with a limit of 10 working days: still green. */
    act_ok(c.leader, x, "supervise", json_pack("{s:s, s:i}", "level", "supervise", "limit_days", 10), "assigned");
    Board b1 = board(c.leader, qa, x), w1 = board(c.leader, "", x);
    if (b1.supervised != b0.supervised + 1 || b1.a_supervised != b0.a_supervised + 1 || b1.listed != b0.listed || b1.yellow != b0.yellow)
        fail_msg("after supervise: supervised %lld→%lld, by_area %lld→%lld, listed %lld→%lld, yellow %lld→%lld", b0.supervised,
                 b1.supervised, b0.a_supervised, b1.a_supervised, b0.listed, b1.listed, b0.yellow, b1.yellow);
    if (!b1.has_item || strcmp(b1.item_level, "supervise") != 0 || b1.item_supervisions != 1) fail_msg("the board's items[] lacks the supervised matter");
    if (w1.supervised != w0.supervised + 1 || w1.a_supervised != w0.a_supervised + 1) fail_msg("the district-wide board did not count it");
    /* Listed, with a limit of one working day: yellow at once. */
    act_ok(c.leader, x, "supervise", json_pack("{s:s, s:i}", "level", "listed", "limit_days", 1), "assigned");
    Board b2 = board(c.leader, qa, x);
    if (b2.listed != b0.listed + 1 || b2.supervised != b0.supervised || b2.a_supervised != b0.a_supervised + 1 ||
        b2.yellow != b0.yellow + 1 || b2.a_yellow != b0.a_yellow + 1 || b2.h_yellow != b0.h_yellow + 1)
        fail_msg("after listing: listed %lld→%lld, supervised %lld→%lld, yellow %lld→%lld (area %lld→%lld, handler %lld→%lld)",
                 b0.listed, b2.listed, b0.supervised, b2.supervised, b0.yellow, b2.yellow, b0.a_yellow, b2.a_yellow, b0.h_yellow, b2.h_yellow);
    if (strcmp(b2.item_level, "listed") != 0 || b2.item_supervisions != 2) fail_msg("items[]: level %s, supervisions %lld", b2.item_level, b2.item_supervisions);
    /* The community of area 1 does not see area 5's entries. */
    Resp *r = h_get(c.community, "/api/v1/supervision");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, find_id(h_jpath(r->json, "items"), "id", x) == NULL && find_id(h_jpath(r->json, "by_area"), "area_id", AREA_BOARD) == NULL);
    /* Handled, verified, written off: every count is back where it was. */
    act_ok(c.town, x, "accept", NULL, "in_progress");
    act_ok(c.town, x, "report_done", fields_for("report_done"), "done");
    act_ok(c.leader, x, "verify", fields_for("verify"), "verified");
    act_ok(c.leader, x, "write_off", NULL, "written_off");
    Board b3 = board(c.leader, qa, x);
    if (b3.supervised != b0.supervised || b3.listed != b0.listed || b3.yellow != b0.yellow || b3.red != b0.red ||
        b3.a_supervised != b0.a_supervised || b3.a_yellow != b0.a_yellow || b3.h_yellow != b0.h_yellow || b3.has_item)
        fail_msg("after write-off: listed %lld→%lld, supervised %lld→%lld, yellow %lld→%lld, by_area supervised %lld→%lld, "
                 "still on the board: %d", b0.listed, b3.listed, b0.supervised, b3.supervised, b0.yellow, b3.yellow, b0.a_supervised,
                 b3.a_supervised, b3.has_item);
    r = h_get(c.leader, "/api/v1/supervision?area_id=x");
    EXPECT_PROBLEM(r, 422, "validation");
}

/* ==== 10. verify and rebuild on what the suite wrote ============================================= */

static void verify_and_rebuild_after_the_suite(void **state) {
    (void)state;
    int rc = h_server_stop(S);
    if (rc != 0) fail_msg("the server exited with %d after SIGTERM", rc);
    char *out = NULL;
    const char *const verify[] = {"verify", "--db", S->db, NULL};
    rc = h_cli(S, verify, &out);
    if (rc != 0 || !out || !strstr(out, "all chains intact")) fail_msg("sanqu verify: exit %d\n%s", rc, out ? out : "");
    free(out);
    out = NULL;
    const char *const rebuild[] = {"rebuild", "--db", S->db, NULL};
    rc = h_cli(S, rebuild, &out);
    if (rc != 0) fail_msg("sanqu rebuild: exit %d\n%s", rc, out ? out : "");
    free(out);
    out = NULL;
    rc = h_cli(S, verify, &out);
    if (rc != 0 || !out || !strstr(out, "all chains intact")) fail_msg("sanqu verify after rebuild: exit %d\n%s", rc, out ? out : "");
    free(out);
}

/* ==== main ======================================================================================== */

int main(int argc, char **argv) {
    h_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(types_are_declared),
        cmocka_unit_test(create_in_own_area),
        cmocka_unit_test(create_refused_by_role_and_scope),
        cmocka_unit_test(create_field_errors_name_the_field),
        cmocka_unit_test(create_by_committee_without_area_names_the_field),
        cmocka_unit_test(every_action_in_every_state),
        cmocka_unit_test(allowed_actions_per_account),
        cmocka_unit_test(lifecycle_records_each_step),
        cmocka_unit_test(action_field_errors),
        cmocka_unit_test(role_refusals_answer_403),
        cmocka_unit_test(reporter_may_not_verify_or_write_off),
        cmocka_unit_test(stale_if_match_answers_412),
        cmocka_unit_test(unknown_actions_and_records_answer_404),
        cmocka_unit_test(scope_per_role),
        cmocka_unit_test(administrators_have_no_dossiers),
        cmocka_unit_test(events_form_a_hash_chain),
        cmocka_unit_test(comments_are_events),
        cmocka_unit_test(full_text_finds_two_character_words),
        cmocka_unit_test(full_text_terms_span_title_and_comments),
        cmocka_unit_test(list_filters),
        cmocka_unit_test(list_filters_hold_for_every_item),
        cmocka_unit_test(list_filters_follow_changes),
        cmocka_unit_test(cursor_pagination),
        cmocka_unit_test(idempotency_key_on_create_and_action),
        cmocka_unit_test(idempotency_under_concurrent_retries),
        cmocka_unit_test(concurrent_actions_one_wins),
        cmocka_unit_test(concurrent_writes_with_refusals),
        cmocka_unit_test(concurrent_comments_keep_the_chain),
        cmocka_unit_test(meeting_with_items),
        cmocka_unit_test(meeting_errors_name_the_item),
        cmocka_unit_test(meeting_add_item),
        cmocka_unit_test(meeting_carry_recorded_on_both),
        cmocka_unit_test(meeting_carry_refusals),
        cmocka_unit_test(carry_action_keeps_the_meeting_rules),
        cmocka_unit_test(create_with_meeting_id_is_on_the_meeting),
        cmocka_unit_test(meeting_close_needs_items_settled),
        cmocka_unit_test(meeting_close_races_add_item),
        cmocka_unit_test(meeting_update_if_match_under_concurrency),
        cmocka_unit_test(supervision_board_counts),
        cmocka_unit_test(verify_and_rebuild_after_the_suite),
    };
    int failed = cmocka_run_group_tests_name("dossier", tests, start_group, stop_group);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
