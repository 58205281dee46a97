/*
 * center.h — neighbourhood centres (邻里中心) of the 15-minute service circle: where they are (area,
 * town, address, coordinates), when they open, which functions they bring together (gov 政务服务,
 * convenience 便民服务, enterprise 涉企服务, housing 人才安居), the catalogue of services each
 * offers (name, function, provider organisation) and whom to call (the phone sealed, shown masked).
 *
 * Scope (CENTER_SCOPE): district-wide roles see every centre; a committee the centres of its area;
 * other roles the centres run by an organisation of their subtree or lying in a town of it (a town
 * sees its town's, a community its own). Writes need the centre's area in the actor's area scope
 * (store/scope.h SCOPE_AREA); a centre out of scope answers 404.
 *
 * Every function appends JSON to a Buf the caller owns, or reads a json_t the caller owns; nothing
 * here keeps a reference after it returns.
 */
#ifndef SANQU_CORE_CENTER_H
#define SANQU_CORE_CENTER_H

#include <jansson.h>
#include <stdbool.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

/* Centre row alias `c` is in the actor's scope (parameters ?1..?3 as in store/scope.h). */
#define CENTER_SCOPE(c)                                                                            \
    "(?1 = '/' OR ?3 = " c ".area_id OR EXISTS (SELECT 1 FROM orgs sco WHERE sco.id IN (" c ".org_id, " \
    c ".town_id) AND sco.path >= ?1 AND sco.path < ?2))"

extern const char *const center_functions[]; /* NULL-terminated: gov, convenience, enterprise, housing */

/* List filters; -1 / NULL mean "any". */
typedef struct CenterFilter {
    int64_t area_id;      /* centres of this area */
    const char *function; /* centres offering this function */
    const char *q;        /* words in the name or address */
} CenterFilter;

Rc center_list(Db *db, const Actor *a, const CenterFilter *flt, int page, int page_size, Buf *out, Fail *f);
/* One centre with its services, its recent activities and their counts; RC_NOT_FOUND out of scope. */
Rc center_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* Validates and inserts a centre ({name, area_id, org_id?, town_id?, address?, lat?, lng?, hours?,
 * functions: [..], contact_name?, contact_phone?, description?, services?: [{name, function,
 * provider_org_id?, note?}]}). *id receives the new id. Audited. */
Rc center_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
/* Replaces a centre's fields (contact_phone absent: kept). if_version > 0 must match. Audited. */
Rc center_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
/* Deletes a centre no activity refers to (RC_CONFLICT with "references" otherwise). Audited. */
Rc center_delete(Db *db, const Actor *a, int64_t id, Fail *f);
/* The centre's service catalogue as {"items": [..]}. */
Rc center_services(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* Adds one catalogue entry ({name, function, provider_org_id?, note?}); *sid receives its id. */
Rc center_service_add(Db *db, const Actor *a, int64_t id, json_t *in, int64_t *sid, Fail *f);
Rc center_service_remove(Db *db, const Actor *a, int64_t id, int64_t sid, Fail *f);

/* ---- pure helpers (tests/unit/test_centers.c) ---- */

/* True when lat / lng (degrees) lie in the range accepted for China: lat 18–54, lng 73–135. */
bool center_lat_ok(double lat);
bool center_lng_ok(double lng);
/* Degrees to micro-degrees, rounded to the nearest. */
int64_t center_e6(double deg);
/* A phone number a centre may list: a mainland mobile, or a landline with area code
 * (0595-87888000, 059587888000) and an optional extension (-123). */
bool center_phone_ok(const char *s);

#endif
