/*
 * listq.c — see listq.h.
 */
#include "core/listq.h"

#include <stdarg.h>
#include <stdbool.h>

static Rc listq_v(Db *db, Fail *f, Buf *out, int page, int page_size, const char *count_sql, const char *items_sql,
                  const char *items_large, const char *fmt, va_list args) {
    va_list ap;
    va_copy(ap, args);
    sqlite3_stmt *st = db_qv(db, f, count_sql, fmt, ap);
    va_end(ap);
    if (!st) return f->rc;
    int64_t total = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) total = sqlite3_column_int64(st, 0);
    db_done(st);
    if (rc != SQLITE_ROW) return db_fail(db, f, rc, __FILE__, __LINE__);

    va_copy(ap, args);
    st = db_qv(db, f, items_large && total > LIST_COUNT_CAP ? items_large : items_sql, fmt, ap);
    va_end(ap);
    if (!st) return f->rc;
    sqlite3_bind_int64(st, 98, page_size);
    sqlite3_bind_int64(st, 99, (int64_t)(page - 1) * page_size);
    buf_puts(out, "{\"items\":[");
    int n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++) buf_putc(out, ',');
        buf_append(out, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
    }
    db_done(st);
    if (rc != SQLITE_DONE) return db_fail(db, f, rc, __FILE__, __LINE__);
    bool exact = total <= LIST_COUNT_CAP;
    buf_printf(out, "],\"total\":%lld,\"total_exact\":%s,\"page\":%d,\"page_size\":%d}",
               (long long)(exact ? total : LIST_COUNT_CAP), exact ? "true" : "false", page, page_size);
    return buf_oom(out) ? rc_fail(f, RC_UNAVAILABLE, "out of memory") : RC_OK;
}

Rc listq_run(Db *db, Fail *f, Buf *out, int page, int page_size, const char *count_sql,
             const char *items_sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Rc r = listq_v(db, f, out, page, page_size, count_sql, items_sql, NULL, fmt, ap);
    va_end(ap);
    return r;
}

Rc listq_run2(Db *db, Fail *f, Buf *out, int page, int page_size, const char *count_sql, const char *items_sql,
              const char *items_large, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Rc r = listq_v(db, f, out, page, page_size, count_sql, items_sql, items_large, fmt, ap);
    va_end(ap);
    return r;
}

Rc listq_one(Db *db, Fail *f, Buf *out, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = db_qv(db, f, sql, fmt, ap);
    va_end(ap);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    Rc r = RC_OK;
    if (rc == SQLITE_ROW) buf_append(out, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
    else if (rc == SQLITE_DONE) r = RC_NOT_FOUND;
    else r = db_fail(db, f, rc, __FILE__, __LINE__);
    db_done(st);
    return r;
}
