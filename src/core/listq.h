/*
 * listq.h — list and record answers rendered by SQLite's JSON functions. A list is two cached
 * statements with the same parameters: a count and a page of json_object() rows (which must end
 * in "LIMIT ?98 OFFSET ?99"); the answer is {"items":[…],"total":N,"page":P,"page_size":S}.
 */
#ifndef SANQU_CORE_LISTQ_H
#define SANQU_CORE_LISTQ_H

#include "core/rc.h"
#include "store/db.h"
#include "util/buf.h"

enum { LIST_PAGE_SIZE_DEFAULT = 20, LIST_PAGE_SIZE_MAX = 200 };

/* Counts stop here: a count over a million rows costs more than the page itself. A count query may
 * wrap its WHERE in "SELECT count(*) FROM (SELECT 1 … LIMIT LIST_COUNT_CAP + 1)"; the answer then
 * says "total": LIST_COUNT_CAP and "total_exact": false. */
enum { LIST_COUNT_CAP = 1000 };

/* Appends the list answer to out ("total_exact" is false when the count reached the cap). fmt/args bind both statements (see db_q). */
Rc listq_run(Db *db, Fail *f, Buf *out, int page, int page_size, const char *count_sql,
             const char *items_sql, const char *fmt, ...);

/* The same, with a second items statement used instead when the count reaches the cap (a plan
 * that suits large results); items_large may be NULL. */
Rc listq_run2(Db *db, Fail *f, Buf *out, int page, int page_size, const char *count_sql, const char *items_sql,
              const char *items_large, const char *fmt, ...);

/* Appends the first column of the first row (a JSON text) to out; RC_NOT_FOUND without a row. */
Rc listq_one(Db *db, Fail *f, Buf *out, const char *sql, const char *fmt, ...);

#endif
