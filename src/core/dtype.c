/*
 * dtype.c — see dtype.h.
 */
#include "core/dtype.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/roles.h"
#include "store/sqlfn.h"

enum { MAX_TYPES = 32 };

static DType types[MAX_TYPES];
static const char *type_names[MAX_TYPES + 1];
static int ntypes;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_err[256];
static bool load_ok;

static const char *const field_types[] = {"string", "text", "enum", "int", "date", "org", "area", "user", "meeting", "bool",
                                          "money", "category", "orgs", "dossier", "dossiers", "allocations", "list",
                                          "records", "center", NULL};
static const char *const item_types[] = {"string", "text", "date", "int", NULL};
static const char *const category_domains[] = {"service", "activity", "bounty_action", NULL};

bool dtype_has(json_t *arr, const char *s) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

static bool in_list(const char *const *list, const char *s) {
    for (; *list; list++)
        if (strcmp(*list, s) == 0) return true;
    return false;
}

#define CHECK(cond, ...)                                    \
    do {                                                    \
        if (!(cond)) {                                      \
            snprintf(err, errsz, __VA_ARGS__);              \
            return false;                                   \
        }                                                   \
    } while (0)

/* Checks that arr is an array of field names declared in fields. */
static bool check_field_list(json_t *arr, json_t *fields, const char *where, char *err, size_t errsz) {
    if (!arr) return true;
    CHECK(json_is_array(arr), "%s must be an array", where);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        CHECK(json_is_string(v), "%s[%zu] must be a string", where, i);
        CHECK(json_object_get(fields, json_string_value(v)), "%s names an undeclared field '%s'", where,
              json_string_value(v));
    }
    return true;
}

static bool check_roles(json_t *arr, const char *where, char *err, size_t errsz) {
    CHECK(json_is_array(arr) && json_array_size(arr) > 0, "%s.roles must be a non-empty array", where);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        CHECK(json_is_string(v), "%s.roles[%zu] must be a string", where, i);
        const char *r = json_string_value(v);
        CHECK(role_valid(r) || strcmp(r, "@handler") == 0 || strcmp(r, "@convener") == 0,
              "%s.roles names an unknown role '%s'", where, r);
    }
    return true;
}

/* A cascade: {"field": F, "action": A} — F a dossier/dossiers field; A is taken on each dossier F
 * names (checked against that type when the engine runs it; a dossier whose state does not allow
 * A is left as it is). */
static bool check_cascade(json_t *c, json_t *fields, const char *where, char *err, size_t errsz) {
    if (!c) return true;
    CHECK(json_is_object(c), "%s: cascade must be an object", where);
    json_t *fd = json_object_get(fields, json_string_value(json_object_get(c, "field")) ? json_string_value(json_object_get(c, "field")) : "");
    const char *ft = fd ? json_string_value(json_object_get(fd, "type")) : NULL;
    CHECK(ft && (strcmp(ft, "dossier") == 0 || strcmp(ft, "dossiers") == 0), "%s: cascade.field must name a dossier field", where);
    CHECK(json_is_string(json_object_get(c, "action")), "%s: cascade.action must name an action", where);
    json_t *set = json_object_get(c, "set");
    CHECK(!set || json_is_string(set), "%s: cascade.set must name a field of the other type", where);
    return true;
}

bool dtype_check(json_t *d, char *err, size_t errsz) {
    CHECK(json_is_object(d), "a type declaration must be an object");
    json_t *name = json_object_get(d, "type");
    CHECK(json_is_string(name) && json_string_length(name) > 0 && json_string_length(name) <= 30, "type must be a name of 1-30 characters");
    for (const char *p = json_string_value(name); *p; p++)
        CHECK((*p >= 'a' && *p <= 'z') || *p == '_', "type '%s' may hold only a-z and _", json_string_value(name));
    json_t *fields = json_object_get(d, "fields");
    CHECK(json_is_object(fields), "fields must be an object");
    const char *fk;
    json_t *fv;
    json_object_foreach(fields, fk, fv) {
        CHECK(json_is_object(fv), "field %s must be an object", fk);
        json_t *ft = json_object_get(fv, "type");
        CHECK(json_is_string(ft) && in_list(field_types, json_string_value(ft)), "field %s has no valid type", fk);
        if (strcmp(json_string_value(ft), "enum") == 0) {
            json_t *vals = json_object_get(fv, "values");
            CHECK(json_is_array(vals) && json_array_size(vals) > 0, "enum field %s needs values", fk);
        }
        const char *ftn = json_string_value(ft);
        if (strcmp(ftn, "category") == 0) {
            const char *dom = json_string_value(json_object_get(fv, "domain"));
            CHECK(dom && in_list(category_domains, dom), "category field %s needs a known domain", fk);
        }
        if (strcmp(ftn, "dossier") == 0 || strcmp(ftn, "dossiers") == 0) {
            json_t *of = json_object_get(fv, "of");
            CHECK(json_is_string(of), "field %s needs \"of\": the dossier type it refers to", fk);
            json_t *st = json_object_get(fv, "states");
            CHECK(!st || json_is_array(st), "field %s: states must be an array", fk);
        }
        if (strcmp(ftn, "list") == 0) {
            json_t *item = json_object_get(fv, "item");
            CHECK(json_is_object(item) && json_object_size(item) > 0, "list field %s needs an item declaration", fk);
            const char *ik;
            json_t *iv;
            json_object_foreach(item, ik, iv) {
                const char *it = json_string_value(json_object_get(iv, "type"));
                CHECK(it && in_list(item_types, it), "list field %s: item %s has no valid type", fk, ik);
            }
        }
        if (strcmp(ftn, "allocations") == 0) {
            json_t *rel = json_object_get(fv, "released_in");
            CHECK(!rel || json_is_array(rel), "field %s: released_in must list states", fk);
            json_t *cov = json_object_get(fv, "covers");
            CHECK(!cov || (json_is_string(cov) && json_object_get(fields, json_string_value(cov)) &&
                           strcmp(json_string_value(json_object_get(json_object_get(fields, json_string_value(cov)), "type")), "area") == 0),
                  "field %s: covers must name an area field", fk);
        }
        json_t *pick = json_object_get(fv, "pick_from");
        if (pick) {
            json_t *lf = json_object_get(fields, json_string_value(json_object_get(pick, "list")) ? json_string_value(json_object_get(pick, "list")) : "");
            CHECK(lf && strcmp(json_string_value(json_object_get(lf, "type")), "records") == 0 &&
                      json_is_string(json_object_get(pick, "key")),
                  "field %s: pick_from needs a records field (list) and a key", fk);
        }
        json_t *mn = json_object_get(fv, "min"), *mx = json_object_get(fv, "max");
        CHECK(!mn || json_is_integer(mn), "field %s: min must be an integer", fk);
        CHECK(!mx || json_is_integer(mx), "field %s: max must be an integer", fk);
    }
    CHECK(json_object_get(fields, "title"), "every type needs a title field");
    json_t *states = json_object_get(d, "states");
    CHECK(json_is_object(states) && json_object_size(states) > 0, "states must be a non-empty object");
    const char *sk;
    json_t *sv;
    json_object_foreach(states, sk, sv) {
        CHECK(json_is_object(sv), "state %s must be an object", sk);
        json_t *lim = json_object_get(sv, "limit");
        if (lim) {
            CHECK(json_is_object(lim), "state %s: limit must be an object of priority: days", sk);
            const char *pk;
            json_t *pv;
            json_object_foreach(lim, pk, pv)
                CHECK(json_is_integer(pv) && json_integer_value(pv) > 0 && json_integer_value(pv) <= 3650,
                      "state %s: limit for %s must be 1-3650 working days", sk, pk);
            CHECK(json_object_get(lim, "normal"), "state %s: limit needs a value for priority normal", sk);
        }
        json_t *fin = json_object_get(sv, "final");
        CHECK(!fin || json_is_boolean(fin), "state %s: final must be true or false", sk);
    }
    json_t *initial = json_object_get(d, "initial");
    CHECK(json_is_string(initial) && json_object_get(states, json_string_value(initial)), "initial must name a state");
    CHECK(!json_is_true(json_object_get(json_object_get(states, json_string_value(initial)), "final")), "the initial state cannot be final");
    json_t *create = json_object_get(d, "create");
    CHECK(json_is_object(create), "create must be an object");
    if (!check_roles(json_object_get(create, "roles"), "create", err, errsz)) return false;
    if (!check_field_list(json_object_get(create, "required"), fields, "create.required", err, errsz)) return false;
    if (!check_field_list(json_object_get(create, "optional"), fields, "create.optional", err, errsz)) return false;
    CHECK(dtype_has(json_object_get(create, "required"), "title"), "create.required must include title");
    if (!check_cascade(json_object_get(create, "cascade"), fields, "create", err, errsz)) return false;
    json_t *vis = json_object_get(d, "visible");
    CHECK(!vis || (json_is_string(vis) && strcmp(json_string_value(vis), "district") == 0),
          "visible may only be \"district\" (every reader of dossiers sees this type)");
    json_t *actions = json_object_get(d, "actions");
    CHECK(json_is_object(actions), "actions must be an object");
    const char *ak;
    json_t *av;
    json_object_foreach(actions, ak, av) {
        char where[80];
        snprintf(where, sizeof where, "action %s", ak);
        CHECK(strcmp(ak, "create") != 0 && strcmp(ak, "comment") != 0 && strcmp(ak, "attach") != 0,
              "%s: the name is reserved", where);
        CHECK(json_is_object(av), "%s must be an object", where);
        json_t *from = json_object_get(av, "from");
        CHECK(json_is_array(from) && json_array_size(from) > 0, "%s: from must list states", where);
        size_t i;
        json_t *v;
        json_array_foreach(from, i, v) {
            CHECK(json_is_string(v) && json_object_get(states, json_string_value(v)), "%s: from names an unknown state", where);
            CHECK(!json_is_true(json_object_get(json_object_get(states, json_string_value(v)), "final")),
                  "%s: cannot start from a final state", where);
        }
        json_t *to = json_object_get(av, "to");
        CHECK(!to || (json_is_string(to) && json_object_get(states, json_string_value(to))), "%s: to names an unknown state", where);
        if (!check_roles(json_object_get(av, "roles"), where, err, errsz)) return false;
        if (!check_field_list(json_object_get(av, "required"), fields, where, err, errsz)) return false;
        if (!check_field_list(json_object_get(av, "optional"), fields, where, err, errsz)) return false;
        if (!check_field_list(json_object_get(av, "needs"), fields, where, err, errsz)) return false;
        json_t *app = json_object_get(av, "append_to");
        if (app) {
            json_t *lf = json_object_get(fields, json_string_value(app) ? json_string_value(app) : "");
            CHECK(lf && strcmp(json_string_value(json_object_get(lf, "type")), "records") == 0,
                  "%s: append_to must name a records field", where);
        }
        if (!check_cascade(json_object_get(av, "cascade"), fields, where, err, errsz)) return false;
        if (json_is_true(json_object_get(av, "supervision"))) {
            CHECK(dtype_has(json_object_get(av, "required"), "level") && dtype_has(json_object_get(av, "required"), "limit_days"),
                  "%s: a supervision action requires level and limit_days", where);
        }
    }
    return true;
}

static const DType *dtype_get_loaded(const char *name) {
    for (int i = 0; i < ntypes; i++)
        if (strcmp(types[i].name, name) == 0) return &types[i];
    return NULL;
}

static void load_all(void) {
    for (int i = 0; i < dtype_files_count && ntypes < MAX_TYPES; i++) {
        json_error_t je;
        json_t *d = json_loads(dtype_files[i].text, JSON_REJECT_DUPLICATES, &je);
        if (!d) {
            snprintf(load_err, sizeof load_err, "%s: line %d: %s", dtype_files[i].name, je.line, je.text);
            return;
        }
        char err[200];
        if (!dtype_check(d, err, sizeof err)) {
            snprintf(load_err, sizeof load_err, "%s: %s", dtype_files[i].name, err);
            json_decref(d);
            return;
        }
        types[ntypes].decl = d;
        types[ntypes].name = json_string_value(json_object_get(d, "type"));
        type_names[ntypes] = types[ntypes].name;
        ntypes++;
    }
    type_names[ntypes] = NULL;
    /* References between types: every "of" names a loaded type. */
    for (int i = 0; i < ntypes; i++) {
        const char *fk;
        json_t *fv;
        json_object_foreach(json_object_get(types[i].decl, "fields"), fk, fv) {
            const char *of = json_string_value(json_object_get(fv, "of"));
            if (of && !dtype_get_loaded(of)) {
                snprintf(load_err, sizeof load_err, "%s: field %s refers to an unknown type %s", types[i].name, fk, of);
                return;
            }
        }
    }
    load_ok = true;
}

static int type_public(const char *name) {
    const DType *t = dtype_get(name);
    return t && json_object_get(t->decl, "visible") ? 1 : 0;
}

bool dtype_load(char *err, size_t errsz) {
    pthread_once(&load_once, load_all);
    if (load_ok) sqlfn_set_type_public(type_public);
    if (!load_ok) snprintf(err, errsz, "dossier types: %s", load_err);
    return load_ok;
}

const DType *dtype_get(const char *name) {
    if (!name) return NULL;
    for (int i = 0; i < ntypes; i++)
        if (strcmp(types[i].name, name) == 0) return &types[i];
    return NULL;
}

const char *const *dtype_names(void) { return type_names; }

json_t *dtype_all_json(void) {
    json_t *a = json_array();
    for (int i = 0; i < ntypes; i++) json_array_append(a, types[i].decl);
    return a;
}

json_t *dtype_field(const DType *t, const char *f) { return json_object_get(json_object_get(t->decl, "fields"), f); }
json_t *dtype_state(const DType *t, const char *s) { return json_object_get(json_object_get(t->decl, "states"), s); }
json_t *dtype_action(const DType *t, const char *a) { return json_object_get(json_object_get(t->decl, "actions"), a); }

bool dtype_state_final(const DType *t, const char *s) { return json_is_true(json_object_get(dtype_state(t, s), "final")); }

int dtype_state_limit(const DType *t, const char *s, const char *priority) {
    json_t *lim = json_object_get(dtype_state(t, s), "limit");
    if (!lim) return 0;
    json_t *v = json_object_get(lim, priority ? priority : "normal");
    if (!v) v = json_object_get(lim, "normal");
    return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}
