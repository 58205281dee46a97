/*
 * test_timeutil.c — ISO 8601 formatting, the test clock offset, and the district's civil date
 * (UTC+8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "util/timeutil.h"
#include "util/validate.h"

static void test_iso(void **state) {
    (void)state;
    char s[32];
    time_iso(0, s, sizeof s);
    assert_string_equal(s, "1970-01-01T00:00:00Z");
    time_iso(1735689599, s, sizeof s);
    assert_string_equal(s, "2024-12-31T23:59:59Z");
}

static void test_offset_and_today(void **state) {
    (void)state;
    int64_t now = time_now();
    assert_true(now - (int64_t)time(NULL) <= 1);
    time_set_offset(3600);
    assert_true(time_now() - now >= 3599);
    time_set_offset(0);
    char d[16];
    time_today(d, sizeof d);
    assert_int_equal(strlen(d), 10);
    assert_true(val_date(d));
    int64_t t0 = time_mono_us();
    assert_true(time_mono_us() >= t0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso),
        cmocka_unit_test(test_offset_and_today),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
