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

#endif
