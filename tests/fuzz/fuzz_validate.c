/*
 * fuzz_validate.c — libFuzzer target for the validators (src/util/validate.c), each compared with a
 * reference written here a different way:
 *   - val_utf8 and val_utf8_len against a decoder that assembles each code point and then rejects
 *     overlong forms, surrogates, values above U+10FFFF and NUL (validate.c checks byte ranges of
 *     Unicode table 3-7 instead);
 *   - val_credit_code and val_credit_code_make against GB 32100-2015 with the alphabet built from
 *     its rule (digits and A-Z without I, O, S, V, Z) and the weights computed as 3^i mod 31;
 *   - val_id_number against ISO 7064 MOD 11-2 written as (12 - sum mod 11) mod 11 with weights
 *     2^(17-i) mod 11, and dates checked by a timegm round trip;
 *   - val_date, val_mobile, val_username and val_password_policy against their contracts in
 *     validate.h;
 *   - val_mask_phone: always terminated within outsz; for valid UTF-8 the output is a prefix, cut
 *     at a character boundary, of the first 3 and last 4 characters around one '*' per hidden one
 *     (every character masked when there are 7 or fewer), and all of it when there is room.
 * The whole input is the byte string for val_utf8; the other validators see it up to the first NUL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "util/validate.h"

/* Decodes one code point at p (n bytes available). Returns its length, or 0 when the bytes there
 * are not a well-formed sequence; *cp receives the code point. */
static size_t ref_decode(const unsigned char *p, size_t n, uint32_t *cp) {
    unsigned char c = p[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) { len = 1; v = c; min = 0; }
    else if ((c & 0xE0) == 0xC0) { len = 2; v = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; v = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if (len > n) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (p[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || v == 0) return 0;
    *cp = v;
    return len;
}

/* Number of code points in the n bytes at s, or -1 when they are not strict UTF-8 without NUL. */
static long ref_utf8_count(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    long count = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = ref_decode(p + i, n - i, &cp);
        if (!l) return -1;
        i += l;
        count++;
    }
    return count;
}

static bool ref_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* True when y-m-d is a real Gregorian date: timegm normalises anything else into another day. */
static bool ref_real_date(int y, int m, int d) {
    if (m < 1 || m > 12 || d < 1 || d > 31) return false;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    struct tm back;
    REQUIRE(gmtime_r(&t, &back) != NULL);
    return back.tm_year == y - 1900 && back.tm_mon == m - 1 && back.tm_mday == d;
}

static int num(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    return v;
}

static bool ref_date(const char *s) {
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    if (!ref_digits(s, 4) || !ref_digits(s + 5, 2) || !ref_digits(s + 8, 2)) return false;
    int y = num(s, 4);
    return y >= 1900 && y <= 2199 && ref_real_date(y, num(s + 5, 2), num(s + 8, 2));
}

/* The GB 32100 alphabet: 0-9 then A-Z without I, O, S, V, Z (31 characters). */
static char g_alpha[32];

static void make_alpha(void) {
    int k = 0;
    for (char c = '0'; c <= '9'; c++) g_alpha[k++] = c;
    for (char c = 'A'; c <= 'Z'; c++)
        if (!strchr("IOSVZ", c)) g_alpha[k++] = c;
    REQUIRE(k == 31);
    g_alpha[k] = 0;
}

static int alpha_value(char c) {
    for (int i = 0; i < 31; i++)
        if (g_alpha[i] == c) return i;
    return -1;
}

/* The check character for the 17 characters at body, or 0 when they cannot start a code. */
static char ref_credit_check(const char *body) {
    int sum = 0, w = 1;
    for (int i = 0; i < 17; i++) {
        int v = alpha_value(body[i]);
        if (v < 0 || body[i] == 0) return 0;
        if (i >= 2 && i <= 7 && !ref_digits(body + i, 1)) return 0;
        sum += v * w;
        w = w * 3 % 31;
    }
    int c = 31 - sum % 31;
    return g_alpha[c == 31 ? 0 : c];
}

static bool ref_credit(const char *s) {
    if (strlen(s) != 18) return false;
    char c = ref_credit_check(s);
    return c && s[17] == c;
}

/* Today's date in UTC+8 as y*10000 + m*100 + d. */
static int today_cst(void) {
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    REQUIRE(gmtime_r(&t, &tm) != NULL);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static bool ref_id(const char *s, int today) {
    if (strlen(s) != 18 || !ref_digits(s, 17)) return false;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int w = 1;
        for (int k = 0; k < 17 - i; k++) w = w * 2 % 11;
        sum += (s[i] - '0') * w;
    }
    int c = (12 - sum % 11) % 11;
    if (s[17] != (c == 10 ? 'X' : '0' + c)) return false;
    int y = num(s + 6, 4), m = num(s + 10, 2), d = num(s + 12, 2);
    return y >= 1800 && ref_real_date(y, m, d) && y * 10000 + m * 100 + d <= today;
}

static bool ref_mobile(const char *s) {
    return strlen(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && ref_digits(s + 2, 9);
}

static bool ref_username(const char *s) {
    size_t n = strlen(s);
    if (n < 3 || n > 32) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || !strchr("_.-", c))) return false;
    }
    return true;
}

static bool ref_password(const char *s) {
    size_t n = strlen(s);
    long chars = ref_utf8_count(s, n);
    if (n > 128 || chars < 8) return false;
    bool cls[4] = {false, false, false, false};
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = ref_decode(p + i, n - i, &cp);
        REQUIRE(l > 0);
        if (cp >= 'a' && cp <= 'z') cls[0] = true;
        else if (cp >= 'A' && cp <= 'Z') cls[1] = true;
        else if (cp >= '0' && cp <= '9') cls[2] = true;
        else cls[3] = true;
        i += l;
    }
    return cls[0] + cls[1] + cls[2] + cls[3] >= 3;
}

/* Checks val_mask_phone(s) with an output of outsz bytes. s is valid UTF-8 of nchars characters. */
static void check_mask(const char *s, long nchars, size_t outsz) {
    char out[300];
    REQUIRE(outsz <= sizeof out);
    memset(out, 'Z', sizeof out);
    val_mask_phone(s, out, outsz);
    if (outsz == 0) {
        REQUIRE(out[0] == 'Z'); /* untouched */
        return;
    }
    size_t olen = strnlen(out, outsz);
    REQUIRE(olen < outsz);
    /* The expected full masking, built character by character. */
    size_t n = strlen(s);
    char *want = malloc(n + 1);
    REQUIRE(want != NULL);
    size_t w = 0;
    long idx = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; idx++) {
        uint32_t cp;
        size_t l = ref_decode(p + i, n - i, &cp);
        REQUIRE(l > 0);
        bool keep = nchars > 7 && (idx < 3 || idx >= nchars - 4);
        if (keep) {
            memcpy(want + w, s + i, l);
            w += l;
        } else {
            want[w++] = '*';
        }
        i += l;
    }
    want[w] = 0;
    REQUIRE(olen <= w && memcmp(out, want, olen) == 0);
    if (w < outsz) REQUIRE(olen == w);
    else REQUIRE(olen == w || (want[olen] & 0xC0) != 0x80); /* cut at a character boundary */
    free(want);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    make_alpha();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *bytes = (const char *)data;
    long count = ref_utf8_count(bytes, size);
    REQUIRE(val_utf8(bytes, size) == (count >= 0));

    char *s = malloc(size + 1);
    REQUIRE(s != NULL);
    memcpy(s, data, size);
    s[size] = 0;
    size_t n = strlen(s);
    long chars = ref_utf8_count(s, n);
    if (chars >= 0) REQUIRE((long)val_utf8_len(s) == chars);

    REQUIRE(val_date(s) == ref_date(s));
    REQUIRE(val_credit_code(s) == ref_credit(s));
    char made[19];
    memset(made, 0, sizeof made);
    bool ok = val_credit_code_make(s, made);
    REQUIRE(ok == (n == 17 && ref_credit_check(s) != 0));
    if (ok) REQUIRE(memcmp(made, s, 17) == 0 && made[18] == 0 && val_credit_code(made) && ref_credit(made));
    int t0 = today_cst();
    bool id = val_id_number(s);
    if (today_cst() == t0) REQUIRE(id == ref_id(s, t0)); /* not across midnight */
    REQUIRE(val_mobile(s) == ref_mobile(s));
    REQUIRE(val_username(s) == ref_username(s));
    REQUIRE(val_password_policy(s) == ref_password(s));

    if (chars >= 0) {
        check_mask(s, chars, 0);
        check_mask(s, chars, 1 + n % 24);
        check_mask(s, chars, 300);
    } else {
        char out[64];
        val_mask_phone(s, out, sizeof out);
        REQUIRE(strnlen(out, sizeof out) < sizeof out);
    }
    val_mask_phone(NULL, made, sizeof made);
    REQUIRE(made[0] == 0);
    free(s);
    return 0;
}
