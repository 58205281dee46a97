/*
 * fuzz.h — what the libFuzzer targets in tests/fuzz share: the REQUIRE macro that turns a broken
 * property into a crash libFuzzer records, and the fixture of the database-backed targets (a demo
 * district built once per process in a temporary directory, signed-in sessions for several roles,
 * and a cheap restore to that pristine state so that each input sees the same database).
 *
 * Build and run: tests/fuzz/run.sh (a clang build in build-fuzz/ with -Dfuzz=true, ASan, UBSan).
 */
#ifndef SANQU_TESTS_FUZZ_H
#define SANQU_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/roles.h"
#include "http/req.h"
#include "store/db.h"

/* Aborts with the failed condition, which libFuzzer reports as a crash with the input saved. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The password every demo account gets in the fixture. */
#define FUZZ_PASSWORD "Fuzz#2026pw"

enum { FUZZ_MAX_SESSIONS = 10 };

/* A session made at start-up, named so that inputs can refer to it ("$admin"). */
typedef struct FuzzSession {
    const char *name;              /* the demo user name, also the name inputs use */
    char token[CRYPTO_TOKEN_LEN + 1]; /* session cookie value */
    Actor actor;                   /* the signed-in user, csrf filled */
    bool expired;                  /* made stale on purpose: the server must refuse it */
} FuzzSession;

/* The process-wide fixture. */
typedef struct FuzzEnv {
    char dir[256];                 /* temporary directory holding the database and its key */
    char db_path[320];             /* the live database file */
    Db *db;                        /* the live connection, used by every input */
    ServerConfig cfg;              /* server settings for in-process requests */
    FuzzSession sess[FUZZ_MAX_SESSIONS]; /* sessions, valid in the pristine state */
    int nsess;
    sqlite3 *pristine;             /* in-memory copy of the database taken by fuzz_env_snapshot */
    struct Calendar *cal;          /* the working-day calendar the dossier engine uses */
} FuzzEnv;

/* Builds the fixture once per process: quiet logs, cheap password hashes, a migrated demo district
 * in a new temporary directory (removed at exit, attachments included), dossier types and the
 * calendar loaded as `sanqu serve` does, and, when with_sessions, a session for each of admin,
 * secadmin, auditor, committee, town, community, enterprise, volunteer (who must change the
 * password), leader and inspector (expired). Aborts when anything fails. Call fuzz_env_snapshot
 * afterwards. */
FuzzEnv *fuzz_env_init(bool with_sessions);

/* Copies the live database into memory as the state fuzz_env_restore returns to. */
void fuzz_env_snapshot(FuzzEnv *e);

/* Puts the live database back into the snapshot's state. */
void fuzz_env_restore(FuzzEnv *e);

/* The session called name, or NULL. */
FuzzSession *fuzz_env_session(FuzzEnv *e, const char *name);

/* Aborts unless the connection is idle: no transaction open, no statement left mid-step. A request
 * that leaves either behind would hold SQLite's locks in a long-running server thread. */
void fuzz_env_require_idle(FuzzEnv *e);

/* Writes into out a fingerprint of the registry (row counts and version sums of organisations,
 * areas and members, agreements and parties, liaisons, accounts): equal fingerprints mean no record
 * was added, removed or changed through the normal write paths. */
void fuzz_env_fingerprint(FuzzEnv *e, char *out, size_t outsz);

/* Starts recording which tables are written (an SQLite update hook on the live connection); call
 * before each input. Until the first call every table counts as written. */
void fuzz_env_touch_reset(FuzzEnv *e);

/* True when the table was written since fuzz_env_touch_reset. */
bool fuzz_env_touched(FuzzEnv *e, const char *table);

/* Aborts unless the registry is consistent where it was written: each organisation's path is its
 * parent's path plus its id and its town_id the nearest town at or above it; parent kinds follow
 * the rules of docs/api-shapes.md; one district; only member kinds in area committees; every
 * enterprise has a valid credit code; no foreign key of a written table is broken. */
void fuzz_env_require_consistent(FuzzEnv *e);

#endif
