-- 005_meetings.sql: 1+N joint meetings (联席会议) of the area committees. Each agreed item is an
-- agreed_item dossier; meeting_items links meetings and dossiers: the items a meeting agreed
-- ('agreed') and the open items of earlier meetings it took over ('carried'). A dossier carried
-- to a later meeting also records the carry as an event in its own log.

CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY,
    area_id     INTEGER NOT NULL REFERENCES areas(id),
    title       TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    place       TEXT,
    convener_id INTEGER REFERENCES users(id),
    attendees   TEXT,
    agenda      TEXT,
    minutes     TEXT,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_on   TEXT,
    created_by  INTEGER,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;
CREATE INDEX meetings_area ON meetings(area_id, held_on);
CREATE INDEX meetings_held ON meetings(held_on);

CREATE TABLE meeting_orgs (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (meeting_id, org_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE meeting_items (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    role       TEXT NOT NULL CHECK (role IN ('agreed', 'carried')),
    PRIMARY KEY (meeting_id, dossier_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX meeting_items_dossier ON meeting_items(dossier_id);
CREATE INDEX dossiers_supervised ON dossiers(supervision_level) WHERE supervision_level IS NOT NULL;

-- District-wide counts of dossiers kept by triggers (home-page figures over a million dossiers
-- without counting them): 'total', 'closed' and 'state:<state>'.
CREATE TABLE dossier_counts (
    key TEXT PRIMARY KEY,
    n   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO dossier_counts(key, n) SELECT 'total', count(*) FROM dossiers;
INSERT INTO dossier_counts(key, n) SELECT 'closed', count(*) FROM dossiers WHERE closed_on IS NOT NULL;
INSERT INTO dossier_counts(key, n) SELECT 'state:' || state, count(*) FROM dossiers GROUP BY state;
CREATE TRIGGER dossiers_count_ins AFTER INSERT ON dossiers BEGIN
    INSERT INTO dossier_counts(key, n) VALUES ('total', 1) ON CONFLICT(key) DO UPDATE SET n = n + 1;
    INSERT INTO dossier_counts(key, n) VALUES ('state:' || new.state, 1) ON CONFLICT(key) DO UPDATE SET n = n + 1;
    INSERT INTO dossier_counts(key, n) VALUES ('closed', new.closed_on IS NOT NULL)
        ON CONFLICT(key) DO UPDATE SET n = n + (new.closed_on IS NOT NULL);
END;
CREATE TRIGGER dossiers_count_upd AFTER UPDATE OF state, closed_on ON dossiers BEGIN
    UPDATE dossier_counts SET n = n - 1 WHERE key = 'state:' || old.state;
    INSERT INTO dossier_counts(key, n) VALUES ('state:' || new.state, 1) ON CONFLICT(key) DO UPDATE SET n = n + 1;
    UPDATE dossier_counts SET n = n + (new.closed_on IS NOT NULL) - (old.closed_on IS NOT NULL) WHERE key = 'closed';
END;
CREATE TRIGGER dossiers_count_del AFTER DELETE ON dossiers BEGIN
    UPDATE dossier_counts SET n = n - 1 WHERE key IN ('total', 'state:' || old.state);
    UPDATE dossier_counts SET n = n - (old.closed_on IS NOT NULL) WHERE key = 'closed';
END;
DROP INDEX dossiers_due;
CREATE INDEX dossiers_due ON dossiers(due_on, warn_on) WHERE closed_on IS NULL;
