/*
 * api_activity.c — neighbourhood services and events, their photos and figures over HTTP.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/activity.h"

Rc api_activity_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    ActivityFilter flt = {.area_id = -1, .center_id = -1, .org_id = -1};
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &flt.area_id);
    req_query_int(r, "center_id", -1, 1, INT64_MAX, &flt.center_id);
    req_query_int(r, "org_id", -1, 1, INT64_MAX, &flt.org_id);
    flt.kind = req_query(r, "kind");
    flt.from = req_query_date(r, "from");
    flt.to = req_query_date(r, "to");
    flt.q = req_query(r, "q");
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = activity_list(r->db, &r->actor, &flt, page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_activity_figures(Req *r) {
    int64_t area;
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &area);
    const char *from = req_query_date(r, "from"), *to = req_query_date(r, "to");
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = activity_figures(r->db, &r->actor, area, from, to, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_activity_get(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such activity");
    return api_record(r, 200, NULL, id, activity_get);
}

Rc api_activity_create(Req *r) {
    int64_t id = 0;
    Rc rc = activity_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/activities", id, activity_get);
}

Rc api_activity_update(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such activity");
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = activity_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, activity_get);
}

Rc api_activity_delete(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such activity");
    Rc rc = activity_delete(r->db, &r->actor, id, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}

Rc api_activity_photo_add(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such activity");
    const char *ct = req_header(r, "Content-Type");
    char mime[128] = "";
    if (ct) snprintf(mime, sizeof mime, "%.*s", (int)strcspn(ct, "; "), ct);
    const char *name = req_query(r, "name");
    if (!name) {
        fail_field(&r->fail, "name", "required", NULL);
        return fail_fields(&r->fail);
    }
    int64_t pid = 0;
    Rc rc = activity_photo_add(r->db, &r->actor, id, r->cfg->files_dir, name, mime, r->body.data, r->body.len, &pid, &r->fail);
    if (rc != RC_OK) return rc;
    buf_reset(&r->out);
    rc = activity_photos(r->db, &r->actor, id, &r->out, &r->fail);
    if (rc == RC_OK) {
        r->status = 201;
        r->ctype = "application/json";
        snprintf(r->location, sizeof r->location, "/api/v1/activities/%lld/photos/%lld", (long long)id, (long long)pid);
    }
    return rc;
}

Rc api_activity_photos(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such activity");
    Rc rc = activity_photos(r->db, &r->actor, id, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

/* RFC 5987 encoding of a file name for an inline Content-Disposition (photos show in <img>). */
static void inline_disposition(char *out, size_t n, const char *name) {
    size_t k = (size_t)snprintf(out, n, "inline; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            out[k++] = (char)*p;
        else
            k += (size_t)snprintf(out + k, n - k, "%%%02X", *p);
    }
    out[k < n ? k : n - 1] = 0;
}

Rc api_activity_photo_get(Req *r) {
    int64_t id = req_param_id(r, 0), pid = req_param_id(r, 1);
    if (!id || !pid) return rc_fail(&r->fail, RC_NOT_FOUND, "no such photo");
    static _Thread_local char mime[64]; /* r->ctype points here until the answer is sent */
    char name[256];
    int fd = -1;
    uint64_t size = 0;
    Rc rc = activity_photo_open(r->db, &r->actor, id, pid, r->cfg->files_dir, &fd, &size, mime, name, &r->fail);
    if (rc != RC_OK) return rc;
    r->send_fd = fd;
    r->send_size = size;
    r->ctype = mime;
    r->status = 200;
    inline_disposition(r->disposition, sizeof r->disposition, name);
    return RC_OK;
}
