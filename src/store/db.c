/*
 * db.c — see db.h. The statement cache is a small open-addressing table per connection keyed by
 * the SQL text; statements are finalised when the connection closes.
 */
#include "store/db.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/fts.h"
#include "store/sqlfn.h"
#include "util/log.h"

enum { CACHE_SLOTS = 256, RETIRED = 16 };

typedef struct CacheSlot {
    const char *sql;     /* the SQL text (a string literal: lives for the program) */
    sqlite3_stmt *stmt;  /* prepared statement */
} CacheSlot;

struct Db {
    sqlite3 *h;                    /* the connection */
    char *path;                    /* file name (owned) */
    CacheSlot cache[CACHE_SLOTS];  /* prepared statements */
    /* Statements replaced in a full cache, finalized RETIRED replacements later: a caller may
     * still hold one between its last step and db_done. */
    sqlite3_stmt *retired[RETIRED];
    int next_retired;              /* where the next replaced statement goes */
};

/* SQL texts are string literals with static addresses, so the cache is keyed by the pointer: no
 * hashing or comparing of long texts on the hot path. */
static uint32_t sql_hash(const char *s) {
    uint64_t p = (uint64_t)(uintptr_t)s;
    return (uint32_t)((p >> 3) * 0x9E3779B97F4A7C15ULL >> 40);
}

static bool db_read_only;

void db_set_read_only(bool ro) { db_read_only = ro; }

/* Group commit (server): connections commit with synchronous=NORMAL (no fsync inside COMMIT),
 * then wait in durable_wait() until one fdatasync of the WAL file covers their commit. Every
 * thread committing meanwhile shares that fdatasync, so durable writes scale with concurrency
 * instead of paying one disk flush each. A write is acknowledged only after the flush: the same
 * guarantee as synchronous=FULL, for power loss as for kill -9. */
static bool group_commit;
static char wal_path[600];
static int wal_fd = -1;
static pthread_mutex_t sync_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cond = PTHREAD_COND_INITIALIZER;
static uint64_t commit_seq;   /* commits finished (under sync_mutex) */
static uint64_t synced_seq;   /* commits known durable */
static bool syncing;

void db_set_group_commit(const char *db_path) {
    group_commit = db_path != NULL;
    if (db_path) snprintf(wal_path, sizeof wal_path, "%s-wal", db_path);
}

/* Waits until the commit just made is on disk. Returns false when the flush failed. */
static bool durable_wait(void) {
    pthread_mutex_lock(&sync_mutex);
    uint64_t mine = ++commit_seq;
    bool ok = true;
    while (synced_seq < mine) {
        if (syncing) {
            pthread_cond_wait(&sync_cond, &sync_mutex);
            continue;
        }
        syncing = true;
        uint64_t target = commit_seq;
        pthread_mutex_unlock(&sync_mutex);
        if (wal_fd < 0) wal_fd = open(wal_path, O_RDWR | O_CLOEXEC);
        int rc = wal_fd >= 0 ? fdatasync(wal_fd) : -1;
        pthread_mutex_lock(&sync_mutex);
        syncing = false;
        if (rc == 0) synced_seq = target;
        else ok = false;
        pthread_cond_broadcast(&sync_cond);
        if (!ok) break;
    }
    pthread_mutex_unlock(&sync_mutex);
    return ok;
}

static void db_global_config(void) {
    /* No allocation statistics: they take a global mutex on every malloc. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

Db *db_open(const char *path, bool create, char *err, size_t errsz) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, db_global_config);
    Db *db = calloc(1, sizeof *db);
    if (!db) { snprintf(err, errsz, "out of memory"); return NULL; }
    db->path = strdup(path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errsz, "cannot open %s: %s", path, db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        db_close(db);
        return NULL;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 10000);
    static const char *pragmas =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA temp_store=MEMORY;"
        "PRAGMA cache_size=-4000;"
        "PRAGMA mmap_size=268435456;";
    char *msg = NULL;
    rc = sqlite3_exec(db->h, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, errsz, "cannot configure %s: %s", path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        db_close(db);
        return NULL;
    }
    if (db_read_only) sqlite3_exec(db->h, "PRAGMA query_only=ON", NULL, NULL, NULL);
    if (group_commit) sqlite3_exec(db->h, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    if (sqlfn_register(db->h) != SQLITE_OK || fts_register(db->h) != SQLITE_OK) {
        snprintf(err, errsz, "cannot register SQL functions");
        db_close(db);
        return NULL;
    }
    return db;
}

void db_close(Db *db) {
    if (!db) return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (db->cache[i].stmt) sqlite3_finalize(db->cache[i].stmt);
    for (int i = 0; i < RETIRED; i++) sqlite3_finalize(db->retired[i]);
    if (db->h) sqlite3_close_v2(db->h);
    free(db->path);
    free(db);
}

sqlite3 *db_handle(Db *db) { return db->h; }
const char *db_path(Db *db) { return db->path; }

Rc db_fail(Db *db, Fail *f, int rc, const char *file, int line) {
    int prim = rc & 0xff;
    Rc out;
    switch (prim) {
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
        out = RC_UNAVAILABLE;
        break;
    case SQLITE_CONSTRAINT:
        out = RC_CONFLICT;
        break;
    case SQLITE_NOMEM:
        out = RC_UNAVAILABLE;
        break;
    default:
        out = RC_INTERNAL;
    }
    const char *msg = db && db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc);
    if (out != RC_CONFLICT) log_msg(LOG_ERROR, file, line, "sqlite error %d: %s", rc, msg);
    if (f) {
        if (out == RC_UNAVAILABLE)
            fail_at(f, file, line, out, "storage unavailable (%s); reads continue, retry the write later",
                    sqlite3_errstr(rc));
        else if (out == RC_CONFLICT)
            fail_at(f, file, line, out, "constraint: %s", msg);
        else
            fail_at(f, file, line, out, "storage error");
    }
    return out;
}

static sqlite3_stmt *cache_get(Db *db, Fail *f, const char *sql) {
    uint32_t h = sql_hash(sql);
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        CacheSlot *s = &db->cache[(h + (uint32_t)probe) % CACHE_SLOTS];
        if (s->sql == NULL) {
            sqlite3_stmt *st = NULL;
            int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (rc != SQLITE_OK) {
                log_error("prepare failed: %s in: %.200s", sqlite3_errmsg(db->h), sql);
                db_fail(db, f, rc, __FILE__, __LINE__);
                return NULL;
            }
            s->sql = sql;
            s->stmt = st;
            return st;
        }
        if (s->sql == sql) return s->stmt;
    }
    /* Cache full: the list filters assemble many SQL variants (organisations, dossiers), so a
     * long-running connection fills it (found by tests/fuzz/fuzz_request: every new statement of
     * the thread then failed with 500). Replace a statement that is not running; it is retired,
     * not finalized at once, in case its caller has yet to call db_done. */
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        CacheSlot *s = &db->cache[(h + (uint32_t)probe) % CACHE_SLOTS];
        if (sqlite3_stmt_busy(s->stmt)) continue;
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK) {
            log_error("prepare failed: %s in: %.200s", sqlite3_errmsg(db->h), sql);
            db_fail(db, f, rc, __FILE__, __LINE__);
            return NULL;
        }
        sqlite3_finalize(db->retired[db->next_retired]);
        db->retired[db->next_retired] = s->stmt;
        db->next_retired = (db->next_retired + 1) % RETIRED;
        s->sql = sql;
        s->stmt = st;
        return st;
    }
    log_error("statement cache full of running statements");
    if (f) rc_fail(f, RC_INTERNAL, "statement cache full");
    return NULL;
}

sqlite3_stmt *db_qv(Db *db, Fail *f, const char *sql, const char *fmt, va_list ap) {
    sqlite3_stmt *st = cache_get(db, f, sql);
    if (!st) return NULL;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    int idx = 1, rc = SQLITE_OK;
    for (const char *p = fmt ? fmt : ""; *p && rc == SQLITE_OK; p++, idx++) {
        switch (*p) {
        case 'i': rc = sqlite3_bind_int64(st, idx, va_arg(ap, int64_t)); break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? sqlite3_bind_int64(st, idx, v) : sqlite3_bind_null(st, idx);
            break;
        }
        case 'N': {
            int64_t v = va_arg(ap, int64_t);
            rc = v >= 0 ? sqlite3_bind_int64(st, idx, v) : sqlite3_bind_null(st, idx);
            break;
        }
        case 't': {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
            break;
        }
        case 'b': {
            const void *p2 = va_arg(ap, const void *);
            int n = va_arg(ap, int);
            rc = p2 ? sqlite3_bind_blob(st, idx, p2, n, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
            break;
        }
        case 'd': rc = sqlite3_bind_double(st, idx, va_arg(ap, double)); break;
        default:
            log_error("bad bind format '%c'", *p);
            rc = SQLITE_MISUSE;
        }
        /* Statements assembled from optional fragments may not use every numbered parameter. */
        if (rc == SQLITE_RANGE && idx > sqlite3_bind_parameter_count(st)) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
        db_fail(db, f, rc, __FILE__, __LINE__);
        sqlite3_reset(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *db_q(Db *db, Fail *f, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = db_qv(db, f, sql, fmt, ap);
    va_end(ap);
    return st;
}

void db_done(sqlite3_stmt *st) {
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

Rc db_run(Db *db, Fail *f, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = db_qv(db, f, sql, fmt, ap);
    va_end(ap);
    if (!st) return f ? f->rc : RC_INTERNAL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {}
    Rc out = RC_OK;
    if (rc != SQLITE_DONE) out = db_fail(db, f, rc, __FILE__, __LINE__);
    db_done(st);
    return out;
}

Rc db_int(Db *db, Fail *f, int64_t *out, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = db_qv(db, f, sql, fmt, ap);
    va_end(ap);
    if (!st) return f ? f->rc : RC_INTERNAL;
    int rc = sqlite3_step(st);
    Rc r = RC_OK;
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE) r = RC_NOT_FOUND;
    else r = db_fail(db, f, rc, __FILE__, __LINE__);
    db_done(st);
    return r;
}

Rc db_text(Db *db, Fail *f, char *out, size_t outsz, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = db_qv(db, f, sql, fmt, ap);
    va_end(ap);
    if (!st) return f ? f->rc : RC_INTERNAL;
    int rc = sqlite3_step(st);
    Rc r = RC_OK;
    if (rc == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        snprintf(out, outsz, "%s", s ? s : "");
    } else if (rc == SQLITE_DONE) {
        r = RC_NOT_FOUND;
    } else {
        r = db_fail(db, f, rc, __FILE__, __LINE__);
    }
    db_done(st);
    return r;
}

Rc db_exec(Db *db, Fail *f, const char *sql) {
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("exec failed: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return db_fail(db, f, rc, __FILE__, __LINE__);
    }
    return RC_OK;
}

/* Write transactions of this process take turns on a mutex before BEGIN IMMEDIATE: SQLite's own
 * busy handler would make waiting writers sleep in steps of up to 100 ms (measured: p99 over one
 * second at 64 concurrent writers); the mutex hands the write lock over at once. Other processes
 * (the CLI) still meet SQLite's lock and busy timeout.
 *
 * Transactions nest: a db_begin inside an open one becomes a SAVEPOINT, its commit a RELEASE and
 * its rollback a ROLLBACK TO, so that a core function that writes in a transaction of its own
 * (creating a dossier) can also run inside a caller's (a meeting with its agreed items). */
static pthread_mutex_t write_mutex = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int write_depth;

static Rc savepoint(Db *db, Fail *f, const char *verb, int depth) {
    char sql[48];
    snprintf(sql, sizeof sql, "%s sp%d", verb, depth);
    return db_exec(db, f, sql);
}

Rc db_begin(Db *db, Fail *f) {
    if (write_depth > 0) {
        Rc r = savepoint(db, f, "SAVEPOINT", write_depth);
        if (r == RC_OK) write_depth++;
        return r;
    }
    pthread_mutex_lock(&write_mutex);
    Rc r = db_run(db, f, "BEGIN IMMEDIATE", NULL);
    if (r != RC_OK) {
        pthread_mutex_unlock(&write_mutex);
        return r;
    }
    write_depth = 1;
    return RC_OK;
}

Rc db_commit(Db *db, Fail *f) {
    if (write_depth > 1) {
        Rc r = savepoint(db, f, "RELEASE", write_depth - 1);
        if (r != RC_OK) {
            db_rollback(db);
            return r;
        }
        write_depth--;
        return RC_OK;
    }
    Rc r = db_run(db, f, "COMMIT", NULL);
    if (r != RC_OK) {
        db_rollback(db);
        return r;
    }
    if (write_depth == 1) {
        write_depth = 0;
        pthread_mutex_unlock(&write_mutex);
    }
    /* Outside the write lock: the next writer proceeds while this one waits for the disk. */
    if (group_commit && !durable_wait())
        return rc_fail(f, RC_UNAVAILABLE, "the write could not be flushed to disk");
    return r;
}

void db_rollback(Db *db) {
    if (write_depth > 1) {
        Fail g = {0};
        savepoint(db, &g, "ROLLBACK TO", write_depth - 1);
        savepoint(db, &g, "RELEASE", write_depth - 1);
        fail_clear(&g);
        write_depth--;
        return;
    }
    if (!sqlite3_get_autocommit(db->h)) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    if (write_depth == 1) {
        write_depth = 0;
        pthread_mutex_unlock(&write_mutex);
    }
}

int64_t db_last_id(Db *db) { return sqlite3_last_insert_rowid(db->h); }
int db_changes(Db *db) { return sqlite3_changes(db->h); }
