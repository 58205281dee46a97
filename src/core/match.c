/*
 * match.c — see match.h.
 */
#include "core/match.h"

#include <stdlib.h>
#include <string.h>

/* Length in bytes of the UTF-8 sequence starting with byte c (1 for invalid bytes). */
static size_t u8len(unsigned char c) {
    if (c >= 0xf0) return 4;
    if (c >= 0xe0) return 3;
    if (c >= 0xc0) return 2;
    return 1;
}

static bool is_word(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* CJK ideographs and the like: three- and four-byte sequences. Punctuation in the CJK blocks
 * (U+3000–U+303F, U+FF00–U+FF65) separates. */
static bool is_cjk(const unsigned char *p, size_t n) {
    if (n < 3) return false;
    if (n == 3 && p[0] == 0xe3 && p[1] == 0x80) return false;          /* U+3000–U+303F */
    if (n == 3 && p[0] == 0xef && (p[1] == 0xbc || p[1] == 0xbd)) return false; /* fullwidth forms */
    return true;
}

static int cmp_term(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool push(MatchText *t, size_t *cap, const char *s, size_t n) {
    if (t->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        char **nt = realloc(t->terms, nc * sizeof *nt);
        if (!nt) return false;
        t->terms = nt;
        *cap = nc;
    }
    char *c = malloc(n + 1);
    if (!c) return false;
    for (size_t i = 0; i < n; i++) c[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    c[n] = 0;
    t->terms[t->n++] = c;
    return true;
}

bool match_text(const char *s, MatchText *out) {
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *prev = NULL; /* the previous CJK character, for bigrams */
    size_t prevn = 0;
    while (*p) {
        size_t n = u8len(*p);
        for (size_t i = 1; i < n; i++)
            if (!p[i]) { n = i; break; }
        if (n == 1 && is_word(*p)) {
            const unsigned char *w = p;
            while (is_word(*p)) p++;
            if (p - w >= 2 && !push(out, &cap, (const char *)w, (size_t)(p - w))) goto oom;
            prev = NULL;
            continue;
        }
        if (is_cjk(p, n)) {
            if (prev && !push(out, &cap, (const char *)prev, prevn + n)) goto oom;
            prev = p;
            prevn = n;
        } else {
            prev = NULL;
        }
        p += n;
    }
    if (out->n) {
        qsort(out->terms, out->n, sizeof *out->terms, cmp_term);
        size_t k = 1;
        for (size_t i = 1; i < out->n; i++) {
            if (strcmp(out->terms[i], out->terms[k - 1]) == 0) free(out->terms[i]);
            else out->terms[k++] = out->terms[i];
        }
        out->n = k;
    }
    return true;
oom:
    match_text_free(out);
    return false;
}

void match_text_free(MatchText *t) {
    for (size_t i = 0; i < t->n; i++) free(t->terms[i]);
    free(t->terms);
    memset(t, 0, sizeof *t);
}

void match_score(const MatchText *need, const MatchText *res, bool same_category, bool covers_area, int64_t left,
                 int64_t capacity, bool valid, MatchScore *out) {
    memset(out, 0, sizeof *out);
    /* Shared terms: a merge of the two sorted lists. */
    size_t i = 0, j = 0;
    while (i < need->n && j < res->n) {
        int c = strcmp(need->terms[i], res->terms[j]);
        if (c == 0) {
            if (out->shared < MATCH_MAX_SHARED) out->shared_terms[out->shared] = need->terms[i];
            out->shared++;
            i++;
            j++;
        } else if (c < 0) {
            i++;
        } else {
            j++;
        }
    }
    size_t total = need->n + res->n;
    out->text = total ? (int)((2 * (int64_t)out->shared * MATCH_TEXT * 2 + (int64_t)total) / (2 * (int64_t)total)) : 0;
    if (out->text > MATCH_TEXT) out->text = MATCH_TEXT;
    out->category = same_category ? MATCH_CATEGORY : 0;
    out->area = covers_area ? MATCH_AREA : 0;
    out->capacity = capacity > 0 && left > 0 ? (int)((left * MATCH_CAPACITY + capacity / 2) / capacity) : 0;
    if (out->capacity > MATCH_CAPACITY) out->capacity = MATCH_CAPACITY;
    out->total = out->category + out->area + out->capacity + out->text;
    out->eligible = valid && left > 0 && (same_category || out->shared > 0);
}
