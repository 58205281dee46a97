/*
 * api_misc.c — health, enumerations, figures and the audit log; plus helpers shared by handlers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "config.h"
#include "core/audit.h"
#include "core/liaison.h"
#include "core/org.h"
#include "core/stats.h"

Rc api_health(Req *r) {
    int64_t one = 0;
    Rc rc = db_int(r->db, &r->fail, &one, "SELECT 1", NULL);
    if (rc != RC_OK) return rc;
    req_reply(r, 200, "{\"status\":\"ok\",\"version\":\"" SANQU_VERSION "\"}");
    return RC_OK;
}

static json_t *strings(const char *const *v) {
    json_t *a = json_array();
    for (; *v; v++) json_array_append_new(a, json_string(*v));
    return a;
}

Rc api_meta(Req *r) {
    req_reply_json(r, 200,
                   json_pack("{s:o, s:o, s:o, s:o, s:s}", "org_kinds", strings(org_kinds), "member_kinds",
                             strings(member_kinds), "roles", strings(role_names), "liaison_kinds",
                             strings(liaison_kinds), "version", SANQU_VERSION));
    return RC_OK;
}

Rc api_stats_overview(Req *r) {
    Rc rc = stats_overview(r->db, &r->actor, &r->out, &r->fail);
    if (rc == RC_OK) {
        r->status = 200;
        r->ctype = "application/json";
    }
    return rc;
}

Rc api_audit_list(Req *r) {
    static const char *const actions[] = {"login", "login_failed", "logout", "lockout", "unlock", "lock",
                                          "create", "update", "delete", "import", "password_change",
                                          "password_reset", "role_change", "pii_read", NULL};
    int page, size;
    req_page(r, &page, &size);
    const char *action = req_query_enum(r, "action", actions);
    const char *from = req_query_date(r, "from");
    const char *to = req_query_date(r, "to");
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = audit_list(r->db, &r->fail, action, req_query(r, "username"), req_query(r, "object_type"), from, to,
                    page, size, &r->out);
    if (rc == RC_OK) {
        r->status = 200;
        r->ctype = "application/json";
    }
    return rc;
}

int64_t api_if_match(Req *r) {
    const char *im = req_header(r, "If-Match");
    if (!im || strcmp(im, "*") == 0) return 0;
    const char *p = im;
    if (strncmp(p, "W/", 2) == 0) p += 2;
    if (*p == '"') p++;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (end == p || v <= 0 || (*end && !(*end == '"' && end[1] == 0))) {
        rc_fail(&r->fail, RC_PRECONDITION, "If-Match must be a version ETag such as \"3\"");
        return -1;
    }
    return v;
}

Rc api_record(Req *r, int status, const char *location_prefix, int64_t id,
              Rc (*get)(Db *, const Actor *, int64_t, Buf *, Fail *)) {
    r->render = get;
    r->render_id = id;
    if (!r->render_later) {
        Rc rc = req_render(r);
        if (rc != RC_OK) return rc;
    }
    r->status = status;
    if (location_prefix) snprintf(r->location, sizeof r->location, "%s/%lld", location_prefix, (long long)id);
    return RC_OK;
}

Rc api_upload(Req *r, const char *what, ApiFileAdd add, Rc (*list)(Db *, const Actor *, int64_t, Buf *, Fail *),
              const char *collection, const char *files) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such %s", what);
    const char *ct = req_header(r, "Content-Type");
    char mime[128] = "";
    if (ct) snprintf(mime, sizeof mime, "%.*s", (int)strcspn(ct, "; "), ct);
    const char *name = req_query(r, "name");
    if (!name) {
        fail_field(&r->fail, "name", "required", NULL);
        return fail_fields(&r->fail);
    }
    int64_t fid = 0;
    Rc rc = add(r->db, &r->actor, id, r->cfg->files_dir, name, mime, r->body.data, r->body.len, &fid, &r->fail);
    if (rc != RC_OK) return rc;
    buf_reset(&r->out);
    rc = list(r->db, &r->actor, id, &r->out, &r->fail);
    if (rc == RC_OK) {
        r->status = 201;
        r->ctype = "application/json";
        snprintf(r->location, sizeof r->location, "/api/v1/%s/%lld/%s/%lld", collection, (long long)id, files, (long long)fid);
    }
    return rc;
}

/* RFC 5987 encoding of a file name for Content-Disposition. */
static void disposition(char *out, size_t n, const char *kind, const char *name) {
    size_t k = (size_t)snprintf(out, n, "%s; filename*=UTF-8''", kind);
    for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            out[k++] = (char)*p;
        else
            k += (size_t)snprintf(out + k, n - k, "%%%02X", *p);
    }
    out[k < n ? k : n - 1] = 0;
}

Rc api_send_file(Req *r, const char *what, ApiFileOpen open, bool inline_) {
    int64_t id = req_param_id(r, 0), fid = req_param_id(r, 1);
    if (!id || !fid) return rc_fail(&r->fail, RC_NOT_FOUND, "no such %s", what);
    static _Thread_local char mime[128]; /* r->ctype points here until the answer is sent */
    char name[256];
    int fd = -1;
    uint64_t size = 0;
    Rc rc = open(r->db, &r->actor, id, fid, r->cfg->files_dir, &fd, &size, mime, name, &r->fail);
    if (rc != RC_OK) return rc;
    r->send_fd = fd;
    r->send_size = size;
    r->ctype = mime;
    r->status = 200;
    disposition(r->disposition, sizeof r->disposition, inline_ ? "inline" : "attachment", name);
    return RC_OK;
}
