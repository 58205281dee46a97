/*
 * req.c — request helpers; see req.h.
 */
#include "http/req.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/validate.h"

int64_t req_param_id(const Req *r, int i) {
    if (i < 0 || i >= r->nparams) return 0;
    const char *s = r->params[i];
    if (!*s || strlen(s) > 15) return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

const char *req_query(const Req *r, const char *name) {
    const char *v = r->lookup(r, REQ_QUERY, name);
    return v && *v ? v : NULL;
}

const char *req_header(const Req *r, const char *name) {
    return r->lookup(r, REQ_HEADER, name);
}

const char *req_cookie(const Req *r, const char *name) { return r->lookup(r, REQ_COOKIE, name); }

bool req_query_int(Req *r, const char *name, int64_t dflt, int64_t min, int64_t max, int64_t *out) {
    const char *s = req_query(r, name);
    *out = dflt;
    if (!s) return true;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s) {
        fail_field(&r->fail, name, "type", json_pack("{s:s}", "expected", "integer"));
        return false;
    }
    if (v < min || v > max) {
        fail_field(&r->fail, name, "range", json_pack("{s:I, s:I}", "min", (json_int_t)min, "max", (json_int_t)max));
        return false;
    }
    *out = v;
    return true;
}

bool req_page(Req *r, int *page, int *page_size) {
    int64_t p, s;
    bool ok = req_query_int(r, "page", 1, 1, 1000000, &p);
    ok = req_query_int(r, "page_size", 20, 1, 200, &s) && ok;
    *page = (int)p;
    *page_size = (int)s;
    return ok;
}

const char *req_query_enum(Req *r, const char *name, const char *const *enumv) {
    const char *s = req_query(r, name);
    if (!s) return NULL;
    for (const char *const *e = enumv; *e; e++)
        if (strcmp(*e, s) == 0) return s;
    fail_field(&r->fail, name, "enum", NULL);
    return NULL;
}

const char *req_query_date(Req *r, const char *name) {
    const char *s = req_query(r, name);
    if (!s) return NULL;
    if (!val_date(s)) {
        fail_field(&r->fail, name, "date", NULL);
        return NULL;
    }
    return s;
}

void req_reply(Req *r, int status, const char *json_text) {
    r->status = status;
    buf_reset(&r->out);
    buf_puts(&r->out, json_text);
    r->ctype = "application/json";
}

void req_reply_json(Req *r, int status, json_t *j) {
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    r->status = status;
    buf_reset(&r->out);
    if (s) buf_puts(&r->out, s);
    else r->out.oom = true;
    free(s);
    r->ctype = "application/json";
}

void req_no_content(Req *r) {
    r->status = 204;
    buf_reset(&r->out);
}

Rc req_check_if_match(Req *r, int64_t version) {
    const char *im = req_header(r, "If-Match");
    if (!im || strcmp(im, "*") == 0) return RC_OK;
    char want[40];
    snprintf(want, sizeof want, "\"%lld\"", (long long)version);
    const char *p = im;
    if (strncmp(p, "W/", 2) == 0) p += 2;
    if (strcmp(p, want) == 0) return RC_OK;
    char bare[32];
    snprintf(bare, sizeof bare, "%lld", (long long)version);
    if (strcmp(p, bare) == 0) return RC_OK;
    fail_extra(&r->fail, "current_version", json_integer(version));
    return rc_fail(&r->fail, RC_PRECONDITION, "the record is at version %lld; reload and retry", (long long)version);
}

void req_set_etag(Req *r, int64_t version) {
    snprintf(r->etag, sizeof r->etag, "\"%lld\"", (long long)version);
}

Rc req_render(Req *r) {
    buf_reset(&r->out);
    Rc rc = r->render(r->db, &r->actor, r->render_id, &r->out, &r->fail);
    r->render = NULL;
    if (rc != RC_OK) return rc;
    r->ctype = "application/json";
    req_etag_from_body(r);
    return RC_OK;
}

void req_etag_from_body(Req *r) {
    const char *s = buf_str(&r->out);
    /* The answer's top-level "version" is the last member SQLite renders for records. */
    const char *p = strstr(s, "\"version\":");
    if (!p) return;
    long long v = strtoll(p + 10, NULL, 10);
    if (v > 0) req_set_etag(r, v);
}
