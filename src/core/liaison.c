/*
 * liaison.c — see liaison.h. Each kind names which ends it links; ids that a kind does not use
 * are stored as NULL.
 */
#include "core/liaison.h"

#include <stdio.h>
#include <string.h>

#include "core/area.h"
#include "core/audit.h"
#include "core/listq.h"
#include "core/org.h"
#include "store/scope.h"
#include "util/jsonh.h"

const char *const liaison_kinds[] = {"leader_area", "department_area", "department_point", "cadre_village",
                                     "cadre_enterprise", NULL};

/* What each kind links: the user's role (or NULL: no user), whether a department, an area and a
 * target organisation (of target_kind, or any when NULL) take part. */
static const struct {
    const char *kind;
    const char *user_role;
    bool department, area, target;
    const char *target_kind;
} kind_rules[] = {
    {"leader_area", "leader", false, true, false, NULL},
    {"department_area", NULL, true, true, false, NULL},
    {"department_point", NULL, true, false, true, NULL},
    {"cadre_village", "town", false, false, true, "community"},
    {"cadre_enterprise", "town", false, false, true, "enterprise"},
};

#define LI_JSON                                                                                   \
    "json_object('id', l.id, 'kind', l.kind,"                                                      \
    " 'user', json(CASE WHEN u.id IS NULL THEN NULL ELSE json_object('id', u.id, 'display_name', u.display_name) END)," \
    " 'department', json(CASE WHEN d.id IS NULL THEN NULL ELSE json_object('id', d.id, 'name', d.name) END)," \
    " 'area', json(CASE WHEN ar.id IS NULL THEN NULL ELSE json_object('id', ar.id, 'name', ar.name) END)," \
    " 'target', json(CASE WHEN tg.id IS NULL THEN NULL ELSE json_object('id', tg.id, 'name', tg.name, 'kind', tg.kind) END)," \
    " 'start_on', l.start_on, 'end_on', l.end_on, 'note', l.note, 'created_at', l.created_at,"    \
    " 'updated_at', l.updated_at, 'version', l.version)"
#define LI_FROM                                                                                    \
    " FROM liaisons l LEFT JOIN users u ON u.id = l.user_id LEFT JOIN orgs d ON d.id = l.department_id" \
    " LEFT JOIN areas ar ON ar.id = l.area_id LEFT JOIN orgs tg ON tg.id = l.target_org_id"

Rc liaison_list(Db *db, const Actor *a, const LiaisonFilter *flt, int page, int page_size, Buf *out, Fail *f) {
#define LI_WHERE                                                                                   \
    LI_FROM " WHERE " LI_SCOPE " AND (?4 IS NULL OR l.kind = ?4) AND (?5 IS NULL OR l.user_id = ?5)"  \
    " AND (?6 IS NULL OR l.area_id = ?6) AND (?7 IS NULL OR l.department_id = ?7 OR l.target_org_id = ?7)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" LI_WHERE,
                     "SELECT " LI_JSON LI_WHERE " ORDER BY l.kind, l.id LIMIT ?98 OFFSET ?99",
                     SCOPE_FMT "tNNN", SCOPE_ARGS(a), flt->kind, flt->user_id, flt->area_id, flt->org_id);
#undef LI_WHERE
}

Rc liaison_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    Rc r = listq_one(db, f, out, "SELECT " LI_JSON LI_FROM " WHERE " LI_SCOPE " AND l.id = ?",
                     SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "liaison %lld not found", (long long)id);
    return r;
}

static const JField li_fields[] = {
    {"kind", JF_STR, true, 0, 0, liaison_kinds, NULL, NULL},
    {"user_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"department_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"area_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"target_org_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"start_on", JF_DATE, true, 0, 0, NULL, NULL, NULL},
    {"end_on", JF_DATE, false, 0, 0, NULL, NULL, NULL},
    {"note", JF_TEXT, false, 0, 1000, NULL, NULL, NULL},
};

/* The ids a valid liaison stores (0 where its kind does not use one). */
typedef struct LiaisonIds {
    int64_t user, department, area, target;
} LiaisonIds;

static void validate_liaison(Db *db, const Actor *a, json_t *in, LiaisonIds *ids, Fail *f) {
    memset(ids, 0, sizeof *ids);
    jh_validate(in, li_fields, 8, f);
    const char *s = jh_str(in, "start_on"), *e = jh_str(in, "end_on");
    if (s && e && strlen(s) == 10 && strlen(e) == 10 && strcmp(e, s) < 0)
        fail_field(f, "end_on", "date_order", json_pack("{s:s}", "after", "start_on"));
    const char *kind = jh_str(in, "kind");
    if (!kind) return;
    for (size_t i = 0; i < sizeof kind_rules / sizeof kind_rules[0]; i++) {
        if (strcmp(kind_rules[i].kind, kind) != 0) continue;
        char k[16];
        if (kind_rules[i].user_role) {
            ids->user = jh_int(in, "user_id");
            int64_t x;
            if (!ids->user) fail_field(f, "user_id", "required", NULL);
            else if (db_int(db, NULL, &x, "SELECT u.id FROM users u JOIN orgs o ON o.id = u.org_id WHERE "
                            SCOPE_ORG("o") " AND u.id = ? AND u.role = ?", SCOPE_FMT "it", SCOPE_ARGS(a), ids->user,
                            kind_rules[i].user_role) != RC_OK)
                fail_field(f, "user_id", "reference", json_pack("{s:s}", "role", kind_rules[i].user_role));
        }
        if (kind_rules[i].department) {
            ids->department = jh_int(in, "department_id");
            if (!ids->department) fail_field(f, "department_id", "required", NULL);
            else if (org_kind(db, a, ids->department, k, f) != RC_OK) fail_field(f, "department_id", "reference", NULL);
            else if (strcmp(k, "department") != 0) fail_field(f, "department_id", "kind", json_pack("{s:[s]}", "allowed", "department"));
        }
        if (kind_rules[i].area) {
            ids->area = jh_int(in, "area_id");
            Fail g = {0};
            if (!ids->area) fail_field(f, "area_id", "required", NULL);
            else if (area_visible(db, a, ids->area, &g) != RC_OK) fail_field(f, "area_id", "reference", NULL);
            fail_clear(&g);
        }
        if (kind_rules[i].target) {
            ids->target = jh_int(in, "target_org_id");
            if (!ids->target) fail_field(f, "target_org_id", "required", NULL);
            else if (org_kind(db, a, ids->target, k, f) != RC_OK) fail_field(f, "target_org_id", "reference", NULL);
            else if (kind_rules[i].target_kind && strcmp(k, kind_rules[i].target_kind) != 0)
                fail_field(f, "target_org_id", "kind", json_pack("{s:[s]}", "allowed", kind_rules[i].target_kind));
        }
    }
    /* Town cadres record only their own cadre assignments. */
    if (!(strcmp(a->scope_lo, "/") == 0) && strncmp(kind, "cadre_", 6) != 0)
        fail_field(f, "kind", "forbidden", NULL);
}

Rc liaison_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    LiaisonIds ids;
    validate_liaison(db, a, in, &ids, f);
    Rc r = fail_fields(f);
    if (r != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "INSERT INTO liaisons(kind, user_id, department_id, area_id, target_org_id, start_on, end_on, note)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               "tIIIIttt", jh_str(in, "kind"), ids.user, ids.department, ids.area, ids.target, jh_str(in, "start_on"),
               jh_str(in, "end_on"), jh_str(in, "note"));
    if (r == RC_OK) {
        *id = db_last_id(db);
        r = audit_write(db, f, a, NULL, NULL, "create", "liaison", *id, "ok", json_pack("{s:s?}", "kind", jh_str(in, "kind")));
    }
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

static Rc load_version(Db *db, const Actor *a, int64_t id, int64_t *version, char kind[24], Fail *f) {
    sqlite3_stmt *st = db_q(db, f, "SELECT l.version, l.kind FROM liaisons l LEFT JOIN users u ON u.id = l.user_id WHERE "
                            LI_SCOPE " AND l.id = ?", SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        snprintf(kind, 24, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    db_done(st);
    if (rc == SQLITE_ROW) return RC_OK;
    if (rc == SQLITE_DONE) return rc_fail(f, RC_NOT_FOUND, "liaison %lld not found", (long long)id);
    return db_fail(db, f, rc, __FILE__, __LINE__);
}

Rc liaison_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    int64_t version;
    char kind[24];
    Rc r = load_version(db, a, id, &version, kind, f);
    if (r != RC_OK) return r;
    if (strcmp(a->scope_lo, "/") != 0 && strncmp(kind, "cadre_", 6) != 0)
        return rc_fail(f, RC_FORBIDDEN, "only district-wide roles change this kind of liaison");
    if (if_version > 0 && if_version != version) {
        fail_extra(f, "current_version", json_integer(version));
        return rc_fail(f, RC_PRECONDITION, "the record is at version %lld; reload and retry", (long long)version);
    }
    LiaisonIds ids;
    validate_liaison(db, a, in, &ids, f);
    if ((r = fail_fields(f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "UPDATE liaisons SET kind = ?, user_id = ?, department_id = ?, area_id = ?, target_org_id = ?,"
                      " start_on = ?, end_on = ?, note = ?, version = version + 1,"
                      " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
               "tIIIItttI", jh_str(in, "kind"), ids.user, ids.department, ids.area, ids.target, jh_str(in, "start_on"),
               jh_str(in, "end_on"), jh_str(in, "note"), id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "liaison", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc liaison_delete(Db *db, const Actor *a, int64_t id, Fail *f) {
    int64_t version;
    char kind[24];
    Rc r = load_version(db, a, id, &version, kind, f);
    if (r != RC_OK) return r;
    if (strcmp(a->scope_lo, "/") != 0 && strncmp(kind, "cadre_", 6) != 0)
        return rc_fail(f, RC_FORBIDDEN, "only district-wide roles change this kind of liaison");
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "DELETE FROM liaisons WHERE id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "delete", "liaison", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}
