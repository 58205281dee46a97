/*
 * fuzz_json.c — libFuzzer target for the JSON input helpers (src/util/jsonh.c): jh_parse_object,
 * jh_depth and jh_validate, the code every JSON request body goes through.
 *
 * The input is a request body. Properties checked, beyond ASan and UBSan:
 *   - jh_parse_object succeeds exactly when jansson parses the text (duplicates rejected) as an
 *     object nested at most JH_MAX_DEPTH deep, and then gives the same value; on failure it records
 *     RC_BAD_REQUEST, and "position" (a byte offset within the input) unless the depth was the
 *     reason;
 *   - for any text jansson parses, jh_depth equals the nesting depth of the parsed value;
 *   - jh_validate, over a table of field declarations with every type, length limits, ranges,
 *     enumerations and check functions, records exactly the errors (field, rule, limit) that the
 *     contract in jsonh.h gives, in declaration order, and returns their number.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/jsonh.h"
#include "util/validate.h"

static const char *const kinds[] = {"district", "town", "community", "park", "enterprise", NULL};

/* Field declarations covering every JfType and option; names are those of real request bodies. */
static const JField fields[] = {
    {"kind", JF_STR, true, 0, 0, kinds, NULL, NULL},
    {"name", JF_STR, true, 1, 100, NULL, NULL, NULL},
    {"parent_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"short_name", JF_STR, false, 0, 50, NULL, NULL, NULL},
    {"credit_code", JF_STR, false, 0, 18, NULL, val_credit_code, "credit_code"},
    {"note", JF_TEXT, false, 0, 1000, NULL, NULL, NULL},
    {"username", JF_STR, false, 3, 32, NULL, val_username, "format"},
    {"phone", JF_STR, false, 0, 20, NULL, val_mobile, "mobile"},
    {"password", JF_STR, false, 0, 128, NULL, val_password_policy, "password_policy"},
    {"joined_on", JF_DATE, false, 0, 0, NULL, NULL, NULL},
    {"term_end", JF_DATE, true, 0, 0, NULL, NULL, NULL},
    {"page", JF_INT, false, 1, 1000, NULL, NULL, NULL},
    {"offset", JF_INT, false, -5, 0, NULL, NULL, NULL},
    {"count", JF_ID, false, 0, 99, NULL, NULL, NULL},
    {"disabled", JF_BOOL, false, 0, 0, NULL, NULL, NULL},
    {"parties", JF_ARRAY, true, 2, 50, NULL, NULL, NULL},
    {"tags", JF_ARRAY, false, 0, 3, NULL, NULL, NULL},
    {"duty", JF_TEXT, true, 2, 5, NULL, NULL, NULL},
};
enum { NFIELDS = sizeof fields / sizeof fields[0] };

/* Nesting depth of a parsed value: 0 for a scalar, 1 + the deepest member for a container. */
static int value_depth(json_t *v) {
    int d = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach(v, k, m) {
            int x = value_depth(m);
            if (x > d) d = x;
        }
        return d + 1;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) {
            int x = value_depth(m);
            if (x > d) d = x;
        }
        return d + 1;
    }
    return 0;
}

/* Code points in a valid UTF-8 string (bytes that do not continue a character). */
static long ref_chars(const char *s) {
    long n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p >> 6) != 2;
    return n;
}

/* True when s has a control character: C0 or DEL, except tab, CR and LF in text. */
static bool ref_control(const char *s, bool text) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0x7f) return true;
        if (*p < 0x20 && !(text && (*p == '\t' || *p == '\n' || *p == '\r'))) return true;
    }
    return false;
}

/* Appends {field, rule} with an optional integer limit to the expected errors. */
static void expect(json_t *want, const char *field, const char *rule, const char *key, long long v) {
    json_t *e = json_pack("{s:s, s:s}", "field", field, "rule", rule);
    if (key) json_object_set_new(e, "params", json_pack("{s:I}", key, (json_int_t)v));
    json_array_append_new(want, e);
}

/* The errors jh_validate must record for obj, by the contract. */
static json_t *ref_validate(json_t *obj) {
    json_t *want = json_array();
    for (int i = 0; i < NFIELDS; i++) {
        const JField *fd = &fields[i];
        json_t *v = json_object_get(obj, fd->name);
        if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
            if (fd->required) expect(want, fd->name, "required", NULL, 0);
            continue;
        }
        switch (fd->type) {
        case JF_STR:
        case JF_TEXT:
        case JF_DATE: {
            if (!json_is_string(v)) { expect(want, fd->name, "type", NULL, 0); break; }
            const char *s = json_string_value(v);
            if (fd->type == JF_DATE) {
                if (!val_date(s)) expect(want, fd->name, "date", NULL, 0);
                break;
            }
            long n = ref_chars(s);
            bool in_enum = !fd->enumv;
            for (const char *const *e = fd->enumv; e && *e; e++) in_enum = in_enum || strcmp(*e, s) == 0;
            if (ref_control(s, fd->type == JF_TEXT)) expect(want, fd->name, "format", NULL, 0);
            else if (fd->min > 0 && n < fd->min) expect(want, fd->name, "min_length", "min", fd->min);
            else if (fd->max > 0 && n > fd->max) expect(want, fd->name, "max_length", "max", fd->max);
            else if (!in_enum) expect(want, fd->name, "enum", NULL, 0);
            else if (fd->check && !fd->check(s)) expect(want, fd->name, fd->rule, NULL, 0);
            break;
        }
        case JF_INT:
        case JF_ID: {
            if (!json_is_integer(v)) { expect(want, fd->name, "type", NULL, 0); break; }
            long long x = json_integer_value(v);
            long long lo = fd->type == JF_ID ? 1 : fd->min;
            long long hi = fd->max ? fd->max : (fd->type == JF_ID ? (1LL << 53) : 0);
            if (x < lo || (hi && x > hi)) expect(want, fd->name, "range", NULL, 0);
            break;
        }
        case JF_BOOL:
            if (!json_is_boolean(v)) expect(want, fd->name, "type", NULL, 0);
            break;
        case JF_ARRAY:
            if (!json_is_array(v)) { expect(want, fd->name, "type", NULL, 0); break; }
            if (fd->min && (long long)json_array_size(v) < fd->min) expect(want, fd->name, "min_items", "min", fd->min);
            else if (fd->max && (long long)json_array_size(v) > fd->max) expect(want, fd->name, "max_items", "max", fd->max);
            break;
        }
    }
    return want;
}

/* Compares recorded errors with the expected ones: same fields and rules in the same order, and
 * the same limit where one is expected. */
static void compare_errors(json_t *got, json_t *want) {
    size_t n = json_array_size(want);
    if (json_array_size(got) != n) {
        char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
        fprintf(stderr, "got %s\nwant %s\n", g ? g : "null", w ? w : "null");
        free(g);
        free(w);
        REQUIRE(json_array_size(got) == n);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *g = json_array_get(got, i), *w = json_array_get(want, i);
        REQUIRE(json_equal(json_object_get(g, "field"), json_object_get(w, "field")));
        REQUIRE(json_equal(json_object_get(g, "rule"), json_object_get(w, "rule")));
        json_t *wp = json_object_get(w, "params");
        if (wp) REQUIRE(json_equal(json_object_get(g, "params"), wp));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *in = (const char *)data;
    Fail f = {0};
    json_t *obj = jh_parse_object(in, size, &f);
    json_error_t err;
    json_t *ref = json_loadb(in, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    int depth = ref ? value_depth(ref) : -1;
    if (ref) REQUIRE(jh_depth(in, size, 1 << 20) == depth);

    bool want_ok = ref && json_is_object(ref) && depth <= JH_MAX_DEPTH;
    REQUIRE((obj != NULL) == want_ok);
    if (obj) {
        REQUIRE(f.rc == RC_OK && json_equal(obj, ref));
    } else {
        REQUIRE(f.rc == RC_BAD_REQUEST);
        if (jh_depth(in, size, JH_MAX_DEPTH) <= JH_MAX_DEPTH) {
            json_t *pos = json_object_get(f.extra, "position");
            REQUIRE(json_is_integer(pos) && json_integer_value(pos) >= 0 &&
                    (size_t)json_integer_value(pos) <= size);
        }
    }
    fail_clear(&f);

    if (obj) {
        int n = jh_validate(obj, fields, NFIELDS, &f);
        json_t *want = ref_validate(obj);
        REQUIRE(n == (int)fail_nfields(&f));
        compare_errors(f.errors ? f.errors : want, want);
        if (!f.errors) REQUIRE(json_array_size(want) == 0);
        REQUIRE(f.rc == RC_OK); /* jh_validate records fields only; fail_fields raises */
        json_decref(want);
        fail_clear(&f);
    }
    json_decref(ref);
    json_decref(obj);
    return 0;
}
