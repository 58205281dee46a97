-- 003_calendar.sql: the working-day calendar (DESIGN.md principle 4; core/clock.h).
--  * calendar_years lists the years whose calendar is known. A year missing here is counted with
--    plain weekends and flagged by the clock, never guessed silently.
--  * calendar_days holds only the exceptions to "Monday-Friday work, Saturday-Sunday off":
--    public holidays (on weekdays or weekends; the weekend ones carry the holiday's name) and
--    make-up working days (调休上班), which are always a Saturday or Sunday.
--  * 2025 and 2026 ship here, written as the State Council notices write them (ranges), so the
--    rows can be checked against the notices line by line. `sanqu calendar import` replaces a
--    year's rows with a CSV (core/clock.c, clock_import_csv) and records it in calendar_years.

CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY CHECK (year BETWEEN 1900 AND 2199),
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;

CREATE TABLE calendar_days (
    -- date() alone keeps 2026-02-30; a '+0 days' modifier normalises it, so only a real date equals
    -- its own normal form (IS, not =: a CHECK that yields NULL passes).
    day  TEXT PRIMARY KEY CHECK (length(day) = 10 AND date(day, '+0 days') IS day),
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 64),
    -- A make-up working day is a weekend day by definition (strftime %w: 0 Sunday, 6 Saturday).
    CHECK (kind = 'holiday' OR strftime('%w', day) IN ('0', '6'))
) STRICT, WITHOUT ROWID;

-- 2025: 国务院办公厅关于2025年部分节假日安排的通知 (2024-11-12).
-- 2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
WITH RECURSIVE
  spans(first, last, name) AS (VALUES
    ('2025-01-01', '2025-01-01', '元旦'),
    ('2025-01-28', '2025-02-04', '春节'),
    ('2025-04-04', '2025-04-06', '清明节'),
    ('2025-05-01', '2025-05-05', '劳动节'),
    ('2025-05-31', '2025-06-02', '端午节'),
    ('2025-10-01', '2025-10-08', '国庆节、中秋节'),
    ('2026-01-01', '2026-01-03', '元旦'),
    ('2026-02-15', '2026-02-23', '春节'),
    ('2026-04-04', '2026-04-06', '清明节'),
    ('2026-05-01', '2026-05-05', '劳动节'),
    ('2026-06-19', '2026-06-21', '端午节'),
    ('2026-09-25', '2026-09-27', '中秋节'),
    ('2026-10-01', '2026-10-07', '国庆节')),
  days(day, last, name) AS (
    SELECT first, last, name FROM spans
    UNION ALL
    SELECT date(day, '+1 day'), last, name FROM days WHERE day < last)
INSERT INTO calendar_days(day, kind, name) SELECT day, 'holiday', name FROM days;

-- Make-up working days, named for the holiday they make up for.
INSERT INTO calendar_days(day, kind, name) VALUES
    ('2025-01-26', 'workday', '春节'),            -- Sunday
    ('2025-02-08', 'workday', '春节'),            -- Saturday
    ('2025-04-27', 'workday', '劳动节'),          -- Sunday
    ('2025-09-28', 'workday', '国庆节、中秋节'),  -- Sunday
    ('2025-10-11', 'workday', '国庆节、中秋节'),  -- Saturday
    ('2026-01-04', 'workday', '元旦'),            -- Sunday
    ('2026-02-14', 'workday', '春节'),            -- Saturday
    ('2026-02-28', 'workday', '春节'),            -- Saturday
    ('2026-05-09', 'workday', '劳动节'),          -- Saturday
    ('2026-09-20', 'workday', '国庆节'),          -- Sunday
    ('2026-10-10', 'workday', '国庆节');          -- Saturday

INSERT INTO calendar_years(year, source) VALUES
    (2025, 'shipped: 国务院办公厅通知 2024-11-12'),
    (2026, 'shipped: 国务院办公厅通知 2025-11-04');
