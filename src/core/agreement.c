/*
 * agreement.c — see agreement.h.
 */
#include "core/agreement.h"

#include <stdio.h>
#include <string.h>

#include "core/area.h"
#include "core/audit.h"
#include "core/listq.h"
#include "core/org.h"
#include "store/scope.h"
#include "util/jsonh.h"

#define AG_STATUS                                                                        \
    "CASE WHEN date('now', '+8 hours') < g.term_start THEN 'pending'"                     \
    " WHEN date('now', '+8 hours') > g.term_end THEN 'expired' ELSE 'active' END"
#define AG_JSON                                                                                    \
    "json_object('id', g.id, 'title', g.title, 'area_id', g.area_id, 'area_name', ar.name,"         \
    " 'signed_on', g.signed_on, 'term_start', g.term_start, 'term_end', g.term_end,"                \
    " 'content', g.content, 'status', " AG_STATUS ","                                               \
    " 'parties', (SELECT json_group_array(json_object('org_id', po.id, 'org_name', po.name,"        \
    "   'org_kind', po.kind, 'responsibilities', p.responsibilities)) FROM (SELECT * FROM"          \
    "   agreement_parties WHERE agreement_id = g.id ORDER BY seq) p JOIN orgs po ON po.id = p.org_id),"\
    " 'created_at', g.created_at, 'updated_at', g.updated_at, 'version', g.version)"
#define AG_FROM " FROM agreements g LEFT JOIN areas ar ON ar.id = g.area_id"

Rc agreement_list(Db *db, const Actor *a, const AgreementFilter *flt, int page, int page_size, Buf *out, Fail *f) {
#define AG_WHERE                                                                                   \
    AG_FROM " WHERE " AG_SCOPE " AND (?4 IS NULL OR g.area_id = ?4)"                                 \
    " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM agreement_parties x WHERE x.agreement_id = g.id AND x.org_id = ?5))" \
    " AND (?6 IS NULL OR " AG_STATUS " = ?6) AND (?7 IS NULL OR instr(g.title, ?7) > 0)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" AG_WHERE,
                     "SELECT " AG_JSON AG_WHERE " ORDER BY g.signed_on DESC, g.id DESC LIMIT ?98 OFFSET ?99",
                     SCOPE_FMT "NNtt", SCOPE_ARGS(a), flt->area_id, flt->org_id, flt->status, flt->q);
#undef AG_WHERE
}

Rc agreement_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    Rc r = listq_one(db, f, out, "SELECT " AG_JSON AG_FROM " WHERE " AG_SCOPE " AND g.id = ?",
                     SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "agreement %lld not found", (long long)id);
    return r;
}

static const JField ag_fields[] = {
    {"title", JF_STR, true, 1, 200, NULL, NULL, NULL},
    {"area_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"signed_on", JF_DATE, true, 0, 0, NULL, NULL, NULL},
    {"term_start", JF_DATE, true, 0, 0, NULL, NULL, NULL},
    {"term_end", JF_DATE, true, 0, 0, NULL, NULL, NULL},
    {"content", JF_TEXT, false, 0, 10000, NULL, NULL, NULL},
    {"parties", JF_ARRAY, true, 2, 50, NULL, NULL, NULL},
};

static void validate_agreement(Db *db, const Actor *a, json_t *in, Fail *f) {
    jh_validate(in, ag_fields, 7, f);
    const char *ts = jh_str(in, "term_start"), *te = jh_str(in, "term_end");
    if (ts && te && strlen(ts) == 10 && strlen(te) == 10 && strcmp(te, ts) < 0)
        fail_field(f, "term_end", "date_order", json_pack("{s:s}", "after", "term_start"));
    int64_t area = jh_int(in, "area_id");
    if (area) {
        Fail g = {0};
        if (area_visible(db, a, area, &g) != RC_OK) fail_field(f, "area_id", "reference", NULL);
        else if (strcmp(a->scope_lo, "/") != 0 && a->area_id != area) fail_field(f, "area_id", "forbidden", NULL);
        fail_clear(&g);
    } else if (strcmp(a->scope_lo, "/") != 0) {
        fail_field(f, "area_id", "required", NULL);
    }
    json_t *parties = json_object_get(in, "parties");
    if (!json_is_array(parties)) return;
    size_t i;
    json_t *p;
    json_array_foreach(parties, i, p) {
        char field[48];
        if (!json_is_object(p)) {
            snprintf(field, sizeof field, "parties[%zu]", i);
            fail_field(f, field, "type", json_pack("{s:s}", "expected", "object"));
            continue;
        }
        snprintf(field, sizeof field, "parties[%zu].org_id", i);
        json_t *oid = json_object_get(p, "org_id");
        if (!json_is_integer(oid) || json_integer_value(oid) <= 0) {
            fail_field(f, field, oid ? "type" : "required", NULL);
        } else {
            char kind[16];
            if (org_kind(db, a, json_integer_value(oid), kind, f) != RC_OK) fail_field(f, field, "reference", NULL);
            for (size_t k = 0; k < i; k++)
                if (json_equal(json_object_get(json_array_get(parties, k), "org_id"), oid)) {
                    fail_field(f, field, "unique", NULL);
                    break;
                }
        }
        snprintf(field, sizeof field, "parties[%zu].responsibilities", i);
        JField rf = {field, JF_TEXT, true, 1, 2000, NULL, NULL, NULL};
        json_t *wrap = json_pack("{s:O?}", field, json_object_get(p, "responsibilities"));
        jh_validate(wrap, &rf, 1, f);
        json_decref(wrap);
    }
}

static Rc write_parties(Db *db, int64_t id, json_t *in, Fail *f) {
    Rc r = db_run(db, f, "DELETE FROM agreement_parties WHERE agreement_id = ?", "i", id);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(in, "parties"), i, p) {
        if (r != RC_OK) break;
        r = db_run(db, f, "INSERT INTO agreement_parties(agreement_id, org_id, responsibilities, seq) VALUES (?, ?, ?, ?)",
                   "iiti", id, jh_int(p, "org_id"), jh_str(p, "responsibilities"), (int64_t)i);
    }
    return r;
}

Rc agreement_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    validate_agreement(db, a, in, f);
    Rc r = fail_fields(f);
    if (r != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "INSERT INTO agreements(title, area_id, signed_on, term_start, term_end, content)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
               "tItttt", jh_str(in, "title"), jh_int(in, "area_id"), jh_str(in, "signed_on"),
               jh_str(in, "term_start"), jh_str(in, "term_end"), jh_str(in, "content"));
    if (r == RC_OK) {
        *id = db_last_id(db);
        r = write_parties(db, *id, in, f);
    }
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "create", "agreement", *id, "ok", json_pack("{s:s?}", "title", jh_str(in, "title")));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

static Rc load_version(Db *db, const Actor *a, int64_t id, int64_t *version, Fail *f) {
    Rc r = db_int(db, f, version, "SELECT g.version FROM agreements g WHERE " AG_SCOPE " AND g.id = ?",
                  SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "agreement %lld not found", (long long)id);
    return r;
}

/* Committee members change only agreements of their own area. */
static Rc may_write(Db *db, const Actor *a, int64_t id, Fail *f) {
    if (strcmp(a->scope_lo, "/") == 0) return RC_OK;
    int64_t area = 0;
    db_int(db, NULL, &area, "SELECT coalesce(area_id, 0) FROM agreements WHERE id = ?", "i", id);
    if (area && area == a->area_id) return RC_OK;
    return rc_fail(f, RC_FORBIDDEN, "only the area's own committee may change this agreement");
}

Rc agreement_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    int64_t version;
    Rc r = load_version(db, a, id, &version, f);
    if (r == RC_OK) r = may_write(db, a, id, f);
    if (r != RC_OK) return r;
    if (if_version > 0 && if_version != version) {
        fail_extra(f, "current_version", json_integer(version));
        return rc_fail(f, RC_PRECONDITION, "the record is at version %lld; reload and retry", (long long)version);
    }
    validate_agreement(db, a, in, f);
    if ((r = fail_fields(f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "UPDATE agreements SET title = ?, area_id = ?, signed_on = ?, term_start = ?, term_end = ?,"
                      " content = ?, version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
               "tItttti", jh_str(in, "title"), jh_int(in, "area_id"), jh_str(in, "signed_on"),
               jh_str(in, "term_start"), jh_str(in, "term_end"), jh_str(in, "content"), id);
    if (r == RC_OK) r = write_parties(db, id, in, f);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "agreement", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc agreement_delete(Db *db, const Actor *a, int64_t id, Fail *f) {
    int64_t version;
    Rc r = load_version(db, a, id, &version, f);
    if (r == RC_OK) r = may_write(db, a, id, f);
    if (r != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "DELETE FROM agreements WHERE id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "delete", "agreement", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}
