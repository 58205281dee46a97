/*
 * fuzz_env.c — the fixture of the database-backed fuzz targets; see fuzz.h.
 *
 * The database lives in a fresh directory under $TMPDIR (run.sh points that at its own scratch
 * directory, so a crashed run leaves nothing behind it). synchronous=OFF replaces the server's FULL:
 * durability means nothing here and fsync would dominate the run time. The pristine state is kept
 * as an in-memory database and copied back with SQLite's backup API, which is much cheaper than
 * reopening a file and leaves the connection (and its statement cache) in place.
 */
#include "fuzz.h"

#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/auth.h"
#include "core/clock.h"
#include "core/demo.h"
#include "core/dossier.h"
#include "core/dtype.h"
#include "http/server.h"
#include "store/migrate.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/validate.h"

static FuzzEnv g_env;

/* nftw callback: removes one entry of the fixture's directory tree. */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st; (void)type; (void)ftw;
    remove(path);
    return 0;
}

/* Removes the fixture's directory at exit (libFuzzer leaves through exit()): the database, its key
 * and the attachments stored under files/. */
static void env_cleanup(void) {
    FuzzEnv *e = &g_env;
    if (e->db) db_close(e->db);
    e->db = NULL;
    if (e->pristine) sqlite3_close(e->pristine);
    e->pristine = NULL;
    if (e->dir[0]) nftw(e->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Aborts with a message: the fixture cannot be built, so no input can be judged. */
static void env_die(const char *what, const Fail *f) {
    fprintf(stderr, "fuzz fixture: %s: %s\n", what, f && f->detail[0] ? f->detail : "failed");
    abort();
}

/* Signs in as username and records the session under that name. */
static void env_login(FuzzEnv *e, const char *username) {
    REQUIRE(e->nsess < FUZZ_MAX_SESSIONS);
    FuzzSession *s = &e->sess[e->nsess];
    LoginResult lr;
    Fail f = {0};
    if (auth_login(e->db, &e->cfg.auth, username, FUZZ_PASSWORD, "127.0.0.1", &lr, &f) != RC_OK)
        env_die(username, &f);
    fail_clear(&f);
    s->name = username;
    memcpy(s->token, lr.token, sizeof s->token);
    s->actor = lr.actor;
    e->nsess++;
}

FuzzEnv *fuzz_env_init(bool with_sessions) {
    FuzzEnv *e = &g_env;
    if (e->db) return e;
    setenv("SANQU_PWHASH_MIN", "1", 1);
    log_set_level(getenv("SANQU_FUZZ_LOG") ? LOG_DEBUG : -1);
    log_set_access(0);
    if (!crypto_init()) env_die("crypto_init", NULL);

    const char *tmp = getenv("TMPDIR");
    snprintf(e->dir, sizeof e->dir, "%s/sanqu-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(e->dir)) env_die("mkdtemp", NULL);
    snprintf(e->db_path, sizeof e->db_path, "%s/fuzz.db", e->dir);
    atexit(env_cleanup);

    char err[512], key[400];
    e->db = db_open(e->db_path, true, err, sizeof err);
    if (!e->db) env_die(err, NULL);
    if (migrate_apply(e->db, err, sizeof err) != RC_OK) env_die(err, NULL);
    snprintf(key, sizeof key, "%s.key", e->db_path);
    if (!crypto_load_key(key)) env_die("crypto_load_key", NULL);
    if (sqlite3_exec(db_handle(e->db), "PRAGMA synchronous=OFF", NULL, NULL, NULL) != SQLITE_OK)
        env_die("PRAGMA synchronous", NULL);
    /* What `sanqu serve` loads at start (src/main.c open_db): dossier types and the calendar. */
    if (!dtype_load(err, sizeof err)) env_die(err, NULL);
    Fail cf = {0};
    e->cal = clock_load(e->db, &cf);
    if (!e->cal) env_die("clock_load", &cf);
    dossier_set_calendar(e->cal);

    FILE *acc = fopen("/dev/null", "w");
    if (!acc) env_die("/dev/null", NULL);
    Fail f = {0};
    Rc rc = demo_build(e->db, FUZZ_PASSWORD, acc, &f);
    fclose(acc);
    if (rc != RC_OK) env_die("demo_build", &f);
    fail_clear(&f);

    server_config_defaults(&e->cfg);
    snprintf(e->cfg.db_path, sizeof e->cfg.db_path, "%s", e->db_path);
    e->cfg.threads = 1;
    e->cfg.max_body = 4096; /* small, so that inputs reach the 413 path (fuzz_org_import takes large CSV) */
    e->cfg.max_upload = 8192;
    snprintf(e->cfg.files_dir, sizeof e->cfg.files_dir, "%s/files", e->dir);
    /* Sessions made at start-up must outlive a long run; the expired one is made stale below. */
    e->cfg.auth.idle_timeout = 1 << 30;
    e->cfg.auth.max_session = 1 << 30;

    if (with_sessions) {
        static const char *const users[] = {"admin", "secadmin", "auditor", "committee", "town",
                                            "community", "enterprise", "volunteer", "leader",
                                            "inspector"};
        if (db_exec(e->db, &f, "UPDATE users SET must_change_password = 1 WHERE username = 'volunteer'") != RC_OK)
            env_die("must_change_password", &f);
        for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) env_login(e, users[i]);
        FuzzSession *old = fuzz_env_session(e, "inspector");
        if (db_run(e->db, &f, "UPDATE sessions SET created_at = 0, last_seen = 0 WHERE user_id = ?", "i",
                   old->actor.user_id) != RC_OK)
            env_die("expire session", &f);
        old->expired = true;
        /* auth_login reports the state at login; volunteer's flag was set before it. */
        REQUIRE(fuzz_env_session(e, "volunteer")->actor.must_change_pw);
    }
    fuzz_env_require_idle(e);
    fuzz_env_require_consistent(e); /* the demo itself, and the checks on it (every table) */
    return e;
}

/* Copies the whole of src's main database over dst's with the backup API. */
static void env_copy(sqlite3 *dst, sqlite3 *src) {
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    REQUIRE(b != NULL);
    int rc = sqlite3_backup_step(b, -1);
    REQUIRE(sqlite3_backup_finish(b) == SQLITE_OK);
    REQUIRE(rc == SQLITE_DONE);
}

void fuzz_env_snapshot(FuzzEnv *e) {
    fuzz_env_require_idle(e);
    if (!e->pristine) REQUIRE(sqlite3_open(":memory:", &e->pristine) == SQLITE_OK);
    env_copy(e->pristine, db_handle(e->db));
}

void fuzz_env_restore(FuzzEnv *e) {
    REQUIRE(e->pristine != NULL);
    env_copy(db_handle(e->db), e->pristine);
}

FuzzSession *fuzz_env_session(FuzzEnv *e, const char *name) {
    for (int i = 0; i < e->nsess; i++)
        if (strcmp(e->sess[i].name, name) == 0) return &e->sess[i];
    return NULL;
}

void fuzz_env_require_idle(FuzzEnv *e) {
    sqlite3 *h = db_handle(e->db);
    REQUIRE(sqlite3_get_autocommit(h)); /* no transaction left open */
    for (sqlite3_stmt *st = sqlite3_next_stmt(h, NULL); st; st = sqlite3_next_stmt(h, st)) {
        if (sqlite3_stmt_busy(st)) {
            fprintf(stderr, "statement left running: %s\n", sqlite3_sql(st));
            REQUIRE(!sqlite3_stmt_busy(st));
        }
    }
}

/* Tables written since fuzz_env_touch_reset, recorded by an SQLite update hook (it sees every row
 * INSERT, UPDATE and DELETE of rowid tables on the connection), and the organisations written. */
enum { MAX_TOUCHED = 48, MAX_ORG_IDS = 256 };
static char *touched[MAX_TOUCHED];
static int ntouched;
static bool touched_all = true; /* before the first reset: treat everything as written */
static sqlite3_int64 org_ids[MAX_ORG_IDS]; /* organisations written (all of them when too many) */
static int norg_ids;

static void on_update(void *ud, int op, const char *dbname, const char *table, sqlite3_int64 rowid) {
    if (strcmp(table, "orgs") == 0 && norg_ids <= MAX_ORG_IDS) {
        if (norg_ids < MAX_ORG_IDS) org_ids[norg_ids] = rowid;
        norg_ids++;
    }
    for (int i = 0; i < ntouched; i++)
        if (strcmp(touched[i], table) == 0) return;
    if (ntouched == MAX_TOUCHED) { touched_all = true; return; }
    touched[ntouched] = strdup(table);
    REQUIRE(touched[ntouched] != NULL);
    ntouched++;
}

void fuzz_env_touch_reset(FuzzEnv *e) {
    static bool hooked;
    if (!hooked) sqlite3_update_hook(db_handle(e->db), on_update, NULL);
    hooked = true;
    for (int i = 0; i < ntouched; i++) free(touched[i]);
    ntouched = 0;
    norg_ids = 0;
    touched_all = false;
}

bool fuzz_env_touched(FuzzEnv *e, const char *table) {
    if (touched_all) return true;
    for (int i = 0; i < ntouched; i++)
        if (strcmp(touched[i], table) == 0) return true;
    return false;
}

/* The organisations to check: those written and their children (a moved parent whose children
 * kept the old path shows there), as ?1, a JSON array of ids, NULL for all. */
#define ORG_FILTER(o)                                                                              \
    " (?1 IS NULL OR " o ".id IN (SELECT value FROM json_each(?1))"                                \
    " OR " o ".parent_id IN (SELECT value FROM json_each(?1)))"

/* Queries that count organisations breaking one rule of the registry each; all must give 0. */
static const char *const org_rules_sql[] = {
    /* path = parent's path + id */
    "SELECT count(*) FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE" ORG_FILTER("o")
    " AND o.path IS NOT (CASE WHEN o.parent_id IS NULL THEN '/' || o.id || '/' ELSE p.path || o.id || '/' END)",
    /* town_id = the nearest town at or above */
    "SELECT count(*) FROM orgs o WHERE" ORG_FILTER("o") " AND o.town_id IS NOT (SELECT t.id FROM orgs t"
    " WHERE t.kind = 'town' AND substr(o.path, 1, length(t.path)) = t.path ORDER BY length(t.path) DESC LIMIT 1)",
    /* parent kinds */
    "SELECT count(*) FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE" ORG_FILTER("o") " AND NOT coalesce("
    " (o.kind = 'district' AND p.id IS NULL)"
    " OR (o.kind IN ('town', 'department') AND p.kind = 'district')"
    " OR (o.kind IN ('park', 'resident_unit') AND p.kind IN ('district', 'town'))"
    " OR (o.kind = 'community' AND p.kind = 'town')"
    " OR (o.kind = 'enterprise' AND p.kind IN ('park', 'town', 'district'))"
    " OR (o.kind = 'new_org' AND p.kind IN ('town', 'community', 'park')), 0)",
    /* an enterprise has a credit code (its check digit is verified below) */
    "SELECT count(*) FROM orgs o WHERE" ORG_FILTER("o") " AND o.kind = 'enterprise' AND o.credit_code IS NULL",
};

/* Runs a counting query, with one text argument (which may be NULL) when fmt is "t", and aborts
 * when it counts anything. */
static void require_zero(FuzzEnv *e, const char *sql, const char *fmt, const char *arg) {
    Fail f = {0};
    int64_t n = -1;
    REQUIRE(db_int(e->db, &f, &n, sql, fmt, arg) == RC_OK);
    fail_clear(&f);
    if (n != 0) {
        fprintf(stderr, "registry inconsistent (%lld rows%s%s): %s\n", (long long)n, arg ? " for " : "",
                arg ? arg : "", sql);
        abort();
    }
}

void fuzz_env_require_consistent(FuzzEnv *e) {
    if (fuzz_env_touched(e, "orgs")) {
        /* The ids as a JSON array, or NULL (every organisation). */
        char *ids = NULL;
        if (!touched_all && norg_ids <= MAX_ORG_IDS) {
            Buf b = BUF_INIT;
            buf_putc(&b, '[');
            for (int i = 0; i < norg_ids; i++) buf_printf(&b, "%s%lld", i ? "," : "", (long long)org_ids[i]);
            buf_putc(&b, ']');
            REQUIRE(!buf_oom(&b));
            ids = buf_detach(&b);
        }
        for (size_t i = 0; i < sizeof org_rules_sql / sizeof org_rules_sql[0]; i++)
            require_zero(e, org_rules_sql[i], "t", ids);
        Fail f = {0};
        sqlite3_stmt *st = db_q(e->db, &f, "SELECT o.id, o.credit_code FROM orgs o WHERE" ORG_FILTER("o")
                                " AND o.kind = 'enterprise'", "t", ids);
        REQUIRE(st != NULL);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *code = (const char *)sqlite3_column_text(st, 1);
            if (!val_credit_code(code)) {
                fprintf(stderr, "enterprise %lld has credit code %s\n", (long long)sqlite3_column_int64(st, 0),
                        code ? code : "NULL");
                abort();
            }
        }
        db_done(st);
        fail_clear(&f);
        free(ids);
    }
    if (fuzz_env_touched(e, "orgs")) require_zero(e, "SELECT count(*) - 1 FROM orgs WHERE kind = 'district'", NULL, NULL);
    if (fuzz_env_touched(e, "orgs") || fuzz_env_touched(e, "area_members"))
        require_zero(e, "SELECT count(*) FROM area_members m JOIN orgs o ON o.id = m.org_id"
                        " WHERE o.kind NOT IN ('community', 'park', 'new_org', 'resident_unit')", NULL, NULL);
    /* Foreign keys of the tables written (SQLite enforces them, unless a statement ran with them
     * off or deferred: this checks that nothing did). */
    if (touched_all) {
        require_zero(e, "SELECT count(*) FROM pragma_foreign_key_check", NULL, NULL);
    } else {
        for (int i = 0; i < ntouched; i++) {
            if (strncmp(touched[i], "sqlite_", 7) == 0 || strstr(touched[i], "_fts")) continue;
            require_zero(e, "SELECT count(*) FROM pragma_foreign_key_check(?)", "t", touched[i]);
        }
    }
}

void fuzz_env_fingerprint(FuzzEnv *e, char *out, size_t outsz) {
    Fail f = {0};
    Rc rc = db_text(e->db, &f, out, outsz,
                    "SELECT (SELECT count(*) || ':' || total(version) FROM orgs)"
                    " || ' ' || (SELECT count(*) || ':' || total(version) FROM areas)"
                    " || ' ' || (SELECT count(*) FROM area_members)"
                    " || ' ' || (SELECT count(*) || ':' || total(version) FROM agreements)"
                    " || ' ' || (SELECT count(*) FROM agreement_parties)"
                    " || ' ' || (SELECT count(*) || ':' || total(version) FROM liaisons)"
                    " || ' ' || (SELECT count(*) || ':' || total(version) FROM users)",
                    NULL);
    REQUIRE(rc == RC_OK);
    fail_clear(&f);
}
