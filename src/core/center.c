/*
 * center.c — neighbourhood centres and their service catalogue; see center.h.
 */
#include "core/center.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/area.h"
#include "core/audit.h"
#include "core/listq.h"
#include "store/scope.h"
#include "util/crypto.h"
#include "util/jsonh.h"
#include "util/validate.h"

const char *const center_functions[] = {"gov", "convenience", "enterprise", "housing", NULL};

/* ---- pure helpers ---------------------------------------------------------------------------- */

bool center_lat_ok(double lat) { return isfinite(lat) && lat >= 18.0 && lat <= 54.0; }

bool center_lng_ok(double lng) { return isfinite(lng) && lng >= 73.0 && lng <= 135.0; }

int64_t center_e6(double deg) { return (int64_t)llround(deg * 1e6); }

static bool all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool center_phone_ok(const char *s) {
    if (!s) return false;
    if (val_mobile(s)) return true;
    /* Landline: 0 + a 3- or 4-digit area code, an optional '-', 7-8 digits, optional -extension. */
    if (s[0] != '0' || strlen(s) > 20) return false;
    for (size_t code = 3; code <= 4; code++) {
        if (!all_digits(s, code)) continue;
        const char *p = s + code;
        if (*p == '-') p++;
        size_t d = strspn(p, "0123456789");
        if (d != 7 && d != 8) continue;
        const char *q = p + d;
        if (*q == 0) return true;
        if (*q != '-') continue;
        size_t e = strlen(q + 1);
        if (e >= 1 && e <= 6 && all_digits(q + 1, e)) return true;
    }
    return false;
}

/* ---- reads ------------------------------------------------------------------------------------ */

#define CENTER_FROM                                                                                \
    " FROM centers c JOIN areas ar ON ar.id = c.area_id LEFT JOIN orgs ho ON ho.id = c.org_id"     \
    " LEFT JOIN orgs tw ON tw.id = c.town_id"
#define CENTER_FUNCS                                                                               \
    "json((SELECT json_group_array(function) FROM (SELECT function FROM center_functions WHERE center_id = c.id" \
    " ORDER BY CASE function WHEN 'gov' THEN 1 WHEN 'convenience' THEN 2 WHEN 'enterprise' THEN 3 ELSE 4 END)))"
#define CENTER_FIELDS                                                                              \
    "'id', c.id, 'name', c.name, 'area_id', c.area_id, 'area_name', ar.name, 'org_id', c.org_id,"     \
    " 'org_name', ho.name, 'town_id', c.town_id, 'town_name', tw.name, 'address', c.address,"       \
    " 'lat', c.lat_e6 / 1000000.0, 'lng', c.lng_e6 / 1000000.0, 'hours', c.hours,"                  \
    " 'functions', " CENTER_FUNCS ", 'contact_name', c.contact_name,"                                \
    " 'contact_phone', phone_masked(c.contact_phone_sealed),"                                      \
    " 'service_count', (SELECT count(*) FROM center_services s WHERE s.center_id = c.id),"         \
    " 'activity_count', (SELECT count(*) FROM activities x WHERE x.center_id = c.id), 'version', c.version"

Rc center_list(Db *db, const Actor *a, const CenterFilter *flt, int page, int page_size, Buf *out, Fail *f) {
#define CENTER_WHERE                                                                               \
    CENTER_FROM " WHERE " CENTER_SCOPE("c") " AND (?4 IS NULL OR c.area_id = ?4)"                     \
    " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM center_functions cf WHERE cf.center_id = c.id AND cf.function = ?5))" \
    " AND (?6 IS NULL OR instr(c.name, ?6) > 0 OR instr(coalesce(c.address, ''), ?6) > 0)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" CENTER_WHERE,
                     "SELECT json_object(" CENTER_FIELDS ")" CENTER_WHERE " ORDER BY ar.code, c.name, c.id LIMIT ?98 OFFSET ?99",
                     SCOPE_FMT "Ntt", SCOPE_ARGS(a), flt->area_id, flt->function, flt->q);
#undef CENTER_WHERE
}

#define SERVICES_JSON                                                                              \
    "json((SELECT json_group_array(json_object('id', s.id, 'name', s.name, 'function', s.function,"   \
    " 'provider_org_id', s.provider_org_id, 'provider_name', po.name, 'note', s.note))"             \
    " FROM (SELECT * FROM center_services WHERE center_id = c.id ORDER BY id) s"                    \
    " LEFT JOIN orgs po ON po.id = s.provider_org_id))"

Rc center_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    Rc r = listq_one(
        db, f, out,
        "SELECT json_object(" CENTER_FIELDS ", 'description', c.description, 'services', " SERVICES_JSON ","
        " 'recent_activities', json((SELECT json_group_array(json_object('id', x.id, 'kind', x.kind,"
        "   'kind_label_zh', k.label_zh, 'kind_label_en', k.label_en, 'title', x.title, 'starts_at', x.starts_at,"
        "   'ends_at', x.ends_at, 'participants', x.participants, 'people_served', x.people_served))"
        "   FROM (SELECT * FROM activities WHERE center_id = c.id ORDER BY starts_at DESC, id DESC LIMIT 20) x"
        "   LEFT JOIN categories k ON k.domain = 'activity' AND k.code = x.kind)),"
        " 'activity_counts', json_object("
        "   'activities', (SELECT count(*) FROM activities x WHERE x.center_id = c.id),"
        "   'participants', (SELECT coalesce(sum(participants), 0) FROM activities x WHERE x.center_id = c.id),"
        "   'people_served', (SELECT coalesce(sum(people_served), 0) FROM activities x WHERE x.center_id = c.id),"
        "   'by_kind', json((SELECT json_group_array(json_object('kind', g.kind, 'activities', g.n,"
        "     'participants', g.p, 'people_served', g.s)) FROM (SELECT kind, count(*) AS n, sum(participants) AS p,"
        "     sum(people_served) AS s FROM activities WHERE center_id = c.id GROUP BY kind ORDER BY n DESC, kind) g))),"
        " 'created_at', c.created_at, 'updated_at', c.updated_at)"
        CENTER_FROM " WHERE " CENTER_SCOPE("c") " AND c.id = ?",
        SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "centre %lld not found", (long long)id);
    return r;
}

/* Loads the area and version of a centre in scope; RC_NOT_FOUND otherwise. */
static Rc load_center(Db *db, const Actor *a, int64_t id, int64_t *area, int64_t *version, Fail *f) {
    sqlite3_stmt *st = db_q(db, f, "SELECT c.area_id, c.version FROM centers c WHERE " CENTER_SCOPE("c") " AND c.id = ?",
                            SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *area = sqlite3_column_int64(st, 0);
        *version = sqlite3_column_int64(st, 1);
    }
    db_done(st);
    if (rc == SQLITE_ROW) return RC_OK;
    if (rc == SQLITE_DONE) return rc_fail(f, RC_NOT_FOUND, "centre %lld not found", (long long)id);
    return db_fail(db, f, rc, __FILE__, __LINE__);
}

/* A centre is changed by those whose area scope holds its area. */
static Rc may_write(Db *db, const Actor *a, int64_t area, Fail *f) {
    Fail g = {0};
    Rc r = area_visible(db, a, area, &g);
    fail_clear(&g);
    if (r == RC_OK) return RC_OK;
    return rc_fail(f, RC_FORBIDDEN, "the centre's area is outside your scope");
}

Rc center_services(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    int64_t area, version;
    Rc r = load_center(db, a, id, &area, &version, f);
    if (r != RC_OK) return r;
    return listq_one(db, f, out, "SELECT json_object('items', " SERVICES_JSON ") FROM centers c WHERE c.id = ?", "i", id);
}

/* ---- validation --------------------------------------------------------------------------------- */

static const JField center_fields[] = {
    {"name", JF_STR, true, 1, 100, NULL, NULL, NULL},
    {"area_id", JF_ID, true, 0, 0, NULL, NULL, NULL},
    {"org_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"town_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"address", JF_STR, false, 0, 200, NULL, NULL, NULL},
    {"hours", JF_STR, false, 0, 200, NULL, NULL, NULL},
    {"contact_name", JF_STR, false, 0, 50, NULL, NULL, NULL},
    {"contact_phone", JF_STR, false, 0, 20, NULL, center_phone_ok, "phone"},
    {"description", JF_TEXT, false, 0, 2000, NULL, NULL, NULL},
    {"functions", JF_ARRAY, true, 1, 4, NULL, NULL, NULL},
    {"services", JF_ARRAY, false, 0, 50, NULL, NULL, NULL},
};
enum { NCENTER_FIELDS = sizeof center_fields / sizeof center_fields[0] };

static const JField service_fields[] = {
    {"name", JF_STR, true, 1, 100, NULL, NULL, NULL},
    {"function", JF_STR, true, 0, 0, center_functions, NULL, NULL},
    {"provider_org_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"note", JF_TEXT, false, 0, 500, NULL, NULL, NULL},
};

/* Validates a catalogue entry; field errors are named prefix + field ("" or "services[2]."). */
static void validate_service(Db *db, json_t *s, const char *prefix, Fail *f) {
    if (!json_is_object(s)) {
        char field[48];
        snprintf(field, sizeof field, "%.*s", (int)(strlen(prefix) ? strlen(prefix) - 1 : 0), prefix);
        fail_field(f, field, "type", json_pack("{s:s}", "expected", "object"));
        return;
    }
    if (!*prefix) {
        jh_validate(s, service_fields, 4, f);
    } else {
        /* The same declarations under prefixed names. */
        char names[4][64];
        JField fl[4];
        json_t *wrap = json_object();
        for (int i = 0; i < 4; i++) {
            snprintf(names[i], sizeof names[i], "%s%s", prefix, service_fields[i].name);
            fl[i] = service_fields[i];
            fl[i].name = names[i];
            json_t *v = json_object_get(s, service_fields[i].name);
            if (v) json_object_set(wrap, names[i], v);
        }
        jh_validate(wrap, fl, 4, f);
        json_decref(wrap);
    }
    json_t *p = json_object_get(s, "provider_org_id");
    if (json_is_integer(p) && json_integer_value(p) > 0) {
        int64_t x;
        if (db_int(db, NULL, &x, "SELECT id FROM orgs WHERE id = ?", "i", (int64_t)json_integer_value(p)) != RC_OK) {
            char field[64];
            snprintf(field, sizeof field, "%sprovider_org_id", prefix);
            fail_field(f, field, "reference", NULL);
        }
    }
}

/* Reads an optional coordinate member into *e6 (has = false when absent or null). */
static void read_coord(json_t *in, const char *name, double lo, double hi, bool (*ok)(double), int64_t *e6, bool *has, Fail *f) {
    json_t *v = json_object_get(in, name);
    *has = false;
    if (!v || json_is_null(v)) return;
    if (!json_is_number(v)) {
        fail_field(f, name, "type", json_pack("{s:s}", "expected", "number"));
        return;
    }
    double d = json_number_value(v);
    if (!ok(d)) {
        fail_field(f, name, "range", json_pack("{s:f, s:f}", "min", lo, "max", hi));
        return;
    }
    *e6 = center_e6(d);
    *has = true;
}

/* What a validated centre body resolves to. */
typedef struct CenterIn {
    int64_t area, org, town;    /* area; host organisation and town (0: none) */
    int64_t lat, lng;           /* micro-degrees, when has_coord */
    bool has_coord;
    uint8_t sealed[64 + CRYPTO_SEAL_OVERHEAD]; /* the sealed phone */
    int nsealed;                /* its length; 0: no phone */
    bool phone_given;           /* contact_phone was present (null or "" clears it) */
} CenterIn;

static void validate_center(Db *db, const Actor *a, json_t *in, CenterIn *c, Fail *f) {
    memset(c, 0, sizeof *c);
    jh_validate(in, center_fields, NCENTER_FIELDS, f);
    json_t *fns = json_object_get(in, "functions");
    size_t i;
    json_t *v;
    if (json_is_array(fns)) json_array_foreach(fns, i, v) {
            char field[32];
            snprintf(field, sizeof field, "functions[%zu]", i);
            bool known = false;
            for (const char *const *e = center_functions; *e && json_is_string(v); e++)
                known |= strcmp(*e, json_string_value(v)) == 0;
            if (!json_is_string(v)) fail_field(f, field, "type", json_pack("{s:s}", "expected", "string"));
            else if (!known) {
                json_t *allowed = json_array();
                for (const char *const *e = center_functions; *e; e++) json_array_append_new(allowed, json_string(*e));
                fail_field(f, field, "enum", json_pack("{s:o}", "allowed", allowed));
            } else {
                for (size_t k = 0; k < i; k++)
                    if (json_equal(json_array_get(fns, k), v)) {
                        fail_field(f, field, "unique", NULL);
                        break;
                    }
            }
        }
    bool has_lat, has_lng;
    read_coord(in, "lat", 18, 54, center_lat_ok, &c->lat, &has_lat, f);
    read_coord(in, "lng", 73, 135, center_lng_ok, &c->lng, &has_lng, f);
    json_t *lat = json_object_get(in, "lat"), *lng = json_object_get(in, "lng");
    bool lat_there = lat && !json_is_null(lat), lng_there = lng && !json_is_null(lng);
    if (lat_there && !lng_there) fail_field(f, "lng", "required", NULL);
    if (lng_there && !lat_there) fail_field(f, "lat", "required", NULL);
    c->has_coord = has_lat && has_lng;

    c->area = jh_int(in, "area_id");
    if (c->area > 0) {
        Fail g = {0};
        if (area_visible(db, a, c->area, &g) != RC_OK) fail_field(f, "area_id", "reference", NULL);
        fail_clear(&g);
    }
    c->org = jh_int(in, "org_id");
    char kind[16] = "";
    if (c->org > 0) {
        if (db_text(db, NULL, kind, sizeof kind, "SELECT o.kind FROM orgs o WHERE " SCOPE_ORG("o") " AND o.id = ?",
                    SCOPE_FMT "i", SCOPE_ARGS(a), c->org) != RC_OK)
            fail_field(f, "org_id", "reference", NULL);
    } else if (strcmp(a->scope_lo, "/") != 0 && a->scope_area == 0 && a->org_id > 0) {
        c->org = a->org_id; /* a town or community records the centres it runs */
    }
    c->town = jh_int(in, "town_id");
    if (c->town > 0) {
        char tk[16] = "";
        if (db_text(db, NULL, tk, sizeof tk, "SELECT kind FROM orgs WHERE id = ?", "i", c->town) != RC_OK)
            fail_field(f, "town_id", "reference", NULL);
        else if (strcmp(tk, "town") != 0)
            fail_field(f, "town_id", "kind", json_pack("{s:[s]}", "allowed", "town"));
    } else if (c->org > 0) {
        db_int(db, NULL, &c->town, "SELECT CASE WHEN kind = 'town' THEN id ELSE coalesce(town_id, 0) END FROM orgs WHERE id = ?",
               "i", c->org);
    } else if (c->area > 0) {
        /* The town of the area's villages and communities, when they all lie in one. */
        db_int(db, NULL, &c->town,
               "SELECT CASE WHEN count(DISTINCT o.town_id) = 1 THEN min(o.town_id) ELSE 0 END FROM area_members m"
               " JOIN orgs o ON o.id = m.org_id WHERE m.area_id = ? AND o.kind = 'community' AND o.town_id IS NOT NULL",
               "i", c->area);
    }
    c->phone_given = jh_has(in, "contact_phone");
    const char *phone = jh_str(in, "contact_phone");
    if (phone && center_phone_ok(phone) && strlen(phone) <= 20) {
        if (!crypto_seal(phone, strlen(phone), c->sealed)) rc_fail(f, RC_INTERNAL, "no field key loaded");
        else c->nsealed = (int)(strlen(phone) + CRYPTO_SEAL_OVERHEAD);
    }
    json_array_foreach(json_object_get(in, "services"), i, v) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "services[%zu].", i);
        validate_service(db, v, prefix, f);
    }
}

static Rc write_functions(Db *db, int64_t id, json_t *in, Fail *f) {
    Rc r = db_run(db, f, "DELETE FROM center_functions WHERE center_id = ?", "i", id);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(in, "functions"), i, v) {
        if (r != RC_OK) break;
        r = db_run(db, f, "INSERT OR IGNORE INTO center_functions(center_id, function) VALUES (?, ?)", "it", id,
                   json_string_value(v));
    }
    return r;
}

static Rc insert_service(Db *db, int64_t center, json_t *s, Fail *f) {
    return db_run(db, f, "INSERT INTO center_services(center_id, name, function, provider_org_id, note) VALUES (?, ?, ?, ?, ?)",
                  "ittIt", center, jh_str(s, "name"), jh_str(s, "function"), jh_int(s, "provider_org_id"), jh_str(s, "note"));
}

/* ---- writes ------------------------------------------------------------------------------------- */

Rc center_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    CenterIn c;
    validate_center(db, a, in, &c, f);
    Rc r = f->rc != RC_OK ? f->rc : fail_fields(f);
    if (r != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f,
               "INSERT INTO centers(name, area_id, org_id, town_id, address, lat_e6, lng_e6, hours, contact_name,"
               " contact_phone_sealed, description, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               "tiIIt" "NN" "tt" "b" "tI", jh_str(in, "name"), c.area, c.org, c.town, jh_str(in, "address"),
               c.has_coord ? c.lat : (int64_t)-1, c.has_coord ? c.lng : (int64_t)-1, jh_str(in, "hours"),
               jh_str(in, "contact_name"), c.nsealed ? (const void *)c.sealed : NULL, c.nsealed, jh_str(in, "description"),
               a->user_id);
    int64_t cid = db_last_id(db);
    if (r == RC_OK) r = write_functions(db, cid, in, f);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(in, "services"), i, v) {
        if (r != RC_OK) break;
        r = insert_service(db, cid, v, f);
    }
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "create", "center", cid, "ok", json_pack("{s:s?}", "name", jh_str(in, "name")));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    else *id = cid;
    return r;
}

Rc center_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    int64_t area, version;
    r = load_center(db, a, id, &area, &version, f);
    if (r == RC_OK) r = may_write(db, a, area, f);
    if (r == RC_OK && if_version > 0 && if_version != version) {
        fail_extra(f, "current_version", json_integer(version));
        r = rc_fail(f, RC_PRECONDITION, "the centre is at version %lld; reload and retry", (long long)version);
    }
    CenterIn c = {0};
    if (r == RC_OK) {
        json_object_del(in, "services"); /* the catalogue has its own routes */
        validate_center(db, a, in, &c, f);
        r = f->rc != RC_OK ? f->rc : fail_fields(f);
    }
    if (r == RC_OK)
        r = db_run(db, f,
                   "UPDATE centers SET name = ?, area_id = ?, org_id = ?, town_id = ?, address = ?, lat_e6 = ?, lng_e6 = ?,"
                   " hours = ?, contact_name = ?, description = ?, version = version + 1,"
                   " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
                   "tiIItNNttti", jh_str(in, "name"), c.area, c.org, c.town, jh_str(in, "address"),
                   c.has_coord ? c.lat : (int64_t)-1, c.has_coord ? c.lng : (int64_t)-1, jh_str(in, "hours"),
                   jh_str(in, "contact_name"), jh_str(in, "description"), id);
    if (r == RC_OK && c.phone_given)
        r = db_run(db, f, "UPDATE centers SET contact_phone_sealed = ? WHERE id = ?", "bi",
                   c.nsealed ? (const void *)c.sealed : NULL, c.nsealed, id);
    if (r == RC_OK) r = write_functions(db, id, in, f);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "center", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc center_delete(Db *db, const Actor *a, int64_t id, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    int64_t area, version, n = 0;
    r = load_center(db, a, id, &area, &version, f);
    if (r == RC_OK) r = may_write(db, a, area, f);
    if (r == RC_OK) r = db_int(db, f, &n, "SELECT count(*) FROM activities WHERE center_id = ?", "i", id);
    if (r == RC_OK && n > 0) {
        fail_extra(f, "references", json_pack("[{s:s, s:I}]", "type", "activity", "count", (json_int_t)n));
        r = rc_fail(f, RC_CONFLICT, "centre %lld is still referenced by %lld activities", (long long)id, (long long)n);
    }
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM centers WHERE id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "delete", "center", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc center_service_add(Db *db, const Actor *a, int64_t id, json_t *in, int64_t *sid, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    int64_t area, version;
    r = load_center(db, a, id, &area, &version, f);
    if (r == RC_OK) r = may_write(db, a, area, f);
    if (r == RC_OK) {
        validate_service(db, in, "", f);
        r = fail_fields(f);
    }
    if (r == RC_OK) r = insert_service(db, id, in, f);
    if (r == RC_OK) *sid = db_last_id(db);
    if (r == RC_OK)
        r = db_run(db, f, "UPDATE centers SET version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
                   "i", id);
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "update", "center", id, "ok",
                        json_pack("{s:s, s:I, s:s?}", "action", "add_service", "service_id", (json_int_t)*sid, "name", jh_str(in, "name")));
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc center_service_remove(Db *db, const Actor *a, int64_t id, int64_t sid, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    int64_t area, version, x;
    r = load_center(db, a, id, &area, &version, f);
    if (r == RC_OK) r = may_write(db, a, area, f);
    if (r == RC_OK && db_int(db, NULL, &x, "SELECT id FROM center_services WHERE id = ? AND center_id = ?", "ii", sid, id) != RC_OK)
        r = rc_fail(f, RC_NOT_FOUND, "service %lld of centre %lld not found", (long long)sid, (long long)id);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM center_services WHERE id = ?", "i", sid);
    if (r == RC_OK)
        r = db_run(db, f, "UPDATE centers SET version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
                   "i", id);
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "update", "center", id, "ok",
                        json_pack("{s:s, s:I}", "action", "remove_service", "service_id", (json_int_t)sid));
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}
