/*
 * org.c — the organisation registry; see org.h. Paths are materialised ('/1/4/17/') so scope
 * checks and subtree moves are range operations; town_id caches the town above each node.
 */
#include "core/org.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/listq.h"
#include "store/fts.h"
#include "store/scope.h"
#include "util/csv.h"
#include "util/jsonh.h"
#include "util/validate.h"

const char *const org_kinds[] = {"district", "town", "community", "park", "enterprise",
                                 "department", "new_org", "resident_unit", NULL};
const char *const member_kinds[] = {"community", "park", "new_org", "resident_unit", NULL};

/* Which parent kinds each kind accepts (see docs/api-shapes.md). */
static const struct {
    const char *kind;
    const char *parents[4];
} parent_rules[] = {
    {"district", {NULL}},
    {"town", {"district", NULL}},
    {"department", {"district", NULL}},
    {"park", {"district", "town", NULL}},
    {"resident_unit", {"district", "town", NULL}},
    {"community", {"town", NULL}},
    {"enterprise", {"park", "town", "district"}},
    {"new_org", {"town", "community", "park", NULL}},
};

static const char *const *allowed_parents(const char *kind) {
    for (size_t i = 0; i < sizeof parent_rules / sizeof parent_rules[0]; i++)
        if (strcmp(parent_rules[i].kind, kind) == 0) return parent_rules[i].parents;
    return NULL;
}

static bool parent_allowed(const char *kind, const char *parent_kind) {
    const char *const *ps = allowed_parents(kind);
    if (!ps) return false;
    for (int i = 0; i < 4 && ps[i]; i++)
        if (strcmp(ps[i], parent_kind) == 0) return true;
    return false;
}

static bool phone_chars(const char *s) {
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && !strchr("+-() ", *s)) return false;
    return true;
}

static const JField org_fields[] = {
    {"kind", JF_STR, true, 0, 0, org_kinds, NULL, NULL},
    {"name", JF_STR, true, 1, 100, NULL, NULL, NULL},
    {"parent_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"short_name", JF_STR, false, 0, 50, NULL, NULL, NULL},
    {"credit_code", JF_STR, false, 0, 18, NULL, NULL, NULL},
    {"address", JF_STR, false, 0, 200, NULL, NULL, NULL},
    {"contact_name", JF_STR, false, 0, 50, NULL, NULL, NULL},
    {"contact_phone", JF_STR, false, 0, 30, NULL, phone_chars, "format"},
    {"note", JF_TEXT, false, 0, 1000, NULL, NULL, NULL},
};
enum { ORG_NFIELDS = sizeof org_fields / sizeof org_fields[0] };

#define ORG_JSON                                                                                   \
    "json_object('id', o.id, 'parent_id', o.parent_id, 'parent_name', p.name, 'kind', o.kind,"     \
    " 'name', o.name, 'short_name', o.short_name, 'credit_code', o.credit_code, 'address', o.address," \
    " 'contact_name', o.contact_name, 'contact_phone', o.contact_phone, 'note', o.note,"          \
    " 'town_id', o.town_id, 'town_name', t.name,"                                                  \
    " 'child_count', (SELECT count(*) FROM orgs c WHERE c.parent_id = o.id),"                      \
    " 'created_at', o.created_at, 'updated_at', o.updated_at, 'version', o.version)"
/* One record: the list fields plus the areas it belongs to, in a single json_object() call. */
#define ORG_JSON_WITH_AREAS                                                                        \
    "json_object('id', o.id, 'parent_id', o.parent_id, 'parent_name', p.name, 'kind', o.kind,"     \
    " 'name', o.name, 'short_name', o.short_name, 'credit_code', o.credit_code, 'address', o.address," \
    " 'contact_name', o.contact_name, 'contact_phone', o.contact_phone, 'note', o.note,"          \
    " 'town_id', o.town_id, 'town_name', t.name,"                                                  \
    " 'child_count', (SELECT count(*) FROM orgs c WHERE c.parent_id = o.id),"                      \
    " 'areas', (SELECT json_group_array(json_object('id', ar.id, 'name', ar.name)) FROM area_members am" \
    "   JOIN areas ar ON ar.id = am.area_id WHERE am.org_id = o.id AND " SCOPE_AREA("ar") "),"    \
    " 'created_at', o.created_at, 'updated_at', o.updated_at, 'version', o.version)"
#define ORG_FROM " FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id LEFT JOIN orgs t ON t.id = o.town_id"

/* Filter fragments of the organisation list. Each variant (the set of filters present, and whether
 * the scope is a plain subtree) is one SQL text assembled once, so that the planner sees only the
 * conditions that apply and can use the kind, parent, path and full-text indexes; the texts live
 * for the program, so the statement cache can key them by address. Parameters keep fixed numbers:
 * ?1-?3 scope, ?4 kind, ?5 parent, ?6 under, ?7 area, ?8 full-text query, ?9 q as typed. */
enum { OF_KIND = 1, OF_PARENT = 2, OF_ROOTS = 4, OF_UNDER = 8, OF_AREA = 16, OF_Q = 32, OF_VARIANTS = 64 };

static const char *const org_filter_sql[] = {
    " AND o.kind = ?4",
    " AND o.parent_id = ?5",
    " AND (p.id IS NULL OR NOT " SCOPE_ORG("p") ")",
    " AND o.path > (SELECT u.path FROM orgs u WHERE u.id = ?6)"
    " AND o.path < (SELECT substr(u.path, 1, length(u.path) - 1) || '0' FROM orgs u WHERE u.id = ?6)",
    " AND o.id IN (SELECT m.org_id FROM area_members m WHERE m.area_id = ?7)",
    /* Full-text candidates are capped: pages beyond the count cap are never shown, and sorting a
     * bounded set keeps one-character searches fast over a million names. */
    " AND o.id IN (SELECT rowid FROM (SELECT rowid FROM orgs_fts WHERE orgs_fts MATCH ?8 LIMIT 1001)"
    " UNION SELECT id FROM orgs WHERE credit_code = upper(?9))",
};

/* How the scope enters the query: the whole district (no condition), one subtree (an index
 * range), or a committee's area (subtrees of its members, see store/scope.h). For a subtree with
 * more rows than the count cap, the page is read in index order of the ORDER BY with the range
 * checked on the way ("+o.path" keeps the planner off the path index); for a smaller subtree the
 * range is read and sorted. */
enum { SM_ALL, SM_RANGE, SM_RANGE_LARGE, SM_AREA, SM_COUNT };

static pthread_mutex_t org_sql_mutex = PTHREAD_MUTEX_INITIALIZER;
static char *org_count_sql[SM_COUNT][OF_VARIANTS], *org_items_sql[SM_COUNT][OF_VARIANTS];

/* Returns the count and items SQL of a variant, assembling it on first use. NULL out of memory. */
static bool org_sql(int sm, int m, const char **count, const char **items) {
    pthread_mutex_lock(&org_sql_mutex);
    if (!org_items_sql[sm][m]) {
        static const char *const scope_sql[SM_COUNT] = {"1", SCOPE_ORG_RANGE("o"),
                                                        "(+o.path >= ?1 AND +o.path < ?2)", SCOPE_ORG("o")};
        Buf w = BUF_INIT, c = BUF_INIT, i = BUF_INIT;
        buf_puts(&w, ORG_FROM " WHERE ");
        buf_puts(&w, scope_sql[sm]);
        for (int b = 0; b < 6; b++)
            if (m & (1 << b)) buf_puts(&w, org_filter_sql[b]);
        buf_printf(&c, "SELECT count(*) FROM (SELECT 1%s LIMIT %d)", buf_str(&w), LIST_COUNT_CAP + 1);
        /* Children of one parent are listed by name (index parent_id, name); otherwise by kind
         * and name (index kind, name, path). */
        /* The page's ids come from the index alone (deep OFFSETs skip index entries, not rendered
         * rows); only the page's rows are rendered. */
        const char *order = (m & OF_PARENT) ? "o.name, o.id" : "o.kind, o.name, o.id";
        buf_printf(&i, "SELECT " ORG_JSON ORG_FROM " JOIN (SELECT o.id AS pid%s ORDER BY %s LIMIT ?98 OFFSET ?99) pg"
                   " ON o.id = pg.pid ORDER BY %s", buf_str(&w), order, order);
        if (!buf_oom(&c) && !buf_oom(&i)) {
            org_count_sql[sm][m] = buf_detach(&c);
            org_items_sql[sm][m] = buf_detach(&i);
        }
        buf_free(&w);
        buf_free(&c);
        buf_free(&i);
    }
    *count = org_count_sql[sm][m];
    *items = org_items_sql[sm][m];
    pthread_mutex_unlock(&org_sql_mutex);
    return *items != NULL;
}

Rc org_list(Db *db, const Actor *a, const OrgFilter *flt, int page, int page_size, Buf *out, Fail *f) {
    Buf fq = BUF_INIT;
    bool has_q = flt->q && fts_query(flt->q, &fq);
    int m = (flt->kind ? OF_KIND : 0) | (flt->parent_id > 0 ? OF_PARENT : 0) | (flt->parent_id == 0 ? OF_ROOTS : 0) |
            (flt->under > 0 ? OF_UNDER : 0) | (flt->area_id > 0 ? OF_AREA : 0) | (flt->q ? OF_Q : 0);
    int sm = strcmp(a->scope_lo, "/") == 0 ? SM_ALL : scope_plain(a) ? SM_RANGE : SM_AREA;
    const char *count_sql, *items_sql, *count_large, *items_large;
    Rc r;
    if (!org_sql(sm, m, &count_sql, &items_sql) || buf_oom(&fq) ||
        (sm == SM_RANGE && !org_sql(SM_RANGE_LARGE, m, &count_large, &items_large))) {
        r = rc_fail(f, RC_UNAVAILABLE, "out of memory");
    } else {
        r = listq_run2(db, f, out, page, page_size, count_sql, items_sql, sm == SM_RANGE ? items_large : NULL,
                       SCOPE_FMT "tNNNtt", SCOPE_ARGS(a), flt->kind, flt->parent_id, flt->under, flt->area_id,
                       has_q ? buf_str(&fq) : "\"\"", flt->q);
    }
    buf_free(&fq);
    return r;
}

Rc org_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    Buf tmp = BUF_INIT;
    Rc r = listq_one(db, f, &tmp,
                     "SELECT " ORG_JSON_WITH_AREAS ORG_FROM " WHERE " SCOPE_ORG("o") " AND o.id = ?",
                     SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "organisation %lld not found", (long long)id);
    if (r == RC_OK) buf_append(out, tmp.data, tmp.len);
    buf_free(&tmp);
    return r;
}

Rc org_version(Db *db, const Actor *a, int64_t id, int64_t *version, Fail *f) {
    Rc r = db_int(db, f, version, "SELECT o.version FROM orgs o WHERE " SCOPE_ORG("o") " AND o.id = ?",
                  SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) return rc_fail(f, RC_NOT_FOUND, "organisation %lld not found", (long long)id);
    return r;
}

Rc org_kind(Db *db, const Actor *a, int64_t id, char kind[16], Fail *f) {
    Fail g = {0};
    Rc r = db_text(db, &g, kind, 16, "SELECT o.kind FROM orgs o WHERE " SCOPE_ORG("o") " AND o.id = ?",
                   SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r != RC_OK && r != RC_NOT_FOUND) {
        rc_fail(f, r, "%s", g.detail);
    }
    fail_clear(&g);
    return r;
}

/* Parent facts needed to place a node. */
typedef struct Parent {
    int64_t id;
    char kind[16];
    char path[160];
    int64_t town_id;
} Parent;

static Rc load_parent(Db *db, const Actor *a, int64_t id, Parent *p, Fail *f) {
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT o.kind, o.path, coalesce(o.town_id, 0) FROM orgs o WHERE " SCOPE_ORG("o")
                            " AND o.id = ?",
                            SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        p->id = id;
        snprintf(p->kind, sizeof p->kind, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(p->path, sizeof p->path, "%s", (const char *)sqlite3_column_text(st, 1));
        p->town_id = sqlite3_column_int64(st, 2);
    }
    db_done(st);
    if (rc == SQLITE_ROW) return RC_OK;
    if (rc == SQLITE_DONE) return RC_NOT_FOUND;
    return db_fail(db, f, rc, __FILE__, __LINE__);
}

/* Validates the fields common to create and update. kind is the (new or current) kind; self is the
 * record's id on update (0 on create) and self_parent its current parent. Fills parent when a parent
 * is named. Adds field errors. */
static Rc validate_org(Db *db, const Actor *a, json_t *in, const char *kind, int64_t self, int64_t self_parent,
                       const char *self_path, Parent *parent, char credit[19], Fail *f) {
    jh_validate(in, org_fields, ORG_NFIELDS, f);
    credit[0] = 0;
    if (!kind || !allowed_parents(kind)) return RC_OK; /* the kind error is already recorded */
    int64_t pid = jh_int(in, "parent_id");
    memset(parent, 0, sizeof *parent);
    if (strcmp(kind, "district") == 0) {
        if (pid) fail_field(f, "parent_id", "kind", json_pack("{s:[]}", "allowed"));
        int64_t other = 0;
        Fail g = {0};
        if (db_int(db, &g, &other, "SELECT id FROM orgs WHERE kind = 'district' AND id <> ?", "i", self) == RC_OK)
            fail_field(f, "kind", "unique", NULL);
        fail_clear(&g);
    } else if (!pid) {
        if (!jh_has(in, "parent_id") || json_is_null(json_object_get(in, "parent_id")))
            fail_field(f, "parent_id", "required", NULL);
    } else if (self && pid == self_parent) {
        /* An unchanged parent may lie outside the actor's scope (a town's own district): it was
         * valid when placed and is not re-checked. */
        Actor all = *a;
        scope_all(&all);
        Rc r = load_parent(db, &all, pid, parent, f);
        if (r != RC_OK && r != RC_NOT_FOUND) return r;
    } else {
        Rc r = load_parent(db, a, pid, parent, f);
        if (r == RC_NOT_FOUND) {
            fail_field(f, "parent_id", "reference", NULL);
        } else if (r != RC_OK) {
            return r;
        } else if (!parent_allowed(kind, parent->kind)) {
            json_t *allowed = json_array();
            const char *const *ps = allowed_parents(kind);
            for (int i = 0; i < 4 && ps[i]; i++) json_array_append_new(allowed, json_string(ps[i]));
            fail_field(f, "parent_id", "kind", json_pack("{s:o}", "allowed", allowed));
        } else if (self_path && strncmp(parent->path, self_path, strlen(self_path)) == 0) {
            fail_field(f, "parent_id", "cycle", NULL);
        }
    }
    const char *cc = jh_str(in, "credit_code");
    if (cc) {
        size_t n = strlen(cc);
        /* org_fields limits the length in characters: up to 18 multi-byte ones pass that check but
         * are no code, and were dropped without an error (an enterprise without a credit code;
         * found by tests/fuzz/fuzz_org_import). Longer values already have a max_length error. */
        if (n >= 19 && val_utf8_len(cc) <= 18) fail_field(f, "credit_code", "credit_code", NULL);
        if (n < 19) {
            for (size_t i = 0; i <= n; i++) credit[i] = (char)toupper((unsigned char)cc[i]);
            if (!val_credit_code(credit)) {
                fail_field(f, "credit_code", "credit_code", NULL);
            } else {
                int64_t other = 0;
                Fail g = {0};
                if (db_int(db, &g, &other, "SELECT id FROM orgs WHERE credit_code = ? AND id <> ?", "ti",
                           credit, self) == RC_OK)
                    fail_field(f, "credit_code", "unique", NULL);
                fail_clear(&g);
            }
        }
    } else if (strcmp(kind, "enterprise") == 0) {
        fail_field(f, "credit_code", "required", NULL);
    }
    return RC_OK;
}

/* Validates and inserts inside the caller's transaction. */
static Rc org_insert(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    const char *kind = jh_str(in, "kind");
    Parent parent;
    char credit[19];
    Rc r = validate_org(db, a, in, kind, 0, 0, NULL, &parent, credit, f);
    if (r != RC_OK) return r;
    if ((r = fail_fields(f)) != RC_OK) return r;
    if (strcmp(kind, "district") == 0 && strcmp(a->scope_lo, "/") != 0)
        return rc_fail(f, RC_FORBIDDEN, "only district-wide roles may create the district");
    int64_t nid = 0;
    if ((r = db_int(db, f, &nid, "SELECT coalesce(max(id), 0) + 1 FROM orgs", NULL)) != RC_OK) return r;
    char path[200];
    if (parent.id) snprintf(path, sizeof path, "%s%lld/", parent.path, (long long)nid);
    else snprintf(path, sizeof path, "/%lld/", (long long)nid);
    int64_t town = strcmp(kind, "town") == 0 ? nid : parent.town_id;
    /* 'I' binds NULL for 0: town 0 means none (binding 0 broke the foreign key for everything
     * outside a town, found by tests/fuzz/fuzz_request). */
    r = db_run(db, f,
               "INSERT INTO orgs(id, parent_id, kind, name, short_name, credit_code, address, contact_name,"
               " contact_phone, note, path, town_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               "iItttttttttI", nid, parent.id, kind, jh_str(in, "name"), jh_str(in, "short_name"),
               credit[0] ? credit : NULL, jh_str(in, "address"), jh_str(in, "contact_name"),
               jh_str(in, "contact_phone"), jh_str(in, "note"), path, town);
    if (r == RC_OK) *id = nid;
    return r;
}

Rc org_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    if ((r = org_insert(db, a, in, id, f)) == RC_OK &&
        (r = audit_write(db, f, a, NULL, NULL, "create", "org", *id, "ok",
                         json_pack("{s:s?, s:s?}", "kind", jh_str(in, "kind"), "name", jh_str(in, "name")))) == RC_OK)
        r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc org_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    char kind[16] = "", path[160] = "";
    int64_t version = 0, old_parent = 0;
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT o.kind, o.path, o.version, coalesce(o.parent_id, 0) FROM orgs o WHERE "
                            SCOPE_ORG("o") " AND o.id = ?",
                            SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (!st) { db_rollback(db); return f->rc; }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(kind, sizeof kind, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(path, sizeof path, "%s", (const char *)sqlite3_column_text(st, 1));
        version = sqlite3_column_int64(st, 2);
        old_parent = sqlite3_column_int64(st, 3);
    }
    db_done(st);
    if (rc != SQLITE_ROW) {
        db_rollback(db);
        if (rc == SQLITE_DONE) return rc_fail(f, RC_NOT_FOUND, "organisation %lld not found", (long long)id);
        return db_fail(db, f, rc, __FILE__, __LINE__);
    }
    if (if_version > 0 && if_version != version) {
        db_rollback(db);
        fail_extra(f, "current_version", json_integer(version));
        return rc_fail(f, RC_PRECONDITION, "the record is at version %lld; reload and retry", (long long)version);
    }
    json_t *jk = json_object_get(in, "kind");
    const char *nk = jh_str(in, "kind");
    if (jk && !json_is_null(jk) && !json_is_string(jk)) fail_field(f, "kind", "type", json_pack("{s:s}", "expected", "string"));
    else if (nk && strcmp(nk, kind) != 0) fail_field(f, "kind", "immutable", NULL);
    /* An in-scope node whose parent is outside the scope keeps its parent unless one is named. */
    if (!jh_has(in, "parent_id") && old_parent) json_object_set_new(in, "parent_id", json_integer(old_parent));
    json_object_set_new(in, "kind", json_string(kind));
    Parent parent;
    char credit[19];
    if ((r = validate_org(db, a, in, kind, id, old_parent, path, &parent, credit, f)) != RC_OK ||
        (r = fail_fields(f)) != RC_OK) {
        db_rollback(db);
        return r;
    }
    r = db_run(db, f,
               "UPDATE orgs SET name = ?, short_name = ?, credit_code = ?, address = ?, contact_name = ?,"
               " contact_phone = ?, note = ?, version = version + 1,"
               " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
               "ttttttti", jh_str(in, "name"), jh_str(in, "short_name"), credit[0] ? credit : NULL,
               jh_str(in, "address"), jh_str(in, "contact_name"), jh_str(in, "contact_phone"),
               jh_str(in, "note"), id);
    if (r == RC_OK && parent.id && parent.id != old_parent) {
        char newpath[200];
        snprintf(newpath, sizeof newpath, "%s%lld/", parent.path, (long long)id);
        char hi[160];
        snprintf(hi, sizeof hi, "%s", path);
        hi[strlen(hi) - 1] = '0';
        r = db_run(db, f, "UPDATE orgs SET parent_id = ? WHERE id = ?", "ii", parent.id, id);
        if (r == RC_OK)
            r = db_run(db, f, "UPDATE orgs SET path = ? || substr(path, ?) WHERE path >= ? AND path < ?",
                       "titt", newpath, (int64_t)strlen(path) + 1, path, hi);
        if (r == RC_OK) {
            char newhi[200];
            snprintf(newhi, sizeof newhi, "%s", newpath);
            newhi[strlen(newhi) - 1] = '0';
            r = db_run(db, f,
                       "UPDATE orgs SET town_id = (SELECT t.id FROM orgs t WHERE t.kind = 'town' AND"
                       " orgs.path >= t.path AND orgs.path < substr(t.path, 1, length(t.path) - 1) || '0')"
                       " WHERE path >= ? AND path < ?",
                       "tt", newpath, newhi);
        }
    }
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "update", "org", id, "ok",
                        json_pack("{s:s?, s:I}", "name", jh_str(in, "name"), "version", (json_int_t)version + 1));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc org_delete(Db *db, const Actor *a, int64_t id, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    int64_t version;
    if ((r = org_version(db, a, id, &version, f)) != RC_OK) { db_rollback(db); return r; }
    static const struct {
        const char *type;
        const char *sql;
    } refs[] = {
        {"org", "SELECT count(*) FROM orgs WHERE parent_id = ?"},
        {"area_member", "SELECT count(*) FROM area_members WHERE org_id = ?"},
        {"agreement", "SELECT count(*) FROM agreement_parties WHERE org_id = ?"},
        {"liaison", "SELECT count(*) FROM liaisons WHERE department_id = ?1 OR target_org_id = ?1"},
        {"user", "SELECT count(*) FROM users WHERE org_id = ?"},
        {"dossier", "SELECT count(*) FROM dossiers WHERE org_id = ?1 OR handler_org_id = ?1"},
        {"meeting", "SELECT count(*) FROM meeting_orgs WHERE org_id = ?"},
        {"center", "SELECT count(*) FROM centers WHERE org_id = ?1 OR town_id = ?1"},
        {"center_service", "SELECT count(*) FROM center_services WHERE provider_org_id = ?"},
        {"activity", "SELECT count(*) FROM activity_organisers WHERE org_id = ?"},
        {"resource", "SELECT count(*) FROM resources WHERE provider_org_id = ?"},
    };
    json_t *list = json_array();
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        int64_t n = 0;
        if ((r = db_int(db, f, &n, refs[i].sql, "i", id)) != RC_OK) break;
        if (n > 0) json_array_append_new(list, json_pack("{s:s, s:I}", "type", refs[i].type, "count", (json_int_t)n));
    }
    if (r == RC_OK && json_array_size(list) > 0) {
        fail_extra(f, "references", list);
        list = NULL;
        r = rc_fail(f, RC_CONFLICT, "organisation %lld is still referenced", (long long)id);
    }
    json_decref(list);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM orgs WHERE id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "delete", "org", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

/* ---- CSV import ---------------------------------------------------------------------------- */

static const char *const import_columns[] = {"kind", "name", "parent", "credit_code", "short_name",
                                             "address", "contact_name", "contact_phone", NULL};

/* Chinese names people write in a spreadsheet for each kind. */
static const struct {
    const char *label;
    const char *kind;
} kind_synonyms[] = {
    {"区", "district"}, {"乡镇", "town"}, {"镇", "town"}, {"乡", "town"}, {"村居", "community"},
    {"社区", "community"}, {"村", "community"}, {"园区", "park"}, {"企业", "enterprise"},
    {"部门", "department"}, {"区级部门", "department"}, {"两新组织", "new_org"},
    {"驻区单位", "resident_unit"},
};

typedef struct ImportRow {
    char *name;   /* the row's name (owned) */
    int64_t id;   /* id given in this import, 0 when the row failed */
} ImportRow;

typedef struct Import {
    Db *db;
    const Actor *a;
    int col[8];           /* column index of each import_columns entry, -1 if absent */
    bool header_done;
    int rows, valid;
    ImportRow *done;      /* rows handled so far */
    int ndone, capdone;
    json_t *errors;       /* report errors */
    Rc fatal;             /* a storage error that stops the import */
    Fail *f;
} Import;

static void import_error(Import *im, int line, const char *field, const char *rule, const char *value) {
    json_t *e = json_pack("{s:i, s:s, s:s}", "line", line, "field", field, "rule", rule);
    if (value) json_object_set_new(e, "value", json_string(value));
    json_array_append_new(im->errors, e);
}

static const char *col(const Import *im, const CsvRecord *rec, int which) {
    int c = im->col[which];
    if (c < 0 || c >= rec->nfields || !rec->fields[c][0]) return NULL;
    return rec->fields[c];
}

static int import_record(const CsvRecord *rec, void *ud) {
    Import *im = ud;
    if (!im->header_done) {
        im->header_done = true;
        for (int i = 0; i < 8; i++) im->col[i] = -1;
        for (int c = 0; c < rec->nfields; c++) {
            const char *h = rec->fields[c];
            bool known = false;
            for (int i = 0; import_columns[i]; i++)
                if (strcmp(h, import_columns[i]) == 0) { im->col[i] = c; known = true; }
            if (!known) import_error(im, rec->line, h, "unknown_column", NULL);
        }
        for (int i = 0; i < 3; i++)
            if (im->col[i] < 0) import_error(im, rec->line, import_columns[i], "missing_column", NULL);
        return json_array_size(im->errors) ? 1 : 0;
    }
    im->rows++;
    const char *kind = col(im, rec, 0);
    if (kind)
        for (size_t i = 0; i < sizeof kind_synonyms / sizeof kind_synonyms[0]; i++)
            if (strcmp(kind, kind_synonyms[i].label) == 0) kind = kind_synonyms[i].kind;
    json_t *in = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "kind", kind, "name", col(im, rec, 1),
                           "credit_code", col(im, rec, 3), "short_name", col(im, rec, 4), "address",
                           col(im, rec, 5), "contact_name", col(im, rec, 6), "contact_phone", col(im, rec, 7));
    const char *parent = col(im, rec, 2);
    bool parent_bad = false;
    if (parent) {
        int64_t pid = 0;
        bool numeric = strspn(parent, "0123456789") == strlen(parent) && strlen(parent) < 16;
        if (numeric) {
            pid = strtoll(parent, NULL, 10);
        } else {
            for (int i = im->ndone - 1; i >= 0; i--)
                if (strcmp(im->done[i].name, parent) == 0) { pid = im->done[i].id; break; }
            if (!pid) {
                Fail g = {0};
                sqlite3_stmt *st = db_q(im->db, &g,
                                        "SELECT o.id FROM orgs o WHERE " SCOPE_ORG("o") " AND o.name = ? LIMIT 2",
                                        SCOPE_FMT "t", SCOPE_ARGS(im->a), parent);
                int n = 0;
                while (st && sqlite3_step(st) == SQLITE_ROW) { pid = sqlite3_column_int64(st, 0); n++; }
                db_done(st);
                fail_clear(&g);
                if (n > 1) { import_error(im, rec->line, "parent", "ambiguous", parent); parent_bad = true; }
            }
            if (!pid && !parent_bad) { import_error(im, rec->line, "parent", "reference", parent); parent_bad = true; }
        }
        if (pid) json_object_set_new(in, "parent_id", json_integer(pid));
    }
    int64_t id = 0;
    if (!parent_bad) {
        Fail rf = {0};
        Rc r = org_insert(im->db, im->a, in, &id, &rf);
        if (r == RC_VALIDATION) {
            size_t i;
            json_t *e;
            json_array_foreach(rf.errors, i, e) {
                const char *field = json_string_value(json_object_get(e, "field"));
                if (strcmp(field, "parent_id") == 0) field = "parent";
                json_t *v = json_object_get(in, strcmp(field, "parent") == 0 ? "parent_id" : field);
                const char *vs = json_is_string(v) ? json_string_value(v) : (strcmp(field, "parent") == 0 ? parent : NULL);
                import_error(im, rec->line, field, json_string_value(json_object_get(e, "rule")), vs);
            }
        } else if (r != RC_OK) {
            im->fatal = r;
            rc_fail(im->f, r, "%s", rf.detail);
        } else {
            im->valid++;
        }
        fail_clear(&rf);
    }
    if (im->ndone == im->capdone) {
        int cap = im->capdone ? im->capdone * 2 : 64;
        ImportRow *p = realloc(im->done, (size_t)cap * sizeof *p);
        if (!p) { im->fatal = RC_UNAVAILABLE; json_decref(in); return 1; }
        im->done = p;
        im->capdone = cap;
    }
    const char *nm = col(im, rec, 1);
    im->done[im->ndone].name = strdup(nm ? nm : "");
    im->done[im->ndone].id = id;
    im->ndone++;
    json_decref(in);
    return im->fatal != RC_OK || json_array_size(im->errors) >= 1000 ? 1 : 0;
}

Rc org_import(Db *db, const Actor *a, const char *csv, size_t len, bool dry_run, Buf *out, Fail *f) {
    Import im = {.db = db, .a = a, .errors = json_array(), .f = f};
    Rc r = db_begin(db, f);
    if (r != RC_OK) { json_decref(im.errors); return r; }
    int err_line = 0;
    int pr = csv_parse(csv, len, import_record, &im, &err_line);
    if (pr < 0) {
        static const char *const why[] = {"", "quote", "too_many_fields", "field_too_long", "memory", "utf8"};
        import_error(&im, err_line, "csv", why[-pr < 6 ? -pr : 0], NULL);
    }
    if (!im.header_done && pr >= 0) import_error(&im, 1, "csv", "empty", NULL);
    size_t nerr = json_array_size(im.errors);
    if (im.fatal == RC_OK && !dry_run && nerr == 0)
        r = audit_write(db, f, a, NULL, NULL, "import", "org", 0, "ok", json_pack("{s:i}", "created", im.valid));
    if (im.fatal != RC_OK) r = im.fatal;
    if (r == RC_OK && !dry_run && nerr == 0) r = db_commit(db, f);
    else db_rollback(db);
    for (int i = 0; i < im.ndone; i++) free(im.done[i].name);
    free(im.done);
    if (r != RC_OK) { json_decref(im.errors); return r; }
    if (!dry_run && nerr > 0) {
        fail_extra(f, "errors", im.errors);
        fail_extra(f, "rows", json_integer(im.rows));
        fail_extra(f, "valid", json_integer(im.valid));
        return rc_fail(f, RC_VALIDATION, "%zu errors in the CSV; nothing was imported", nerr);
    }
    json_t *rep = json_pack("{s:b, s:i, s:i, s:i, s:o}", "dry_run", dry_run, "rows", im.rows, "valid", im.valid,
                            "created", dry_run ? 0 : im.valid, "errors", im.errors);
    char *s = json_dumps(rep, JSON_COMPACT);
    json_decref(rep);
    if (!s) return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    buf_puts(out, s);
    free(s);
    return RC_OK;
}

Rc org_directory(Db *db, const char *kind, const char *q, int page, int page_size, Buf *out, Fail *f) {
    Buf fq = BUF_INIT;
    bool has_q = q && fts_query(q, &fq);
#define DIR_WHERE                                                                                  \
    " FROM orgs o LEFT JOIN orgs t ON t.id = o.town_id WHERE (?1 IS NULL OR o.kind = ?1)"            \
    " AND (?2 IS NULL OR o.id IN (SELECT rowid FROM (SELECT rowid FROM orgs_fts WHERE orgs_fts MATCH ?2 LIMIT 1001)))"
    Rc r = listq_run(db, f, out, page, page_size, "SELECT count(*) FROM (SELECT 1" DIR_WHERE " LIMIT 1001)",
                     "SELECT json_object('id', o.id, 'name', o.name, 'kind', o.kind, 'town_name', t.name)" DIR_WHERE
                     " ORDER BY o.kind, o.name, o.id LIMIT ?98 OFFSET ?99",
                     "tt", kind, q ? (has_q ? buf_str(&fq) : "\"\"") : NULL);
#undef DIR_WHERE
    buf_free(&fq);
    return r;
}
