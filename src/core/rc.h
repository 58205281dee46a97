/*
 * rc.h — errors as values with one mapping. Every fallible function in core/, store/ and http/
 * returns an Rc; one table (rc.c) maps each to an HTTP status, a problem+json type slug and a title.
 * Details travel in a Fail owned by the request: the message, the field errors (field, rule,
 * params) and any extra problem members, plus the source position where the error was raised.
 */
#ifndef SANQU_CORE_RC_H
#define SANQU_CORE_RC_H

#include <jansson.h>

typedef enum Rc {
    RC_OK = 0,
    RC_BAD_REQUEST,       /* 400 malformed syntax */
    RC_UNAUTHENTICATED,   /* 401 no session */
    RC_SESSION_EXPIRED,   /* 401 idle or absolute limit passed */
    RC_BAD_CREDENTIALS,   /* 401 wrong user name or password */
    RC_PW_CHANGE,         /* 403 must change the password first */
    RC_CSRF,              /* 403 missing or wrong CSRF token */
    RC_FORBIDDEN,         /* 403 role lacks the capability */
    RC_NOT_FOUND,         /* 404 absent or out of scope */
    RC_METHOD,            /* 405 */
    RC_CONFLICT,          /* 409 referenced, duplicate or wrong state */
    RC_PRECONDITION,      /* 412 stale If-Match */
    RC_TOO_LARGE,         /* 413 */
    RC_MEDIA_TYPE,        /* 415 */
    RC_LOCKED,            /* 423 account locked */
    RC_VALIDATION,        /* 422 field errors */
    RC_RATE_LIMITED,      /* 429 client address locked */
    RC_UNAVAILABLE,       /* 503 disk full, read-only, busy */
    RC_INTERNAL,          /* 500 */
    RC__COUNT
} Rc;

/* Error details for one request. Owned by the request; fail_clear releases it. */
typedef struct Fail {
    Rc rc;              /* the first error raised (RC_OK when none) */
    char detail[256];   /* human-readable detail for developers (English) */
    json_t *errors;     /* array of {field, rule, params?}, or NULL */
    json_t *extra;      /* object of extra problem members (e.g. references), or NULL */
    const char *file;   /* where the error was raised */
    int line;
} Fail;

/* Static facts about an Rc. */
int rc_status(Rc rc);
const char *rc_slug(Rc rc);
const char *rc_title(Rc rc);

/* Records an error (the first one wins for rc and detail) and returns rc. */
Rc fail_at(Fail *f, const char *file, int line, Rc rc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
#define rc_fail(f, rc, ...) fail_at((f), __FILE__, __LINE__, (rc), __VA_ARGS__)

/* Adds a field error {field, rule} (params may be NULL; the reference is stolen). Does not change
 * rc: call fail_fields() after validating every field. */
void fail_field(Fail *f, const char *field, const char *rule, json_t *params);
/* Same with one integer parameter, e.g. fail_field_n(f, "name", "max_length", "max", 100). */
void fail_field_n(Fail *f, const char *field, const char *rule, const char *key, long long v);
/* Number of field errors recorded so far. */
size_t fail_nfields(const Fail *f);
/* When field errors exist, raises RC_VALIDATION and returns it; otherwise RC_OK. */
Rc fail_fields_at(Fail *f, const char *file, int line);
#define fail_fields(f) fail_fields_at((f), __FILE__, __LINE__)
/* Sets an extra problem member (reference stolen). */
void fail_extra(Fail *f, const char *key, json_t *value);
/* Releases what the Fail holds and resets it to RC_OK. */
void fail_clear(Fail *f);

#endif
