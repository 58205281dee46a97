/*
 * scope.h — the one place where "who may see which record" becomes SQL. Every scoped query puts
 * one of these clauses first in its WHERE and binds SCOPE_FMT / SCOPE_ARGS as its first three
 * parameters (?1 = subtree low bound, ?2 = high bound, ?3 = area id or 0); its own parameters
 * follow as plain '?' (numbered from 4 on).
 *
 * An organisation is in scope when its path lies in the actor's subtree, or — for committee
 * members, whose subtree range is empty — in the subtree of a member of the actor's area.
 * District-wide roles get the whole range.
 */
#ifndef SANQU_STORE_SCOPE_H
#define SANQU_STORE_SCOPE_H

#include "core/roles.h"

#define SCOPE_FMT "tti"
#define SCOPE_ARGS(a) (a)->scope_lo, (a)->scope_hi, (int64_t)(a)->scope_area

/* Organisation row alias `o` is in scope. */
#define SCOPE_ORG(o)                                                                             \
    "((" o ".path >= ?1 AND " o ".path < ?2) OR (?3 > 0 AND EXISTS (SELECT 1 FROM area_members sam " \
    "JOIN orgs smo ON smo.id = sam.org_id WHERE sam.area_id = ?3 AND " o ".path >= smo.path AND " o \
    ".path < substr(smo.path, 1, length(smo.path) - 1) || '0')))"

/* The same for actors without an area (every role but committee): a plain index range, which
 * the planner can use. Big tables choose between the two per actor (scope_plain). */
#define SCOPE_ORG_RANGE(o) "(" o ".path >= ?1 AND " o ".path < ?2)"

/* True when the actor's scope is a single subtree (SCOPE_ORG_RANGE applies). */
#define scope_plain(a) ((a)->scope_area == 0)

/* Area row alias `a` is in scope: the actor's own area, the whole district, or an area with a
 * member organisation in the actor's subtree. */
#define SCOPE_AREA(a)                                                                            \
    "(?1 = '/' OR ?3 = " a ".id OR EXISTS (SELECT 1 FROM area_members sam JOIN orgs smo ON "        \
    "smo.id = sam.org_id WHERE sam.area_id = " a ".id AND smo.path >= ?1 AND smo.path < ?2))"

/* Fills the actor's scope bounds from its role, organisation path and area. */
void scope_init(Actor *a, const char *org_path);
/* Narrows the scope to the actor's own organisation subtree (roles that read the whole registry
 * but handle only their own matters: department, inspector). */
void scope_own_subtree(Actor *a);
/* A scope that sees everything (CLI and demo builders). */
void scope_all(Actor *a);

#endif
