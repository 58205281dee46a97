/*
 * agreement.h — co-building agreements (联建协议): parties with their responsibilities, signed
 * date and term; status (pending / active / expired) is derived from the term.
 */
#ifndef SANQU_CORE_AGREEMENT_H
#define SANQU_CORE_AGREEMENT_H

#include <jansson.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "store/scope.h"
#include "util/buf.h"

/* SQL: agreement alias g is in scope (see store/scope.h for the parameters). */
#define AG_SCOPE                                                                                    \
    "(EXISTS (SELECT 1 FROM areas a WHERE a.id = g.area_id AND " SCOPE_AREA("a") ") OR EXISTS (SELECT 1" \
    " FROM agreement_parties sp JOIN orgs o ON o.id = sp.org_id WHERE sp.agreement_id = g.id AND "      \
    SCOPE_ORG("o") "))"

typedef struct AgreementFilter {
    int64_t area_id;     /* -1 any */
    int64_t org_id;      /* -1 any: agreements with this party */
    const char *status;  /* pending/active/expired or NULL */
    const char *q;
} AgreementFilter;

Rc agreement_list(Db *db, const Actor *a, const AgreementFilter *flt, int page, int page_size, Buf *out, Fail *f);
Rc agreement_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
Rc agreement_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
Rc agreement_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
Rc agreement_delete(Db *db, const Actor *a, int64_t id, Fail *f);

#endif
