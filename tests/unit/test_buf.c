/*
 * test_buf.c — the growable buffer: appends, formatted growth past the small-buffer path,
 * reset, detach and the empty case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static void test_append_and_printf(void **state) {
    (void)state;
    Buf b = BUF_INIT;
    assert_string_equal(buf_str(&b), "");
    buf_puts(&b, "三区");
    buf_putc(&b, '-');
    buf_printf(&b, "%d/%s", 12, "片区");
    assert_string_equal(buf_str(&b), "三区-12/片区");
    assert_int_equal(b.len, strlen("三区-12/片区"));
    assert_false(buf_oom(&b));
    buf_free(&b);
    assert_null(b.data);
}

static void test_large_printf(void **state) {
    (void)state;
    Buf b = BUF_INIT;
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    buf_printf(&b, "<%s>", big);
    assert_int_equal(b.len, 5001);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[5000], '>');
    assert_int_equal(b.data[5001], 0);
    buf_free(&b);
}

static void test_reset_and_detach(void **state) {
    (void)state;
    Buf b = BUF_INIT;
    for (int i = 0; i < 1000; i++) buf_puts(&b, "0123456789");
    assert_int_equal(b.len, 10000);
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_string_equal(buf_str(&b), "");
    buf_puts(&b, "abc");
    char *s = buf_detach(&b);
    assert_string_equal(s, "abc");
    assert_null(b.data);
    free(s);
    char *empty = buf_detach(&b);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    free(empty);
}

static void test_binary_append(void **state) {
    (void)state;
    Buf b = BUF_INIT;
    const char raw[] = {'a', 0, 'b'};
    buf_append(&b, raw, 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, raw, 3);
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_printf),
        cmocka_unit_test(test_large_printf),
        cmocka_unit_test(test_reset_and_detach),
        cmocka_unit_test(test_binary_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
