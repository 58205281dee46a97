-- 002_scale.sql: what a registry of a million organisations needs.
--  * orgs_kind also carries path, so a scoped count by kind reads the index only;
--  * orgs_path_kind makes "counts by kind in my subtree" an index range scan;
--  * org_counts keeps district-wide counts by kind current (triggers), for the home page;
--  * orgs_fts indexes names for Chinese full-text search (tokenizer `cjk`, see store/fts.c).

DROP INDEX orgs_kind;
CREATE INDEX orgs_kind ON orgs(kind, name, path);
CREATE INDEX orgs_path_kind ON orgs(path, kind);

CREATE TABLE org_counts (
    kind TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO org_counts(kind, n) SELECT kind, count(*) FROM orgs GROUP BY kind;

CREATE TRIGGER orgs_count_ins AFTER INSERT ON orgs BEGIN
    INSERT INTO org_counts(kind, n) VALUES (new.kind, 1) ON CONFLICT(kind) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orgs_count_del AFTER DELETE ON orgs BEGIN
    UPDATE org_counts SET n = n - 1 WHERE kind = old.kind;
END;
CREATE TRIGGER orgs_count_kind AFTER UPDATE OF kind ON orgs WHEN new.kind <> old.kind BEGIN
    UPDATE org_counts SET n = n - 1 WHERE kind = old.kind;
    INSERT INTO org_counts(kind, n) VALUES (new.kind, 1) ON CONFLICT(kind) DO UPDATE SET n = n + 1;
END;

CREATE VIRTUAL TABLE orgs_fts USING fts5(name, short_name, content = 'orgs', content_rowid = 'id',
                                         tokenize = 'cjk', prefix = '3');
INSERT INTO orgs_fts(orgs_fts) VALUES ('rebuild');

CREATE TRIGGER orgs_fts_ins AFTER INSERT ON orgs BEGIN
    INSERT INTO orgs_fts(rowid, name, short_name) VALUES (new.id, new.name, new.short_name);
END;
CREATE TRIGGER orgs_fts_del AFTER DELETE ON orgs BEGIN
    INSERT INTO orgs_fts(orgs_fts, rowid, name, short_name) VALUES ('delete', old.id, old.name, old.short_name);
END;
CREATE TRIGGER orgs_fts_upd AFTER UPDATE OF name, short_name ON orgs BEGIN
    INSERT INTO orgs_fts(orgs_fts, rowid, name, short_name) VALUES ('delete', old.id, old.name, old.short_name);
    INSERT INTO orgs_fts(rowid, name, short_name) VALUES (new.id, new.name, new.short_name);
END;
