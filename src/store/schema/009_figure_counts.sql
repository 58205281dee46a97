-- 009_figure_counts.sql: counters behind the home page's red / yellow / supervision figures, so
-- that they cost a few index reads however many dossiers are open (the bench's million open,
-- mostly overdue dossiers made a count over the open-matters index take 400 ms).
--
-- dossier_day_counts holds, for open dossiers with a time limit, how many are due on each day
-- (kind 'due') and how many turn yellow on each day (kind 'warn'). warn_on <= due_on always (see
-- core/dclock.c), so with today T: red = Σ due days < T; yellow = Σ warn days <= T − red.
-- dossier_counts gains 'sup:supervise', 'sup:listed' (dossiers at that supervision level) and
-- 'supervisions' (notices given to dossiers under supervision).

CREATE TABLE dossier_day_counts (
    kind TEXT NOT NULL CHECK (kind IN ('due', 'warn')),
    day  TEXT NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (kind, day)
) STRICT, WITHOUT ROWID;

INSERT INTO dossier_day_counts(kind, day, n)
    SELECT 'due', due_on, count(*) FROM dossiers WHERE closed_on IS NULL AND due_on IS NOT NULL GROUP BY due_on;
INSERT INTO dossier_day_counts(kind, day, n)
    SELECT 'warn', coalesce(warn_on, due_on), count(*) FROM dossiers WHERE closed_on IS NULL AND due_on IS NOT NULL
    GROUP BY coalesce(warn_on, due_on);
INSERT INTO dossier_counts(key, n) SELECT 'sup:supervise', count(*) FROM dossiers WHERE supervision_level = 'supervise';
INSERT INTO dossier_counts(key, n) SELECT 'sup:listed', count(*) FROM dossiers WHERE supervision_level = 'listed';
INSERT INTO dossier_counts(key, n)
    SELECT 'supervisions', coalesce(sum(supervisions), 0) FROM dossiers WHERE supervision_level IS NOT NULL;

CREATE TRIGGER dossiers_days_ins AFTER INSERT ON dossiers WHEN new.closed_on IS NULL AND new.due_on IS NOT NULL BEGIN
    INSERT INTO dossier_day_counts(kind, day, n) VALUES ('due', new.due_on, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO dossier_day_counts(kind, day, n) VALUES ('warn', coalesce(new.warn_on, new.due_on), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dossiers_days_upd_old AFTER UPDATE OF due_on, warn_on, closed_on ON dossiers
WHEN old.closed_on IS NULL AND old.due_on IS NOT NULL BEGIN
    UPDATE dossier_day_counts SET n = n - 1 WHERE kind = 'due' AND day = old.due_on;
    UPDATE dossier_day_counts SET n = n - 1 WHERE kind = 'warn' AND day = coalesce(old.warn_on, old.due_on);
END;
CREATE TRIGGER dossiers_days_upd_new AFTER UPDATE OF due_on, warn_on, closed_on ON dossiers
WHEN new.closed_on IS NULL AND new.due_on IS NOT NULL BEGIN
    INSERT INTO dossier_day_counts(kind, day, n) VALUES ('due', new.due_on, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO dossier_day_counts(kind, day, n) VALUES ('warn', coalesce(new.warn_on, new.due_on), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dossiers_days_del AFTER DELETE ON dossiers WHEN old.closed_on IS NULL AND old.due_on IS NOT NULL BEGIN
    UPDATE dossier_day_counts SET n = n - 1 WHERE kind = 'due' AND day = old.due_on;
    UPDATE dossier_day_counts SET n = n - 1 WHERE kind = 'warn' AND day = coalesce(old.warn_on, old.due_on);
END;

CREATE TRIGGER dossiers_sup_ins AFTER INSERT ON dossiers WHEN new.supervision_level IS NOT NULL BEGIN
    INSERT INTO dossier_counts(key, n) VALUES ('sup:' || new.supervision_level, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO dossier_counts(key, n) VALUES ('supervisions', new.supervisions) ON CONFLICT DO UPDATE SET n = n + new.supervisions;
END;
CREATE TRIGGER dossiers_sup_upd AFTER UPDATE OF supervision_level, supervisions ON dossiers BEGIN
    UPDATE dossier_counts SET n = n - 1 WHERE old.supervision_level IS NOT NULL AND key = 'sup:' || old.supervision_level;
    UPDATE dossier_counts SET n = n - old.supervisions WHERE old.supervision_level IS NOT NULL AND key = 'supervisions';
    INSERT INTO dossier_counts(key, n) SELECT 'sup:' || new.supervision_level, 1 WHERE new.supervision_level IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO dossier_counts(key, n) SELECT 'supervisions', new.supervisions WHERE new.supervision_level IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + new.supervisions;
END;
CREATE TRIGGER dossiers_sup_del AFTER DELETE ON dossiers WHEN old.supervision_level IS NOT NULL BEGIN
    UPDATE dossier_counts SET n = n - 1 WHERE key = 'sup:' || old.supervision_level;
    UPDATE dossier_counts SET n = n - old.supervisions WHERE key = 'supervisions';
END;
