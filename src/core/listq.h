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

/* Appends the list answer to out. fmt/args bind both statements (see db_q). */
Rc listq_run(Db *db, Fail *f, Buf *out, int page, int page_size, const char *count_sql,
             const char *items_sql, const char *fmt, ...);

/* Appends the first column of the first row (a JSON text) to out; RC_NOT_FOUND without a row. */
Rc listq_one(Db *db, Fail *f, Buf *out, const char *sql, const char *fmt, ...);

#endif
