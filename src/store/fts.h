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

#endif
