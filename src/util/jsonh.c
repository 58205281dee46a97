/*
 * jsonh.c — see jsonh.h.
 */
#include "util/jsonh.h"

#include <string.h>

#include "util/validate.h"

int jh_depth(const char *data, size_t len, int limit) {
    int depth = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
            continue;
        }
        if (c == '"') in_str = true;
        else if (c == '{' || c == '[') {
            if (++depth > max) max = depth;
            if (max > limit) return max;
        } else if (c == '}' || c == ']') depth--;
    }
    return max;
}

json_t *jh_parse_object(const char *data, size_t len, Fail *f) {
    if (jh_depth(data, len, JH_MAX_DEPTH) > JH_MAX_DEPTH) {
        rc_fail(f, RC_BAD_REQUEST, "JSON nested deeper than %d levels", JH_MAX_DEPTH);
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        rc_fail(f, RC_BAD_REQUEST, "malformed JSON at byte %d: %s", err.position, err.text);
        fail_extra(f, "position", json_integer(err.position));
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        rc_fail(f, RC_BAD_REQUEST, "the body must be a JSON object");
        fail_extra(f, "position", json_integer(0));
        return NULL;
    }
    return j;
}

static bool has_control(const char *s, bool allow_newline) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0x7f) return true;
        if (*p < 0x20) {
            if (allow_newline && (*p == '\n' || *p == '\r' || *p == '\t')) continue;
            return true;
        }
    }
    return false;
}

static void check_string(const JField *fd, const char *s, Fail *f) {
    size_t n = val_utf8_len(s);
    if (has_control(s, fd->type == JF_TEXT)) {
        fail_field(f, fd->name, "format", NULL);
        return;
    }
    if (fd->min > 0 && n < (size_t)fd->min) {
        fail_field_n(f, fd->name, "min_length", "min", fd->min);
        return;
    }
    if (fd->max > 0 && n > (size_t)fd->max) {
        fail_field_n(f, fd->name, "max_length", "max", fd->max);
        return;
    }
    if (fd->enumv) {
        bool ok = false;
        for (const char *const *e = fd->enumv; *e; e++)
            if (strcmp(*e, s) == 0) { ok = true; break; }
        if (!ok) {
            json_t *allowed = json_array();
            for (const char *const *e = fd->enumv; *e; e++) json_array_append_new(allowed, json_string(*e));
            fail_field(f, fd->name, "enum", json_pack("{s:o}", "allowed", allowed));
            return;
        }
    }
    if (fd->check && !fd->check(s)) fail_field(f, fd->name, fd->rule ? fd->rule : "format", NULL);
}

int jh_validate(json_t *obj, const JField *fields, int n, Fail *f) {
    size_t before = fail_nfields(f);
    for (int i = 0; i < n; i++) {
        const JField *fd = &fields[i];
        json_t *v = json_object_get(obj, fd->name);
        bool empty = !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
        if (empty) {
            if (fd->required) fail_field(f, fd->name, "required", NULL);
            continue;
        }
        switch (fd->type) {
        case JF_STR:
        case JF_TEXT:
        case JF_DATE:
            if (!json_is_string(v)) { fail_field(f, fd->name, "type", json_pack("{s:s}", "expected", "string")); break; }
            if (fd->type == JF_DATE) {
                if (!val_date(json_string_value(v))) fail_field(f, fd->name, "date", NULL);
            } else {
                check_string(fd, json_string_value(v), f);
            }
            break;
        case JF_INT:
        case JF_ID: {
            if (!json_is_integer(v)) { fail_field(f, fd->name, "type", json_pack("{s:s}", "expected", "integer")); break; }
            json_int_t x = json_integer_value(v);
            long long lo = fd->type == JF_ID ? 1 : fd->min;
            long long hi = fd->max ? fd->max : (fd->type == JF_ID ? (1LL << 53) : 0);
            if (x < lo || (hi && x > hi))
                fail_field(f, fd->name, "range", json_pack("{s:I, s:I}", "min", (json_int_t)lo, "max", (json_int_t)hi));
            break;
        }
        case JF_BOOL:
            if (!json_is_boolean(v)) fail_field(f, fd->name, "type", json_pack("{s:s}", "expected", "boolean"));
            break;
        case JF_ARRAY:
            if (!json_is_array(v)) { fail_field(f, fd->name, "type", json_pack("{s:s}", "expected", "array")); break; }
            if (fd->min && json_array_size(v) < (size_t)fd->min) fail_field_n(f, fd->name, "min_items", "min", fd->min);
            else if (fd->max && json_array_size(v) > (size_t)fd->max) fail_field_n(f, fd->name, "max_items", "max", fd->max);
            break;
        }
    }
    return (int)(fail_nfields(f) - before);
}

const char *jh_str(json_t *obj, const char *name) {
    json_t *v = json_object_get(obj, name);
    if (!json_is_string(v) || json_string_length(v) == 0) return NULL;
    return json_string_value(v);
}

int64_t jh_int(json_t *obj, const char *name) {
    json_t *v = json_object_get(obj, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

bool jh_bool(json_t *obj, const char *name, bool dflt) {
    json_t *v = json_object_get(obj, name);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

bool jh_has(json_t *obj, const char *name) { return json_object_get(obj, name) != NULL; }
