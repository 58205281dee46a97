/*
 * scope.c — see scope.h.
 */
#include "store/scope.h"

#include <stdio.h>
#include <string.h>

void scope_all(Actor *a) {
    snprintf(a->scope_lo, sizeof a->scope_lo, "/");
    snprintf(a->scope_hi, sizeof a->scope_hi, "0");
    a->scope_area = 0;
}

void scope_init(Actor *a, const char *org_path) {
    snprintf(a->org_path, sizeof a->org_path, "%s", org_path ? org_path : "");
    if (role_district_wide(a->role) || !org_path || !*org_path) {
        scope_all(a);
        if (!role_district_wide(a->role)) {
            /* No organisation path: nothing is in scope. */
            snprintf(a->scope_lo, sizeof a->scope_lo, "~");
            snprintf(a->scope_hi, sizeof a->scope_hi, "~");
        }
        return;
    }
    if (strcmp(a->role, "committee") == 0) {
        /* A committee works on its area: the member organisations and what lies under them —
         * not the subtree of its own organisation (often the district itself). */
        snprintf(a->scope_lo, sizeof a->scope_lo, "~");
        snprintf(a->scope_hi, sizeof a->scope_hi, "~");
        a->scope_area = a->area_id;
        return;
    }
    snprintf(a->scope_lo, sizeof a->scope_lo, "%s", org_path);
    snprintf(a->scope_hi, sizeof a->scope_hi, "%s", org_path);
    size_t n = strlen(a->scope_hi);
    if (n > 0) a->scope_hi[n - 1] = '0'; /* '/1/4/' → '/1/40': '/' < '0' */
    a->scope_area = 0;
}

void scope_own_subtree(Actor *a) {
    if (!a->org_path[0]) return;
    snprintf(a->scope_lo, sizeof a->scope_lo, "%s", a->org_path);
    snprintf(a->scope_hi, sizeof a->scope_hi, "%s", a->org_path);
    size_t n = strlen(a->scope_hi);
    if (n > 0) a->scope_hi[n - 1] = '0';
    a->scope_area = 0;
}
