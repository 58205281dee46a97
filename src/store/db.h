/*
 * db.h — the store: one SQLite connection per thread with WAL, foreign keys, a busy timeout and
 * synchronous=FULL; a per-connection prepared-statement cache; bound-parameter queries only;
 * transactions; and the mapping of SQLite result codes to Rc (disk full / read-only → 503).
 * In the server (group commit) write transactions run on one writer connection shared by the
 * threads, committed in batches; a flusher thread makes them durable (one fdatasync for the
 * batches committed before it began) while the next batch runs: see db.c.
 */
#ifndef SANQU_STORE_DB_H
#define SANQU_STORE_DB_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/rc.h"

typedef struct Db Db;

/* Opens (creating if asked) the database at path and applies the connection settings. Does not
 * migrate. On failure returns NULL and writes a message into err. The caller frees with db_close. */
Db *db_open(const char *path, bool create, char *err, size_t errsz);
void db_close(Db *db);
/* Connections opened after this refuse writes (SQLITE_READONLY → 503): `serve --read-only`, for
 * maintenance windows and read replicas. */
void db_set_read_only(bool ro);
bool db_is_read_only(void);
/* Turns on group commit for handles of db_path opened after this (the server): see db.c. NULL
 * turns it off for handles opened afterwards. */
void db_set_group_commit(const char *db_path);
/* Gives back the memory of the page cache of db, an idle connection (the server, when idle). */
void db_release_memory(Db *db);
/* The same for the shared writer, unless it is in use. */
void db_release_writer_memory(void);
/* Writes queued to be run by a thread that runs them for others (the server's write thread):
 * counted as threads waiting for the writer, so that the open batch waits for them too. +1 when
 * one is queued, -1 once it has run; when none is left, a batch left open for them is ended (or
 * left to the flusher) as when the last waiting thread leaves the writer. */
void db_writes_queued(int delta);
/* Holding writes (the server, so that a worker does not wait for the disk). Between
 * db_hold_begin and db_hold_end on one thread, the first outermost db_commit of a shared handle
 * does not wait for its batch to become durable: the work stays open on the writer (later
 * reads of the thread see it there; later transactions nest in it), and the thread keeps the
 * writer until db_hold_end. db_hold_end then adds the work to the batch and returns at once:
 * DB_HOLD_PENDING: cb(ctx, ok) will be called, from another thread or this one, once the work
 * is durable (ok) or its batch has failed (nothing of it was acknowledged); DB_HOLD_NONE:
 * nothing was committed meanwhile, cb is never called; DB_HOLD_FAILED: the work could not join
 * a batch and was rolled back. An answer that reports the work must be sent only after cb(ctx,
 * true). */
typedef enum DbHold { DB_HOLD_NONE, DB_HOLD_PENDING, DB_HOLD_FAILED } DbHold;
typedef void (*DbDurable)(void *ctx, bool ok);
void db_hold_begin(void);
bool db_holding(void); /* the thread holds committed work */
DbHold db_hold_end(DbDurable cb, void *ctx); /* cb NULL: nobody waits for the outcome */
/* Tests only: under group commit, hook(fd) replaces the fdatasync of the WAL file (returns 0 or -1
 * as fdatasync does); NULL restores fdatasync. Called from the flusher thread. */
void db_set_flush_hook(int (*hook)(int fd));
/* Tests only: the WAL length (frames) past which the checkpoint thread empties the WAL (TRUNCATE);
 * 0 restores the default. Takes effect for writers started afterwards. */
void db_set_wal_limit(int frames);
sqlite3 *db_handle(Db *db);
const char *db_path(Db *db);

/* Prepares sql through the cache (keyed by the text) and binds the arguments described by fmt:
 *   'i' int64_t, 'I' int64_t or NULL when 0, 'N' int64_t or NULL when negative, 't' const char * (NULL binds NULL),
 *   'b' const void *, int length (blob), 'd' double.
 * Returns the statement, reset and bound, owned by the cache: step it, then call db_done. NULL on
 * error (the error is logged and, if f is not NULL, recorded as an Rc). */
sqlite3_stmt *db_q(Db *db, Fail *f, const char *sql, const char *fmt, ...);
/* The same with a va_list. */
sqlite3_stmt *db_qv(Db *db, Fail *f, const char *sql, const char *fmt, va_list ap);
/* Resets a statement from db_q so the cache can hand it out again. A statement obtained inside a
 * write transaction must be released before the transaction ends (it belongs to the writer). */
void db_done(sqlite3_stmt *st);

/* Runs a statement from db_q to completion; returns RC_OK or the mapped error. */
Rc db_run(Db *db, Fail *f, const char *sql, const char *fmt, ...);
/* Single-value queries: the first column of the first row. Return RC_NOT_FOUND without a row. */
Rc db_int(Db *db, Fail *f, int64_t *out, const char *sql, const char *fmt, ...);
/* Appends the first column of the first row (text) into out (NUL-terminated, truncated to
 * outsz); RC_NOT_FOUND without a row. */
Rc db_text(Db *db, Fail *f, char *out, size_t outsz, const char *sql, const char *fmt, ...);

/* A statement that may wait for the end of the transaction, such as adding a row to a full-text
 * index: FTS5 writes a segment at every savepoint that touched it, so rows added one savepoint
 * at a time cost a segment each (~80 µs of an append). Inside a write transaction of a shared
 * handle (group commit), the statement runs on the writer just before its batch commits, after
 * the work of every member of the batch, in ascending `order`; it is dropped when the
 * transaction, or the savepoint it was queued in, rolls back; if it fails, the batch fails (every
 * member's db_commit answers RC_UNAVAILABLE, none was acknowledged). Otherwise it runs at once.
 * fmt takes 'i' (int64_t) and 't' (const char *, copied; NULL binds NULL) only. */
Rc db_run_at_commit(Db *db, Fail *f, int64_t order, const char *sql, const char *fmt, ...);

/* Executes SQL text with no parameters (schema, pragmas). */
Rc db_exec(Db *db, Fail *f, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. db_rollback never fails and may be called when no
 * transaction is open. Nested calls are savepoints. Under group commit db_commit returns RC_OK
 * only once the transaction is on disk (RC_UNAVAILABLE when its batch failed). */
Rc db_begin(Db *db, Fail *f);
Rc db_commit(Db *db, Fail *f);
void db_rollback(Db *db);

/* Maps an SQLite result code to an Rc and records it in f with the database message. */
Rc db_fail(Db *db, Fail *f, int sqlite_rc, const char *file, int line);
int64_t db_last_id(Db *db);
int db_changes(Db *db);
/* Rows changed by every statement so far on the connection db's statements run on. */
int64_t db_total_changes(Db *db);

#endif
