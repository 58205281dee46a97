/*
 * test_jsonh.c — JSON body parsing (positions, depth limit, non-objects) and declarative field
 * validation (required, type, lengths counted in characters, enumerations, dates, ranges).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/jsonh.h"

static const char *rule_of(const Fail *f, const char *field) {
    size_t i;
    json_t *e;
    json_array_foreach(f->errors, i, e)
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            return json_string_value(json_object_get(e, "rule"));
    return NULL;
}

static void test_parse_ok(void **state) {
    (void)state;
    Fail f = {0};
    const char *s = "{\"name\":\"洛阳镇\",\"n\":3}";
    json_t *j = jh_parse_object(s, strlen(s), &f);
    assert_non_null(j);
    assert_int_equal(f.rc, RC_OK);
    assert_string_equal(jh_str(j, "name"), "洛阳镇");
    assert_int_equal(jh_int(j, "n"), 3);
    assert_null(jh_str(j, "missing"));
    json_decref(j);
}

static void test_parse_malformed_has_position(void **state) {
    (void)state;
    Fail f = {0};
    const char *s = "{\"name\": \"x\",, }";
    assert_null(jh_parse_object(s, strlen(s), &f));
    assert_int_equal(f.rc, RC_BAD_REQUEST);
    json_t *pos = json_object_get(f.extra, "position");
    assert_true(json_is_integer(pos));
    assert_true(json_integer_value(pos) >= 12 && json_integer_value(pos) <= 14);
    fail_clear(&f);
}

static void test_parse_rejects_non_object_and_depth(void **state) {
    (void)state;
    Fail f = {0};
    assert_null(jh_parse_object("[1,2]", 5, &f));
    assert_int_equal(f.rc, RC_BAD_REQUEST);
    fail_clear(&f);
    char deep[200];
    int n = 0;
    for (int i = 0; i < 40; i++) deep[n++] = '[';
    for (int i = 0; i < 40; i++) deep[n++] = ']';
    deep[n] = 0;
    char wrapped[300];
    snprintf(wrapped, sizeof wrapped, "{\"a\":%s}", deep);
    assert_null(jh_parse_object(wrapped, strlen(wrapped), &f));
    assert_int_equal(f.rc, RC_BAD_REQUEST);
    assert_non_null(strstr(f.detail, "deeper"));
    fail_clear(&f);
    /* Brackets inside strings do not count. */
    const char *s = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
    assert_true(jh_depth(s, strlen(s), 32) == 1);
}

static const char *const kinds[] = {"town", "park", NULL};
static const JField fields[] = {
    {"name", JF_STR, true, 1, 4, NULL, NULL, NULL},
    {"kind", JF_STR, true, 0, 0, kinds, NULL, NULL},
    {"count", JF_INT, false, 0, 10, NULL, NULL, NULL},
    {"id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"on", JF_DATE, false, 0, 0, NULL, NULL, NULL},
    {"flag", JF_BOOL, false, 0, 0, NULL, NULL, NULL},
    {"note", JF_TEXT, false, 0, 100, NULL, NULL, NULL},
};

static void test_validate_rules(void **state) {
    (void)state;
    Fail f = {0};
    json_t *j = json_loads("{\"name\":\"三区联创平台\",\"kind\":\"city\",\"count\":11,\"id\":0,"
                           "\"on\":\"2025-02-29\",\"flag\":\"yes\",\"note\":\"line1\\nline2\"}", 0, NULL);
    int n = jh_validate(j, fields, 7, &f);
    assert_int_equal(n, 6);
    assert_string_equal(rule_of(&f, "name"), "max_length");   /* 6 characters > 4 */
    assert_string_equal(rule_of(&f, "kind"), "enum");
    assert_string_equal(rule_of(&f, "count"), "range");
    assert_string_equal(rule_of(&f, "id"), "range");
    assert_string_equal(rule_of(&f, "on"), "date");
    assert_string_equal(rule_of(&f, "flag"), "type");
    assert_null(rule_of(&f, "note"));                         /* line breaks allowed in text */
    assert_int_equal(fail_fields(&f), RC_VALIDATION);
    fail_clear(&f);
    json_decref(j);
}

static void test_validate_required_and_ok(void **state) {
    (void)state;
    Fail f = {0};
    json_t *j = json_loads("{\"name\":\"\",\"count\":\"3\"}", 0, NULL);
    jh_validate(j, fields, 7, &f);
    assert_string_equal(rule_of(&f, "name"), "required");
    assert_string_equal(rule_of(&f, "kind"), "required");
    assert_string_equal(rule_of(&f, "count"), "type");
    fail_clear(&f);
    json_decref(j);
    j = json_loads("{\"name\":\"东园镇\",\"kind\":\"town\",\"count\":10,\"id\":7,\"on\":\"2024-02-29\"}", 0, NULL);
    assert_int_equal(jh_validate(j, fields, 7, &f), 0);
    assert_int_equal(fail_fields(&f), RC_OK);
    json_decref(j);
    /* A control character in a one-line string is a format error. */
    j = json_loads("{\"name\":\"a\\u0007b\",\"kind\":\"town\"}", 0, NULL);
    jh_validate(j, fields, 7, &f);
    assert_string_equal(rule_of(&f, "name"), "format");
    fail_clear(&f);
    json_decref(j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_malformed_has_position),
        cmocka_unit_test(test_parse_rejects_non_object_and_depth),
        cmocka_unit_test(test_validate_rules),
        cmocka_unit_test(test_validate_required_and_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
