/*
 * test_authz.c — the authorization matrix (issue #3 item 4), against the real binary.
 *
 * Every route of `sanqu routes --markdown` × every role (and no session) × an object in the role's
 * scope and one outside it, with the expected answer: 401 without a session on every non-public
 * route, 403 when the role lacks the route's capability (the capabilities come from the login
 * answer), 404 for an object out of scope, otherwise "allowed" (any answer but 401/403/404/405
 * and 5xx). The test keeps one entry per route (`entries` below: how to fill the path parameters
 * and what body to send); a route in the table without an entry fails `routes_have_entries`,
 * naming it, and so does an entry whose route is gone.
 *
 * Scope is modelled here independently of the server, from the admin's district-wide view and the
 * rules of docs/architecture.md and src/store/scope.h: district-wide roles see everything; town,
 * community, enterprise and volunteer their organisation's subtree; committee the members of its
 * area and everything under them. An area is visible when it is the committee's own, or has a
 * member in the subtree; an agreement when its area is visible or a party is in scope; a liaison
 * when its target, department or person's organisation is in scope or its area is visible; an
 * account when its organisation is in scope. Matters (dossiers, meetings) follow src/core/dossier.c:
 * one's own, those of a visible area, those whose organisation or handler is in scope, with
 * department and inspector narrowed to their own subtree (meetings: the areas of that scope).
 * From that model the test picks its fixtures and
 * checks the lists ("zero leaks"): every list route of the table, with filters and searches that
 * point outside the scope, answers exactly the admin's answer restricted to the scope — nothing
 * more (a leak), nothing less — and /stats/overview counts exactly the same records.
 *
 * Writes that would destroy a fixture get fresh objects made by the admin for the cell (deleted
 * afterwards when still there); other writes send "{}" (or an empty CSV), which every write
 * answers 422 once authorization has passed — authorization is decided before validation.
 * Rules beyond capabilities and scope are explicit exceptions: `role_rules`, `matter_rules`, and the
 * E_RUNS_MEETING flag of the meeting routes. Records that a role opens must not name records it
 * cannot open (`org_detail_areas_in_scope`, `meeting_items_in_scope`), and the audit log must read
 * as valid JSON with real client addresses (`audit_log_is_well_formed`).
 *
 * Usage: test_authz SANQU_BINARY SOURCE_DIR. One cmocka group, one server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static Server *S; /* the group's server */

enum {
    MAXID = 20000,   /* ids above this are not modelled (the demo uses a few hundred) */
    MAXROUTES = 128, /* rows of the route table */
    NROLES = 11,     /* demo accounts, one per role */
};

/* ==== failures are collected, so that one run names every wrong cell ============================ */

static int g_failures; /* cells that answered other than expected in the running test */

__attribute__((format(printf, 1, 2))) static void cell_fail(const char *fmt, ...) {
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error("  %s\n", msg);
    g_failures++;
}

/* Fails the running test when cells failed; call at its end. */
static void cells_done(const char *what) {
    if (g_failures) {
        int n = g_failures;
        g_failures = 0;
        fail_msg("%s: %d cell(s) answered other than expected (listed above)", what, n);
    }
}

/* The body of r, shortened for messages (cut at a character boundary). */
static const char *brief(const Resp *r) {
    const char *b = r->body ? r->body : "";
    size_t n = strlen(b) > 300 ? 300 : strlen(b);
    while (n > 0 && n < strlen(b) && ((unsigned char)b[n] & 0xC0) == 0x80) n--;
    return h_fmt("%.*s", (int)n, b);
}

/* ==== the route table =========================================================================== */

typedef struct Route {
    char method[16]; /* GET, POST, PUT, DELETE */
    char path[96];   /* pattern with {id} / {org_id} */
    char cap[32];    /* "public", "signed in" or a capability name */
    bool csrf;       /* the description ends with "(CSRF)": a state-changing route */
} Route;

static Route routes[MAXROUTES];
static int nroutes;

/* Trims spaces and backticks around s in place. */
static char *trim(char *s) {
    while (*s == ' ' || *s == '`') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '`')) s[--n] = 0;
    return s;
}

/* Reads `sanqu routes --markdown` into routes[]. */
static bool load_routes(void) {
    const char *const args[] = {"routes", "--markdown", NULL};
    char *out = NULL;
    int rc = h_cli(S, args, &out);
    if (rc != 0 || !out) {
        fprintf(stderr, "sanqu routes --markdown exited with %d\n%s\n", rc, out ? out : "");
        free(out);
        return false;
    }
    nroutes = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "| ", 2) != 0 || strncmp(line, "| method", 8) == 0) continue;
        char *cols[5] = {0};
        int nc = 0;
        for (char *p = line + 1; *p && nc < 5;) {
            char *bar = strchr(p, '|');
            if (!bar) break;
            *bar = 0;
            cols[nc++] = trim(p);
            p = bar + 1;
        }
        if (nc < 4 || nroutes >= MAXROUTES) continue;
        Route *r = &routes[nroutes++];
        snprintf(r->method, sizeof r->method, "%s", cols[0]);
        snprintf(r->path, sizeof r->path, "%s", cols[1]);
        snprintf(r->cap, sizeof r->cap, "%s", cols[2]);
        size_t dl = strlen(cols[3]);
        r->csrf = dl >= 6 && strcmp(cols[3] + dl - 6, "(CSRF)") == 0;
    }
    free(out);
    if (nroutes < 10) fprintf(stderr, "sanqu routes --markdown listed only %d routes\n", nroutes);
    return nroutes >= 10;
}

/* ==== one entry per route ======================================================================= */

typedef enum Obj { P_NONE, P_ORG, P_AREA, P_AGREEMENT, P_LIAISON, P_USER, P_DOSSIER, P_MEETING, P_CENTER, P_ACTIVITY } Obj;
typedef enum Body {
    B_NONE,       /* no body */
    B_EMPTY_JSON, /* {} */
    B_EMPTY_CSV,  /* a CSV header alone */
    B_COMMENT,    /* {"body": "…"}: the comment route validates before it looks the dossier up */
    B_CARRY,      /* {"dossier_id": 999999}: likewise */
    B_PNG,        /* a small PNG file (image/png): attachments check name and type before scope */
} Body;
enum {
    E_FRESH = 1,   /* the request destroys its object: a fresh one per cell (when the role may) */
    E_MEMBER = 2,  /* {org_id} is a fresh member of the area {id} */
    E_RELOGIN = 4, /* the request ends the session: a fresh sign-in for the cell */
    E_VICTIM = 8,  /* the request changes an account's state: the sacrificial account for
                      district-wide roles */
    E_ATTACHMENT = 32,   /* the second parameter is an attachment of the dossier {id} */
    E_RUNS_MEETING = 16, /* role rule: only a leader, or the committee of the meeting's area, runs a
                            meeting (src/core/meeting.c may_run): 403 for everyone else in scope */
    E_PROVIDER = 256,    /* a resource's provider must be in the writer's scope (src/core/resource.c
                            may_write): the demo's resource 1 is a department's no writer but the
                            admin holds — 403 for the others */
    E_SERVICE = 64,      /* the second parameter is a fresh catalogue entry of the centre {id} */
    E_PHOTO = 128,       /* the second parameter is a photo of the activity {id} */
};

typedef struct Entry {
    const char *method, *path; /* as in the route table */
    Obj obj;                   /* what {id} names (P_NONE: no object in the path) */
    Body body;                 /* what is sent */
    unsigned flags;            /* E_* */
    const char *query;         /* appended to the path, or NULL */
    const char *param2;        /* the second path parameter when it is not an id ({action}) */
} Entry;

/* "{}" is refused with 422 by every JSON write once authorization has passed (required fields),
 * and an empty CSV dry run creates nothing. */
static const Entry entries[] = {
    {"GET", "/api/v1/health", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/session", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"DELETE", "/api/v1/session", P_NONE, B_NONE, E_RELOGIN, NULL, NULL},
    {"GET", "/api/v1/me", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/me/password", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/meta", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/stats/overview", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/orgs", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/orgs", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"POST", "/api/v1/orgs/import", P_NONE, B_EMPTY_CSV, 0, "?dry_run=true", NULL},
    {"GET", "/api/v1/orgs/{id}", P_ORG, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/orgs/{id}", P_ORG, B_EMPTY_JSON, 0, NULL, NULL},
    {"DELETE", "/api/v1/orgs/{id}", P_ORG, B_NONE, E_FRESH, NULL, NULL},
    {"GET", "/api/v1/org-directory", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/areas", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/areas", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/areas/{id}", P_AREA, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/areas/{id}", P_AREA, B_EMPTY_JSON, 0, NULL, NULL},
    {"DELETE", "/api/v1/areas/{id}", P_AREA, B_NONE, E_FRESH, NULL, NULL},
    {"GET", "/api/v1/areas/{id}/members", P_AREA, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/areas/{id}/members", P_AREA, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/areas/{id}/candidates", P_AREA, B_NONE, 0, NULL, NULL},
    {"DELETE", "/api/v1/areas/{id}/members/{org_id}", P_AREA, B_NONE, E_MEMBER, NULL, NULL},
    {"GET", "/api/v1/agreements", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/agreements", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/agreements/{id}", P_AGREEMENT, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/agreements/{id}", P_AGREEMENT, B_EMPTY_JSON, 0, NULL, NULL},
    {"DELETE", "/api/v1/agreements/{id}", P_AGREEMENT, B_NONE, E_FRESH, NULL, NULL},
    {"GET", "/api/v1/liaisons", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/liaisons", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/liaisons/{id}", P_LIAISON, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/liaisons/{id}", P_LIAISON, B_EMPTY_JSON, 0, NULL, NULL},
    {"DELETE", "/api/v1/liaisons/{id}", P_LIAISON, B_NONE, E_FRESH, NULL, NULL},
    {"GET", "/api/v1/users", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/users", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/users/{id}", P_USER, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/users/{id}", P_USER, B_EMPTY_JSON, 0, NULL, NULL},
    {"PUT", "/api/v1/users/{id}/role", P_USER, B_EMPTY_JSON, 0, NULL, NULL},
    {"POST", "/api/v1/users/{id}/lock", P_USER, B_NONE, E_VICTIM, NULL, NULL},
    {"POST", "/api/v1/users/{id}/unlock", P_USER, B_NONE, E_VICTIM, NULL, NULL},
    {"POST", "/api/v1/users/{id}/reset-password", P_USER, B_NONE, E_VICTIM, NULL, NULL},
    {"GET", "/api/v1/users/{id}/phone", P_USER, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/audit", P_NONE, B_NONE, 0, NULL, NULL},
    /* The three lists: the catalogue is district-wide (no out-of-scope half); resource 1 of the demo
     * is offered by 民生保障局 and taken by projects, so a write to it passes only for a writer
     * whose scope holds that department (the admin: 422 for {}, 409 for a delete). */
    {"GET", "/api/v1/categories", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/categories", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"PUT", "/api/v1/categories/{code}", P_NONE, B_EMPTY_JSON, 0, NULL, "elderly"},
    {"GET", "/api/v1/resources", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/resources", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/resources/{id}", P_NONE, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/resources/{id}", P_NONE, B_EMPTY_JSON, E_PROVIDER, NULL, NULL},
    {"DELETE", "/api/v1/resources/{id}", P_NONE, B_NONE, E_PROVIDER, NULL, NULL},
    {"GET", "/api/v1/resources/{id}/phone", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/resources/{id}/needs", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/dossiers/{id}/matches", P_DOSSIER, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/three-lists", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/stats/services", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/dossier-types", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/dossiers", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/dossiers", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/dossiers/{id}", P_DOSSIER, B_NONE, 0, NULL, NULL},
    /* "accept" on a registered dossier: the state check (409) comes before the action's roles, so
     * the cell is about scope and capability; who may take which action is in role_rules. */
    {"POST", "/api/v1/dossiers/{id}/actions/{action}", P_DOSSIER, B_EMPTY_JSON, 0, NULL, "accept"},
    {"POST", "/api/v1/dossiers/{id}/comments", P_DOSSIER, B_COMMENT, 0, NULL, NULL},
    {"GET", "/api/v1/dossiers/{id}/events", P_DOSSIER, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/dossiers/{id}/attachments", P_DOSSIER, B_PNG, 0, "?name=matrix.png", NULL},
    {"GET", "/api/v1/dossiers/{id}/attachments", P_DOSSIER, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/dossiers/{id}/attachments/{aid}", P_DOSSIER, B_NONE, E_ATTACHMENT, NULL, NULL},
    {"GET", "/api/v1/meetings", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/meetings", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/meetings/{id}", P_MEETING, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/meetings/{id}", P_MEETING, B_EMPTY_JSON, E_RUNS_MEETING, NULL, NULL},
    {"POST", "/api/v1/meetings/{id}/items", P_MEETING, B_EMPTY_JSON, E_RUNS_MEETING, NULL, NULL},
    {"POST", "/api/v1/meetings/{id}/carry", P_MEETING, B_CARRY, E_RUNS_MEETING, NULL, NULL},
    {"POST", "/api/v1/meetings/{id}/close", P_MEETING, B_NONE, E_RUNS_MEETING | E_FRESH, NULL, NULL},
    {"GET", "/api/v1/supervision", P_NONE, B_NONE, 0, NULL, NULL},
    /* Centres and activities (src/core/center.c, activity.c): the "in" fixtures are ones the role
     * may also write (a centre of an area in its area scope, an activity with an organiser in its
     * scope), so that {} meets validation (422). */
    {"GET", "/api/v1/centers", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/centers", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/centers/{id}", P_CENTER, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/centers/{id}", P_CENTER, B_EMPTY_JSON, 0, NULL, NULL},
    {"DELETE", "/api/v1/centers/{id}", P_CENTER, B_NONE, E_FRESH, NULL, NULL},
    {"GET", "/api/v1/centers/{id}/services", P_CENTER, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/centers/{id}/services", P_CENTER, B_EMPTY_JSON, 0, NULL, NULL},
    {"DELETE", "/api/v1/centers/{id}/services/{sid}", P_CENTER, B_NONE, E_SERVICE, NULL, NULL},
    {"GET", "/api/v1/activities", P_NONE, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/activities/figures", P_NONE, B_NONE, 0, NULL, NULL},
    {"POST", "/api/v1/activities", P_NONE, B_EMPTY_JSON, 0, NULL, NULL},
    {"GET", "/api/v1/activities/{id}", P_ACTIVITY, B_NONE, 0, NULL, NULL},
    {"PUT", "/api/v1/activities/{id}", P_ACTIVITY, B_EMPTY_JSON, 0, NULL, NULL},
    {"DELETE", "/api/v1/activities/{id}", P_ACTIVITY, B_NONE, E_FRESH, NULL, NULL},
    {"POST", "/api/v1/activities/{id}/photos", P_ACTIVITY, B_PNG, 0, "?name=matrix.png", NULL},
    {"GET", "/api/v1/activities/{id}/photos", P_ACTIVITY, B_NONE, 0, NULL, NULL},
    {"GET", "/api/v1/activities/{id}/photos/{pid}", P_ACTIVITY, B_NONE, E_PHOTO, NULL, NULL},
};
enum { NENTRIES = sizeof entries / sizeof entries[0] };

static const Entry *entry_of(const Route *rt) {
    for (int i = 0; i < NENTRIES; i++)
        if (strcmp(entries[i].method, rt->method) == 0 && strcmp(entries[i].path, rt->path) == 0) return &entries[i];
    return NULL;
}

static const Route *route_of(const Entry *e) {
    for (int i = 0; i < nroutes; i++)
        if (strcmp(routes[i].method, e->method) == 0 && strcmp(routes[i].path, e->path) == 0) return &routes[i];
    return NULL;
}

/* ==== roles ===================================================================================== */

typedef struct Role {
    const char *name;   /* role, and the demo account's user name */
    Client *c;          /* signed in for the whole group */
    json_t *caps;       /* capabilities of the login answer (owned by c) */
    bool wide;          /* scope.district_wide */
    long long user_id;  /* the account's id */
    long long org_id;   /* scope.org_id */
    long long area_id;  /* scope.area_id, 0 when none */
    bool in_org[MAXID]; /* organisations in scope (the model's view; set by model_scope) */
    bool narrow;        /* matters (dossiers) only of its own subtree: department, inspector */
    bool in_matter[MAXID]; /* organisations in scope for matters (= in_org unless narrow) */
} Role;

static Role roles[NROLES] = {
    {.name = "admin"},     {.name = "secadmin"}, {.name = "auditor"},   {.name = "leader"},
    {.name = "committee"}, {.name = "department"}, {.name = "town"},    {.name = "community"},
    {.name = "enterprise"}, {.name = "inspector"}, {.name = "volunteer"},
};

static Role *role_named(const char *name) {
    for (int i = 0; i < NROLES; i++)
        if (strcmp(roles[i].name, name) == 0) return &roles[i];
    return NULL;
}

static bool has_cap(const Role *ro, const char *cap) {
    size_t i;
    json_t *v;
    json_array_foreach(ro->caps, i, v) if (json_is_string(v) && strcmp(json_string_value(v), cap) == 0) return true;
    return false;
}

/* Signs every role in (a client each for the group) and reads its capabilities and scope. */
static bool login_roles(void) {
    for (int i = 0; i < NROLES; i++) {
        Role *ro = &roles[i];
        ro->c = h_client(S);
        Resp *r = h_login(ro->c, ro->name, H_PASSWORD);
        if (r->status != 200 || !json_is_array(h_jpath(r->json, "capabilities"))) {
            fprintf(stderr, "login as %s: %ld %s\n", ro->name, r->status, r->body);
            return false;
        }
        ro->caps = json_incref(h_jpath(r->json, "capabilities"));
        h_client_own(ro->c, ro->caps);
        ro->wide = json_is_true(h_jpath(r->json, "scope.district_wide"));
        ro->user_id = h_jint(r->json, "user.id");
        ro->org_id = h_jint(r->json, "scope.org_id");
        ro->area_id = h_jint(r->json, "scope.area_id");
        if (ro->area_id < 0) ro->area_id = 0;
    }
    return true;
}

/* ==== the model: the admin's district-wide view ================================================= */

static struct Model {
    Client *admin;             /* owns the arrays below */
    json_t *orgs, *users, *areas, *agreements, *liaisons; /* every record (admin's lists) */
    long long parent[MAXID];   /* parent id of each organisation; 0 for the root, -1 unknown */
    char kind[MAXID][16];      /* kind of each organisation, "" unknown */
    long long user_org[MAXID]; /* organisation of each account, -1 unknown */
    char user_role[MAXID][16]; /* role of each account */
    char username[MAXID][40];  /* user name of each account */
    json_t *members[MAXID];    /* area id → its members (org ids, a JSON array owned by admin) */
    bool is_member[MAXID];     /* the organisation is a member of some area */
    Client *leader;            /* district-wide for matters: the reference view of dossiers, meetings */
    json_t *dossiers;          /* every dossier (GET /dossiers/{id} of each, with created_by) */
    json_t *meetings;          /* every meeting */
    json_t *centers;           /* every neighbourhood centre (admin's list) */
    json_t *activities;        /* every activity (admin's list) */
} M;

static long long id_of(json_t *j, const char *path) { return h_jint(j, path); }

static json_t *find_indexed;  /* the array find_id indexed last; NULL after model_load */
static json_t *dossier_cache; /* dossier id → detail, for the group (owned by the leader's client) */

/* Every item of a cursor list (items, next_cursor). Owned by c. */
static json_t *cursor_items(Client *c, const char *path) {
    json_t *all = h_client_own(c, json_array());
    char sep = strchr(path, '?') ? '&' : '?';
    long long cursor = 0;
    for (int page = 0; page < 1000; page++) {
        Resp *r = cursor ? h_get(c, "%s%climit=200&cursor=%lld", path, sep, cursor) : h_get(c, "%s%climit=200", path, sep);
        if (r->status != 200 || !json_is_array(h_jpath(r->json, "items"))) {
            h_fail_resp(r, __FILE__, __LINE__, "listing %s: expected 200 with items[]", path);
            return all;
        }
        json_array_extend(all, h_jpath(r->json, "items"));
        cursor = h_jint(r->json, "next_cursor");
        if (cursor <= 0) break;
    }
    return all;
}

/* Loads the admin's view of everything. The previous model is dropped. */
static void model_load(void) {
    if (M.admin) h_client_free(M.admin);
    if (M.leader) h_client_free(M.leader);
    memset(&M, 0, sizeof M);
    find_indexed = NULL;
    for (int i = 0; i < MAXID; i++) M.parent[i] = -1, M.user_org[i] = -1;
    M.admin = h_client_as(S, "admin");
    M.orgs = h_all_items(M.admin, "/api/v1/orgs", NULL);
    M.users = h_all_items(M.admin, "/api/v1/users", NULL);
    M.areas = h_all_items(M.admin, "/api/v1/areas", NULL);
    M.agreements = h_all_items(M.admin, "/api/v1/agreements", NULL);
    M.liaisons = h_all_items(M.admin, "/api/v1/liaisons", NULL);
    size_t i;
    json_t *it;
    json_array_foreach(M.orgs, i, it) {
        long long id = id_of(it, "id");
        if (id <= 0 || id >= MAXID) continue;
        M.parent[id] = id_of(it, "parent_id") > 0 ? id_of(it, "parent_id") : 0;
        snprintf(M.kind[id], sizeof M.kind[id], "%s", h_jstr(it, "kind") ? h_jstr(it, "kind") : "?");
    }
    json_array_foreach(M.users, i, it) {
        long long id = id_of(it, "id");
        if (id <= 0 || id >= MAXID) continue;
        M.user_org[id] = id_of(it, "org_id");
        snprintf(M.user_role[id], sizeof M.user_role[id], "%s", h_jstr(it, "role") ? h_jstr(it, "role") : "?");
        snprintf(M.username[id], sizeof M.username[id], "%s", h_jstr(it, "username") ? h_jstr(it, "username") : "?");
    }
    json_array_foreach(M.areas, i, it) {
        long long id = id_of(it, "id");
        if (id <= 0 || id >= MAXID) continue;
        json_t *mem = h_client_own(M.admin, json_array());
        json_t *items = h_all_items(M.admin, h_fmt("/api/v1/areas/%lld/members", id), NULL);
        size_t k;
        json_t *m;
        json_array_foreach(items, k, m) {
            long long o = id_of(m, "org_id");
            json_array_append_new(mem, json_integer(o));
            if (o > 0 && o < MAXID) M.is_member[o] = true;
        }
        M.members[id] = mem;
    }
    M.leader = h_client_as(S, "leader");
    M.dossiers = h_client_own(M.leader, json_array());
    /* Details (for created_by) are cached for the group, keyed by id, refreshed when updated_at
     * changes: the demo holds about a hundred. */
    Client *keeper = role_named("leader")->c;
    if (!dossier_cache) dossier_cache = h_client_own(keeper, json_object());
    json_t *cache = dossier_cache;
    json_t *listed = cursor_items(M.leader, "/api/v1/dossiers"); /* not in the macro: it re-evaluates */
    json_array_foreach(listed, i, it) {
        const char *key = h_fmt("%lld", id_of(it, "id"));
        json_t *d = json_object_get(cache, key);
        const char *u1 = h_jstr(d, "updated_at"), *u2 = h_jstr(it, "updated_at");
        if (!d || !u1 || !u2 || strcmp(u1, u2) != 0) {
            Resp *g = h_get(M.leader, "/api/v1/dossiers/%lld", id_of(it, "id"));
            if (g->status != 200) continue;
            d = g->json;
            json_object_set(cache, key, d);
        }
        json_array_append(M.dossiers, d);
    }
    M.meetings = h_all_items(M.leader, "/api/v1/meetings", NULL);
    M.centers = h_all_items(M.admin, "/api/v1/centers", NULL);
    M.activities = h_all_items(M.admin, "/api/v1/activities", NULL);
}

/* True when org lies in the subtree of root (root included). */
static bool under(long long org, long long root) {
    for (int depth = 0; org > 0 && org < MAXID && depth < 64; depth++) {
        if (org == root) return true;
        org = M.parent[org];
    }
    return false;
}

/* Fills ro->in_org from the model and the role's scope. */
static void model_scope(Role *ro) {
    memset(ro->in_org, 0, sizeof ro->in_org);
    for (long long id = 1; id < MAXID; id++) {
        if (M.parent[id] < 0) continue;
        if (ro->wide) {
            ro->in_org[id] = true;
        } else if (strcmp(ro->name, "committee") == 0) {
            size_t k;
            json_t *m;
            json_array_foreach(M.members[ro->area_id > 0 && ro->area_id < MAXID ? ro->area_id : 0], k, m)
                if (under(id, json_integer_value(m))) ro->in_org[id] = true;
        } else {
            ro->in_org[id] = under(id, ro->org_id);
        }
    }
    ro->narrow = strcmp(ro->name, "department") == 0 || strcmp(ro->name, "inspector") == 0;
    for (long long id = 1; id < MAXID; id++) ro->in_matter[id] = ro->narrow ? M.parent[id] >= 0 && under(id, ro->org_id) : ro->in_org[id];
}

static bool org_in(const Role *ro, long long id) { return id > 0 && id < MAXID && ro->in_org[id]; }

static bool area_in(const Role *ro, long long area) {
    if (area <= 0 || area >= MAXID) return false;
    if (ro->wide) return true;
    if (strcmp(ro->name, "committee") == 0) return area == ro->area_id;
    size_t k;
    json_t *m;
    json_array_foreach(M.members[area], k, m) if (org_in(ro, json_integer_value(m))) return true;
    return false;
}

static bool user_in(const Role *ro, long long user) {
    return user > 0 && user < MAXID && org_in(ro, M.user_org[user]);
}

static bool agreement_in(const Role *ro, json_t *ag) {
    if (area_in(ro, id_of(ag, "area_id"))) return true;
    size_t k;
    json_t *p;
    json_array_foreach(h_jpath(ag, "parties"), k, p) if (org_in(ro, id_of(p, "org_id"))) return true;
    return false;
}

static bool liaison_in(const Role *ro, json_t *li) {
    return org_in(ro, id_of(li, "target.id")) || org_in(ro, id_of(li, "department.id")) ||
           user_in(ro, id_of(li, "user.id")) || area_in(ro, id_of(li, "area.id"));
}

/* Matters (dossiers): the whole district for district-wide roles but department and inspector,
 * which see those of their own subtree; otherwise one's own, those of a visible area, and those
 * whose organisation or handler is in scope (src/core/dossier.c DOS_SCOPE, matter_scope). */
/* Types every reader of dossiers sees ("visible": "district" in GET /api/v1/dossier-types, such as
 * published projects). */
static bool type_public(const char *type) {
    static json_t *types; /* owned by the leader's client of the first model */
    static Client *owner;
    if (!types || owner != M.leader) {
        Resp *r = h_get(M.leader, "/api/v1/dossier-types");
        types = json_is_array(r->json) ? r->json : h_jpath(r->json, "items");
        owner = M.leader;
    }
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
        if (type && strcmp(h_jstr(t, "type") ? h_jstr(t, "type") : "", type) == 0) return h_jstr(t, "visible") != NULL;
    return false;
}

static bool dossier_in(const Role *ro, json_t *d) {
    if (ro->wide && !ro->narrow) return true;
    if (type_public(h_jstr(d, "type"))) return true;
    if (id_of(d, "created_by") == ro->user_id) return true;
    long long org = id_of(d, "org_id"), handler = id_of(d, "handler_org_id"), area = id_of(d, "area_id");
    if ((org > 0 && org < MAXID && ro->in_matter[org]) || (handler > 0 && handler < MAXID && ro->in_matter[handler]))
        return true;
    if (!ro->narrow) return area_in(ro, area);
    size_t k;
    json_t *m;
    if (area > 0 && area < MAXID) json_array_foreach(M.members[area], k, m) {
            long long o = json_integer_value(m);
            if (o > 0 && o < MAXID && ro->in_matter[o]) return true;
        }
    return false;
}

/* Meetings are matters too: those of the areas in the role's matter scope (department and
 * inspector: areas with a member in their own subtree; /stats/overview counts them so). */
static bool meeting_in(const Role *ro, json_t *m) {
    long long area = id_of(m, "area_id");
    if (!ro->narrow) return area_in(ro, area);
    size_t k;
    json_t *o;
    if (area > 0 && area < MAXID) json_array_foreach(M.members[area], k, o) {
            long long x = json_integer_value(o);
            if (x > 0 && x < MAXID && ro->in_matter[x]) return true;
        }
    return false;
}

static json_t *find_id(json_t *items, long long id);

/* Centres (src/core/center.h CENTER_SCOPE): district-wide roles all; a committee its area's; others
 * those run by an organisation in their scope or lying in a town in it. */
static bool center_in(const Role *ro, json_t *c) {
    if (ro->wide) return true;
    if (strcmp(ro->name, "committee") == 0) return id_of(c, "area_id") == ro->area_id;
    return org_in(ro, id_of(c, "org_id")) || org_in(ro, id_of(c, "town_id"));
}

/* A centre the role may change: visible, and its area in the role's area scope. */
static bool center_writable(const Role *ro, json_t *c) { return center_in(ro, c) && area_in(ro, id_of(c, "area_id")); }

static bool organiser_in(const Role *ro, json_t *act) {
    size_t k;
    json_t *o;
    json_array_foreach(h_jpath(act, "organisers"), k, o) if (org_in(ro, id_of(o, "id"))) return true;
    return false;
}

/* Activities (src/core/activity.h ACTIVITY_SCOPE): district-wide roles all; others those with an
 * organiser in scope, those held at a centre they see, and (committee) those of its area. */
static bool activity_in(const Role *ro, json_t *act) {
    if (ro->wide || organiser_in(ro, act)) return true;
    if (strcmp(ro->name, "committee") == 0 && id_of(act, "area_id") == ro->area_id) return true;
    long long center = id_of(act, "center_id");
    json_t *c = center > 0 ? find_id(M.centers, center) : NULL;
    return c && center_in(ro, c);
}

static json_t *find_id(json_t *items, long long id) {
    /* The last array searched is indexed by id (lists are searched many times in a row). */
    static json_t *by_id[MAXID];
    json_t *indexed = find_indexed;
    if (items != indexed) {
        memset(by_id, 0, sizeof by_id);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) {
            long long k = id_of(it, "id");
            if (k > 0 && k < MAXID) by_id[k] = it;
        }
        find_indexed = items;
    }
    return id > 0 && id < MAXID ? by_id[id] : NULL;
}

/* ==== fixtures ================================================================================== */

typedef struct Fix {
    long long org[2], area[2], agreement[2], liaison[2], user[2]; /* [0] in scope, [1] out; -1 none */
    long long dossier[2], meeting[2];
    long long center[2], activity[2];
    long long probe_org, probe_area, probe_user; /* out of scope when there is such, else any */
} Fix;

static long long victim_id; /* the sacrificial account for lock, unlock and reset */

static bool privileged(const char *role) {
    return strcmp(role, "admin") == 0 || strcmp(role, "secadmin") == 0 || strcmp(role, "auditor") == 0;
}

/* Picks the fixtures of a role from the model. */
static void pick(Role *ro, Fix *fx) {
    for (int h = 0; h < 2; h++)
        fx->org[h] = fx->area[h] = fx->agreement[h] = fx->liaison[h] = fx->user[h] = fx->dossier[h] = fx->meeting[h] =
            fx->center[h] = fx->activity[h] = -1;
    fx->probe_org = fx->probe_area = fx->probe_user = -1;
    size_t i;
    json_t *it;
    /* Organisations: a village (community) preferred, so that the cells are about ordinary records. */
    json_array_foreach(M.orgs, i, it) {
        long long id = id_of(it, "id");
        bool in = org_in(ro, id);
        bool village = strcmp(M.kind[id], "community") == 0;
        if (in && (fx->org[0] < 0 || (village && strcmp(M.kind[fx->org[0]], "community") != 0))) fx->org[0] = id;
        if (!in && (fx->org[1] < 0 || (village && strcmp(M.kind[fx->org[1]], "community") != 0))) fx->org[1] = id;
        if (!in && strcmp(M.kind[id], "town") == 0 && fx->probe_org < 0) fx->probe_org = id;
    }
    if (fx->probe_org < 0) fx->probe_org = fx->org[1] > 0 ? fx->org[1] : fx->org[0];
    json_array_foreach(M.areas, i, it) {
        long long id = id_of(it, "id");
        int h = area_in(ro, id) ? 0 : 1;
        if (fx->area[h] < 0 && (h == 1 || strcmp(ro->name, "committee") != 0 || id == ro->area_id)) fx->area[h] = id;
    }
    fx->probe_area = fx->area[1] > 0 ? fx->area[1] : fx->area[0];
    json_array_foreach(M.agreements, i, it) {
        long long id = id_of(it, "id");
        int h = agreement_in(ro, it) ? 0 : 1;
        /* A committee writes only its own area's agreements (an exception, see role_rules). */
        if (h == 0 && !ro->wide && id_of(it, "area_id") != ro->area_id && strcmp(ro->name, "committee") == 0) continue;
        if (fx->agreement[h] < 0) fx->agreement[h] = id;
    }
    json_array_foreach(M.liaisons, i, it) {
        long long id = id_of(it, "id");
        int h = liaison_in(ro, it) ? 0 : 1;
        /* Scoped roles write only cadre_* liaisons (an exception, see role_rules). */
        const char *k = h_jstr(it, "kind");
        if (h == 0 && !ro->wide && (!k || strncmp(k, "cadre_", 6) != 0)) continue;
        if (fx->liaison[h] < 0) fx->liaison[h] = id;
    }
    json_array_foreach(M.users, i, it) {
        long long id = id_of(it, "id");
        int h = user_in(ro, id) ? 0 : 1;
        if (id == ro->user_id || privileged(M.user_role[id])) continue;
        /* Ordinary accounts (cadres, leaders) rather than the demo accounts of other roles. */
        bool plain = strncmp(M.username[id], "cadre", 5) == 0 || strncmp(M.username[id], "leader0", 7) == 0;
        if (fx->user[h] < 0 || (plain && !(strncmp(M.username[fx->user[h]], "cadre", 5) == 0 ||
                                           strncmp(M.username[fx->user[h]], "leader0", 7) == 0)))
            fx->user[h] = id;
    }
    fx->probe_user = fx->user[1] > 0 ? fx->user[1] : fx->user[0];
    json_array_foreach(M.dossiers, i, it) {
        int h = dossier_in(ro, it) ? 0 : 1;
        /* Registered ones, so that "accept" meets the state check (409) first. */
        const char *st = h_jstr(it, "state"), *title = h_jstr(it, "title");
        /* Ours (they carry an attachment), registered (so that "accept" meets the state check). */
        if (fx->dossier[h] < 0 && st && strcmp(st, "registered") == 0 && title && strstr(title, "矩阵事项"))
            fx->dossier[h] = id_of(it, "id");
    }
    json_array_foreach(M.meetings, i, it) {
        int h = meeting_in(ro, it) ? 0 : 1;
        /* The committee's own area's meeting: it runs those (the rule of E_RUNS_MEETING). */
        if (h == 0 && strcmp(ro->name, "committee") == 0 && id_of(it, "area_id") != ro->area_id) continue;
        if (fx->meeting[h] < 0 && h_jstr(it, "status") && strcmp(h_jstr(it, "status"), "open") == 0) fx->meeting[h] = id_of(it, "id");
    }
    /* Centres and activities: in scope and writable, or out of scope. */
    json_array_foreach(M.centers, i, it) {
        int h = center_in(ro, it) ? 0 : 1;
        if (h == 0 && !center_writable(ro, it)) continue;
        if (fx->center[h] < 0) fx->center[h] = id_of(it, "id");
    }
    json_array_foreach(M.activities, i, it) {
        int h = activity_in(ro, it) ? 0 : 1;
        if (h == 0 && !organiser_in(ro, it) && !ro->wide) continue;
        if (fx->activity[h] < 0) fx->activity[h] = id_of(it, "id");
    }
}

/* Records made for one test, deleted by the admin at its end (those still there). */
static char cleanup[512][96];
static int ncleanup;

static void add_cleanup(const char *path) {
    if (ncleanup < (int)(sizeof cleanup / sizeof cleanup[0])) snprintf(cleanup[ncleanup++], sizeof cleanup[0], "%s", path);
}

static void run_cleanup(void) {
    Client *a = h_client_as(S, "admin");
    for (int i = ncleanup - 1; i >= 0; i--) {
        Resp *r = h_del(a, "%s", cleanup[i]);
        if (r->status != 204 && r->status != 404) print_error("cleanup DELETE %s: %ld %s\n", cleanup[i], r->status, brief(r));
    }
    ncleanup = 0;
    h_client_free(a);
}

static int fresh_counter; /* makes the names of fresh records unique */

/* Creates (as admin) through POST path and returns the new id, or -1 after reporting why. */
static long long admin_create(const char *path, json_t *body) {
    Resp *r = h_send(M.admin, "POST", path, body);
    long long id = h_jint(r->json, "id");
    if (r->status != 201 || id <= 0) {
        cell_fail("fixture: POST %s as admin: %ld %s", path, r->status, brief(r));
        return -1;
    }
    add_cleanup(h_fmt("%s/%lld", path, id));
    return id;
}

/* A town or the district in (or out of) the role's scope, to place a fresh organisation under. */
static long long town_for(const Role *ro, bool in) {
    size_t i;
    json_t *it;
    json_array_foreach(M.orgs, i, it) {
        long long id = id_of(it, "id");
        if (org_in(ro, id) == in && (strcmp(M.kind[id], "town") == 0 || strcmp(M.kind[id], "district") == 0)) return id;
    }
    return -1;
}

/* Two members of area whose scope membership is `in` for the role; false when there are none. */
static bool two_members(const Role *ro, long long area, bool in, long long out[2]) {
    int n = 0;
    size_t k;
    json_t *m;
    json_array_foreach(M.members[area], k, m) {
        long long o = json_integer_value(m);
        if (org_in(ro, o) == in && n < 2) out[n++] = o;
    }
    return n == 2;
}

/* A fresh record for a destructive cell: in or out of the role's scope. -1 when none can be made. */
static long long fresh(const Role *ro, Obj obj, bool in) {
    int n = ++fresh_counter;
    switch (obj) {
    case P_ORG: {
        long long parent = town_for(ro, in);
        if (parent < 0) return -1;
        return admin_create("/api/v1/orgs", json_pack("{s:s, s:s, s:I}", "kind", "park", "name",
                                                      h_fmt("授权矩阵园%d", n), "parent_id", (json_int_t)parent));
    }
    case P_AREA: {
        if (!in) return -1; /* only district-wide roles may delete areas; they see them all */
        long long leader = role_named("leader")->user_id;
        return admin_create("/api/v1/areas", json_pack("{s:s, s:s, s:s, s:I}", "name", h_fmt("授权矩阵片区%d", n), "code",
                                                       h_fmt("AZ%d", n), "committee_name", h_fmt("授权矩阵委员会%d", n),
                                                       "convener_id", (json_int_t)leader));
    }
    case P_AGREEMENT: {
        size_t i;
        json_t *it;
        json_array_foreach(M.areas, i, it) {
            long long area = id_of(it, "id");
            if (area_in(ro, area) != in) continue;
            if (in && !ro->wide && area != ro->area_id) continue;
            long long p[2];
            if (!two_members(ro, area, in, p)) continue;
            return admin_create("/api/v1/agreements",
                                json_pack("{s:s, s:I, s:s, s:s, s:s, s:[{s:I, s:s}, {s:I, s:s}]}", "title",
                                          h_fmt("授权矩阵协议%d", n), "area_id", (json_int_t)area, "signed_on",
                                          "2025-01-01", "term_start", "2025-01-01", "term_end", "2027-01-01", "parties",
                                          "org_id", (json_int_t)p[0], "responsibilities", "共建", "org_id",
                                          (json_int_t)p[1], "responsibilities", "共建"));
        }
        return -1;
    }
    case P_LIAISON: {
        long long user = -1, target = -1;
        size_t i;
        json_t *it;
        json_array_foreach(M.users, i, it) {
            long long id = id_of(it, "id");
            if (user < 0 && strcmp(M.user_role[id], "town") == 0 && user_in(ro, id) == in) user = id;
        }
        json_array_foreach(M.orgs, i, it) {
            long long id = id_of(it, "id");
            if (target < 0 && strcmp(M.kind[id], "community") == 0 && org_in(ro, id) == in) target = id;
        }
        if (user < 0 || target < 0) return -1;
        return admin_create("/api/v1/liaisons", json_pack("{s:s, s:I, s:I, s:s}", "kind", "cadre_village", "user_id",
                                                          (json_int_t)user, "target_org_id", (json_int_t)target,
                                                          "start_on", "2025-01-01"));
    }
    case P_MEETING: {
        size_t i;
        json_t *it;
        json_array_foreach(M.areas, i, it) {
            long long area = id_of(it, "id");
            /* Meetings follow the matter scope (meeting_in), not the registry's. */
            json_t *probe = json_pack("{s:I}", "area_id", (json_int_t)area);
            bool visible = ro ? meeting_in(ro, probe) : false;
            json_decref(probe);
            if (visible != in) continue;
            if (in && strcmp(ro->name, "committee") == 0 && area != ro->area_id) continue;
            Resp *r = h_send(M.leader, "POST", "/api/v1/meetings",
                             json_pack("{s:I, s:s, s:s}", "area_id", (json_int_t)area, "title", h_fmt("授权矩阵会议%d", n),
                                       "held_on", "2026-01-05"));
            if (r->status != 201) {
                cell_fail("fixture: POST /api/v1/meetings as leader: %ld %s", r->status, brief(r));
                return -1;
            }
            return h_jint(r->json, "id"); /* meetings are not deleted; a fresh one is closed */
        }
        return -1;
    }
    case P_CENTER: {
        size_t i;
        json_t *it;
        json_array_foreach(M.areas, i, it) {
            long long area = id_of(it, "id");
            if (area_in(ro, area) != in) continue;
            bool committee = strcmp(ro->name, "committee") == 0;
            if (in && committee && area != ro->area_id) continue;
            json_t *body = json_pack("{s:s, s:I, s:[s]}", "name", h_fmt("授权矩阵中心%d", n), "area_id", (json_int_t)area,
                                     "functions", "gov");
            /* A scoped role's centre is the one its organisation runs. */
            if (in && !ro->wide && !committee) json_object_set_new(body, "org_id", json_integer(ro->org_id));
            return admin_create("/api/v1/centers", body);
        }
        return -1;
    }
    case P_ACTIVITY: {
        long long org = -1;
        size_t i;
        json_t *it;
        json_array_foreach(M.orgs, i, it) {
            long long id = id_of(it, "id");
            if (org < 0 && org_in(ro, id) == in && (in || strcmp(M.kind[id], "community") == 0)) org = id;
        }
        if (org < 0) return -1;
        return admin_create("/api/v1/activities",
                            json_pack("{s:s, s:s, s:[I], s:s, s:s, s:s}", "kind", "volunteer", "title", h_fmt("授权矩阵活动%d", n),
                                      "organiser_ids", (json_int_t)org, "place", "矩阵广场", "starts_at", "2026-01-05T09:00",
                                      "ends_at", "2026-01-05T11:00"));
    }
    default:
        return -1;
    }
}

/* The smallest PNG: signature, IHDR 1×1, IDAT, IEND. */
static const char PNG[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
                          "\0\0\0\rIDATx\x9c" "c\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xae" "B`\x82";

/* A fresh catalogue entry of centre (made by the admin), or -1. */
static long long fresh_service(long long center) {
    Resp *r = h_send(M.admin, "POST", h_fmt("/api/v1/centers/%lld/services", center),
                     json_pack("{s:s, s:s}", "name", h_fmt("授权矩阵服务%d", ++fresh_counter), "function", "gov"));
    json_t *list = h_jpath(r->json, "services");
    long long sid = h_jint(json_array_get(list, json_array_size(list) - 1), "id");
    if (r->status != 201 || sid <= 0) {
        cell_fail("fixture: POST /api/v1/centers/%lld/services as admin: %ld %s", center, r->status, brief(r));
        return -1;
    }
    add_cleanup(h_fmt("/api/v1/centers/%lld/services/%lld", center, sid));
    return sid;
}

/* A photo of activity (the first; the admin uploads one when there is none), or -1. */
static long long photo_of(long long activity) {
    Resp *r = h_get(M.admin, "/api/v1/activities/%lld/photos", activity);
    long long pid = h_jint(r->json, "items[0].id");
    if (pid > 0) return pid;
    r = h_req(M.admin, "POST", h_fmt("/api/v1/activities/%lld/photos?name=fixture.png", activity), "image/png", PNG, sizeof PNG - 1);
    pid = h_jint(r->json, "items[0].id");
    if (r->status != 201 || pid <= 0) cell_fail("fixture: photo of activity %lld: %ld %s", activity, r->status, brief(r));
    return pid;
}

/* Adds (as admin) a member-kind organisation that is not yet a member to area; returns its id. */
static long long fresh_member(long long area) {
    size_t i;
    json_t *it;
    json_array_foreach(M.orgs, i, it) {
        long long id = id_of(it, "id");
        if (strcmp(M.kind[id], "new_org") != 0) continue;
        bool member = false;
        size_t k;
        json_t *m;
        json_array_foreach(M.members[area], k, m) if (json_integer_value(m) == id) member = true;
        if (member) continue;
        Resp *r = h_send(M.admin, "POST", h_fmt("/api/v1/areas/%lld/members", area), json_pack("{s:I}", "org_id", (json_int_t)id));
        if (r->status != 201) {
            cell_fail("fixture: adding member %lld to area %lld: %ld %s", id, area, r->status, brief(r));
            return -1;
        }
        add_cleanup(h_fmt("/api/v1/areas/%lld/members/%lld", area, id));
        json_array_append_new(M.members[area], json_integer(id));
        return id;
    }
    return -1;
}

/* ==== cells ===================================================================================== */

enum { ALLOWED = 0 };

/* The answer expected from the table's rules, and the entry's role rule (the other exceptions
 * are role_rules). */
static int expected(const Role *ro, const Route *rt, const Entry *e, bool out) {
    if (!ro) return strcmp(rt->cap, "public") == 0 ? ALLOWED : 401;
    if (strcmp(rt->cap, "public") == 0 || strcmp(rt->cap, "signed in") == 0) return ALLOWED;
    if (!has_cap(ro, rt->cap)) return 403;
    if (out) return 404;
    /* Only leaders and the area's committee run meetings (fixtures: the committee's own area). */
    if (e && (e->flags & E_RUNS_MEETING) && strcmp(ro->name, "leader") != 0 && strcmp(ro->name, "committee") != 0)
        return 403;
    if (e && (e->flags & E_PROVIDER) && strcmp(ro->name, "admin") != 0) return 403;
    return ALLOWED;
}

/* True when status is an acceptable answer of an allowed request. */
static bool allowed_status(long st) { return st >= 200 && st < 500 && st != 401 && st != 403 && st != 404 && st != 405; }

static const char *slug_of(int status) {
    return status == 401 ? "unauthenticated" : status == 403 ? "forbidden" : "not-found";
}

/* Sends the cell's request through c. */
static Resp *send_cell(Client *c, const Entry *e, const char *path) {
    switch (e->body) {
    case B_EMPTY_JSON:
        return h_req(c, e->method, path, "application/json", "{}", 2);
    case B_EMPTY_CSV:
        return h_req(c, e->method, path, "text/csv", "kind,name,parent\n", 17);
    case B_COMMENT: {
        static const char body[] = "{\"body\":\"授权矩阵的意见\"}";
        return h_req(c, e->method, path, "application/json", body, sizeof body - 1);
    }
    case B_CARRY:
        return h_req(c, e->method, path, "application/json", "{\"dossier_id\":999999}", 21);
    case B_PNG:
        return h_req(c, e->method, path, "image/png", PNG, sizeof PNG - 1);
    default:
        return h_req(c, e->method, path, NULL, NULL, 0);
    }
}

/* The path of entry e with {id} = id and {org_id} = id2, plus its query. */
static const char *fill(const Entry *e, long long id, long long id2) {
    char out[256];
    size_t o = 0;
    for (const char *p = e->path; *p && o + 24 < sizeof out;) {
        if (strncmp(p, "{id}", 4) == 0) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%lld", id);
            p += 4;
        } else if (*p == '{' && strchr(p, '}')) {
            /* The second parameter: a fixed word ({action}) or an id ({org_id}, {aid}). */
            if (e->param2) o += (size_t)snprintf(out + o, sizeof out - o, "%s", e->param2);
            else o += (size_t)snprintf(out + o, sizeof out - o, "%lld", id2);
            p = strchr(p, '}') + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = 0;
    return h_fmt("%s%s", out, e->query ? e->query : "");
}

/* Checks one answer against the expectation; a failure names the cell. */
static void judge(const char *who, const Route *rt, const char *half, const Resp *r, int want) {
    if (want == ALLOWED) {
        if (!allowed_status(r->status))
            cell_fail("%-10s %-6s %-40s %-3s → %ld, expected an allowed answer: %s", who, rt->method, rt->path, half,
                      r->status, brief(r));
        return;
    }
    const char *type = h_jstr(r->json, "type");
    const char *slug = slug_of(want);
    size_t tl = type ? strlen(type) : 0, sl = strlen(slug);
    bool typed = type && tl > sl && strcmp(type + tl - sl, slug) == 0;
    if (r->status != want || (!typed && want != 401))
        cell_fail("%-10s %-6s %-40s %-3s → %ld, expected %d %s: %s", who, rt->method, rt->path, half, r->status, want,
                  slug, brief(r));
    else if (want == 401 && !(type && (strstr(type, "unauthenticated") || strstr(type, "session-expired"))))
        cell_fail("%-10s %-6s %-40s %-3s → 401 without an unauthenticated type: %s", who, rt->method, rt->path, half, brief(r));
}

/* The ids of the path for one cell of role ro (NULL: anonymous), or false when the half has no
 * object (e.g. nothing is out of scope for a district-wide role). */
static bool cell_ids(Role *ro, const Fix *fx, const Entry *e, int h, long long *id, long long *id2) {
    *id = 1;
    *id2 = 1;
    if (e->obj == P_NONE) return h == 0;
    switch (e->obj) {
    case P_ORG: *id = fx->org[h]; break;
    case P_AREA: *id = fx->area[h]; break;
    case P_AGREEMENT: *id = fx->agreement[h]; break;
    case P_LIAISON: *id = fx->liaison[h]; break;
    case P_USER: *id = fx->user[h]; break;
    case P_DOSSIER: *id = fx->dossier[h]; break;
    case P_MEETING: *id = fx->meeting[h]; break;
    case P_CENTER: *id = fx->center[h]; break;
    case P_ACTIVITY: *id = fx->activity[h]; break;
    default: break;
    }
    if ((e->flags & E_SERVICE) && *id > 0) *id2 = ro && has_cap(ro, route_of(e)->cap) ? fresh_service(*id) : 1;
    if ((e->flags & E_PHOTO) && *id > 0) *id2 = photo_of(*id);
    if ((e->flags & E_FRESH) && ro && has_cap(ro, route_of(e)->cap)) *id = fresh(ro, e->obj, h == 0);
    if ((e->flags & E_VICTIM) && ro && ro->wide && h == 0) *id = victim_id;
    if ((e->flags & E_MEMBER) && *id > 0) *id2 = ro && has_cap(ro, route_of(e)->cap) ? fresh_member(*id) : 1;
    if ((e->flags & E_ATTACHMENT) && *id > 0) {
        Resp *r = h_get(M.leader, "/api/v1/dossiers/%lld/attachments", *id);
        *id2 = h_jint(r->json, "items[0].id");
    }
    return *id > 0 && *id2 > 0;
}

/* Every route for one role (NULL: no session). */
static void run_matrix(Role *ro) {
    model_load();
    Fix fx;
    Role *admin = role_named("admin");
    if (ro) model_scope(ro);
    model_scope(admin);
    pick(ro ? ro : admin, &fx);
    const char *who = ro ? ro->name : "anonymous";
    int cells = 0, skipped = 0;
    for (int i = 0; i < nroutes; i++) {
        const Route *rt = &routes[i];
        const Entry *e = entry_of(rt);
        if (!e) continue; /* routes_have_entries names it */
        for (int h = 0; h < 2; h++) {
            int want = expected(ro, rt, e, h == 1);
            long long id, id2;
            if (!cell_ids(ro, &fx, e, h, &id, &id2)) {
                if (e->obj != P_NONE) skipped++;
                continue;
            }
            const char *path = fill(e, id, id2);
            char p[256];
            snprintf(p, sizeof p, "%s", path);
            Client *c = ro ? ro->c : h_client(S);
            if (ro && (e->flags & E_RELOGIN)) c = h_client_as(S, ro->name);
            Resp *r = send_cell(c, e, p);
            judge(who, rt, e->obj == P_NONE ? "" : h == 0 ? "in" : "out", r, want);
            if (ro && (e->flags & E_RELOGIN) && want == ALLOWED && h_get(c, "/api/v1/me")->status != 401)
                cell_fail("%s: the session still works after DELETE /api/v1/session", who);
            if (c != (ro ? ro->c : NULL)) h_client_free(c);
            cells++;
        }
    }
    /* The role's own session still works (no cell signed it out or locked it). */
    if (ro && h_get(ro->c, "/api/v1/me")->status != 200) cell_fail("%s: its session ended during the matrix", who);
    print_message("matrix %s: %d cells, %d halves without an object (nothing of that kind %s)\n", who, cells, skipped,
                  ro && ro->wide ? "is out of scope" : "in that half of the scope");
    run_cleanup();
    cells_done(who);
}

/* ==== tests: the table and the matrix =========================================================== */

static void routes_have_entries(void **state) {
    (void)state;
    int missing = 0;
    for (int i = 0; i < nroutes; i++)
        if (!entry_of(&routes[i])) {
            print_error("route %s %s (capability %s) has no entry in the authorization matrix (test_authz.c entries[])\n",
                        routes[i].method, routes[i].path, routes[i].cap);
            missing++;
        }
    for (int i = 0; i < NENTRIES; i++)
        if (!route_of(&entries[i])) {
            print_error("matrix entry %s %s is not in `sanqu routes` any more\n", entries[i].method, entries[i].path);
            missing++;
        }
    if (missing) fail_msg("%d route(s) and matrix entries do not match", missing);
    /* Every capability the table names is one a role can hold. */
    for (int i = 0; i < nroutes; i++) {
        const char *cap = routes[i].cap;
        if (strcmp(cap, "public") == 0 || strcmp(cap, "signed in") == 0) continue;
        bool someone = false;
        for (int k = 0; k < NROLES; k++) someone |= has_cap(&roles[k], cap);
        if (!someone) fail_msg("route %s %s needs %s, which no role has", routes[i].method, routes[i].path, cap);
    }
}

static void matrix_anonymous(void **state) {
    (void)state;
    run_matrix(NULL);
    /* A forged or stale session cookie is no session either. */
    Client *c = h_client(S);
    Client *gone = h_client_as(S, "leader");
    char token[128];
    h_client_session_token(gone, token, sizeof token);
    EXPECT_STATUS(h_del(gone, "/api/v1/session"), 204);
    static const char *const forged[] = {"sanqu_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                         "sanqu_session=", "sanqu_session=%00", "sanqu_session=' OR 1=1 --", NULL};
    for (int f = 0; forged[f] || f == 4; f++) {
        const char *cookie = forged[f] ? forged[f] : h_fmt("sanqu_session=%s", token);
        for (int i = 0; i < nroutes; i++) {
            if (strcmp(routes[i].cap, "public") == 0 || !entry_of(&routes[i])) continue;
            h_client_header(c, h_fmt("Cookie: %s", cookie));
            Resp *r = send_cell(c, entry_of(&routes[i]), fill(entry_of(&routes[i]), 1, 1));
            if (r->status != 401) cell_fail("cookie '%s': %s %s → %ld, expected 401", cookie, routes[i].method, routes[i].path, r->status);
        }
        if (!forged[f]) break;
    }
    h_client_free(gone);
    h_client_free(c);
    cells_done("forged sessions");
}

#define MATRIX_TEST(role)                                                                          \
    static void matrix_##role(void **state) {                                                      \
        (void)state;                                                                               \
        run_matrix(role_named(#role));                                                             \
    }
MATRIX_TEST(admin)
MATRIX_TEST(secadmin)
MATRIX_TEST(auditor)
MATRIX_TEST(leader)
MATRIX_TEST(committee)
MATRIX_TEST(department)
MATRIX_TEST(town)
MATRIX_TEST(community)
MATRIX_TEST(enterprise)
MATRIX_TEST(inspector)
MATRIX_TEST(volunteer)

/* Every state-changing route refuses a request without the session's CSRF token (403 csrf) —
 * before the capability check, so for every role — and changes nothing. */
static void csrf_on_every_write_route(void **state) {
    (void)state;
    model_load();
    Role *admin = role_named("admin");
    model_scope(admin);
    Fix fx;
    pick(admin, &fx);
    Client *other = h_client_as(S, "leader"); /* a token of another session */
    static const char *const modes[] = {"no token", "wrong token", "another session's token"};
    int checked = 0;
    for (int i = 0; i < nroutes; i++) {
        const Route *rt = &routes[i];
        const Entry *e = entry_of(rt);
        if (!e || !rt->csrf) continue;
        long long id = e->obj == P_ORG ? fx.org[0] : e->obj == P_AREA ? fx.area[0] : e->obj == P_AGREEMENT ? fx.agreement[0]
                     : e->obj == P_LIAISON ? fx.liaison[0] : e->obj == P_USER ? victim_id : e->obj == P_DOSSIER ? fx.dossier[0]
                     : e->obj == P_MEETING ? fx.meeting[0] : 1;
        char path[256];
        snprintf(path, sizeof path, "%s", fill(e, id, 1));
        for (int m = 0; m < 3; m++) {
            Role *ro = &roles[(i + m) % NROLES];
            Client *c = h_client_as(S, ro->name);
            if (m == 0) h_client_send_csrf(c, false);
            else if (m == 1) h_client_set_csrf(c, "0123456789abcdef0123456789abcdef");
            else h_client_set_csrf(c, h_client_csrf(other));
            Resp *r = send_cell(c, e, path);
            const char *type = h_jstr(r->json, "type");
            if (r->status != 403 || !type || !strstr(type, "csrf"))
                cell_fail("%s %s %s as %s with %s → %ld, expected 403 csrf: %s", rt->method, rt->path, path, ro->name,
                          modes[m], r->status, brief(r));
            /* The session itself is still good. */
            h_client_send_csrf(c, false);
            if (h_get(c, "/api/v1/me")->status != 200) cell_fail("%s: the session ended after a refused %s", ro->name, rt->path);
            h_client_free(c);
            checked++;
        }
    }
    assert_true(checked >= 20);
    /* Nothing changed: the admin's view is the same. */
    long long before_orgs = (long long)json_array_size(M.orgs), before_users = (long long)json_array_size(M.users);
    model_load();
    if ((long long)json_array_size(M.orgs) != before_orgs || (long long)json_array_size(M.users) != before_users)
        cell_fail("refused writes changed the registry: orgs %lld → %zu, users %lld → %zu", before_orgs,
                  json_array_size(M.orgs), before_users, json_array_size(M.users));
    h_client_free(other);
    cells_done("csrf");
}

/* ==== role-specific rules beyond capability and scope =========================================== */

static void expect_cell(const char *who, const char *what, const Resp *r, int want) {
    Route rt;
    snprintf(rt.method, sizeof rt.method, "%s", r->method);
    snprintf(rt.path, sizeof rt.path, "%.95s", what);
    judge(who, &rt, "", r, want);
}

static void expect_field(const char *who, const Resp *r, const char *field, const char *rule) {
    bool found = false;
    size_t i;
    json_t *e;
    json_array_foreach(h_jpath(r->json, "errors"), i, e) {
        const char *f = h_jstr(e, "field"), *ru = h_jstr(e, "rule");
        if (f && strcmp(f, field) == 0 && (!rule || (ru && strcmp(ru, rule) == 0))) found = true;
    }
    if (r->status != 422 || !found)
        cell_fail("%s %s %s → %ld, expected 422 with {field: %s, rule: %s}: %s", who, r->method, r->path, r->status, field,
                  rule ? rule : "(any)", brief(r));
}

static void role_rules(void **state) {
    (void)state;
    model_load();
    Role *committee = role_named("committee"), *town = role_named("town"), *admin = role_named("admin"),
         *sec = role_named("secadmin");
    for (int i = 0; i < NROLES; i++) model_scope(&roles[i]);

    /* committee: may change only its own area's agreements. An agreement of another area that it
     * sees through a party in its scope answers 403 to PUT and DELETE (GET works). */
    long long other_area = -1, mine[2], theirs[2];
    size_t i;
    json_t *it;
    json_array_foreach(M.areas, i, it) {
        long long a = id_of(it, "id");
        if (a != committee->area_id && !area_in(committee, a) && two_members(committee, a, false, theirs)) {
            other_area = a;
            break;
        }
    }
    assert_true(other_area > 0 && two_members(committee, committee->area_id, true, mine));
    long long ag = admin_create("/api/v1/agreements",
                                json_pack("{s:s, s:I, s:s, s:s, s:s, s:[{s:I, s:s}, {s:I, s:s}]}", "title", "跨片区联建协议", "area_id",
                                          (json_int_t)other_area, "signed_on", "2025-01-01", "term_start", "2025-01-01",
                                          "term_end", "2027-01-01", "parties", "org_id", (json_int_t)mine[0],
                                          "responsibilities", "共建", "org_id", (json_int_t)theirs[0], "responsibilities", "共建"));
    if (ag > 0) {
        const char *p = h_fmt("/api/v1/agreements/%lld", ag);
        char path[96];
        snprintf(path, sizeof path, "%s", p);
        EXPECT_STATUS(h_get(committee->c, "%s", path), 200);
        expect_cell("committee", "PUT other area's agreement", h_req(committee->c, "PUT", path, "application/json", "{}", 2), 403);
        expect_cell("committee", "DELETE other area's agreement", h_del(committee->c, "%s", path), 403);
        EXPECT_STATUS(h_get(M.admin, "%s", path), 200);
    }
    /* …and records agreements only for its own area. */
    Resp *r = h_send(committee->c, "POST", "/api/v1/agreements",
                     json_pack("{s:s, s:I, s:s, s:s, s:s, s:[{s:I, s:s}, {s:I, s:s}]}", "title", "越界协议", "area_id",
                               (json_int_t)other_area, "signed_on", "2025-01-01", "term_start", "2025-01-01", "term_end",
                               "2027-01-01", "parties", "org_id", (json_int_t)mine[0], "responsibilities", "共建", "org_id",
                               (json_int_t)mine[1], "responsibilities", "共建"));
    expect_field("committee", r, "area_id", NULL);
    r = h_send(committee->c, "POST", "/api/v1/agreements",
               json_pack("{s:s, s:s, s:s, s:s, s:[{s:I, s:s}, {s:I, s:s}]}", "title", "无片区协议", "signed_on", "2025-01-01",
                         "term_start", "2025-01-01", "term_end", "2027-01-01", "parties", "org_id", (json_int_t)mine[0],
                         "responsibilities", "共建", "org_id", (json_int_t)mine[1], "responsibilities", "共建"));
    expect_field("committee", r, "area_id", "required");
    /* Its members' area: another area is invisible to it (404), its own is writable. */
    expect_cell("committee", "POST other area's members",
                h_send(committee->c, "POST", h_fmt("/api/v1/areas/%lld/members", other_area), json_pack("{}")), 404);
    expect_cell("committee", "GET other area's candidates", h_get(committee->c, "/api/v1/areas/%lld/candidates", other_area), 404);

    /* town: writes only cadre_* liaisons. A leader_area liaison it sees (an area with members in
     * its town) answers 403 to PUT and DELETE, and creating one is refused on `kind`. */
    long long la = -1;
    json_array_foreach(M.liaisons, i, it) {
        const char *k = h_jstr(it, "kind");
        if (k && strcmp(k, "leader_area") == 0 && liaison_in(town, it)) {
            la = id_of(it, "id");
            break;
        }
    }
    assert_true(la > 0);
    EXPECT_STATUS(h_get(town->c, "/api/v1/liaisons/%lld", la), 200);
    expect_cell("town", "PUT leader_area liaison",
                h_req(town->c, "PUT", h_fmt("/api/v1/liaisons/%lld", la), "application/json", "{}", 2), 403);
    expect_cell("town", "DELETE leader_area liaison", h_del(town->c, "/api/v1/liaisons/%lld", la), 403);
    EXPECT_STATUS(h_get(M.admin, "/api/v1/liaisons/%lld", la), 200);
    Fix tf;
    pick(town, &tf);
    r = h_send(town->c, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "leader_area", "user_id", (json_int_t)role_named("leader")->user_id,
                         "area_id", (json_int_t)tf.area[0], "start_on", "2025-01-01"));
    expect_field("town", r, "kind", "forbidden");

    /* admin: cannot create, edit or reset admin, secadmin or auditor accounts. */
    static const char *const priv[] = {"admin", "secadmin", "auditor"};
    for (int k = 0; k < 3; k++) {
        r = h_send(admin->c, "POST", "/api/v1/users",
                   json_pack("{s:s, s:s, s:s, s:I, s:s}", "username", h_fmt("authz_%s2", priv[k]), "display_name", "越权账号",
                             "role", priv[k], "org_id", (json_int_t)admin->org_id, "password", H_PASSWORD));
        expect_field("admin", r, "role", "forbidden");
        long long target = role_named(priv[k])->user_id;
        expect_cell("admin", h_fmt("PUT /users/{%s}", priv[k]),
                    h_send(admin->c, "PUT", h_fmt("/api/v1/users/%lld", target),
                           json_pack("{s:s, s:I}", "display_name", "改名", "org_id", (json_int_t)admin->org_id)),
                    403);
        expect_cell("admin", h_fmt("reset-password {%s}", priv[k]),
                    h_req(admin->c, "POST", h_fmt("/api/v1/users/%lld/reset-password", target), NULL, NULL, 0), 403);
    }
    /* secadmin: not its own role, not its own lock. */
    expect_cell("secadmin", "PUT /users/{self}/role",
                h_send(sec->c, "PUT", h_fmt("/api/v1/users/%lld/role", sec->user_id), json_pack("{s:s}", "role", "admin")), 403);
    expect_cell("secadmin", "POST /users/{self}/lock",
                h_req(sec->c, "POST", h_fmt("/api/v1/users/%lld/lock", sec->user_id), NULL, NULL, 0), 403);
    EXPECT_STATUS(h_get(sec->c, "/api/v1/me"), 200);
    /* Nobody edits accounts out of scope through a body either (org_id out of scope). */
    run_cleanup();
    cells_done("role rules");
}

/* Writes whose body names records out of the writer's scope are refused on that field (422
 * reference), like a missing record; nothing is created. */
static void writes_refuse_out_of_scope_references(void **state) {
    (void)state;
    model_load();
    Role *town = role_named("town"), *committee = role_named("committee");
    model_scope(town);
    model_scope(committee);
    Fix tf, cf;
    pick(town, &tf);
    pick(committee, &cf);
    long long before = (long long)json_array_size(M.orgs);

    Resp *r = h_send(town->c, "POST", "/api/v1/orgs",
                     json_pack("{s:s, s:s, s:I}", "kind", "park", "name", "越界园区", "parent_id", (json_int_t)tf.probe_org));
    expect_field("town", r, "parent_id", "reference");
    r = h_send(town->c, "PUT", h_fmt("/api/v1/orgs/%lld", tf.org[0]),
               json_pack("{s:s, s:s, s:I}", "kind", "community", "name", "搬家村", "parent_id", (json_int_t)tf.probe_org));
    expect_field("town", r, "parent_id", "reference");
    long long out_village = tf.org[1], out_cadre = -1, in_cadre = role_named("town")->user_id;
    size_t i;
    json_t *it;
    json_array_foreach(M.users, i, it) {
        long long id = id_of(it, "id");
        if (out_cadre < 0 && strcmp(M.user_role[id], "town") == 0 && !user_in(town, id)) out_cadre = id;
    }
    r = h_send(town->c, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "cadre_village", "user_id", (json_int_t)in_cadre, "target_org_id",
                         (json_int_t)out_village, "start_on", "2025-01-01"));
    expect_field("town", r, "target_org_id", "reference");
    r = h_send(town->c, "POST", "/api/v1/liaisons",
               json_pack("{s:s, s:I, s:I, s:s}", "kind", "cadre_village", "user_id", (json_int_t)out_cadre, "target_org_id",
                         (json_int_t)tf.org[0], "start_on", "2025-01-01"));
    expect_field("town", r, "user_id", "reference");

    long long mine[2];
    assert_true(two_members(committee, committee->area_id, true, mine));
    r = h_send(committee->c, "POST", "/api/v1/agreements",
               json_pack("{s:s, s:I, s:s, s:s, s:s, s:[{s:I, s:s}, {s:I, s:s}]}", "title", "越界伙伴协议", "area_id",
                         (json_int_t)committee->area_id, "signed_on", "2025-01-01", "term_start", "2025-01-01", "term_end",
                         "2027-01-01", "parties", "org_id", (json_int_t)mine[0], "responsibilities", "共建", "org_id",
                         (json_int_t)cf.probe_org, "responsibilities", "共建"));
    expect_field("committee", r, "parties[1].org_id", "reference");

    model_load();
    if ((long long)json_array_size(M.orgs) != before) cell_fail("refused writes changed the number of organisations");
    cells_done("out-of-scope references");
}

/* ==== zero leaks ================================================================================ */

typedef enum Rec { K_ORG, K_AREA, K_AGREEMENT, K_LIAISON, K_USER, K_WIDE_ONLY, K_DOSSIER, K_MEETING, K_SAME, K_CENTER, K_ACTIVITY } Rec;
typedef enum Paging {
    PAGED,  /* page and page_size, with total */
    CURSOR, /* limit and cursor (next_cursor), no total */
    SINGLE, /* one answer (items[] among other members) */
} Paging;

typedef struct ListCheck {
    const char *path;         /* a list route of the table */
    Rec rec;                  /* what its items are (K_SAME: not scoped, the same for everyone) */
    Paging paging;            /* how it is walked */
    const char *variants[10]; /* queries; {org}, {area}, {user} become out-of-scope probes; a
                                 leading '!' checks containment only (the roots of one's world
                                 are not the admin's roots) */
} ListCheck;

static const ListCheck list_checks[] = {
    {"/api/v1/orgs", K_ORG, PAGED,
     {"", "q=村", "q=泉州", "kind=community", "kind=enterprise", "under={org}", "parent_id={org}", "area_id={area}",
      "!parent_id=0", NULL}},
    {"/api/v1/areas", K_AREA, PAGED, {"", "q=片区", "q=A0", NULL}},
    {"/api/v1/agreements", K_AGREEMENT, PAGED, {"", "area_id={area}", "org_id={org}", "status=active", "q=联建", NULL}},
    {"/api/v1/liaisons", K_LIAISON, PAGED,
     {"", "kind=cadre_village", "kind=leader_area", "org_id={org}", "user_id={user}", "area_id={area}", NULL}},
    {"/api/v1/users", K_USER, PAGED, {"", "org_id={org}", "role=town", "q=cadre", NULL}},
    {"/api/v1/audit", K_WIDE_ONLY, PAGED, {"", NULL}},
    {"/api/v1/dossier-types", K_SAME, SINGLE, {"", NULL}},
    /* Configuration and the resource catalogue are district-wide: the same answer for everyone. */
    {"/api/v1/categories", K_SAME, SINGLE, {"", "domain=service", "domain=bounty_action", NULL}},
    {"/api/v1/resources", K_SAME, PAGED, {"", "category=elderly", "available=true", "area_id={area}", "q=服务", NULL}},
    /* The directory of whom a matter may be handed to: district-wide by design (names only, see
     * docs/security.md), the same for every role that writes dossiers. */
    {"/api/v1/org-directory", K_SAME, PAGED, {"", "q=镇", "kind=town", "kind=department", NULL}},
    {"/api/v1/dossiers", K_DOSSIER, CURSOR,
     {"", "area_id={area}", "org_id={org}", "handler_org_id={org}", "q=矩阵", "open=true", "type=agreed_item", NULL}},
    {"/api/v1/meetings", K_MEETING, PAGED, {"", "area_id={area}", "q=会议", NULL}},
    /* The board: items are dossiers (at most 200, the most urgent): containment only. */
    {"/api/v1/supervision", K_DOSSIER, SINGLE, {"!", "!area_id={area}", NULL}},
    {"/api/v1/centers", K_CENTER, PAGED, {"", "area_id={area}", "function=gov", "function=housing", "q=邻里", NULL}},
    {"/api/v1/activities", K_ACTIVITY, PAGED,
     {"", "area_id={area}", "org_id={org}", "kind=free_clinic", "kind=open_day", "q=义诊", "from=2026-01-01", NULL}},
};

static const ListCheck *list_check_of(const char *path) {
    for (size_t i = 0; i < sizeof list_checks / sizeof list_checks[0]; i++)
        if (strcmp(list_checks[i].path, path) == 0) return &list_checks[i];
    return NULL;
}

/* The variant's query with probes filled in and non-ASCII bytes percent-encoded. */
static const char *variant_query(const char *v, const Fix *fx) {
    char out[512];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p && o + 24 < sizeof out;) {
        if (strncmp((const char *)p, "{org}", 5) == 0) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%lld", fx->probe_org);
            p += 5;
        } else if (strncmp((const char *)p, "{area}", 6) == 0) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%lld", fx->probe_area);
            p += 6;
        } else if (strncmp((const char *)p, "{user}", 6) == 0) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%lld", fx->probe_user);
            p += 6;
        } else if (*p >= 0x80) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%%%02X", *p++);
        } else {
            out[o++] = (char)*p++;
        }
    }
    out[o] = 0;
    return h_fmt("%s", out);
}

/* Whether the record with this item (from any list) is in the role's scope. */
static bool visible(const Role *ro, Rec rec, long long id) {
    json_t *it;
    switch (rec) {
    case K_ORG: return org_in(ro, id);
    case K_AREA: return area_in(ro, id);
    case K_AGREEMENT: return (it = find_id(M.agreements, id)) && agreement_in(ro, it);
    case K_LIAISON: return (it = find_id(M.liaisons, id)) && liaison_in(ro, it);
    case K_USER: return user_in(ro, id);
    case K_WIDE_ONLY: return ro->wide;
    case K_DOSSIER: return (it = find_id(M.dossiers, id)) && dossier_in(ro, it);
    case K_MEETING: return (it = find_id(M.meetings, id)) && meeting_in(ro, it);
    case K_SAME: return true;
    case K_CENTER: return (it = find_id(M.centers, id)) && center_in(ro, it);
    case K_ACTIVITY: return (it = find_id(M.activities, id)) && activity_in(ro, it);
    }
    return false;
}

/* Every item of a list, walked as its paging says; *total gets the total when there is one. */
static json_t *walk(Client *c, const char *path, Paging paging, long long *total) {
    if (total) *total = -1;
    if (paging == PAGED) return h_all_items(c, path, total);
    if (paging == CURSOR) return cursor_items(c, path);
    Resp *r = h_get(c, "%s", path);
    if (r->status != 200 || !json_is_array(h_jpath(r->json, "items"))) {
        h_fail_resp(r, __FILE__, __LINE__, "listing %s: expected 200 with items[]", path);
        return h_client_own(c, json_array());
    }
    return h_jpath(r->json, "items");
}


/* Compares what role lists under path with the reference answer (the admin's; the leader's for
 * matters) restricted to the scope. */
static void compare_list(Role *ro, Rec rec, Paging paging, const char *path_in, const char *key, bool exact) {
    char path[600];
    snprintf(path, sizeof path, "%s", path_in); /* path_in may live in h_fmt's ring */
    long long total = -1;
    json_t *got = walk(ro->c, path, paging, &total);
    if (rec == K_SAME) {
        /* Not scoped: everyone gets the same answer. */
        json_t *ref = walk(M.leader, path, paging, NULL);
        if (!json_equal(got, ref)) cell_fail("%s GET %s differs from the leader's answer", ro->name, path);
        return;
    }
    if (rec == K_WIDE_ONLY) exact = false; /* nobody else may read it to compare with */
    Client *ref = rec == K_DOSSIER || rec == K_MEETING || rec == K_SAME ? M.leader : M.admin;
    json_t *all = exact ? walk(ref, path, paging, NULL) : NULL;
    size_t i;
    json_t *it;
    /* Id sets of both answers (ids are small: MAXID bounds them). */
    static bool in_got[MAXID], in_all[MAXID];
    memset(in_got, 0, sizeof in_got);
    memset(in_all, 0, sizeof in_all);
    json_array_foreach(got, i, it) {
        long long id = h_jint(it, key);
        if (id > 0 && id < MAXID) in_got[id] = true;
    }
    json_array_foreach(all, i, it) {
        long long id = h_jint(it, key);
        if (id > 0 && id < MAXID) in_all[id] = true;
    }
    int leaks = 0;
    json_array_foreach(got, i, it) {
        long long id = h_jint(it, key);
        if (!visible(ro, rec, id)) {
            if (leaks++ < 5)
                cell_fail("LEAK: %s GET %s lists %s %lld (%s), which is out of its scope", ro->name, path, key, id,
                          h_jstr(it, "name") ? h_jstr(it, "name") : h_jstr(it, "title") ? h_jstr(it, "title") : h_jstr(it, "username") ? h_jstr(it, "username") : "");
        } else if (exact && !(id > 0 && id < MAXID && in_all[id])) {
            cell_fail("%s GET %s lists %s %lld, which the reference answer to the same query does not hold", ro->name,
                      path, key, id);
        }
    }
    if (leaks > 5) cell_fail("LEAK: %s GET %s: %d out-of-scope items in all", ro->name, path, leaks);
    if (paging == PAGED && total != (long long)json_array_size(got))
        cell_fail("%s GET %s: total %lld, but the pages held %zu items", ro->name, path, total, json_array_size(got));
    if (!exact) return;
    int missing = 0;
    json_array_foreach(all, i, it) {
        long long id = h_jint(it, key);
        if (visible(ro, rec, id) && !(id > 0 && id < MAXID && in_got[id]) && missing++ < 3)
            cell_fail("%s GET %s omits %s %lld, which is in its scope", ro->name, path, key, id);
    }
}

/* Every list route of the table, for one role: items only in scope, exactly the scope. */
static void run_leaks(Role *ro) {
    model_load();
    model_scope(ro);
    Fix fx;
    pick(ro, &fx);
    int lists = 0;
    for (int i = 0; i < nroutes; i++) {
        const Route *rt = &routes[i];
        if (strcmp(rt->method, "GET") != 0 || strchr(rt->path, '{')) continue;
        if (strcmp(rt->cap, "public") != 0 && strcmp(rt->cap, "signed in") != 0 && !has_cap(ro, rt->cap)) continue;
        Resp *probe = h_get(ro->c, "%s?page_size=1", rt->path);
        if (probe->status != 200 || !json_is_array(h_jpath(probe->json, "items"))) continue; /* not a list */
        const ListCheck *lc = list_check_of(rt->path);
        if (!lc) {
            cell_fail("list route GET %s has no leak check (test_authz.c list_checks[])", rt->path);
            continue;
        }
        for (int v = 0; lc->variants[v]; v++) {
            const char *var = lc->variants[v];
            bool exact = var[0] != '!';
            const char *q = variant_query(exact ? var : var + 1, &fx);
            char path[600];
            snprintf(path, sizeof path, "%s%s%s", rt->path, *q ? "?" : "", q);
            compare_list(ro, lc->rec, lc->paging, path, lc->rec == K_SAME ? "type" : "id", exact);
        }
        lists++;
    }
    /* Members of every area the role sees: only members in its scope. */
    if (has_cap(ro, "area.read")) {
        size_t i;
        json_t *it;
        json_array_foreach(M.areas, i, it) {
            long long a = id_of(it, "id");
            if (!area_in(ro, a)) continue;
            compare_list(ro, K_ORG, PAGED, h_fmt("/api/v1/areas/%lld/members", a), "org_id", true);
        }
    }
    print_message("leaks %s: %d list routes checked\n", ro->name, lists);
}

/* Count of the JSON object member key, 0 when absent. */
static long long count_of(json_t *obj, const char *key) {
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Compares the object of counts got[kind] with want[kind] (both JSON objects). */
static void compare_counts(const char *who, const char *what, json_t *got, json_t *want) {
    const char *k;
    json_t *v;
    if (got && !json_is_object(got) && !json_is_null(got)) {
        cell_fail("%s stats %s is not an object", who, what);
        return;
    }
    json_object_foreach(want, k, v) if (count_of(got, k) != json_integer_value(v))
        cell_fail("%s stats %s.%s = %lld, but %lld such records are in its scope", who, what, k, count_of(got, k),
                  (long long)json_integer_value(v));
    json_object_foreach(got, k, v) if (json_integer_value(v) != 0 && !json_object_get(want, k))
        cell_fail("%s stats %s.%s = %lld, but none is in its scope", who, what, k, (long long)json_integer_value(v));
}

static void bump(json_t *obj, const char *key) {
    json_object_set_new(obj, key, json_integer(count_of(obj, key) + 1));
}

/* /stats/overview counts exactly the records in the role's scope, and no more than it can list. */
static void run_stats(Role *ro) {
    if (!has_cap(ro, "stats.read")) return;
    Resp *r = h_get(ro->c, "/api/v1/stats/overview");
    EXPECT_STATUS(r, 200);
    const char *who = ro->name;
    json_t *obk = h_client_own(M.admin, json_object()), *mem = h_client_own(M.admin, json_object());
    json_t *lk = h_client_own(M.admin, json_object());
    long long orgs = 0, areas = 0, committees = 0, ags = 0, active = 0, lis = 0, users = 0;
    size_t i;
    json_t *it;
    json_array_foreach(M.orgs, i, it) {
        long long id = id_of(it, "id");
        if (!org_in(ro, id)) continue;
        orgs++;
        bump(obk, M.kind[id]);
        if (M.is_member[id]) bump(mem, M.kind[id]);
    }
    json_array_foreach(M.areas, i, it) if (area_in(ro, id_of(it, "id"))) {
        areas++;
        if (h_jstr(it, "committee_name") && *h_jstr(it, "committee_name")) committees++;
    }
    json_array_foreach(M.agreements, i, it) if (agreement_in(ro, it)) {
        ags++;
        if (h_jstr(it, "status") && strcmp(h_jstr(it, "status"), "active") == 0) active++;
    }
    json_array_foreach(M.liaisons, i, it) if (liaison_in(ro, it)) {
        lis++;
        bump(lk, h_jstr(it, "kind") ? h_jstr(it, "kind") : "?");
    }
    json_array_foreach(M.users, i, it) if (user_in(ro, id_of(it, "id"))) users++;

    compare_counts(who, "orgs_by_kind", h_jpath(r->json, "orgs_by_kind"), obk);
    compare_counts(who, "member_orgs", h_jpath(r->json, "member_orgs"), mem);
    compare_counts(who, "liaisons.by_kind", h_jpath(r->json, "liaisons.by_kind"), lk);
    struct {
        const char *path;
        long long want;
    } figures[] = {{"areas", areas}, {"committees", committees}, {"agreements.total", ags}, {"agreements.active", active},
                   {"liaisons.total", lis}, {"enterprises", count_of(obk, "enterprise")}, {"parks", count_of(obk, "park")},
                   {"users", users}};
    for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
        if (h_jint(r->json, figures[k].path) != figures[k].want)
            cell_fail("%s stats %s = %lld, but %lld such records are in its scope", who, figures[k].path,
                      h_jint(r->json, figures[k].path), figures[k].want);
    /* Matters, for the roles that read them: the dossiers and meetings in the role's scope. */
    if (has_cap(ro, "dossier.read")) {
        long long open = 0, closed = 0, wo = 0, red = 0, yellow = 0, sup = 0, listed = 0, sups = 0, mt = 0, mtc = 0;
        json_array_foreach(M.dossiers, i, it) {
            if (!dossier_in(ro, it)) continue;
            bool is_closed = h_jstr(it, "closed_on") != NULL;
            closed += is_closed;
            open += !is_closed;
            const char *st = h_jstr(it, "state"), *ts = h_jstr(it, "time_status"), *lv = h_jstr(it, "supervision_level");
            wo += st && strcmp(st, "written_off") == 0;
            red += !is_closed && ts && strcmp(ts, "red") == 0;
            yellow += !is_closed && ts && strcmp(ts, "yellow") == 0;
            sup += lv && strcmp(lv, "supervise") == 0;
            listed += lv && strcmp(lv, "listed") == 0;
            sups += h_jint(it, "supervisions") > 0 ? h_jint(it, "supervisions") : 0;
        }
        json_array_foreach(M.meetings, i, it) if (meeting_in(ro, it)) {
            mt++;
            mtc += h_jstr(it, "status") && strcmp(h_jstr(it, "status"), "closed") == 0;
        }
        struct {
            const char *path;
            long long want;
        } mf[] = {{"matters.open", open}, {"matters.closed", closed}, {"matters.written_off", wo}, {"matters.red", red},
                  {"matters.yellow", yellow}, {"matters.supervised", sup}, {"matters.listed", listed},
                  {"matters.supervisions", sups}, {"matters.meetings", mt}, {"matters.meetings_closed", mtc}};
        for (size_t k = 0; k < sizeof mf / sizeof mf[0]; k++)
            if (h_jint(r->json, mf[k].path) != mf[k].want)
                cell_fail("%s stats %s = %lld, but %lld such records are in its scope", who, mf[k].path,
                          h_jint(r->json, mf[k].path), mf[k].want);
    } else if (h_jpath(r->json, "matters") && !json_is_null(h_jpath(r->json, "matters"))) {
        cell_fail("%s (without dossier.read) gets matter figures", who);
    }
    /* Never more than the role's own lists show. */
    long long sum = 0;
    const char *k;
    json_t *v;
    json_object_foreach(h_jpath(r->json, "orgs_by_kind"), k, v) sum += json_integer_value(v);
    struct {
        const char *cap, *list;
        long long figure;
    } lists[] = {{"org.read", "/api/v1/orgs?page_size=1", sum},
                 {"area.read", "/api/v1/areas?page_size=1", h_jint(r->json, "areas")},
                 {"agreement.read", "/api/v1/agreements?page_size=1", h_jint(r->json, "agreements.total")},
                 {"agreement.read", "/api/v1/agreements?status=active&page_size=1", h_jint(r->json, "agreements.active")},
                 {"liaison.read", "/api/v1/liaisons?page_size=1", h_jint(r->json, "liaisons.total")},
                 {"user.read", "/api/v1/users?page_size=1", h_jint(r->json, "users")}};
    for (size_t n = 0; n < sizeof lists / sizeof lists[0]; n++) {
        if (!has_cap(ro, lists[n].cap)) continue;
        Resp *l = h_get(ro->c, "%s", lists[n].list);
        if (h_jint(l->json, "total") != lists[n].figure)
            cell_fail("%s stats figure %lld differs from its list total %lld (%s)", who, lists[n].figure,
                      h_jint(l->json, "total"), lists[n].list);
    }
}

#define LEAK_TEST(role)                                                                            \
    static void leaks_##role(void **state) {                                                       \
        (void)state;                                                                               \
        Role *ro = role_named(#role);                                                              \
        run_leaks(ro);                                                                             \
        run_stats(ro);                                                                             \
        cells_done("leaks " #role);                                                                \
    }
LEAK_TEST(admin)
LEAK_TEST(secadmin)
LEAK_TEST(auditor)
LEAK_TEST(leader)
LEAK_TEST(committee)
LEAK_TEST(department)
LEAK_TEST(town)
LEAK_TEST(community)
LEAK_TEST(enterprise)
LEAK_TEST(inspector)
LEAK_TEST(volunteer)

/* A record that a role may open does not name records it may not open: an organisation's `areas`
 * (the areas it is a member of) holds only areas the viewer can open itself — otherwise the
 * detail page lists (and links) areas that answer 404. Checked for every organisation in the scope
 * of each scoped role that reads both. (Ancestors' names — parent_name, town_name — are context of
 * the viewer's own subtree and are not checked.) */
static void org_detail_areas_in_scope(void **state) {
    (void)state;
    model_load();
    int checked = 0;
    for (int k = 0; k < NROLES; k++) {
        Role *ro = &roles[k];
        if (ro->wide || !has_cap(ro, "org.read") || !has_cap(ro, "area.read")) continue;
        model_scope(ro);
        int shown = 0;
        size_t i;
        json_t *it;
        json_array_foreach(M.orgs, i, it) {
            long long id = id_of(it, "id");
            if (!org_in(ro, id)) continue;
            Resp *r = h_get(ro->c, "/api/v1/orgs/%lld", id);
            checked++;
            if (r->status != 200) {
                cell_fail("%s GET /api/v1/orgs/%lld → %ld, expected 200 (in scope)", ro->name, id, r->status);
                continue;
            }
            size_t j;
            json_t *a;
            json_array_foreach(h_jpath(r->json, "areas"), j, a) {
                long long area = id_of(a, "id");
                if (!area_in(ro, area) && shown++ < 5) {
                    Resp *open = h_get(ro->c, "/api/v1/areas/%lld", area);
                    cell_fail("LEAK: %s GET /api/v1/orgs/%lld (%s) lists area %lld (%s) in `areas`, which it cannot open "
                              "(GET /api/v1/areas/%lld → %ld)",
                              ro->name, id, h_jstr(r->json, "name"), area, h_jstr(a, "name") ? h_jstr(a, "name") : "",
                              area, open->status);
                }
            }
        }
        if (shown > 5) cell_fail("LEAK: %s: %d out-of-scope areas named in organisation records in all", ro->name, shown);
    }
    print_message("org detail areas: %d records checked\n", checked);
    cells_done("org detail areas");
}

/* A meeting that a role may open names only matters (dossiers) it may open: its items[] (title,
 * state, handler) are dossiers, and department and inspector see only their own subtree's. */
static void meeting_items_in_scope(void **state) {
    (void)state;
    model_load();
    int checked = 0;
    for (int k = 0; k < NROLES; k++) {
        Role *ro = &roles[k];
        if (!has_cap(ro, "dossier.read")) continue;
        model_scope(ro);
        size_t i;
        json_t *it;
        int shown = 0;
        json_array_foreach(M.meetings, i, it) {
            if (!meeting_in(ro, it)) continue;
            Resp *r = h_get(ro->c, "/api/v1/meetings/%lld", id_of(it, "id"));
            checked++;
            if (r->status != 200) {
                cell_fail("%s GET /api/v1/meetings/%lld → %ld, expected 200", ro->name, id_of(it, "id"), r->status);
                continue;
            }
            size_t j;
            json_t *d;
            json_array_foreach(h_jpath(r->json, "items"), j, d) {
                long long did = id_of(d, "dossier_id");
                json_t *dos = find_id(M.dossiers, did);
                if ((!dos || !dossier_in(ro, dos)) && shown++ < 5) {
                    Resp *open = h_get(ro->c, "/api/v1/dossiers/%lld", did);
                    cell_fail("LEAK: %s GET /api/v1/meetings/%lld shows item dossier %lld (\"%s\", state %s), which it "
                              "cannot open (GET /api/v1/dossiers/%lld → %ld)",
                              ro->name, id_of(it, "id"), did, h_jstr(d, "title") ? h_jstr(d, "title") : "",
                              h_jstr(d, "state") ? h_jstr(d, "state") : "", did, open->status);
                }
            }
        }
        if (shown > 5) cell_fail("LEAK: %s: %d meeting items in all that it cannot open", ro->name, shown);
    }
    print_message("meeting items: %d meetings checked\n", checked);
    cells_done("meeting items");
}

/* Who may open a matter, act on it and run a meeting, beyond capability and scope. */
static void matter_rules(void **state) {
    (void)state;
    model_load();
    Role *town = role_named("town"), *committee = role_named("committee"), *dept = role_named("department"),
         *leader = role_named("leader");
    for (int i = 0; i < NROLES; i++) model_scope(&roles[i]);
    Fix tf;
    pick(town, &tf);
    long long a01 = committee->area_id;
    /* Opening an agreed item: committee (its own area) and leader only. */
    json_t *body = json_pack("{s:s, s:s, s:I}", "type", "agreed_item", "title", "越权事项", "area_id", (json_int_t)a01);
    expect_cell("town", "POST /dossiers (agreed_item)", h_send(town->c, "POST", "/api/v1/dossiers", json_incref(body)), 403);
    expect_cell("department", "POST /dossiers (agreed_item)", h_send(dept->c, "POST", "/api/v1/dossiers", json_incref(body)), 403);
    json_decref(body);
    Fix lf;
    pick(leader, &lf);
    long long other_area = -1;
    size_t i;
    json_t *it;
    json_array_foreach(M.areas, i, it) if (other_area < 0 && id_of(it, "id") != a01) other_area = id_of(it, "id");
    /* Another area (which it cannot see): refused, as a rule (403) or as a reference (422 area_id). */
    Resp *r = h_send(committee->c, "POST", "/api/v1/dossiers",
                     json_pack("{s:s, s:s, s:I}", "type", "agreed_item", "title", "越界事项", "area_id", (json_int_t)other_area));
    if (r->status != 403) expect_field("committee", r, "area_id", "reference");
    /* Assigning: committee and leader; a town that sees the matter may not. */
    if (tf.dossier[0] > 0)
        expect_cell("town", "POST /dossiers/{in}/actions/assign",
                    h_send(town->c, "POST", h_fmt("/api/v1/dossiers/%lld/actions/assign", tf.dossier[0]),
                           json_pack("{s:I}", "handler_org_id", (json_int_t)town->org_id)),
                    403);
    /* Running a meeting: a town that sees the meeting may not change it; nor hold one. */
    if (tf.meeting[0] > 0)
        expect_cell("town", "PUT /meetings/{in}",
                    h_send(town->c, "PUT", h_fmt("/api/v1/meetings/%lld", tf.meeting[0]),
                           json_pack("{s:s, s:s}", "title", "越权改会", "held_on", "2026-01-05")),
                    403);
    expect_cell("town", "POST /meetings (valid)",
                h_send(town->c, "POST", "/api/v1/meetings",
                       json_pack("{s:I, s:s, s:s}", "area_id", (json_int_t)a01, "title", "越权会议", "held_on", "2026-01-05")),
                403);
    cells_done("matter rules");
}

/* The audit log as the auditor reads it is valid JSON throughout, and every row names a client
 * address that is an address ("127.0.0.1", an IPv6 address, or "local"/"cli"/"" for commands):
 * rows written with an uninitialised actor show up here. */
static void audit_log_is_well_formed(void **state) {
    (void)state;
    Client *aud = h_client_as(S, "auditor");
    int bad = 0, rows = 0;
    for (int page = 1; page < 100; page++) {
        Resp *r = h_get(aud, "/api/v1/audit?page=%d&page_size=200", page);
        if (r->status != 200 || !r->json) {
            /* Find the first byte that is not UTF-8, for the message. */
            size_t at = 0;
            const unsigned char *b = (const unsigned char *)r->body;
            for (size_t k = 0; k < r->len;) {
                int n = b[k] < 0x80 ? 1 : (b[k] & 0xE0) == 0xC0 ? 2 : (b[k] & 0xF0) == 0xE0 ? 3 : (b[k] & 0xF8) == 0xF0 ? 4 : 0;
                bool good = n > 0 && k + (size_t)n <= r->len && !(n == 2 && b[k] < 0xC2);
                for (int c = 1; good && c < n; c++) good = (b[k + (size_t)c] & 0xC0) == 0x80;
                if (!good) {
                    at = k;
                    break;
                }
                k += (size_t)n;
            }
            cell_fail("GET /api/v1/audit page %d → %ld, not valid JSON: byte %zu is not UTF-8 (\\x%02X), after …%.60s", page,
                      r->status, at, (unsigned)(unsigned char)r->body[at], r->body + (at > 60 ? at - 60 : 0));
            break;
        }
        size_t i;
        json_t *it;
        json_t *items = h_jpath(r->json, "items");
        json_array_foreach(items, i, it) {
            rows++;
            const char *ip = h_jstr(it, "ip");
            bool ok = !ip || !*ip || strcmp(ip, "local") == 0 || strcmp(ip, "cli") == 0;
            if (ip && !ok) {
                ok = strlen(ip) <= 45;
                for (const char *p = ip; *p && ok; p++) ok = strchr("0123456789abcdefABCDEF.:", *p) != NULL;
            }
            if (!ok && bad++ < 5)
                cell_fail("audit row %lld (%s %s %s by %s) has the client address \"%s\"", h_jint(it, "id"), h_jstr(it, "action"),
                          h_jstr(it, "object_type"), h_fmt("%lld", h_jint(it, "object_id")), h_jstr(it, "username"), ip);
        }
        if (json_array_size(items) < 200) break;
    }
    if (bad > 5) cell_fail("%d audit rows in all have a client address that is not one", bad);
    print_message("audit: %d rows read\n", rows);
    h_client_free(aud);
    cells_done("audit log");
}

/* The model itself agrees with what the roles are told about their scope (guards the test). */
static void model_matches_login_scope(void **state) {
    (void)state;
    model_load();
    for (int i = 0; i < NROLES; i++) {
        Role *ro = &roles[i];
        model_scope(ro);
        long long n = 0;
        for (int id = 1; id < MAXID; id++) n += ro->in_org[id];
        if (ro->wide && n != (long long)json_array_size(M.orgs)) fail_msg("%s is district-wide but the model sees %lld", ro->name, n);
        if (!ro->wide && (n < 1 || n >= (long long)json_array_size(M.orgs)))
            fail_msg("%s: the model puts %lld of %zu organisations in its scope", ro->name, n, json_array_size(M.orgs));
        if (strcmp(ro->name, "committee") == 0 && ro->area_id <= 0) fail_msg("the committee account has no area");
    }
    /* The scoped roles of the brief. */
    assert_true(!role_named("town")->wide && !role_named("community")->wide && !role_named("enterprise")->wide &&
                !role_named("volunteer")->wide && !role_named("committee")->wide);
    assert_true(role_named("admin")->wide && role_named("leader")->wide && role_named("inspector")->wide &&
                role_named("department")->wide && role_named("secadmin")->wide && role_named("auditor")->wide);
}

/* ==== group ===================================================================================== */

static bool make_matters(void);

static int start(void **state) {
    (void)state;
    static const char *const args[] = {"--lock-failures", "100", "--ip-lock-failures", "0", NULL};
    S = h_server_start(args);
    if (!S || !load_routes() || !login_roles()) return -1;
    /* The sacrificial account that lock, unlock and reset-password act on. */
    Client *a = h_client_as(S, "admin");
    Resp *r = h_get(a, "/api/v1/orgs?kind=town&page_size=1");
    long long town = h_jint(r->json, "items[0].id");
    r = h_send(a, "POST", "/api/v1/users",
               json_pack("{s:s, s:s, s:s, s:I, s:s}", "username", "authz_victim", "display_name", "矩阵测试账号", "role",
                         "town", "org_id", (json_int_t)town, "password", H_PASSWORD));
    victim_id = h_jint(r->json, "id");
    h_client_free(a);
    if (victim_id <= 0) {
        fprintf(stderr, "cannot create the sacrificial account: %ld %s\n", r->status, r->body);
        return -1;
    }
    return make_matters() ? 0 : -1;
}

/* Id of the area with this code, through the admin. */
static long long area_by_code(Client *a, const char *code) {
    Resp *r = h_get(a, "/api/v1/areas?q=%s", code);
    return h_jint(r->json, "items[0].id");
}

/* Matters for the matrix: dossiers and meetings in and out of each role's scope. */
static bool make_matters(void) {
    Client *a = h_client_as(S, "admin");
    Role *k = role_named("committee"), *l = role_named("leader");
    long long a05 = area_by_code(a, "A05"), a06 = area_by_code(a, "A06"), a07 = area_by_code(a, "A07");
    Resp *r = h_get(a, "/api/v1/orgs?kind=community&q=%s", h_esc("西吟头村"));
    long long village = h_jint(r->json, "items[0].id");
    struct {
        Client *c;
        json_t *body;
    } ds[] = {
        {k->c, json_pack("{s:s, s:s, s:I, s:I}", "type", "agreed_item", "title", "矩阵事项一", "area_id", (json_int_t)k->area_id,
                         "org_id", (json_int_t)village)},
        {l->c, json_pack("{s:s, s:s, s:I, s:I}", "type", "agreed_item", "title", "矩阵事项二", "area_id", (json_int_t)a05,
                         "handler_org_id", (json_int_t)role_named("department")->org_id)},
        {l->c, json_pack("{s:s, s:s, s:I, s:I}", "type", "agreed_item", "title", "矩阵事项三", "area_id", (json_int_t)a06,
                         "handler_org_id", (json_int_t)role_named("inspector")->org_id)},
        {l->c, json_pack("{s:s, s:s, s:I, s:I}", "type", "agreed_item", "title", "矩阵事项四", "area_id", (json_int_t)a07,
                         "handler_org_id", (json_int_t)role_named("enterprise")->org_id)},
    };
    bool ok = village > 0 && a05 > 0 && a06 > 0 && a07 > 0;
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        r = h_send(ds[i].c, "POST", "/api/v1/dossiers", ds[i].body);
        if (r->status != 201) fprintf(stderr, "fixture dossier %zu: %ld %s\n", i, r->status, r->body), ok = false;
    }
    r = h_send(k->c, "POST", "/api/v1/meetings",
               json_pack("{s:I, s:s, s:s}", "area_id", (json_int_t)k->area_id, "title", "矩阵会议一", "held_on", "2026-01-05"));
    if (r->status != 201) fprintf(stderr, "fixture meeting 1: %ld %s\n", r->status, r->body), ok = false;
    r = h_send(l->c, "POST", "/api/v1/meetings",
               json_pack("{s:I, s:s, s:s}", "area_id", (json_int_t)a05, "title", "矩阵会议二", "held_on", "2026-01-06"));
    long long m2 = h_jint(r->json, "id");
    if (r->status != 201) fprintf(stderr, "fixture meeting 2: %ld %s\n", r->status, r->body), ok = false;
    /* Every matter gets an attachment (GET …/attachments/{aid} needs one). */
    json_t *listed = cursor_items(l->c, "/api/v1/dossiers?q=%E7%9F%A9%E9%98%B5"); /* 矩阵 */
    size_t di;
    json_t *dv;
    json_array_foreach(listed, di, dv) {
        r = h_req(l->c, "POST", h_fmt("/api/v1/dossiers/%lld/attachments?name=fixture.png", id_of(dv, "id")), "image/png", PNG,
                  sizeof PNG - 1);
        if (r->status != 201) fprintf(stderr, "fixture attachment: %ld %s\n", r->status, r->body), ok = false;
    }
    /* An agreed item of meeting 2 with no handler: a matter of area A05 only. */
    r = h_send(l->c, "POST", h_fmt("/api/v1/meetings/%lld/items", m2), json_pack("{s:s}", "title", "矩阵会议事项"));
    if (r->status != 201) fprintf(stderr, "fixture meeting item: %ld %s\n", r->status, r->body), ok = false;
    h_client_free(a);
    return ok;
}

static int stop(void **state) {
    (void)state;
    h_client_free(M.admin);
    h_client_free(M.leader);
    dossier_cache = NULL;
    memset(&M, 0, sizeof M);
    h_client_free_all();
    int rc = h_server_stop(S);
    h_server_free(S);
    S = NULL;
    if (rc != 0) fprintf(stderr, "the server exited with %d after SIGTERM (want 0)\n", rc);
    return rc == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes_have_entries),
        cmocka_unit_test(model_matches_login_scope),
        cmocka_unit_test(leaks_admin),
        cmocka_unit_test(leaks_secadmin),
        cmocka_unit_test(leaks_auditor),
        cmocka_unit_test(leaks_leader),
        cmocka_unit_test(leaks_committee),
        cmocka_unit_test(leaks_department),
        cmocka_unit_test(leaks_town),
        cmocka_unit_test(leaks_community),
        cmocka_unit_test(leaks_enterprise),
        cmocka_unit_test(leaks_inspector),
        cmocka_unit_test(leaks_volunteer),
        cmocka_unit_test(audit_log_is_well_formed),
        cmocka_unit_test(org_detail_areas_in_scope),
        cmocka_unit_test(meeting_items_in_scope),
        cmocka_unit_test(matter_rules),
        cmocka_unit_test(matrix_anonymous),
        cmocka_unit_test(matrix_admin),
        cmocka_unit_test(matrix_secadmin),
        cmocka_unit_test(matrix_auditor),
        cmocka_unit_test(matrix_leader),
        cmocka_unit_test(matrix_committee),
        cmocka_unit_test(matrix_department),
        cmocka_unit_test(matrix_town),
        cmocka_unit_test(matrix_community),
        cmocka_unit_test(matrix_enterprise),
        cmocka_unit_test(matrix_inspector),
        cmocka_unit_test(matrix_volunteer),
        cmocka_unit_test(role_rules),
        cmocka_unit_test(writes_refuse_out_of_scope_references),
        cmocka_unit_test(csrf_on_every_write_route),
    };
    int failed = cmocka_run_group_tests_name("authz", tests, start, stop);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
