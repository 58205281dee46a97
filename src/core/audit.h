/*
 * audit.h — the append-only audit trail: every login, logout, lockout, write and read of personal
 * data, with who, when, from which address, what and which record. Writes made inside a
 * transaction are audited inside it, so a write and its audit row commit together.
 */
#ifndef SANQU_CORE_AUDIT_H
#define SANQU_CORE_AUDIT_H

#include <jansson.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

/* Appends one audit row. actor may be NULL (anonymous: username given separately). detail is
 * stolen (may be NULL). Returns the store's Rc. */
Rc audit_write(Db *db, Fail *f, const Actor *actor, const char *username, const char *ip,
               const char *action, const char *object_type, int64_t object_id, const char *outcome,
               json_t *detail);

/* Lists audit rows as the JSON list answer into out (see docs/api-shapes.md). Filters may be NULL. */
Rc audit_list(Db *db, Fail *f, const char *action, const char *username, const char *object_type,
              const char *from, const char *to, int page, int page_size, Buf *out);

#endif
