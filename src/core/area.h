/*
 * area.h — areas (片区) and their party-building coordination committees: convener (a leader),
 * secretary, and member organisations of the four member kinds.
 */
#ifndef SANQU_CORE_AREA_H
#define SANQU_CORE_AREA_H

#include <jansson.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

Rc area_list(Db *db, const Actor *a, const char *q, int page, int page_size, Buf *out, Fail *f);
Rc area_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
Rc area_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
Rc area_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
Rc area_delete(Db *db, const Actor *a, int64_t id, Fail *f);
Rc area_members(Db *db, const Actor *a, int64_t id, const char *kind, int page, int page_size, Buf *out, Fail *f);
Rc area_member_add(Db *db, const Actor *a, int64_t id, json_t *in, Fail *f);
/* Organisations of the member kinds that are not yet members of the area, district-wide (only id,
 * name, kind and town): what a committee may choose from when it adds a member. */
Rc area_candidates(Db *db, const Actor *a, int64_t id, const char *kind, const char *q, int page, int page_size,
                   Buf *out, Fail *f);
Rc area_member_remove(Db *db, const Actor *a, int64_t id, int64_t org_id, Fail *f);
/* RC_OK when the area exists in the actor's scope; RC_NOT_FOUND otherwise. */
Rc area_visible(Db *db, const Actor *a, int64_t id, Fail *f);

#endif
