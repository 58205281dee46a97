/*
 * test_static.c — the static-file resolver (src/http/static.c): files, the single-page fallback,
 * refused paths, and the regression found by tests/fuzz/fuzz_static (a path too long to try, with
 * an extension, got index.html instead of 404).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/static.h"

static char dir[64], root[128];

static void put(const char *name, const char *text) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", root, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sanqu-static-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(root, sizeof root, "%s/web", dir);
    if (mkdir(root, 0700) != 0) return -1;
    put("index.html", "<!doctype html>\n");
    put("app.js", "1\n");
    put(".env", "secret\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* The status static_response gives for path. */
static int status_of(const char *path) {
    int status = 0;
    struct MHD_Response *resp = static_response(root, path, &status);
    assert_non_null(resp);
    MHD_destroy_response(resp);
    return status;
}

static void test_resolve(void **state) {
    (void)state;
    assert_int_equal(status_of("/"), 200);
    assert_int_equal(status_of("/app.js"), 200);
    assert_int_equal(status_of("/orgs/12"), 200);   /* history-mode route: index.html */
    assert_int_equal(status_of("/missing.png"), 404);
    assert_int_equal(status_of("/.env"), 404);
    assert_int_equal(status_of("/../web/app.js"), 404);
    assert_int_equal(status_of("//app.js"), 404);
}

static void test_long_path(void **state) {
    (void)state;
    size_t n = 6000;
    char *p = malloc(n + 8);
    assert_non_null(p);
    p[0] = '/';
    memset(p + 1, 'a', n);
    strcpy(p + 1 + n, ".png");
    assert_int_equal(status_of(p), 404);
    p[1 + n] = 0; /* no extension: a route, the app answers */
    assert_int_equal(status_of(p), 200);
    free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_long_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
