-- 001_init.sql: organisation registry, areas and committees, agreements, liaisons, accounts,
-- sessions, login attempts, the append-only audit log and idempotency records.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Organisations form one tree. path is the materialised chain of ids ('/1/4/17/') so that a
-- subtree is one indexed range scan (path >= '/1/4/' AND path < '/1/40'), see store/scope.c.
CREATE TABLE orgs (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES orgs(id),
    kind          TEXT NOT NULL CHECK (kind IN ('district','town','community','park','enterprise',
                                                'department','new_org','resident_unit')),
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    short_name    TEXT,
    credit_code   TEXT UNIQUE,
    address       TEXT,
    contact_name  TEXT,
    contact_phone TEXT,
    note          TEXT,
    path          TEXT NOT NULL UNIQUE,
    town_id       INTEGER REFERENCES orgs(id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;
CREATE INDEX orgs_parent ON orgs(parent_id, name);
CREATE INDEX orgs_kind ON orgs(kind, name);
CREATE INDEX orgs_town ON orgs(town_id);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin','secadmin','auditor','leader','committee',
                                                       'department','town','community','enterprise',
                                                       'inspector','volunteer')),
    org_id               INTEGER NOT NULL REFERENCES orgs(id),
    area_id              INTEGER REFERENCES areas(id),
    phone_sealed         BLOB,
    pw_hash              TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled             INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER NOT NULL DEFAULT 0,
    last_login_at        TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;
CREATE INDEX users_org ON users(org_id);
CREATE INDEX users_role ON users(role);

CREATE TABLE areas (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    code           TEXT NOT NULL UNIQUE,
    committee_name TEXT NOT NULL,
    convener_id    INTEGER REFERENCES users(id),
    secretary_id   INTEGER REFERENCES users(id),
    description    TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;

CREATE TABLE area_members (
    area_id   INTEGER NOT NULL REFERENCES areas(id),
    org_id    INTEGER NOT NULL REFERENCES orgs(id),
    joined_on TEXT,
    duty      TEXT,
    PRIMARY KEY (area_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX area_members_org ON area_members(org_id);

CREATE TABLE agreements (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    area_id    INTEGER REFERENCES areas(id),
    signed_on  TEXT NOT NULL,
    term_start TEXT NOT NULL,
    term_end   TEXT NOT NULL,
    content    TEXT,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    CHECK (term_end >= term_start)
) STRICT;
CREATE INDEX agreements_area ON agreements(area_id);

CREATE TABLE agreement_parties (
    agreement_id     INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    org_id           INTEGER NOT NULL REFERENCES orgs(id),
    responsibilities TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX agreement_parties_org ON agreement_parties(org_id);

CREATE TABLE liaisons (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('leader_area','department_area','department_point',
                                                'cadre_village','cadre_enterprise')),
    user_id       INTEGER REFERENCES users(id),
    department_id INTEGER REFERENCES orgs(id),
    area_id       INTEGER REFERENCES areas(id),
    target_org_id INTEGER REFERENCES orgs(id),
    start_on      TEXT NOT NULL,
    end_on        TEXT,
    note          TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;
CREATE INDEX liaisons_user ON liaisons(user_id);
CREATE INDEX liaisons_dept ON liaisons(department_id);
CREATE INDEX liaisons_area ON liaisons(area_id);
CREATE INDEX liaisons_target ON liaisons(target_org_id);

CREATE TABLE sessions (
    digest     BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    ip         TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL,
    at       INTEGER NOT NULL,
    ok       INTEGER NOT NULL
) STRICT;
CREATE INDEX login_attempts_user ON login_attempts(username, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE ip_locks (
    ip           TEXT PRIMARY KEY,
    locked_until INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Append-only: the triggers below refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    user_id     INTEGER,
    username    TEXT,
    role        TEXT,
    ip          TEXT,
    action      TEXT NOT NULL,
    object_type TEXT,
    object_id   INTEGER,
    outcome     TEXT NOT NULL DEFAULT 'ok',
    detail      TEXT
) STRICT;
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_user ON audit_log(username, at);
CREATE INDEX audit_action ON audit_log(action, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- A retried POST with the same Idempotency-Key answers the first result.
CREATE TABLE idempotency (
    user_id    INTEGER NOT NULL,
    key        TEXT NOT NULL,
    route      TEXT NOT NULL,
    status     INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
