-- 012_search_contentless.sql: the dossier search index keeps no copy of its texts (a contentless
-- FTS5 table, content = '') and no per-row token counts (columnsize = 0). Nothing read them: a
-- search reads only row ids (core/dossier.c, dossier_search) and highlights the dossier's own
-- title and body; a comment's text is in its event. Each indexed text was stored twice, and each
-- comment wrote two more rows at random places (the copy and its size, keyed by its row id), so
-- every durable comment dirtied two more pages: durable appends at 64 clients measured
-- 4,300–4,900/s before and 5,600–6,900/s after on a million dossiers (docs/performance.md).
-- A row is removed with the 'delete' command and the text it was indexed with (index_text).
-- The dossier_id column goes too: a row's dossier is in its row id (migration 010).

CREATE VIRTUAL TABLE dossiers_fts_new USING fts5(text, content = '', columnsize = 0, tokenize = 'cjk', prefix = '3');

INSERT INTO dossiers_fts_new(rowid, text) SELECT rowid, text FROM dossiers_fts ORDER BY rowid;

DROP TABLE dossiers_fts;
ALTER TABLE dossiers_fts_new RENAME TO dossiers_fts;

INSERT INTO dossiers_fts(dossiers_fts, rank) VALUES ('usermerge', 2);
INSERT INTO dossiers_fts(dossiers_fts) VALUES ('optimize');
