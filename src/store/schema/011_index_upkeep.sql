-- 011_index_upkeep.sql: the search indexes merge any level of two or more segments when the
-- server's idle upkeep asks them to ('merge' command, store/fts.c fts_upkeep_step), instead of
-- only those of four or more (FTS5's default usermerge). A search seeks each term in every
-- segment, so fewer segments make it faster: a four-character phrase over a million dossiers
-- took 127 µs with 24 segments, 48 µs with 4 and 19 µs with one (docs/performance.md).
INSERT INTO dossiers_fts(dossiers_fts, rank) VALUES ('usermerge', 2);
INSERT INTO orgs_fts(orgs_fts, rank) VALUES ('usermerge', 2);
