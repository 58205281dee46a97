/*
 * migrate.h — numbered schema migrations (src/store/schema/NNN_name.sql, embedded at build time),
 * recorded in the table schema_migrations and applied at start. A database whose recorded version
 * is newer than this binary knows is refused, never touched.
 */
#ifndef SANQU_STORE_MIGRATE_H
#define SANQU_STORE_MIGRATE_H

#include <stddef.h>

#include "store/db.h"

typedef struct Migration {
    int version;       /* NNN from the file name */
    const char *name;  /* file name */
    const char *sql;   /* the script */
} Migration;

extern const Migration migrations[];
extern const int migrations_count;

/* The highest version this binary knows. */
int migrate_latest(void);
/* The highest version recorded in db (0 for a new database); -1 on error. */
int migrate_current(Db *db);
/* Applies every pending migration, each in its own transaction. Returns RC_OK, or RC_CONFLICT
 * when the database is newer than this binary (err says so), or another Rc on failure. */
Rc migrate_apply(Db *db, char *err, size_t errsz);

#endif
