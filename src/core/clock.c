/*
 * clock.c — the working-day clock (contract in clock.h).
 *
 * A Calendar covers a contiguous span of whole years, from the first to the last year that the
 * database mentions, with one byte per day (working or not, exceptions applied) and a prefix sum of
 * working days. Outside the span every day follows the weekend rule, which has a closed form, so
 * W(x), the number of working days before day x counted from a fixed Monday, is constant time
 * anywhere, and the working days between two dates are a difference of two W values. Adding N
 * working days walks day by day (N is bounded by CLOCK_MAX_WORKDAYS).
 */
#include "core/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "util/csv.h"
#include "util/validate.h"

struct Calendar {
    int first_year;  /* first year of the span (meaningless when nyears is 0) */
    int nyears;      /* years in the span: first_year .. first_year + nyears - 1 */
    ClockDay lo;     /* day number of first_year-01-01 */
    int32_t ndays;   /* days in the span: lo .. lo + ndays - 1 */
    uint8_t *known;  /* [nyears] 1 when calendar_years lists the year */
    uint8_t *work;   /* [ndays] 1 for a working day, 0 for a day off, exceptions applied */
    int32_t *cum;    /* [ndays + 1] working days in [lo, lo + i) */
};

/* ---- dates ---------------------------------------------------------------------------------- */

/* Floor division and the matching non-negative remainder (C's / and % truncate toward zero). */
static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
static int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

/* Days from civil and back: Howard Hinnant's algorithms on 400-year eras (146097 days), with
 * March as the first month so that the leap day is the last day of the year. */
ClockDay clock_day(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                  /* [0, 399] */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return (ClockDay)(era * 146097 + doe - 719468);
}

void clock_civil(ClockDay day, int *y, int *m, int *d) {
    int64_t z = (int64_t)day + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = mm;
    *y = (int)(yoe + era * 400) + (mm <= 2);
}

int clock_year(ClockDay day) {
    int y, m, d;
    clock_civil(day, &y, &m, &d);
    return y;
}

/* 1970-01-01 was a Thursday (ISO weekday 4). */
int clock_weekday(ClockDay day) { return (int)floor_mod((int64_t)day + 3, 7) + 1; }

bool clock_parse_day(const char *s, ClockDay *out) {
    if (!val_date(s)) return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    *out = clock_day(y, m, d);
    return true;
}

void clock_format_day(ClockDay day, char out[11]) {
    int y, m, d;
    clock_civil(day, &y, &m, &d);
    if (y < 0) y = 0;
    if (y > 9999) y = 9999;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* ---- the calendar ---------------------------------------------------------------------------- */

/* A Monday before every date the clock is asked about: 1900-01-01. */
#define CLOCK_EPOCH_MONDAY ((ClockDay)-25567)

static bool weekend(ClockDay day) { return clock_weekday(day) >= 6; }

/* Monday-to-Friday days in [CLOCK_EPOCH_MONDAY, x) (negative when x is before it). */
static int64_t weekdays_before(ClockDay x) {
    int64_t k = (int64_t)x - CLOCK_EPOCH_MONDAY;
    int64_t q = floor_div(k, 7), r = k - q * 7;
    return q * 5 + (r < 5 ? r : 5);
}

/* Working days in [CLOCK_EPOCH_MONDAY, x) under the calendar: the weekend rule outside the span,
 * the prefix sum inside it. */
static int64_t workdays_before(const Calendar *cal, ClockDay x) {
    if (!cal || cal->ndays == 0 || x <= cal->lo) return weekdays_before(x);
    int64_t base = weekdays_before(cal->lo);
    ClockDay hi = cal->lo + cal->ndays; /* first day after the span */
    if (x <= hi) return base + cal->cum[x - cal->lo];
    return base + cal->cum[cal->ndays] + weekdays_before(x) - weekdays_before(hi);
}

bool clock_year_known(const Calendar *cal, int year) {
    if (!cal || year < cal->first_year || year >= cal->first_year + cal->nyears) return false;
    return cal->known[year - cal->first_year] != 0;
}

/* The first year without a calendar among the days (a, b], or 0 (also when b <= a). */
static int first_unknown_year(const Calendar *cal, ClockDay a, ClockDay b) {
    if (b <= a) return 0;
    for (int y = clock_year(a + 1), last = clock_year(b); y <= last; y++)
        if (!clock_year_known(cal, y)) return y;
    return 0;
}

bool clock_is_workday(const Calendar *cal, ClockDay day, bool *known) {
    if (known) *known = clock_year_known(cal, clock_year(day));
    if (cal && day >= cal->lo && day - cal->lo < cal->ndays) return cal->work[day - cal->lo] != 0;
    return !weekend(day);
}

bool clock_add_workdays(const Calendar *cal, ClockDay from, int n, ClockDay *out, int *unknown_year) {
    if (n < 0 || n > CLOCK_MAX_WORKDAYS) return false;
    ClockDay d = from;
    for (int left = n; left > 0;)
        if (clock_is_workday(cal, ++d, NULL)) left--;
    *out = d;
    if (unknown_year) *unknown_year = first_unknown_year(cal, from, d);
    return true;
}

int clock_workdays_between(const Calendar *cal, ClockDay a, ClockDay b, int *unknown_year) {
    if (unknown_year) *unknown_year = a <= b ? first_unknown_year(cal, a, b) : first_unknown_year(cal, b, a);
    return (int)(workdays_before(cal, b + 1) - workdays_before(cal, a + 1));
}

ClockStatus clock_time_status(const Calendar *cal, ClockDay started, ClockDay due, ClockDay today,
                              double yellow_ratio, int yellow_days_left, int *unknown_year) {
    if (unknown_year) {
        ClockDay lo = started, hi = started;
        if (due < lo) lo = due;
        if (today < lo) lo = today;
        if (due > hi) hi = due;
        if (today > hi) hi = today;
        *unknown_year = first_unknown_year(cal, lo, hi);
    }
    if (today > due) return CLOCK_RED;
    int limit = clock_workdays_between(cal, started, due, NULL);
    int elapsed = clock_workdays_between(cal, started, today, NULL);
    int left = clock_workdays_between(cal, today, due, NULL);
    /* The tolerance keeps "exactly 80%" yellow whatever the rounding of 0.8 * limit. */
    if (left <= yellow_days_left || (double)elapsed >= yellow_ratio * limit - 1e-9) return CLOCK_YELLOW;
    return CLOCK_GREEN;
}

const char *clock_status_name(ClockStatus s) {
    switch (s) {
    case CLOCK_GREEN: return "green";
    case CLOCK_YELLOW: return "yellow";
    case CLOCK_RED: return "red";
    }
    return "?";
}

void clock_free(Calendar *cal) {
    if (!cal) return;
    free(cal->known);
    free(cal->work);
    free(cal->cum);
    free(cal);
}

/* One row read by clock_load: a known year (day unused) or an exception. */
typedef struct LoadRow {
    int year;     /* the year (of the exception's day for an exception) */
    ClockDay day; /* the exception's day */
    int kind;     /* 0 known year, 1 holiday, 2 make-up working day */
} LoadRow;

Calendar *clock_load(Db *db, Fail *f) {
    /* One statement, so the years and the days come from the same snapshot even while an import
     * commits on another connection. */
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT 0, year, NULL FROM calendar_years"
                            " UNION ALL SELECT CASE kind WHEN 'holiday' THEN 1 ELSE 2 END, NULL, day"
                            " FROM calendar_days",
                            NULL);
    if (!st) return NULL;
    LoadRow *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    Calendar *cal = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 128;
            LoadRow *p = realloc(rows, nc * sizeof *p);
            if (!p) { rc_fail(f, RC_UNAVAILABLE, "out of memory loading the calendar"); goto out; }
            rows = p;
            cap = nc;
        }
        LoadRow *r = &rows[n];
        r->kind = sqlite3_column_int(st, 0);
        if (r->kind == 0) {
            r->year = sqlite3_column_int(st, 1);
            r->day = 0;
        } else if (clock_parse_day((const char *)sqlite3_column_text(st, 2), &r->day)) {
            r->year = clock_year(r->day);
        } else {
            rc_fail(f, RC_INTERNAL, "calendar_days holds a bad date '%s'", (const char *)sqlite3_column_text(st, 2));
            goto out;
        }
        if (r->year < 1900 || r->year > 2199) {
            rc_fail(f, RC_INTERNAL, "the calendar names the year %d, outside 1900-2199", r->year);
            goto out;
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        db_fail(db, f, rc, __FILE__, __LINE__);
        goto out;
    }
    cal = calloc(1, sizeof *cal);
    if (!cal) { rc_fail(f, RC_UNAVAILABLE, "out of memory loading the calendar"); goto out; }
    if (n > 0) {
        int y0 = rows[0].year, y1 = rows[0].year;
        for (size_t i = 1; i < n; i++) {
            if (rows[i].year < y0) y0 = rows[i].year;
            if (rows[i].year > y1) y1 = rows[i].year;
        }
        cal->first_year = y0;
        cal->nyears = y1 - y0 + 1;
        cal->lo = clock_day(y0, 1, 1);
        cal->ndays = clock_day(y1 + 1, 1, 1) - cal->lo;
        cal->known = calloc((size_t)cal->nyears, 1);
        cal->work = malloc((size_t)cal->ndays);
        cal->cum = malloc(((size_t)cal->ndays + 1) * sizeof *cal->cum);
        if (!cal->known || !cal->work || !cal->cum) {
            rc_fail(f, RC_UNAVAILABLE, "out of memory loading the calendar");
            clock_free(cal);
            cal = NULL;
            goto out;
        }
        for (int32_t i = 0; i < cal->ndays; i++) cal->work[i] = !weekend(cal->lo + i);
        for (size_t i = 0; i < n; i++) {
            if (rows[i].kind == 0) cal->known[rows[i].year - y0] = 1;
            else cal->work[rows[i].day - cal->lo] = rows[i].kind == 2;
        }
        cal->cum[0] = 0;
        for (int32_t i = 0; i < cal->ndays; i++) cal->cum[i + 1] = cal->cum[i] + cal->work[i];
    }
out:
    db_done(st);
    free(rows);
    return cal;
}

/* ---- CSV import ------------------------------------------------------------------------------ */

enum { IMPORT_MAX_ERRORS = 1000 };

/* Import columns. */
enum { COL_DATE, COL_KIND, COL_NAME, COL_COUNT };

/* One accepted row, stored at its day of the year. */
typedef struct ImportDay {
    int line;   /* CSV line, 0 when the day has no row */
    int kind;   /* 1 holiday, 2 make-up working day */
    char *name; /* trimmed name (owned), or NULL */
} ImportDay;

typedef struct CalImport {
    bool header_done;
    int col[COL_COUNT]; /* field index of each column, -1 when absent */
    int ncols;          /* fields in the header */
    int rows;           /* data records seen */
    int year;           /* the file's year (from its first dated row), 0 until then */
    int year_line;      /* the line that set year */
    ClockDay jan1;      /* day number of year-01-01 */
    ImportDay days[366];
    int holidays, workdays;
    json_t *errors;     /* the report's errors */
    bool oom;           /* an allocation failed */
} CalImport;

/* The length of s's longest prefix of at most n bytes that does not end inside a UTF-8 character
 * (s holds at least n bytes, or a NUL before them). */
static size_t utf8_prefix(const char *s, size_t n) {
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return n;
}

/* Drops an incomplete UTF-8 character from the end of s (left there by a truncating snprintf). */
static void utf8_drop_partial(char *s) {
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
    if (i == 0) return;
    unsigned char c = (unsigned char)s[i - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need) s[i - 1] = 0;
}

/* Copies s without leading and trailing ASCII blanks into out (outsz bytes), truncating at a
 * character boundary so that the copy stays valid UTF-8 (the JSON report refuses anything else). */
static void trim_copy(const char *s, char *out, size_t outsz) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    if (n >= outsz) n = utf8_prefix(s, outsz - 1);
    memcpy(out, s, n);
    out[n] = 0;
}

static void import_error(CalImport *im, int line, const char *field, const char *rule, const char *value,
                         const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Adds one error to the report: where, which column, which rule, the value and a sentence. */
static void import_error(CalImport *im, int line, const char *field, const char *rule, const char *value,
                         const char *fmt, ...) {
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (len >= (int)sizeof msg) utf8_drop_partial(msg);
    json_t *e = json_pack("{s:i, s:s, s:s, s:s}", "line", line, "field", field, "rule", rule, "message", msg);
    if (e && value) json_object_set_new(e, "value", json_string(value));
    if (!e || json_array_append_new(im->errors, e) != 0) im->oom = true;
}

/* The kind named by a cell: 1 holiday, 2 make-up working day, 0 unknown. */
static int parse_kind(const char *s) {
    static const char *const holiday[] = {"holiday", "休", "放假", NULL};
    static const char *const workday[] = {"workday", "班", "上班", NULL};
    for (int i = 0; holiday[i]; i++)
        if (strcasecmp(s, holiday[i]) == 0) return 1;
    for (int i = 0; workday[i]; i++)
        if (strcasecmp(s, workday[i]) == 0) return 2;
    return 0;
}

static const char *const weekday_names[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                            "Saturday", "Sunday"};

/* Reads the header: which field holds which column. */
static void import_header(CalImport *im, const CsvRecord *rec) {
    static const char *const names[COL_COUNT][2] = {{"date", "日期"}, {"kind", "类型"}, {"name", "名称"}};
    im->header_done = true;
    im->ncols = rec->nfields;
    for (int c = 0; c < COL_COUNT; c++) im->col[c] = -1;
    for (int i = 0; i < rec->nfields; i++) {
        char h[64];
        trim_copy(rec->fields[i], h, sizeof h);
        int which = -1;
        for (int c = 0; c < COL_COUNT; c++)
            if (strcasecmp(h, names[c][0]) == 0 || strcmp(h, names[c][1]) == 0) which = c;
        if (which < 0)
            import_error(im, rec->line, "header", "unknown_column", h,
                         "unknown column '%s' (the columns are date, kind and name)", h);
        else if (im->col[which] >= 0)
            import_error(im, rec->line, "header", "duplicate_column", h, "the column '%s' appears twice", h);
        else
            im->col[which] = i;
    }
    if (im->col[COL_DATE] < 0)
        import_error(im, rec->line, "header", "missing_column", "date",
                     "the header has no 'date' column (expected: date,kind,name)");
    if (im->col[COL_KIND] < 0)
        import_error(im, rec->line, "header", "missing_column", "kind",
                     "the header has no 'kind' column (expected: date,kind,name)");
}

/* The trimmed cell of column c into out, "" when the record is shorter. */
static void cell(const CalImport *im, const CsvRecord *rec, int c, char *out, size_t outsz) {
    int i = im->col[c];
    if (i < 0 || i >= rec->nfields) out[0] = 0;
    else trim_copy(rec->fields[i], out, outsz);
}

/* csv_parse callback: validates one record and keeps it when it is good. */
static int import_record(const CsvRecord *rec, void *ud) {
    CalImport *im = ud;
    if (!im->header_done) {
        import_header(im, rec);
        return json_array_size(im->errors) ? 1 : 0; /* rows cannot be read without a good header */
    }
    im->rows++;
    int line = rec->line;
    char date[32], kind_s[32], name[CSV_MAX_FIELD + 1];
    cell(im, rec, COL_DATE, date, sizeof date);
    cell(im, rec, COL_KIND, kind_s, sizeof kind_s);
    cell(im, rec, COL_NAME, name, sizeof name);
    for (int i = im->ncols; i < rec->nfields; i++)
        if (rec->fields[i][0]) {
            import_error(im, line, "row", "extra_fields", NULL,
                         "%d fields, but the header names %d columns", rec->nfields, im->ncols);
            break;
        }

    ClockDay day = 0;
    bool day_ok = false;
    if (!date[0]) {
        import_error(im, line, "date", "required", NULL, "no date");
    } else if (!clock_parse_day(date, &day)) {
        import_error(im, line, "date", "date", date, "'%s' is not a real date written YYYY-MM-DD (1900-2199)", date);
    } else if (im->year == 0) {
        im->year = clock_year(day);
        im->year_line = line;
        im->jan1 = clock_day(im->year, 1, 1);
        day_ok = true;
    } else if (clock_year(day) != im->year) {
        import_error(im, line, "date", "year", date,
                     "%s is not in %d, the year of this file (set by line %d); import one year per file",
                     date, im->year, im->year_line);
    } else {
        day_ok = true;
    }

    int kind = 0;
    if (!kind_s[0]) import_error(im, line, "kind", "required", NULL, "no kind (holiday or workday)");
    else if (!(kind = parse_kind(kind_s)))
        import_error(im, line, "kind", "enum", kind_s,
                     "unknown kind '%s' (holiday / 休 / 放假, or workday / 班 / 上班 for a make-up working day)",
                     kind_s);

    bool name_ok = true;
    if (val_utf8_len(name) > CLOCK_NAME_MAX) {
        import_error(im, line, "name", "max_length", NULL, "the name is longer than %d characters", CLOCK_NAME_MAX);
        name_ok = false;
    }

    if (day_ok && kind == 2 && !weekend(day)) {
        import_error(im, line, "date", "weekend", date,
                     "%s is a %s, already a working day: a make-up working day (workday) falls on a "
                     "Saturday or Sunday", date, weekday_names[clock_weekday(day)]);
        day_ok = false;
    }
    if (day_ok) {
        ImportDay *slot = &im->days[day - im->jan1];
        if (slot->line) {
            import_error(im, line, "date", "duplicate", date, "%s is already listed on line %d", date, slot->line);
        } else if (kind && name_ok) {
            slot->line = line;
            slot->kind = kind;
            slot->name = name[0] ? strdup(name) : NULL;
            if (name[0] && !slot->name) im->oom = true;
            if (kind == 1) im->holidays++;
            else im->workdays++;
        } else {
            slot->line = line; /* a bad row still claims its date, so a repeat is reported too */
        }
    }
    return im->oom || json_array_size(im->errors) >= IMPORT_MAX_ERRORS ? 1 : 0;
}

/* Writes the validated year: replaces its rows, records the year, audits. Inside the caller's
 * transaction. */
static Rc import_write(Db *db, const Actor *a, const CalImport *im, const char *source, int64_t replaced, Fail *f) {
    char first[11], last[11];
    clock_format_day(im->jan1, first);
    clock_format_day(clock_day(im->year, 12, 31), last);
    Rc r = db_run(db, f, "DELETE FROM calendar_days WHERE day BETWEEN ? AND ?", "tt", first, last);
    int ndays = clock_day(im->year + 1, 1, 1) - im->jan1;
    for (int i = 0; r == RC_OK && i < ndays; i++) {
        const ImportDay *d = &im->days[i];
        if (!d->line || !d->kind) continue;
        char day[11];
        clock_format_day(im->jan1 + i, day);
        r = db_run(db, f, "INSERT INTO calendar_days(day, kind, name) VALUES (?, ?, ?)", "ttt", day,
                   d->kind == 1 ? "holiday" : "workday", d->name);
    }
    if (r == RC_OK)
        r = db_run(db, f,
                   "INSERT INTO calendar_years(year, source) VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET"
                   " source = excluded.source, imported_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
                   "it", (int64_t)im->year, source ? source : "import");
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "import", "calendar", im->year, "ok",
                        json_pack("{s:s, s:i, s:i, s:I}", "source", source ? source : "import", "holidays",
                                  im->holidays, "workdays", im->workdays, "replaced", (json_int_t)replaced));
    return r;
}

Rc clock_import_csv(Db *db, const Actor *a, const char *csv, size_t len, const char *source, bool dry_run,
                    Buf *report, Fail *f) {
    CalImport *im = calloc(1, sizeof *im);
    if (!im) return rc_fail(f, RC_UNAVAILABLE, "out of memory");
    im->errors = json_array();
    Rc r = RC_OK;
    if (!im->errors) { r = rc_fail(f, RC_UNAVAILABLE, "out of memory"); goto out; }

    int err_line = 0;
    int pr = csv_parse(csv, len, import_record, im, &err_line);
    if (pr < 0) {
        static const char *const why[] = {"", "quote", "too_many_fields", "field_too_long", "memory", "utf8"};
        static const char *const says[] = {"", "a quote is unterminated or misplaced", "too many fields",
                                           "a field is too long", "out of memory", "the text is not UTF-8"};
        int k = -pr < 6 ? -pr : 0;
        if (pr == CSV_ERR_NOMEM) im->oom = true;
        else import_error(im, err_line, "csv", why[k], NULL, "CSV syntax: %s", says[k]);
    }
    if (im->oom) { r = rc_fail(f, RC_UNAVAILABLE, "out of memory"); goto out; }
    if (pr >= 0 && !im->header_done)
        import_error(im, 1, "csv", "empty", NULL, "the file is empty (expected a header date,kind,name and rows)");
    else if (pr >= 0 && json_array_size(im->errors) == 0 && im->rows == 0)
        import_error(im, 2, "csv", "empty", NULL, "no rows: list the year's holidays and make-up working days");

    size_t nerr = json_array_size(im->errors);
    int64_t replaced = 0, was_known = 0;
    bool imported = false;
    if (im->year) {
        char first[11], last[11];
        clock_format_day(im->jan1, first);
        clock_format_day(clock_day(im->year, 12, 31), last);
        bool write = nerr == 0 && !dry_run;
        if (write && (r = db_begin(db, f)) != RC_OK) goto out;
        /* Counted inside the transaction for a real import, so the report matches what was replaced. */
        r = db_int(db, f, &replaced, "SELECT count(*) FROM calendar_days WHERE day BETWEEN ? AND ?", "tt", first, last);
        if (r == RC_OK)
            r = db_int(db, f, &was_known, "SELECT count(*) FROM calendar_years WHERE year = ?", "i", (int64_t)im->year);
        if (r == RC_OK && write) r = import_write(db, a, im, source, replaced, f);
        if (write) {
            if (r == RC_OK) r = db_commit(db, f); /* rolls back by itself when it fails */
            else db_rollback(db);
            imported = r == RC_OK;
        }
        if (r != RC_OK) goto out;
    }

    if (!dry_run && nerr > 0) {
        fail_extra(f, "errors", json_incref(im->errors));
        fail_extra(f, "rows", json_integer(im->rows));
        r = rc_fail(f, RC_VALIDATION, "%zu error%s in the calendar CSV; nothing was imported", nerr,
                    nerr == 1 ? "" : "s");
        goto out;
    }
    json_t *rep = json_pack("{s:b, s:i, s:i, s:i, s:i, s:I, s:b, s:b, s:O}", "dry_run", dry_run, "year", im->year,
                            "rows", im->rows, "holidays", im->holidays, "workdays", im->workdays, "replaced",
                            (json_int_t)replaced, "was_known", was_known > 0, "imported", imported, "errors",
                            im->errors);
    char *s = rep ? json_dumps(rep, JSON_COMPACT) : NULL;
    json_decref(rep);
    if (!s) { r = rc_fail(f, RC_UNAVAILABLE, "out of memory"); goto out; }
    buf_puts(report, s);
    free(s);
out:
    for (int i = 0; i < 366; i++) free(im->days[i].name);
    json_decref(im->errors);
    free(im);
    return r;
}

Rc clock_list(Db *db, int year, Buf *out, Fail *f) {
    Rc r;
    sqlite3_stmt *st;
    if (year == 0)
        st = db_q(db, f,
                  "SELECT json_group_array(json_object('year', year, 'source', source, 'imported_at', imported_at,"
                  " 'holidays', (SELECT count(*) FROM calendar_days d WHERE d.kind = 'holiday'"
                  "   AND d.day BETWEEN printf('%04d-01-01', y.year) AND printf('%04d-12-31', y.year)),"
                  " 'workdays', (SELECT count(*) FROM calendar_days d WHERE d.kind = 'workday'"
                  "   AND d.day BETWEEN printf('%04d-01-01', y.year) AND printf('%04d-12-31', y.year))))"
                  " FROM (SELECT * FROM calendar_years ORDER BY year) y",
                  NULL);
    else
        st = db_q(db, f,
                  "SELECT json_group_array(json_object('day', day, 'kind', kind, 'name', name))"
                  " FROM (SELECT * FROM calendar_days WHERE day BETWEEN printf('%04d-01-01', ?1)"
                  " AND printf('%04d-12-31', ?1) ORDER BY day)",
                  "i", (int64_t)year);
    if (!st) return f->rc ? f->rc : RC_INTERNAL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        buf_puts(out, (const char *)sqlite3_column_text(st, 0));
        r = buf_oom(out) ? rc_fail(f, RC_UNAVAILABLE, "out of memory") : RC_OK;
    } else {
        r = db_fail(db, f, rc, __FILE__, __LINE__);
    }
    db_done(st);
    return r;
}
