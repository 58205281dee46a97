/*
 * resource.h — the three lists (三单) outside the engine: the resource catalogue (资源单) with the
 * capacity projects take from it, matching needs and resources (core/match.h), the board of the
 * three lists, their figures, and the configurable categories. Needs (需求单), projects (项目单)
 * and published projects (揭榜领办) are dossier types (src/core/types/).
 *
 * The catalogue is district-wide: everyone who reads services reads every resource (phones
 * masked); a resource is written by its provider organisation's people (or the district).
 */
#ifndef SANQU_CORE_RESOURCE_H
#define SANQU_CORE_RESOURCE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

typedef struct ResourceFilter {
    const char *category;
    int64_t provider_org_id; /* -1 any */
    int64_t area_id;         /* -1 any: resources covering this area (or all areas) */
    const char *q;           /* in title or description */
    bool available;          /* capacity left and valid today */
} ResourceFilter;

Rc resource_list(Db *db, const Actor *a, const ResourceFilter *flt, int page, int page_size, Buf *out, Fail *f);
/* One resource with its areas, capacity used and left, and the projects taking it (in scope). */
Rc resource_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
Rc resource_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
Rc resource_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
/* 409 while a project takes capacity from it. */
Rc resource_delete(Db *db, const Actor *a, int64_t id, Fail *f);
/* The resource's contact phone in clear (audited). */
Rc resource_phone(Db *db, const Actor *a, int64_t id, char out[64], Fail *f);

/* Ranked resource suggestions for need dossier need_id: {"need":{…},"items":[{resource…, score,
 * reasons:[{code, points, …}]}]} (at most limit). */
Rc resource_matches(Db *db, const Actor *a, int64_t need_id, int limit, Buf *out, Fail *f);
/* Open needs (in the actor's scope) resource id could serve, ranked the same way. */
Rc resource_needs(Db *db, const Actor *a, int64_t id, int limit, Buf *out, Fail *f);

/* The three lists as one board: counts, open needs with their best suggestions, projects with
 * their needs and resources. area_id -1: every area in scope. */
Rc lists_board(Db *db, const Actor *a, int64_t area_id, Buf *out, Fail *f);
/* Figures of the three lists and published projects for a period (dates or NULL) and area
 * (-1 all), in scope, added to out. */
Rc lists_figures(Db *db, const Actor *a, int64_t area_id, const char *from, const char *to, json_t *out, Fail *f);

/* Categories of a domain (service, activity, bounty_action), active ones only unless all. */
Rc category_list(Db *db, const char *domain, bool all, Buf *out, Fail *f);
/* Adds a category {domain, code, label_zh, label_en, sort}; 409 when the code exists. */
Rc category_create(Db *db, const Actor *a, json_t *in, Fail *f);
/* Changes labels, sort or active of code in the domain named in `in` {domain, label_zh, label_en,
 * sort, active}. */
Rc category_update(Db *db, const Actor *a, const char *code, json_t *in, Fail *f);

#endif
