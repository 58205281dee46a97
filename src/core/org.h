/*
 * org.h — the organisation registry: one tree of district, towns, communities, parks,
 * enterprises, departments, new organisations (两新组织) and resident units (驻区单位), with the
 * parent rules of docs/api-shapes.md, GB 32100 credit codes for enterprises, scoped reads and
 * writes, reference-checked deletes and an all-or-nothing CSV import.
 */
#ifndef SANQU_CORE_ORG_H
#define SANQU_CORE_ORG_H

#include <jansson.h>
#include <stdbool.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

extern const char *const org_kinds[];    /* NULL-terminated */
extern const char *const member_kinds[]; /* kinds that may join an area committee */

/* List filters; NULL / -1 mean "any". parent_id 0 lists the top of the actor's scope. */
typedef struct OrgFilter {
    const char *kind;
    int64_t parent_id;
    int64_t under;
    int64_t area_id;
    const char *q;
} OrgFilter;

Rc org_list(Db *db, const Actor *a, const OrgFilter *flt, int page, int page_size, Buf *out, Fail *f);
/* Appends the organisation (with its areas) as JSON; RC_NOT_FOUND when absent or out of scope. */
Rc org_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* Validates and inserts; *id receives the new id. Audited. */
Rc org_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
/* Validates and updates (a move re-parents the whole subtree). if_version > 0 must equal the stored
 * version (else RC_PRECONDITION). Audited. */
Rc org_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
/* Deletes when nothing refers to it; otherwise RC_CONFLICT with "references". Audited. */
Rc org_delete(Db *db, const Actor *a, int64_t id, Fail *f);
/* Imports CSV (see docs/api-shapes.md). dry_run validates only. Appends the report JSON to out;
 * a real import with errors returns RC_VALIDATION and changes nothing. */
Rc org_import(Db *db, const Actor *a, const char *csv, size_t len, bool dry_run, Buf *out, Fail *f);
/* The district's organisations by name (id, name, kind, town only), whatever the caller's scope:
 * what a matter may be handed to (fields declared with scope "district"). */
Rc org_directory(Db *db, const char *kind, const char *q, int page, int page_size, Buf *out, Fail *f);
/* Version and scope check for an id: RC_NOT_FOUND when absent or out of scope. */
Rc org_version(Db *db, const Actor *a, int64_t id, int64_t *version, Fail *f);
/* Kind of an organisation visible to the actor into kind (16 bytes); RC_NOT_FOUND otherwise. */
Rc org_kind(Db *db, const Actor *a, int64_t id, char kind[16], Fail *f);

#endif
