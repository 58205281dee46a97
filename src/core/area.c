/*
 * area.c — see area.h.
 */
#include "core/area.h"

#include <string.h>

#include "core/audit.h"
#include "core/listq.h"
#include "core/org.h"
#include "store/scope.h"
#include "util/jsonh.h"

#define AREA_JSON                                                                                  \
    "json_object('id', a.id, 'name', a.name, 'code', a.code, 'committee_name', a.committee_name,"   \
    " 'convener', json(CASE WHEN cu.id IS NULL THEN NULL ELSE json_object('id', cu.id,"             \
    "   'display_name', cu.display_name) END),"                                                   \
    " 'secretary', json(CASE WHEN su.id IS NULL THEN NULL ELSE json_object('id', su.id,"           \
    "   'display_name', su.display_name) END),"                                                   \
    " 'description', a.description,"                                                             \
    " 'member_count', (SELECT count(*) FROM area_members m WHERE m.area_id = a.id),"                \
    " 'members_by_kind', (SELECT json_group_object(k, n) FROM (SELECT mo.kind AS k, count(*) AS n"  \
    "   FROM area_members m JOIN orgs mo ON mo.id = m.org_id WHERE m.area_id = a.id GROUP BY mo.kind)),"\
    " 'created_at', a.created_at, 'updated_at', a.updated_at, 'version', a.version)"
#define AREA_FROM " FROM areas a LEFT JOIN users cu ON cu.id = a.convener_id LEFT JOIN users su ON su.id = a.secretary_id"

Rc area_list(Db *db, const Actor *a, const char *q, int page, int page_size, Buf *out, Fail *f) {
#define AREA_WHERE AREA_FROM " WHERE " SCOPE_AREA("a") " AND (?4 IS NULL OR instr(a.name, ?4) > 0 OR instr(a.committee_name, ?4) > 0 OR a.code = ?4)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" AREA_WHERE,
                     "SELECT " AREA_JSON AREA_WHERE " ORDER BY a.code, a.id LIMIT ?98 OFFSET ?99",
                     SCOPE_FMT "t", SCOPE_ARGS(a), q);
#undef AREA_WHERE
}

Rc area_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    Rc r = listq_one(db, f, out, "SELECT " AREA_JSON AREA_FROM " WHERE " SCOPE_AREA("a") " AND a.id = ?",
                     SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "area %lld not found", (long long)id);
    return r;
}

Rc area_visible(Db *db, const Actor *a, int64_t id, Fail *f) {
    int64_t x;
    Rc r = db_int(db, f, &x, "SELECT a.id FROM areas a WHERE " SCOPE_AREA("a") " AND a.id = ?",
                  SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "area %lld not found", (long long)id);
    return r;
}

static const JField area_fields[] = {
    {"name", JF_STR, true, 1, 50, NULL, NULL, NULL},
    {"code", JF_STR, true, 1, 20, NULL, NULL, NULL},
    {"committee_name", JF_STR, true, 1, 100, NULL, NULL, NULL},
    {"convener_id", JF_ID, true, 0, 0, NULL, NULL, NULL},
    {"secretary_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"description", JF_TEXT, false, 0, 2000, NULL, NULL, NULL},
};

static void validate_area(Db *db, json_t *in, int64_t self, Fail *f) {
    jh_validate(in, area_fields, 6, f);
    int64_t x;
    const char *name = jh_str(in, "name"), *code = jh_str(in, "code");
    if (name && db_int(db, NULL, &x, "SELECT id FROM areas WHERE name = ? AND id <> ?", "ti", name, self) == RC_OK)
        fail_field(f, "name", "unique", NULL);
    if (code && db_int(db, NULL, &x, "SELECT id FROM areas WHERE code = ? AND id <> ?", "ti", code, self) == RC_OK)
        fail_field(f, "code", "unique", NULL);
    int64_t conv = jh_int(in, "convener_id"), sec = jh_int(in, "secretary_id");
    if (conv && db_int(db, NULL, &x, "SELECT id FROM users WHERE id = ? AND role = 'leader'", "i", conv) != RC_OK)
        fail_field(f, "convener_id", "reference", json_pack("{s:s}", "role", "leader"));
    if (sec && db_int(db, NULL, &x, "SELECT id FROM users WHERE id = ?", "i", sec) != RC_OK)
        fail_field(f, "secretary_id", "reference", NULL);
}

Rc area_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    validate_area(db, in, 0, f);
    Rc r = fail_fields(f);
    if (r != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "INSERT INTO areas(name, code, committee_name, convener_id, secretary_id, description)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
               "tttIIt", jh_str(in, "name"), jh_str(in, "code"), jh_str(in, "committee_name"),
               jh_int(in, "convener_id"), jh_int(in, "secretary_id"), jh_str(in, "description"));
    if (r == RC_OK) {
        *id = db_last_id(db);
        r = audit_write(db, f, a, NULL, NULL, "create", "area", *id, "ok", json_pack("{s:s?}", "name", jh_str(in, "name")));
    }
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc area_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    int64_t version;
    Rc r = db_int(db, f, &version, "SELECT a.version FROM areas a WHERE " SCOPE_AREA("a") " AND a.id = ?",
                  SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) return rc_fail(f, RC_NOT_FOUND, "area %lld not found", (long long)id);
    if (r != RC_OK) return r;
    if (if_version > 0 && if_version != version) {
        fail_extra(f, "current_version", json_integer(version));
        return rc_fail(f, RC_PRECONDITION, "the record is at version %lld; reload and retry", (long long)version);
    }
    validate_area(db, in, id, f);
    if ((r = fail_fields(f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "UPDATE areas SET name = ?, code = ?, committee_name = ?, convener_id = ?, secretary_id = ?,"
                      " description = ?, version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
                      " WHERE id = ?",
               "tttIIti", jh_str(in, "name"), jh_str(in, "code"), jh_str(in, "committee_name"),
               jh_int(in, "convener_id"), jh_int(in, "secretary_id"), jh_str(in, "description"), id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "area", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc area_delete(Db *db, const Actor *a, int64_t id, Fail *f) {
    Rc r = area_visible(db, a, id, f);
    if (r != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    static const struct {
        const char *type;
        const char *sql;
    } refs[] = {
        {"area_member", "SELECT count(*) FROM area_members WHERE area_id = ?"},
        {"agreement", "SELECT count(*) FROM agreements WHERE area_id = ?"},
        {"liaison", "SELECT count(*) FROM liaisons WHERE area_id = ?"},
        {"user", "SELECT count(*) FROM users WHERE area_id = ?"},
        {"dossier", "SELECT count(*) FROM dossiers WHERE area_id = ?"},
        {"meeting", "SELECT count(*) FROM meetings WHERE area_id = ?"},
        {"center", "SELECT count(*) FROM centers WHERE area_id = ?"},
        {"activity", "SELECT count(*) FROM activities WHERE area_id = ?"},
        {"resource", "SELECT count(*) FROM resource_areas WHERE area_id = ?"},
    };
    json_t *list = json_array();
    for (size_t i = 0; i < sizeof refs / sizeof refs[0] && r == RC_OK; i++) {
        int64_t n = 0;
        r = db_int(db, f, &n, refs[i].sql, "i", id);
        if (r == RC_OK && n > 0) json_array_append_new(list, json_pack("{s:s, s:I}", "type", refs[i].type, "count", (json_int_t)n));
    }
    if (r == RC_OK && json_array_size(list) > 0) {
        fail_extra(f, "references", list);
        list = NULL;
        r = rc_fail(f, RC_CONFLICT, "area %lld is still referenced", (long long)id);
    }
    json_decref(list);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM areas WHERE id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "delete", "area", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc area_members(Db *db, const Actor *a, int64_t id, const char *kind, int page, int page_size, Buf *out, Fail *f) {
    Rc r = area_visible(db, a, id, f);
    if (r != RC_OK) return r;
#define MEMBER_WHERE                                                                                \
    " FROM area_members m CROSS JOIN orgs o ON o.id = m.org_id LEFT JOIN orgs t ON t.id = o.town_id"       \
    " WHERE " SCOPE_ORG("o") " AND m.area_id = ?4 AND (?5 IS NULL OR o.kind = ?5)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" MEMBER_WHERE,
                     "SELECT json_object('org_id', o.id, 'name', o.name, 'kind', o.kind, 'town_name', t.name,"
                     " 'joined_on', m.joined_on, 'duty', m.duty)" MEMBER_WHERE
                     " ORDER BY o.kind, o.name LIMIT ?98 OFFSET ?99",
                     SCOPE_FMT "it", SCOPE_ARGS(a), id, kind);
#undef MEMBER_WHERE
}

/* Committee members may change only their own area; district-wide roles any. */
static Rc may_manage(const Actor *a, int64_t id, Fail *f) {
    if (strcmp(a->scope_lo, "/") == 0 || a->area_id == id) return RC_OK;
    return rc_fail(f, RC_FORBIDDEN, "only the area's own committee may change its members");
}

Rc area_member_add(Db *db, const Actor *a, int64_t id, json_t *in, Fail *f) {
    static const JField fields[] = {
        {"org_id", JF_ID, true, 0, 0, NULL, NULL, NULL},
        {"joined_on", JF_DATE, false, 0, 0, NULL, NULL, NULL},
        {"duty", JF_TEXT, false, 0, 500, NULL, NULL, NULL},
    };
    Rc r = area_visible(db, a, id, f);
    if (r == RC_OK) r = may_manage(a, id, f);
    if (r != RC_OK) return r;
    jh_validate(in, fields, 3, f);
    int64_t org = jh_int(in, "org_id");
    if (org) {
        /* Candidates are looked up district-wide (see area_candidates): a committee adds
         * organisations that are not yet in its scope. */
        char kind[16];
        Actor all = *a;
        scope_all(&all);
        Rc k = org_kind(db, &all, org, kind, f);
        if (k == RC_NOT_FOUND) {
            fail_field(f, "org_id", "reference", NULL);
        } else if (k != RC_OK) {
            return k;
        } else {
            bool ok = false;
            for (int i = 0; member_kinds[i]; i++) ok |= strcmp(kind, member_kinds[i]) == 0;
            if (!ok) fail_field(f, "org_id", "kind", json_pack("{s:[ssss]}", "allowed", "community", "park", "new_org", "resident_unit"));
            int64_t x;
            if (ok && db_int(db, NULL, &x, "SELECT 1 FROM area_members WHERE area_id = ? AND org_id = ?", "ii", id, org) == RC_OK)
                fail_field(f, "org_id", "unique", NULL);
        }
    }
    if ((r = fail_fields(f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "INSERT INTO area_members(area_id, org_id, joined_on, duty) VALUES (?, ?, ?, ?)", "iitt", id,
               org, jh_str(in, "joined_on"), jh_str(in, "duty"));
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "create", "area_member", id, "ok", json_pack("{s:I}", "org_id", (json_int_t)org));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc area_candidates(Db *db, const Actor *a, int64_t id, const char *kind, const char *q, int page, int page_size,
                   Buf *out, Fail *f) {
    Rc r = area_visible(db, a, id, f);
    if (r == RC_OK) r = may_manage(a, id, f);
    if (r != RC_OK) return r;
#define CAND_WHERE                                                                                  \
    " FROM orgs o LEFT JOIN orgs t ON t.id = o.town_id"                                              \
    " WHERE o.kind IN ('community', 'park', 'new_org', 'resident_unit') AND (?2 IS NULL OR o.kind = ?2)" \
    " AND (?3 IS NULL OR instr(o.name, ?3) > 0 OR instr(coalesce(o.short_name, ''), ?3) > 0)"          \
    " AND NOT EXISTS (SELECT 1 FROM area_members m WHERE m.area_id = ?1 AND m.org_id = o.id)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" CAND_WHERE,
                     "SELECT json_object('id', o.id, 'name', o.name, 'kind', o.kind, 'town_name', t.name)" CAND_WHERE
                     " ORDER BY o.kind, o.name LIMIT ?98 OFFSET ?99",
                     "itt", id, kind, q);
#undef CAND_WHERE
}

Rc area_member_remove(Db *db, const Actor *a, int64_t id, int64_t org_id, Fail *f) {
    Rc r = area_visible(db, a, id, f);
    if (r == RC_OK) r = may_manage(a, id, f);
    if (r != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "DELETE FROM area_members WHERE area_id = ? AND org_id = ?", "ii", id, org_id);
    if (r == RC_OK && db_changes(db) == 0) r = rc_fail(f, RC_NOT_FOUND, "organisation %lld is not a member", (long long)org_id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "delete", "area_member", id, "ok", json_pack("{s:I}", "org_id", (json_int_t)org_id));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}
