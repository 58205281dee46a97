/*
 * migrate.c — see migrate.h.
 */
#include "store/migrate.h"

#include <stdio.h>

int migrate_latest(void) {
    int v = 0;
    for (int i = 0; i < migrations_count; i++)
        if (migrations[i].version > v) v = migrations[i].version;
    return v;
}

int migrate_current(Db *db) {
    Fail f = {0};
    if (db_exec(db, &f, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))") != RC_OK) {
        fail_clear(&f);
        return -1;
    }
    int64_t v = 0;
    Rc r = db_int(db, &f, &v, "SELECT coalesce(max(version),0) FROM schema_migrations", NULL);
    fail_clear(&f);
    return r == RC_OK ? (int)v : -1;
}

Rc migrate_apply(Db *db, char *err, size_t errsz) {
    /* Read the version without creating anything first, so a newer database is left untouched. */
    int64_t exists = 0;
    Fail f = {0};
    db_int(db, &f, &exists, "SELECT count(*) FROM sqlite_schema WHERE name='schema_migrations'", NULL);
    int cur = 0;
    if (exists) {
        int64_t v = 0;
        if (db_int(db, &f, &v, "SELECT coalesce(max(version),0) FROM schema_migrations", NULL) != RC_OK) {
            snprintf(err, errsz, "cannot read schema_migrations: %s", f.detail);
            fail_clear(&f);
            return RC_INTERNAL;
        }
        cur = (int)v;
    }
    int latest = migrate_latest();
    if (cur > latest) {
        snprintf(err, errsz,
                 "the database %s was written by a newer sanqu (schema version %d; this binary knows up "
                 "to %d); it has not been changed — use a newer sanqu",
                 db_path(db), cur, latest);
        return RC_CONFLICT;
    }
    if (cur == latest) return RC_OK;
    if (migrate_current(db) < 0) {
        snprintf(err, errsz, "cannot create schema_migrations");
        return RC_INTERNAL;
    }
    for (int i = 0; i < migrations_count; i++) {
        const Migration *m = &migrations[i];
        if (m->version <= cur) continue;
        Rc r = db_begin(db, &f);
        if (r == RC_OK) r = db_exec(db, &f, m->sql);
        if (r == RC_OK)
            r = db_run(db, &f, "INSERT INTO schema_migrations(version, name) VALUES (?, ?)", "it",
                       (int64_t)m->version, m->name);
        if (r == RC_OK) r = db_commit(db, &f);
        if (r != RC_OK) {
            db_rollback(db);
            snprintf(err, errsz, "migration %s failed: %s", m->name, f.detail);
            fail_clear(&f);
            return r;
        }
    }
    fail_clear(&f);
    return RC_OK;
}
