/*
 * test_clock.c — the working-day clock (src/core/clock.c) on the calendar shipped by migration 003:
 * every day of 2025 and 2026 against the State Council notices as DESIGN.md lists them, deadlines
 * across Spring Festival, National Day and the turn of the year, make-up days, a year without a
 * calendar flagged, working days between two dates (against a day-by-day count), the time status at
 * its boundaries, and CSV import (dry run, bad rows with their lines, all or nothing, replacement).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/log.h"

static char dir[64], path[128];
static Db *db;
static Calendar *cal;

static int setup(void **state) {
    (void)state;
    log_set_level(-1);
    snprintf(dir, sizeof dir, "/tmp/sanqu-clock-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/c.db", dir);
    char err[256];
    db = db_open(path, true, err, sizeof err);
    if (!db || migrate_apply(db, err, sizeof err) != RC_OK) return -1;
    Fail f = {0};
    cal = clock_load(db, &f);
    fail_clear(&f);
    return cal ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    clock_free(cal);
    db_close(db);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* The day number of a date the test knows to be valid. */
static ClockDay D(const char *s) {
    ClockDay d = 0;
    assert_true(clock_parse_day(s, &d));
    return d;
}

/* FROM + n working days as text, with the unknown year into *unknown (may be NULL). */
static const char *add(const Calendar *c, const char *from, int n, int *unknown) {
    static char out[11];
    ClockDay d;
    assert_true(clock_add_workdays(c, D(from), n, &d, unknown));
    clock_format_day(d, out);
    return out;
}

static int64_t scalar(const char *sql) {
    int64_t v = -1;
    Fail f = {0};
    db_int(db, &f, &v, sql, NULL);
    fail_clear(&f);
    return v;
}

/* ---- dates ---------------------------------------------------------------------------------- */

static void test_dates(void **state) {
    (void)state;
    assert_int_equal(clock_day(1970, 1, 1), 0);
    assert_int_equal(clock_day(1900, 1, 1), -25567);
    assert_int_equal(clock_weekday(D("1900-01-01")), 1); /* Monday */
    assert_int_equal(clock_weekday(D("1970-01-01")), 4); /* Thursday */
    assert_int_equal(clock_weekday(D("2026-02-13")), 5); /* Friday */
    assert_int_equal(clock_weekday(D("2026-01-04")), 7); /* Sunday */
    /* Every day of 1900-2199 round-trips through text, and consecutive days are consecutive. */
    char s[11];
    ClockDay prev = D("1900-01-01") - 1;
    for (ClockDay d = D("1900-01-01"); d <= D("2199-12-31"); d++) {
        clock_format_day(d, s);
        ClockDay back;
        assert_true(clock_parse_day(s, &back));
        assert_int_equal(back, d);
        assert_int_equal(d, prev + 1);
        assert_int_equal(clock_weekday(d), (int)(((d % 7) + 7 + 3) % 7) + 1);
        prev = d;
    }
    ClockDay x = 123;
    const char *bad[] = {"2026-02-29", "2025-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "1899-12-31",
                         "2200-01-01", "2026-02-13 ", "", "2026/02/13", NULL};
    for (int i = 0; bad[i]; i++) assert_false(clock_parse_day(bad[i], &x));
    assert_int_equal(x, 123);
    assert_true(clock_parse_day("2024-02-29", &x));
}

/* ---- the shipped calendar -------------------------------------------------------------------- */

/* DESIGN.md principle 4, typed in independently of the migration. */
static const char *const holidays[][2] = {
    {"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"}, {"2025-04-04", "2025-04-06"},
    {"2025-05-01", "2025-05-05"}, {"2025-05-31", "2025-06-02"}, {"2025-10-01", "2025-10-08"},
    {"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
    {"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
    {"2026-10-01", "2026-10-07"},
};
static const char *const makeup[] = {"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
                                     "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                                     "2026-10-10"};

static bool ref_workday(ClockDay d) {
    for (size_t i = 0; i < sizeof makeup / sizeof makeup[0]; i++)
        if (d == D(makeup[i])) return true;
    for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++)
        if (d >= D(holidays[i][0]) && d <= D(holidays[i][1])) return false;
    return clock_weekday(d) <= 5;
}

static void test_shipped_calendar(void **state) {
    (void)state;
    /* Every make-up day listed in DESIGN.md is a Saturday or a Sunday. */
    for (size_t i = 0; i < sizeof makeup / sizeof makeup[0]; i++) assert_true(clock_weekday(D(makeup[i])) >= 6);
    for (ClockDay d = D("2025-01-01"); d <= D("2026-12-31"); d++) {
        bool known = false;
        assert_int_equal(clock_is_workday(cal, d, &known), ref_workday(d));
        assert_true(known);
    }
    /* 2025: 1 + 8 + 3 + 5 + 3 + 8 holidays, 5 make-up days; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7, 6. */
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2025%' AND kind='holiday'"), 28);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2025%' AND kind='workday'"), 5);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2026%' AND kind='holiday'"), 33);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2026%' AND kind='workday'"), 6);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day = '2026-09-26' AND name = '中秋节'"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day = '2025-10-06' AND name = '国庆节、中秋节'"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_years"), 2);
    /* The table refuses a make-up day on a weekday and a date that does not exist. */
    Fail f = {0};
    assert_int_equal(db_run(db, &f, "INSERT INTO calendar_days VALUES ('2026-03-03', 'workday', NULL)", NULL), RC_CONFLICT);
    fail_clear(&f);
    assert_int_equal(db_run(db, &f, "INSERT INTO calendar_days VALUES ('2026-02-30', 'holiday', NULL)", NULL), RC_CONFLICT);
    fail_clear(&f);
    assert_int_equal(db_run(db, &f, "INSERT INTO calendar_days VALUES ('2026-02-3x', 'holiday', NULL)", NULL), RC_CONFLICT);
    fail_clear(&f);
}

/* Spring Festival 2026: Friday Feb 13 + 5. Sat Feb 14 is a make-up working day (1); Feb 15-23 are
 * off; then Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5). */
static void test_spring_festival_2026(void **state) {
    (void)state;
    int unknown = -1;
    assert_string_equal(add(cal, "2026-02-13", 5, &unknown), "2026-02-27");
    assert_int_equal(unknown, 0);
    assert_string_equal(add(cal, "2026-02-13", 1, NULL), "2026-02-14");
    assert_string_equal(add(cal, "2026-02-13", 2, NULL), "2026-02-24");
    assert_string_equal(add(cal, "2026-02-14", 1, NULL), "2026-02-24");
    /* Fri Feb 27 + 1: Sat Feb 28 is the second make-up day. */
    assert_string_equal(add(cal, "2026-02-27", 1, NULL), "2026-02-28");
    assert_string_equal(add(cal, "2026-02-27", 2, NULL), "2026-03-02");
    /* n = 0 is FROM itself, even on a day off. */
    assert_string_equal(add(cal, "2026-02-16", 0, &unknown), "2026-02-16");
    assert_int_equal(unknown, 0);
    /* A limit started on a holiday counts from the next working day. */
    assert_string_equal(add(cal, "2026-02-16", 1, NULL), "2026-02-24");
    ClockDay out = 7;
    assert_false(clock_add_workdays(cal, D("2026-02-13"), -1, &out, NULL));
    assert_false(clock_add_workdays(cal, D("2026-02-13"), CLOCK_MAX_WORKDAYS + 1, &out, NULL));
    assert_int_equal(out, 7);
}

static void test_makeup_days_count(void **state) {
    (void)state;
    bool known = false;
    assert_true(clock_is_workday(cal, D("2025-09-28"), &known)); /* Sunday, make-up for National Day */
    assert_true(known);
    assert_false(clock_is_workday(cal, D("2025-09-27"), NULL)); /* the Saturday before stays off */
    assert_string_equal(add(cal, "2025-09-26", 1, NULL), "2025-09-28");
    assert_string_equal(add(cal, "2025-01-24", 1, NULL), "2025-01-26"); /* Sunday before Spring Festival */
    assert_string_equal(add(cal, "2025-10-10", 1, NULL), "2025-10-11"); /* Saturday after National Day */
    assert_false(clock_is_workday(cal, D("2025-10-12"), NULL));
}

static void test_year_end(void **state) {
    (void)state;
    /* Wed 2025-12-31 + 1: Jan 1-3 off, Sunday Jan 4 is a make-up working day. */
    int unknown = -1;
    assert_string_equal(add(cal, "2025-12-31", 1, &unknown), "2026-01-04");
    assert_int_equal(unknown, 0);
    assert_string_equal(add(cal, "2025-12-31", 2, NULL), "2026-01-05");
    /* 2024 has no calendar, but only the days after FROM are counted. */
    assert_string_equal(add(cal, "2024-12-31", 1, &unknown), "2025-01-02");
    assert_int_equal(unknown, 0);
    assert_string_equal(add(cal, "2024-12-30", 1, &unknown), "2024-12-31");
    assert_int_equal(unknown, 2024);
}

/* Tue 2025-09-30 + 1: Oct 1-8 off (国庆节、中秋节), Thursday Oct 9. */
static void test_national_day_2025(void **state) {
    (void)state;
    assert_string_equal(add(cal, "2025-09-30", 1, NULL), "2025-10-09");
    assert_string_equal(add(cal, "2026-09-30", 1, NULL), "2026-10-08"); /* 2026: Oct 1-7 */
    assert_string_equal(add(cal, "2026-09-24", 1, NULL), "2026-09-28"); /* 中秋节 Sep 25-27 */
}

static void test_unknown_year_flagged(void **state) {
    (void)state;
    bool known = true;
    /* Fri 2027-01-01: no calendar, so the weekend rule says working day, flagged as unknown. */
    assert_true(clock_is_workday(cal, D("2027-01-01"), &known));
    assert_false(known);
    assert_false(clock_year_known(cal, 2027));
    assert_true(clock_year_known(cal, 2026));
    int unknown = 0;
    assert_string_equal(add(cal, "2026-12-31", 1, &unknown), "2027-01-01");
    assert_int_equal(unknown, 2027);
    assert_string_equal(add(cal, "2026-12-30", 1, &unknown), "2026-12-31");
    assert_int_equal(unknown, 0);
    /* Crossing 2027 into 2028 names the first unknown year. */
    assert_string_equal(add(cal, "2026-12-31", 300, &unknown), "2028-02-24");
    assert_int_equal(unknown, 2027);
    assert_int_equal(clock_workdays_between(cal, D("2026-12-01"), D("2027-01-05"), &unknown), 25);
    assert_int_equal(unknown, 2027);
    assert_int_equal(clock_workdays_between(cal, D("2027-01-05"), D("2026-12-01"), &unknown), -25);
    assert_int_equal(unknown, 2027);
    ClockStatus st = clock_time_status(cal, D("2026-12-28"), D("2027-01-04"), D("2026-12-29"), 0.8, 1, &unknown);
    assert_int_equal(st, CLOCK_GREEN);
    assert_int_equal(unknown, 2027);
    /* No calendar at all: weekends only, every year unknown. */
    known = true;
    assert_true(clock_is_workday(NULL, D("2026-01-01"), &known));
    assert_false(known);
    ClockDay out;
    assert_true(clock_add_workdays(NULL, D("2026-02-13"), 5, &out, &unknown));
    assert_int_equal(out, D("2026-02-20"));
    assert_int_equal(unknown, 2026);
}

/* Working days between a and b, counted day by day. */
static int ref_between(ClockDay a, ClockDay b) {
    int n = 0;
    if (a <= b) {
        for (ClockDay d = a + 1; d <= b; d++) n += clock_is_workday(cal, d, NULL);
        return n;
    }
    return -ref_between(b, a);
}

static void test_workdays_between(void **state) {
    (void)state;
    ClockDay a = D("2026-02-13"), b = D("2026-02-27");
    int unknown = -1;
    assert_int_equal(clock_workdays_between(cal, a, b, &unknown), 5);
    assert_int_equal(unknown, 0);
    assert_int_equal(clock_workdays_between(cal, b, a, NULL), -5);
    assert_int_equal(clock_workdays_between(cal, a, a, NULL), 0);
    /* A whole week of holiday counts nothing, in either direction. */
    assert_int_equal(clock_workdays_between(cal, D("2026-02-15"), D("2026-02-23"), NULL), 0);
    assert_int_equal(clock_workdays_between(cal, D("2026-02-23"), D("2026-02-15"), NULL), 0);
    /* 2025 has 261 weekdays; 18 holidays fall on one (Jan 1; Jan 28-31, Feb 3-4; Apr 4; May 1, 2, 5;
     * Jun 2; Oct 1-3, 6-8); 5 make-up days: 248. 2026: 261 - 19 + 6 = 248 as well. */
    assert_int_equal(clock_workdays_between(cal, D("2024-12-31"), D("2025-12-31"), NULL), 248);
    assert_int_equal(clock_workdays_between(cal, D("2025-12-31"), D("2026-12-31"), NULL), 248);
    /* Against the day-by-day count and against add, from 2024-11 into 2027 (both edges of the span). */
    for (ClockDay x = D("2024-11-20"); x <= D("2027-01-20"); x += 3) {
        for (int n = 0; n <= 40; n += 3) {
            ClockDay y;
            assert_true(clock_add_workdays(cal, x, n, &y, NULL));
            assert_int_equal(clock_workdays_between(cal, x, y, NULL), n);
            assert_int_equal(clock_workdays_between(cal, y, x, NULL), -n);
            assert_true(n == 0 || clock_is_workday(cal, y, NULL));
        }
        for (ClockDay y = x - 20; y <= x + 20; y += 7) {
            assert_int_equal(clock_workdays_between(cal, x, y, NULL), ref_between(x, y));
            assert_int_equal(clock_workdays_between(cal, x, y, NULL), -clock_workdays_between(cal, y, x, NULL));
        }
    }
    /* Far outside the span the weekend rule holds: 2000-01-03 (Mon) to 2000-01-10 is 5. */
    assert_int_equal(clock_workdays_between(cal, D("2000-01-03"), D("2000-01-10"), &unknown), 5);
    assert_int_equal(unknown, 2000);
    assert_int_equal(clock_workdays_between(cal, D("2100-01-04"), D("2100-01-11"), NULL), 5);
}

static ClockStatus status(const char *started, const char *due, const char *today) {
    return clock_time_status(cal, D(started), D(due), D(today), CLOCK_YELLOW_RATIO_DEFAULT,
                             CLOCK_YELLOW_DAYS_LEFT_DEFAULT, NULL);
}

static void test_time_status(void **state) {
    (void)state;
    /* A limit of 10 started Mon 2026-03-02 is due Mon 03-16 (Mar 3-6, 9-13, 16). */
    assert_string_equal(add(cal, "2026-03-02", 10, NULL), "2026-03-16");
    assert_int_equal(status("2026-03-02", "2026-03-16", "2026-03-02"), CLOCK_GREEN);
    assert_int_equal(status("2026-03-02", "2026-03-16", "2026-03-11"), CLOCK_GREEN);  /* 7 elapsed, 3 left */
    assert_int_equal(status("2026-03-02", "2026-03-16", "2026-03-12"), CLOCK_YELLOW); /* 8 of 10: exactly 80% */
    assert_int_equal(status("2026-03-02", "2026-03-16", "2026-03-14"), CLOCK_YELLOW); /* Saturday */
    assert_int_equal(status("2026-03-02", "2026-03-16", "2026-03-16"), CLOCK_YELLOW); /* the due day: not red */
    assert_int_equal(status("2026-03-02", "2026-03-16", "2026-03-17"), CLOCK_RED);    /* the day after */
    /* A limit of 3 (Mar 3, 4, 5): 80% is 2.4, so the one-day-left rule is what turns it yellow. */
    assert_int_equal(status("2026-03-02", "2026-03-05", "2026-03-03"), CLOCK_GREEN);  /* 1 elapsed, 2 left */
    assert_int_equal(status("2026-03-02", "2026-03-05", "2026-03-04"), CLOCK_YELLOW); /* 2 elapsed, 1 left */
    assert_int_equal(status("2026-03-02", "2026-03-05", "2026-03-06"), CLOCK_RED);
    /* Across Spring Festival: due Fri 02-27; a weekend after the due day is already red. */
    assert_int_equal(status("2026-02-13", "2026-02-27", "2026-02-20"), CLOCK_GREEN);  /* 1 elapsed (Feb 14) */
    assert_int_equal(status("2026-02-13", "2026-02-27", "2026-02-25"), CLOCK_GREEN);  /* 3 elapsed, 2 left */
    assert_int_equal(status("2026-02-13", "2026-02-27", "2026-02-26"), CLOCK_YELLOW);
    assert_int_equal(status("2026-02-13", "2026-02-27", "2026-03-01"), CLOCK_RED);
    /* Before the start, a limit of 0, and thresholds set by the caller. */
    assert_int_equal(status("2026-03-02", "2026-03-16", "2026-02-27"), CLOCK_GREEN);
    assert_int_equal(status("2026-03-02", "2026-03-02", "2026-03-02"), CLOCK_YELLOW);
    ClockDay s = D("2026-03-02"), due = D("2026-03-16");
    assert_int_equal(clock_time_status(cal, s, due, D("2026-03-09"), 0.5, 1, NULL), CLOCK_YELLOW);   /* 5 of 10 */
    assert_int_equal(clock_time_status(cal, s, due, D("2026-03-06"), 0.5, 1, NULL), CLOCK_GREEN);    /* 4 of 10 */
    assert_int_equal(clock_time_status(cal, s, due, D("2026-03-11"), 0.9, 3, NULL), CLOCK_YELLOW);   /* 3 left */
    assert_int_equal(clock_time_status(cal, s, due, D("2026-03-12"), 0.9, 2, NULL), CLOCK_YELLOW);   /* 2 left */
    assert_int_equal(clock_time_status(cal, s, due, D("2026-03-12"), 0.9, 1, NULL), CLOCK_GREEN);
    assert_int_equal(clock_time_status(cal, s, due, D("2026-03-16"), 2.0, -1, NULL), CLOCK_GREEN);   /* both off */
    assert_int_equal(clock_time_status(cal, s, due, D("2026-03-17"), 2.0, -1, NULL), CLOCK_RED);
    assert_string_equal(clock_status_name(CLOCK_GREEN), "green");
    assert_string_equal(clock_status_name(CLOCK_YELLOW), "yellow");
    assert_string_equal(clock_status_name(CLOCK_RED), "red");
}

/* ---- CSV import ------------------------------------------------------------------------------ */

/* Runs an import and returns its Rc; the report (or f.extra on RC_VALIDATION) is parsed into *out. */
static Rc import(const char *csv, bool dry_run, json_t **out) {
    Buf b = BUF_INIT;
    Fail f = {0};
    Rc r = clock_import_csv(db, NULL, csv, strlen(csv), "test", dry_run, &b, &f);
    *out = NULL;
    if (r == RC_OK) *out = json_loads(buf_str(&b), 0, NULL);
    else if (r == RC_VALIDATION) *out = json_incref(f.extra);
    buf_free(&b);
    fail_clear(&f);
    return r;
}

/* The error of the report on line, or NULL. */
static json_t *error_on(json_t *rep, int line, const char *rule) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(rep, "errors"), i, e)
        if (json_integer_value(json_object_get(e, "line")) == line &&
            strcmp(json_string_value(json_object_get(e, "rule")), rule) == 0)
            return e;
    return NULL;
}

static const char good_2027[] = "date,kind,name\n"
                                "2027-01-01,holiday,元旦\n"
                                "2027-01-02,休,元旦\n"
                                "2027-01-03,放假,元旦\n"
                                "2027-02-06,班,春节\n"    /* Saturday */
                                " 2027-02-08 , Holiday ,春节\n"
                                "2027-02-09,holiday,\n";

static void test_import_dry_run(void **state) {
    (void)state;
    json_t *rep;
    int64_t before = scalar("SELECT count(*) FROM calendar_days");
    assert_int_equal(import(good_2027, true, &rep), RC_OK);
    assert_non_null(rep);
    assert_true(json_is_true(json_object_get(rep, "dry_run")));
    assert_false(json_is_true(json_object_get(rep, "imported")));
    assert_int_equal(json_integer_value(json_object_get(rep, "year")), 2027);
    assert_int_equal(json_integer_value(json_object_get(rep, "rows")), 6);
    assert_int_equal(json_integer_value(json_object_get(rep, "holidays")), 5);
    assert_int_equal(json_integer_value(json_object_get(rep, "workdays")), 1);
    assert_int_equal(json_integer_value(json_object_get(rep, "replaced")), 0);
    assert_int_equal(json_array_size(json_object_get(rep, "errors")), 0);
    json_decref(rep);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days"), before);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_years WHERE year = 2027"), 0);
}

static const char bad_2027[] = "date,kind,name\n"
                               "2027-01-01,holiday,元旦\n"   /* 2 good */
                               "2027-02-30,holiday,春节\n"   /* 3 not a date */
                               "2027-03-02,workday,\n"       /* 4 a Tuesday */
                               "2027-01-01,holiday,元旦\n"   /* 5 duplicate of line 2 */
                               "2028-01-01,holiday,元旦\n"   /* 6 another year */
                               "2027-05-01,vacation,劳动节\n" /* 7 unknown kind */
                               "2027-05-02,,劳动节\n"         /* 8 no kind */
                               "2027-05-03,holiday,x,extra\n" /* 9 a field too many */
                               "\"2027-05-04\",holiday,\"劳动\n节\"\n" /* 10 good: quoted, two lines */
                               "2027-05-06,holiday,劳动节\n"  /* 12 good */
                               "2027-05-06,holiday,劳动节\n"; /* 13 duplicate of line 12 */

static void test_import_bad_rows(void **state) {
    (void)state;
    json_t *rep;
    int64_t before = scalar("SELECT count(*) FROM calendar_days");
    assert_int_equal(import(bad_2027, true, &rep), RC_OK); /* a dry run reports, it does not fail */
    assert_non_null(error_on(rep, 3, "date"));
    json_t *e = error_on(rep, 4, "weekend");
    assert_non_null(e);
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "Tuesday"));
    e = error_on(rep, 5, "duplicate");
    assert_non_null(e);
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "line 2"));
    assert_non_null(error_on(rep, 6, "year"));
    assert_non_null(error_on(rep, 7, "enum"));
    assert_non_null(error_on(rep, 8, "required"));
    assert_non_null(error_on(rep, 9, "extra_fields"));
    e = error_on(rep, 13, "duplicate"); /* lines still count after a quoted line break */
    assert_non_null(e);
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "line 12"));
    assert_int_equal(json_array_size(json_object_get(rep, "errors")), 8);
    assert_int_equal(json_integer_value(json_object_get(rep, "rows")), 11);
    json_decref(rep);

    /* The real import refuses the whole file and changes nothing. */
    assert_int_equal(import(bad_2027, false, &rep), RC_VALIDATION);
    assert_non_null(error_on(rep, 4, "weekend"));
    assert_int_equal(json_array_size(json_object_get(rep, "errors")), 8);
    json_decref(rep);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days"), before);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_years WHERE year = 2027"), 0);

    /* Header and syntax problems. */
    assert_int_equal(import("day,kind\n2027-01-01,holiday\n", true, &rep), RC_OK);
    assert_non_null(error_on(rep, 1, "unknown_column"));
    assert_non_null(error_on(rep, 1, "missing_column"));
    json_decref(rep);
    assert_int_equal(import("", true, &rep), RC_OK);
    assert_non_null(error_on(rep, 1, "empty"));
    json_decref(rep);
    assert_int_equal(import("date,kind,name\n", true, &rep), RC_OK);
    assert_non_null(error_on(rep, 2, "empty"));
    json_decref(rep);
    assert_int_equal(import("date,kind,name\n2027-01-01,holiday,\"元旦\n", true, &rep), RC_OK);
    assert_non_null(error_on(rep, 2, "quote"));
    json_decref(rep);
    char longname[400] = "date,kind,name\n2027-01-01,holiday,";
    for (int i = 0; i < 65; i++) strcat(longname, "节");
    assert_int_equal(import(longname, true, &rep), RC_OK);
    assert_non_null(error_on(rep, 2, "max_length"));
    json_decref(rep);
    /* Long multi-byte values are cut at a character boundary in the report (which must stay UTF-8). */
    char longcells[1200] = "date,kind,name,";
    for (int i = 0; i < 40; i++) strcat(longcells, "列");
    strcat(longcells, "\n");
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 40; i++) strcat(longcells, "日");
        strcat(longcells, ",");
    }
    strcat(longcells, "x\n");
    assert_int_equal(import(longcells, true, &rep), RC_OK);
    assert_non_null(rep);
    assert_non_null(error_on(rep, 1, "unknown_column"));
    json_decref(rep);
    strcpy(longcells, "date,kind,name\n");
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 40; i++) strcat(longcells, "日");
        strcat(longcells, ",");
    }
    strcat(longcells, "x\n");
    assert_int_equal(import(longcells, true, &rep), RC_OK);
    assert_non_null(rep);
    assert_non_null(error_on(rep, 2, "date"));
    assert_non_null(error_on(rep, 2, "enum"));
    json_decref(rep);
    /* Chinese headers, columns in another order, CRLF and a BOM. */
    assert_int_equal(import("\xEF\xBB\xBF名称,日期,类型\r\n元旦,2027-01-01,休\r\n", true, &rep), RC_OK);
    assert_int_equal(json_array_size(json_object_get(rep, "errors")), 0);
    assert_int_equal(json_integer_value(json_object_get(rep, "holidays")), 1);
    json_decref(rep);
}

static void test_import_real(void **state) {
    (void)state;
    json_t *rep;
    int64_t audits = scalar("SELECT count(*) FROM audit_log WHERE action = 'import' AND object_type = 'calendar'");
    assert_int_equal(import(good_2027, false, &rep), RC_OK);
    assert_true(json_is_true(json_object_get(rep, "imported")));
    assert_false(json_is_true(json_object_get(rep, "was_known")));
    json_decref(rep);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2027%'"), 6);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day = '2027-02-09' AND name IS NULL"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_years WHERE year = 2027 AND source = 'test'"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE action = 'import' AND object_type = 'calendar'"),
                     audits + 1);

    /* The old Calendar is immutable; a new load sees 2027. */
    assert_false(clock_year_known(cal, 2027));
    Fail f = {0};
    Calendar *c2 = clock_load(db, &f);
    assert_non_null(c2);
    assert_true(clock_year_known(c2, 2027));
    bool known = false;
    assert_false(clock_is_workday(c2, D("2027-01-01"), &known));
    assert_true(known);
    int unknown = -1;
    assert_string_equal(add(c2, "2026-12-31", 1, &unknown), "2027-01-04");
    assert_int_equal(unknown, 0);
    assert_string_equal(add(c2, "2027-02-05", 1, NULL), "2027-02-06");  /* make-up Saturday */
    assert_string_equal(add(c2, "2027-02-06", 1, NULL), "2027-02-10");  /* 8, 9 off */
    clock_free(c2);

    /* Importing the year again replaces its rows. */
    const char *again = "date,kind,name\n2027-01-01,holiday,元旦\n";
    assert_int_equal(import(again, false, &rep), RC_OK);
    assert_int_equal(json_integer_value(json_object_get(rep, "replaced")), 6);
    assert_true(json_is_true(json_object_get(rep, "was_known")));
    json_decref(rep);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2027%'"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2026%'"), 39); /* untouched */

    /* A bad file for a known year leaves that year as it was. */
    assert_int_equal(import("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-05,workday,\n", false, &rep),
                     RC_VALIDATION);
    json_decref(rep);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2027%'"), 1);

    /* A storage failure half-way (after the days were replaced) rolls the whole import back. */
    Fail tf = {0};
    assert_int_equal(db_exec(db, &tf, "CREATE TEMP TRIGGER no_years BEFORE INSERT ON main.calendar_years"
                                      " BEGIN SELECT RAISE(ABORT, 'refused'); END"), RC_OK);
    assert_int_equal(import("date,kind,name\n2026-01-01,holiday,元旦\n", false, &rep), RC_CONFLICT);
    assert_null(rep);
    assert_int_equal(db_exec(db, &tf, "DROP TRIGGER no_years"), RC_OK);
    fail_clear(&tf);
    assert_int_equal(scalar("SELECT count(*) FROM calendar_days WHERE day LIKE '2026%'"), 39);

    /* The listing. */
    Buf b = BUF_INIT;
    assert_int_equal(clock_list(db, 0, &b, &f), RC_OK);
    json_t *years = json_loads(buf_str(&b), 0, NULL);
    assert_int_equal(json_array_size(years), 3);
    json_t *y26 = json_array_get(years, 1);
    assert_int_equal(json_integer_value(json_object_get(y26, "year")), 2026);
    assert_int_equal(json_integer_value(json_object_get(y26, "holidays")), 33);
    assert_int_equal(json_integer_value(json_object_get(y26, "workdays")), 6);
    json_decref(years);
    buf_reset(&b);
    assert_int_equal(clock_list(db, 2026, &b, &f), RC_OK);
    json_t *days = json_loads(buf_str(&b), 0, NULL);
    assert_int_equal(json_array_size(days), 39);
    assert_string_equal(json_string_value(json_object_get(json_array_get(days, 0), "day")), "2026-01-01");
    assert_string_equal(json_string_value(json_object_get(json_array_get(days, 3), "kind")), "workday");
    json_decref(days);
    buf_reset(&b);
    assert_int_equal(clock_list(db, 2030, &b, &f), RC_OK);
    assert_string_equal(buf_str(&b), "[]");
    buf_free(&b);
    fail_clear(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_shipped_calendar),
        cmocka_unit_test(test_spring_festival_2026),
        cmocka_unit_test(test_makeup_days_count),
        cmocka_unit_test(test_year_end),
        cmocka_unit_test(test_national_day_2025),
        cmocka_unit_test(test_unknown_year_flagged),
        cmocka_unit_test(test_workdays_between),
        cmocka_unit_test(test_time_status),
        cmocka_unit_test(test_import_dry_run),
        cmocka_unit_test(test_import_bad_rows),
        cmocka_unit_test(test_import_real),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
