/*
 * stats.h — figures computed from the records in the caller's scope (home page, reports).
 */
#ifndef SANQU_CORE_STATS_H
#define SANQU_CORE_STATS_H

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

/* Appends the overview figures (docs/api-shapes.md "Figures") to out. */
Rc stats_overview(Db *db, const Actor *a, Buf *out, Fail *f);

#endif
