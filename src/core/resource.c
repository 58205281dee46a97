/*
 * resource.c — see resource.h.
 */
#include "core/resource.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/dossier.h"
#include "core/listq.h"
#include "core/match.h"
#include "store/scope.h"
#include "util/crypto.h"
#include "util/jsonh.h"
#include "util/timeutil.h"
#include "util/validate.h"

/* Capacity taken from resource r by projects. */
#define RES_USED "coalesce((SELECT sum(u.quantity) FROM resource_uses u WHERE u.resource_id = r.id), 0)"
#define RES_VALID(today) "(r.valid_from <= " today " AND (r.valid_to IS NULL OR r.valid_to >= " today "))"
#define RES_JSON                                                                                       \
    "json_object('id', r.id, 'provider_org_id', r.provider_org_id, 'provider_org_name', po.name,"       \
    " 'provider_org_kind', po.kind, 'category', r.category, 'category_label', c.label_zh,"              \
    " 'category_label_en', c.label_en, 'title', r.title, 'description', r.description,"                 \
    " 'capacity', r.capacity, 'unit', r.unit, 'used', " RES_USED ", 'left', r.capacity - " RES_USED ","  \
    " 'valid_from', r.valid_from, 'valid_to', r.valid_to, 'valid', json(CASE WHEN " RES_VALID("date('now', '+8 hours')") " THEN 'true' ELSE 'false' END)," \
    " 'all_areas', json(CASE r.all_areas WHEN 1 THEN 'true' ELSE 'false' END), 'areas', (SELECT coalesce(json_group_array(json_object('id', ra.area_id,"     \
    " 'name', ar.name)), json('[]')) FROM resource_areas ra JOIN areas ar ON ar.id = ra.area_id WHERE"   \
    " ra.resource_id = r.id), 'contact_name', r.contact_name, 'contact_phone', phone_masked(r.contact_phone)," \
    " 'created_at', r.created_at, 'updated_at', r.updated_at, 'version', r.version)"
#define RES_FROM                                                                                       \
    " FROM resources r JOIN orgs po ON po.id = r.provider_org_id LEFT JOIN categories c ON"             \
    " c.domain = 'service' AND c.code = r.category"

Rc resource_list(Db *db, const Actor *a, const ResourceFilter *flt, int page, int page_size, Buf *out, Fail *f) {
#define RES_WHERE                                                                                      \
    RES_FROM " WHERE (?1 IS NULL OR r.category = ?1) AND (?2 IS NULL OR r.provider_org_id = ?2)"        \
    " AND (?3 IS NULL OR r.all_areas = 1 OR EXISTS (SELECT 1 FROM resource_areas x WHERE x.resource_id = r.id AND x.area_id = ?3))" \
    " AND (?4 IS NULL OR instr(r.title, ?4) > 0 OR instr(r.description, ?4) > 0)"                      \
    " AND (?5 = 0 OR (" RES_VALID("date('now', '+8 hours')") " AND r.capacity > " RES_USED "))"
    (void)a; /* the catalogue is district-wide */
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" RES_WHERE,
                     "SELECT " RES_JSON RES_WHERE " ORDER BY r.id DESC LIMIT ?98 OFFSET ?99", "tNNti", flt->category,
                     flt->provider_org_id, flt->area_id, flt->q && *flt->q ? flt->q : NULL, (int64_t)flt->available);
#undef RES_WHERE
}

Rc resource_get(Db *db, const Actor *actor, int64_t id, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    /* The projects taking it, those the actor may see. */
    Rc r = listq_one(db, f, out,
                     "SELECT json_set(" RES_JSON ", '$.projects', (SELECT coalesce(json_group_array(json_object('id', d.id,"
                     " 'title', d.title, 'state', d.state, 'quantity', u.quantity)), json('[]')) FROM resource_uses u"
                     " JOIN dossiers d ON d.id = u.dossier_id WHERE u.resource_id = r.id AND " DOSSIER_SCOPE("d") "))"
                     RES_FROM " WHERE r.id = ?5",
                     SCOPE_FMT "ii", SCOPE_ARGS(a), a->user_id, id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "resource %lld not found", (long long)id);
    return r;
}

static const JField res_fields[] = {
    {"provider_org_id", JF_ID, true, 0, 0, NULL, NULL, NULL},
    {"category", JF_STR, true, 1, 32, NULL, NULL, NULL},
    {"title", JF_STR, true, 1, 200, NULL, NULL, NULL},
    {"description", JF_TEXT, false, 0, 5000, NULL, NULL, NULL},
    {"capacity", JF_INT, true, 1, 1000000000, NULL, NULL, NULL},
    {"unit", JF_STR, true, 1, 20, NULL, NULL, NULL},
    {"valid_from", JF_DATE, true, 0, 0, NULL, NULL, NULL},
    {"valid_to", JF_DATE, false, 0, 0, NULL, NULL, NULL},
    {"all_areas", JF_BOOL, false, 0, 0, NULL, NULL, NULL},
    {"area_ids", JF_ARRAY, false, 0, 50, NULL, NULL, NULL},
    {"contact_name", JF_STR, false, 0, 50, NULL, NULL, NULL},
    {"contact_phone", JF_STR, false, 0, 20, NULL, val_mobile, "mobile"},
};

/* The actor who writes resources: departments and inspectors only for their own organisation. */
static void validate_resource(Db *db, const Actor *a, int64_t id, json_t *in, Fail *f) {
    /* A capacity below what projects already take is refused. */
    json_t *cap = json_object_get(in, "capacity");
    if (json_is_integer(cap) && json_integer_value(cap) < 0) fail_field(f, "capacity", "range", json_pack("{s:i}", "min", 1));
    else jh_validate(in, res_fields, (int)(sizeof res_fields / sizeof res_fields[0]), f);
    const char *vf = jh_str(in, "valid_from"), *vt = jh_str(in, "valid_to");
    if (vf && vt && val_date(vf) && val_date(vt) && strcmp(vt, vf) < 0)
        fail_field(f, "valid_to", "date_order", json_pack("{s:s}", "after", "valid_from"));
    int64_t x = 0;
    Fail g = {0};
    const char *cat = jh_str(in, "category");
    if (cat && db_int(db, &g, &x, "SELECT 1 FROM categories WHERE domain = 'service' AND code = ? AND active = 1", "t", cat) != RC_OK)
        fail_field(f, "category", "category", json_pack("{s:s}", "domain", "service"));
    fail_clear(&g);
    int64_t org = jh_int(in, "provider_org_id");
    if (org > 0 && db_int(db, &g, &x, "SELECT o.id FROM orgs o WHERE " SCOPE_ORG("o") " AND o.id = ?", SCOPE_FMT "i",
                          SCOPE_ARGS(a), org) != RC_OK)
        fail_field(f, "provider_org_id", "reference", NULL);
    fail_clear(&g);
    json_t *areas = json_object_get(in, "area_ids");
    size_t i;
    json_t *v;
    json_array_foreach(areas, i, v) {
        char name[32];
        snprintf(name, sizeof name, "area_ids[%zu]", i);
        if (!json_is_integer(v) || db_int(db, &g, &x, "SELECT id FROM areas WHERE id = ?", "i", (int64_t)json_integer_value(v)) != RC_OK)
            fail_field(f, name, "reference", NULL);
        fail_clear(&g);
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_array_get(areas, k), v)) fail_field(f, name, "unique", NULL);
    }
    if (!jh_bool(in, "all_areas", false) && json_array_size(areas) == 0)
        fail_field(f, "area_ids", "required", json_pack("{s:s}", "or", "all_areas"));
    if (id > 0 && json_is_integer(cap)) {
        int64_t used = 0;
        db_int(db, &g, &used, "SELECT coalesce(sum(quantity), 0) FROM resource_uses WHERE resource_id = ?", "i", id);
        fail_clear(&g);
        if (json_integer_value(cap) < used) fail_field(f, "capacity", "below_used", json_pack("{s:I}", "used", (json_int_t)used));
    }
}

static Rc write_areas(Db *db, int64_t id, json_t *in, Fail *f) {
    Rc r = db_run(db, f, "DELETE FROM resource_areas WHERE resource_id = ?", "i", id);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(in, "area_ids"), i, v)
        if (r == RC_OK) r = db_run(db, f, "INSERT INTO resource_areas(resource_id, area_id) VALUES (?, ?)", "ii", id, (int64_t)json_integer_value(v));
    return r;
}

static Rc seal_phone(const char *phone, uint8_t *sealed, int *n, Fail *f) {
    *n = 0;
    if (!phone || !*phone) return RC_OK;
    if (!crypto_seal(phone, strlen(phone), sealed)) return rc_fail(f, RC_INTERNAL, "no field key loaded");
    *n = (int)(strlen(phone) + CRYPTO_SEAL_OVERHEAD);
    return RC_OK;
}

Rc resource_create(Db *db, const Actor *actor, json_t *in, int64_t *id, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    validate_resource(db, a, 0, in, f);
    Rc r = fail_fields(f);
    if (r != RC_OK) return r;
    uint8_t sealed[64 + CRYPTO_SEAL_OVERHEAD];
    int sn = 0;
    if ((r = seal_phone(jh_str(in, "contact_phone"), sealed, &sn, f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f,
               "INSERT INTO resources(provider_org_id, category, title, description, capacity, unit, valid_from, valid_to,"
               " all_areas, contact_name, contact_phone, created_by) VALUES (?, ?, ?, coalesce(?, ''), ?, ?, ?, ?, ?, ?, ?, ?)",
               "itttitttitbi", jh_int(in, "provider_org_id"), jh_str(in, "category"), jh_str(in, "title"),
               jh_str(in, "description"), jh_int(in, "capacity"), jh_str(in, "unit"), jh_str(in, "valid_from"),
               jh_str(in, "valid_to"), (int64_t)jh_bool(in, "all_areas", false), jh_str(in, "contact_name"),
               sn ? (const void *)sealed : NULL, sn, a->user_id);
    if (r == RC_OK) {
        *id = db_last_id(db);
        r = write_areas(db, *id, in, f);
    }
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "create", "resource", *id, "ok", json_pack("{s:s?}", "title", jh_str(in, "title")));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

/* The resource exists and its provider is in the writer's scope (else 404 or 403). */
static Rc may_write(Db *db, const Actor *a, int64_t id, int64_t *version, Fail *f) {
    int64_t x = 0;
    Rc r = db_int(db, f, version, "SELECT version FROM resources WHERE id = ?", "i", id);
    if (r == RC_NOT_FOUND) return rc_fail(f, RC_NOT_FOUND, "resource %lld not found", (long long)id);
    if (r != RC_OK) return r;
    Fail g = {0};
    r = db_int(db, &g, &x, "SELECT 1 FROM resources r JOIN orgs o ON o.id = r.provider_org_id WHERE " SCOPE_ORG("o") " AND r.id = ?",
               SCOPE_FMT "i", SCOPE_ARGS(a), id);
    fail_clear(&g);
    if (r != RC_OK) return rc_fail(f, RC_FORBIDDEN, "only the providing organisation may change this resource");
    return RC_OK;
}

Rc resource_update(Db *db, const Actor *actor, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    int64_t version = 0;
    Rc r = may_write(db, a, id, &version, f);
    if (r != RC_OK) return r;
    if (if_version > 0 && if_version != version) {
        fail_extra(f, "current_version", json_integer(version));
        return rc_fail(f, RC_PRECONDITION, "the record is at version %lld; reload and retry", (long long)version);
    }
    validate_resource(db, a, id, in, f);
    if ((r = fail_fields(f)) != RC_OK) return r;
    uint8_t sealed[64 + CRYPTO_SEAL_OVERHEAD];
    int sn = 0;
    if ((r = seal_phone(jh_str(in, "contact_phone"), sealed, &sn, f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f,
               "UPDATE resources SET provider_org_id = ?, category = ?, title = ?, description = coalesce(?, ''), capacity = ?,"
               " unit = ?, valid_from = ?, valid_to = ?, all_areas = ?, contact_name = ?, version = version + 1,"
               " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
               "itttitttiti", jh_int(in, "provider_org_id"), jh_str(in, "category"), jh_str(in, "title"), jh_str(in, "description"),
               jh_int(in, "capacity"), jh_str(in, "unit"), jh_str(in, "valid_from"), jh_str(in, "valid_to"),
               (int64_t)jh_bool(in, "all_areas", false), jh_str(in, "contact_name"), id);
    /* The phone changes only when sent (forms show it masked and omit it). */
    if (r == RC_OK && jh_has(in, "contact_phone"))
        r = db_run(db, f, "UPDATE resources SET contact_phone = ? WHERE id = ?", "bi", sn ? (const void *)sealed : NULL, sn, id);
    if (r == RC_OK) r = write_areas(db, id, in, f);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "resource", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc resource_delete(Db *db, const Actor *actor, int64_t id, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    int64_t version = 0, uses = 0;
    Rc r = may_write(db, a, id, &version, f);
    if (r != RC_OK) return r;
    db_int(db, NULL, &uses, "SELECT count(*) FROM resource_uses WHERE resource_id = ?", "i", id);
    if (uses > 0) {
        fail_extra(f, "projects", json_integer(uses));
        return rc_fail(f, RC_CONFLICT, "%lld project(s) take capacity from this resource", (long long)uses);
    }
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "DELETE FROM resources WHERE id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "delete", "resource", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc resource_phone(Db *db, const Actor *a, int64_t id, char out[64], Fail *f) {
    sqlite3_stmt *st = db_q(db, f, "SELECT contact_phone FROM resources WHERE id = ?", "i", id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    out[0] = 0;
    bool have = false, ok = true;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
        int n = sqlite3_column_bytes(st, 0);
        have = true;
        ok = n > CRYPTO_SEAL_OVERHEAD && n - CRYPTO_SEAL_OVERHEAD < 64 && crypto_open(sqlite3_column_blob(st, 0), (size_t)n, out);
    }
    db_done(st);
    if (rc == SQLITE_DONE) return rc_fail(f, RC_NOT_FOUND, "resource %lld not found", (long long)id);
    if (rc != SQLITE_ROW) return db_fail(db, f, rc, __FILE__, __LINE__);
    if (!ok) return rc_fail(f, RC_INTERNAL, "the phone number cannot be decrypted with this key");
    return audit_write(db, f, a, NULL, NULL, "pii_read", "resource", id, "ok", json_pack("{s:s, s:b}", "field", "contact_phone", "present", have));
}

/* ---- matching ------------------------------------------------------------------------------- */

typedef struct Cand {
    int64_t id;
    json_t *row;     /* the other side as JSON (owned) */
    MatchScore s;
    MatchText text;
} Cand;

static int cmp_cand(const void *x, const void *y) {
    const Cand *a = x, *b = y;
    if (a->s.total != b->s.total) return b->s.total - a->s.total;
    return a->id < b->id ? -1 : a->id > b->id;
}

static json_t *reasons_json(const MatchScore *s) {
    json_t *r = json_array();
    if (s->category) json_array_append_new(r, json_pack("{s:s, s:i}", "code", "category", "points", s->category));
    if (s->area) json_array_append_new(r, json_pack("{s:s, s:i}", "code", "area", "points", s->area));
    if (s->capacity) json_array_append_new(r, json_pack("{s:s, s:i}", "code", "capacity", "points", s->capacity));
    if (s->text) {
        json_t *terms = json_array();
        for (int i = 0; i < s->shared && i < MATCH_MAX_SHARED; i++) json_array_append_new(terms, json_string(s->shared_terms[i]));
        json_array_append_new(r, json_pack("{s:s, s:i, s:o, s:i}", "code", "text", "points", s->text, "terms", terms, "shared", s->shared));
    }
    return r;
}

/* Ranks cands (scored) and writes {"<key>": head, "items": [...]} with at most limit eligible. */
static Rc emit_ranked(Cand *c, size_t n, int limit, const char *key, json_t *head, Buf *out, Fail *f) {
    if (n > 1) qsort(c, n, sizeof *c, cmp_cand);
    json_t *items = json_array();
    for (size_t i = 0; i < n && (int)json_array_size(items) < limit; i++) {
        if (!c[i].s.eligible) continue;
        json_t *it = json_deep_copy(c[i].row);
        json_object_set_new(it, "score", json_integer(c[i].s.total));
        json_object_set_new(it, "reasons", reasons_json(&c[i].s));
        json_array_append_new(items, it);
    }
    json_t *ans = json_pack("{s:o, s:o}", key, head, "items", items);
    char *s = json_dumps(ans, JSON_COMPACT);
    json_decref(ans);
    if (!s) return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    buf_puts(out, s);
    free(s);
    return buf_oom(out) ? rc_fail(f, RC_UNAVAILABLE, "out of memory") : RC_OK;
}

static void free_cands(Cand *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        json_decref(c[i].row);
        match_text_free(&c[i].text);
    }
    free(c);
}

static json_t *row_json(sqlite3_stmt *st, int col) {
    json_t *j = json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);
    return j ? j : json_object();
}

/* A new candidate from the row st is on: id (column 0), JSON (1), text (2). NULL when out of memory. */
static Cand *next_cand(Cand **c, size_t *n, size_t *cap, sqlite3_stmt *st) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        Cand *g = realloc(*c, nc * sizeof *g);
        if (!g) return NULL;
        *c = g;
        *cap = nc;
    }
    Cand *x = &(*c)[(*n)++];
    memset(x, 0, sizeof *x);
    x->id = sqlite3_column_int64(st, 0);
    x->row = row_json(st, 1);
    match_text((const char *)sqlite3_column_text(st, 2), &x->text);
    return x;
}

Rc resource_matches(Db *db, const Actor *actor, int64_t need_id, int limit, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT json_object('id', d.id, 'title', d.title, 'state', d.state, 'area_id', d.area_id,"
                            " 'category', json_extract(d.fields, '$.category')), d.title || ' ' ||"
                            " coalesce(json_extract(d.fields, '$.body'), ''), coalesce(json_extract(d.fields, '$.category'), ''),"
                            " coalesce(d.area_id, 0), d.type FROM dossiers d WHERE " DOSSIER_SCOPE("d") " AND d.id = ?5",
                            SCOPE_FMT "ii", SCOPE_ARGS(a), a->user_id, need_id);
    if (!st) return f->rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_done(st);
        return rc_fail(f, RC_NOT_FOUND, "dossier %lld not found", (long long)need_id);
    }
    if (strcmp((const char *)sqlite3_column_text(st, 4), "need") != 0) {
        db_done(st);
        return rc_fail(f, RC_CONFLICT, "dossier %lld is not a need: resources are matched to needs", (long long)need_id);
    }
    json_t *need = row_json(st, 0);
    MatchText nt;
    bool ok = match_text((const char *)sqlite3_column_text(st, 1), &nt);
    char category[40];
    snprintf(category, sizeof category, "%s", (const char *)sqlite3_column_text(st, 2));
    int64_t area = sqlite3_column_int64(st, 3);
    db_done(st);
    if (!ok) { json_decref(need); return rc_fail(f, RC_UNAVAILABLE, "out of memory"); }
    st = db_q(db, f,
              "SELECT r.id, " RES_JSON ", r.title || ' ' || r.description, r.category = ?1,"
              " r.all_areas = 1 OR EXISTS (SELECT 1 FROM resource_areas x WHERE x.resource_id = r.id AND x.area_id = ?2),"
              " r.capacity - " RES_USED ", r.capacity, " RES_VALID("date('now', '+8 hours')") RES_FROM " ORDER BY r.id",
              "ti", category, area);
    if (!st) { json_decref(need); match_text_free(&nt); return f->rc; }
    Cand *c = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        Cand *x = next_cand(&c, &n, &cap, st);
        if (!x) break;
        match_score(&nt, &x->text, sqlite3_column_int(st, 3), sqlite3_column_int(st, 4), sqlite3_column_int64(st, 5),
                    sqlite3_column_int64(st, 6), sqlite3_column_int(st, 7), &x->s);
    }
    db_done(st);
    /* shared_terms point into nt: emit before freeing it. */
    Rc r = emit_ranked(c, n, limit, "need", need, out, f);
    free_cands(c, n);
    match_text_free(&nt);
    return r;
}

Rc resource_needs(Db *db, const Actor *actor, int64_t id, int limit, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT " RES_JSON ", r.title || ' ' || r.description, r.category, r.all_areas, r.capacity - " RES_USED
                            ", r.capacity, " RES_VALID("date('now', '+8 hours')") RES_FROM " WHERE r.id = ?", "i", id);
    if (!st) return f->rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_done(st);
        return rc_fail(f, RC_NOT_FOUND, "resource %lld not found", (long long)id);
    }
    json_t *res = row_json(st, 0);
    MatchText rt;
    bool ok = match_text((const char *)sqlite3_column_text(st, 1), &rt);
    char category[40];
    snprintf(category, sizeof category, "%s", (const char *)sqlite3_column_text(st, 2));
    bool all_areas = sqlite3_column_int(st, 3);
    int64_t left = sqlite3_column_int64(st, 4), capacity = sqlite3_column_int64(st, 5);
    bool valid = sqlite3_column_int(st, 6);
    db_done(st);
    if (!ok) { json_decref(res); return rc_fail(f, RC_UNAVAILABLE, "out of memory"); }
    /* The newest 2,000 open needs in scope are considered. */
    st = db_q(db, f,
              "SELECT d.id, json_object('id', d.id, 'title', d.title, 'state', d.state, 'area_id', d.area_id, 'area_name',"
              " ar.name, 'category', json_extract(d.fields, '$.category'), 'priority', d.priority, 'created_at', d.created_at),"
              " d.title || ' ' || coalesce(json_extract(d.fields, '$.body'), ''), json_extract(d.fields, '$.category') = ?5,"
              " ?6 OR EXISTS (SELECT 1 FROM resource_areas x WHERE x.resource_id = ?7 AND x.area_id = d.area_id)"
              " FROM dossiers d LEFT JOIN areas ar ON ar.id = d.area_id WHERE d.type = 'need' AND d.state = 'open' AND "
              DOSSIER_SCOPE("d") " ORDER BY d.id DESC LIMIT 2000",
              SCOPE_FMT "itii", SCOPE_ARGS(a), a->user_id, category, (int64_t)all_areas, id);
    if (!st) { json_decref(res); match_text_free(&rt); return f->rc; }
    Cand *c = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        Cand *x = next_cand(&c, &n, &cap, st);
        if (!x) break;
        /* Shared terms are reported from the need's side. */
        match_score(&x->text, &rt, sqlite3_column_int(st, 3), sqlite3_column_int(st, 4), left, capacity, valid, &x->s);
    }
    db_done(st);
    Rc r = emit_ranked(c, n, limit, "resource", res, out, f);
    free_cands(c, n);
    match_text_free(&rt);
    return r;
}

/* ---- the board and figures ------------------------------------------------------------------ */

Rc lists_board(Db *db, const Actor *actor, int64_t area_id, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
#define LB_IN "d.type = ?6 AND (?5 IS NULL OR d.area_id = ?5) AND " DOSSIER_SCOPE("d")
    return listq_one(db, f, out,
                     "SELECT json_object("
                     "'counts', json_object("
                     "  'needs', (SELECT json_group_object(state, n) FROM (SELECT d.state, count(*) n FROM dossiers d WHERE d.type = 'need'"
                     "    AND (?5 IS NULL OR d.area_id = ?5) AND " DOSSIER_SCOPE("d") " GROUP BY d.state)),"
                     "  'projects', (SELECT json_group_object(state, n) FROM (SELECT d.state, count(*) n FROM dossiers d WHERE d.type = 'project'"
                     "    AND (?5 IS NULL OR d.area_id = ?5) AND " DOSSIER_SCOPE("d") " GROUP BY d.state)),"
                     "  'resources', (SELECT count(*) FROM resources r WHERE ?5 IS NULL OR r.all_areas = 1 OR EXISTS (SELECT 1 FROM"
                     "    resource_areas x WHERE x.resource_id = r.id AND x.area_id = ?5)),"
                     "  'resources_available', (SELECT count(*) FROM resources r WHERE (?5 IS NULL OR r.all_areas = 1 OR EXISTS (SELECT 1"
                     "    FROM resource_areas x WHERE x.resource_id = r.id AND x.area_id = ?5)) AND " RES_VALID("date('now', '+8 hours')")
                     "    AND r.capacity > " RES_USED ")),"
                     "'open_needs', (SELECT coalesce(json_group_array(json(j)), json('[]')) FROM (SELECT json_object('id', d.id,"
                     "  'title', d.title, 'area_id', d.area_id, 'area_name', ar.name, 'category', json_extract(d.fields, '$.category'),"
                     "  'priority', d.priority, 'due_on', d.due_on, 'created_at', d.created_at) j FROM dossiers d LEFT JOIN areas ar"
                     "  ON ar.id = d.area_id WHERE d.type = 'need' AND d.state = 'open' AND (?5 IS NULL OR d.area_id = ?5) AND "
                     DOSSIER_SCOPE("d") " ORDER BY d.id DESC LIMIT 50)),"
                     "'projects', (SELECT coalesce(json_group_array(json(j)), json('[]')) FROM (SELECT json_object('id', d.id,"
                     "  'title', d.title, 'state', d.state, 'area_id', d.area_id, 'area_name', ar.name, 'handler_org_name', h.name,"
                     "  'budget_fen', json_extract(d.fields, '$.budget_fen'),"
                     "  'needs', (SELECT coalesce(json_group_array(json_object('id', n.id, 'title', n.title, 'state', n.state)), json('[]'))"
                     "    FROM json_each(d.fields, '$.need_ids') e JOIN dossiers n ON n.id = e.value),"
                     "  'resources', (SELECT coalesce(json_group_array(json_object('id', r.id, 'title', r.title, 'quantity', u.quantity,"
                     "    'unit', r.unit)), json('[]')) FROM resource_uses u JOIN resources r ON r.id = u.resource_id WHERE u.dossier_id = d.id)"
                     "  ) j FROM dossiers d LEFT JOIN areas ar ON ar.id = d.area_id LEFT JOIN orgs h ON h.id = d.handler_org_id"
                     "  WHERE d.type = 'project' AND (?5 IS NULL OR d.area_id = ?5) AND " DOSSIER_SCOPE("d") " ORDER BY d.id DESC LIMIT 50)))",
                     SCOPE_FMT "iN", SCOPE_ARGS(a), a->user_id, area_id);
#undef LB_IN
}

/* Adds the first column of a one-row query (JSON text) to out under key. */
static Rc put_json(Db *db, json_t *out, const char *key, Fail *f, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = db_qv(db, f, sql, fmt, ap);
    va_end(ap);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        json_t *j = json_loads((const char *)sqlite3_column_text(st, 0), JSON_DECODE_ANY, NULL);
        json_object_set_new(out, key, j ? j : json_null());
    }
    db_done(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RC_OK : db_fail(db, f, rc, __FILE__, __LINE__);
}

Rc lists_figures(Db *db, const Actor *actor, int64_t area_id, const char *from, const char *to, json_t *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    /* Parameters: ?1-?4 scope, ?5 area or NULL, ?6 from (date) or NULL, ?7 to or NULL. Needs and
     * projects count by the district day they were opened (created_at is UTC) and, for answers
     * and write-offs, the day they closed. */
#define FIG_AREA " AND (?5 IS NULL OR d.area_id = ?5) AND " DOSSIER_SCOPE("d")
#define FIG_OPENED " AND (?6 IS NULL OR date(d.created_at, '+8 hours') >= ?6) AND (?7 IS NULL OR date(d.created_at, '+8 hours') <= ?7)"
#define FIG_CLOSED " AND (?6 IS NULL OR d.closed_on >= ?6) AND (?7 IS NULL OR d.closed_on <= ?7)"
    Rc r = put_json(db, out, "needs", f,
                    "SELECT json_object('raised', (SELECT count(*) FROM dossiers d WHERE d.type = 'need'" FIG_AREA FIG_OPENED "),"
                    " 'answered', (SELECT count(*) FROM dossiers d WHERE d.type = 'need' AND d.state = 'answered'" FIG_AREA FIG_CLOSED "),"
                    " 'open', (SELECT count(*) FROM dossiers d WHERE d.type = 'need' AND d.state IN ('open', 'in_project')" FIG_AREA "),"
                    " 'by_category', (SELECT coalesce(json_group_object(k, n), json('{}')) FROM (SELECT json_extract(d.fields,"
                    "   '$.category') k, count(*) n FROM dossiers d WHERE d.type = 'need'" FIG_AREA FIG_OPENED " GROUP BY 1)))",
                    SCOPE_FMT "iNtt", SCOPE_ARGS(a), a->user_id, area_id, from, to);
    if (r == RC_OK)
        r = put_json(db, out, "projects", f,
                     "SELECT json_object('started', (SELECT count(*) FROM dossiers d WHERE d.type = 'project'" FIG_AREA FIG_OPENED "),"
                     " 'written_off', (SELECT count(*) FROM dossiers d WHERE d.type = 'project' AND d.state = 'written_off'" FIG_AREA FIG_CLOSED "),"
                     " 'in_progress', (SELECT count(*) FROM dossiers d WHERE d.type = 'project' AND d.closed_on IS NULL" FIG_AREA "),"
                     " 'budget_fen', (SELECT coalesce(sum(json_extract(d.fields, '$.budget_fen')), 0) FROM dossiers d WHERE"
                     "   d.type = 'project' AND d.state <> 'cancelled'" FIG_AREA FIG_OPENED "))",
                     SCOPE_FMT "iNtt", SCOPE_ARGS(a), a->user_id, area_id, from, to);
    if (r == RC_OK)
        r = put_json(db, out, "resources", f,
                     "SELECT json_object('total', count(*), 'from_departments', coalesce(sum(o.kind = 'department'), 0),"
                     " 'available', coalesce(sum(" RES_VALID("date('now', '+8 hours')") " AND r.capacity > " RES_USED "), 0),"
                     " 'by_category', (SELECT coalesce(json_group_object(category, n), json('{}')) FROM (SELECT category, count(*) n"
                     "   FROM resources GROUP BY category))) FROM resources r JOIN orgs o ON o.id = r.provider_org_id"
                     " WHERE ?1 IS NULL OR r.all_areas = 1 OR EXISTS (SELECT 1 FROM resource_areas x WHERE x.resource_id = r.id AND x.area_id = ?1)",
                     "N", area_id);
    if (r == RC_OK)
        r = put_json(db, out, "bounties", f,
                     "SELECT json_object('published', (SELECT count(*) FROM dossiers d WHERE d.type = 'bounty'" FIG_AREA FIG_OPENED "),"
                     " 'led', (SELECT count(*) FROM dossiers d WHERE d.type = 'bounty' AND d.state IN ('led', 'finished', 'evaluated')" FIG_AREA FIG_OPENED "),"
                     " 'evaluated', (SELECT count(*) FROM dossiers d WHERE d.type = 'bounty' AND d.state = 'evaluated'" FIG_AREA FIG_CLOSED "),"
                     " 'applications', (SELECT count(*) FROM dossiers d, json_each(d.fields, '$.applications') e WHERE d.type = 'bounty'" FIG_AREA FIG_OPENED "))",
                     SCOPE_FMT "iNtt", SCOPE_ARGS(a), a->user_id, area_id, from, to);
    /* Actions count by their own date. */
#define ACT_ROWS                                                                                      \
    " FROM dossiers d, json_each(d.fields, '$.actions') e WHERE d.type = 'bounty'" FIG_AREA              \
    " AND (?6 IS NULL OR json_extract(e.value, '$.action_date') >= ?6) AND (?7 IS NULL OR json_extract(e.value, '$.action_date') <= ?7)"
    if (r == RC_OK)
        r = put_json(db, out, "actions", f,
                     "SELECT json_object('count', (SELECT count(*)" ACT_ROWS "),"
                     " 'participants', (SELECT coalesce(sum(json_extract(e.value, '$.participants')), 0)" ACT_ROWS "),"
                     " 'volunteer_hours', (SELECT coalesce(sum(json_extract(e.value, '$.volunteer_hours')), 0)" ACT_ROWS "),"
                     " 'by_kind', (SELECT coalesce(json_group_array(json_object('kind', k, 'label', c.label_zh, 'label_en', c.label_en,"
                     "   'actions', n, 'participants', p, 'volunteer_hours', h)), json('[]')) FROM (SELECT json_extract(e.value, '$.action_kind') k,"
                     "   count(*) n, coalesce(sum(json_extract(e.value, '$.participants')), 0) p,"
                     "   coalesce(sum(json_extract(e.value, '$.volunteer_hours')), 0) h" ACT_ROWS " GROUP BY 1) LEFT JOIN categories c ON"
                     "   c.domain = 'bounty_action' AND c.code = k))",
                     SCOPE_FMT "iNtt", SCOPE_ARGS(a), a->user_id, area_id, from, to);
#undef ACT_ROWS
#undef FIG_AREA
#undef FIG_OPENED
#undef FIG_CLOSED
    return r;
}

/* ---- categories ----------------------------------------------------------------------------- */

static const char *const domains[] = {"service", "activity", "bounty_action", NULL};

Rc category_list(Db *db, const char *domain, bool all, Buf *out, Fail *f) {
    return listq_one(db, f, out,
                     "SELECT json_object('items', coalesce(json_group_array(json(j)), json('[]'))) FROM (SELECT json_object('domain',"
                     " domain, 'code', code, 'label_zh', label_zh, 'label_en', label_en, 'sort', sort, 'active', json(CASE active WHEN 1 THEN 'true' ELSE 'false' END)) j"
                     " FROM categories WHERE (?1 IS NULL OR domain = ?1) AND (?2 OR active = 1) ORDER BY domain, sort, code)",
                     "ti", domain, (int64_t)all);
}

static bool code_ok(const char *s) {
    if (!s || !*s) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
    return true;
}

Rc category_create(Db *db, const Actor *a, json_t *in, Fail *f) {
    static const JField cf[] = {
        {"domain", JF_STR, true, 1, 32, domains, NULL, NULL},
        {"code", JF_STR, true, 1, 32, NULL, code_ok, "code"},
        {"label_zh", JF_STR, true, 1, 50, NULL, NULL, NULL},
        {"label_en", JF_STR, true, 1, 100, NULL, NULL, NULL},
        {"sort", JF_INT, false, 0, 100000, NULL, NULL, NULL},
    };
    jh_validate(in, cf, 5, f);
    Rc r = fail_fields(f);
    if (r != RC_OK) return r;
    int64_t x = 0;
    if (db_int(db, NULL, &x, "SELECT 1 FROM categories WHERE domain = ? AND code = ?", "tt", jh_str(in, "domain"), jh_str(in, "code")) == RC_OK) {
        fail_field(f, "code", "unique", NULL);
        return rc_fail(f, RC_CONFLICT, "the category %s exists", jh_str(in, "code"));
    }
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "INSERT INTO categories(domain, code, label_zh, label_en, sort) VALUES (?, ?, ?, ?, ?)", "tttti",
               jh_str(in, "domain"), jh_str(in, "code"), jh_str(in, "label_zh"), jh_str(in, "label_en"), jh_int(in, "sort"));
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "create", "category", 0, "ok",
                        json_pack("{s:s?, s:s?}", "domain", jh_str(in, "domain"), "code", jh_str(in, "code")));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc category_update(Db *db, const Actor *a, const char *code, json_t *in, Fail *f) {
    static const JField cf[] = {
        {"domain", JF_STR, true, 1, 32, domains, NULL, NULL},
        {"label_zh", JF_STR, true, 1, 50, NULL, NULL, NULL},
        {"label_en", JF_STR, true, 1, 100, NULL, NULL, NULL},
        {"sort", JF_INT, false, 0, 100000, NULL, NULL, NULL},
        {"active", JF_BOOL, true, 0, 0, NULL, NULL, NULL},
    };
    jh_validate(in, cf, 5, f);
    Rc r = fail_fields(f);
    if (r != RC_OK) return r;
    const char *domain = jh_str(in, "domain");
    int64_t x = 0;
    if (db_int(db, NULL, &x, "SELECT 1 FROM categories WHERE domain = ? AND code = ?", "tt", domain, code) != RC_OK)
        return rc_fail(f, RC_NOT_FOUND, "no category %s in %s", code, domain);
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "UPDATE categories SET label_zh = ?, label_en = ?, sort = ?, active = ? WHERE domain = ? AND code = ?",
               "ttiitt", jh_str(in, "label_zh"), jh_str(in, "label_en"), jh_int(in, "sort"), (int64_t)jh_bool(in, "active", true),
               domain, code);
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "update", "category", 0, "ok", json_pack("{s:s, s:s}", "domain", domain, "code", code));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}
