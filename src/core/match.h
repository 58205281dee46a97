/*
 * match.h — ranking resources (资源单) for a need (需求单), and needs for a resource. The score is a
 * sum of named parts so that every suggestion carries its reasons:
 *
 *   category   40  the resource's category is the need's
 *   area       25  the resource covers the need's area (or the whole district)
 *   capacity   0–10  10 × capacity left / capacity
 *   text       0–25  25 × Dice coefficient of the two texts' character bigrams (CJK) and words
 *                    (Latin letters and digits), title and description together
 *
 * A resource with nothing left, or not valid on the day, is not suggested; neither is one that
 * shares neither the category nor any text with the need. Ties are broken by the lower id, so the
 * ranking is deterministic.
 */
#ifndef SANQU_CORE_MATCH_H
#define SANQU_CORE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MATCH_CATEGORY = 40, MATCH_AREA = 25, MATCH_CAPACITY = 10, MATCH_TEXT = 25, MATCH_MAX_SHARED = 5 };

/* The text features of one side: its distinct bigrams/words, sorted (owned). */
typedef struct MatchText {
    char **terms;
    size_t n;
} MatchText;

/* Builds the features of a text (title and description concatenated by the caller). */
bool match_text(const char *s, MatchText *out);
void match_text_free(MatchText *t);

typedef struct MatchScore {
    int total;           /* 0–100 */
    int category;        /* the parts, as above */
    int area;
    int capacity;
    int text;
    int shared;          /* number of shared terms */
    const char *shared_terms[MATCH_MAX_SHARED]; /* the first shared terms (borrowed from a) */
    bool eligible;       /* false: not to be suggested */
} MatchScore;

/* Scores one resource for one need. same_category/covers_area come from the records; left and
 * capacity are the resource's capacity left and total; valid tells whether it is valid today. */
void match_score(const MatchText *need, const MatchText *res, bool same_category, bool covers_area, int64_t left,
                 int64_t capacity, bool valid, MatchScore *out);

#endif
