/*
 * rc.c — the one table from error codes to HTTP statuses and problem types; Fail helpers.
 */
#include "core/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int status;
    const char *slug;
    const char *title;
} rc_table[RC__COUNT] = {
    [RC_OK] = {200, "ok", "OK"},
    [RC_BAD_REQUEST] = {400, "bad-request", "Malformed request"},
    [RC_UNAUTHENTICATED] = {401, "unauthenticated", "Authentication required"},
    [RC_SESSION_EXPIRED] = {401, "session-expired", "Session expired"},
    [RC_BAD_CREDENTIALS] = {401, "bad-credentials", "Wrong user name or password"},
    [RC_PW_CHANGE] = {403, "password-change-required", "Password change required"},
    [RC_CSRF] = {403, "csrf", "Missing or invalid CSRF token"},
    [RC_FORBIDDEN] = {403, "forbidden", "Not permitted for this role"},
    [RC_NOT_FOUND] = {404, "not-found", "Not found"},
    [RC_METHOD] = {405, "method-not-allowed", "Method not allowed"},
    [RC_CONFLICT] = {409, "conflict", "Conflict"},
    [RC_PRECONDITION] = {412, "precondition-failed", "Record changed since it was read"},
    [RC_TOO_LARGE] = {413, "payload-too-large", "Request body too large"},
    [RC_MEDIA_TYPE] = {415, "unsupported-media-type", "Unsupported content type"},
    [RC_LOCKED] = {423, "account-locked", "Account locked"},
    [RC_VALIDATION] = {422, "validation", "Validation failed"},
    [RC_RATE_LIMITED] = {429, "rate-limited", "Too many failed attempts from this address"},
    [RC_UNAVAILABLE] = {503, "unavailable", "Service unavailable"},
    [RC_INTERNAL] = {500, "internal", "Internal error"},
};

int rc_status(Rc rc) { return rc >= 0 && rc < RC__COUNT ? rc_table[rc].status : 500; }
const char *rc_slug(Rc rc) { return rc >= 0 && rc < RC__COUNT ? rc_table[rc].slug : "internal"; }
const char *rc_title(Rc rc) { return rc >= 0 && rc < RC__COUNT ? rc_table[rc].title : "Internal error"; }

Rc fail_at(Fail *f, const char *file, int line, Rc rc, const char *fmt, ...) {
    if (f->rc != RC_OK) return f->rc;
    f->rc = rc;
    f->file = file;
    f->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->detail, sizeof f->detail, fmt, ap);
    va_end(ap);
    return rc;
}

void fail_field(Fail *f, const char *field, const char *rule, json_t *params) {
    if (!f->errors) f->errors = json_array();
    json_t *e = json_pack("{s:s, s:s}", "field", field, "rule", rule);
    if (e && params) json_object_set_new(e, "params", params);
    else if (params) json_decref(params);
    if (f->errors && e) json_array_append_new(f->errors, e);
    else json_decref(e);
}

void fail_field_n(Fail *f, const char *field, const char *rule, const char *key, long long v) {
    fail_field(f, field, rule, json_pack("{s:I}", key, (json_int_t)v));
}

size_t fail_nfields(const Fail *f) { return f->errors ? json_array_size(f->errors) : 0; }

Rc fail_fields_at(Fail *f, const char *file, int line) {
    size_t n = fail_nfields(f);
    if (n == 0) return RC_OK;
    return fail_at(f, file, line, RC_VALIDATION, "%zu field%s invalid", n, n == 1 ? " is" : "s are");
}

void fail_extra(Fail *f, const char *key, json_t *value) {
    if (!f->extra) f->extra = json_object();
    if (f->extra) json_object_set_new(f->extra, key, value);
    else json_decref(value);
}

void fail_clear(Fail *f) {
    json_decref(f->errors);
    json_decref(f->extra);
    memset(f, 0, sizeof *f);
}
