/*
 * meeting.h — 1+N joint meetings (联席会议) of an area committee: the convener, the N member
 * organisations taking part, date, place, attendees, agenda, minutes, and the agreed items, each
 * kept as an agreed_item dossier to write-off. A meeting's follow-up closes only when every item
 * it holds is written off or carried to a later meeting (the carry is recorded on both).
 */
#ifndef SANQU_CORE_MEETING_H
#define SANQU_CORE_MEETING_H

#include <jansson.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

Rc meeting_list(Db *db, const Actor *a, int64_t area_id, const char *from, const char *to, const char *q, int page,
                int page_size, Buf *out, Fail *f);
Rc meeting_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* Creates a meeting and its agreed items ({…, "org_ids": [..], "items": [{title, body, priority,
 * org_id, handler_org_id, limit_days}]}) in one transaction. */
Rc meeting_create(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f);
Rc meeting_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
/* Adds one agreed item to a meeting; *dossier_id receives the new dossier. */
Rc meeting_add_item(Db *db, const Actor *a, int64_t id, json_t *item, int64_t *dossier_id, Fail *f);
/* Carries an open item of an earlier meeting of the same area to meeting id. */
Rc meeting_carry(Db *db, const Actor *a, int64_t id, int64_t dossier_id, Fail *f);
/* Closes the follow-up of a meeting; RC_CONFLICT with "open_items" when some item is still open. */
Rc meeting_close(Db *db, const Actor *a, int64_t id, Fail *f);

#endif
