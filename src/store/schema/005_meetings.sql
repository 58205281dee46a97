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
