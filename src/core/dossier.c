/*
 * dossier.c — the dossier engine; see dossier.h.
 *
 * Writing a change: load the projection (scoped), check the action against the type declaration
 * and the actor, validate its fields, build the event (payload in canonical JSON: sorted keys,
 * compact), chain its hash to the previous event, apply it to the projection with the same
 * function `sanqu rebuild` uses, and write event, projection, search index and audit row in one
 * transaction.
 *
 * Event hash (SHA-256, hex in the API) over the text
 *   "sanqu-event-v1\n" dossier_id "\n" seq "\n" at "\n" user_id "\n" action "\n" from "\n" to "\n"
 *   payload "\n" hex(prev_hash)
 * so that altering any stored column of any event breaks its own hash and every later link.
 */
#include "core/dossier.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/area.h"
#include "core/audit.h"
#include "core/blob.h"
#include "core/center.h"
#include "core/clock.h"
#include "core/dclock.h"
#include "core/dtype.h"
#include "core/listq.h"
#include "store/fts.h"
#include "store/scope.h"
#include "util/crypto.h"
#include "util/jsonh.h"
#include "util/timeutil.h"
#include "util/validate.h"

/* The projection of one dossier (the row in `dossiers`). */
typedef struct Proj {
    int64_t id;
    char type[32];
    char state[32];
    json_t *fields;          /* owned */
    int64_t created_by, handled_by;
    char state_since[11];
    int64_t limit_days;
    char warn_on[11], due_on[11];
    char supervision[16];
    int64_t supervisions;
    char closed_on[11];
    int64_t events;
    uint8_t last_hash[32];
    bool has_hash;
    char created_at[32], updated_at[32];
} Proj;

/* One event as stored. */
typedef struct Event {
    int64_t seq;
    char at[32];
    int64_t user_id;
    const char *username;
    const char *action;
    const char *from, *to;  /* states ("" when none) */
    json_t *payload;        /* borrowed */
} Event;

static void proj_free(Proj *p) {
    json_decref(p->fields);
    p->fields = NULL;
}

static const char *fstr(const Proj *p, const char *k) {
    json_t *v = json_object_get(p->fields, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t fint(const Proj *p, const char *k) {
    json_t *v = json_object_get(p->fields, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static void copy_str(char *dst, size_t n, const char *s) { snprintf(dst, n, "%s", s ? s : ""); }

/* Applies one event to a projection: the single definition of what each event means, shared by
 * live writes and `sanqu rebuild`. */
static void apply_event(const DType *t, Proj *p, const Event *e) {
    json_t *pf = json_object_get(e->payload, "fields");
    if (strcmp(e->action, "create") == 0) {
        json_decref(p->fields);
        p->fields = json_is_object(pf) ? json_deep_copy(pf) : json_object();
        p->created_by = e->user_id;
        copy_str(p->created_at, sizeof p->created_at, e->at);
        copy_str(p->type, sizeof p->type, t->name);
    } else if (strcmp(e->action, "comment") != 0 && strcmp(e->action, "attach") != 0) {
        json_t *decl = dtype_action(t, e->action);
        const char *list = json_string_value(json_object_get(decl, "append_to"));
        if (list && json_is_object(pf)) {
            /* A record added to a list (an application, an action taken): the fields with who and when. */
            json_t *arr = json_object_get(p->fields, list);
            if (!json_is_array(arr)) {
                arr = json_array();
                json_object_set_new(p->fields, list, arr);
            }
            json_t *rec = json_deep_copy(pf);
            json_object_set_new(rec, "seq", json_integer(e->seq));
            json_object_set_new(rec, "at", json_string(e->at));
            json_object_set_new(rec, "user_id", json_integer(e->user_id));
            json_array_append_new(arr, rec);
        } else if (json_is_object(pf)) {
            json_object_update(p->fields, pf);
        }
        if (json_is_true(json_object_get(decl, "marks_handler"))) p->handled_by = e->user_id;
        if (json_is_true(json_object_get(decl, "supervision"))) {
            copy_str(p->supervision, sizeof p->supervision, fstr(p, "level"));
            p->supervisions++;
        }
    }
    if (e->to && *e->to) copy_str(p->state, sizeof p->state, e->to);
    json_t *clk = json_object_get(e->payload, "clock");
    if (json_is_object(clk)) {
        copy_str(p->state_since, sizeof p->state_since, json_string_value(json_object_get(clk, "since")));
        p->limit_days = json_integer_value(json_object_get(clk, "limit_days"));
        copy_str(p->warn_on, sizeof p->warn_on, json_string_value(json_object_get(clk, "warn_on")));
        copy_str(p->due_on, sizeof p->due_on, json_string_value(json_object_get(clk, "due_on")));
    } else if (json_is_null(clk)) {
        copy_str(p->state_since, sizeof p->state_since, json_string_value(json_object_get(e->payload, "on")));
        p->limit_days = 0;
        p->warn_on[0] = p->due_on[0] = 0;
    }
    /* closed_on is the day a matter entered a final state; comments later do not move it. */
    if (e->to && *e->to) {
        if (dtype_state_final(t, p->state)) copy_str(p->closed_on, sizeof p->closed_on, json_string_value(json_object_get(e->payload, "on")));
        else p->closed_on[0] = 0;
    }
    copy_str(p->updated_at, sizeof p->updated_at, e->at);
    p->events = e->seq;
}

/* The event's hash; see the file comment. */
static void event_hash(int64_t dossier_id, const Event *e, const char *payload, const uint8_t *prev, uint8_t out[32]) {
    char prevhex[65] = "";
    if (prev) crypto_hex(prev, 32, prevhex);
    Buf b = BUF_INIT;
    buf_printf(&b, "sanqu-event-v1\n%lld\n%lld\n%s\n%lld\n%s\n%s\n%s\n", (long long)dossier_id, (long long)e->seq, e->at,
               (long long)e->user_id, e->action, e->from ? e->from : "", e->to ? e->to : "");
    buf_puts(&b, payload);
    buf_putc(&b, '\n');
    buf_puts(&b, prevhex);
    crypto_sha256(b.data, b.len, out);
    buf_free(&b);
}

/* ---- scope ------------------------------------------------------------------------------------ */

/* The scope for matters: departments and inspectors read the whole registry but see the matters
 * of their own organisation (handled by it, concerning it, or opened by them); leaders see all. */
const Actor *dossier_matter_scope(const Actor *a, Actor *tmp) {
    if (strcmp(a->role, "department") != 0 && strcmp(a->role, "inspector") != 0) return a;
    *tmp = *a;
    scope_own_subtree(tmp);
    return tmp;
}

/* ---- loading and writing projections ------------------------------------------------------- */

#define PROJ_COLS                                                                                   \
    "d.id, d.type, d.state, d.fields, coalesce(d.created_by, 0), coalesce(d.handled_by, 0),"          \
    " d.state_since, coalesce(d.limit_days, 0), coalesce(d.warn_on, ''), coalesce(d.due_on, ''),"     \
    " coalesce(d.supervision_level, ''), d.supervisions, coalesce(d.closed_on, ''), d.events, d.last_hash," \
    " d.created_at, d.updated_at"
#define DOS_SCOPE(d) DOSSIER_SCOPE(d)

static void read_proj(sqlite3_stmt *st, Proj *p) {
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, 0);
    copy_str(p->type, sizeof p->type, (const char *)sqlite3_column_text(st, 1));
    copy_str(p->state, sizeof p->state, (const char *)sqlite3_column_text(st, 2));
    p->fields = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
    if (!p->fields) p->fields = json_object();
    p->created_by = sqlite3_column_int64(st, 4);
    p->handled_by = sqlite3_column_int64(st, 5);
    copy_str(p->state_since, sizeof p->state_since, (const char *)sqlite3_column_text(st, 6));
    p->limit_days = sqlite3_column_int64(st, 7);
    copy_str(p->warn_on, sizeof p->warn_on, (const char *)sqlite3_column_text(st, 8));
    copy_str(p->due_on, sizeof p->due_on, (const char *)sqlite3_column_text(st, 9));
    copy_str(p->supervision, sizeof p->supervision, (const char *)sqlite3_column_text(st, 10));
    p->supervisions = sqlite3_column_int64(st, 11);
    copy_str(p->closed_on, sizeof p->closed_on, (const char *)sqlite3_column_text(st, 12));
    p->events = sqlite3_column_int64(st, 13);
    if (sqlite3_column_bytes(st, 14) == 32) {
        memcpy(p->last_hash, sqlite3_column_blob(st, 14), 32);
        p->has_hash = true;
    }
    copy_str(p->created_at, sizeof p->created_at, (const char *)sqlite3_column_text(st, 15));
    copy_str(p->updated_at, sizeof p->updated_at, (const char *)sqlite3_column_text(st, 16));
}

/* Loads the projection of a dossier visible to the actor; RC_NOT_FOUND otherwise. */
static Rc load_proj(Db *db, const Actor *a, int64_t id, Proj *p, Fail *f) {
    sqlite3_stmt *st = db_q(db, f, "SELECT " PROJ_COLS " FROM dossiers d WHERE " DOS_SCOPE("d") " AND d.id = ?5",
                            SCOPE_FMT "ii", SCOPE_ARGS(a), a->user_id, id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) read_proj(st, p);
    db_done(st);
    if (rc == SQLITE_ROW) return RC_OK;
    if (rc == SQLITE_DONE) return rc_fail(f, RC_NOT_FOUND, "dossier %lld not found", (long long)id);
    return db_fail(db, f, rc, __FILE__, __LINE__);
}

/* The capacity a dossier takes from resources (an "allocations" field) is part of its projection:
 * rows in resource_uses, none once the dossier is in a state that releases them. */
static Rc write_uses(Db *db, const Proj *p, Fail *f) {
    const DType *t = dtype_get(p->type);
    if (!t) return RC_OK;
    const char *k;
    json_t *fd;
    Rc r = RC_OK;
    json_object_foreach(json_object_get(t->decl, "fields"), k, fd) {
        if (strcmp(json_string_value(json_object_get(fd, "type")), "allocations") != 0) continue;
        r = db_run(db, f, "DELETE FROM resource_uses WHERE dossier_id = ?", "i", p->id);
        if (dtype_has(json_object_get(fd, "released_in"), p->state)) break;
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(p->fields, k), i, x) {
            if (r != RC_OK) break;
            r = db_run(db, f, "INSERT INTO resource_uses(resource_id, dossier_id, quantity) VALUES (?, ?, ?)", "iiI",
                       (int64_t)json_integer_value(json_object_get(x, "resource_id")), p->id,
                       (int64_t)json_integer_value(json_object_get(x, "quantity")));
        }
        break;
    }
    return r;
}

/* Writes the projection row (insert when new), and the search index for title and body. */
static Rc write_proj(Db *db, const Proj *p, bool is_new, Fail *f) {
    char *fields = json_dumps(p->fields, JSON_COMPACT | JSON_SORT_KEYS);
    if (!fields) return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    const char *title = fstr(p, "title");
    const char *priority = fstr(p, "priority");
    const char *sql = is_new
        ? "INSERT INTO dossiers(type, state, title, area_id, org_id, handler_org_id, priority, fields, created_by,"
          " handled_by, state_since, limit_days, warn_on, due_on, supervision_level, supervisions, closed_on, events,"
          " last_hash, version, created_at, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
          " ?, ?, ?, ?)"
        : "UPDATE dossiers SET type = ?, state = ?, title = ?, area_id = ?, org_id = ?, handler_org_id = ?, priority = ?,"
          " fields = ?, created_by = ?, handled_by = ?, state_since = ?, limit_days = ?, warn_on = ?, due_on = ?,"
          " supervision_level = ?, supervisions = ?, closed_on = ?, events = ?, last_hash = ?, version = ?,"
          " created_at = ?, updated_at = ? WHERE id = ?";
    Rc r = db_run(db, f, sql, "tttIIIttIItItttitibitti", p->type, p->state, title ? title : "", fint(p, "area_id"),
                  fint(p, "org_id"), fint(p, "handler_org_id"), priority ? priority : "normal", fields, p->created_by,
                  p->handled_by, p->state_since, p->limit_days, p->warn_on[0] ? p->warn_on : NULL,
                  p->due_on[0] ? p->due_on : NULL, p->supervision[0] ? p->supervision : NULL, p->supervisions,
                  p->closed_on[0] ? p->closed_on : NULL, p->events, p->has_hash ? (const void *)p->last_hash : NULL, 32,
                  p->events, p->created_at, p->updated_at, p->id);
    free(fields);
    if (r == RC_OK) r = write_uses(db, p, f);
    return r;
}

/* ---- clock ---------------------------------------------------------------------------------- */

void dossier_set_calendar(const struct Calendar *cal) { dclock_set(cal); }

const char *dossier_time_status(const char *warn_on, const char *due_on, const char *today) {
    if (!due_on || !*due_on) return "none";
    if (strcmp(today, due_on) > 0) return "red";
    if (warn_on && *warn_on && strcmp(today, warn_on) >= 0) return "yellow";
    return "green";
}

/* The clock part of a payload for a limit of days starting today (NULL when days <= 0: the state
 * has no limit). Flags a year without a calendar in "unknown_year". */
static json_t *clock_json(const char *today, int days) {
    if (days <= 0) return json_null();
    char warn[11], due[11];
    int unknown = 0;
    if (!dclock_limit(today, days, warn, due, &unknown)) return json_null();
    json_t *c = json_pack("{s:s, s:i, s:s, s:s}", "since", today, "limit_days", days, "warn_on", warn, "due_on", due);
    if (unknown) json_object_set_new(c, "unknown_year", json_integer(unknown));
    return c;
}

/* ---- validation ------------------------------------------------------------------------------ */

static bool has_control(const char *s, bool text) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == 0x7f || (*p < 0x20 && !(text && (*p == '\n' || *p == '\r' || *p == '\t')))) return true;
    return false;
}

/* A reference to a dossier of the declared type ("of"), visible to the actor, in one of the
 * declared states ("states") when given. */
static bool check_dossier_ref(Db *db, const Actor *a, json_t *decl, const char *name, int64_t id, Fail *f) {
    const char *of = json_string_value(json_object_get(decl, "of"));
    sqlite3_stmt *st = db_q(db, f, "SELECT d.type, d.state FROM dossiers d WHERE " DOS_SCOPE("d") " AND d.id = ?5",
                            SCOPE_FMT "ii", SCOPE_ARGS(a), a->user_id, id);
    if (!st) return false;
    bool ok = false;
    if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), of) != 0) {
        fail_field(f, name, "reference", json_pack("{s:I, s:s}", "id", (json_int_t)id, "type", of));
    } else {
        json_t *states = json_object_get(decl, "states");
        const char *state = (const char *)sqlite3_column_text(st, 1);
        if (states && !dtype_has(states, state))
            fail_field(f, name, "state", json_pack("{s:I, s:s, s:O}", "id", (json_int_t)id, "state", state, "allowed", states));
        else ok = true;
    }
    db_done(st);
    return ok;
}

/* Capacity of a resource not yet taken by other dossiers (self excluded), or -1 when the resource
 * does not exist or is not valid today. */
static int64_t resource_left(Db *db, int64_t rid, int64_t self, const char *today) {
    int64_t left = -1;
    Fail g = {0};
    if (db_int(db, &g, &left,
               "SELECT r.capacity - coalesce((SELECT sum(u.quantity) FROM resource_uses u WHERE u.resource_id = r.id"
               " AND u.dossier_id <> ?2), 0) FROM resources r WHERE r.id = ?1 AND r.valid_from <= ?3 AND"
               " (r.valid_to IS NULL OR r.valid_to >= ?3)", "iit", rid, self, today) != RC_OK)
        left = -1;
    fail_clear(&g);
    return left;
}

/* One item of a list field against the item declaration; a cleaned copy or NULL (error added as
 * name[i].key). */
static json_t *check_item(json_t *item_decl, const char *name, size_t i, json_t *v, Fail *f) {
    char where[96];
    if (!json_is_object(v)) {
        snprintf(where, sizeof where, "%s[%zu]", name, i);
        fail_field(f, where, "type", json_pack("{s:s}", "expected", "object"));
        return NULL;
    }
    json_t *out = json_object();
    bool bad = false;
    const char *k;
    json_t *kd;
    json_object_foreach(item_decl, k, kd) {
        snprintf(where, sizeof where, "%s[%zu].%s", name, i, k);
        json_t *x = json_object_get(v, k);
        const char *it = json_string_value(json_object_get(kd, "type"));
        json_t *jmn = json_object_get(kd, "min"), *jmx = json_object_get(kd, "max");
        bool empty = !x || json_is_null(x) || (json_is_string(x) && json_string_length(x) == 0);
        if (empty) {
            if (json_is_true(json_object_get(kd, "required"))) { fail_field(f, where, "required", NULL); bad = true; }
            continue;
        }
        if (strcmp(it, "int") == 0) {
            if (!json_is_integer(x) || (jmn && json_integer_value(x) < json_integer_value(jmn)) ||
                (jmx && json_integer_value(x) > json_integer_value(jmx))) {
                fail_field(f, where, "range", NULL);
                bad = true;
                continue;
            }
        } else if (!json_is_string(x)) {
            fail_field(f, where, "type", json_pack("{s:s}", "expected", "string"));
            bad = true;
            continue;
        } else if (strcmp(it, "date") == 0) {
            if (!val_date(json_string_value(x))) { fail_field(f, where, "date", NULL); bad = true; continue; }
        } else {
            size_t n = val_utf8_len(json_string_value(x));
            if (has_control(json_string_value(x), strcmp(it, "text") == 0) || (jmx && n > (size_t)json_integer_value(jmx)) ||
                (jmn && n < (size_t)json_integer_value(jmn))) {
                fail_field(f, where, "format", NULL);
                bad = true;
                continue;
            }
        }
        json_object_set(out, k, x);
    }
    if (bad) { json_decref(out); return NULL; }
    return out;
}

/* Array-valued fields: orgs (organisation ids), dossiers (ids of a declared type), allocations
 * ({resource_id, quantity} within each resource's capacity left), list (objects of a declared
 * shape). "min"/"max" bound the number of entries. */
static json_t *check_array(Db *db, const Actor *a, json_t *decl, const char *type, const char *name, json_t *v,
                           int64_t self, Fail *f) {
    if (!json_is_array(v)) { fail_field(f, name, "type", json_pack("{s:s}", "expected", "array")); return NULL; }
    json_t *jmin = json_object_get(decl, "min"), *jmax = json_object_get(decl, "max");
    size_t n = json_array_size(v);
    size_t mx = jmax ? (size_t)json_integer_value(jmax) : 50;
    if ((jmin && n < (size_t)json_integer_value(jmin)) || n > mx) {
        fail_field(f, name, "count", json_pack("{s:I, s:I}", "min", (json_int_t)(jmin ? json_integer_value(jmin) : 0), "max", (json_int_t)mx));
        return NULL;
    }
    char today[11];
    time_today(today, sizeof today);
    json_t *out = json_array();
    bool bad = false;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (strcmp(type, "list") == 0) {
            json_t *item = check_item(json_object_get(decl, "item"), name, i, x, f);
            if (item) json_array_append_new(out, item);
            else bad = true;
            continue;
        }
        json_t *idv = strcmp(type, "allocations") == 0 ? json_object_get(x, "resource_id") : x;
        if (!json_is_integer(idv) || json_integer_value(idv) <= 0) {
            fail_field(f, name, "reference", json_pack("{s:I}", "index", (json_int_t)i));
            bad = true;
            break;
        }
        int64_t id = json_integer_value(idv);
        for (size_t j = 0; j < i; j++) {
            json_t *y = json_array_get(v, j);
            json_t *yid = strcmp(type, "allocations") == 0 ? json_object_get(y, "resource_id") : y;
            if (json_is_integer(yid) && json_integer_value(yid) == id) {
                fail_field(f, name, "duplicate", json_pack("{s:I}", "id", (json_int_t)id));
                bad = true;
            }
        }
        if (bad) break;
        if (strcmp(type, "orgs") == 0) {
            int64_t found = 0;
            Fail g = {0};
            if (db_int(db, &g, &found, "SELECT id FROM orgs WHERE id = ?", "i", id) != RC_OK) {
                fail_field(f, name, "reference", json_pack("{s:I}", "id", (json_int_t)id));
                bad = true;
            }
            fail_clear(&g);
            json_array_append_new(out, json_integer(id));
        } else if (strcmp(type, "dossiers") == 0) {
            if (!check_dossier_ref(db, a, decl, name, id, f)) bad = true;
            json_array_append_new(out, json_integer(id));
        } else {
            json_t *q = json_object_get(x, "quantity");
            if (!json_is_integer(q) || json_integer_value(q) <= 0 || json_integer_value(q) > 1000000000) {
                fail_field(f, name, "quantity", json_pack("{s:I}", "resource_id", (json_int_t)id));
                bad = true;
                continue;
            }
            int64_t left = resource_left(db, id, self, today);
            if (left < 0) {
                fail_field(f, name, "reference", json_pack("{s:I}", "resource_id", (json_int_t)id));
                bad = true;
            } else if (json_integer_value(q) > left) {
                fail_field(f, name, "capacity", json_pack("{s:I, s:I, s:I}", "resource_id", (json_int_t)id, "left", (json_int_t)left,
                                                          "asked", (json_int_t)json_integer_value(q)));
                bad = true;
            }
            json_array_append_new(out, json_pack("{s:I, s:I}", "resource_id", (json_int_t)id, "quantity", (json_int_t)json_integer_value(q)));
        }
    }
    if (bad) { json_decref(out); return NULL; }
    return out;
}

/* Validates one field value against its declaration; adds a field error when bad. Returns the
 * value to store (new reference) or NULL. */
static json_t *check_value(Db *db, const Actor *a, const DType *t, const char *name, json_t *v, int64_t self, Fail *f) {
    json_t *decl = dtype_field(t, name);
    const char *type = json_string_value(json_object_get(decl, "type"));
    json_t *jmin = json_object_get(decl, "min"), *jmax = json_object_get(decl, "max");
    long long mn = jmin ? json_integer_value(jmin) : 0, mx = jmax ? json_integer_value(jmax) : 0;
    if (strcmp(type, "orgs") == 0 || strcmp(type, "dossiers") == 0 || strcmp(type, "allocations") == 0 ||
        strcmp(type, "list") == 0)
        return check_array(db, a, decl, type, name, v, self, f);
    if (strcmp(type, "category") == 0) {
        if (!json_is_string(v)) { fail_field(f, name, "type", json_pack("{s:s}", "expected", "string")); return NULL; }
        int64_t x = 0;
        Fail g = {0};
        Rc r = db_int(db, &g, &x, "SELECT 1 FROM categories WHERE domain = ? AND code = ? AND active = 1", "tt",
                      json_string_value(json_object_get(decl, "domain")), json_string_value(v));
        fail_clear(&g);
        if (r != RC_OK) { fail_field(f, name, "category", json_pack("{s:s}", "domain", json_string_value(json_object_get(decl, "domain")))); return NULL; }
        return json_incref(v);
    }
    if (strcmp(type, "dossier") == 0) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) { fail_field(f, name, "reference", NULL); return NULL; }
        return check_dossier_ref(db, a, decl, name, json_integer_value(v), f) ? json_incref(v) : NULL;
    }
    if (strcmp(type, "money") == 0) {
        if (!json_is_integer(v)) { fail_field(f, name, "type", json_pack("{s:s}", "expected", "integer (fen)")); return NULL; }
        json_int_t x = json_integer_value(v);
        if (x < 0 || (jmax && x > mx)) {
            fail_field(f, name, "range", json_pack("{s:I, s:I}", "min", (json_int_t)0, "max", (json_int_t)(jmax ? mx : 0)));
            return NULL;
        }
        return json_incref(v);
    }
    if (strcmp(type, "string") == 0 || strcmp(type, "text") == 0 || strcmp(type, "enum") == 0 || strcmp(type, "date") == 0) {
        if (!json_is_string(v)) {
            fail_field(f, name, "type", json_pack("{s:s}", "expected", "string"));
            return NULL;
        }
        const char *s = json_string_value(v);
        size_t n = val_utf8_len(s);
        if (strcmp(type, "enum") == 0) {
            if (!dtype_has(json_object_get(decl, "values"), s)) {
                fail_field(f, name, "enum", json_pack("{s:O}", "allowed", json_object_get(decl, "values")));
                return NULL;
            }
        } else if (strcmp(type, "date") == 0) {
            if (!val_date(s)) { fail_field(f, name, "date", NULL); return NULL; }
        } else if (has_control(s, strcmp(type, "text") == 0)) {
            fail_field(f, name, "format", NULL);
            return NULL;
        } else if (mn && n < (size_t)mn) {
            fail_field_n(f, name, "min_length", "min", mn);
            return NULL;
        } else if (mx && n > (size_t)mx) {
            fail_field_n(f, name, "max_length", "max", mx);
            return NULL;
        }
        return json_incref(v);
    }
    if (strcmp(type, "bool") == 0) {
        if (!json_is_boolean(v)) { fail_field(f, name, "type", json_pack("{s:s}", "expected", "boolean")); return NULL; }
        return json_incref(v);
    }
    if (!json_is_integer(v)) {
        fail_field(f, name, "type", json_pack("{s:s}", "expected", "integer"));
        return NULL;
    }
    json_int_t x = json_integer_value(v);
    if (strcmp(type, "int") == 0) {
        if ((jmin && x < mn) || (jmax && x > mx)) {
            fail_field(f, name, "range", json_pack("{s:I, s:I}", "min", (json_int_t)mn, "max", (json_int_t)mx));
            return NULL;
        }
        return json_incref(v);
    }
    if (x <= 0) { fail_field(f, name, "reference", NULL); return NULL; }
    int64_t found = 0;
    Fail g = {0};
    Rc r;
    if (strcmp(type, "org") == 0) {
        if (strcmp(json_string_value(json_object_get(decl, "scope")) ? json_string_value(json_object_get(decl, "scope")) : "", "district") == 0)
            r = db_int(db, &g, &found, "SELECT id FROM orgs WHERE id = ?", "i", (int64_t)x);
        else
            r = db_int(db, &g, &found, "SELECT o.id FROM orgs o WHERE " SCOPE_ORG("o") " AND o.id = ?", SCOPE_FMT "i",
                       SCOPE_ARGS(a), (int64_t)x);
    } else if (strcmp(type, "area") == 0) {
        r = db_int(db, &g, &found, "SELECT a.id FROM areas a WHERE " SCOPE_AREA("a") " AND a.id = ?", SCOPE_FMT "i",
                   SCOPE_ARGS(a), (int64_t)x);
    } else if (strcmp(type, "center") == 0) {
        r = db_int(db, &g, &found, "SELECT c.id FROM centers c WHERE " CENTER_SCOPE("c") " AND c.id = ?", SCOPE_FMT "i",
                   SCOPE_ARGS(a), (int64_t)x);
    } else if (strcmp(type, "meeting") == 0) {
        r = db_int(db, &g, &found, "SELECT m.id FROM meetings m JOIN areas a ON a.id = m.area_id WHERE " SCOPE_AREA("a")
                   " AND m.id = ?", SCOPE_FMT "i", SCOPE_ARGS(a), (int64_t)x);
    } else {
        r = db_int(db, &g, &found, "SELECT id FROM users WHERE id = ?", "i", (int64_t)x);
    }
    fail_clear(&g);
    if (r != RC_OK) { fail_field(f, name, "reference", NULL); return NULL; }
    return json_incref(v);
}

/* Rules between fields, checked after each value on its own: "pick_from": {"list": L, "key": K}
 * — the value must equal K of one of the records in the dossier's list L (the lead chosen among
 * the applicants); "not_before": F — a date no earlier than field F (given now or stored); and for
 * an action that appends to a records field declared "unique": K, no earlier record with the same
 * K; "covers": F on an allocations field — each resource serves the area in field F. current is
 * the dossier's fields (NULL when creating). */
static void check_relations(Db *db, const DType *t, json_t *current, json_t *decl, json_t *fields, Fail *f) {
    const char *k;
    json_t *v;
    json_object_foreach(fields, k, v) {
        json_t *fd = dtype_field(t, k);
        const char *covers = json_string_value(json_object_get(fd, "covers"));
        if (covers && json_is_array(v)) {
            /* Allocations from resources that serve the dossier's area (or the whole district). */
            json_t *area = json_object_get(fields, covers);
            if (!area) area = json_object_get(current, covers);
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x) {
                int64_t ok = 0, rid = json_integer_value(json_object_get(x, "resource_id"));
                Fail g = {0};
                if (json_is_integer(area) &&
                    db_int(db, &g, &ok, "SELECT 1 FROM resources r WHERE r.id = ?1 AND (r.all_areas = 1 OR EXISTS (SELECT 1 FROM"
                           " resource_areas x WHERE x.resource_id = r.id AND x.area_id = ?2))", "ii", rid,
                           (int64_t)json_integer_value(area)) != RC_OK)
                    fail_field(f, k, "area", json_pack("{s:I, s:O}", "resource_id", (json_int_t)rid, "area_id", area));
                fail_clear(&g);
            }
        }
        json_t *pick = json_object_get(fd, "pick_from");
        if (pick) {
            json_t *list = json_object_get(current, json_string_value(json_object_get(pick, "list")));
            const char *key = json_string_value(json_object_get(pick, "key"));
            bool found = false;
            size_t i;
            json_t *rec;
            json_array_foreach(list, i, rec) found = found || json_equal(json_object_get(rec, key), v);
            if (!found) fail_field(f, k, "not_listed", json_pack("{s:s}", "list", json_string_value(json_object_get(pick, "list"))));
        }
        const char *nb = json_string_value(json_object_get(fd, "not_before"));
        if (nb && json_is_string(v)) {
            json_t *other = json_object_get(fields, nb);
            if (!other) other = json_object_get(current, nb);
            if (json_is_string(other) && strcmp(json_string_value(v), json_string_value(other)) < 0)
                fail_field(f, k, "before", json_pack("{s:s, s:O}", "field", nb, "value", other));
        }
    }
    const char *list = json_string_value(json_object_get(decl, "append_to"));
    const char *ukey = list ? json_string_value(json_object_get(dtype_field(t, list), "unique")) : NULL;
    json_t *uv = ukey ? json_object_get(fields, ukey) : NULL;
    if (uv) {
        size_t i;
        json_t *rec;
        json_array_foreach(json_object_get(current, list), i, rec)
            if (json_equal(json_object_get(rec, ukey), uv)) {
                fail_field(f, ukey, "duplicate", json_pack("{s:s}", "list", list));
                break;
            }
    }
}

/* Collects the fields an action (or create) takes from `in`: the required ones must be there. */
static json_t *take_fields(Db *db, const Actor *a, const DType *t, json_t *spec, json_t *in, bool trusted, int64_t self, Fail *f) {
    json_t *out = json_object();
    json_t *lists[2] = {json_object_get(spec, "required"), json_object_get(spec, "optional")};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *nv;
        json_array_foreach(lists[l], i, nv) {
            const char *name = json_string_value(nv);
            json_t *v = json_object_get(in, name);
            /* Internal fields (a dossier's meeting) are set by their own module, not by clients. */
            if (!trusted && json_is_true(json_object_get(dtype_field(t, name), "internal"))) {
                if (v && !json_is_null(v)) fail_field(f, name, "internal", NULL);
                continue;
            }
            bool empty = !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
            if (empty) {
                if (l == 0) fail_field(f, name, "required", NULL);
                continue;
            }
            json_t *ok = check_value(db, a, t, name, v, self, f);
            if (ok) json_object_set_new(out, name, ok);
        }
    }
    return out;
}

/* ---- who may act --------------------------------------------------------------------------- */

/* The actor's relation to one dossier, worked out once (two queries at most) and reused for
 * every role test of a request. */
typedef struct Relation {
    int handler;   /* -1 unknown, 0 no, 1 yes: the actor's organisation is the handler or above it */
    int convener;  /* -1 unknown, 0 no, 1 yes: the actor convenes the dossier's area */
} Relation;

static bool is_handler(Db *db, const Actor *a, const Proj *p, Relation *rel) {
    if (rel->handler < 0) {
        int64_t h = fint(p, "handler_org_id"), x = 0;
        rel->handler = 0;
        /* The district itself is above every organisation: its people (leaders, committee
         * secretaries) supervise and verify, they do not handle. */
        bool district_root = a->org_path[0] == '/' && strchr(a->org_path + 1, '/') && !strchr(strchr(a->org_path + 1, '/') + 1, '/');
        if (h && a->org_path[0] && (!district_root || h == a->org_id)) {
            /* The handler lies in the actor's subtree: path in [org_path, org_path with its last
             * '/' raised to '0'). */
            char hi[160];
            snprintf(hi, sizeof hi, "%s", a->org_path);
            hi[strlen(hi) - 1] = '0';
            Fail g = {0};
            rel->handler = db_int(db, &g, &x, "SELECT 1 FROM orgs h WHERE h.id = ? AND h.path >= ? AND h.path < ?", "itt", h,
                                  a->org_path, hi) == RC_OK;
            fail_clear(&g);
        }
    }
    return rel->handler == 1;
}

static bool is_convener(Db *db, const Actor *a, const Proj *p, Relation *rel) {
    if (rel->convener < 0) {
        int64_t x = 0;
        Fail g = {0};
        rel->convener = db_int(db, &g, &x, "SELECT 1 FROM areas WHERE id = ? AND convener_id = ?", "ii", fint(p, "area_id"),
                               a->user_id) == RC_OK;
        fail_clear(&g);
    }
    return rel->convener == 1;
}

/* True when the actor holds one of the roles, read in the dossier's context. */
static bool actor_may_rel(Db *db, const Actor *a, json_t *roles, const Proj *p, Relation *rel) {
    size_t i;
    json_t *rv;
    json_array_foreach(roles, i, rv) {
        const char *r = json_string_value(rv);
        if (strcmp(r, "@handler") == 0) {
            if (is_handler(db, a, p, rel)) return true;
        } else if (strcmp(r, "@convener") == 0) {
            if (is_convener(db, a, p, rel)) return true;
        } else if (strcmp(r, a->role) == 0) {
            /* A committee acts for its own area only. */
            if (strcmp(r, "committee") == 0 && a->area_id != fint(p, "area_id")) continue;
            return true;
        }
    }
    return false;
}

static bool actor_may(Db *db, const Actor *a, json_t *roles, const Proj *p) {
    Relation rel = {-1, -1};
    return actor_may_rel(db, a, roles, p, &rel);
}

/* Actions the actor may take now, as a JSON array of names (new reference). */
static json_t *allowed_actions(Db *db, const Actor *a, const DType *t, const Proj *p) {
    json_t *out = json_array();
    Relation rel = {-1, -1};
    const char *name;
    json_t *decl;
    json_object_foreach(json_object_get(t->decl, "actions"), name, decl) {
        if (!dtype_has(json_object_get(decl, "from"), p->state)) continue;
        if (json_is_true(json_object_get(decl, "not_by_handler")) && p->handled_by == a->user_id) continue;
        if (json_is_true(json_object_get(decl, "internal"))) continue;
        if (actor_may_rel(db, a, json_object_get(decl, "roles"), p, &rel)) json_array_append_new(out, json_string(name));
    }
    return out;
}

/* ---- writes --------------------------------------------------------------------------------- */

/* Appends an event to the dossier inside the caller's transaction: hash chain, event row, then the
 * projection through apply_event. payload is borrowed. */
static Rc append_event(Db *db, const Actor *a, const DType *t, Proj *p, bool is_new, const char *action,
                       const char *to, json_t *payload, int64_t *event_id, Fail *f) {
    char *canon = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    if (!canon) return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    char from[32];
    copy_str(from, sizeof from, is_new ? "" : p->state);
    Event e = {.seq = p->events + 1, .user_id = a->user_id, .username = a->username, .action = action,
               .from = from, .to = to ? to : "", .payload = payload};
    time_iso(time_now(), e.at, sizeof e.at);
    uint8_t h[32];
    event_hash(p->id, &e, canon, p->has_hash ? p->last_hash : NULL, h);
    Rc r = db_run(db, f,
                  "INSERT INTO dossier_events(dossier_id, seq, at, user_id, username, action, from_state, to_state,"
                  " payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  "iitItttttbb", p->id, e.seq, e.at, e.user_id, e.username, action, from[0] ? from : NULL,
                  to ? to : NULL, canon, p->has_hash ? (const void *)p->last_hash : NULL, 32, (const void *)h, 32);
    free(canon);
    if (r != RC_OK) return r;
    if (event_id) *event_id = db_last_id(db);
    apply_event(t, p, &e);
    memcpy(p->last_hash, h, 32);
    p->has_hash = true;
    /* A comment or an attachment changes only the log's length and head: updating those columns
     * alone leaves the dossier's indexes and counters untouched (a third fewer pages written). */
    if (!is_new && (strcmp(action, "comment") == 0 || strcmp(action, "attach") == 0))
        return db_run(db, f, "UPDATE dossiers SET events = ?, last_hash = ?, version = ?, updated_at = ? WHERE id = ?", "ibiti",
                      p->events, (const void *)p->last_hash, 32, p->events, p->updated_at, p->id);
    return write_proj(db, p, is_new, f);
}

/* Rows of the search index are numbered by their dossier (migration 010), newest dossier lowest:
 * the title and body are row FTS_ROW(id, 0), a comment FTS_ROW(id, its sequence number in the
 * log), so that the rows of one dossier are together and a search walks the index forwards (FTS5
 * reads a posting list forwards two to three times faster than backwards: 33 against 228 µs for
 * the first 21 rows of 路灯 over a million dossiers). A comment past FTS_SEQ_MAX events of one
 * dossier (16.7 million) is kept in the log but not indexed. */
#define FTS_ID_MAX ((INT64_C(1) << 39) - 1)
#define FTS_ROW(id, seq) (((FTS_ID_MAX - (int64_t)(id)) << 24) | (int64_t)(seq))
#define FTS_DOSSIER(row) (FTS_ID_MAX - ((row) >> 24))
enum { FTS_SEQ_MAX = (1 << 24) - 1 };

/* The dossier's title and body for the search index. The index keeps no copy of its texts
 * (migration 012): a changed dossier's old row is taken out with the 'delete' command and the
 * text it was indexed with, old_title and old_body (old_title NULL for a new dossier). */
#define INDEXED_TEXT "? || char(10) || coalesce(?, '')"
static Rc index_text(Db *db, const Proj *p, const char *old_title, const char *old_body, Fail *f) {
    Rc r = RC_OK;
    if (old_title)
        r = db_run(db, f, "INSERT INTO dossiers_fts(dossiers_fts, rowid, text) VALUES ('delete', ?, " INDEXED_TEXT ")",
                   "itt", FTS_ROW(p->id, 0), old_title, old_body);
    if (r == RC_OK)
        r = db_run(db, f, "INSERT INTO dossiers_fts(rowid, text) VALUES (?, " INDEXED_TEXT ")", "itt", FTS_ROW(p->id, 0),
                   fstr(p, "title"), fstr(p, "body"));
    return r;
}

static Rc cascade(Db *db, const Actor *a, json_t *c, const Proj *src, Fail *f);

static Rc create_impl(Db *db, const Actor *actor, json_t *in, bool trusted, int64_t *id, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    const char *tn = jh_str(in, "type");
    const DType *t = dtype_get(tn);
    if (!t) {
        json_t *allowed = json_array();
        for (const char *const *n = dtype_names(); *n; n++) json_array_append_new(allowed, json_string(*n));
        fail_field(f, "type", tn ? "enum" : "required", json_pack("{s:o}", "allowed", allowed));
        return fail_fields(f);
    }
    json_t *create = json_object_get(t->decl, "create");
    /* A role the type never lets open one is refused first; then the fields (a missing area is
     * named as such); then whether this role may open it there. */
    bool role_listed = dtype_has(json_object_get(create, "roles"), a->role) ||
                       dtype_has(json_object_get(create, "roles"), "@handler") ||
                       dtype_has(json_object_get(create, "roles"), "@convener");
    if (!role_listed) return rc_fail(f, RC_FORBIDDEN, "the role %s may not open a %s", a->role, t->name);
    json_t *fields = take_fields(db, a, t, create, in, trusted, 0, f);
    check_relations(db, t, NULL, NULL, fields, f);
    if (fail_nfields(f) == 0) {
        Proj probe = {.fields = json_incref(fields)};
        bool may = actor_may(db, a, json_object_get(create, "roles"), &probe);
        proj_free(&probe);
        if (!may) {
            json_decref(fields);
            return rc_fail(f, RC_FORBIDDEN, "the role %s may not open a %s here", a->role, t->name);
        }
    }
    const char *fk;
    json_t *fd;
    json_object_foreach(json_object_get(t->decl, "fields"), fk, fd)
        if (json_object_get(fd, "default") && !json_object_get(fields, fk))
            json_object_set(fields, fk, json_object_get(fd, "default"));
    Rc r = fail_fields(f);
    if (r != RC_OK) { json_decref(fields); return r; }
    char today[11];
    time_today(today, sizeof today);
    const char *initial = json_string_value(json_object_get(t->decl, "initial"));
    const char *priority = json_string_value(json_object_get(fields, "priority"));
    json_t *payload = json_pack("{s:s, s:o, s:s, s:o}", "type", t->name, "fields", fields, "on", today, "clock",
                                clock_json(today, dtype_state_limit(t, initial, priority)));
    if ((r = db_begin(db, f)) != RC_OK) { json_decref(payload); return r; }
    Proj p = {.fields = json_object()};
    r = db_int(db, f, &p.id, "SELECT coalesce(max(id), 0) + 1 FROM dossiers", NULL);
    if (r == RC_OK) r = append_event(db, a, t, &p, true, "create", initial, payload, NULL, f);
    if (r == RC_OK) r = index_text(db, &p, NULL, NULL, f);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "create", "dossier", p.id, "ok", json_pack("{s:s}", "type", t->name));
    if (r == RC_OK) r = cascade(db, a, json_object_get(create, "cascade"), &p, f);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    else *id = p.id;
    proj_free(&p);
    json_decref(payload);
    return r;
}

/* Appends the event of an action already checked (fields validated, owned: taken over), with
 * its clock: a supervision restarts the clock with its own limit, a final state stops it, any
 * other new state starts that state's limit. `extra` (borrowed, may be NULL) is merged into the
 * payload. Writes the search index when the title or body changed, and the audit row. */
static Rc take_action(Db *db, const Actor *a, const DType *t, Proj *p, const char *action, json_t *decl, json_t *fields,
                      json_t *extra, Fail *f) {
    const char *to = json_string_value(json_object_get(decl, "to"));
    char today[11];
    time_today(today, sizeof today);
    json_t *payload = json_pack("{s:o, s:s}", "fields", fields, "on", today);
    if (extra) json_object_update(payload, extra);
    json_int_t limit_override = json_integer_value(json_object_get(fields, "limit_days"));
    const char *priority = json_object_get(fields, "priority") ? json_string_value(json_object_get(fields, "priority"))
                                                               : fstr(p, "priority");
    if (json_is_true(json_object_get(decl, "supervision")))
        json_object_set_new(payload, "clock", clock_json(today, (int)limit_override));
    else if (to && dtype_state_final(t, to))
        json_object_set_new(payload, "clock", json_null());
    else if (to && strcmp(to, p->state) != 0)
        json_object_set_new(payload, "clock",
                            clock_json(today, limit_override > 0 ? (int)limit_override : dtype_state_limit(t, to, priority)));
    /* The text the index holds for the dossier, before the action changes it. */
    bool retext = json_object_get(fields, "title") || json_object_get(fields, "body");
    char *old_title = retext && fstr(p, "title") ? strdup(fstr(p, "title")) : NULL;
    char *old_body = retext && fstr(p, "body") ? strdup(fstr(p, "body")) : NULL;
    Rc r = (retext && fstr(p, "title") && !old_title) || (retext && fstr(p, "body") && !old_body)
               ? rc_fail(f, RC_UNAVAILABLE, "out of memory")
               : append_event(db, a, t, p, false, action, to, payload, NULL, f);
    if (r == RC_OK && retext) r = index_text(db, p, old_title, old_body, f);
    free(old_title);
    free(old_body);
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "update", "dossier", p->id, "ok",
                        json_pack("{s:s, s:s}", "action", action, "state", p->state));
    json_decref(payload);
    return r;
}

/* Runs a declared cascade (see dtype.c check_cascade) after an event of src, in the same
 * transaction: the action is taken on every dossier the field names whose state allows it, as the
 * same user, its event recording where it came from. Cascaded actions do not cascade again. */
static Rc cascade(Db *db, const Actor *a, json_t *c, const Proj *src, Fail *f) {
    if (!c) return RC_OK;
    json_t *v = json_object_get(src->fields, json_string_value(json_object_get(c, "field")));
    const char *action = json_string_value(json_object_get(c, "action"));
    const char *set = json_string_value(json_object_get(c, "set"));
    json_t *ids = json_is_array(v) ? json_incref(v) : json_pack("[O]", v ? v : json_null());
    Rc r = RC_OK;
    size_t i;
    json_t *idv;
    json_array_foreach(ids, i, idv) {
        if (!json_is_integer(idv) || r != RC_OK) continue;
        sqlite3_stmt *st = db_q(db, f, "SELECT " PROJ_COLS " FROM dossiers d WHERE d.id = ?", "i", (int64_t)json_integer_value(idv));
        if (!st) { r = f->rc; break; }
        Proj q;
        bool found = sqlite3_step(st) == SQLITE_ROW;
        if (found) read_proj(st, &q);
        db_done(st);
        if (!found) continue;
        const DType *qt = dtype_get(q.type);
        json_t *decl = qt ? dtype_action(qt, action) : NULL;
        if (decl && dtype_has(json_object_get(decl, "from"), q.state)) {
            json_t *fields = json_object();
            if (set) json_object_set_new(fields, set, json_integer(src->id));
            json_t *extra = json_pack("{s:{s:I, s:s}}", "cascade", "dossier_id", (json_int_t)src->id, "type", src->type);
            r = take_action(db, a, qt, &q, action, decl, fields, extra, f);
            json_decref(extra);
        }
        proj_free(&q);
    }
    json_decref(ids);
    return r;
}

static Rc act_impl(Db *db, const Actor *actor, int64_t id, const char *action, json_t *in, int64_t if_version, bool trusted, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    Proj p;
    if ((r = load_proj(db, a, id, &p, f)) != RC_OK) { db_rollback(db); return r; }
    const DType *t = dtype_get(p.type);
    json_t *decl = t ? dtype_action(t, action) : NULL;
    if (!t) {
        r = rc_fail(f, RC_INTERNAL, "dossier %lld has an unknown type %s", (long long)id, p.type);
    } else if (!decl) {
        r = rc_fail(f, RC_NOT_FOUND, "a %s has no action %s", t->name, action);
    } else if (if_version > 0 && if_version != p.events) {
        fail_extra(f, "current_version", json_integer(p.events));
        r = rc_fail(f, RC_PRECONDITION, "the dossier is at version %lld; reload and retry", (long long)p.events);
    } else if (!dtype_has(json_object_get(decl, "from"), p.state)) {
        fail_extra(f, "state", json_string(p.state));
        fail_extra(f, "allowed_actions", allowed_actions(db, a, t, &p));
        r = rc_fail(f, RC_CONFLICT, "%s is not possible in the state %s", action, p.state);
    } else if (!trusted && json_is_true(json_object_get(decl, "internal"))) {
        fail_extra(f, "state", json_string(p.state));
        fail_extra(f, "allowed_actions", allowed_actions(db, a, t, &p));
        r = rc_fail(f, RC_CONFLICT, "%s is taken through its own route (for carry: POST /api/v1/meetings/{id}/carry)", action);
    } else if (!actor_may(db, a, json_object_get(decl, "roles"), &p)) {
        r = rc_fail(f, RC_FORBIDDEN, "you may not %s this dossier", action);
    } else if (json_is_true(json_object_get(decl, "not_by_handler")) && p.handled_by == a->user_id) {
        r = rc_fail(f, RC_FORBIDDEN, "the one who handled a matter cannot %s it", action);
    } else {
        size_t i;
        json_t *nv;
        json_array_foreach(json_object_get(decl, "needs"), i, nv)
            if (!json_object_get(p.fields, json_string_value(nv))) {
                r = rc_fail(f, RC_CONFLICT, "%s needs %s first", action, json_string_value(nv));
                break;
            }
    }
    if (r == RC_OK) {
        json_t *fields = take_fields(db, a, t, decl, in, trusted, id, f);
        check_relations(db, t, p.fields, decl, fields, f);
        r = fail_fields(f);
        if (r != RC_OK) json_decref(fields);
        else r = take_action(db, a, t, &p, action, decl, fields, NULL, f);
        if (r == RC_OK) r = cascade(db, a, json_object_get(decl, "cascade"), &p, f);
    }
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    proj_free(&p);
    return r;
}

Rc dossier_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) { return create_impl(db, a, in, false, id, f); }
Rc dossier_create_trusted(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) { return create_impl(db, a, in, true, id, f); }
Rc dossier_act(Db *db, const Actor *a, int64_t id, const char *action, json_t *in, int64_t if_version, Fail *f) {
    return act_impl(db, a, id, action, in, if_version, false, f);
}
Rc dossier_act_trusted(Db *db, const Actor *a, int64_t id, const char *action, json_t *in, int64_t if_version, Fail *f) {
    return act_impl(db, a, id, action, in, if_version, true, f);
}

/* The answer to a comment (see dossier.h): its event as the log lists it, and the dossier's new
 * head. Built from what the write knows: no read after it. */
static void comment_answer(const Proj *p, const Actor *a, const uint8_t *prev, json_t *payload, Buf *out) {
    char ph[65] = "", h[65];
    if (prev) crypto_hex(prev, 32, ph);
    crypto_hex(p->last_hash, 32, h);
    json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:s, s:n, s:n, s:O, s:s?, s:s, s:{s:I, s:I, s:I, s:s, s:s}}", "seq",
                          (json_int_t)p->events, "at", p->updated_at, "user_id", (json_int_t)a->user_id, "username",
                          a->username, "action", "comment", "from_state", "to_state", "payload", payload, "prev_hash",
                          prev ? ph : NULL, "hash", h, "dossier", "id", (json_int_t)p->id, "version", (json_int_t)p->events,
                          "events", (json_int_t)p->events, "last_hash", h, "updated_at", p->updated_at);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    buf_puts(out, text ? text : "{}"); /* out of memory: the comment is written all the same */
    free(text);
    json_decref(j);
}

Rc dossier_comment(Db *db, const Actor *actor, int64_t id, const char *body, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    Proj p;
    if ((r = load_proj(db, a, id, &p, f)) != RC_OK) { db_rollback(db); return r; }
    const DType *t = dtype_get(p.type);
    char today[11];
    time_today(today, sizeof today);
    json_t *payload = json_pack("{s:s, s:s}", "comment", body, "on", today);
    uint8_t prev[32];
    bool had_prev = p.has_hash;
    memcpy(prev, p.last_hash, sizeof prev);
    r = t ? append_event(db, a, t, &p, false, "comment", NULL, payload, NULL, f) : rc_fail(f, RC_INTERNAL, "unknown type");
    /* Indexed when the batch commits: one search-index segment for the batch, not one each. */
    int64_t row = FTS_ROW(id, p.events);
    if (r == RC_OK && p.events <= FTS_SEQ_MAX)
        r = db_run_at_commit(db, f, row, "INSERT INTO dossiers_fts(rowid, text) VALUES (?, ?)", "it", row, body);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "dossier", id, "ok", json_pack("{s:s}", "action", "comment"));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    if (r == RC_OK && out) comment_answer(&p, a, had_prev ? prev : NULL, payload, out);
    json_decref(payload);
    proj_free(&p);
    return r;
}

/* ---- reads ---------------------------------------------------------------------------------- */

#define TIME_STATUS(d, today)                                                                        \
    "CASE WHEN " d ".closed_on IS NOT NULL OR " d ".due_on IS NULL THEN 'none' WHEN " today " > " d    \
    ".due_on THEN 'red' WHEN " d ".warn_on IS NOT NULL AND " today " >= " d ".warn_on THEN 'yellow' ELSE 'green' END"

/* Records appended by actions (applications, actions taken) name organisations the reader may not
 * be able to look up (another volunteer team): each record gets, for every organisation field,
 * KEY_name, and user_name for the one who added it — read now, not stored in the log. Rewrites
 * the dossier JSON at out from offset `at` when the type has records; leaves it alone otherwise. */
static Rc name_records(Db *db, const DType *t, Buf *out, size_t at, Fail *f) {
    bool any = false;
    const char *k;
    json_t *fd;
    json_object_foreach(json_object_get(t->decl, "fields"), k, fd) any |= strcmp(json_string_value(json_object_get(fd, "type")), "records") == 0;
    if (!any) return RC_OK;
    json_t *d = json_loadb(out->data + at, out->len - at, 0, NULL);
    json_t *fields = json_object_get(d, "fields");
    json_object_foreach(json_object_get(t->decl, "fields"), k, fd) {
        if (strcmp(json_string_value(json_object_get(fd, "type")), "records") != 0) continue;
        size_t i;
        json_t *rec;
        json_array_foreach(json_object_get(fields, k), i, rec) {
            const char *rk;
            json_t *rv;
            void *tmp;
            json_object_foreach_safe(rec, tmp, rk, rv) {
                const char *rt = json_string_value(json_object_get(dtype_field(t, rk), "type"));
                bool user = strcmp(rk, "user_id") == 0;
                if (!json_is_integer(rv) || (!user && (!rt || strcmp(rt, "org") != 0))) continue;
                char name[200] = "", key[80];
                Fail g = {0};
                if (user) db_text(db, &g, name, sizeof name, "SELECT display_name FROM users WHERE id = ?", "i", (int64_t)json_integer_value(rv));
                else db_text(db, &g, name, sizeof name, "SELECT name FROM orgs WHERE id = ?", "i", (int64_t)json_integer_value(rv));
                fail_clear(&g);
                if (user) snprintf(key, sizeof key, "user_name");
                else snprintf(key, sizeof key, "%s_name", rk);
                if (name[0]) json_object_set_new(rec, key, json_string(name));
            }
        }
    }
    char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    if (!text) return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    out->len = at;
    buf_puts(out, text);
    free(text);
    return buf_oom(out) ? rc_fail(f, RC_UNAVAILABLE, "out of memory") : RC_OK;
}

Rc dossier_get(Db *db, const Actor *actor, int64_t id, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    size_t at = out->len;
    Proj p;
    Rc r = load_proj(db, a, id, &p, f);
    if (r != RC_OK) return r;
    const DType *t = dtype_get(p.type);
    json_t *allowed = t ? allowed_actions(db, a, t, &p) : json_array();
    char *as = json_dumps(allowed, JSON_COMPACT);
    json_decref(allowed);
    proj_free(&p);
    char today[11];
    time_today(today, sizeof today);
    r = listq_one(db, f, out,
                  "SELECT json_object('id', d.id, 'type', d.type, 'state', d.state, 'title', d.title,"
                  " 'area_id', d.area_id, 'area_name', ar.name, 'org_id', d.org_id, 'org_name', o.name,"
                  " 'handler_org_id', d.handler_org_id, 'handler_org_name', h.name, 'priority', d.priority,"
                  " 'fields', json(d.fields), 'created_by', d.created_by, 'created_by_name', cu.display_name,"
                  " 'handled_by', d.handled_by, 'handled_by_name', hu.display_name, 'state_since', d.state_since,"
                  " 'limit_days', d.limit_days, 'warn_on', d.warn_on, 'due_on', d.due_on,"
                  " 'time_status', " TIME_STATUS("d", "?1") ", 'supervision_level', d.supervision_level,"
                  " 'supervisions', d.supervisions, 'closed_on', d.closed_on, 'events', d.events,"
                  " 'last_hash', lower(hex(d.last_hash)), 'allowed_actions', json(?2), 'created_at', d.created_at,"
                  " 'updated_at', d.updated_at, 'version', d.events)"
                  " FROM dossiers d LEFT JOIN areas ar ON ar.id = d.area_id LEFT JOIN orgs o ON o.id = d.org_id"
                  " LEFT JOIN orgs h ON h.id = d.handler_org_id LEFT JOIN users cu ON cu.id = d.created_by"
                  " LEFT JOIN users hu ON hu.id = d.handled_by WHERE d.id = ?3",
                  "tti", today, as ? as : "[]", id);
    free(as);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "dossier %lld not found", (long long)id);
    if (r == RC_OK && t) r = name_records(db, t, out, at, f);
    return r;
}

Rc dossier_events(Db *db, const Actor *actor, int64_t id, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    Proj p;
    Rc r = load_proj(db, a, id, &p, f);
    if (r != RC_OK) return r;
    proj_free(&p);
    return listq_one(db, f, out,
                     "SELECT json_object('items', coalesce(json_group_array(json(j)), json('[]'))) FROM (SELECT"
                     " json_object('seq', e.seq, 'at', e.at, 'user_id', e.user_id, 'username', e.username,"
                     " 'display_name', u.display_name, 'action', e.action, 'from_state', e.from_state,"
                     " 'to_state', e.to_state, 'payload', json(e.payload), 'prev_hash', lower(hex(e.prev_hash)),"
                     " 'hash', lower(hex(e.hash))) AS j FROM dossier_events e LEFT JOIN users u ON u.id = e.user_id"
                     " WHERE e.dossier_id = ? ORDER BY e.seq)",
                     "i", id);
}

/* The UTC instant at which district day `day` (+ plus days) begins, as ISO 8601. */
static void district_day_start(const char *day, int plus, char out[32]) {
    ClockDay d;
    if (!clock_parse_day(day, &d)) {
        snprintf(out, 32, "%s", day);
        return;
    }
    time_iso(((int64_t)d + plus) * 86400 - 8 * 3600, out, 32);
}

/* List filters; each variant is assembled once (see org_list for the reasoning). Parameters:
 * ?1-?3 scope, ?4 user, ?5 type, ?6 state, ?7 area, ?8 org, ?9 handler, ?10 today, ?11 from,
 * ?12 to, ?13 cursor, ?14 limit, ?15 a JSON array of dossier ids (a search's candidates). */
enum {
    DF_TYPE = 1 << 0, DF_STATE = 1 << 1, DF_AREA = 1 << 2, DF_ORG = 1 << 3, DF_HANDLER = 1 << 4,
    DF_RED = 1 << 5, DF_YELLOW = 1 << 6, DF_GREEN = 1 << 7, DF_FROM = 1 << 8, DF_TO = 1 << 9,
    DF_ID = 1 << 10, DF_OPEN = 1 << 11, DF_SUPERVISED = 1 << 12, DF_CURSOR = 1 << 13, DF_SCOPED = 1 << 14,
    DF_VARIANTS = 1 << 15
};

static const char *const dossier_filter_sql[] = {
    " AND d.type = ?5",
    " AND d.state = ?6",
    " AND d.area_id = ?7",
    " AND d.org_id = ?8",
    " AND d.handler_org_id = ?9",
    " AND d.closed_on IS NULL AND d.due_on < ?10",
    " AND d.closed_on IS NULL AND d.warn_on <= ?10 AND d.due_on >= ?10",
    " AND d.closed_on IS NULL AND d.due_on IS NOT NULL AND (d.warn_on IS NULL OR d.warn_on > ?10)",
    " AND d.created_at >= ?11",
    " AND d.created_at < ?12",
    " AND d.id IN (SELECT value FROM json_each(?15))",
    " AND d.closed_on IS NULL",
    " AND d.supervision_level IS NOT NULL AND d.closed_on IS NULL",
    " AND d.id < ?13",
    " AND " DOS_SCOPE("d"),
};

static pthread_mutex_t dsql_mutex = PTHREAD_MUTEX_INITIALIZER;
static char *dossier_sql[DF_VARIANTS];

static const char *dossier_list_sql(int m) {
    pthread_mutex_lock(&dsql_mutex);
    if (!dossier_sql[m]) {
        Buf b = BUF_INIT;
        buf_puts(&b, "SELECT json_object('id', d.id, 'type', d.type, 'state', d.state, 'title', d.title,"
                     " 'area_id', d.area_id, 'area_name', ar.name, 'org_id', d.org_id, 'org_name', o.name,"
                     " 'handler_org_id', d.handler_org_id, 'handler_org_name', h.name, 'priority', d.priority,"
                     " 'state_since', d.state_since, 'warn_on', d.warn_on, 'due_on', d.due_on,"
                     " 'time_status', " TIME_STATUS("d", "?10") ", 'supervision_level', d.supervision_level,"
                     " 'closed_on', d.closed_on, 'created_at', d.created_at, 'updated_at', d.updated_at), d.id"
                     " FROM dossiers d LEFT JOIN areas ar ON ar.id = d.area_id LEFT JOIN orgs o ON o.id = d.org_id"
                     " LEFT JOIN orgs h ON h.id = d.handler_org_id WHERE 1");
        for (int i = 0; i < 15; i++)
            if (m & (1 << i)) buf_puts(&b, dossier_filter_sql[i]);
        buf_puts(&b, " ORDER BY d.id DESC LIMIT ?14");
        if (!buf_oom(&b)) dossier_sql[m] = buf_detach(&b);
        buf_free(&b);
    }
    const char *out = dossier_sql[m];
    pthread_mutex_unlock(&dsql_mutex);
    return out;
}

/* What a list statement binds, besides the variant's SQL. */
typedef struct ListArgs {
    const Actor *a;
    const DossierFilter *flt;
    char today[11];
    char from_utc[32], to_utc[32];
} ListArgs;

static sqlite3_stmt *list_stmt(Db *db, const ListArgs *x, const char *sql, int64_t cursor, int64_t limit, const char *ids,
                               Fail *f) {
    const DossierFilter *flt = x->flt;
    return db_q(db, f, sql, SCOPE_FMT "ittNNNtttiit", SCOPE_ARGS(x->a), x->a->user_id, flt->type, flt->state, flt->area_id,
                flt->org_id, flt->handler_org_id, x->today, flt->from ? x->from_utc : NULL, flt->to ? x->to_utc : NULL,
                cursor, limit, ids);
}

/* Appends the rendered rows of a list statement (column 0: the item's JSON, column 1: its
 * dossier) to the page, counting them in *n and keeping the last one's dossier in *last; then
 * finishes the statement. */
static Rc append_rows(Db *db, sqlite3_stmt *st, Buf *out, int *n, int64_t *last, Fail *f) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((*n)++) buf_putc(out, ',');
        buf_append(out, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
        *last = sqlite3_column_int64(st, 1);
    }
    db_done(st);
    return rc == SQLITE_DONE ? RC_OK : db_fail(db, f, rc, __FILE__, __LINE__);
}

/* Index rows a search reads for one page at most: a page the bound cuts short answers the
 * dossiers found with next_cursor at the last dossier looked at, and the next page goes on from
 * there (a scoped reader searching a word common elsewhere in the district). */
enum { SEARCH_SCAN_MAX = 4000, MAX_TERMS = 4 };
static int search_scan_max = SEARCH_SCAN_MAX;

void dossier_set_search_scan(int rows) { search_scan_max = rows > 0 ? rows : SEARCH_SCAN_MAX; }

/* One walk of the index per term, newest dossier first; the texts differ so that each is a
 * statement of its own in the connection's cache (they run at the same time). */
static const char *const walk_sql[MAX_TERMS] = {
    "SELECT rowid FROM dossiers_fts WHERE dossiers_fts MATCH ?1 AND rowid >= ?2 ORDER BY rowid -- 1",
    "SELECT rowid FROM dossiers_fts WHERE dossiers_fts MATCH ?1 AND rowid >= ?2 ORDER BY rowid -- 2",
    "SELECT rowid FROM dossiers_fts WHERE dossiers_fts MATCH ?1 AND rowid >= ?2 ORDER BY rowid -- 3",
    "SELECT rowid FROM dossiers_fts WHERE dossiers_fts MATCH ?1 AND rowid >= ?2 ORDER BY rowid -- 4",
};

/* Full text (DossierFilter.q): each term's rows of the index are walked newest dossier first
 * (row ids FTS_ROW: a dossier's rows are together; the cursor bounds the walks inside FTS5) and
 * the walks are merged: a dossier that every walk reaches holds every term (in its title and body
 * or any of its comments) and is checked against the list's filters by its primary key, until
 * the page is full. A page costs about as many index rows as it has items when the filters are
 * broad, and never more than search_scan_max rows. */
/* The walks of one search. */
typedef struct Walks {
    Db *db;
    Fail *f;
    int k;                      /* terms */
    sqlite3_stmt *st[MAX_TERMS];
    int64_t cur[MAX_TERMS];     /* the dossier each walk is at (0 once it has ended) */
    int scanned;                /* index rows read */
    bool ended;                 /* a walk has ended: no dossier further on holds every term */
    Rc r;
} Walks;

/* Moves walk i to its next row, or (past) to the first row of another dossier. */
static void walk_step(Walks *w, int i, bool past) {
    int64_t was = w->cur[i];
    do {
        int rc = sqlite3_step(w->st[i]);
        w->scanned++;
        if (rc == SQLITE_ROW) {
            w->cur[i] = FTS_DOSSIER(sqlite3_column_int64(w->st[i], 0));
        } else {
            w->cur[i] = 0;
            w->ended = true;
            if (rc != SQLITE_DONE) w->r = db_fail(w->db, w->f, rc, __FILE__, __LINE__);
        }
    } while (past && w->cur[i] == was && !w->ended);
}

static Rc dossier_search(Db *db, const ListArgs *x, int m, Buf *terms, int k, Buf *out, Fail *f) {
    const char *one_sql = dossier_list_sql(m | DF_ID);
    if (!one_sql) return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    /* Dossiers below the cursor: rows from that of the dossier just below it (a cursor above
     * every dossier number: from the start; 1: nothing is below it). */
    int64_t c = x->flt->cursor;
    int64_t from = c <= 0 || c - 1 >= FTS_ID_MAX ? 0 : c == 1 ? INT64_MAX : FTS_ROW(c - 1, 0);
    Walks w = {.db = db, .f = f, .k = k};
    for (int i = 0; i < k && w.r == RC_OK && !w.ended; i++) {
        w.st[i] = db_q(db, f, walk_sql[i], "ti", buf_str(&terms[i]), from);
        if (!w.st[i]) w.r = f->rc;
        else walk_step(&w, i, false);
    }
    /* Each step moves the walk that is furthest behind (at the highest dossier), so the highest
     * position falls at least every k steps and every page gets past what the last decided.
     * Dossiers that every walk reaches hold every term; they are checked against the filters in
     * batches of what the page still lacks (one statement for twenty candidates costs half of
     * twenty statements for one). */
    int limit = x->flt->limit > 0 ? x->flt->limit : 20;
    int bound = search_scan_max > k ? search_scan_max : k;
    int n = 0;
    int64_t last = 0; /* the last item's dossier */
    w.scanned = 0;
    Buf ids = BUF_INIT;
    buf_puts(out, "{\"items\":[");
    while (w.r == RC_OK && !w.ended && n < limit && w.scanned < bound) {
        int want = limit - n, got = 0;
        int64_t tail = 0;
        buf_reset(&ids);
        buf_putc(&ids, '[');
        while (w.r == RC_OK && !w.ended && got < want && w.scanned < bound) {
            int hi = 0;
            bool same = true;
            for (int i = 1; i < k; i++) {
                if (w.cur[i] != w.cur[0]) same = false;
                if (w.cur[i] > w.cur[hi]) hi = i;
            }
            if (!same) {
                walk_step(&w, hi, false);
                continue;
            }
            tail = w.cur[0];
            buf_printf(&ids, "%s%lld", got++ ? "," : "", (long long)tail);
            for (int i = 0; i < k && w.r == RC_OK && !w.ended; i++) walk_step(&w, i, true);
        }
        buf_putc(&ids, ']');
        if (w.r != RC_OK || !got) break;
        if (buf_oom(&ids)) {
            w.r = rc_fail(f, RC_UNAVAILABLE, "out of memory");
            break;
        }
        sqlite3_stmt *st = list_stmt(db, x, one_sql, 0, want, buf_str(&ids), f);
        if (!st) {
            w.r = f->rc;
            break;
        }
        if ((w.r = append_rows(db, st, out, &n, &last, f)) != RC_OK) break;
        /* A full page ends at its last candidate: the next page starts below it. */
        if (n == limit && !w.ended && last == tail)
            for (int i = 0; i < k; i++) w.cur[i] = last - 1;
    }
    buf_free(&ids);
    /* Every dossier above the highest walk position is decided; the next page starts there. */
    int64_t resume = 0;
    for (int i = 0; i < k; i++) {
        if (w.cur[i] > resume) resume = w.cur[i];
        db_done(w.st[i]);
    }
    if (w.r != RC_OK) return w.r;
    if (!w.ended && resume > 0) buf_printf(out, "],\"next_cursor\":%lld}", (long long)(resume + 1));
    else buf_puts(out, "],\"next_cursor\":null}");
    return buf_oom(out) ? rc_fail(f, RC_UNAVAILABLE, "out of memory") : RC_OK;
}

Rc dossier_list(Db *db, const Actor *actor, const DossierFilter *flt, Buf *out, Fail *f) {
    Actor narrowed;
    ListArgs x = {.a = dossier_matter_scope(actor, &narrowed), .flt = flt};
    int m = (flt->type ? DF_TYPE : 0) | (flt->state ? DF_STATE : 0) | (flt->area_id > 0 ? DF_AREA : 0) |
            (flt->org_id > 0 ? DF_ORG : 0) | (flt->handler_org_id > 0 ? DF_HANDLER : 0) | (flt->from ? DF_FROM : 0) |
            (flt->to ? DF_TO : 0) | (flt->open_only ? DF_OPEN : 0) | (flt->supervised ? DF_SUPERVISED : 0) |
            (strcmp(x.a->scope_lo, "/") != 0 ? DF_SCOPED : 0);
    if (flt->time_status) {
        if (strcmp(flt->time_status, "red") == 0) m |= DF_RED;
        else if (strcmp(flt->time_status, "yellow") == 0) m |= DF_YELLOW;
        else m |= DF_GREEN;
    }
    time_today(x.today, sizeof x.today);
    /* from/to are district dates (UTC+8); created_at is UTC: compare with the UTC bounds. */
    if (flt->from) district_day_start(flt->from, 0, x.from_utc);
    if (flt->to) district_day_start(flt->to, 1, x.to_utc);
    if (flt->q) {
        Buf terms[MAX_TERMS] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
        int k = fts_terms(flt->q, terms, MAX_TERMS);
        bool oom = false;
        for (int i = 0; i < k; i++) oom |= buf_oom(&terms[i]);
        /* Nothing searchable (only punctuation): nothing is found. */
        Rc r = oom ? rc_fail(f, RC_UNAVAILABLE, "out of memory")
               : k ? dossier_search(db, &x, m, terms, k, out, f)
                   : (buf_puts(out, "{\"items\":[],\"next_cursor\":null}"), RC_OK);
        for (int i = 0; i < MAX_TERMS; i++) buf_free(&terms[i]);
        return r;
    }
    if (flt->cursor > 0) m |= DF_CURSOR;
    const char *sql = dossier_list_sql(m);
    int limit = flt->limit > 0 ? flt->limit : 20;
    sqlite3_stmt *st = sql ? list_stmt(db, &x, sql, flt->cursor, limit, NULL, f) : NULL;
    if (!st) return f->rc != RC_OK ? f->rc : rc_fail(f, RC_UNAVAILABLE, "out of memory");
    buf_puts(out, "{\"items\":[");
    int n = 0;
    int64_t last = 0;
    Rc r = append_rows(db, st, out, &n, &last, f);
    if (r != RC_OK) return r;
    if (n == limit) buf_printf(out, "],\"next_cursor\":%lld}", (long long)last);
    else buf_puts(out, "],\"next_cursor\":null}");
    return buf_oom(out) ? rc_fail(f, RC_UNAVAILABLE, "out of memory") : RC_OK;
}

/* ---- verify and rebuild --------------------------------------------------------------------- */

int dossier_verify(Db *db, FILE *out) {
    Fail f = {0};
    sqlite3_stmt *st = db_q(db, &f,
                            "SELECT e.dossier_id, e.seq, e.at, coalesce(e.user_id, 0), e.action, coalesce(e.from_state, ''),"
                            " coalesce(e.to_state, ''), e.payload, e.prev_hash, e.hash FROM dossier_events e"
                            " ORDER BY e.dossier_id, e.seq", NULL);
    if (!st) {
        fail_clear(&f);
        return -1;
    }
    int64_t cur = 0, expect_seq = 0, bad_dossier = 0, events = 0, dossiers = 0;
    int broken = 0;
    /* Dossiers reported broken, so that each is counted once. */
    int64_t *seen = NULL;
    size_t nseen = 0, capseen = 0;
    uint8_t prev[32];
    bool have_prev = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t did = sqlite3_column_int64(st, 0);
        if (did != cur) {
            cur = did;
            expect_seq = 1;
            have_prev = false;
            dossiers++;
        }
        events++;
        Event e = {.seq = sqlite3_column_int64(st, 1), .user_id = sqlite3_column_int64(st, 3),
                   .action = (const char *)sqlite3_column_text(st, 4), .from = (const char *)sqlite3_column_text(st, 5),
                   .to = (const char *)sqlite3_column_text(st, 6)};
        copy_str(e.at, sizeof e.at, (const char *)sqlite3_column_text(st, 2));
        const char *payload = (const char *)sqlite3_column_text(st, 7);
        const void *ph = sqlite3_column_blob(st, 8);
        int phn = sqlite3_column_bytes(st, 8);
        const void *hh = sqlite3_column_blob(st, 9);
        int hhn = sqlite3_column_bytes(st, 9);
        const char *why = NULL;
        uint8_t h[32];
        event_hash(did, &e, payload, have_prev ? prev : NULL, h);
        if (e.seq != expect_seq) why = "sequence gap (an event is missing or renumbered)";
        else if (have_prev ? (phn != 32 || memcmp(ph, prev, 32) != 0) : phn != 0) why = "prev_hash does not match the previous event";
        else if (hhn != 32 || memcmp(hh, h, 32) != 0) why = "hash does not match the event's content (altered)";
        if (why) {
            fprintf(out, "dossier %lld event %lld: %s\n", (long long)did, (long long)e.seq, why);
            if (bad_dossier != did) {
                broken++;
                if (nseen == capseen) {
                    capseen = capseen ? capseen * 2 : 16;
                    int64_t *ns = realloc(seen, capseen * sizeof *ns);
                    if (ns) seen = ns;
                    else capseen = nseen;
                }
                if (nseen < capseen) seen[nseen++] = did;
            }
            bad_dossier = did;
        }
        /* Continue the chain from what is stored, so one altered event is reported once. */
        if (hhn == 32) memcpy(prev, hh, 32);
        have_prev = true;
        expect_seq = e.seq + 1;
    }
    db_done(st);
    if (rc != SQLITE_DONE) {
        free(seen);
        return -1;
    }
    /* The projection must end where its log ends. */
    st = db_q(db, &f,
              "SELECT d.id FROM dossiers d WHERE d.last_hash IS NOT (SELECT e.hash FROM dossier_events e WHERE"
              " e.dossier_id = d.id ORDER BY e.seq DESC LIMIT 1) OR d.events <> (SELECT count(*) FROM dossier_events e"
              " WHERE e.dossier_id = d.id)", NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        int64_t did = sqlite3_column_int64(st, 0);
        fprintf(out, "dossier %lld: the projection does not end at the last event (run sanqu rebuild)\n", (long long)did);
        bool counted = false;
        for (size_t i = 0; i < nseen && !counted; i++) counted = seen[i] == did;
        if (!counted) broken++;
    }
    free(seen);
    db_done(st);
    fail_clear(&f);
    fprintf(out, "verified %lld events of %lld dossiers: %s\n", (long long)events, (long long)dossiers,
            broken ? "BROKEN" : "all chains intact");
    return broken;
}

int64_t dossier_rebuild(Db *db, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return -1;
    r = db_run(db, f, "INSERT INTO dossiers_fts(dossiers_fts) VALUES ('delete-all')", NULL);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM resource_uses", NULL);
    sqlite3_stmt *ids = r == RC_OK ? db_q(db, f, "SELECT DISTINCT dossier_id FROM dossier_events ORDER BY dossier_id", NULL) : NULL;
    int64_t *list = NULL;
    size_t n = 0, cap = 0;
    while (ids && sqlite3_step(ids) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            int64_t *nl = realloc(list, cap * sizeof *nl);
            if (!nl) { r = rc_fail(f, RC_UNAVAILABLE, "out of memory"); break; }
            list = nl;
        }
        list[n++] = sqlite3_column_int64(ids, 0);
    }
    db_done(ids);
    int64_t done = 0;
    for (size_t k = 0; k < n && r == RC_OK; k++) {
        Proj p = {.id = list[k], .fields = json_object()};
        const DType *t = NULL;
        bool exists = false;
        int64_t x;
        Fail g = {0};
        exists = db_int(db, &g, &x, "SELECT 1 FROM dossiers WHERE id = ?", "i", p.id) == RC_OK;
        fail_clear(&g);
        sqlite3_stmt *st = db_q(db, f,
                                "SELECT seq, at, coalesce(user_id, 0), action, coalesce(from_state, ''), coalesce(to_state, ''),"
                                " payload, hash, id FROM dossier_events WHERE dossier_id = ? ORDER BY seq", "i", p.id);
        int rc = SQLITE_DONE;
        while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            Event e = {.seq = sqlite3_column_int64(st, 0), .user_id = sqlite3_column_int64(st, 2),
                       .action = (const char *)sqlite3_column_text(st, 3), .from = (const char *)sqlite3_column_text(st, 4),
                       .to = (const char *)sqlite3_column_text(st, 5)};
            copy_str(e.at, sizeof e.at, (const char *)sqlite3_column_text(st, 1));
            e.payload = json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL);
            if (e.seq == 1) t = dtype_get(json_string_value(json_object_get(e.payload, "type")));
            if (t) apply_event(t, &p, &e);
            if (strcmp(e.action, "comment") == 0 && e.seq <= FTS_SEQ_MAX) {
                /* A statement of its own: the events statement is still being stepped. */
                Fail h = {0};
                sqlite3_stmt *ins = NULL;
                if (sqlite3_prepare_v2(db_handle(db), "INSERT INTO dossiers_fts(rowid, text) VALUES (?, ?)", -1,
                                       &ins, NULL) == SQLITE_OK) {
                    sqlite3_bind_int64(ins, 1, FTS_ROW(p.id, e.seq));
                    sqlite3_bind_text(ins, 2, json_string_value(json_object_get(e.payload, "comment")), -1, SQLITE_TRANSIENT);
                    if (sqlite3_step(ins) != SQLITE_DONE) r = db_fail(db, &h, sqlite3_errcode(db_handle(db)), __FILE__, __LINE__);
                }
                sqlite3_finalize(ins);
                fail_clear(&h);
            }
            if (sqlite3_column_bytes(st, 7) == 32) {
                memcpy(p.last_hash, sqlite3_column_blob(st, 7), 32);
                p.has_hash = true;
            }
            json_decref(e.payload);
        }
        db_done(st);
        if (rc != SQLITE_DONE) r = db_fail(db, f, rc, __FILE__, __LINE__);
        else if (!t) r = rc_fail(f, RC_INTERNAL, "dossier %lld: unknown type", (long long)p.id);
        if (r == RC_OK) r = write_proj(db, &p, !exists, f);
        if (r == RC_OK) r = index_text(db, &p, NULL, NULL, f);
        proj_free(&p);
        done++;
    }
    free(list);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) {
        db_rollback(db);
        return -1;
    }
    return done;
}

/* ---- supervision board ---------------------------------------------------------------------- */

Rc dossier_board(Db *db, const Actor *actor, int64_t area_id, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    char today[11];
    time_today(today, sizeof today);
#define BOARD_SET                                                                                   \
    "SELECT d.* FROM dossiers d WHERE " DOS_SCOPE("d") " AND d.closed_on IS NULL AND (?6 IS NULL OR d.area_id = ?6)" \
    " AND (d.warn_on <= ?5 OR d.supervision_level IS NOT NULL)"
    return listq_one(
        db, f, out,
        "WITH b AS (" BOARD_SET "), s AS (SELECT b.*, CASE WHEN ?5 > b.due_on THEN 'red' WHEN b.warn_on <= ?5 THEN 'yellow'"
        " ELSE 'green' END AS ts FROM b)"
        " SELECT json_object('today', ?5,"
        " 'totals', (SELECT json_object('red', count(*) FILTER (WHERE ts = 'red'), 'yellow', count(*) FILTER (WHERE ts = 'yellow'),"
        "   'supervised', count(*) FILTER (WHERE supervision_level = 'supervise'),"
        "   'listed', count(*) FILTER (WHERE supervision_level = 'listed')) FROM s),"
        " 'by_area', (SELECT coalesce(json_group_array(json_object('area_id', area_id, 'area_name', name, 'red', red,"
        "   'yellow', yellow, 'supervised', sup)), json('[]')) FROM (SELECT s.area_id, ar.name,"
        "   count(*) FILTER (WHERE ts = 'red') AS red, count(*) FILTER (WHERE ts = 'yellow') AS yellow,"
        "   count(*) FILTER (WHERE supervision_level IS NOT NULL) AS sup FROM s LEFT JOIN areas ar ON ar.id = s.area_id"
        "   GROUP BY s.area_id ORDER BY red DESC, yellow DESC)),"
        " 'by_handler', (SELECT coalesce(json_group_array(json_object('org_id', handler_org_id, 'name', name, 'red', red,"
        "   'yellow', yellow)), json('[]')) FROM (SELECT s.handler_org_id, o.name, count(*) FILTER (WHERE ts = 'red') AS red,"
        "   count(*) FILTER (WHERE ts = 'yellow') AS yellow FROM s LEFT JOIN orgs o ON o.id = s.handler_org_id"
        "   GROUP BY s.handler_org_id ORDER BY red DESC, yellow DESC LIMIT 50)),"
        " 'items', (SELECT coalesce(json_group_array(json(j)), json('[]')) FROM (SELECT json_object('id', s.id, 'type', s.type,"
        "   'state', s.state, 'title', s.title, 'area_id', s.area_id, 'area_name', ar.name, 'handler_org_name', h.name,"
        "   'due_on', s.due_on, 'time_status', s.ts, 'supervision_level', s.supervision_level,"
        "   'supervisions', s.supervisions) AS j FROM s LEFT JOIN areas ar ON ar.id = s.area_id"
        "   LEFT JOIN orgs h ON h.id = s.handler_org_id ORDER BY s.ts = 'red' DESC, s.due_on LIMIT 200)))",
        SCOPE_FMT "itN", SCOPE_ARGS(a), a->user_id, today, area_id);
#undef BOARD_SET
}

Rc dossier_figures(Db *db, const Actor *actor, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    char today[11];
    time_today(today, sizeof today);
#define MEETING_FIGURES                                                                             \
    " 'meetings', (SELECT count(*) FROM meetings m JOIN areas a ON a.id = m.area_id WHERE " SCOPE_AREA("a") ")," \
    " 'meetings_closed', (SELECT count(*) FROM meetings m JOIN areas a ON a.id = m.area_id WHERE "        \
    SCOPE_AREA("a") " AND m.status = 'closed'))"
    if (strcmp(a->scope_lo, "/") == 0)
        /* District-wide: trigger-kept counters only (dossier_counts, dossier_day_counts — migration
         * 009): a few index reads however many dossiers are open. */
        return listq_one(db, f, out,
                         "SELECT json_object("
                         " 'open', (SELECT coalesce(sum(CASE key WHEN 'total' THEN n WHEN 'closed' THEN -n END), 0)"
                         "   FROM dossier_counts WHERE key IN ('total', 'closed')),"
                         " 'written_off', coalesce((SELECT n FROM dossier_counts WHERE key = 'state:written_off'), 0),"
                         " 'closed', coalesce((SELECT n FROM dossier_counts WHERE key = 'closed'), 0),"
                         " 'red', (SELECT coalesce(sum(n), 0) FROM dossier_day_counts WHERE kind = 'due' AND day < ?5),"
                         " 'yellow', (SELECT coalesce(sum(n), 0) FROM dossier_day_counts WHERE kind = 'warn' AND day <= ?5)"
                         "   - (SELECT coalesce(sum(n), 0) FROM dossier_day_counts WHERE kind = 'due' AND day < ?5),"
                         " 'supervised', coalesce((SELECT n FROM dossier_counts WHERE key = 'sup:supervise'), 0),"
                         " 'listed', coalesce((SELECT n FROM dossier_counts WHERE key = 'sup:listed'), 0),"
                         " 'supervisions', coalesce((SELECT n FROM dossier_counts WHERE key = 'supervisions'), 0),"
                         MEETING_FIGURES,
                         SCOPE_FMT "it", SCOPE_ARGS(a), a->user_id, today);
    return listq_one(db, f, out,
                     "SELECT json_object('open', count(*) FILTER (WHERE d.closed_on IS NULL),"
                     " 'written_off', count(*) FILTER (WHERE d.state = 'written_off'),"
                     " 'closed', count(*) FILTER (WHERE d.closed_on IS NOT NULL),"
                     " 'red', count(*) FILTER (WHERE d.closed_on IS NULL AND d.due_on < ?5),"
                     " 'yellow', count(*) FILTER (WHERE d.closed_on IS NULL AND d.warn_on <= ?5 AND d.due_on >= ?5),"
                     " 'supervised', count(*) FILTER (WHERE d.supervision_level = 'supervise'),"
                     " 'listed', count(*) FILTER (WHERE d.supervision_level = 'listed'),"
                     " 'supervisions', coalesce(sum(d.supervisions), 0),"
                     MEETING_FIGURES
                     " FROM dossiers d WHERE " DOS_SCOPE("d"),
                     SCOPE_FMT "it", SCOPE_ARGS(a), a->user_id, today);
#undef MEETING_FIGURES
}

/* ---- attachments ---------------------------------------------------------------------------- */

Rc dossier_attach(Db *db, const Actor *actor, int64_t id, const char *dir, const char *name, const char *mime,
                  const void *data, size_t len, int64_t *aid, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    if (!name || !*name || !val_utf8(name, strlen(name)) || val_utf8_len(name) > 200 || has_control(name, false) || strchr(name, '/') || strchr(name, '\\'))
        fail_field(f, "name", "format", NULL);
    if (fail_nfields(f)) return fail_fields(f);
    if (!mime || !blob_type_ok(mime, data, len)) {
        fail_extra(f, "allowed", blob_types_json());
        return rc_fail(f, RC_MEDIA_TYPE, "the file is not of an accepted type, or not of the type it claims");
    }
    Proj p;
    Rc r = load_proj(db, a, id, &p, f); /* check visibility before storing anything */
    if (r != RC_OK) return r;
    proj_free(&p);
    uint8_t h[32];
    char hex[65];
    crypto_sha256(data, len, h);
    crypto_hex(h, 32, hex);
    if ((r = blob_store(dir, hex, data, len, f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    if ((r = load_proj(db, a, id, &p, f)) != RC_OK) {
        db_rollback(db);
        return r;
    }
    const DType *t = dtype_get(p.type);
    char today[11], at[32];
    time_today(today, sizeof today);
    time_iso(time_now(), at, sizeof at);
    json_t *payload = json_pack("{s:{s:s, s:s, s:s, s:I}, s:s}", "attachment", "sha256", hex, "name", name, "mime", mime, "size",
                                (json_int_t)len, "on", today);
    r = t ? append_event(db, a, t, &p, false, "attach", NULL, payload, NULL, f) : rc_fail(f, RC_INTERNAL, "unknown type");
    if (r == RC_OK)
        r = db_run(db, f, "INSERT INTO attachments(dossier_id, sha256, name, mime, size, user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   "ittti" "it", id, hex, name, mime, (int64_t)len, a->user_id, at);
    if (r == RC_OK) *aid = db_last_id(db);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "dossier", id, "ok", json_pack("{s:s, s:s}", "action", "attach", "sha256", hex));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    json_decref(payload);
    proj_free(&p);
    return r;
}

Rc dossier_attachments(Db *db, const Actor *actor, int64_t id, Buf *out, Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    Proj p;
    Rc r = load_proj(db, a, id, &p, f);
    if (r != RC_OK) return r;
    proj_free(&p);
    return listq_one(db, f, out,
                     "SELECT json_object('items', coalesce(json_group_array(json(j)), json('[]'))) FROM (SELECT json_object("
                     "'id', t.id, 'name', t.name, 'mime', t.mime, 'size', t.size, 'sha256', t.sha256, 'at', t.at,"
                     " 'user_id', t.user_id, 'display_name', u.display_name) AS j FROM attachments t LEFT JOIN users u"
                     " ON u.id = t.user_id WHERE t.dossier_id = ? ORDER BY t.id)", "i", id);
}

Rc dossier_attachment_open(Db *db, const Actor *actor, int64_t id, int64_t aid, const char *dir, int *fd, uint64_t *size,
                           char mime[128], char name[256], Fail *f) {
    Actor narrowed;
    const Actor *a = dossier_matter_scope(actor, &narrowed);
    Proj p;
    Rc r = load_proj(db, a, id, &p, f);
    if (r != RC_OK) return r;
    proj_free(&p);
    sqlite3_stmt *st = db_q(db, f, "SELECT sha256, mime, name, size FROM attachments WHERE id = ? AND dossier_id = ?", "ii", aid, id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    char hex[65] = "";
    if (rc == SQLITE_ROW) {
        copy_str(hex, sizeof hex, (const char *)sqlite3_column_text(st, 0));
        copy_str(mime, 128, (const char *)sqlite3_column_text(st, 1));
        copy_str(name, 256, (const char *)sqlite3_column_text(st, 2));
        *size = (uint64_t)sqlite3_column_int64(st, 3);
    }
    db_done(st);
    if (rc != SQLITE_ROW) return rc_fail(f, RC_NOT_FOUND, "attachment %lld not found", (long long)aid);
    char path[800];
    snprintf(path, sizeof path, "%s/%.2s/%s", dir, hex, hex);
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) return rc_fail(f, RC_UNAVAILABLE, "the stored file is missing");
    return RC_OK;
}

/* ---- bulk data for benchmarks --------------------------------------------------------------- */

Rc dossier_bulk(Db *db, const Actor *a, int64_t n, Fail *f) {
    static const char *const works[] = {"道路硬化改造", "排水管网改造", "路灯更换", "停车位规划", "交通安全隐患整治",
                                        "消防通道整改", "垃圾分类亭建设", "雨污分流改造", "电梯加装", "农贸市场环境整治",
                                        "防汛排涝点整治", "邻里书屋建设", "共享食堂选址", "充电桩安装", "立面整治"};
    const DType *t = dtype_get("agreed_item");
    if (!t) return rc_fail(f, RC_INTERNAL, "agreed_item is not declared");
    int64_t places[64], areas[16];
    int nplaces = 0, nareas = 0;
    sqlite3_stmt *st = db_q(db, f, "SELECT id FROM orgs WHERE kind = 'community' ORDER BY id LIMIT 64", NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) places[nplaces++] = sqlite3_column_int64(st, 0);
    db_done(st);
    st = db_q(db, f, "SELECT id FROM areas ORDER BY id LIMIT 16", NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) areas[nareas++] = sqlite3_column_int64(st, 0);
    db_done(st);
    if (!nplaces || !nareas) return rc_fail(f, RC_CONFLICT, "run the demo first");
    uint64_t rng = 99;
    int64_t next = 0;
    if (db_int(db, f, &next, "SELECT coalesce(max(id), 0) + 1 FROM dossiers", NULL) != RC_OK) return f->rc;
    Rc r = RC_OK;
    int64_t base_day = time_now() - 400 * 86400;
    for (int64_t done = 0; done < n && r == RC_OK;) {
        if ((r = db_begin(db, f)) != RC_OK) break;
        for (int k = 0; k < 20000 && done < n && r == RC_OK; k++, done++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            uint32_t x = (uint32_t)(rng >> 33);
            char title[160], place[64] = "";
            int64_t org = places[x % (uint32_t)nplaces];
            db_text(db, NULL, place, sizeof place, "SELECT name FROM orgs WHERE id = ?", "i", org);
            snprintf(title, sizeof title, "%s%s（第%lld号）", place, works[(x >> 8) % 15], (long long)(next + done));
            /* Spread creation over the last 400 days so that time status varies. */
            time_set_offset(base_day + (int64_t)((x >> 4) % 400) * 86400 - (int64_t)time(NULL));
            char today[11];
            time_today(today, sizeof today);
            json_t *fields = json_pack("{s:s, s:s, s:I, s:I, s:s}", "title", title, "body", "批量生成的议定事项，用于性能测试。",
                                       "area_id", (json_int_t)areas[(x >> 12) % (uint32_t)nareas], "org_id", (json_int_t)org,
                                       "priority", (x & 7) == 0 ? "urgent" : "normal");
            json_t *payload = json_pack("{s:s, s:o, s:s, s:o}", "type", t->name, "fields", fields, "on", today, "clock",
                                        clock_json(today, 3 + (int)((x >> 20) % 60)));
            Proj p = {.id = next + done, .fields = json_object()};
            r = append_event(db, a, t, &p, true, "create", "registered", payload, NULL, f);
            if (r == RC_OK) r = index_text(db, &p, NULL, NULL, f);
            proj_free(&p);
            json_decref(payload);
        }
        time_set_offset(0);
        if (r == RC_OK) r = db_commit(db, f);
        else db_rollback(db);
    }
    time_set_offset(0);
    return r;
}
