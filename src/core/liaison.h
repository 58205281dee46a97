/*
 * liaison.h — liaison assignments (包联): district leader ↔ area, department ↔ area or point,
 * town cadre ↔ village or enterprise ("区领导统筹协调 + 区级部门联片挂点 + 乡镇干部包村联企").
 */
#ifndef SANQU_CORE_LIAISON_H
#define SANQU_CORE_LIAISON_H

#include <jansson.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "store/scope.h"
#include "util/buf.h"

extern const char *const liaison_kinds[];

/* SQL: liaison alias l (with its user joined as u) is in scope. */
#define LI_SCOPE                                                                                   \
    "(EXISTS (SELECT 1 FROM orgs o WHERE o.id IN (l.target_org_id, l.department_id, u.org_id) AND " \
    SCOPE_ORG("o") ") OR EXISTS (SELECT 1 FROM areas a WHERE a.id = l.area_id AND " SCOPE_AREA("a") "))"

typedef struct LiaisonFilter {
    const char *kind;
    int64_t user_id;  /* -1 any */
    int64_t area_id;  /* -1 any */
    int64_t org_id;   /* -1 any: department or target */
} LiaisonFilter;

Rc liaison_list(Db *db, const Actor *a, const LiaisonFilter *flt, int page, int page_size, Buf *out, Fail *f);
Rc liaison_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
Rc liaison_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
Rc liaison_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
Rc liaison_delete(Db *db, const Actor *a, int64_t id, Fail *f);

#endif
