/*
 * clock.h — the working-day clock (DESIGN.md principle 4). Time limits (时限) count Chinese working
 * days: Monday to Friday, except public holidays, plus the make-up working days (调休上班) that fall
 * on a Saturday or Sunday. The calendar is data: the tables calendar_years and calendar_days
 * (store/schema/003_calendar.sql, which ships 2025 and 2026), extended year by year with
 * clock_import_csv().
 *
 * A Calendar is loaded once from the database and is immutable afterwards, so one Calendar can be
 * shared by every thread without locking; to take an import into account, load a new one and swap
 * it in. Every computation on it is a pure function. A year that the database does not know is
 * counted with plain weekends, and the functions report that year (unknown_year) so that the caller
 * can flag the result: nothing is guessed silently.
 *
 * Days are ClockDay numbers (days since 1970-01-01, proleptic Gregorian), converted from and to
 * "YYYY-MM-DD" by clock_parse_day() and clock_format_day().
 */
#ifndef SANQU_CORE_CLOCK_H
#define SANQU_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

/* Days since 1970-01-01 (negative before it). */
typedef int32_t ClockDay;

enum {
    CLOCK_MAX_WORKDAYS = 10000,        /* the largest N clock_add_workdays() accepts (~40 years) */
    CLOCK_NAME_MAX = 64,               /* longest holiday name, in characters */
    CLOCK_YELLOW_DAYS_LEFT_DEFAULT = 1 /* yellow when at most this many working days remain */
};
#define CLOCK_YELLOW_RATIO_DEFAULT 0.8 /* yellow when this share of the limit has elapsed */

/* Where a time limit stands on a given day. */
typedef enum ClockStatus {
    CLOCK_GREEN = 0, /* in time */
    CLOCK_YELLOW,    /* nearing the limit */
    CLOCK_RED,       /* overdue: today is after the due day */
} ClockStatus;

typedef struct Calendar Calendar;

/* ---- dates ---------------------------------------------------------------------------------- */

/* The day number of y-m-d. No validation: m and d must name a real day (see clock_parse_day). */
ClockDay clock_day(int y, int m, int d);
/* The civil date of a day number. */
void clock_civil(ClockDay day, int *y, int *m, int *d);
/* The year of a day number. */
int clock_year(ClockDay day);
/* ISO 8601 weekday: 1 Monday … 6 Saturday, 7 Sunday. */
int clock_weekday(ClockDay day);
/* Parses a real date written exactly YYYY-MM-DD with year 1900-2199 (the rules of val_date).
 * Returns false, leaving *out alone, for anything else. */
bool clock_parse_day(const char *s, ClockDay *out);
/* Writes "YYYY-MM-DD" and a NUL into out (years 0-9999). */
void clock_format_day(ClockDay day, char out[11]);

/* ---- the calendar ---------------------------------------------------------------------------- */

/* Loads the calendar from db (one consistent read). Returns a new Calendar that the caller frees
 * with clock_free(), or NULL with the error recorded in f (RC_UNAVAILABLE when out of memory, the
 * store's Rc otherwise). An empty calendar (no year known) is not an error. */
Calendar *clock_load(Db *db, Fail *f);
/* Frees a Calendar from clock_load(); NULL is ignored. */
void clock_free(Calendar *cal);

/* True when the calendar knows year (calendar_years lists it). */
bool clock_year_known(const Calendar *cal, int year);
/* True when day is a working day. *known (when not NULL) is set to whether day's year has a
 * calendar; when it has none, the answer is the plain weekend rule. cal may be NULL (no year
 * known). */
bool clock_is_workday(const Calendar *cal, ClockDay day, bool *known);
/* The day N working days after from: the deadline of a limit of n working days started on from,
 * which ends with the n-th working day after from (from itself does not count; n = 0 gives from).
 * *unknown_year (when not NULL) receives the first year without a calendar among the days counted
 * (after from up to *out), or 0 when every one is known. Returns false, changing nothing, when n is
 * outside 0..CLOCK_MAX_WORKDAYS. */
bool clock_add_workdays(const Calendar *cal, ClockDay from, int n, ClockDay *out, int *unknown_year);
/* Working days elapsed from a to b: the working days after a up to and including b, negated when b
 * is before a (so between(a, b) == -between(b, a), and between(a, add(a, n)) == n). Constant time.
 * *unknown_year (when not NULL) as for clock_add_workdays, over the days between a and b. */
int clock_workdays_between(const Calendar *cal, ClockDay a, ClockDay b, int *unknown_year);
/* The status of a limit started on started and due on due (the last working day of the limit), as
 * of today:
 *   RED     today is after due (whatever kind of day today is);
 *   YELLOW  otherwise, when the working days elapsed (started, today] are at least yellow_ratio of
 *           the limit's working days (started, due], or when at most yellow_days_left working days
 *           remain after today (today, due] — so the due day itself is yellow, never red;
 *   GREEN   otherwise.
 * Defaults: CLOCK_YELLOW_RATIO_DEFAULT and CLOCK_YELLOW_DAYS_LEFT_DEFAULT; a ratio above 1 or a
 * negative days-left disables that test. *unknown_year (when not NULL) as for
 * clock_workdays_between, over every day the comparison looked at. */
ClockStatus clock_time_status(const Calendar *cal, ClockDay started, ClockDay due, ClockDay today,
                              double yellow_ratio, int yellow_days_left, int *unknown_year);
/* "green", "yellow" or "red". */
const char *clock_status_name(ClockStatus s);

/* ---- import and listing ---------------------------------------------------------------------- */

/* Imports one year's calendar from CSV text (len bytes; see csv.h for the dialect). The header names
 * the columns date, kind and optionally name (or 日期, 类型, 名称), in any order. Each row is one
 * exception: a date (YYYY-MM-DD), a kind (holiday / 休 / 放假, or workday / 班 / 上班 for a make-up
 * working day) and a name (at most CLOCK_NAME_MAX characters, required for neither kind). Every
 * row is validated and every problem is reported with its line: a real date; every row in the year
 * of the first dated row; a make-up day on a Saturday or Sunday; no date twice.
 *
 * All or nothing: a valid file replaces every calendar_days row of that year and records the year
 * in calendar_years with source (e.g. "import: 2027.csv", may be NULL for "import"), in one
 * transaction with an audit row on behalf of a (NULL: anonymous). A dry run validates and reports
 * without writing.
 *
 * Appends a JSON report to report: {"dry_run", "year" (0 when unknown), "rows", "holidays",
 * "workdays", "replaced" (rows that year had before), "was_known", "imported", "errors": [{"line",
 * "field", "rule", "value"?, "message"}]}. A dry run with errors still returns RC_OK (the errors
 * are in the report); a real import with errors changes nothing and returns RC_VALIDATION with the
 * errors in f's extra member "errors" (and "rows"). Storage errors return the store's Rc. */
Rc clock_import_csv(Db *db, const Actor *a, const char *csv, size_t len, const char *source,
                    bool dry_run, Buf *report, Fail *f);

/* Appends a JSON array to out: with year 0 one object per known year {"year", "source",
 * "imported_at", "holidays", "workdays"}; otherwise that year's exceptions {"day", "kind", "name"}
 * in date order (an empty array when it has none). */
Rc clock_list(Db *db, int year, Buf *out, Fail *f);

#endif
