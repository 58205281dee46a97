/*
 * test_validate.c — cmocka unit tests for src/util/validate.c: credit codes (GB 32100-2015), ID
 * numbers (GB 11643-1999), mobile numbers, dates, password policy, user names, strict UTF-8 and
 * phone masking. Standalone program; build with -Isrc together with src/util/validate.c.
 *
 * The real credit codes below are published codes of well-known companies; each was checked by
 * hand (sum of value x weight, mod 31) as well as by the implementation, and the hand sums are
 * written next to the ones with a letter or a 0 as their check character.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/validate.h"

static const char CHARSET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* ---------------------------------------------------------------------------------------------- */
/* Credit codes                                                                                    */

/* Published codes that must validate. */
static const char *const REAL_CODES[] = {
    /* check '3': 9*1+1*3+3*9+5*27+1*26+M(21)*20+1*8+Y(30)*30+4*28 = 1640, 1640 mod 31 = 28,
     * 31-28 = 3. Body holds the letters M and Y. */
    "91350100M000100Y43",
    /* check 'L' (value 20): sum 538, 538 mod 31 = 11, 31-11 = 20 = L. */
    "91110000600037341L",
    /* check 'T' (value 26): Tencent (Shenzhen); sum 966, 966 mod 31 = 5, 31-5 = 26 = T. */
    "91440300708461136T",
    /* check '0': Beijing ByteDance; sum 992 = 32*31, so 31-0 = 31, written as 0. */
    "911101085923662400",
    "914403001922038216", /* Huawei Technologies */
    "91330100716105852F", /* Alibaba (China) */
    "9111000010169286X1", /* X inside the body */
    "91110108551385082Q", /* Xiaomi */
    "91110000802100433B", /* Baidu */
    "911000001000013428", /* Bank of China */
    "91100000100003962T", /* ICBC */
    "91440300100012316L", /* Ping An */
    "91440300192317458F", /* BYD */
    "91310115591693856A",
    "91310110666007217T",
    "91230184MA1BUFLT44",
    "92371000MA3MXH0E3W", /* registration authority 9, category 2 (individual business) */
    "91350503MA31DKY80A",
    "9135021359498494XQ",
    "91350213678251743X",
    "123502001549897397", /* authority 1 (institutional establishment) */
};

/* Every real code validates and is reproduced by val_credit_code_make from its body. */
static void test_credit_real(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof REAL_CODES / sizeof REAL_CODES[0]; i++) {
        const char *code = REAL_CODES[i];
        char body[18], out[19];
        memcpy(body, code, 17);
        body[17] = '\0';
        if (!val_credit_code(code)) fail_msg("%s should be valid", code);
        assert_true(val_credit_code_make(body, out));
        assert_string_equal(out, code);
    }
}

/* Every single-character substitution, with any other character of the alphabet, lower case or
 * an excluded letter, is caught; so is every swap of two adjacent different characters. */
static void test_credit_mutations(void **state) {
    (void)state;
    static const char extra[] = "abcxyzIOSVZ -*";
    for (size_t i = 0; i < sizeof REAL_CODES / sizeof REAL_CODES[0]; i++) {
        char m[19];
        for (int pos = 0; pos < 18; pos++) {
            for (const char *c = CHARSET; *c; c++) {
                strcpy(m, REAL_CODES[i]);
                if (m[pos] == *c) continue;
                m[pos] = *c;
                if (val_credit_code(m)) fail_msg("%s (pos %d) should fail", m, pos);
            }
            for (const char *c = extra; *c; c++) {
                strcpy(m, REAL_CODES[i]);
                m[pos] = *c;
                if (val_credit_code(m)) fail_msg("%s should fail", m);
            }
            if (pos < 17) {
                strcpy(m, REAL_CODES[i]);
                if (m[pos] == m[pos + 1]) continue;
                char t = m[pos];
                m[pos] = m[pos + 1];
                m[pos + 1] = t;
                if (val_credit_code(m)) fail_msg("%s (swap at %d) should fail", m, pos);
            }
        }
    }
}

/* Independent check character for the 17 characters at body, all of the alphabet. */
static char credit_check(const char *body) {
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (int)(strchr(CHARSET, body[i]) - CHARSET) * w[i];
    return CHARSET[(31 - sum % 31) % 31];
}

/* Lower case, wrong lengths, excluded letters, NULL. */
static void test_credit_shape(void **state) {
    (void)state;
    assert_false(val_credit_code("91350100m000100y43"));  /* same code in lower case */
    assert_false(val_credit_code("91110000600037341l"));  /* lower-case check character */
    assert_false(val_credit_code("91350100M000100Y4"));   /* 17 */
    assert_false(val_credit_code("91350100M000100Y430")); /* 19 */
    assert_false(val_credit_code("91350100M000100Y43 ")); /* trailing space */
    assert_false(val_credit_code(" 91350100M000100Y43"));
    assert_false(val_credit_code(""));
    assert_false(val_credit_code(NULL));
    assert_true(val_credit_code("000000000000000000")); /* sum 0: 31 - 0 = 31, written as 0 */
    assert_false(val_credit_code("000000000000000001"));
    /* Positions 3-8 are the administrative division code and must be digits, even when the
     * check character matches. */
    char out[19];
    for (int pos = 2; pos <= 7; pos++) {
        char code[19] = "91350100M000100Y4";
        code[pos] = 'A';
        assert_false(val_credit_code_make(code, out));
        code[17] = credit_check(code);
        code[18] = '\0';
        if (val_credit_code(code)) fail_msg("%s should fail: letter in division code", code);
    }
    assert_true(val_credit_code_make("91350100M000100Y4", out));
    assert_string_equal(out, "91350100M000100Y43");
    /* make() wants exactly 17 characters of the alphabet and leaves out alone otherwise. */
    memcpy(out, "untouched", 10);
    assert_false(val_credit_code_make("91350100M000100Y", out));    /* 16 */
    assert_false(val_credit_code_make("91350100M000100Y43", out));  /* 18 */
    assert_false(val_credit_code_make("91350100M000100I4", out));   /* I excluded */
    assert_false(val_credit_code_make("91350100m000100Y4", out));   /* lower case */
    assert_false(val_credit_code_make(NULL, out));
    assert_string_equal(out, "untouched");
}

/* val_credit_code_make always yields a code val_credit_code accepts, for all 31 check values. */
static void test_credit_make_roundtrip(void **state) {
    (void)state;
    bool seen[31] = {false};
    char body[18] = "91350100M000100Y0";
    for (int a = 0; a < 31; a++) {
        for (int b = 0; b < 31; b++) {
            char out[19];
            body[15] = CHARSET[a];
            body[16] = CHARSET[b];
            assert_true(val_credit_code_make(body, out));
            assert_true(val_credit_code(out));
            assert_memory_equal(out, body, 17);
            assert_int_equal(out[17], credit_check(body));
            const char *p = strchr(CHARSET, out[17]);
            assert_non_null(p);
            seen[p - CHARSET] = true;
        }
    }
    for (int v = 0; v < 31; v++) assert_true(seen[v]);
}

/* ---------------------------------------------------------------------------------------------- */
/* ID numbers                                                                                      */

/* Independent MOD 11-2 check character for the 17 digits at s. */
static char id_check(const char *s) {
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (s[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

/* Builds in out[19] an ID number from a 6-digit area, a YYYYMMDD date and a 3-digit sequence. */
static void make_id(const char *area, const char *ymd, const char *seq, char out[19]) {
    snprintf(out, 19, "%.6s%.8s%.3s?", area, ymd, seq);
    out[17] = id_check(out);
}

/* Writes YYYYMMDD of (now + days) in UTC into out[9]. */
static void date_offset(int days, char out[9]) {
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    assert_int_equal(strftime(out, 9, "%Y%m%d", &tm), 8);
}

static void test_id_valid(void **state) {
    (void)state;
    /* GB 11643 example: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167, 167 mod 11 = 2 -> X. */
    assert_true(val_id_number("11010519491231002X"));
    char id[19];
    make_id("350521", "20000229", "123", id); /* leap day */
    assert_true(val_id_number(id));
    make_id("350521", "19800101", "001", id);
    assert_true(val_id_number(id));
    /* Check value 0 maps to '1', 1 to '0': find sequence numbers giving both and a digit. */
    bool saw_x = false, saw_digit = false;
    for (int s = 0; s < 1000; s++) {
        char seq[12];
        snprintf(seq, sizeof seq, "%03d", s);
        make_id("110105", "19491231", seq, id);
        assert_true(val_id_number(id));
        if (id[17] == 'X') saw_x = true;
        else saw_digit = true;
    }
    assert_true(saw_x && saw_digit);
}

static void test_id_invalid(void **state) {
    (void)state;
    assert_false(val_id_number("110105194912310021")); /* wrong check digit */
    assert_false(val_id_number("11010519491231002x")); /* lower-case x */
    assert_false(val_id_number("11010519491231002"));  /* 17 */
    assert_false(val_id_number("11010519491231002X1"));
    assert_false(val_id_number("1101051949123100 X"));
    assert_false(val_id_number("X1010519491231002X"));
    assert_false(val_id_number(""));
    assert_false(val_id_number(NULL));
    /* Every other check character and every single-digit change is refused. */
    char m[19];
    for (const char *c = "0123456789X"; *c; c++) {
        strcpy(m, "11010519491231002X");
        if (*c == 'X') continue;
        m[17] = *c;
        assert_false(val_id_number(m));
    }
    for (int pos = 0; pos < 17; pos++) {
        for (char c = '0'; c <= '9'; c++) {
            strcpy(m, "11010519491231002X");
            if (m[pos] == c) continue;
            m[pos] = c;
            if (val_id_number(m)) fail_msg("%s should fail", m);
        }
    }
    /* Impossible dates, with a correct check character. */
    static const char *const bad_dates[] = {"19990230", "19990229", "21000229", "19991301",
                                            "19990001", "19990100", "19990431", "19990132",
                                            "17991231", "00000101"};
    for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
        make_id("110105", bad_dates[i], "002", m);
        if (val_id_number(m)) fail_msg("%s should fail", m);
    }
    make_id("110105", "18000101", "002", m); /* the earliest accepted birth date */
    assert_true(val_id_number(m));
}

/* Birth dates: yesterday (UTC) is fine; two days ahead of UTC is after today in every time zone. */
static void test_id_future(void **state) {
    (void)state;
    char ymd[9], id[19];
    date_offset(-1, ymd);
    make_id("350521", ymd, "011", id);
    assert_true(val_id_number(id));
    date_offset(2, ymd);
    make_id("350521", ymd, "011", id);
    assert_false(val_id_number(id));
    date_offset(400, ymd);
    make_id("350521", ymd, "011", id);
    assert_false(val_id_number(id));
    make_id("350521", "21991231", "011", id);
    assert_false(val_id_number(id));
}

/* ---------------------------------------------------------------------------------------------- */
/* Mobile numbers, dates, user names                                                               */

static void test_mobile(void **state) {
    (void)state;
    assert_true(val_mobile("13812345678"));
    assert_true(val_mobile("19900000000"));
    assert_true(val_mobile("15059512345"));
    assert_false(val_mobile("12812345678"));  /* second digit 2 */
    assert_false(val_mobile("10812345678"));
    assert_false(val_mobile("23812345678"));
    assert_false(val_mobile("1381234567"));   /* 10 digits */
    assert_false(val_mobile("138123456789")); /* 12 digits */
    assert_false(val_mobile("1381234567a"));
    assert_false(val_mobile("+8613812345678"));
    assert_false(val_mobile("138 1234 5678"));
    assert_false(val_mobile("138-1234-5678"));
    assert_false(val_mobile(" 13812345678"));
    assert_false(val_mobile(""));
    assert_false(val_mobile(NULL));
}

static void test_date(void **state) {
    (void)state;
    assert_true(val_date("2024-02-29"));
    assert_true(val_date("2000-02-29"));
    assert_false(val_date("2025-02-29"));
    assert_false(val_date("2100-02-29"));
    assert_false(val_date("1900-02-29"));
    assert_true(val_date("2025-02-28"));
    assert_true(val_date("1900-01-01"));
    assert_true(val_date("2199-12-31"));
    assert_false(val_date("1899-12-31"));
    assert_false(val_date("2200-01-01"));
    assert_true(val_date("2025-04-30"));
    assert_false(val_date("2025-04-31"));
    assert_true(val_date("2025-12-31"));
    assert_false(val_date("2025-12-32"));
    assert_false(val_date("2025-13-01"));
    assert_false(val_date("2025-00-10"));
    assert_false(val_date("2025-01-00"));
    /* Formats. */
    assert_false(val_date("2025-1-01"));
    assert_false(val_date("2025-01-1"));
    assert_false(val_date("2025/01/01"));
    assert_false(val_date("20250101"));
    assert_false(val_date("2025-01-01 "));
    assert_false(val_date("2025-01-01T00:00:00Z"));
    assert_false(val_date(" 2025-01-01"));
    assert_false(val_date("+025-01-01"));
    assert_false(val_date("2025-0a-01"));
    assert_false(val_date("２０２５-01-01")); /* full-width digits */
    assert_false(val_date(""));
    assert_false(val_date(NULL));
}

static void test_username(void **state) {
    (void)state;
    assert_true(val_username("abc"));
    assert_true(val_username("zhang.san_01-x"));
    assert_true(val_username("0admin"));
    assert_true(val_username("a2345678901234567890123456789012")); /* 32 */
    assert_false(val_username("a23456789012345678901234567890123")); /* 33 */
    assert_false(val_username("ab"));
    assert_false(val_username("_abc"));
    assert_false(val_username(".abc"));
    assert_false(val_username("-abc"));
    assert_false(val_username("Abc"));
    assert_false(val_username("ab c"));
    assert_false(val_username("ab@c"));
    assert_false(val_username("张三丰"));
    assert_false(val_username(""));
    assert_false(val_username(NULL));
}

/* ---------------------------------------------------------------------------------------------- */
/* Password policy                                                                                 */

static void test_password(void **state) {
    (void)state;
    assert_true(val_password_policy("Abcdef12"));  /* 8, three classes */
    assert_false(val_password_policy("Abcde12"));  /* 7 */
    assert_false(val_password_policy("abcdefgh1")); /* two classes */
    assert_false(val_password_policy("ABCDEFGH"));
    assert_false(val_password_policy("12345678"));
    assert_false(val_password_policy("abcd!@#$")); /* two classes */
    assert_true(val_password_policy("abcd!@#1"));  /* lower, other, digit */
    assert_true(val_password_policy("ABCD 123"));  /* space counts as other */
    assert_true(val_password_policy("aB1!aB1!"));
    assert_false(val_password_policy(""));
    assert_false(val_password_policy(NULL));

    /* Chinese characters are one character each and of class "other". 密码 = 2 code points,
     * 6 bytes: "Ab1密码xy" is 7 characters (11 bytes) and fails; one more makes 8. */
    assert_false(val_password_policy("Ab1密码xy"));
    assert_true(val_password_policy("Ab1密码xyz"));
    assert_true(val_password_policy("密码密码密码ab1")); /* other, lower, digit */
    assert_false(val_password_policy("密码密码密码密码")); /* one class only */
    assert_false(val_password_policy("密码密码abcdefg")); /* other + lower: two */
    assert_true(val_password_policy("密码密码abcdefG")); /* other + lower + upper */
    /* Seven characters in 21 bytes: long in bytes, short in characters. */
    assert_false(val_password_policy("密码密码aB1"));

    /* 128 bytes is the limit. */
    char pw[200];
    memset(pw, 'a', sizeof pw);
    memcpy(pw, "A1", 2);
    pw[128] = '\0';
    assert_true(val_password_policy(pw));
    pw[128] = 'a';
    pw[129] = '\0';
    assert_false(val_password_policy(pw));
    /* 126 bytes + one 3-byte character = 129 bytes. */
    memcpy(pw + 126, "码", 3);
    pw[129] = '\0';
    assert_false(val_password_policy(pw));
    memcpy(pw + 125, "码", 4); /* 128 bytes with the NUL copied */
    assert_true(val_password_policy(pw));

    /* Invalid UTF-8 is refused whatever its length. */
    assert_false(val_password_policy("Abcdef1\xC0\x80"));
    assert_false(val_password_policy("Abcdef12\xFF"));
    assert_false(val_password_policy("Abcdef12\xE5\xAF"));
}

/* ---------------------------------------------------------------------------------------------- */
/* UTF-8                                                                                           */

/* val_utf8 over a literal, without its terminating NUL. */
#define U8(lit) val_utf8((lit), sizeof(lit) - 1)

static void test_utf8_valid(void **state) {
    (void)state;
    assert_true(U8(""));
    assert_true(val_utf8(NULL, 0));
    assert_true(U8("plain ASCII\n\t~\x7F"));
    assert_true(U8("\xC2\x80"));                 /* U+0080 */
    assert_true(U8("\xDF\xBF"));                 /* U+07FF */
    assert_true(U8("\xE0\xA0\x80"));             /* U+0800 */
    assert_true(U8("\xED\x9F\xBF"));             /* U+D7FF */
    assert_true(U8("\xEE\x80\x80"));             /* U+E000 */
    assert_true(U8("\xEF\xBF\xBF"));             /* U+FFFF */
    assert_true(U8("\xEF\xBB\xBF"));             /* BOM */
    assert_true(U8("\xF0\x90\x80\x80"));         /* U+10000 */
    assert_true(U8("\xF4\x8F\xBF\xBF"));         /* U+10FFFF */
    assert_true(U8("洛阳镇西吟头村"));
    assert_true(U8("\xE4\xB8\xAD\xE6\x96\x87")); /* 中文 */
    assert_true(U8("😀 emoji"));
    /* Only n bytes are looked at: a truncated tail beyond n is not seen. */
    assert_true(val_utf8("ab\xE4\xB8", 2));
}

static void test_utf8_invalid(void **state) {
    (void)state;
    assert_false(U8("\xC0\x80"));         /* overlong NUL */
    assert_false(U8("\xC1\xBF"));         /* overlong 2-byte */
    assert_false(U8("\xE0\x80\x80"));     /* overlong 3-byte */
    assert_false(U8("\xE0\x9F\xBF"));     /* overlong U+07FF */
    assert_false(U8("\xF0\x80\x80\x80")); /* overlong 4-byte */
    assert_false(U8("\xF0\x8F\xBF\xBF")); /* overlong U+FFFF */
    assert_false(U8("\xED\xA0\x80"));     /* U+D800 */
    assert_false(U8("\xED\xBF\xBF"));     /* U+DFFF */
    assert_false(U8("\xED\xA0\xBD\xED\xB8\x80")); /* CESU-8 surrogate pair */
    assert_false(U8("\xF4\x90\x80\x80")); /* U+110000 */
    assert_false(U8("\xF5\x80\x80\x80"));
    assert_false(U8("\xF8\x88\x80\x80\x80")); /* 5-byte form */
    assert_false(U8("\xFE"));
    assert_false(U8("\xFF"));
    assert_false(U8("\x80"));             /* stray continuation */
    assert_false(U8("a\xBF" "b"));
    assert_false(U8("\xE4\xB8\xAD\x80")); /* continuation after a full character */
    assert_false(U8("\xE4\xB8"));         /* truncated 3-byte */
    assert_false(U8("\xE4"));
    assert_false(U8("\xF0\x9F\x98"));     /* truncated 4-byte */
    assert_false(U8("\xC3"));             /* truncated 2-byte */
    assert_false(U8("\xE4\x41\xAD"));     /* ASCII where a continuation belongs */
    assert_false(U8("\xC3\xC3\xA9"));
    assert_false(U8("a\0b"));             /* NUL */
    assert_false(U8("\0"));
    assert_false(val_utf8(NULL, 1));
    /* A truncated sequence at the end of n is caught even when the string goes on. */
    assert_false(val_utf8("\xE4\xB8\xAD", 2));
}

static void test_utf8_len(void **state) {
    (void)state;
    assert_int_equal(val_utf8_len(""), 0);
    assert_int_equal(val_utf8_len(NULL), 0);
    assert_int_equal(val_utf8_len("abc"), 3);
    assert_int_equal(val_utf8_len("中文"), 2);
    assert_int_equal(val_utf8_len("a中b文c"), 5);
    assert_int_equal(val_utf8_len("😀x"), 2);
    assert_int_equal(val_utf8_len("\xC2\x80\xDF\xBF"), 2);
}

/* ---------------------------------------------------------------------------------------------- */
/* Phone masking                                                                                   */

/* Masks s into a buffer of outsz bytes and compares with want. */
static void check_mask(const char *s, size_t outsz, const char *want) {
    char out[64];
    assert_true(outsz <= sizeof out);
    memset(out, 'Z', sizeof out);
    val_mask_phone(s, out, outsz);
    assert_string_equal(out, want);
    assert_true(strlen(out) < outsz);
}

static void test_mask_phone(void **state) {
    (void)state;
    check_mask("13812345678", 64, "138****5678");
    check_mask("13812345678", 12, "138****5678"); /* exact fit */
    check_mask("13812345678", 11, "138****567");  /* cut, still terminated */
    check_mask("13812345678", 1, "");
    check_mask("0595-22345678", 64, "059******5678");
    check_mask("+8613812345678", 64, "+86*******5678");
    check_mask("12345678", 64, "123*5678"); /* 8: one character masked */
    check_mask("1234567", 64, "*******");   /* 7 or fewer: all masked */
    check_mask("123", 64, "***");
    check_mask("", 64, "");
    check_mask(NULL, 64, "");
    /* Characters, not bytes: a multi-byte character is kept or masked whole. */
    check_mask("电话13812345678", 64, "电话1******5678");
    check_mask("电话13812345678", 7, "电话"); /* "电话1" does not fit in 6 bytes + NUL */
    check_mask("电话", 64, "**");

    /* outsz 0 writes nothing at all. */
    char one = 'Q';
    val_mask_phone("13812345678", &one, 0);
    assert_int_equal(one, 'Q');
    val_mask_phone("13812345678", NULL, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credit_real),
        cmocka_unit_test(test_credit_mutations),
        cmocka_unit_test(test_credit_shape),
        cmocka_unit_test(test_credit_make_roundtrip),
        cmocka_unit_test(test_id_valid),
        cmocka_unit_test(test_id_invalid),
        cmocka_unit_test(test_id_future),
        cmocka_unit_test(test_mobile),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_username),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_mask_phone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
