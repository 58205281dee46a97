/*
 * main.c — the sanqu command line: init, serve, ui, user, demo, backup, routes, version, help.
 * Fatal errors (exit) belong here only; everything below returns Rc values.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "core/auth.h"
#include "core/auth.h"
#include "core/clock.h"
#include "core/demo.h"
#include "core/dossier.h"
#include "core/dtype.h"
#include "core/user.h"
#include "http/router.h"
#include "http/server.h"
#include "store/db.h"
#include "store/fts.h"
#include "store/migrate.h"
#include "store/scope.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/validate.h"

typedef struct Command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *help;
} Command;

static const Command *find_command(const char *name);

__attribute__((format(printf, 2, 3))) static void die_usage(const char *cmd, const char *fmt, ...) {
    fprintf(stderr, "sanqu %s: ", cmd);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'sanqu help %s' for usage.\n", cmd);
    exit(2);
}

static bool wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return true;
    return false;
}

static void print_help(const Command *c) { printf("usage: sanqu %s\n\n%s\n", c->usage, c->help); }

/* Reads one line (a password) from stdin without the newline. */
static bool read_stdin_line(char *out, size_t outsz) {
    if (!fgets(out, (int)outsz, stdin)) return false;
    out[strcspn(out, "\r\n")] = 0;
    return out[0] != 0;
}

static const char *default_db(void) {
    const char *e = getenv("SANQU_DB");
    return e && *e ? e : "data/sanqu.db";
}

static void ensure_parent_dir(const char *path) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) return;
    *slash = 0;
    if (dir[0]) mkdir(dir, 0750);
}

/* Opens the database (creating it when create), applies migrations and loads the field key.
 * Exits with a message on failure. */
static Db *open_db(const char *path, bool create) {
    if (!create && access(path, F_OK) != 0) {
        fprintf(stderr, "sanqu: no database at %s (create one with 'sanqu init' or 'sanqu demo')\n", path);
        exit(1);
    }
    if (create) ensure_parent_dir(path);
    char err[512];
    Db *db = db_open(path, create, err, sizeof err);
    if (!db) {
        fprintf(stderr, "sanqu: %s\n", err);
        exit(1);
    }
    Rc r = migrate_apply(db, err, sizeof err);
    if (r != RC_OK) {
        fprintf(stderr, "sanqu: %s\n", err);
        db_close(db);
        exit(r == RC_CONFLICT ? 3 : 1);
    }
    if (!dtype_load(err, sizeof err)) {
        fprintf(stderr, "sanqu: %s\n", err);
        db_close(db);
        exit(1);
    }
    /* The working-day calendar, for the life of the process (time limits of dossiers). */
    static Calendar *cal;
    if (!cal) {
        Fail cf = {0};
        cal = clock_load(db, &cf);
        if (!cal) {
            fprintf(stderr, "sanqu: cannot load the working-day calendar: %s\n", cf.detail);
            fail_clear(&cf);
            db_close(db);
            exit(1);
        }
        dossier_set_calendar(cal);
    }
    char key[600];
    snprintf(key, sizeof key, "%s.key", path);
    if (!crypto_load_key(key)) {
        fprintf(stderr, "sanqu: cannot read or create the field key %s: %s\n", key, strerror(errno));
        db_close(db);
        exit(1);
    }
    return db;
}

/* An actor for the command line: the whole district, every capability. */
static void cli_actor(Actor *a) {
    memset(a, 0, sizeof *a);
    snprintf(a->username, sizeof a->username, "cli:%s", getenv("USER") ? getenv("USER") : "root");
    snprintf(a->role, sizeof a->role, "admin");
    snprintf(a->ip, sizeof a->ip, "local");
    a->caps = 0xffffffffu;
    scope_all(a);
}

static void print_fail(const char *cmd, const Fail *f) {
    fprintf(stderr, "sanqu %s: %s", cmd, f->detail[0] ? f->detail : rc_title(f->rc));
    if (f->errors) {
        size_t i;
        json_t *e;
        json_array_foreach(f->errors, i, e)
            fprintf(stderr, "%s%s: %s", i ? ", " : " (", json_string_value(json_object_get(e, "field")),
                    json_string_value(json_object_get(e, "rule")));
        fprintf(stderr, ")");
    }
    fprintf(stderr, "\n");
}

/* Parses an integer argument in [lo, hi] or exits with a message. */
static int parse_int_arg(const char *cmd, const char *flag, const char *v, long lo, long hi) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || x < lo || x > hi) {
        fprintf(stderr, "sanqu %s: %s wants a number from %ld to %ld, not '%s'\n", cmd, flag, lo, hi, v);
        exit(2);
    }
    return (int)x;
}

/* ---- init ---------------------------------------------------------------------------------- */

static int cmd_init(int argc, char **argv) {
    const char *dbp = default_db(), *district = "泉州台商投资区";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) dbp = argv[++i];
        else if (strcmp(argv[i], "--district") == 0 && i + 1 < argc) district = argv[++i];
        else die_usage("init", "unknown argument '%s'", argv[i]);
    }
    Db *db = open_db(dbp, true);
    Fail f = {0};
    int64_t n = 0;
    db_int(db, &f, &n, "SELECT count(*) FROM users", NULL);
    if (n > 0) {
        fprintf(stderr, "sanqu init: %s already has accounts; nothing changed\n", dbp);
        db_close(db);
        return 1;
    }
    char pw[15], hash[CRYPTO_PWHASH_LEN];
    crypto_gen_password(pw);
    crypto_pw_hash(pw, hash);
    Rc r = db_begin(db, &f);
    if (r == RC_OK)
        r = db_run(db, &f, "INSERT INTO orgs(id, kind, name, path) VALUES (1, 'district', ?, '/1/')", "t", district);
    if (r == RC_OK)
        r = db_run(db, &f, "INSERT INTO users(username, display_name, role, org_id, pw_hash, must_change_password)"
                           " VALUES ('admin', '系统管理员', 'admin', 1, ?, 1)", "t", hash);
    if (r == RC_OK) r = db_commit(db, &f);
    db_close(db);
    if (r != RC_OK) {
        print_fail("init", &f);
        return 1;
    }
    printf("Initialised %s.\nAccount: admin\nOne-time password: %s\n(change it at first login)\n", dbp, pw);
    return 0;
}

/* ---- demo ---------------------------------------------------------------------------------- */

static int run_demo(const char *dbp, const char *password, int64_t scale, int64_t dossiers) {
    Db *db = open_db(dbp, true);
    char accpath[600];
    snprintf(accpath, sizeof accpath, "%s.accounts", dbp);
    umask(077);
    FILE *acc = fopen(accpath, "w");
    if (!acc) {
        fprintf(stderr, "sanqu demo: cannot write %s: %s\n", accpath, strerror(errno));
        db_close(db);
        return 1;
    }
    Fail f = {0};
    Rc r = demo_build(db, password, acc, &f);
    fclose(acc);
    if (r == RC_OK) r = demo_matters(db, &f);
    if (r == RC_OK) r = demo_lists(db, &f);
    if (r == RC_OK && scale > 0) {
        r = demo_scale(db, scale, &f);
        if (r == RC_OK) printf("Added %lld synthetic enterprises.\n", (long long)scale);
    }
    if (r == RC_OK && dossiers > 0) {
        Actor leader;
        int64_t uid = 0;
        db_int(db, &f, &uid, "SELECT id FROM users WHERE username = 'leader'", NULL);
        r = auth_load_actor(db, uid, &leader, &f);
        if (r == RC_OK) r = dossier_bulk(db, &leader, dossiers, &f);
        if (r == RC_OK) printf("Added %lld synthetic agreed items.\n", (long long)dossiers);
    }
    /* A bulk load leaves its search indexes in many segments: merged into one, as a server
     * keeps them while idle (store/fts.h). */
    if (r == RC_OK) r = fts_optimize(db, &f);
    db_close(db);
    if (r != RC_OK) {
        print_fail("demo", &f);
        unlink(accpath);
        return 1;
    }
    printf("Demo district created in %s. Accounts (also in %s):\n", dbp, accpath);
    FILE *in = fopen(accpath, "r");
    char line[256];
    while (in && fgets(line, sizeof line, in)) printf("  %s", line);
    if (in) fclose(in);
    return 0;
}

static int cmd_demo(int argc, char **argv) {
    const char *dbp = default_db();
    bool pw_stdin = false;
    int64_t scale = 0, dossiers = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) dbp = argv[++i];
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) scale = parse_int_arg("demo", "--scale", argv[++i], 0, 10000000);
        else if (strcmp(argv[i], "--dossiers") == 0 && i + 1 < argc) dossiers = parse_int_arg("demo", "--dossiers", argv[++i], 0, 10000000);
        else if (strcmp(argv[i], "--password-stdin") == 0) pw_stdin = true;
        else die_usage("demo", "unknown argument '%s'", argv[i]);
    }
    char pw[256];
    if (pw_stdin) {
        if (!read_stdin_line(pw, sizeof pw)) die_usage("demo", "%sno password on standard input", "");
        if (!val_password_policy(pw)) {
            fprintf(stderr, "sanqu demo: the password does not meet the policy (8+ characters, three of: lower, upper, digit, other)\n");
            return 2;
        }
    }
    return run_demo(dbp, pw_stdin ? pw : NULL, scale, dossiers);
}

/* ---- serve / ui ---------------------------------------------------------------------------- */


static int serve_common(const char *cmd, int argc, char **argv, bool ui) {
    ServerConfig cfg;
    server_config_defaults(&cfg);
    snprintf(cfg.db_path, sizeof cfg.db_path, "%s", default_db());
    bool read_only = false;
    const char *web = getenv("SANQU_WEB_ROOT");
    if (web && *web) snprintf(cfg.web_root, sizeof cfg.web_root, "%s", web);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (OPT("--db")) snprintf(cfg.db_path, sizeof cfg.db_path, "%s", v);
        else if (OPT("--listen")) snprintf(cfg.listen, sizeof cfg.listen, "%s", v);
        else if (OPT("--threads")) cfg.threads = parse_int_arg(cmd, a, v, 1, 256);
        else if (OPT("--web-root")) snprintf(cfg.web_root, sizeof cfg.web_root, "%s", v);
        else if (OPT("--port-file")) snprintf(cfg.port_file, sizeof cfg.port_file, "%s", v);
        else if (OPT("--idle-timeout")) cfg.auth.idle_timeout = parse_int_arg(cmd, a, v, 1, 86400);
        else if (OPT("--max-session")) cfg.auth.max_session = parse_int_arg(cmd, a, v, 1, 7 * 86400);
        else if (OPT("--lock-failures")) cfg.auth.lock_failures = parse_int_arg(cmd, a, v, 1, 1000);
        else if (OPT("--ip-lock-failures")) cfg.auth.ip_lock_failures = parse_int_arg(cmd, a, v, 0, 100000);
        else if (OPT("--lock-minutes")) cfg.auth.lock_period = cfg.auth.lock_window = 60 * parse_int_arg(cmd, a, v, 1, 1440);
        else if (OPT("--max-body")) cfg.max_body = (size_t)parse_int_arg(cmd, a, v, 1024, 64 << 20);
        else if (OPT("--max-upload")) cfg.max_upload = (size_t)parse_int_arg(cmd, a, v, 1024, 256 << 20);
        else if (OPT("--timeout")) cfg.conn_timeout = parse_int_arg(cmd, a, v, 1, 3600);
        else if (OPT("--header-timeout")) server_set_header_timeout(parse_int_arg(cmd, a, v, 1, 3600));
        else if (strcmp(a, "--secure-cookies") == 0) cfg.secure_cookies = true;
        else if (strcmp(a, "--quiet") == 0) log_set_access(0);
        else if (strcmp(a, "--read-only") == 0) read_only = true;
        else die_usage(cmd, "unknown or incomplete argument '%s'", a);
#undef OPT
    }
    if (ui && access(cfg.db_path, F_OK) != 0) {
        int rc = run_demo(cfg.db_path, NULL, 0, 0);
        if (rc) return rc;
    }
    Db *db = open_db(cfg.db_path, false);
    db_close(db);
    snprintf(cfg.files_dir, sizeof cfg.files_dir, "%s.files", cfg.db_path);
    db_set_read_only(read_only);
    db_set_group_commit(cfg.db_path);
    if (ui) {
        printf("sanqu: open http://%s/ in a browser", cfg.listen);
        char accpath[600];
        snprintf(accpath, sizeof accpath, "%s.accounts", cfg.db_path);
        if (access(accpath, R_OK) == 0) printf(" (demo accounts in %s)", accpath);
        printf("\n");
        fflush(stdout);
    }
    return server_run(&cfg);
}

static int cmd_serve(int argc, char **argv) { return serve_common("serve", argc, argv, false); }
static int cmd_ui(int argc, char **argv) { return serve_common("ui", argc, argv, true); }

/* ---- user ---------------------------------------------------------------------------------- */

static int cmd_user(int argc, char **argv) {
    if (argc < 2) die_usage("user", "%swhich subcommand? add, passwd, lock, unlock or list", "");
    const char *sub = argv[1];
    const char *dbp = default_db(), *name = NULL, *role = NULL, *org = NULL, *display = NULL, *area = NULL,
               *phone = NULL;
    bool pw_stdin = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--db") == 0 && v) dbp = argv[++i];
        else if (strcmp(a, "--role") == 0 && v) role = argv[++i];
        else if (strcmp(a, "--org") == 0 && v) org = argv[++i];
        else if (strcmp(a, "--display-name") == 0 && v) display = argv[++i];
        else if (strcmp(a, "--area") == 0 && v) area = argv[++i];
        else if (strcmp(a, "--phone") == 0 && v) phone = argv[++i];
        else if (strcmp(a, "--password-stdin") == 0) pw_stdin = true;
        else if (a[0] != '-' && !name) name = a;
        else die_usage("user", "unknown or incomplete argument '%s'", a);
    }
    bool is_list = strcmp(sub, "list") == 0;
    if (!is_list && strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "lock") && strcmp(sub, "unlock"))
        die_usage("user", "unknown subcommand '%s' (add, passwd, lock, unlock, list)", sub);
    if (!is_list && !name) die_usage("user", "%sname the account", "");
    Db *db = open_db(dbp, false);
    Actor actor;
    cli_actor(&actor);
    Fail f = {0};
    Rc r = RC_OK;
    char pw[256] = "";
    if (pw_stdin && !read_stdin_line(pw, sizeof pw)) {
        db_close(db);
        die_usage("user", "%sno password on standard input", "");
    }
    if (is_list) {
        r = user_print_all(db, &f);
    } else if (strcmp(sub, "add") == 0) {
        if (!role || !org) {
            db_close(db);
            die_usage("user", "%sadd needs --role ROLE and --org ORG", "");
        }
        int64_t org_id = 0, area_id = 0;
        if (strspn(org, "0123456789") == strlen(org)) org_id = strtoll(org, NULL, 10);
        else db_int(db, &f, &org_id, "SELECT id FROM orgs WHERE name = ?", "t", org);
        if (area) {
            if (strspn(area, "0123456789") == strlen(area)) area_id = strtoll(area, NULL, 10);
            else db_int(db, &f, &area_id, "SELECT id FROM areas WHERE name = ? OR code = ?", "tt", area, area);
        }
        fail_clear(&f);
        json_t *in = json_pack("{s:s, s:s, s:s, s:I}", "username", name, "display_name", display ? display : name,
                               "role", role, "org_id", (json_int_t)org_id);
        if (area_id) json_object_set_new(in, "area_id", json_integer(area_id));
        if (phone) json_object_set_new(in, "phone", json_string(phone));
        if (pw[0]) json_object_set_new(in, "password", json_string(pw));
        int64_t id;
        char initial[15];
        r = user_create(db, &actor, in, &id, initial, &f);
        json_decref(in);
        if (r == RC_OK) {
            printf("Created account %s (id %lld, role %s).\n", name, (long long)id, role);
            if (initial[0]) printf("One-time password: %s (change it at first login)\n", initial);
        }
    } else if (strcmp(sub, "passwd") == 0) {
        char gen[15];
        if (!pw[0]) crypto_gen_password(gen);
        r = user_set_password(db, &actor, name, pw[0] ? pw : gen, !pw[0], &f);
        if (r == RC_OK) {
            if (!pw[0]) printf("One-time password for %s: %s (change it at first login)\n", name, gen);
            else printf("Password of %s changed.\n", name);
        }
    } else {
        bool lock = strcmp(sub, "lock") == 0;
        int64_t id = 0;
        if (db_int(db, &f, &id, "SELECT id FROM users WHERE username = ?", "t", name) != RC_OK) {
            fail_clear(&f);
            r = rc_fail(&f, RC_NOT_FOUND, "no account %s", name);
        } else {
            r = user_lock(db, &actor, id, lock, &f);
            if (r == RC_OK) printf("Account %s %s.\n", name, lock ? "locked" : "unlocked");
        }
    }
    db_close(db);
    if (r != RC_OK) {
        print_fail("user", &f);
        fail_clear(&f);
        return 1;
    }
    fail_clear(&f);
    return 0;
}

/* ---- backup -------------------------------------------------------------------------------- */

static int cmd_backup(int argc, char **argv) {
    const char *dbp = default_db(), *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) dbp = argv[++i];
        else if (argv[i][0] != '-' && !out) out = argv[i];
        else die_usage("backup", "unknown argument '%s'", argv[i]);
    }
    if (!out) die_usage("backup", "%sname the backup file", "");
    if (access(out, F_OK) == 0) {
        fprintf(stderr, "sanqu backup: %s exists; choose a new file name\n", out);
        return 1;
    }
    Db *src = open_db(dbp, false);
    sqlite3 *dst = NULL;
    if (sqlite3_open_v2(out, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        fprintf(stderr, "sanqu backup: cannot create %s: %s\n", out, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        db_close(src);
        return 1;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", db_handle(src), "main");
    int rc = SQLITE_OK;
    if (b) {
        /* One step inside one read transaction: in WAL mode it does not block writers, and the copy
         * is the database as of that transaction (stepping in pieces would restart whenever the
         * server writes in between). */
        for (int tries = 0; tries < 500; tries++) {
            rc = sqlite3_backup_step(b, -1);
            if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
            sqlite3_sleep(20);
        }
        sqlite3_backup_finish(b);
    }
    rc = rc == SQLITE_DONE ? sqlite3_errcode(dst) : rc;
    char *msg = NULL;
    int ok = 0;
    if (rc == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW) ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
            sqlite3_finalize(st);
        }
        sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, &msg);
        sqlite3_free(msg);
    }
    sqlite3_close(dst);
    db_close(src);
    if (rc != SQLITE_OK || !ok) {
        fprintf(stderr, "sanqu backup: failed (%s)\n", rc != SQLITE_OK ? sqlite3_errstr(rc) : "integrity check");
        unlink(out);
        return 1;
    }
    /* The field key decrypts personal data: it travels with the backup. */
    char kin[600], kout[600];
    snprintf(kin, sizeof kin, "%s.key", dbp);
    snprintf(kout, sizeof kout, "%s.key", out);
    FILE *a = fopen(kin, "rb"), *b2 = NULL;
    if (a) {
        umask(077);
        b2 = fopen(kout, "wb");
        char buf[64];
        size_t n = fread(buf, 1, sizeof buf, a);
        if (b2) fwrite(buf, 1, n, b2);
        fclose(a);
        if (b2) fclose(b2);
    }
    printf("Backup written to %s (integrity ok); field key copied to %s — keep both safe.\n", out, kout);
    return 0;
}

/* ---- verify / rebuild ---------------------------------------------------------------------- */

static int cmd_verify(int argc, char **argv) {
    const char *dbp = default_db();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) dbp = argv[++i];
        else die_usage("verify", "unknown argument '%s'", argv[i]);
    }
    Db *db = open_db(dbp, false);
    int broken = dossier_verify(db, stdout);
    /* The audit log is append-only too: refuse to call it intact if its triggers are gone. */
    int64_t triggers = 0;
    Fail f = {0};
    db_int(db, &f, &triggers, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN"
                              " ('audit_no_update', 'audit_no_delete', 'dossier_events_no_update', 'dossier_events_no_delete')", NULL);
    fail_clear(&f);
    db_close(db);
    if (broken < 0) {
        fprintf(stderr, "sanqu verify: cannot read the event log\n");
        return 2;
    }
    if (triggers != 4) {
        printf("the append-only triggers have been removed\n");
        return 1;
    }
    return broken ? 1 : 0;
}

static int cmd_rebuild(int argc, char **argv) {
    const char *dbp = default_db();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) dbp = argv[++i];
        else die_usage("rebuild", "unknown argument '%s'", argv[i]);
    }
    Db *db = open_db(dbp, false);
    Fail f = {0};
    int64_t n = dossier_rebuild(db, &f);
    db_close(db);
    if (n < 0) {
        print_fail("rebuild", &f);
        fail_clear(&f);
        return 1;
    }
    printf("Rebuilt %lld dossiers (projections and search index) from their event logs.\n", (long long)n);
    return 0;
}

#include "clock_cli.c"

/* ---- small commands ------------------------------------------------------------------------ */

static int cmd_routes(int argc, char **argv) {
    bool md = argc > 1 && strcmp(argv[1], "--markdown") == 0;
    if (argc > (md ? 2 : 1)) die_usage("routes", "unknown argument '%s'", argv[md ? 2 : 1]);
    if (md) router_print_markdown(routes, routes_count);
    else router_print(routes, routes_count);
    return 0;
}

static int cmd_version(int argc, char **argv) {
    if (argc > 1) die_usage("version", "unknown argument '%s'", argv[1]);
    printf("sanqu %s (SQLite %s, schema %d)\n", SANQU_VERSION, sqlite3_libversion(), migrate_latest());
    return 0;
}

static int cmd_help(int argc, char **argv);

static const Command commands[] = {
    {"init", cmd_init, "init [--db PATH] [--district NAME]",
     "Creates a new database with the district and an admin account, and prints the admin's one-time\n"
     "password (it must be changed at first login)."},
    {"serve", cmd_serve,
     "serve [--db PATH] [--listen ADDR:PORT] [--threads N] [--web-root DIR] [--port-file FILE]\n"
     "            [--idle-timeout SECONDS] [--max-session SECONDS] [--lock-failures N]\n"
     "            [--ip-lock-failures N] [--lock-minutes N] [--max-body BYTES] [--max-upload BYTES]\n"
     "            [--timeout SECONDS] [--header-timeout SECONDS]\n"
     "            [--secure-cookies] [--quiet] [--read-only]",
     "Serves the API and the web UI. --listen 127.0.0.1:0 picks a free port (written to --port-file).\n"
     "--read-only serves reads and answers every write 503 (maintenance windows).\n"
     "--timeout drops a client idle that long (default 30 s; a body must arrive within four times it);\n"
     "--header-timeout drops one whose request headers are not complete that long after it connected\n"
     "or was last answered (default 10 s).\n"
     "SIGTERM or SIGINT finishes in-flight requests, checkpoints the WAL and exits 0."},
    {"ui", cmd_ui, "ui [serve options]",
     "Like serve, but first creates a demo database when none exists, and prints the address."},
    {"user", cmd_user,
     "user add NAME --role ROLE --org ORG [--display-name N] [--area AREA] [--phone P] [--password-stdin]\n"
     "       sanqu user passwd NAME [--password-stdin]\n"
     "       sanqu user lock|unlock NAME\n"
     "       sanqu user list",
     "Manages accounts from the command line (acts with full rights; each change is audited).\n"
     "Without --password-stdin a one-time password is generated and printed."},
    {"demo", cmd_demo, "demo [--db PATH] [--password-stdin] [--scale N] [--dossiers N]",
     "Creates a demo district in a new database: towns, villages, parks, enterprises, 12 areas with\n"
     "their committees, agreements, liaisons and one account per role. With --password-stdin every\n"
     "demo account gets the password read from standard input. --scale N adds N synthetic\n"
     "enterprises (valid credit codes) and --dossiers N synthetic agreed items, for benchmarks at scale."},
    {"backup", cmd_backup, "backup FILE [--db PATH]",
     "Copies the live database into FILE (online, while the server runs) and checks its integrity.\n"
     "The field key (FILE.key) is copied beside it."},
    {"workdays", cmd_workdays, "workdays FROM N [--db PATH]",
     "Prints the date N working days after FROM (YYYY-MM-DD): the deadline of a limit of N working\n"
     "days started on FROM, which itself does not count. Weekends, public holidays and make-up working\n"
     "days come from the calendar in the database (2025 and 2026 are built in); crossing a year\n"
     "without a calendar prints a warning on standard error. With no database (no --db, no $SANQU_DB,\n"
     "no data/sanqu.db) the built-in calendar is used."},
    {"calendar", cmd_calendar,
     "calendar list [YEAR] [--db PATH]\n"
     "       sanqu calendar import FILE [--dry-run] [--db PATH]",
     "Lists the years whose working-day calendar is known (with YEAR: its holidays and make-up days),\n"
     "or imports one year from CSV with the header date,kind,name (kind: holiday / 休 or workday / 班).\n"
     "Every row is checked and reported with its line; a valid file replaces that year's days, all or\n"
     "nothing. --dry-run only checks."},
    {"verify", cmd_verify, "verify [--db PATH]",
     "Re-checks every dossier's hash-chained event log and that each projection ends at its last event.\n"
     "Prints each break (dossier and event) and exits 1 when any chain is broken."},
    {"rebuild", cmd_rebuild, "rebuild [--db PATH]",
     "Recreates every dossier's current state (projection) and the search index from the event logs."},
    {"routes", cmd_routes, "routes [--markdown]",
     "Prints the HTTP route table: method, path, capability, flags (W write/CSRF, J JSON body, C CSV body,\n"
     "P allowed before a forced password change), description. --markdown prints the table of docs/api.md."},
    {"version", cmd_version, "version", "Prints the version."},
    {"help", cmd_help, "help [COMMAND]", "Shows the commands, or one command's usage."},
};

static const Command *find_command(const char *name) {
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static int cmd_help(int argc, char **argv) {
    if (argc > 1) {
        const Command *c = find_command(argv[1]);
        if (!c) {
            fprintf(stderr, "sanqu help: no command '%s'\n", argv[1]);
            return 2;
        }
        print_help(c);
        return 0;
    }
    printf("sanqu %s — the working platform of 三区联创\n\nusage: sanqu COMMAND [OPTIONS]\n\n", SANQU_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-8s %.*s\n", commands[i].name, (int)strcspn(commands[i].help, "\n"), commands[i].help);
    printf("\nEvery command takes --help. The database defaults to $SANQU_DB or data/sanqu.db.\n");
    return 0;
}

int main(int argc, char **argv) {
    if (!crypto_init()) {
        fprintf(stderr, "sanqu: libsodium failed to initialise\n");
        return 1;
    }
    if (argc < 2) {
        cmd_help(1, argv);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return cmd_help(1, argv);
    if (strcmp(argv[1], "--version") == 0) return cmd_version(1, argv);
    const Command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "sanqu: unknown command '%s'. Run 'sanqu help' for the list.\n", argv[1]);
        return 2;
    }
    if (wants_help(argc - 1, argv + 1)) {
        print_help(c);
        return 0;
    }
    return c->run(argc - 1, argv + 1);
}
