/*
 * clock_cli.c — the working-day clock's commands, `sanqu workdays` and `sanqu calendar`
 * (core/clock.h). Not compiled on its own: main.c includes it after its start-up helpers
 * (default_db, open_db, die_usage, parse_int_arg, cli_actor, print_fail), which it uses, and lists
 * cmd_workdays and cmd_calendar in its command table. Like every command it may exit on bad
 * arguments (2) or on a failure to open the database (1).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/buf.h"
#include "util/timeutil.h"

static const char *const clock_cli_wday[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* The database holding the calendar. When no database was named (no --db, no $SANQU_DB) and the
 * default one does not exist, a private in-memory database migrated to the latest schema stands in,
 * so that `sanqu workdays` answers from the calendar built into this binary; a note on stderr says
 * so. Otherwise open_db(), which exits when the database is missing. Close with db_close(). */
static Db *clock_cli_db(const char *cmd, const char *dbp, bool named) {
    if (named || access(dbp, F_OK) == 0) return open_db(dbp, false);
    char err[512];
    Db *db = db_open(":memory:", true, err, sizeof err);
    if (!db || migrate_apply(db, err, sizeof err) != RC_OK) {
        fprintf(stderr, "sanqu %s: %s\n", cmd, err);
        exit(1);
    }
    fprintf(stderr, "sanqu %s: no database at %s; using the calendar built into sanqu\n", cmd, dbp);
    return db;
}

/* Loads the calendar or exits 1 with the reason. */
static Calendar *clock_cli_load(const char *cmd, Db *db) {
    Fail f = {0};
    Calendar *cal = clock_load(db, &f);
    if (!cal) {
        print_fail(cmd, &f);
        fail_clear(&f);
        db_close(db);
        exit(1);
    }
    fail_clear(&f);
    return cal;
}

/* True when $SANQU_DB names the database (so a missing one is an error, not a fallback). */
static bool clock_cli_env_db(void) {
    const char *e = getenv("SANQU_DB");
    return e && *e;
}

/* ---- workdays ------------------------------------------------------------------------------- */

static int cmd_workdays(int argc, char **argv) {
    const char *dbp = default_db(), *from_s = NULL, *n_s = NULL;
    bool named = clock_cli_env_db();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--db") == 0 && i + 1 < argc) {
            dbp = argv[++i];
            named = true;
        } else if (a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) {
            die_usage("workdays", "unknown or incomplete argument '%s'", a);
        } else if (!from_s) {
            from_s = a;
        } else if (!n_s) {
            n_s = a;
        } else {
            die_usage("workdays", "one date and one number, not also '%s'", a);
        }
    }
    if (!n_s) die_usage("workdays", "%sgive a date and a number of working days, e.g. 'sanqu workdays 2026-02-13 5'", "");
    ClockDay from, due;
    if (!clock_parse_day(from_s, &from))
        die_usage("workdays", "'%s' is not a real date written YYYY-MM-DD (years 1900-2199)", from_s);
    int n = parse_int_arg("workdays", "N", n_s, 0, CLOCK_MAX_WORKDAYS);

    Db *db = clock_cli_db("workdays", dbp, named);
    Calendar *cal = clock_cli_load("workdays", db);
    db_close(db);
    int unknown = 0;
    clock_add_workdays(cal, from, n, &due, &unknown); /* n is in range: cannot fail */
    char out[11];
    clock_format_day(due, out);
    printf("%s\n", out);
    if (unknown) {
        Buf years = BUF_INIT;
        for (int y = unknown, last = clock_year(due); y <= last; y++)
            if (!clock_year_known(cal, y)) buf_printf(&years, "%s%d", years.len ? ", " : "", y);
        fprintf(stderr,
                "sanqu workdays: warning: no calendar for %s: only weekends were skipped there, public\n"
                "holidays and make-up working days are unknown. Import the year with 'sanqu calendar import FILE'.\n",
                buf_str(&years));
        buf_free(&years);
    }
    clock_free(cal);
    return 0;
}

/* ---- calendar ------------------------------------------------------------------------------- */

/* Reads a whole file into b (at most 4 MiB). Returns false with errno set on failure. */
static bool clock_cli_read(const char *file, Buf *b) {
    FILE *fp = fopen(file, "rb");
    if (!fp) return false;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        buf_append(b, chunk, n);
        if (b->len > 4u << 20) { fclose(fp); errno = EFBIG; return false; }
    }
    bool ok = !ferror(fp) && !buf_oom(b);
    if (!ok && !errno) errno = EIO;
    fclose(fp);
    return ok;
}

/* Prints each error of an import report as FILE:LINE: message on stderr; returns how many. */
static size_t clock_cli_errors(const char *file, json_t *errors) {
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
        fprintf(stderr, "%s:%lld: %s\n", file, (long long)json_integer_value(json_object_get(e, "line")),
                json_string_value(json_object_get(e, "message")));
    return json_array_size(errors);
}

static int clock_cli_import(const char *dbp, bool named, const char *file, bool dry_run) {
    Buf csv = BUF_INIT;
    if (!clock_cli_read(file, &csv)) {
        fprintf(stderr, "sanqu calendar: cannot read %s: %s\n", file, strerror(errno));
        buf_free(&csv);
        return 1;
    }
    Db *db = named || !dry_run ? open_db(dbp, false) : clock_cli_db("calendar", dbp, false);
    Actor actor;
    cli_actor(&actor);
    char source[300];
    snprintf(source, sizeof source, "import: %s", file);
    Buf rep = BUF_INIT;
    Fail f = {0};
    Rc r = clock_import_csv(db, &actor, csv.data ? csv.data : "", csv.len, source, dry_run, &rep, &f);
    buf_free(&csv);
    db_close(db);
    int status = 0;
    if (r == RC_VALIDATION) {
        size_t n = clock_cli_errors(file, json_object_get(f.extra, "errors"));
        fprintf(stderr, "sanqu calendar: %zu error%s in %s; nothing was imported\n", n, n == 1 ? "" : "s", file);
        status = 1;
    } else if (r != RC_OK) {
        print_fail("calendar", &f);
        status = 1;
    } else {
        json_t *j = json_loads(buf_str(&rep), 0, NULL);
        size_t n = clock_cli_errors(file, json_object_get(j, "errors"));
        long long year = json_integer_value(json_object_get(j, "year"));
        long long hol = json_integer_value(json_object_get(j, "holidays"));
        long long work = json_integer_value(json_object_get(j, "workdays"));
        long long replaced = json_integer_value(json_object_get(j, "replaced"));
        if (n) {
            fprintf(stderr, "sanqu calendar: %zu error%s in %s (dry run: nothing would be imported)\n", n,
                    n == 1 ? "" : "s", file);
            status = 1;
        } else if (dry_run) {
            printf("%s is a valid calendar for %lld: %lld holiday%s, %lld make-up working day%s; importing it "
                   "would replace %lld row%s. Dry run: nothing was written.\n",
                   file, year, hol, hol == 1 ? "" : "s", work, work == 1 ? "" : "s", replaced, replaced == 1 ? "" : "s");
        } else {
            printf("Imported the calendar for %lld from %s: %lld holiday%s, %lld make-up working day%s "
                   "(replaced %lld row%s).\nA running server reads the calendar when it starts: restart it "
                   "to count with this one.\n",
                   year, file, hol, hol == 1 ? "" : "s", work, work == 1 ? "" : "s", replaced, replaced == 1 ? "" : "s");
        }
        json_decref(j);
    }
    buf_free(&rep);
    fail_clear(&f);
    return status;
}

static int clock_cli_list(const char *dbp, bool named, int year) {
    Db *db = clock_cli_db("calendar", dbp, named);
    Calendar *cal = clock_cli_load("calendar", db);
    Buf out = BUF_INIT;
    Fail f = {0};
    Rc r = clock_list(db, year, &out, &f);
    db_close(db);
    if (r != RC_OK) {
        print_fail("calendar", &f);
        fail_clear(&f);
        buf_free(&out);
        clock_free(cal);
        return 1;
    }
    json_t *rows = json_loads(buf_str(&out), 0, NULL);
    buf_free(&out);
    size_t i;
    json_t *e;
    if (year == 0) {
        if (json_array_size(rows) == 0) {
            printf("No year has a calendar; import one with 'sanqu calendar import FILE'.\n");
        } else {
            printf("year  holidays  make-up days  recorded              source\n");
            json_array_foreach(rows, i, e)
                printf("%4lld  %8lld  %12lld  %-20s  %s\n", (long long)json_integer_value(json_object_get(e, "year")),
                       (long long)json_integer_value(json_object_get(e, "holidays")),
                       (long long)json_integer_value(json_object_get(e, "workdays")),
                       json_string_value(json_object_get(e, "imported_at")),
                       json_string_value(json_object_get(e, "source")));
        }
        /* Deadlines set now reach into this year and the next: say when either is missing. */
        char today[11];
        time_today(today, sizeof today);
        int y = atoi(today);
        for (int k = y; k <= y + 1; k++)
            if (!clock_year_known(cal, k))
                fprintf(stderr, "sanqu calendar: note: %d has no calendar yet; limits reaching into it count "
                                "weekends only and are flagged.\n", k);
    } else {
        json_array_foreach(rows, i, e) {
            ClockDay d = 0;
            const char *day = json_string_value(json_object_get(e, "day"));
            clock_parse_day(day, &d);
            const char *name = json_string_value(json_object_get(e, "name"));
            printf("%s  %s  %-7s  %s\n", day, clock_cli_wday[clock_weekday(d)],
                   json_string_value(json_object_get(e, "kind")), name ? name : "");
        }
        if (!clock_year_known(cal, year))
            fprintf(stderr, "sanqu calendar: %d has no calendar (import one with 'sanqu calendar import FILE').\n", year);
    }
    json_decref(rows);
    clock_free(cal);
    return 0;
}

static int cmd_calendar(int argc, char **argv) {
    if (argc < 2) die_usage("calendar", "%swhich subcommand? list or import", "");
    const char *sub = argv[1], *dbp = default_db(), *arg = NULL;
    bool named = clock_cli_env_db(), dry_run = false;
    bool is_import = strcmp(sub, "import") == 0;
    if (!is_import && strcmp(sub, "list") != 0) die_usage("calendar", "unknown subcommand '%s' (list, import)", sub);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--db") == 0 && i + 1 < argc) {
            dbp = argv[++i];
            named = true;
        } else if (is_import && strcmp(a, "--dry-run") == 0) {
            dry_run = true;
        } else if (a[0] != '-' && !arg) {
            arg = a;
        } else {
            die_usage("calendar", "unknown or incomplete argument '%s'", a);
        }
    }
    if (is_import) {
        if (!arg) die_usage("calendar", "%sname the CSV file to import (header: date,kind,name)", "");
        return clock_cli_import(dbp, named, arg, dry_run);
    }
    int year = arg ? parse_int_arg("calendar", "YEAR", arg, 1900, 2199) : 0;
    return clock_cli_list(dbp, named, year);
}
