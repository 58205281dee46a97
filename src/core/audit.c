/*
 * audit.c — see audit.h.
 */
#include "core/audit.h"

#include <stdlib.h>
#include <string.h>

#include "core/listq.h"

Rc audit_write(Db *db, Fail *f, const Actor *actor, const char *username, const char *ip,
               const char *action, const char *object_type, int64_t object_id, const char *outcome,
               json_t *detail) {
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    Rc r = db_run(db, f,
                  "INSERT INTO audit_log(user_id, username, role, ip, action, object_type, object_id,"
                  " outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  "ItttttItt",
                  actor ? actor->user_id : (int64_t)0,
                  actor ? actor->username : username, actor ? actor->role : NULL,
                  ip ? ip : (actor ? actor->ip : NULL), action, object_type, object_id,
                  outcome ? outcome : "ok", d);
    free(d);
    return r;
}

Rc audit_list(Db *db, Fail *f, const char *action, const char *username, const char *object_type,
              const char *from, const char *to, int page, int page_size, Buf *out) {
#define AUDIT_WHERE                                                                      \
    " FROM audit_log WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR username = ?2)" \
    " AND (?3 IS NULL OR object_type = ?3) AND (?4 IS NULL OR at >= ?4)"                  \
    " AND (?5 IS NULL OR at < date(?5, '+1 day'))"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" AUDIT_WHERE,
                     "SELECT json_object('id', id, 'at', at, 'user_id', user_id, 'username', username,"
                     " 'role', role, 'ip', ip, 'action', action, 'object_type', object_type,"
                     " 'object_id', object_id, 'outcome', outcome, 'detail', json(detail))" AUDIT_WHERE
                     " ORDER BY id DESC LIMIT ?98 OFFSET ?99",
                     "ttttt", action, username, object_type, from, to);
#undef AUDIT_WHERE
}
