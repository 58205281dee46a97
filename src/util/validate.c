/*
 * validate.c — pure validators for the values sanqu accepts (see validate.h for the contract).
 *
 * Everything here is a pure function of its arguments, apart from val_id_number(), which reads the
 * clock to reject birth dates in the future. Nothing allocates and there is no global mutable
 * state, so every function is safe to call from any thread. A NULL string is never valid.
 *
 * References: GB 32100-2015 (法人和其他组织统一社会信用代码编码规则), GB 11643-1999 (公民身份号码),
 * ISO/IEC 7064 MOD 11-2, and the Unicode Standard, table 3-7 (well-formed UTF-8 byte sequences).
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#endif

#include "util/validate.h"

#include <assert.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------------------------------
 * Calendar helpers shared by val_date() and val_id_number().
 */

/* True when y is a Gregorian leap year. */
static bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* True when y-m-d names a real day of the proleptic Gregorian calendar. */
static bool is_real_date(int y, int m, int d) {
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    int last = mdays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
    return d <= last;
}

/* True for an ASCII decimal digit (independent of the locale, unlike isdigit()). */
static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* Reads n decimal digits at s into *out. Returns false (and leaves *out alone) when any of them is
 * not a digit. The caller guarantees that s holds at least n characters or a NUL before them (a NUL
 * is not a digit, so the scan stops there). */
static bool read_digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i])) return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* ------------------------------------------------------------------------------------------------
 * 统一社会信用代码, GB 32100-2015.
 *
 * 18 characters: registration authority (1), organisation category (1), administrative division of
 * the registration authority (6 digits), body identifier (9), check character (1). The alphabet is
 * the 31 characters below (I, O, S, V and Z are left out as too easily confused). Position i
 * (0-based) carries weight 3^i mod 31; the check value is 31 - (sum mod 31), with 31 written as 0.
 */
static const char CREDIT_CHARSET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const unsigned char CREDIT_WEIGHTS[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                 29, 25, 13, 8,  24, 10, 30, 28};

/* Value 0-30 of the credit-code character c, or -1 when c is not in the alphabet (lower case and
 * the NUL terminator included). */
static int credit_value(char c) {
    if (c == '\0') return -1;
    const char *p = strchr(CREDIT_CHARSET, c);
    return p ? (int)(p - CREDIT_CHARSET) : -1;
}

/* Computes the check character for the first 17 characters at body. Returns '\0' when one of them is
 * outside the alphabet, when the string is shorter than 17 characters, or when positions 3-8 (the
 * administrative division code) are not all digits. Does not look past a NUL. */
static char credit_check_char(const char *body) {
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = credit_value(body[i]); /* body[i] == '\0' gives -1, so we never read past it */
        if (v < 0) return '\0';
        if (i >= 2 && i <= 7 && !is_digit(body[i])) return '\0';
        sum += v * CREDIT_WEIGHTS[i];
    }
    int check = (31 - sum % 31) % 31;
    return CREDIT_CHARSET[check];
}

/* True when s is an 18-character credit code with a matching check character and a numeric
 * administrative division code (positions 3-8). Upper case only. */
bool val_credit_code(const char *s) {
    if (s == NULL) return false;
    char want = credit_check_char(s);
    return want != '\0' && s[17] == want && s[18] == '\0';
}

/* Writes body17 followed by its check character and a NUL into out[19]. Returns false, leaving out
 * untouched, unless body17 is exactly 17 characters that could start a valid code (alphabet, and
 * digits in positions 3-8 so that the result always satisfies val_credit_code()). */
bool val_credit_code_make(const char *body17, char out[19]) {
    if (body17 == NULL || out == NULL) return false;
    char check = credit_check_char(body17);
    if (check == '\0' || body17[17] != '\0') return false;
    memcpy(out, body17, 17);
    out[17] = check;
    out[18] = '\0';
    return true;
}

/* ------------------------------------------------------------------------------------------------
 * 公民身份号码, GB 11643-1999: 6-digit address code, 8-digit birth date YYYYMMDD, 3-digit sequence
 * number, ISO 7064 MOD 11-2 check character (0-9 or X for 10).
 */
static const unsigned char ID_WEIGHTS[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char ID_CHECK[] = "10X98765432"; /* indexed by sum mod 11 */

/* Earliest birth year accepted: 18-digit numbers were issued from 1999 to people then living. */
enum { ID_MIN_YEAR = 1800 };

/* Today's date in China Standard Time (UTC+8, no daylight saving), where ID numbers are issued, so
 * that a child born this morning in Beijing is not "in the future" while UTC is still on yesterday.
 * Returns false when the clock cannot be read. */
static bool today_cst(int *y, int *m, int *d) {
    time_t now = time(NULL);
    if (now == (time_t)-1) return false;
    now += 8 * 3600;
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL) return false;
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
    return true;
}

/* True when s is 17 digits plus a matching check character (0-9 or upper-case X) and its birth date
 * is a real date from ID_MIN_YEAR up to today (China Standard Time). */
bool val_id_number(const char *s) {
    if (s == NULL) return false;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(s[i])) return false; /* also stops at a NUL */
        sum += (s[i] - '0') * ID_WEIGHTS[i];
    }
    if (s[17] != ID_CHECK[sum % 11] || s[18] != '\0') return false;

    int y = 0, m = 0, d = 0; /* all 17 are digits by now, so the reads cannot fail */
    if (!read_digits(s + 6, 4, &y) || !read_digits(s + 10, 2, &m) || !read_digits(s + 12, 2, &d))
        return false;
    if (y < ID_MIN_YEAR || !is_real_date(y, m, d)) return false;

    int ty, tm, td;
    if (!today_cst(&ty, &tm, &td)) return false;
    if (y != ty) return y < ty;
    if (m != tm) return m < tm;
    return d <= td;
}

/* ------------------------------------------------------------------------------------------------
 * Mobile numbers, dates, user names.
 */

/* True for "1", then 3-9, then nine digits, and nothing else. */
bool val_mobile(const char *s) {
    if (s == NULL || s[0] != '1' || s[1] < '3' || s[1] > '9') return false;
    for (int i = 2; i < 11; i++)
        if (!is_digit(s[i])) return false;
    return s[11] == '\0';
}

/* True for exactly "YYYY-MM-DD" naming a real day with 1900 <= YYYY <= 2199. */
bool val_date(const char *s) {
    if (s == NULL) return false;
    int y, m, d;
    if (!read_digits(s, 4, &y) || s[4] != '-' || !read_digits(s + 5, 2, &m) || s[7] != '-' ||
        !read_digits(s + 8, 2, &d) || s[10] != '\0')
        return false;
    return y >= 1900 && y <= 2199 && is_real_date(y, m, d);
}

/* True for 3-32 characters of [a-z0-9_.-] whose first is a lower-case letter or a digit. */
bool val_username(const char *s) {
    if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') || is_digit(s[0]))) return false;
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '.' || c == '-';
        if (!ok || n >= 32) return false;
    }
    return n >= 3;
}

/* ------------------------------------------------------------------------------------------------
 * UTF-8.
 */

/* True when the n bytes at s are well-formed UTF-8 per Unicode table 3-7 and hold no NUL:
 *   U+0001..U+007F    01..7F
 *   U+0080..U+07FF    C2..DF 80..BF                   (C0, C1 would be overlong)
 *   U+0800..U+0FFF    E0     A0..BF 80..BF            (E0 80..9F would be overlong)
 *   U+1000..U+CFFF    E1..EC 80..BF 80..BF
 *   U+D000..U+D7FF    ED     80..9F 80..BF            (ED A0..BF would be a surrogate)
 *   U+E000..U+FFFF    EE..EF 80..BF 80..BF
 *   U+10000..U+3FFFF  F0     90..BF 80..BF 80..BF     (F0 80..8F would be overlong)
 *   U+40000..U+FFFFF  F1..F3 80..BF 80..BF 80..BF
 *   U+100000..10FFFF  F4     80..8F 80..BF 80..BF     (F4 90.. would exceed U+10FFFF)
 * Never reads outside [s, s+n). s may be NULL only when n is 0. */
bool val_utf8(const char *s, size_t n) {
    if (n == 0) return true;
    if (s == NULL) return false;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x01 && c <= 0x7F) {
            i++;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false; /* NUL, stray continuation byte, C0, C1 or F5..FF */
        }
        if (n - i < len) return false; /* truncated sequence */
        if (p[i + 1] < lo || p[i + 1] > hi) return false;
        for (size_t k = 2; k < len; k++)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF) return false;
        i += len;
    }
    return true;
}

/* Number of code points in the NUL-terminated string s: the count of bytes that are not UTF-8
 * continuation bytes (10xxxxxx). Meaningful for valid UTF-8; never reads past the NUL. */
size_t val_utf8_len(const char *s) {
    if (s == NULL) return 0;
    size_t count = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if ((*p & 0xC0) != 0x80) count++;
    return count;
}

/* ------------------------------------------------------------------------------------------------
 * Password policy.
 */

enum { PW_MIN_CHARS = 8, PW_MAX_BYTES = 128 };

/* True when s is valid UTF-8 of at least PW_MIN_CHARS code points and at most PW_MAX_BYTES bytes
 * using at least three of the classes: ASCII lower case, ASCII upper case, ASCII digit, other
 * (punctuation, space and every non-ASCII character such as 汉字). Invalid UTF-8 is refused because
 * its length in characters is undefined. */
bool val_password_policy(const char *s) {
    if (s == NULL) return false;
    size_t n = 0;
    while (n <= PW_MAX_BYTES && s[n] != '\0') n++; /* stops one byte past the limit at most */
    if (n > PW_MAX_BYTES || !val_utf8(s, n) || val_utf8_len(s) < PW_MIN_CHARS) return false;
    bool lower = false, upper = false, digit = false, other = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') lower = true;
        else if (c >= 'A' && c <= 'Z') upper = true;
        else if (is_digit(c)) digit = true;
        else other = true;
    }
    return (int)lower + (int)upper + (int)digit + (int)other >= 3;
}

/* ------------------------------------------------------------------------------------------------
 * Masking.
 */

/* Number of bytes of the character starting at p (at most the bytes before the NUL): 1 plus the
 * continuation bytes that follow. Works on any input; invalid UTF-8 just gives short characters. */
static size_t char_bytes(const unsigned char *p) {
    size_t k = 1;
    while (p[k] != '\0' && (p[k] & 0xC0) == 0x80) k++;
    return k;
}

/* Writes a masked copy of s into out (outsz bytes): the first 3 and last 4 characters (code points,
 * so a multi-byte character is never cut in half) kept and each character between them replaced by
 * one '*'. Strings of 7 characters or fewer, where keeping 3 + 4 would reveal everything, become
 * one '*' per character. Output that does not fit is cut at a character boundary; out is always
 * NUL-terminated when outsz > 0. A NULL s gives "". */
void val_mask_phone(const char *s, char *out, size_t outsz) {
    if (out == NULL || outsz == 0) return;
    out[0] = '\0';
    if (s == NULL) return;

    const unsigned char *p = (const unsigned char *)s;
    size_t nchars = 0;
    for (size_t i = 0; p[i] != '\0'; i += char_bytes(p + i)) nchars++;
    bool full = nchars <= 7;

    size_t o = 0, idx = 0;
    for (size_t i = 0; p[i] != '\0'; idx++) {
        size_t k = char_bytes(p + i);
        bool keep = !full && (idx < 3 || idx >= nchars - 4);
        size_t need = keep ? k : 1;
        if (o + need >= outsz) break; /* keep room for the NUL */
        if (keep) memcpy(out + o, s + i, k);
        else out[o] = '*';
        o += need;
        i += k;
    }
    assert(o < outsz);
    out[o] = '\0';
}
