/*
 * fuzz_router.c — libFuzzer target for the route matcher, router_match (src/http/router.c), over
 * the real route table, and for req_param_id (src/http/req.c), which turns path parameters into ids.
 *
 * The input is "METHOD PATH" (the method is everything before the first space, the path the rest
 * up to a NUL, at most 1023 bytes as in Req.path). Its answer is compared with a matcher written
 * here independently (split both into segments; a {name} segment matches any non-empty segment):
 *   - a match is the first row of the table whose method (GET for HEAD) and pattern fit, and its
 *     parameters, put back into the pattern, give the path again;
 *   - no match: path_known is true exactly when some row's pattern fits the path, and then Allow
 *     lists exactly the methods of the rows that fit (plus HEAD when GET is among them);
 *   - req_param_id is the decimal value of a parameter of 1 to 15 digits, and 0 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/router.h"

/* True when path fits pattern segment by segment. */
static bool ref_fits(const char *pat, const char *path) {
    const char *p = pat, *s = path;
    for (;;) {
        size_t pl = strcspn(p, "/"), sl = strcspn(s, "/");
        if (p[0] == '{') {
            if (sl == 0) return false;
        } else if (pl != sl || memcmp(p, s, pl) != 0) {
            return false;
        }
        p += pl;
        s += sl;
        if (!*p || !*s) return !*p && !*s;
        p++; /* both at '/' */
        s++;
    }
}

/* The pattern with its {name} segments replaced by params, into out. */
static void fill_pattern(const char *pat, char **params, int n, char *out, size_t outsz) {
    size_t o = 0;
    int k = 0;
    for (const char *p = pat; *p;) {
        if (*p == '{') {
            REQUIRE(k < n);
            o += (size_t)snprintf(out + o, outsz - o, "%s", params[k++]);
            p = strchr(p, '}');
            REQUIRE(p != NULL);
            p++;
        } else {
            REQUIRE(o + 1 < outsz);
            out[o++] = *p++;
            out[o] = 0;
        }
        REQUIRE(o < outsz);
    }
    out[o] = 0;
    REQUIRE(k == n);
}

/* True when the comma-separated list has the entry m. */
static bool list_has(const char *list, const char *m) {
    size_t n = strlen(m);
    for (const char *p = list; *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && memcmp(p, m, n) == 0) return true;
        p += l;
        while (*p == ',' || *p == ' ') p++;
    }
    return false;
}

/* Reference for req_param_id. */
static int64_t ref_param_id(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 15 || strspn(s, "0123456789") != n) return 0;
    return strtoll(s, NULL, 10);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char in[1100];
    size_t n = size < sizeof in - 1 ? size : sizeof in - 1;
    memcpy(in, data, n);
    in[n] = 0;
    char *sp = strchr(in, ' ');
    if (!sp) return 0;
    *sp = 0;
    char method[8];
    snprintf(method, sizeof method, "%s", in);
    char path[1024];
    if (strlen(sp + 1) >= sizeof path) return 0;
    snprintf(path, sizeof path, "%s", sp + 1);

    Req r;
    memset(&r, 0, sizeof r);
    bool known = true;
    const Route *rt = router_match(routes, routes_count, method, path, r.params, &r.nparams, r.parambuf,
                                   sizeof r.parambuf, &known, r.allow, sizeof r.allow);
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

    if (rt) {
        REQUIRE(strcmp(rt->method, m) == 0);
        REQUIRE(ref_fits(rt->path, path));
        for (const Route *q = routes; q < rt; q++) REQUIRE(!(strcmp(q->method, m) == 0 && ref_fits(q->path, path)));
        char back[2048];
        fill_pattern(rt->path, r.params, r.nparams, back, sizeof back);
        REQUIRE(strcmp(back, path) == 0);
        for (int i = 0; i < r.nparams; i++) {
            REQUIRE(r.params[i][0] != 0 && !strchr(r.params[i], '/'));
            REQUIRE(req_param_id(&r, i) == ref_param_id(r.params[i]));
        }
        REQUIRE(req_param_id(&r, r.nparams) == 0 && req_param_id(&r, -1) == 0);
        return 0;
    }
    bool any = false;
    for (int i = 0; i < routes_count; i++) {
        if (!ref_fits(routes[i].path, path)) continue;
        any = true;
        REQUIRE(strcmp(routes[i].method, m) != 0);
        REQUIRE(list_has(r.allow, routes[i].method));
    }
    REQUIRE(known == any);
    if (any) {
        REQUIRE(r.allow[0] != 0);
        REQUIRE(list_has(r.allow, "HEAD") == list_has(r.allow, "GET"));
        /* Nothing in Allow that does not serve the path. */
        for (const char *p = r.allow; *p;) {
            size_t l = strcspn(p, ",");
            char one[16];
            REQUIRE(l < sizeof one);
            memcpy(one, p, l);
            one[l] = 0;
            bool served = strcmp(one, "HEAD") == 0;
            for (int i = 0; i < routes_count && !served; i++)
                served = strcmp(routes[i].method, one) == 0 && ref_fits(routes[i].path, path);
            REQUIRE(served);
            p += l;
            while (*p == ',' || *p == ' ') p++;
        }
    } else {
        REQUIRE(r.allow[0] == 0);
    }
    return 0;
}
