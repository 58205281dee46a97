/*
 * test_router.c — route matching (parameters, 405 with Allow, HEAD as GET) and the invariants of
 * the route table itself: every row is under /api/v1/, has a help line, state-changing methods are
 * marked as writes (so CSRF applies), (method, path) pairs are unique, and docs/api.md lists every
 * route (the documentation is checked against the table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

static Rc dummy(Req *r) { (void)r; return RC_OK; }

static const Route table[] = {
    {"GET", "/api/v1/orgs", dummy, 0, 0, "list"},
    {"POST", "/api/v1/orgs", dummy, 0, R_WRITE, "create"},
    {"GET", "/api/v1/orgs/{id}", dummy, 0, 0, "get"},
    {"DELETE", "/api/v1/areas/{id}/members/{org_id}", dummy, 0, R_WRITE, "remove"},
};

static void test_match_params(void **state) {
    (void)state;
    char *params[REQ_MAX_PARAMS];
    int np = 0;
    char pb[256], allow[64];
    bool known;
    const Route *r = router_match(table, 4, "GET", "/api/v1/orgs/42", params, &np, pb, sizeof pb, &known, allow, sizeof allow);
    assert_non_null(r);
    assert_string_equal(r->help, "get");
    assert_int_equal(np, 1);
    assert_string_equal(params[0], "42");
    r = router_match(table, 4, "DELETE", "/api/v1/areas/3/members/17", params, &np, pb, sizeof pb, &known, allow, sizeof allow);
    assert_non_null(r);
    assert_int_equal(np, 2);
    assert_string_equal(params[0], "3");
    assert_string_equal(params[1], "17");
    r = router_match(table, 4, "HEAD", "/api/v1/orgs", params, &np, pb, sizeof pb, &known, allow, sizeof allow);
    assert_non_null(r);
    assert_string_equal(r->method, "GET");
}

static void test_no_match(void **state) {
    (void)state;
    char *params[REQ_MAX_PARAMS];
    int np = 0;
    char pb[256], allow[64];
    bool known;
    assert_null(router_match(table, 4, "PUT", "/api/v1/orgs", params, &np, pb, sizeof pb, &known, allow, sizeof allow));
    assert_true(known);
    assert_non_null(strstr(allow, "GET"));
    assert_non_null(strstr(allow, "POST"));
    assert_non_null(strstr(allow, "HEAD"));
    assert_null(router_match(table, 4, "GET", "/api/v1/orgs/", params, &np, pb, sizeof pb, &known, allow, sizeof allow));
    assert_false(known);
    assert_null(router_match(table, 4, "GET", "/api/v1/orgs/1/x", params, &np, pb, sizeof pb, &known, allow, sizeof allow));
    assert_null(router_match(table, 4, "GET", "/api/v1/org", params, &np, pb, sizeof pb, &known, allow, sizeof allow));
    assert_false(known);
}

static void test_table_invariants(void **state) {
    (void)state;
    assert_true(routes_count > 30);
    for (int i = 0; i < routes_count; i++) {
        const Route *r = &routes[i];
        assert_non_null(r->handler);
        assert_true(strncmp(r->path, "/api/v1/", 8) == 0);
        assert_true(strlen(r->help) > 5);
        bool changes = strcmp(r->method, "GET") != 0;
        if (changes != ((r->flags & R_WRITE) != 0)) fail_msg("%s %s: write flag does not match the method", r->method, r->path);
        if ((r->flags & R_PUBLIC) && r->cap) fail_msg("%s %s: public route with a capability", r->method, r->path);
        for (int j = 0; j < i; j++)
            if (strcmp(routes[j].method, r->method) == 0 && strcmp(routes[j].path, r->path) == 0)
                fail_msg("duplicate route %s %s", r->method, r->path);
    }
}

static void test_docs_list_every_route(void **state) {
    (void)state;
    FILE *f = fopen(SANQU_SOURCE_DIR "/docs/api.md", "r");
    assert_non_null(f);
    char *text = calloc(1, 1 << 20);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    text[n] = 0;
    for (int i = 0; i < routes_count; i++) {
        char row[300];
        snprintf(row, sizeof row, "| %s | `%s` |", routes[i].method, routes[i].path);
        if (!strstr(text, row)) fail_msg("docs/api.md lacks the route %s %s (run `make docs`)", routes[i].method, routes[i].path);
    }
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_params),
        cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_table_invariants),
        cmocka_unit_test(test_docs_list_every_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
