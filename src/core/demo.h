/*
 * demo.h — builds a realistic demo district shaped like the one in the source text (four towns
 * with their villages and communities, 7 parks, a few hundred enterprises with valid credit codes,
 * departments, two-new organisations, resident units, 12 areas with committees, agreements,
 * liaisons) and a demo account for every role.
 */
#ifndef SANQU_CORE_DEMO_H
#define SANQU_CORE_DEMO_H

#include <stdio.h>

#include "core/rc.h"
#include "store/db.h"

/* Fills an empty, migrated database. When password is not NULL every demo account gets it;
 * otherwise each gets a generated one. The accounts (username, role, password) are written to
 * accounts (one per line). Returns RC_CONFLICT when the database already holds organisations. */
Rc demo_build(Db *db, const char *password, FILE *accounts, Fail *f);

/* Adds two years of 1+N joint meetings (70 across the 12 areas) and about 100 agreed items run
 * through the dossier engine with dated events: most written off, some carried to a later
 * meeting, the recent ones in progress, overdue and under supervision. */
Rc demo_matters(Db *db, Fail *f);

/* Adds the 32 neighbourhood centres with their services, two years of neighbourhood services run
 * by institutions and the parks' open days (demo_centers.c). Called by demo_build. */
Rc demo_centers(Db *db, Fail *f);

/* Adds the three lists and published projects (demo_lists.c): 111 resources from the
 * departments, 66 needs, 22 co-building projects (most written off, their needs answered), 14
 * published projects with 60+ actions. Needs demo_build's district. */
Rc demo_lists(Db *db, Fail *f);

/* For the demo builders: moves the engine's clock to 09:00 (UTC+8) + hours on day (YYYY-MM-DD) so
 * that events carry the dates they would have had; and the date n days after day. */
void demo_at(const char *day, int hours);
void demo_day_plus(const char *day, int n, char out[11]);

/* Adds n synthetic enterprises (valid, distinct credit codes) spread over the demo's parks and
 * towns, in batches of 10,000 rows per transaction: the data set for benchmarks at scale. */
Rc demo_scale(Db *db, int64_t n, Fail *f);

#endif
