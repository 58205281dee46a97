/*
 * test_centers.c — unit tests of the pure helpers of centres and activities: the coordinate
 * ranges accepted for China, rounding to micro-degrees, centre phone numbers (mobiles and
 * landlines with area codes) and the local date-time format of activities.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/activity.h"
#include "core/center.h"

static void coordinates(void **state) {
    (void)state;
    assert_true(center_lat_ok(18.0) && center_lat_ok(54.0) && center_lat_ok(24.95));
    assert_false(center_lat_ok(17.999) || center_lat_ok(54.0001) || center_lat_ok(-25) || center_lat_ok(0.0 / 0.0));
    assert_true(center_lng_ok(73.0) && center_lng_ok(135.0) && center_lng_ok(118.7));
    assert_false(center_lng_ok(72.9) || center_lng_ok(135.01) || center_lng_ok(1.0 / 0.0));
    assert_int_equal(center_e6(24.956123), 24956123);
    assert_int_equal(center_e6(118.7000004), 118700000);
    assert_int_equal(center_e6(118.7000006), 118700001);
}

static void phones(void **state) {
    (void)state;
    static const char *const good[] = {"13812345678", "0595-87888000", "059587888000", "010-12345678", "0595-8788800",
                                       "0595-87888000-123", "021-5555666"};
    static const char *const bad[] = {"", "12345", "23812345678", "0595-878880000", "595-87888000", "0595--87888000",
                                      "0595-87888000-", "0595-87888000-1234567", "0595-8788800a", "138 1234 5678"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!center_phone_ok(good[i])) fail_msg("refused %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (center_phone_ok(bad[i])) fail_msg("accepted %s", bad[i]);
    assert_false(center_phone_ok(NULL));
}

static void times(void **state) {
    (void)state;
    char out[20];
    assert_true(activity_time_norm("2026-03-01T09:00", out));
    assert_string_equal(out, "2026-03-01T09:00:00");
    assert_true(activity_time_norm("2026-03-01 23:59:59", out));
    assert_string_equal(out, "2026-03-01T23:59:59");
    assert_true(activity_time_norm("2024-02-29T00:00", out));
    static const char *const bad[] = {"2026-02-29T09:00", "2026-03-01T24:00", "2026-03-01T09:60", "2026-03-01",
                                      "2026-03-01T9:00", "2026-03-01T09:00:60", "2026-03-01T09:00Z", "2026-03-01X09:00",
                                      "2026-03-01T09:00:0", "", "20260301T0900"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (activity_time_norm(bad[i], out)) fail_msg("accepted %s", bad[i]);
    assert_false(activity_time_norm(NULL, out));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(coordinates),
        cmocka_unit_test(phones),
        cmocka_unit_test(times),
    };
    return cmocka_run_group_tests_name("centers", tests, NULL, NULL);
}
