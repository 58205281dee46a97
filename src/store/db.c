/*
 * db.c — see db.h. The statement cache is a small open-addressing table per connection keyed by
 * the SQL text; statements are finalised when the connection closes.
 *
 * In the server (group commit), write transactions do not run on the thread's own connection but
 * on one writer connection shared by all threads and used by one at a time (under write_mutex):
 * a Db handle switches to it from db_begin to the end of its transaction. Its page cache stays
 * valid from one transaction to the next (each write by one connection would invalidate the page
 * caches of all others: profiled as pread and munmap of the memory map on every write). Reads
 * outside write transactions stay on the per-thread connections. Consecutive write transactions
 * of different threads share one SQLite transaction (a batch) and one fdatasync: see db_commit.
 */
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
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
    bool shared;                   /* group commit: write transactions run on the writer connection */
    bool routed;                   /* the handle's last write ran on the writer: last_id and changes hold its figures */
    int64_t last_id;               /* rowid of the last insert made through the writer */
    int changes;                   /* rows changed by the last statement run through the writer */
};

/* SQL texts are string literals with static addresses, so the cache is keyed by the pointer: no
 * hashing or comparing of long texts on the hot path. */
static uint32_t sql_hash(const char *s) {
    uint64_t p = (uint64_t)(uintptr_t)s;
    return (uint32_t)((p >> 3) * 0x9E3779B97F4A7C15ULL >> 40);
}

static bool db_read_only;

void db_set_read_only(bool ro) { db_read_only = ro; }

bool db_is_read_only(void) { return db_read_only; }

/* Group commit (server): the writer connection commits with synchronous=NORMAL (no fsync inside
 * COMMIT: the frames are written to the WAL file, not flushed); a flusher thread then makes the
 * WAL durable with one fdatasync for every batch committed before the flush began, and only then
 * does each member's db_commit return. A write is thus acknowledged only after the flush: the same
 * guarantee as synchronous=FULL, for power loss as for kill -9.
 *
 * The flush runs outside the write lock, so the next batch executes while the disk works; and a
 * batch is not committed while a flush runs (unless it is full) but when it ends, so each flush
 * normally covers exactly one COMMIT holding everything that finished meanwhile: the pages that
 * all appends touch (the ends of the log tables and their indexes) are written to the WAL once
 * per flush rather than once per transaction.
 *
 * Checkpoints (below) cannot run ahead of durability in a harmful way: a checkpoint first syncs
 * the WAL itself, then copies committed frames into the database file and syncs it, so the file
 * never holds a page whose frame could still be lost, and a restarted WAL keeps its inode, which
 * wal_fd refers to for as long as the writer connection holds the WAL open. A frame committed
 * but not yet flushed may survive a crash or not (SQLite's recovery stops at the first frame
 * whose checksum fails, at a commit boundary); it was not acknowledged either way. */
static bool group_commit;
static char gc_path[580];     /* the database whose handles share the writer */
static char wal_path[PATH_MAX + 8];
static int wal_fd = -1;       /* the writer's WAL file, open while the writer is (under life_mutex) */
static int (*flush_hook)(int fd); /* tests: replaces fdatasync */

void db_set_group_commit(const char *db_path) {
    group_commit = db_path != NULL;
    if (db_path) {
        snprintf(gc_path, sizeof gc_path, "%s", db_path);
        /* SQLite keeps the WAL beside the file a symbolic link points to (found by serving a
         * linked database: every flush failed, every write answered 503). */
        char real[PATH_MAX];
        snprintf(wal_path, sizeof wal_path, "%s-wal", realpath(db_path, real) ? real : db_path);
    }
}

void db_set_flush_hook(int (*hook)(int fd)) { flush_hook = hook; }

static void db_global_config(void) {
    /* No allocation statistics: they take a global mutex on every malloc. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* ---- the writer connection ------------------------------------------------------------------ */

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

/* Group commit only. The writer connection, opened with the first shared handle and closed with
 * the last (writer_users, under write_mutex); used by the thread holding write_mutex. */
static Db *writer;
static int writer_users;
/* Held while the writer and its threads (checkpoints, flusher) start or stop, so that a handle
 * opened meanwhile cannot start a second set; taken before write_mutex. */
static pthread_mutex_t life_mutex = PTHREAD_MUTEX_INITIALIZER;
static atomic_int write_waiters; /* threads waiting in db_begin for write_mutex */

/* A batch: one SQLite transaction on the writer holding the finished write transactions of
 * several threads, each of which ran inside a SAVEPOINT of its own (so that one can roll back
 * alone). A thread that finishes its transaction while other threads wait for the writer, or
 * while a flush runs, leaves the batch open and waits; the thread that finds nobody waiting and
 * the disk idle (or the batch full), or else the flusher when its flush ends, commits it and
 * hands its members to the flusher, which wakes each of them once a flush begun after the
 * COMMIT has ended. A member's db_commit returns only then, so an acknowledged write is durable;
 * when the batch or its flush fails, all of its members fail (none of them has been
 * acknowledged). Under write_mutex. */
enum { BATCH_MAX = 64 };
typedef struct Member {
    struct Member *next; /* the batch's (then the flush queue's) next member */
    bool ok;             /* the outcome, set before done is posted */
    sem_t done;          /* posted once the batch is durable or has failed: wakes this thread alone */
    DbDurable cb;        /* or, for a member that does not wait (db_hold_end): called instead */
    void *ctx;
} Member;
static bool batch_open;      /* the writer holds an open transaction */
static int batch_size;       /* members in it */
static Member *batch_members; /* their wait records (on their stacks) */

/* Statements queued by db_run_at_commit for the open batch (under write_mutex), and where each
 * savepoint level of the thread holding the writer began in the queue, to drop what a rollback
 * undoes (level 0: the member's transaction; deeper levels past DEFER_LEVELS share the last). */
enum { DEFER_ARGS = 4, DEFER_LEVELS = 8 };
typedef struct Deferred {
    int64_t order;
    size_t seq; /* its place in the queue */
    const char *sql;
    char fmt[DEFER_ARGS + 1];
    int64_t num[DEFER_ARGS];
    char *text[DEFER_ARGS];
} Deferred;
static Deferred *deferred;
static size_t deferred_n, deferred_cap;
static _Thread_local size_t defer_mark[DEFER_LEVELS];

static void deferred_drop(size_t from) {
    for (size_t i = from; i < deferred_n; i++)
        for (int k = 0; k < DEFER_ARGS; k++) free(deferred[i].text[k]);
    if (from < deferred_n) deferred_n = from;
}

static void mark_level(int depth) { defer_mark[depth < DEFER_LEVELS ? depth : DEFER_LEVELS - 1] = deferred_n; }
static size_t level_mark(int depth) { return defer_mark[depth < DEFER_LEVELS ? depth : DEFER_LEVELS - 1]; }

/* Tells each member of list its outcome and wakes it. A member may return (and its record on
 * its stack vanish) as soon as it is posted, so the next pointer is read first. */
static void members_wake(Member *list, bool ok) {
    while (list) {
        Member *next = list->next;
        if (list->cb) {
            list->cb(list->ctx, ok);
            free(list);
        } else {
            list->ok = ok;
            sem_post(&list->done);
        }
        list = next;
    }
}

/* The flusher: a thread that fdatasyncs the WAL for the members of committed batches. Batches
 * committed while a flush runs wait in flush_queue for the next one, which covers them because
 * it starts after their COMMIT returned. Shared state under flush_mutex. */
static pthread_t flush_thread;
static bool flush_running;          /* the thread exists (under life_mutex) */
static pthread_mutex_t flush_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flush_cond = PTHREAD_COND_INITIALIZER; /* work queued, or stop */
static Member *flush_queue;         /* members of committed batches not yet covered by a flush */
static Member **flush_tail = &flush_queue; /* where the next committed batch is appended */
static bool flushing;               /* a flush is running */
static bool flush_then_commit;      /* an open batch was left for the flusher to commit */
static bool flush_stop;             /* the thread should end once the queue is empty */

/* One fdatasync of the WAL (or the tests' hook). Returns 0 or -1. */
static int wal_flush(void) {
    if (wal_fd < 0) wal_fd = open(wal_path, O_RDWR | O_CLOEXEC);
    if (wal_fd < 0) return -1;
    return flush_hook ? flush_hook(wal_fd) : fdatasync(wal_fd);
}

/* Checkpoints (group commit) run in a thread of their own, on a connection of their own, instead
 * of inside the COMMIT that crosses the WAL's autocheckpoint size (profiled at 11% of the server's
 * CPU, with two fsyncs, all of it under the write lock). The writer's WAL hook asks for one when
 * the WAL holds CKPT_FRAMES frames; the checkpoint is PASSIVE: it never blocks readers or the
 * writer, and the writer restarts the WAL from its beginning once it has been copied back. */
enum { CKPT_FRAMES = 1000, CKPT_RESTART_FRAMES = 4000, CKPT_CATCH_UP_FRAMES = 64, CKPT_FOLLOW_PASSES = 8,
       CKPT_TRUNCATE_FRAMES = 16000 };
static int wal_limit = CKPT_TRUNCATE_FRAMES; /* see db_set_wal_limit */

void db_set_wal_limit(int frames) { wal_limit = frames > 0 ? frames : CKPT_TRUNCATE_FRAMES; }
static pthread_t ckpt_thread;
static bool ckpt_running;        /* the thread exists (under life_mutex, with writer) */
static pthread_mutex_t ckpt_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ckpt_cond = PTHREAD_COND_INITIALIZER;
static bool ckpt_wanted;         /* a checkpoint is asked for (under ckpt_mutex) */
static bool ckpt_stop;           /* the thread should end (under ckpt_mutex) */
static int ckpt_base;            /* frames in the WAL when the last checkpoint began (under ckpt_mutex) */
/* The WAL starts again from its beginning only at the first write of a transaction that began
 * when every frame had been copied back, and when no reader still reads old frames. Under a
 * steady stream of batches that never happens by itself: each batch begins right after the
 * last one committed, before the checkpointer has copied its frames, so the WAL grew to
 * CKPT_TRUNCATE_FRAMES every 2–3 s at 64 appending clients, and each TRUNCATE checkpoint kept
 * the writer waiting for 0.1–0.8 s (once 7 s) while it synced the database and waited for
 * readers. Instead, once a checkpoint has copied back a WAL past CKPT_RESTART_FRAMES, the writer
 * copies back the few frames committed since, itself, between two batches (on its own
 * connection, so no commit comes between), and the next batch starts the WAL again. The file
 * keeps its length: later writes reuse its blocks, and its flushes change no file size. */
static atomic_bool restart_wanted;

static int wal_hook(void *arg, sqlite3 *h, const char *name, int frames) {
    (void)arg, (void)h, (void)name;
    pthread_mutex_lock(&ckpt_mutex);
    if (frames < ckpt_base) ckpt_base = 0; /* the WAL has started again from its beginning */
    /* Frames written since the last checkpoint (the WAL keeps its length until it restarts). */
    if (frames - ckpt_base >= CKPT_FRAMES && !ckpt_wanted) {
        ckpt_wanted = true;
        ckpt_base = frames;
        pthread_cond_signal(&ckpt_cond);
    }
    pthread_mutex_unlock(&ckpt_mutex);
    return SQLITE_OK;
}

static Db *conn_open(const char *path, bool create, bool is_writer, char *err, size_t errsz);

static void *ckpt_main(void *arg) {
    char err[256];
    Db *c = conn_open((const char *)arg, false, false, err, sizeof err);
    if (!c) log_error("checkpoints: %s", err);
    pthread_mutex_lock(&ckpt_mutex);
    for (;;) {
        while (!ckpt_wanted && !ckpt_stop) pthread_cond_wait(&ckpt_cond, &ckpt_mutex);
        if (ckpt_stop) break;
        ckpt_wanted = false;
        pthread_mutex_unlock(&ckpt_mutex);
        int log = 0, done = 0;
        int rc = c ? sqlite3_wal_checkpoint_v2(c->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) : SQLITE_OK;
        if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
            log_error("checkpoint failed: %s", sqlite3_errmsg(c->h));
        /* Past CKPT_RESTART_FRAMES, passes follow one another, each copying back what was
         * committed during the one before, until one finds at most CKPT_CATCH_UP_FRAMES new: the
         * writer's own pass (wal_catch_up) then has few pages to copy and sync while writes wait
         * (measured at 64 appending clients: 6–20 ms against 30–75 ms straight after the first
         * pass; the database's fdatasync dominates it). */
        for (int pass = 0; c && rc == SQLITE_OK && done == log && log >= CKPT_RESTART_FRAMES; pass++) {
            int before = log;
            rc = sqlite3_wal_checkpoint_v2(c->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
            if (rc != SQLITE_OK || done < log || log < before) break; /* busy, a reader, or started again */
            if (log - before <= CKPT_CATCH_UP_FRAMES || pass == CKPT_FOLLOW_PASSES) {
                atomic_store(&restart_wanted, true);
                break;
            }
        }
        /* Under steady load some reader always holds a snapshot in the WAL, so the writer never
         * finds it free to start again from its beginning and it grows without end (measured: 1.5
         * GB in 100 s of the soak mix, with every connection mapping its growing index). Past
         * CKPT_TRUNCATE_FRAMES a TRUNCATE checkpoint waits (busy handler) for the readers of old
         * frames and the writer, copies everything back and empties the WAL. It syncs the
         * database before truncating, so nothing committed is lost, acknowledged or not. */
        if (c && rc == SQLITE_OK && log >= wal_limit) {
            rc = sqlite3_wal_checkpoint_v2(c->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
            if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY) log_error("checkpoint (truncate) failed: %s", sqlite3_errmsg(c->h));
        }
        pthread_mutex_lock(&ckpt_mutex);
    }
    pthread_mutex_unlock(&ckpt_mutex);
    db_close(c);
    return NULL;
}

/* Starts and stops the checkpoint thread with the writer (under life_mutex). */
static void ckpt_start(void) {
    ckpt_stop = false;
    ckpt_wanted = false;
    ckpt_base = 0;
    sqlite3_wal_hook(writer->h, wal_hook, NULL);
    ckpt_running = pthread_create(&ckpt_thread, NULL, ckpt_main, writer->path) == 0;
    if (ckpt_running) pthread_setname_np(ckpt_thread, "sanqu-ckpt");
    /* Without the thread, the writer checkpoints in its commits as SQLite does by default. */
    if (!ckpt_running) sqlite3_wal_autocheckpoint(writer->h, CKPT_FRAMES);
}

static void ckpt_end(void) {
    if (!ckpt_running) return;
    pthread_mutex_lock(&ckpt_mutex);
    ckpt_stop = true;
    pthread_cond_signal(&ckpt_cond);
    pthread_mutex_unlock(&ckpt_mutex);
    pthread_join(ckpt_thread, NULL);
    ckpt_running = false;
}

/* The connection that statements of db run on: the writer inside a shared write transaction. */
static inline Db *conn(Db *db) { return write_depth > 0 && db->shared ? writer : db; }

/* Runs a statement without parameters on connection c through its cache (BEGIN, COMMIT, the
 * savepoints of members). */
static int ctl(Db *c, const char *sql);
static sqlite3_stmt *cache_get(Db *c, Fail *f, const char *sql);

/* Resets the writer's statements left running by a finished transaction, so that none keeps
 * the batch's transaction busy and none is reset later by its former user, outside the lock. */
static void writer_reset_busy(void) {
    for (sqlite3_stmt *s = sqlite3_next_stmt(writer->h, NULL); s; s = sqlite3_next_stmt(writer->h, s))
        if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
}

/* By order, then by the order of queueing (qsort is not stable). */
static int deferred_cmp(const void *a, const void *b) {
    const Deferred *x = a, *y = b;
    if (x->order != y->order) return (x->order > y->order) - (x->order < y->order);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Runs the batch's queued statements on the writer, in order (write_mutex held). */
static bool deferred_run(void) {
    if (deferred_n > 1) qsort(deferred, deferred_n, sizeof *deferred, deferred_cmp);
    for (size_t i = 0; i < deferred_n; i++) {
        Deferred *d = &deferred[i];
        sqlite3_stmt *st = cache_get(writer, NULL, d->sql);
        if (!st) return false;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        for (int k = 0; d->fmt[k]; k++) {
            if (d->fmt[k] == 'i') sqlite3_bind_int64(st, k + 1, d->num[k]);
            else if (d->text[k]) sqlite3_bind_text(st, k + 1, d->text[k], -1, SQLITE_STATIC);
        }
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {}
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_DONE) {
            log_error("a statement queued for the commit failed: %s in: %.120s", sqlite3_errmsg(writer->h), d->sql);
            return false;
        }
    }
    return true;
}

/* Ends the open batch (write_mutex held; released on return): commits it and queues its members
 * for the flusher, or, when ok is false or the commit fails, rolls it back and fails them. */
static void batch_end(bool ok) {
    Member *list = batch_members;
    batch_members = NULL;
    batch_size = 0;
    batch_open = false;
    /* An error such as SQLITE_FULL or SQLITE_IOERR in a member's statement may have rolled back
     * the whole transaction already. */
    if (sqlite3_get_autocommit(writer->h)) {
        ok = false;
    } else if (ok) {
        ok = deferred_run();
        int rc = ok ? ctl(writer, "COMMIT") : SQLITE_OK;
        if (rc != SQLITE_OK) {
            log_error("group commit failed: %s", sqlite3_errmsg(writer->h));
            ok = false;
        }
    }
    deferred_drop(0);
    if (!ok && !sqlite3_get_autocommit(writer->h)) sqlite3_exec(writer->h, "ROLLBACK", NULL, NULL, NULL);
    if (ok && list && flush_running) {
        Member *last = list;
        while (last->next) last = last->next;
        pthread_mutex_lock(&flush_mutex);
        *flush_tail = list;
        flush_tail = &last->next;
        pthread_cond_signal(&flush_cond);
        pthread_mutex_unlock(&flush_mutex);
        pthread_mutex_unlock(&write_mutex);
        return;
    }
    pthread_mutex_unlock(&write_mutex);
    /* Without the flusher thread (it could not be started): flush here, outside the lock. */
    if (ok && list) ok = wal_flush() == 0;
    members_wake(list, ok);
}

/* Releases the writer after a thread's transaction ended (write_mutex held; released on
 * return). The batch stays open for the threads waiting for the writer, and while a flush runs
 * (the flusher commits it when the flush ends); otherwise, or when it is full, it ends now. */
static void writer_leave(void) {
    if (!batch_open) {
        pthread_mutex_unlock(&write_mutex);
        return;
    }
    bool end = sqlite3_get_autocommit(writer->h) || batch_size >= BATCH_MAX;
    if (!end && atomic_load(&write_waiters) == 0) {
        end = true;
        if (batch_size > 0 && flush_running) {
            /* Read and set under flush_mutex: the flusher, when its flush ends, clears flushing
             * and then looks at flush_then_commit in one critical section. */
            pthread_mutex_lock(&flush_mutex);
            if (flushing) end = false, flush_then_commit = true;
            pthread_mutex_unlock(&flush_mutex);
        }
    }
    if (end) {
        batch_end(true);
        return;
    }
    pthread_mutex_unlock(&write_mutex);
}

static void *flush_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&flush_mutex);
    for (;;) {
        while (!flush_queue && !flush_stop) pthread_cond_wait(&flush_cond, &flush_mutex);
        if (!flush_queue) break; /* stopping, and nothing left to flush */
        Member *list = flush_queue;
        flush_queue = NULL;
        flush_tail = &flush_queue;
        flushing = true;
        pthread_mutex_unlock(&flush_mutex);
        bool ok = wal_flush() == 0;
        if (!ok) log_error("flushing the WAL failed: %s", strerror(errno));
        pthread_mutex_lock(&flush_mutex);
        flushing = false;
        bool commit = flush_then_commit;
        flush_then_commit = false;
        pthread_mutex_unlock(&flush_mutex);
        members_wake(list, ok);
        /* The batch left open during the flush: commit it for the next one, unless a member
         * ending its transaction did so meanwhile. */
        if (commit) {
            pthread_mutex_lock(&write_mutex);
            if (batch_open && batch_size > 0) batch_end(true);
            else pthread_mutex_unlock(&write_mutex);
        }
        pthread_mutex_lock(&flush_mutex);
    }
    pthread_mutex_unlock(&flush_mutex);
    return NULL;
}

/* Starts and stops the flusher with the writer (under life_mutex; the stop once no handle,
 * hence no member, is left). */
static void flush_start(void) {
    flush_stop = false;
    flushing = false;
    flush_then_commit = false;
    flush_running = pthread_create(&flush_thread, NULL, flush_main, NULL) == 0;
    if (flush_running) pthread_setname_np(flush_thread, "sanqu-flush");
}

static void flush_end(void) {
    if (!flush_running) return;
    pthread_mutex_lock(&flush_mutex);
    flush_stop = true;
    pthread_cond_signal(&flush_cond);
    pthread_mutex_unlock(&flush_mutex);
    pthread_join(flush_thread, NULL);
    flush_running = false;
}

/* Opens one connection and applies the settings. */
static Db *conn_open(const char *path, bool create, bool is_writer, char *err, size_t errsz) {
    Db *db = calloc(1, sizeof *db);
    if (!db) { snprintf(err, errsz, "out of memory"); return NULL; }
    db->path = strdup(path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = db->path ? sqlite3_open_v2(path, &db->h, flags, NULL) : SQLITE_NOMEM;
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
        "PRAGMA cache_size=-2000;"
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
    if (group_commit && strcmp(path, gc_path) == 0) sqlite3_exec(db->h, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    /* The writer's cache holds the pages every write touches (index interiors, the ends of the
     * log tables, the search index), which live in the WAL until checkpointed. It reads without
     * the memory map: the pages it maps count as resident memory of the server, and their number
     * grew with the file (+0.65 MB in a 4-minute soak). The other connections of the server read
     * without it too: each commit of the writer makes them drop their cache, and with a map
     * SQLite then unmaps all of it (munmap with a TLB shootdown on every core, then page faults
     * to map it again), profiled at ~10% of the CPU of an append. For the same reason their
     * caches are small (512 KiB each: under writes they are emptied at every commit anyway), and
     * the writer's is 4 MiB: the server has one reader per worker, and caches that fill up to
     * their size over hours made resident memory drift in the 10-minute soak (16 MiB for the
     * writer and 2 MiB for each reader measured no faster for appends on a million dossiers). */
    if (is_writer) sqlite3_exec(db->h, "PRAGMA mmap_size=0; PRAGMA cache_size=-4000", NULL, NULL, NULL);
    else if (group_commit && strcmp(path, gc_path) == 0)
        sqlite3_exec(db->h, "PRAGMA mmap_size=0; PRAGMA cache_size=-512", NULL, NULL, NULL);
    if (sqlfn_register(db->h) != SQLITE_OK || fts_register(db->h) != SQLITE_OK) {
        snprintf(err, errsz, "cannot register SQL functions");
        db_close(db);
        return NULL;
    }
    return db;
}

Db *db_open(const char *path, bool create, char *err, size_t errsz) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, db_global_config);
    Db *db = conn_open(path, create, false, err, errsz);
    if (!db || !group_commit || strcmp(path, gc_path) != 0) return db;
    pthread_mutex_lock(&life_mutex);
    pthread_mutex_lock(&write_mutex);
    if (!writer && (writer = conn_open(path, false, true, err, errsz)) != NULL) {
        ckpt_start();
        /* The writer's WAL file exists now (journal_mode=WAL opened it) and stays while the
         * writer holds it open: wal_fd is the same file until the writer closes. */
        wal_fd = open(wal_path, O_RDWR | O_CLOEXEC);
        flush_start();
    }
    bool ok = writer != NULL;
    if (ok) writer_users++;
    pthread_mutex_unlock(&write_mutex);
    pthread_mutex_unlock(&life_mutex);
    if (!ok) {
        db_close(db);
        return NULL;
    }
    db->shared = true;
    return db;
}

void db_close(Db *db) {
    if (!db) return;
    if (db->shared) {
        pthread_mutex_lock(&life_mutex);
        pthread_mutex_lock(&write_mutex);
        Db *last = --writer_users == 0 ? writer : NULL;
        if (last) writer = NULL;
        pthread_mutex_unlock(&write_mutex);
        if (last) {
            /* Outside write_mutex: the flusher may take it to commit a batch (none can be left
             * open with members once every handle is closed, but it may still be looking). */
            flush_end();
            ckpt_end();
            db_close(last);
            if (wal_fd >= 0) close(wal_fd);
            wal_fd = -1;
        }
        pthread_mutex_unlock(&life_mutex);
    }
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (db->cache[i].stmt) sqlite3_finalize(db->cache[i].stmt);
    for (int i = 0; i < RETIRED; i++) sqlite3_finalize(db->retired[i]);
    if (db->h) sqlite3_close_v2(db->h);
    free(db->path);
    free(db);
}

sqlite3 *db_handle(Db *db) { return conn(db)->h; }
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
    const char *msg = db && db->h ? sqlite3_errmsg(conn(db)->h) : sqlite3_errstr(rc);
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

/* The cached statement for sql on connection c (not reset or bound). */
static sqlite3_stmt *cache_get(Db *c, Fail *f, const char *sql) {
    uint32_t h = sql_hash(sql);
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        CacheSlot *s = &c->cache[(h + (uint32_t)probe) % CACHE_SLOTS];
        if (s->sql == NULL) {
            sqlite3_stmt *st = NULL;
            int rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (rc != SQLITE_OK) {
                log_error("prepare failed: %s in: %.200s", sqlite3_errmsg(c->h), sql);
                db_fail(c, f, rc, __FILE__, __LINE__);
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
        CacheSlot *s = &c->cache[(h + (uint32_t)probe) % CACHE_SLOTS];
        if (sqlite3_stmt_busy(s->stmt)) continue;
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK) {
            log_error("prepare failed: %s in: %.200s", sqlite3_errmsg(c->h), sql);
            db_fail(c, f, rc, __FILE__, __LINE__);
            return NULL;
        }
        sqlite3_finalize(c->retired[c->next_retired]);
        c->retired[c->next_retired] = s->stmt;
        c->next_retired = (c->next_retired + 1) % RETIRED;
        s->sql = sql;
        s->stmt = st;
        return st;
    }
    log_error("statement cache full of running statements");
    if (f) rc_fail(f, RC_INTERNAL, "statement cache full");
    return NULL;
}

static int ctl(Db *c, const char *sql) {
    sqlite3_stmt *st = cache_get(c, NULL, sql);
    if (!st) return sqlite3_errcode(c->h) != SQLITE_OK ? sqlite3_errcode(c->h) : SQLITE_ERROR;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

sqlite3_stmt *db_qv(Db *db, Fail *f, const char *sql, const char *fmt, va_list ap) {
    Db *c = conn(db);
    sqlite3_stmt *st = cache_get(c, f, sql);
    if (!st) return NULL;
    /* A write outside a transaction on the thread's own connection (db_run sends those to the
     * writer): db_changes and db_last_id answer for this connection again. */
    if (c == db && db->routed && !sqlite3_stmt_readonly(st)) db->routed = false;
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
        db_fail(c, f, rc, __FILE__, __LINE__);
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
    if (!st) return;
    /* A statement of the writer kept past the end of its transaction: the writer may be another
     * thread's now, and the statement was reset when the transaction ended. */
    if (write_depth == 0 && writer && sqlite3_db_handle(st) == writer->h) {
        log_error("db_done after the end of the write transaction: %.120s", sqlite3_sql(st));
        return;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static Rc run_v(Db *db, Fail *f, const char *sql, const char *fmt, va_list ap) {
    sqlite3_stmt *st = db_qv(db, f, sql, fmt, ap);
    if (!st) return f ? f->rc : RC_INTERNAL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {}
    Rc out = RC_OK;
    if (rc != SQLITE_DONE) out = db_fail(db, f, rc, __FILE__, __LINE__);
    db_done(st);
    return out;
}

/* Whether sql, run by db outside a transaction, writes: it then runs on the writer, in a
 * transaction of its own. */
static bool autocommit_write(Db *db, const char *sql) {
    if (!db->shared || write_depth > 0) return false;
    sqlite3_stmt *st = cache_get(db, NULL, sql);
    return st && !sqlite3_stmt_readonly(st);
}

/* db_run with a va_list: a write outside a transaction goes to the writer in one of its own. */
static Rc run_routed_v(Db *db, Fail *f, const char *sql, const char *fmt, va_list ap) {
    if (!autocommit_write(db, sql)) return run_v(db, f, sql, fmt, ap);
    Fail own = {0};
    Fail *g = f ? f : &own;
    Rc r = db_begin(db, g);
    if (r == RC_OK) {
        r = run_v(db, g, sql, fmt, ap);
        if (r == RC_OK) r = db_commit(db, g);
        else db_rollback(db);
    }
    fail_clear(&own);
    return r;
}

Rc db_run(Db *db, Fail *f, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Rc r = run_routed_v(db, f, sql, fmt, ap);
    va_end(ap);
    return r;
}

Rc db_run_at_commit(Db *db, Fail *f, int64_t order, const char *sql, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (!db->shared || write_depth == 0) {
        Rc r = run_routed_v(db, f, sql, fmt, ap);
        va_end(ap);
        return r;
    }
    size_t nargs = strlen(fmt);
    if (nargs > DEFER_ARGS || strspn(fmt, "it") != nargs) {
        va_end(ap);
        log_error("db_run_at_commit: bad format '%s'", fmt);
        return rc_fail(f, RC_INTERNAL, "storage error");
    }
    if (deferred_n == deferred_cap) {
        size_t cap = deferred_cap ? deferred_cap * 2 : 64;
        Deferred *nd = realloc(deferred, cap * sizeof *nd);
        if (!nd) {
            va_end(ap);
            return rc_fail(f, RC_UNAVAILABLE, "out of memory");
        }
        deferred = nd;
        deferred_cap = cap;
    }
    Deferred d = {.order = order, .seq = deferred_n, .sql = sql};
    memcpy(d.fmt, fmt, nargs + 1);
    bool oom = false;
    for (size_t k = 0; k < nargs; k++) {
        if (fmt[k] == 'i') {
            d.num[k] = va_arg(ap, int64_t);
        } else {
            const char *t = va_arg(ap, const char *);
            if (t && !(d.text[k] = strdup(t))) oom = true;
        }
    }
    va_end(ap);
    if (oom) {
        for (int k = 0; k < DEFER_ARGS; k++) free(d.text[k]);
        return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    }
    deferred[deferred_n++] = d;
    return RC_OK;
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
    int rc = sqlite3_exec(conn(db)->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("exec failed: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return db_fail(db, f, rc, __FILE__, __LINE__);
    }
    return RC_OK;
}

/* ---- transactions --------------------------------------------------------------------------- */

static Rc savepoint(Db *db, Fail *f, const char *verb, int depth) {
    char sql[48];
    snprintf(sql, sizeof sql, "%s sp%d", verb, depth);
    return db_exec(db, f, sql);
}

/* Copies back, on the writer between two batches, the frames the checkpointer has not (see
 * restart_wanted), so that the next batch begins on a WAL wholly copied back and starts it
 * again. A checkpoint running meanwhile (busy) leaves it to the next batch; a reader of old
 * frames (not all copied), to the checkpointer's next pass. */
static void wal_catch_up(void) {
    int rc = sqlite3_wal_checkpoint_v2(writer->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if ((rc & 0xff) == SQLITE_BUSY) atomic_store(&restart_wanted, true);
    else if (rc != SQLITE_OK) log_error("checkpoint failed: %s", sqlite3_errmsg(writer->h));
}

/* db_begin at depth 0 of a shared handle: takes the writer and opens this thread's savepoint in
 * the batch (opening the batch when none is). */
static Rc shared_begin(Db *db, Fail *f) {
    (void)db;
    atomic_fetch_add(&write_waiters, 1);
    pthread_mutex_lock(&write_mutex);
    atomic_fetch_sub(&write_waiters, 1);
    /* A batch whose transaction an error rolled back: its members fail. */
    if (batch_open && sqlite3_get_autocommit(writer->h)) {
        batch_end(false);
        pthread_mutex_lock(&write_mutex);
    }
    int rc = SQLITE_OK;
    if (!batch_open && atomic_exchange(&restart_wanted, false)) wal_catch_up();
    if (!batch_open) {
        rc = ctl(writer, "BEGIN IMMEDIATE");
        batch_open = rc == SQLITE_OK;
    }
    if (rc == SQLITE_OK) rc = ctl(writer, "SAVEPOINT member");
    if (rc != SQLITE_OK) {
        Rc r = db_fail(writer, f, rc, __FILE__, __LINE__);
        if (batch_open && batch_size == 0) {
            /* Nobody's work in it: end it without a flush. */
            sqlite3_exec(writer->h, "ROLLBACK", NULL, NULL, NULL);
            batch_open = false;
        }
        writer_leave();
        return r;
    }
    write_depth = 1;
    mark_level(0);
    return RC_OK;
}

Rc db_begin(Db *db, Fail *f) {
    if (write_depth > 0) {
        Rc r = savepoint(db, f, "SAVEPOINT", write_depth);
        if (r == RC_OK) {
            if (db->shared) mark_level(write_depth);
            write_depth++;
        }
        return r;
    }
    if (db->shared) return shared_begin(db, f);
    pthread_mutex_lock(&write_mutex);
    Rc r = db_run(db, f, "BEGIN IMMEDIATE", NULL);
    if (r != RC_OK) {
        pthread_mutex_unlock(&write_mutex);
        return r;
    }
    write_depth = 1;
    return RC_OK;
}

/* db_rollback at depth 1 of a shared handle: undoes this thread's savepoint; the batch goes on
 * without it. */
static void shared_rollback(Db *db) {
    (void)db;
    write_depth = 0;
    deferred_drop(level_mark(0));
    writer_reset_busy();
    if (!sqlite3_get_autocommit(writer->h) &&
        (ctl(writer, "ROLLBACK TO member") != SQLITE_OK || ctl(writer, "RELEASE member") != SQLITE_OK)) {
        /* Cannot take this thread's work out of the batch: nothing of it may be committed. */
        log_error("rollback of a member failed: %s", sqlite3_errmsg(writer->h));
        sqlite3_exec(writer->h, "ROLLBACK", NULL, NULL, NULL);
    }
    if (batch_open && batch_size == 0 && !sqlite3_get_autocommit(writer->h) &&
        atomic_load(&write_waiters) == 0) {
        ctl(writer, "ROLLBACK");
        batch_open = false;
    }
    writer_leave();
}

/* A deferred foreign key left broken would fail the batch's COMMIT for every member: it is
 * refused (409 in f) at the end of the transaction that broke it, for that transaction alone,
 * as COMMIT would have. */
static bool deferred_fks_broken(Fail *f) {
    int cur = 0, hi = 0;
    if (sqlite3_db_status(writer->h, SQLITE_DBSTATUS_DEFERRED_FKS, &cur, &hi, 0) != SQLITE_OK || cur == 0) return false;
    rc_fail(f, RC_CONFLICT, "constraint: FOREIGN KEY constraint failed");
    return true;
}

/* Ends this thread's member transaction (RELEASE) and adds me to the open batch; returns with
 * write_mutex released. On failure the member is rolled back and me is not added. */
static Rc member_join(Db *db, Member *me, Fail *f) {
    int rc = ctl(writer, "RELEASE member");
    if (rc != SQLITE_OK) {
        Rc r = db_fail(writer, f, rc, __FILE__, __LINE__);
        shared_rollback(db);
        return r;
    }
    db->last_id = sqlite3_last_insert_rowid(writer->h);
    db->changes = sqlite3_changes(writer->h);
    db->routed = true;
    write_depth = 0;
    writer_reset_busy();
    me->next = batch_members;
    batch_members = me;
    batch_size++;
    writer_leave();
    return RC_OK;
}

/* Holding (db_hold_begin): the thread's request holds its committed work open at depth 1 until
 * db_hold_end, in held_db's member. */
static _Thread_local bool hold_writes;
static _Thread_local bool commit_held;
static _Thread_local Db *held_db;

/* db_commit at depth 1 of a shared handle: joins this thread's work to the batch, then waits
 * until the batch is durable (or ends it itself). While the request holds its writes, the work
 * stays open instead, and the thread's next reads see it on the writer. */
static Rc shared_commit(Db *db, Fail *f) {
    if (deferred_fks_broken(f)) {
        shared_rollback(db);
        return RC_CONFLICT;
    }
    if (hold_writes) {
        commit_held = true;
        held_db = db;
        return RC_OK;
    }
    Member me = {0};
    sem_init(&me.done, 0, 0);
    Rc r = member_join(db, &me, f);
    if (r != RC_OK) {
        sem_destroy(&me.done);
        return r;
    }
    while (sem_wait(&me.done) != 0) {} /* EINTR */
    sem_destroy(&me.done);
    if (!me.ok) {
        if (f) return rc_fail(f, RC_UNAVAILABLE, "the write could not be made durable; retry it later");
        return RC_UNAVAILABLE;
    }
    return RC_OK;
}

void db_release_memory(Db *db) { sqlite3_db_release_memory(db->h); }

void db_release_writer_memory(void) {
    /* Not while a thread holds the writer (trylock: the caller must not wait for a batch), nor
     * while a batch is open. */
    if (pthread_mutex_trylock(&write_mutex) != 0) return;
    if (writer && !batch_open) sqlite3_db_release_memory(writer->h);
    pthread_mutex_unlock(&write_mutex);
}

void db_writes_queued(int delta) {
    if (atomic_fetch_add(&write_waiters, delta) + delta > 0 || delta > 0) return;
    /* The last queued write is done (it may not have written at all): a batch left open for the
     * writes queued after it is ended, or left to the flusher, as writer_leave decides. */
    pthread_mutex_lock(&write_mutex);
    if (batch_open) writer_leave();
    else pthread_mutex_unlock(&write_mutex);
}

void db_hold_begin(void) { hold_writes = true; }

bool db_holding(void) { return commit_held; }

static void durable_ignored(void *ctx, bool ok) {
    (void)ctx;
    (void)ok;
}

DbHold db_hold_end(DbDurable cb, void *ctx) {
    hold_writes = false;
    if (!commit_held) return DB_HOLD_NONE;
    commit_held = false;
    Db *db = held_db;
    held_db = NULL;
    /* Left open by an unbalanced db_begin: rolled back to the held work. */
    while (write_depth > 1) db_rollback(db);
    Member *me = calloc(1, sizeof *me);
    if (!me) {
        shared_rollback(db);
        return DB_HOLD_FAILED;
    }
    me->cb = cb ? cb : durable_ignored;
    me->ctx = ctx;
    Fail g = {0};
    Rc r = member_join(db, me, &g);
    fail_clear(&g);
    if (r != RC_OK) {
        free(me);
        return DB_HOLD_FAILED;
    }
    return DB_HOLD_PENDING;
}

Rc db_commit(Db *db, Fail *f) {
    /* The outermost transaction of a request that holds earlier work: refused alone, as at a
     * member's commit. */
    if (commit_held && db->shared && write_depth == 2 && deferred_fks_broken(f)) {
        db_rollback(db);
        return RC_CONFLICT;
    }
    if (commit_held && write_depth == 1) return RC_OK; /* unbalanced: the held work stays */
    if (write_depth > 1) {
        Rc r = savepoint(db, f, "RELEASE", write_depth - 1);
        if (r != RC_OK) {
            db_rollback(db);
            return r;
        }
        write_depth--;
        return RC_OK;
    }
    if (db->shared && write_depth == 1) return shared_commit(db, f);
    Rc r = db_run(db, f, "COMMIT", NULL);
    if (r != RC_OK) {
        db_rollback(db);
        return r;
    }
    if (write_depth == 1) {
        write_depth = 0;
        pthread_mutex_unlock(&write_mutex);
    }
    return r;
}

void db_rollback(Db *db) {
    if (write_depth > 1) {
        if (db->shared) deferred_drop(level_mark(write_depth - 1));
        Fail g = {0};
        savepoint(db, &g, "ROLLBACK TO", write_depth - 1);
        savepoint(db, &g, "RELEASE", write_depth - 1);
        fail_clear(&g);
        write_depth--;
        return;
    }
    if (db->shared) {
        if (commit_held && write_depth == 1) {
            log_error("db_rollback without a transaction of its own: the held work stays");
            return;
        }
        if (write_depth == 1) shared_rollback(db);
        return;
    }
    if (!sqlite3_get_autocommit(db->h)) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    if (write_depth == 1) {
        write_depth = 0;
        pthread_mutex_unlock(&write_mutex);
    }
}

int64_t db_last_id(Db *db) {
    if (db->shared && write_depth > 0) return sqlite3_last_insert_rowid(writer->h);
    if (db->routed) return db->last_id;
    return sqlite3_last_insert_rowid(db->h);
}

int64_t db_total_changes(Db *db) {
    return sqlite3_total_changes64(db->shared && write_depth > 0 ? writer->h : db->h);
}

int db_changes(Db *db) {
    if (db->shared && write_depth > 0) return sqlite3_changes(writer->h);
    if (db->routed) return db->changes;
    return sqlite3_changes(db->h);
}
