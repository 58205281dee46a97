/*
 * fts.h — Chinese full-text search for SQLite FTS5: the `cjk` tokenizer and the query builder.
 *
 * SQLite's trigram tokenizer finds nothing shorter than three characters, yet most Chinese words
 * are two (路灯, 消防, 隐患). The `cjk` tokenizer indexes every run of CJK characters as
 * overlapping bigrams (the approach of Lucene's CJK analyzer) plus the run's last character alone
 * (colocated with the last bigram);
 * Latin letters and digits form lower-cased words. A query of two or more CJK characters becomes a
 * phrase of bigrams (an exact substring match); a single character becomes a prefix query on
 * its bigrams; Latin words match as prefixes.
 */
#ifndef SANQU_STORE_FTS_H
#define SANQU_STORE_FTS_H

#include <sqlite3.h>
#include <stdbool.h>

#include "store/db.h"
#include "util/buf.h"

/* Registers the `cjk` tokenizer on a connection. Returns SQLITE_OK or an error code. */
int fts_register(sqlite3 *h);

/* Builds the FTS5 MATCH expression for what a user typed (terms separated by white space are
 * ANDed). Appends it to out and returns true, or returns false when q holds no searchable term. */
bool fts_query(const char *q, Buf *out);

/* The same split into one MATCH expression per term (at most max, into terms[0..]); returns how
 * many. For indexes where a document spans several rows (a dossier and its comments), terms are
 * matched one by one and the rows' owners intersected. */
int fts_terms(const char *q, Buf *terms, int max);

/* Upkeep of the search indexes (dossiers_fts, orgs_fts). Each write transaction adds a small
 * segment to an FTS5 index, which merges them lazily (automerge: a level is merged once it holds
 * four), and a search seeks each of its terms in every segment: on a million dossiers a
 * four-character phrase took 127 µs over 24 segments, 48 µs over 4 and 19 µs over one
 * (docs/performance.md). fts_upkeep_step does up to `pages` pages of merge work on each index,
 * merging the segments of any level that holds two or more (usermerge 2, migration 011), in one
 * write transaction of db; *worked tells whether there was any (none: nothing to do until the
 * next write). The server runs it while idle (http/server.c). */
Rc fts_upkeep_step(Db *db, int pages, bool *worked, Fail *f);

/* Merges each search index into a single segment: the end of a bulk load (sanqu demo). */
Rc fts_optimize(Db *db, Fail *f);

#endif
