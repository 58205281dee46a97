/*
 * dossier.h — the dossier engine (一事一档). Every matter is a dossier of a declared type
 * (core/dtype.h). Each change is an event appended to the dossier's log, hash-chained to the one
 * before (SHA-256); the dossier row is a projection of the log, written in the same transaction.
 * Time limits count working days (core/clock.h); a dossier is green, yellow (80% of its limit
 * elapsed or one working day left) or red (overdue).
 */
#ifndef SANQU_CORE_DOSSIER_H
#define SANQU_CORE_DOSSIER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "store/scope.h"
#include "util/buf.h"

struct Calendar;

/* A dossier row alias d is in the actor's scope: the whole district, a type every reader sees
 * ("visible": "district"), its area, the organisation concerned or the handler, or one's own.
 * Parameters ?1-?3 are SCOPE_ARGS of the actor narrowed by dossier_matter_scope, ?4 its user id. */
#define DOSSIER_SCOPE(d)                                                                                \
    "(?1 = '/' OR " d ".created_by = ?4 OR dossier_type_public(" d ".type) OR EXISTS (SELECT 1 FROM areas a WHERE a.id = " d ".area_id AND " \
    SCOPE_AREA("a") ") OR EXISTS (SELECT 1 FROM orgs o WHERE o.id IN (" d ".org_id, " d ".handler_org_id) AND " \
    SCOPE_ORG("o") "))"

/* The working-day calendar the engine uses (loaded by the caller at start; may be NULL, then
 * weekends only). Not owned. */
void dossier_set_calendar(const struct Calendar *cal);

/* The scope for matters (dossiers and meetings): departments and inspectors read the whole
 * registry but see the matters of their own organisation. Returns a or tmp (filled). */
const Actor *dossier_matter_scope(const Actor *a, Actor *tmp);

/* Creates a dossier from {type, fields…}; *id receives its id. */
Rc dossier_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
/* Takes action on dossier id with the fields in `in`. if_version > 0 must match (else 412). An
 * action not allowed in the current state answers RC_CONFLICT with "allowed_actions". */
Rc dossier_act(Db *db, const Actor *a, int64_t id, const char *action, json_t *in, int64_t if_version, Fail *f);
/* The same for other modules of the engine (meetings): internal fields and actions (a dossier's
 * meeting, carry) are accepted only through these. */
Rc dossier_create_trusted(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
Rc dossier_act_trusted(Db *db, const Actor *a, int64_t id, const char *action, json_t *in, int64_t if_version, Fail *f);
/* Adds a comment (an event of its own, searchable). When out is not NULL, writes the answer to it:
 * the comment's event as GET .../events lists it (without display_name), with "dossier": the
 * dossier's new head (id, version, events, last_hash, updated_at). */
Rc dossier_comment(Db *db, const Actor *a, int64_t id, const char *body, Buf *out, Fail *f);
/* The dossier as JSON, with allowed_actions for the actor and time_status. */
Rc dossier_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* The event log of a dossier (oldest first), with hashes in hex. */
Rc dossier_events(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);

typedef struct DossierFilter {
    const char *type;
    const char *state;
    int64_t area_id;          /* -1 any */
    int64_t org_id;           /* -1 any */
    int64_t handler_org_id;   /* -1 any */
    const char *time_status;  /* green | yellow | red | NULL */
    const char *from, *to;    /* created between these dates, or NULL */
    const char *q;            /* full text */
    bool open_only;           /* not in a final state */
    bool supervised;          /* under supervision */
    int64_t cursor;           /* list ids below this (0: from the newest) */
    int limit;                /* page size */
} DossierFilter;

/* Lists dossiers newest first with cursor pagination: {"items":[…],"next_cursor":N|null}. With a
 * full-text query a page reads at most 4,000 rows of the search index: one that the bound cuts
 * short may hold fewer items than asked (even none) with next_cursor set; the next page goes on. */
Rc dossier_list(Db *db, const Actor *a, const DossierFilter *flt, Buf *out, Fail *f);

/* Tests: how many index rows a search page reads at most (rows <= 0: the default, 4,000). */
void dossier_set_search_scan(int rows);

/* The supervision board (督办): open red and yellow matters and those under supervision, with
 * totals by area and by handler, in the actor's scope (area_id -1: every area). */
Rc dossier_board(Db *db, const Actor *a, int64_t area_id, Buf *out, Fail *f);

/* Attaches a file (bytes at data) to dossier id: the declared mime must be an accepted type and
 * match the file's first bytes (else RC_MEDIA_TYPE); stored once under dir by SHA-256; an event
 * records it. *aid receives the attachment's id. */
Rc dossier_attach(Db *db, const Actor *a, int64_t id, const char *dir, const char *name, const char *mime,
                  const void *data, size_t len, int64_t *aid, Fail *f);
/* The attachments of a dossier as {"items":[{id,name,mime,size,sha256,at,user_id,display_name}]}. */
Rc dossier_attachments(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* Opens a stored attachment for reading: *fd (the caller closes), size, mime and name. */
Rc dossier_attachment_open(Db *db, const Actor *a, int64_t id, int64_t aid, const char *dir, int *fd, uint64_t *size,
                           char mime[128], char name[256], Fail *f);

/* Adds n agreed items (create events, valid chains) spread over 400 days: the data set for
 * benchmarks at scale. */
Rc dossier_bulk(Db *db, const Actor *a, int64_t n, Fail *f);

/* Figures for the home page in the actor's scope: open, written off, red, yellow, supervised
 * matters and meetings held / closed. */
Rc dossier_figures(Db *db, const Actor *a, Buf *out, Fail *f);

/* Re-checks every hash chain. Prints each break to out and returns the number of broken dossiers
 * (0: all chains intact), or -1 on a storage error. */
int dossier_verify(Db *db, FILE *out);
/* Recreates every projection (and the search index) from the event logs. Returns the number of
 * dossiers rebuilt, or -1 (f says why). */
int64_t dossier_rebuild(Db *db, Fail *f);

/* Today's date in the district (YYYY-MM-DD) and the time status of a limit on that day. */
const char *dossier_time_status(const char *warn_on, const char *due_on, const char *today);

#endif
