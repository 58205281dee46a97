-- 010_search_rows.sql: the search index's rows are numbered by their dossier, newest dossier
-- lowest: row id = (2^39 - 1 - dossier id) << 24 | n, where n is 0 for the title and body and the
-- comment's sequence number in the dossier's log for a comment. A search then walks the index
-- forwards, newest dossier first, and stops when its page is full (core/dossier.c,
-- dossier_search), instead of collecting the matches of a common word over a million dossiers
-- first (p99 280–850 ms at 64 connections, docs/performance.md). Comments were numbered 10^12 +
-- their event's id, titles and bodies by the dossier's id.

CREATE VIRTUAL TABLE dossiers_fts_new USING fts5(text, dossier_id UNINDEXED, tokenize = 'cjk', prefix = '3');

INSERT INTO dossiers_fts_new(rowid, text, dossier_id)
    SELECT ((549755813887 - x.dossier_id) << 24)
           | CASE WHEN x.rowid < 1000000000000 THEN 0
                  ELSE (SELECT e.seq FROM dossier_events e WHERE e.id = x.rowid - 1000000000000) END,
           x.text, x.dossier_id
    FROM dossiers_fts x ORDER BY 1;

DROP TABLE dossiers_fts;
ALTER TABLE dossiers_fts_new RENAME TO dossiers_fts;

-- One bulk insert leaves several large segments at the same level, which the automatic merge
-- then works through a little at every later write: durable appends measured 1.1k/s instead of
-- 2.3k/s on a million dossiers until the index was merged into one segment here.
INSERT INTO dossiers_fts(dossiers_fts) VALUES ('optimize');
