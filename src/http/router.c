/*
 * router.c — see router.h.
 */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "core/roles.h"

/* Matches one pattern; on success fills params. */
static bool match_one(const char *pat, const char *path, char **params, int *nparams, char *pb,
                      size_t pbsz) {
    size_t used = 0;
    int np = 0;
    const char *p = pat, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            if (!pe) return false;
            const char *se = strchr(s, '/');
            size_t len = se ? (size_t)(se - s) : strlen(s);
            if (len == 0 || np >= REQ_MAX_PARAMS || used + len + 1 > pbsz) return false;
            memcpy(pb + used, s, len);
            pb[used + len] = 0;
            params[np++] = pb + used;
            used += len + 1;
            p = pe + 1;
            s += len;
            continue;
        }
        if (*p != *s) return false;
        p++;
        s++;
    }
    if (*p || *s) return false;
    *nparams = np;
    return true;
}

const Route *router_match(const Route *table, int n, const char *method, const char *path,
                          char **params, int *nparams, char *parambuf, size_t parambufsz,
                          bool *path_known, char *allow, size_t allowsz) {
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    *path_known = false;
    if (allowsz) allow[0] = 0;
    for (int i = 0; i < n; i++) {
        char *tmp[REQ_MAX_PARAMS];
        int tn = 0;
        char tb[1024];
        if (!match_one(table[i].path, path, tmp, &tn, tb, sizeof tb)) continue;
        if (strcmp(table[i].method, m) == 0) {
            if (!match_one(table[i].path, path, params, nparams, parambuf, parambufsz)) return NULL;
            return &table[i];
        }
        *path_known = true;
        size_t len = strlen(allow);
        if (strstr(allow, table[i].method) == NULL && len + strlen(table[i].method) + 3 < allowsz)
            snprintf(allow + len, allowsz - len, "%s%s", len ? ", " : "", table[i].method);
    }
    if (*path_known && strstr(allow, "GET") && !strstr(allow, "HEAD")) {
        size_t len = strlen(allow);
        if (len + 7 < allowsz) snprintf(allow + len, allowsz - len, ", HEAD");
    }
    return NULL;
}

static const char *cap_label(const Route *r) {
    if (r->flags & R_PUBLIC) return "public";
    for (int b = 0; b < CAP_COUNT; b++)
        if (r->cap == (1u << b)) return cap_names[b];
    return "signed in";
}

void router_print_markdown(const Route *table, int n) {
    printf("| method | path | capability | description |\n|---|---|---|---|\n");
    for (int i = 0; i < n; i++)
        printf("| %s | `%s` | %s | %s%s |\n", table[i].method, table[i].path, cap_label(&table[i]), table[i].help,
               (table[i].flags & R_WRITE) && !(table[i].flags & R_NO_CSRF) ? " (CSRF)" : "");
}

void router_print(const Route *table, int n) {
    printf("%-7s %-42s %-16s %-6s %s\n", "METHOD", "PATH", "CAPABILITY", "FLAGS", "DESCRIPTION");
    for (int i = 0; i < n; i++) {
        const Route *r = &table[i];
        const char *cap = cap_label(r);
        char flags[8] = "";
        size_t k = 0;
        if (r->flags & R_WRITE) flags[k++] = 'W';
        if (r->flags & R_JSON) flags[k++] = 'J';
        if (r->flags & R_CSV) flags[k++] = 'C';
        if (r->flags & R_PWCHANGE) flags[k++] = 'P';
        flags[k] = 0;
        printf("%-7s %-42s %-16s %-6s %s\n", r->method, r->path, cap, k ? flags : "-", r->help);
    }
}
