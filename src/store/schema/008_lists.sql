-- 008_lists.sql: the resource catalogue (资源单) of the three lists (三单). Needs (需求单), projects
-- (项目单) and published projects (揭榜领办) are dossiers (src/core/types/need.json, project.json,
-- bounty.json); resources are a registry, and the capacity projects take from them is part of the
-- projects' projection (resource_uses, written with every project event by core/dossier.c and
-- recreated by `sanqu rebuild`).

CREATE TABLE resources (
    id              INTEGER PRIMARY KEY,
    provider_org_id INTEGER NOT NULL REFERENCES orgs(id),
    category        TEXT NOT NULL,                -- categories(domain 'service')
    title           TEXT NOT NULL,                -- what is offered
    description     TEXT NOT NULL DEFAULT '',
    capacity        INTEGER NOT NULL CHECK (capacity > 0),
    unit            TEXT NOT NULL,                -- 人次, 场, 小时, 平方米 …
    valid_from      TEXT NOT NULL,
    valid_to        TEXT,                         -- NULL: open-ended
    all_areas       INTEGER NOT NULL DEFAULT 0 CHECK (all_areas IN (0, 1)),
    contact_name    TEXT,
    contact_phone   BLOB,                         -- sealed (crypto_seal), masked in lists
    created_by      INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
) STRICT;
CREATE INDEX resources_category ON resources(category, id);
CREATE INDEX resources_provider ON resources(provider_org_id, id);

-- The areas a resource covers (none and all_areas = 1: the whole district).
CREATE TABLE resource_areas (
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    area_id     INTEGER NOT NULL REFERENCES areas(id),
    PRIMARY KEY (resource_id, area_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX resource_areas_area ON resource_areas(area_id);

-- Capacity taken: one row per (project dossier, resource), part of the dossier's projection.
CREATE TABLE resource_uses (
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    dossier_id  INTEGER NOT NULL REFERENCES dossiers(id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (dossier_id, resource_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX resource_uses_resource ON resource_uses(resource_id);
