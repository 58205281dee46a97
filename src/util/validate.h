/*
 * validate.h — pure validators for the values sanqu accepts: Chinese identifiers with check digits
 * (统一社会信用代码 GB 32100-2015, 身份证号 GB 11643-1999), mobile numbers, calendar dates,
 * passwords, user names and UTF-8 text. No allocation, no global state; every function is
 * thread-safe and takes NUL-terminated input unless a length is given.
 */
#ifndef SANQU_UTIL_VALIDATE_H
#define SANQU_UTIL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* True when s is an 18-character unified social credit code whose check character matches
 * GB 32100-2015 (charset 0-9 A-H J-N P-R T U W-Y, weights 3^i mod 31). Upper case only. */
bool val_credit_code(const char *s);

/* Writes into out[19] the 18-character credit code made of the 17-character body plus its check
 * character. Returns false when body is not 17 characters of the charset. */
bool val_credit_code_make(const char *body17, char out[19]);

/* True when s is an 18-character resident ID number (17 digits + check digit 0-9 or X, ISO 7064
 * MOD 11-2) whose birth date (characters 7-14) is a real date not after today. */
bool val_id_number(const char *s);

/* True for a mainland mobile number: 11 digits, "1" then 3-9, then 9 digits. */
bool val_mobile(const char *s);

/* True for a real Gregorian date written exactly YYYY-MM-DD with year 1900-2199. */
bool val_date(const char *s);

/* Password policy: at least 8 characters (code points) and at most 128 bytes, with at least three
 * of the four classes lower case, upper case, digit, other. Returns true when it holds. */
bool val_password_policy(const char *s);

/* User name: 3-32 characters of [a-z0-9_.-], starting with a letter or digit. */
bool val_username(const char *s);

/* True when the n bytes at s are strict UTF-8: no overlong forms, no surrogates (U+D800-DFFF),
 * nothing above U+10FFFF, and no NUL byte. */
bool val_utf8(const char *s, size_t n);

/* Number of code points in the NUL-terminated UTF-8 string s (assumed valid). */
size_t val_utf8_len(const char *s);

/* Writes a masked copy of a phone number into out (size outsz): the first 3 and last 4 characters
 * kept, the middle replaced by '*' (e.g. 138****5678). Shorter strings are fully masked.
 * Always NUL-terminates when outsz > 0. */
void val_mask_phone(const char *s, char *out, size_t outsz);

#endif
