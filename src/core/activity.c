/*
 * activity.c — neighbourhood services and events, their photos and figures; see activity.h.
 */
#include "core/activity.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/area.h"
#include "core/audit.h"
#include "core/blob.h"
#include "core/listq.h"
#include "store/scope.h"
#include "util/crypto.h"
#include "util/jsonh.h"
#include "util/timeutil.h"
#include "util/validate.h"

/* ---- pure helper ------------------------------------------------------------------------------ */

static bool two_digits(const char *p, int max, int *v) {
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return false;
    *v = (p[0] - '0') * 10 + (p[1] - '0');
    return *v <= max;
}

bool activity_time_norm(const char *in, char out[20]) {
    if (!in) return false;
    size_t n = strlen(in);
    if (n != 16 && n != 19) return false;
    char day[11];
    memcpy(day, in, 10);
    day[10] = 0;
    if (!val_date(day) || (in[10] != 'T' && in[10] != ' ') || in[13] != ':') return false;
    int h, m, s = 0;
    if (!two_digits(in + 11, 23, &h) || !two_digits(in + 14, 59, &m)) return false;
    if (n == 19 && (in[16] != ':' || !two_digits(in + 17, 59, &s))) return false;
    snprintf(out, 20, "%sT%02d:%02d:%02d", day, h, m, s);
    return true;
}

static bool time_ok(const char *s) {
    char out[20];
    return activity_time_norm(s, out);
}

/* ---- reads ------------------------------------------------------------------------------------ */

#define ACT_FROM                                                                                   \
    " FROM activities x LEFT JOIN centers ce ON ce.id = x.center_id LEFT JOIN areas ar ON ar.id = x.area_id" \
    " LEFT JOIN categories k ON k.domain = 'activity' AND k.code = x.kind"
#define ACT_FIELDS                                                                                 \
    "'id', x.id, 'kind', x.kind, 'kind_label_zh', k.label_zh, 'kind_label_en', k.label_en, 'title', x.title," \
    " 'center_id', x.center_id, 'center_name', ce.name, 'place', x.place, 'area_id', x.area_id,"    \
    " 'area_name', ar.name, 'starts_at', x.starts_at, 'ends_at', x.ends_at, 'participants', x.participants," \
    " 'people_served', x.people_served,"                                                            \
    " 'organisers', json((SELECT json_group_array(json_object('id', o.id, 'name', o.name, 'kind', o.kind))" \
    "   FROM activity_organisers ao JOIN orgs o ON o.id = ao.org_id WHERE ao.activity_id = x.id ORDER BY ao.seq))," \
    " 'photo_count', (SELECT count(*) FROM activity_photos p WHERE p.activity_id = x.id), 'version', x.version"

Rc activity_list(Db *db, const Actor *a, const ActivityFilter *flt, int page, int page_size, Buf *out, Fail *f) {
#define ACT_WHERE                                                                                  \
    ACT_FROM " WHERE " ACTIVITY_SCOPE("x") " AND (?4 IS NULL OR x.kind = ?4) AND (?5 IS NULL OR x.area_id = ?5)" \
    " AND (?6 IS NULL OR x.center_id = ?6)"                                                          \
    " AND (?7 IS NULL OR EXISTS (SELECT 1 FROM activity_organisers fo WHERE fo.activity_id = x.id AND fo.org_id = ?7))" \
    " AND (?8 IS NULL OR substr(x.starts_at, 1, 10) >= ?8) AND (?9 IS NULL OR substr(x.starts_at, 1, 10) <= ?9)" \
    " AND (?10 IS NULL OR instr(x.title, ?10) > 0 OR instr(coalesce(x.place, ''), ?10) > 0)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" ACT_WHERE,
                     "SELECT json_object(" ACT_FIELDS ")" ACT_WHERE " ORDER BY x.starts_at DESC, x.id DESC LIMIT ?98 OFFSET ?99",
                     SCOPE_FMT "tNNNttt", SCOPE_ARGS(a), flt->kind, flt->area_id, flt->center_id, flt->org_id, flt->from,
                     flt->to, flt->q);
#undef ACT_WHERE
}

#define PHOTOS_JSON                                                                                \
    "json((SELECT json_group_array(json_object('id', p.id, 'name', p.name, 'mime', p.mime, 'size', p.size," \
    " 'sha256', p.sha256, 'at', p.at, 'user_id', p.user_id, 'display_name', u.display_name))"       \
    " FROM (SELECT * FROM activity_photos WHERE activity_id = x.id ORDER BY id) p LEFT JOIN users u ON u.id = p.user_id))"

Rc activity_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    Rc r = listq_one(db, f, out,
                     "SELECT json_object(" ACT_FIELDS ", 'description', x.description, 'photos', " PHOTOS_JSON ","
                     " 'created_at', x.created_at, 'updated_at', x.updated_at)" ACT_FROM
                     " WHERE " ACTIVITY_SCOPE("x") " AND x.id = ?",
                     SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "activity %lld not found", (long long)id);
    return r;
}

/* Loads the version of an activity in scope; RC_NOT_FOUND otherwise. */
static Rc load_activity(Db *db, const Actor *a, int64_t id, int64_t *version, Fail *f) {
    Rc r = db_int(db, f, version, "SELECT x.version FROM activities x WHERE " ACTIVITY_SCOPE("x") " AND x.id = ?",
                  SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "activity %lld not found", (long long)id);
    return r;
}

/* An activity is changed by those who have one of its organisers in their scope. */
static Rc may_write(Db *db, const Actor *a, int64_t id, Fail *f) {
    int64_t n = 0;
    Rc r = db_int(db, f, &n,
                  "SELECT count(*) FROM activity_organisers ao JOIN orgs o ON o.id = ao.org_id WHERE " SCOPE_ORG("o")
                  " AND ao.activity_id = ?4",
                  SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r != RC_OK) return r;
    return n > 0 ? RC_OK : rc_fail(f, RC_FORBIDDEN, "none of the activity's organisers is in your scope");
}

/* ---- validation --------------------------------------------------------------------------------- */

enum { PEOPLE_MAX = 10000000 };

static const JField activity_fields[] = {
    {"kind", JF_STR, true, 1, 32, NULL, NULL, NULL},
    {"title", JF_STR, true, 1, 200, NULL, NULL, NULL},
    {"organiser_ids", JF_ARRAY, true, 1, 20, NULL, NULL, NULL},
    {"center_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"place", JF_STR, false, 0, 200, NULL, NULL, NULL},
    {"area_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"starts_at", JF_STR, true, 0, 19, NULL, time_ok, "datetime"},
    {"ends_at", JF_STR, true, 0, 19, NULL, time_ok, "datetime"},
    {"participants", JF_INT, false, 0, PEOPLE_MAX, NULL, NULL, NULL},
    {"people_served", JF_INT, false, 0, PEOPLE_MAX, NULL, NULL, NULL},
    {"description", JF_TEXT, false, 0, 5000, NULL, NULL, NULL},
};
enum { NACTIVITY_FIELDS = sizeof activity_fields / sizeof activity_fields[0] };

/* What a validated body resolves to. */
typedef struct ActivityIn {
    char starts[20], ends[20]; /* normalised times */
    int64_t area;              /* the area it counts for (0: none) */
} ActivityIn;

static void validate_activity(Db *db, const Actor *a, json_t *in, ActivityIn *v, Fail *f) {
    memset(v, 0, sizeof *v);
    jh_validate(in, activity_fields, NACTIVITY_FIELDS, f);
    const char *kind = jh_str(in, "kind");
    int64_t x;
    if (kind && val_utf8_len(kind) <= 32 &&
        db_int(db, NULL, &x, "SELECT 1 FROM categories WHERE domain = 'activity' AND code = ? AND active = 1", "t", kind) != RC_OK) {
        json_t *allowed = json_array();
        sqlite3_stmt *st = db_q(db, NULL, "SELECT code FROM categories WHERE domain = 'activity' AND active = 1 ORDER BY sort", NULL);
        while (st && sqlite3_step(st) == SQLITE_ROW) json_array_append_new(allowed, json_string((const char *)sqlite3_column_text(st, 0)));
        db_done(st);
        fail_field(f, "kind", "enum", json_pack("{s:o}", "allowed", allowed));
    }
    const char *s = jh_str(in, "starts_at"), *e = jh_str(in, "ends_at");
    bool times = s && e && activity_time_norm(s, v->starts) && activity_time_norm(e, v->ends);
    if (times && strcmp(v->ends, v->starts) < 0) fail_field(f, "ends_at", "date_order", json_pack("{s:s}", "after", "starts_at"));

    /* Organisers: every one exists, no repeats, at least one in the actor's scope. */
    json_t *orgs = json_object_get(in, "organiser_ids");
    size_t i;
    json_t *o;
    int in_scope = 0, valid = 0;
    if (json_is_array(orgs)) json_array_foreach(orgs, i, o) {
            char field[40];
            snprintf(field, sizeof field, "organiser_ids[%zu]", i);
            if (!json_is_integer(o) || json_integer_value(o) <= 0 || json_integer_value(o) > (1LL << 53)) {
                fail_field(f, field, "type", json_pack("{s:s}", "expected", "id"));
                continue;
            }
            int64_t id = (int64_t)json_integer_value(o);
            if (db_int(db, NULL, &x, "SELECT id FROM orgs WHERE id = ?", "i", id) != RC_OK) {
                fail_field(f, field, "reference", NULL);
                continue;
            }
            bool dup = false;
            for (size_t k = 0; k < i && !dup; k++) dup = json_equal(json_array_get(orgs, k), o);
            if (dup) {
                fail_field(f, field, "unique", NULL);
                continue;
            }
            valid++;
            if (db_int(db, NULL, &x, "SELECT o.id FROM orgs o WHERE " SCOPE_ORG("o") " AND o.id = ?", SCOPE_FMT "i",
                       SCOPE_ARGS(a), id) == RC_OK)
                in_scope++;
        }
    if (valid > 0 && in_scope == 0)
        fail_field(f, "organiser_ids", "scope", json_pack("{s:s}", "expected", "an organiser in your scope"));

    /* Where: a centre the actor sees, or a place. */
    int64_t center = jh_int(in, "center_id");
    if (center > 0) {
        if (db_int(db, NULL, &v->area, "SELECT c.area_id FROM centers c WHERE " CENTER_SCOPE("c") " AND c.id = ?",
                   SCOPE_FMT "i", SCOPE_ARGS(a), center) != RC_OK)
            fail_field(f, "center_id", "reference", NULL);
    } else if (!jh_str(in, "place") && !jh_has(in, "center_id")) {
        fail_field(f, "place", "required", json_pack("{s:s}", "unless", "center_id"));
    } else if (!jh_str(in, "place") && json_is_null(json_object_get(in, "center_id"))) {
        fail_field(f, "place", "required", json_pack("{s:s}", "unless", "center_id"));
    }
    int64_t area = jh_int(in, "area_id");
    if (center <= 0 && area > 0) {
        Fail g = {0};
        if (area_visible(db, a, area, &g) != RC_OK) fail_field(f, "area_id", "reference", NULL);
        else v->area = area;
        fail_clear(&g);
    }
    if (center <= 0 && area <= 0 && json_is_array(orgs)) {
        /* The first area of which an organiser is a member. */
        json_array_foreach(orgs, i, o) {
            if (v->area || !json_is_integer(o)) continue;
            db_int(db, NULL, &v->area, "SELECT min(area_id) FROM area_members WHERE org_id = ? HAVING count(*) > 0", "i",
                   (int64_t)json_integer_value(o));
        }
    }
}

static Rc write_organisers(Db *db, int64_t id, json_t *in, Fail *f) {
    Rc r = db_run(db, f, "DELETE FROM activity_organisers WHERE activity_id = ?", "i", id);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(in, "organiser_ids"), i, o) {
        if (r != RC_OK) break;
        r = db_run(db, f, "INSERT INTO activity_organisers(activity_id, org_id, seq) VALUES (?, ?, ?)", "iii", id,
                   (int64_t)json_integer_value(o), (int64_t)i);
    }
    return r;
}

/* ---- writes ------------------------------------------------------------------------------------- */

Rc activity_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    ActivityIn v;
    validate_activity(db, a, in, &v, f);
    Rc r = fail_fields(f);
    if (r != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f,
               "INSERT INTO activities(kind, title, center_id, place, area_id, starts_at, ends_at, participants, people_served,"
               " description, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               "ttItIttiitI", jh_str(in, "kind"), jh_str(in, "title"), jh_int(in, "center_id"), jh_str(in, "place"), v.area,
               v.starts, v.ends, jh_int(in, "participants"), jh_int(in, "people_served"), jh_str(in, "description"),
               a->user_id);
    int64_t aid = db_last_id(db);
    if (r == RC_OK) r = write_organisers(db, aid, in, f);
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "create", "activity", aid, "ok",
                        json_pack("{s:s?, s:s?}", "title", jh_str(in, "title"), "kind", jh_str(in, "kind")));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    else *id = aid;
    return r;
}

Rc activity_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    int64_t version;
    r = load_activity(db, a, id, &version, f);
    if (r == RC_OK) r = may_write(db, a, id, f);
    if (r == RC_OK && if_version > 0 && if_version != version) {
        fail_extra(f, "current_version", json_integer(version));
        r = rc_fail(f, RC_PRECONDITION, "the activity is at version %lld; reload and retry", (long long)version);
    }
    ActivityIn v;
    memset(&v, 0, sizeof v);
    if (r == RC_OK) {
        validate_activity(db, a, in, &v, f);
        r = fail_fields(f);
    }
    if (r == RC_OK)
        r = db_run(db, f,
                   "UPDATE activities SET kind = ?, title = ?, center_id = ?, place = ?, area_id = ?, starts_at = ?, ends_at = ?,"
                   " participants = ?, people_served = ?, description = ?, version = version + 1,"
                   " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
                   "ttItIttiiti", jh_str(in, "kind"), jh_str(in, "title"), jh_int(in, "center_id"), jh_str(in, "place"), v.area,
                   v.starts, v.ends, jh_int(in, "participants"), jh_int(in, "people_served"), jh_str(in, "description"), id);
    if (r == RC_OK) r = write_organisers(db, id, in, f);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "activity", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc activity_delete(Db *db, const Actor *a, int64_t id, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    int64_t version;
    r = load_activity(db, a, id, &version, f);
    if (r == RC_OK) r = may_write(db, a, id, f);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM activities WHERE id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "delete", "activity", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

/* ---- photos ------------------------------------------------------------------------------------- */

static const char *const photo_types[] = {"image/png", "image/jpeg", "image/gif", NULL};

static bool name_ok(const char *name) {
    if (!name || !*name || !val_utf8(name, strlen(name)) || val_utf8_len(name) > 200) return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\') return false;
    return true;
}

Rc activity_photo_add(Db *db, const Actor *a, int64_t id, const char *dir, const char *name, const char *mime,
                      const void *data, size_t len, int64_t *pid, Fail *f) {
    if (!name_ok(name)) {
        fail_field(f, "name", "format", NULL);
        return fail_fields(f);
    }
    bool image = false;
    for (const char *const *t = photo_types; *t && mime; t++) image |= strcmp(*t, mime) == 0;
    if (!image || !blob_type_ok(mime, data, len)) {
        fail_extra(f, "allowed", json_pack("[s, s, s]", photo_types[0], photo_types[1], photo_types[2]));
        return rc_fail(f, RC_MEDIA_TYPE, "a photo must be a png, jpeg or gif image of the type it claims");
    }
    int64_t version;
    Rc r = load_activity(db, a, id, &version, f); /* visibility before storing anything */
    if (r == RC_OK) r = may_write(db, a, id, f);
    if (r != RC_OK) return r;
    uint8_t h[32];
    char hex[65], at[32];
    crypto_sha256(data, len, h);
    crypto_hex(h, 32, hex);
    if ((r = blob_store(dir, hex, data, len, f)) != RC_OK) return r;
    time_iso(time_now(), at, sizeof at);
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = load_activity(db, a, id, &version, f);
    if (r == RC_OK)
        r = db_run(db, f, "INSERT INTO activity_photos(activity_id, sha256, name, mime, size, user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   "itttiIt", id, hex, name, mime, (int64_t)len, a->user_id, at);
    if (r == RC_OK) *pid = db_last_id(db);
    if (r == RC_OK) r = db_run(db, f, "UPDATE activities SET version = version + 1 WHERE id = ?", "i", id);
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "update", "activity", id, "ok",
                        json_pack("{s:s, s:s}", "action", "add_photo", "sha256", hex));
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc activity_photos(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    int64_t version;
    Rc r = load_activity(db, a, id, &version, f);
    if (r != RC_OK) return r;
    return listq_one(db, f, out, "SELECT json_object('items', " PHOTOS_JSON ") FROM activities x WHERE x.id = ?", "i", id);
}

Rc activity_photo_open(Db *db, const Actor *a, int64_t id, int64_t pid, const char *dir, int *fd, uint64_t *size,
                       char mime[128], char name[256], Fail *f) {
    int64_t version;
    Rc r = load_activity(db, a, id, &version, f);
    if (r != RC_OK) return r;
    sqlite3_stmt *st = db_q(db, f, "SELECT sha256, mime, name, size FROM activity_photos WHERE id = ? AND activity_id = ?", "ii",
                            pid, id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    char hex[65] = "";
    if (rc == SQLITE_ROW) {
        snprintf(hex, sizeof hex, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(mime, 64, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(name, 256, "%s", (const char *)sqlite3_column_text(st, 2));
        *size = (uint64_t)sqlite3_column_int64(st, 3);
    }
    db_done(st);
    if (rc != SQLITE_ROW) return rc_fail(f, RC_NOT_FOUND, "photo %lld not found", (long long)pid);
    char path[800];
    snprintf(path, sizeof path, "%s/%.2s/%s", dir, hex, hex);
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) return rc_fail(f, RC_UNAVAILABLE, "the stored photo is missing");
    return RC_OK;
}

/* ---- figures ------------------------------------------------------------------------------------ */

/* The activities selected by scope, area (?4) and dates (?5, ?6). */
#define FIG_SEL                                                                                    \
    "activities x WHERE " ACTIVITY_SCOPE("x") " AND (?4 IS NULL OR x.area_id = ?4)"                   \
    " AND (?5 IS NULL OR substr(x.starts_at, 1, 10) >= ?5) AND (?6 IS NULL OR substr(x.starts_at, 1, 10) <= ?6)"
#define FIG_SUMS "'activities', count(*), 'participants', coalesce(sum(x.participants), 0), 'people_served', coalesce(sum(x.people_served), 0)"
#define INSTITUTION_KINDS "('department', 'resident_unit', 'new_org', 'park', 'enterprise')"

Rc service_figures(Db *db, const Actor *a, int64_t area_id, const char *from, const char *to, json_t *out, Fail *f) {
    int64_t centers = 0, services = 0;
    Rc r = db_int(db, f, &centers, "SELECT count(*) FROM centers c WHERE " CENTER_SCOPE("c") " AND (?4 IS NULL OR c.area_id = ?4)",
                  SCOPE_FMT "N", SCOPE_ARGS(a), area_id);
    if (r == RC_OK)
        r = db_int(db, f, &services,
                   "SELECT count(*) FROM center_services s JOIN centers c ON c.id = s.center_id WHERE " CENTER_SCOPE("c")
                   " AND (?4 IS NULL OR c.area_id = ?4)",
                   SCOPE_FMT "N", SCOPE_ARGS(a), area_id);
    if (r != RC_OK) return r;
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT count(*), coalesce(sum(x.participants), 0), coalesce(sum(x.people_served), 0),"
                            " coalesce(sum(x.kind <> 'open_day' AND EXISTS (SELECT 1 FROM activity_organisers io JOIN orgs ii"
                            "   ON ii.id = io.org_id WHERE io.activity_id = x.id AND ii.kind IN " INSTITUTION_KINDS ")), 0),"
                            " coalesce(sum(CASE WHEN x.kind = 'open_day' THEN x.people_served END), 0) FROM " FIG_SEL,
                            SCOPE_FMT "Ntt", SCOPE_ARGS(a), area_id, from, to);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        json_object_set_new(out, "centers", json_integer(centers));
        json_object_set_new(out, "center_services", json_integer(services));
        json_object_set_new(out, "activities", json_integer(sqlite3_column_int64(st, 0)));
        json_object_set_new(out, "participants", json_integer(sqlite3_column_int64(st, 1)));
        json_object_set_new(out, "people_served", json_integer(sqlite3_column_int64(st, 2)));
        json_object_set_new(out, "institution_services", json_integer(sqlite3_column_int64(st, 3)));
        json_object_set_new(out, "open_day_reach", json_integer(sqlite3_column_int64(st, 4)));
    }
    db_done(st);
    return rc == SQLITE_ROW ? RC_OK : db_fail(db, f, rc, __FILE__, __LINE__);
}

Rc activity_figures(Db *db, const Actor *a, int64_t area_id, const char *from, const char *to, Buf *out, Fail *f) {
    json_t *summary = json_object();
    Rc r = service_figures(db, a, area_id, from, to, summary, f);
    char *text = r == RC_OK ? json_dumps(summary, JSON_COMPACT) : NULL;
    json_decref(summary);
    if (r != RC_OK) return r;
    if (!text) return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    r = listq_one(
        db, f, out,
        "SELECT json_object('from', ?5, 'to', ?6, 'area_id', ?4, 'summary', json(?7),"
        " 'totals', (SELECT json_object(" FIG_SUMS ") FROM " FIG_SEL "),"
        " 'by_kind', json((SELECT json_group_array(json_object('kind', kind, 'label_zh', label_zh, 'label_en', label_en,"
        "   'activities', n, 'participants', p, 'people_served', s)) FROM (SELECT g.*, k.label_zh, k.label_en FROM"
        "   (SELECT x.kind, count(*) AS n, sum(x.participants) AS p, sum(x.people_served) AS s FROM " FIG_SEL " GROUP BY x.kind) g"
        "   LEFT JOIN categories k ON k.domain = 'activity' AND k.code = g.kind ORDER BY coalesce(k.sort, 999), g.kind))),"
        " 'by_organiser', json((SELECT json_group_array(json_object('org_id', org_id, 'name', name, 'kind', kind,"
        "   'activities', n, 'participants', p, 'people_served', s)) FROM (SELECT g.*, o.name, o.kind FROM"
        "   (SELECT ao.org_id, count(*) AS n, sum(x.participants) AS p, sum(x.people_served) AS s FROM activity_organisers ao"
        "   JOIN " FIG_SEL " AND x.id = ao.activity_id GROUP BY ao.org_id ORDER BY n DESC, ao.org_id LIMIT 50) g"
        "   JOIN orgs o ON o.id = g.org_id ORDER BY g.n DESC, g.org_id))),"
        " 'by_area', json((SELECT json_group_array(json_object('area_id', area_id, 'name', name,"
        "   'activities', n, 'participants', p, 'people_served', s)) FROM (SELECT g.*, ar.name, ar.code FROM"
        "   (SELECT x.area_id, count(*) AS n, sum(x.participants) AS p, sum(x.people_served) AS s FROM " FIG_SEL
        "   GROUP BY x.area_id) g LEFT JOIN areas ar ON ar.id = g.area_id ORDER BY ar.code IS NULL, ar.code))),"
        " 'by_month', json((SELECT json_group_array(json_object('month', month, 'activities', n, 'participants', p,"
        "   'people_served', s)) FROM (SELECT substr(x.starts_at, 1, 7) AS month, count(*) AS n, sum(x.participants) AS p,"
        "   sum(x.people_served) AS s FROM " FIG_SEL " GROUP BY month ORDER BY month))))",
        SCOPE_FMT "Nttt", SCOPE_ARGS(a), area_id, from, to, text);
    free(text);
    return r;
}
