/*
 * activity.h — neighbourhood services and events (邻里服务、园区开放日、培训、义诊 …): what kind
 * (a category of domain 'activity', configurable), who organised it (one or more organisations),
 * where (a centre, or a place given as text), when, how many took part and how many were served,
 * with photos. And the figures the home page and the figures view show.
 *
 * Scope (ACTIVITY_SCOPE): district-wide roles see every activity; others those with an organiser in
 * their organisation scope (store/scope.h SCOPE_ORG: a committee's includes its area's members),
 * those held at a centre they see (core/center.h CENTER_SCOPE), and — committee — those counted
 * for its area. Writing one needs an organiser in the actor's scope; out of scope answers 404.
 *
 * Definitions used by the figures (docs/api-shapes.md):
 *   institution_services  activities other than open days with at least one organiser that is an
 *                         institution: kind department, resident_unit, new_org, park or enterprise
 *                         (not the district, a town or a village/community itself);
 *   open_day_reach        people served (visitors received) by activities of kind open_day;
 *                         participants (staff and volunteers taking part) are not added to it.
 * Activities are dated by starts_at: from/to (YYYY-MM-DD, inclusive) select on its day.
 */
#ifndef SANQU_CORE_ACTIVITY_H
#define SANQU_CORE_ACTIVITY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/center.h"
#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

/* Activity row alias `x` is in the actor's scope (parameters ?1..?3 as in store/scope.h). */
#define ACTIVITY_SCOPE(x)                                                                          \
    "(?1 = '/' OR ?3 = " x ".area_id OR EXISTS (SELECT 1 FROM activity_organisers sao JOIN orgs so"  \
    " ON so.id = sao.org_id WHERE sao.activity_id = " x ".id AND " SCOPE_ORG("so") ") OR EXISTS"     \
    " (SELECT 1 FROM centers c WHERE c.id = " x ".center_id AND " CENTER_SCOPE("c") "))"

/* List filters; NULL / -1 mean "any". */
typedef struct ActivityFilter {
    const char *kind;   /* category code */
    int64_t area_id;    /* counted for this area */
    int64_t center_id;  /* held at this centre */
    int64_t org_id;     /* organised (also) by this organisation */
    const char *from;   /* starting on or after this day (YYYY-MM-DD) */
    const char *to;     /* starting on or before this day */
    const char *q;      /* words in the title or place */
} ActivityFilter;

Rc activity_list(Db *db, const Actor *a, const ActivityFilter *flt, int page, int page_size, Buf *out, Fail *f);
/* One activity with its organisers and photos; RC_NOT_FOUND when absent or out of scope. */
Rc activity_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* Validates and inserts ({kind, title, organiser_ids: [..], center_id? | place?, area_id?,
 * starts_at, ends_at, participants?, people_served?, description?}). Audited. */
Rc activity_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
Rc activity_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
Rc activity_delete(Db *db, const Actor *a, int64_t id, Fail *f);

/* Stores a photo (png, jpeg or gif whose bytes agree: RC_MEDIA_TYPE otherwise) under dir and links
 * it to the activity; *pid receives its id. Audited. */
Rc activity_photo_add(Db *db, const Actor *a, int64_t id, const char *dir, const char *name, const char *mime,
                      const void *data, size_t len, int64_t *pid, Fail *f);
/* The activity's photos as {"items": [..]}. */
Rc activity_photos(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* Opens a photo's stored file for reading (*fd owned by the caller) with its type and name. */
Rc activity_photo_open(Db *db, const Actor *a, int64_t id, int64_t pid, const char *dir, int *fd, uint64_t *size,
                       char mime[128], char name[256], Fail *f);

/* Counts of activities, participants and people served by kind, organiser, area and month, with
 * the summary of service_figures, as JSON appended to out. area_id -1: all; from/to NULL: all time. */
Rc activity_figures(Db *db, const Actor *a, int64_t area_id, const char *from, const char *to, Buf *out, Fail *f);

/* Home-page figures in the actor's scope, set as integer members of out (owned by the caller):
 * centers, center_services, activities, institution_services, people_served, participants,
 * open_day_reach (see the definitions above). area_id -1: all; from/to NULL: all time (centres
 * and their catalogue are counted whatever the dates). */
Rc service_figures(Db *db, const Actor *a, int64_t area_id, const char *from, const char *to, json_t *out, Fail *f);

/* ---- pure helper (tests/unit/test_centers.c) ---- */

/* Normalises a local date-time "YYYY-MM-DDTHH:MM[:SS]" (or with a space for T) to
 * "YYYY-MM-DDTHH:MM:SS" in out; false when it is not a real date and time. */
bool activity_time_norm(const char *in, char out[20]);

#endif
