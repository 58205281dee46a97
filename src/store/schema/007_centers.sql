-- 007_centers.sql: neighbourhood centres (邻里中心) of the 15-minute service circle, the functions
-- each brings together (政务/便民/涉企/人才安居), the catalogue of services offered there, and the
-- activities (邻里服务、园区开放日、培训、义诊 …) run by one or more organisations, at a centre or
-- elsewhere, with their photos. Activity kinds are categories of domain 'activity' (006).

-- A centre belongs to an area; org_id is the organisation that runs it (a community, town, park …),
-- town_id its town. Coordinates are micro-degrees (integers: exact, indexable), within China.
-- The contact phone is sealed like users' phones (phone_masked() shows it masked).
CREATE TABLE centers (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    area_id              INTEGER NOT NULL REFERENCES areas(id),
    org_id               INTEGER REFERENCES orgs(id),
    town_id              INTEGER REFERENCES orgs(id),
    address              TEXT,
    lat_e6               INTEGER CHECK (lat_e6 BETWEEN 18000000 AND 54000000),
    lng_e6               INTEGER CHECK (lng_e6 BETWEEN 73000000 AND 135000000),
    hours                TEXT,
    contact_name         TEXT,
    contact_phone_sealed BLOB,
    description          TEXT,
    created_by           INTEGER,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    CHECK ((lat_e6 IS NULL) = (lng_e6 IS NULL))
) STRICT;
CREATE INDEX centers_area ON centers(area_id, name);
CREATE INDEX centers_org ON centers(org_id);
CREATE INDEX centers_town ON centers(town_id);

CREATE TABLE center_functions (
    center_id INTEGER NOT NULL REFERENCES centers(id) ON DELETE CASCADE,
    function  TEXT NOT NULL CHECK (function IN ('gov', 'convenience', 'enterprise', 'housing')),
    PRIMARY KEY (center_id, function)
) STRICT, WITHOUT ROWID;
CREATE INDEX center_functions_fn ON center_functions(function, center_id);

-- The catalogue: what a centre offers, under which function, provided by which organisation.
CREATE TABLE center_services (
    id              INTEGER PRIMARY KEY,
    center_id       INTEGER NOT NULL REFERENCES centers(id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    function        TEXT NOT NULL CHECK (function IN ('gov', 'convenience', 'enterprise', 'housing')),
    provider_org_id INTEGER REFERENCES orgs(id),
    note            TEXT,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;
CREATE INDEX center_services_center ON center_services(center_id, id);
CREATE INDEX center_services_provider ON center_services(provider_org_id);

-- An activity happens at a centre or at a place given as text (at least one). area_id is the
-- centre's area, else the one given, else an area of which an organiser is a member: the area
-- it counts for. Times are district local time, 'YYYY-MM-DDTHH:MM:SS'.
CREATE TABLE activities (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    center_id     INTEGER REFERENCES centers(id),
    place         TEXT,
    area_id       INTEGER REFERENCES areas(id),
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    participants  INTEGER NOT NULL DEFAULT 0 CHECK (participants >= 0),
    people_served INTEGER NOT NULL DEFAULT 0 CHECK (people_served >= 0),
    description   TEXT,
    created_by    INTEGER,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    CHECK (center_id IS NOT NULL OR place IS NOT NULL),
    CHECK (ends_at >= starts_at)
) STRICT;
CREATE INDEX activities_starts ON activities(starts_at);
CREATE INDEX activities_center ON activities(center_id, starts_at);
CREATE INDEX activities_area ON activities(area_id, starts_at);
CREATE INDEX activities_kind ON activities(kind, starts_at);

CREATE TABLE activity_organisers (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    seq         INTEGER NOT NULL,
    PRIMARY KEY (activity_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX activity_organisers_org ON activity_organisers(org_id, activity_id);

-- Photos are stored once by their SHA-256 beside the attachments (core/blob.h).
CREATE TABLE activity_photos (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    user_id     INTEGER,
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX activity_photos_activity ON activity_photos(activity_id, id);
