/*
 * test_server.c — the problem+json rendering of the dispatcher (src/http/server.c). Regression
 * tests for what tests/fuzz/fuzz_request found: a path with bytes that are not UTF-8, or a detail
 * cut inside a character at its last byte, made jansson refuse the problem, and the client got a
 * bare {"type":"…internal","status":500} body under a 404 status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/server.h"
#include "util/validate.h"

/* Renders a 404 for path as the dispatcher does and checks the problem body. */
static void check_not_found(const char *path) {
    Req *r = calloc(1, sizeof *r);
    assert_non_null(r);
    snprintf(r->path, sizeof r->path, "%s", path);
    rc_fail(&r->fail, RC_NOT_FOUND, "no route for %s", r->path);
    server_render_problem(r);
    assert_int_equal(r->status, 404);
    assert_string_equal(r->ctype, "application/problem+json");
    json_t *p = json_loadb(r->out.data, r->out.len, 0, NULL);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "type")), "urn:sanqu:problem:not-found");
    assert_int_equal(json_integer_value(json_object_get(p, "status")), 404);
    const char *detail = json_string_value(json_object_get(p, "detail"));
    const char *instance = json_string_value(json_object_get(p, "instance"));
    assert_non_null(detail);
    assert_non_null(instance);
    assert_true(val_utf8(detail, strlen(detail)) && val_utf8(instance, strlen(instance)));
    if (val_utf8(path, strlen(path))) assert_string_equal(instance, path);
    json_decref(p);
    fail_clear(&r->fail);
    buf_free(&r->out);
    free(r);
}

static void test_problem_utf8(void **state) {
    (void)state;
    check_not_found("/api/v1/orgs");
    check_not_found("/api/v1/\xff\xfe\xe4\xb8");     /* not UTF-8 */
    check_not_found("/api/v1/\xed\xa0\x80");         /* a surrogate */
    char longp[400] = "/api/v1/";
    for (int i = 0; i < 100; i++) strcat(longp, "中"); /* the detail is cut inside a character */
    check_not_found(longp);
    check_not_found("/api/v1/x\xe4");                /* a character cut at the end */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_problem_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
