/*
 * meeting.c — see meeting.h.
 */
#include "core/meeting.h"

#include <stdio.h>
#include <string.h>

#include "core/area.h"
#include "core/audit.h"
#include "core/dossier.h"
#include "core/listq.h"
#include "store/scope.h"
#include "util/jsonh.h"
#include "util/timeutil.h"

#define MEETING_SCOPE "EXISTS (SELECT 1 FROM areas a WHERE a.id = m.area_id AND " SCOPE_AREA("a") ")"

Rc meeting_list(Db *db, const Actor *actor, int64_t area_id, const char *from, const char *to, const char *q, int page,
                int page_size, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
#define MEETING_WHERE                                                                              \
    " FROM meetings m JOIN areas ar ON ar.id = m.area_id WHERE " MEETING_SCOPE                      \
    " AND (?4 IS NULL OR m.area_id = ?4) AND (?5 IS NULL OR m.held_on >= ?5) AND (?6 IS NULL OR m.held_on <= ?6)" \
    " AND (?7 IS NULL OR instr(m.title, ?7) > 0 OR instr(coalesce(m.place, ''), ?7) > 0)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" MEETING_WHERE,
                     "SELECT json_object('id', m.id, 'area_id', m.area_id, 'area_name', ar.name, 'title', m.title,"
                     " 'held_on', m.held_on, 'place', m.place, 'status', m.status, 'closed_on', m.closed_on,"
                     " 'items', (SELECT count(*) FROM meeting_items mi WHERE mi.meeting_id = m.id),"
                     " 'items_open', (SELECT count(*) FROM meeting_items mi JOIN dossiers d ON d.id = mi.dossier_id"
                     "   WHERE mi.meeting_id = m.id AND d.closed_on IS NULL),"
                     " 'orgs', (SELECT count(*) FROM meeting_orgs mo WHERE mo.meeting_id = m.id), 'version', m.version)"
                     MEETING_WHERE " ORDER BY m.held_on DESC, m.id DESC LIMIT ?98 OFFSET ?99",
                     SCOPE_FMT "Nttt", SCOPE_ARGS(a), area_id, from, to, q);
#undef MEETING_WHERE
}

Rc meeting_get(Db *db, const Actor *actor, int64_t id, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    char today[11];
    time_today(today, sizeof today);
    Rc r = listq_one(
        db, f, out,
        "SELECT json_object('id', m.id, 'area_id', m.area_id, 'area_name', ar.name, 'title', m.title,"
        " 'held_on', m.held_on, 'place', m.place,"
        " 'convener', json(CASE WHEN cu.id IS NULL THEN NULL ELSE json_object('id', cu.id, 'display_name', cu.display_name) END),"
        " 'attendees', m.attendees, 'agenda', m.agenda, 'minutes', m.minutes, 'status', m.status, 'closed_on', m.closed_on,"
        " 'orgs', (SELECT json_group_array(json_object('id', o.id, 'name', o.name, 'kind', o.kind)) FROM meeting_orgs mo"
        "   JOIN orgs o ON o.id = mo.org_id WHERE mo.meeting_id = m.id),"
        " 'items', (SELECT json_group_array(json_object('dossier_id', d.id, 'role', mi.role, 'title', d.title,"
        "   'state', d.state, 'handler_org_name', h.name, 'due_on', d.due_on, 'closed_on', d.closed_on,"
        "   'supervision_level', d.supervision_level,"
        "   'time_status', CASE WHEN d.closed_on IS NOT NULL OR d.due_on IS NULL THEN 'none' WHEN ?4 > d.due_on THEN 'red'"
        "     WHEN d.warn_on IS NOT NULL AND ?4 >= d.warn_on THEN 'yellow' ELSE 'green' END,"
        "   'carried_to', (SELECT max(c.meeting_id) FROM meeting_items c WHERE c.dossier_id = d.id AND c.role = 'carried'"
        "     AND c.meeting_id <> m.id)))"
        "   FROM meeting_items mi JOIN dossiers d ON d.id = mi.dossier_id LEFT JOIN orgs h ON h.id = d.handler_org_id"
        "   WHERE mi.meeting_id = m.id),"
        " 'created_at', m.created_at, 'updated_at', m.updated_at, 'version', m.version)"
        " FROM meetings m JOIN areas ar ON ar.id = m.area_id LEFT JOIN users cu ON cu.id = m.convener_id"
        " WHERE " MEETING_SCOPE " AND m.id = ?5",
        SCOPE_FMT "ti", SCOPE_ARGS(a), today, id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "meeting %lld not found", (long long)id);
    return r;
}

/* Committees run their own area's meetings; leaders any. */
static Rc may_run(const Actor *a, int64_t area_id, Fail *f) {
    if (strcmp(a->role, "leader") == 0) return RC_OK;
    if (strcmp(a->role, "committee") == 0 && a->area_id == area_id) return RC_OK;
    return rc_fail(f, RC_FORBIDDEN, "only the area's committee or a district leader runs its meetings");
}

static const JField meeting_fields[] = {
    {"area_id", JF_ID, true, 0, 0, NULL, NULL, NULL},
    {"title", JF_STR, true, 1, 200, NULL, NULL, NULL},
    {"held_on", JF_DATE, true, 0, 0, NULL, NULL, NULL},
    {"place", JF_STR, false, 0, 200, NULL, NULL, NULL},
    {"attendees", JF_TEXT, false, 0, 2000, NULL, NULL, NULL},
    {"agenda", JF_TEXT, false, 0, 10000, NULL, NULL, NULL},
    {"minutes", JF_TEXT, false, 0, 50000, NULL, NULL, NULL},
    {"org_ids", JF_ARRAY, false, 0, 100, NULL, NULL, NULL},
    {"items", JF_ARRAY, false, 0, 100, NULL, NULL, NULL},
};

/* Creates one agreed item of meeting m (area area_id) and, with a handler, assigns it. Field
 * errors are reported as prefix.field. */
static Rc create_item(Db *db, const Actor *a, int64_t m, int64_t area_id, json_t *item, const char *prefix,
                      int64_t *did, Fail *f) {
    if (!json_is_object(item)) {
        fail_field(f, prefix, "type", json_pack("{s:s}", "expected", "object"));
        return RC_VALIDATION;
    }
    json_t *in = json_deep_copy(item);
    json_object_set_new(in, "type", json_string("agreed_item"));
    json_object_set_new(in, "area_id", json_integer(area_id));
    json_object_set_new(in, "meeting_id", json_integer(m));
    Fail g = {0};
    Rc r = dossier_create_trusted(db, a, in, did, &g);
    if (r == RC_OK && jh_int(item, "handler_org_id")) {
        json_t *assign = json_pack("{s:I}", "handler_org_id", (json_int_t)jh_int(item, "handler_org_id"));
        if (jh_int(item, "limit_days")) json_object_set_new(assign, "limit_days", json_integer(jh_int(item, "limit_days")));
        r = dossier_act_trusted(db, a, *did, "assign", assign, 0, &g);
        json_decref(assign);
    }
    if (r == RC_OK) r = db_run(db, &g, "INSERT INTO meeting_items(meeting_id, dossier_id, role) VALUES (?, ?, 'agreed')", "ii", m, *did);
    if (r == RC_VALIDATION) {
        size_t i;
        json_t *e;
        json_array_foreach(g.errors, i, e) {
            char field[96];
            snprintf(field, sizeof field, "%s.%s", prefix, json_string_value(json_object_get(e, "field")));
            json_t *params = json_object_get(e, "params");
            fail_field(f, field, json_string_value(json_object_get(e, "rule")), params ? json_incref(params) : NULL);
        }
    } else if (r != RC_OK) {
        rc_fail(f, r, "%s: %s", prefix, g.detail);
    }
    fail_clear(&g);
    json_decref(in);
    return r;
}

Rc meeting_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    jh_validate(in, meeting_fields, 9, f);
    int64_t area = jh_int(in, "area_id");
    if (area) {
        Fail g = {0};
        if (area_visible(db, a, area, &g) != RC_OK) fail_field(f, "area_id", "reference", NULL);
        fail_clear(&g);
    }
    json_t *orgs = json_object_get(in, "org_ids");
    size_t i;
    json_t *v;
    json_array_foreach(orgs, i, v) {
        int64_t x;
        char field[32];
        snprintf(field, sizeof field, "org_ids[%zu]", i);
        if (!json_is_integer(v) || db_int(db, NULL, &x, "SELECT org_id FROM area_members WHERE area_id = ? AND org_id = ?",
                                          "iI", area, (int64_t)json_integer_value(v)) != RC_OK)
            fail_field(f, field, "reference", json_pack("{s:s}", "expected", "a member of the area"));
    }
    Rc r = fail_fields(f);
    if (r == RC_OK) r = may_run(a, area, f);
    if (r != RC_OK) return r;
    int64_t convener = 0;
    db_int(db, NULL, &convener, "SELECT coalesce(convener_id, 0) FROM areas WHERE id = ?", "i", area);
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "INSERT INTO meetings(area_id, title, held_on, place, convener_id, attendees, agenda, minutes, created_by)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               "itttItttI", area, jh_str(in, "title"), jh_str(in, "held_on"), jh_str(in, "place"), convener,
               jh_str(in, "attendees"), jh_str(in, "agenda"), jh_str(in, "minutes"), a->user_id);
    int64_t m = db_last_id(db);
    json_array_foreach(orgs, i, v) {
        if (r != RC_OK) break;
        r = db_run(db, f, "INSERT OR IGNORE INTO meeting_orgs(meeting_id, org_id) VALUES (?, ?)", "ii", m,
                   (int64_t)json_integer_value(v));
    }
    json_array_foreach(json_object_get(in, "items"), i, v) {
        if (r != RC_OK && r != RC_VALIDATION) break;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "items[%zu]", i);
        int64_t did;
        Rc ri = create_item(db, a, m, area, v, prefix, &did, f);
        if (ri != RC_OK && r == RC_OK) r = ri;
    }
    if (r == RC_VALIDATION || fail_nfields(f)) r = fail_fields(f);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "create", "meeting", m, "ok", json_pack("{s:s?}", "title", jh_str(in, "title")));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    else *id = m;
    return r;
}

/* Loads area, status and version of a meeting in scope. */
static Rc load_meeting(Db *db, const Actor *actor, int64_t id, int64_t *area, char status[8], int64_t *version, char held[11], Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    sqlite3_stmt *st = db_q(db, f, "SELECT m.area_id, m.status, m.version, m.held_on FROM meetings m WHERE " MEETING_SCOPE
                            " AND m.id = ?", SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *area = sqlite3_column_int64(st, 0);
        snprintf(status, 8, "%s", (const char *)sqlite3_column_text(st, 1));
        *version = sqlite3_column_int64(st, 2);
        snprintf(held, 11, "%s", (const char *)sqlite3_column_text(st, 3));
    }
    db_done(st);
    if (rc == SQLITE_ROW) return RC_OK;
    if (rc == SQLITE_DONE) return rc_fail(f, RC_NOT_FOUND, "meeting %lld not found", (long long)id);
    return db_fail(db, f, rc, __FILE__, __LINE__);
}

/* Opens a write transaction and loads the meeting inside it, so that checks on its status and
 * version hold until the commit. On failure nothing is left open. */
static Rc begin_meeting(Db *db, const Actor *a, int64_t id, bool must_be_open, int64_t *area, int64_t *version,
                        char held[11], Fail *f) {
    char status[8];
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    r = load_meeting(db, a, id, area, status, version, held, f);
    if (r == RC_OK) r = may_run(a, *area, f);
    if (r == RC_OK && must_be_open && strcmp(status, "closed") == 0)
        r = rc_fail(f, RC_CONFLICT, "the meeting's follow-up is closed");
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc meeting_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    int64_t area, version;
    char held[11];
    Rc r = begin_meeting(db, a, id, false, &area, &version, held, f);
    if (r != RC_OK) return r;
    if (if_version > 0 && if_version != version) {
        fail_extra(f, "current_version", json_integer(version));
        r = rc_fail(f, RC_PRECONDITION, "the meeting is at version %lld; reload and retry", (long long)version);
    }
    if (r == RC_OK) {
        json_object_set_new(in, "area_id", json_integer(area)); /* a meeting stays in its area */
        jh_validate(in, meeting_fields, 7, f);
        r = fail_fields(f);
    }
    if (r == RC_OK)
        r = db_run(db, f, "UPDATE meetings SET title = ?, held_on = ?, place = ?, attendees = ?, agenda = ?, minutes = ?,"
                          " version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
                   "tttttti", jh_str(in, "title"), jh_str(in, "held_on"), jh_str(in, "place"), jh_str(in, "attendees"),
                   jh_str(in, "agenda"), jh_str(in, "minutes"), id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "meeting", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc meeting_add_item(Db *db, const Actor *a, int64_t id, json_t *item, int64_t *dossier_id, Fail *f) {
    int64_t area, version;
    char held[11];
    Rc r = begin_meeting(db, a, id, true, &area, &version, held, f);
    if (r != RC_OK) return r;
    r = create_item(db, a, id, area, item, "item", dossier_id, f);
    if (r == RC_VALIDATION) r = fail_fields(f);
    if (r == RC_OK) r = db_run(db, f, "UPDATE meetings SET version = version + 1 WHERE id = ?", "i", id);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc meeting_carry(Db *db, const Actor *a, int64_t id, int64_t dossier_id, Fail *f) {
    int64_t area, version;
    char held[11];
    Rc r = begin_meeting(db, a, id, true, &area, &version, held, f);
    if (r != RC_OK) return r;
    /* The item must be an open agreed item of an earlier meeting of the same area, not yet here. */
    int64_t ok = 0;
    Fail g = {0};
    Rc q = db_int(db, &g, &ok,
                  "SELECT 1 FROM dossiers d JOIN meeting_items mi ON mi.dossier_id = d.id JOIN meetings m ON m.id = mi.meeting_id"
                  " WHERE d.id = ? AND d.type = 'agreed_item' AND d.closed_on IS NULL AND d.area_id = ? AND m.id <> ?"
                  " AND m.held_on <= ? AND NOT EXISTS (SELECT 1 FROM meeting_items x WHERE x.meeting_id = ? AND x.dossier_id = d.id)",
                  "iiiti", dossier_id, area, id, held, id);
    fail_clear(&g);
    if (q != RC_OK) {
        fail_field(f, "dossier_id", "reference", json_pack("{s:s}", "expected", "an open item of an earlier meeting of this area"));
        r = fail_fields(f);
    }
    json_t *in = json_pack("{s:I}", "meeting_id", (json_int_t)id);
    if (r == RC_OK) r = dossier_act_trusted(db, a, dossier_id, "carry", in, 0, f);
    json_decref(in);
    if (r == RC_OK) r = db_run(db, f, "INSERT INTO meeting_items(meeting_id, dossier_id, role) VALUES (?, ?, 'carried')", "ii", id, dossier_id);
    if (r == RC_OK) r = db_run(db, f, "UPDATE meetings SET version = version + 1 WHERE id = ?", "i", id);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc meeting_close(Db *db, const Actor *a, int64_t id, Fail *f) {
    int64_t area, version;
    char held[11];
    Rc r = begin_meeting(db, a, id, true, &area, &version, held, f);
    if (r != RC_OK) return r;
    json_t *open = json_array();
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT d.id FROM meeting_items mi JOIN dossiers d ON d.id = mi.dossier_id WHERE mi.meeting_id = ?"
                            " AND d.closed_on IS NULL AND NOT EXISTS (SELECT 1 FROM meeting_items c JOIN meetings cm ON"
                            " cm.id = c.meeting_id WHERE c.dossier_id = d.id AND c.role = 'carried' AND c.meeting_id <> ?"
                            " AND cm.held_on >= ?)", "iit", id, id, held);
    while (st && sqlite3_step(st) == SQLITE_ROW) json_array_append_new(open, json_integer(sqlite3_column_int64(st, 0)));
    db_done(st);
    if (json_array_size(open) > 0) {
        fail_extra(f, "open_items", open);
        open = NULL;
        r = rc_fail(f, RC_CONFLICT, "every item must be written off or carried to a later meeting first");
    }
    json_decref(open);
    char today[11];
    time_today(today, sizeof today);
    if (r == RC_OK)
        r = db_run(db, f, "UPDATE meetings SET status = 'closed', closed_on = ?, version = version + 1,"
                          " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?", "ti", today, id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "meeting", id, "ok", json_pack("{s:s}", "action", "close"));
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}
