-- 004_dossiers.sql: the dossier engine (一事一档). Every matter is a dossier of a declared type
-- (src/core/types/*.json); its history is an append-only, hash-chained event log, and the row in
-- `dossiers` is a projection of that log written in the same transaction (`sanqu rebuild`
-- recreates it, `sanqu verify` re-checks every chain).

CREATE TABLE dossiers (
    id                INTEGER PRIMARY KEY,
    type              TEXT NOT NULL,
    state             TEXT NOT NULL,
    title             TEXT NOT NULL,
    area_id           INTEGER REFERENCES areas(id),
    org_id            INTEGER REFERENCES orgs(id),     -- where the matter is
    handler_org_id    INTEGER REFERENCES orgs(id),     -- who handles it
    priority          TEXT NOT NULL DEFAULT 'normal',
    fields            TEXT NOT NULL DEFAULT '{}',      -- every declared field's current value (JSON)
    created_by        INTEGER,
    handled_by        INTEGER,                         -- who reported it done
    state_since       TEXT NOT NULL,                   -- YYYY-MM-DD the current state began
    limit_days        INTEGER,                         -- working days allowed in this state
    warn_on           TEXT,                            -- first day it shows yellow
    due_on            TEXT,                            -- last day before it is overdue
    supervision_level TEXT,                            -- supervise | listed (督办 / 挂牌督办)
    supervisions      INTEGER NOT NULL DEFAULT 0,
    closed_on         TEXT,                            -- when it reached a final state
    events            INTEGER NOT NULL DEFAULT 0,      -- number of events (the next seq - 1)
    last_hash         BLOB,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX dossiers_type_state ON dossiers(type, state, id);
CREATE INDEX dossiers_area ON dossiers(area_id, id);
CREATE INDEX dossiers_org ON dossiers(org_id, id);
CREATE INDEX dossiers_handler ON dossiers(handler_org_id, id);
CREATE INDEX dossiers_due ON dossiers(due_on) WHERE closed_on IS NULL;
CREATE INDEX dossiers_created ON dossiers(created_at);

CREATE TABLE dossier_events (
    id          INTEGER PRIMARY KEY,
    dossier_id  INTEGER NOT NULL REFERENCES dossiers(id) DEFERRABLE INITIALLY DEFERRED,
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    user_id     INTEGER,
    username    TEXT,
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    payload     TEXT NOT NULL,   -- canonical JSON (sorted keys, compact): what the action carried
    prev_hash   BLOB,
    hash        BLOB NOT NULL,   -- SHA-256 over the event and prev_hash, see core/dossier.c
    UNIQUE (dossier_id, seq)
) STRICT;
CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;
CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;

-- Full text over title, body and comments (tokenizer cjk, see store/fts.c), kept by core/dossier.c:
-- one row per dossier for title and body (rowid = the dossier's id) and one per comment (rowid =
-- 1e12 + the comment event's id), so a comment adds a row instead of re-indexing a growing text.
CREATE VIRTUAL TABLE dossiers_fts USING fts5(text, dossier_id UNINDEXED, tokenize = 'cjk', prefix = '3');

CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    sha256     TEXT NOT NULL,
    name       TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    user_id    INTEGER,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_dossier ON attachments(dossier_id);
