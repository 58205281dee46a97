/*
 * jsonh.h — JSON input helpers over jansson: parsing a request body with a depth limit and a
 * byte position on error, and declarative validation of an object's fields (type, required,
 * length in characters, range, enumeration, a check function) that records every bad field.
 */
#ifndef SANQU_UTIL_JSONH_H
#define SANQU_UTIL_JSONH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/rc.h"

enum { JH_MAX_DEPTH = 32 };

typedef enum JfType {
    JF_STR,   /* string; min/max are lengths in characters */
    JF_TEXT,  /* string that may hold line breaks */
    JF_INT,   /* integer; min/max are the range */
    JF_ID,    /* positive integer id (or null when not required) */
    JF_BOOL,  /* true/false */
    JF_DATE,  /* "YYYY-MM-DD", a real date */
    JF_ARRAY, /* array; min/max are element counts */
} JfType;

typedef struct JField {
    const char *name;            /* member name */
    JfType type;                 /* expected type */
    bool required;               /* absent, null or "" is an error */
    long long min, max;          /* see JfType; max 0 means no limit */
    const char *const *enumv;    /* NULL-terminated allowed values for strings, or NULL */
    bool (*check)(const char *); /* extra check for strings, or NULL */
    const char *rule;            /* rule name reported when check fails */
} JField;

/* Parses len bytes as a JSON object. Rejects nesting deeper than JH_MAX_DEPTH, NUL bytes and
 * anything but an object at the top. On error records RC_BAD_REQUEST (with member "position")
 * and returns NULL. The caller owns the returned reference. */
json_t *jh_parse_object(const char *data, size_t len, Fail *f);

/* Maximum nesting depth of the JSON text (strings are skipped); stops counting past limit. */
int jh_depth(const char *data, size_t len, int limit);

/* Validates obj against n field declarations, adding a field error for each problem. Returns the
 * number of errors added. Unknown members are ignored. */
int jh_validate(json_t *obj, const JField *fields, int n, Fail *f);

/* Member accessors: NULL / 0 / false when absent, null or of another type. A string of length 0
 * yields NULL. */
const char *jh_str(json_t *obj, const char *name);
int64_t jh_int(json_t *obj, const char *name);
bool jh_bool(json_t *obj, const char *name, bool dflt);
/* True when the member is present (even if null). */
bool jh_has(json_t *obj, const char *name);

#endif
