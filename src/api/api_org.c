/*
 * api_org.c — the organisation registry over HTTP.
 */
#include <string.h>

#include "api/api.h"
#include "core/org.h"

Rc api_org_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    OrgFilter flt = {.kind = req_query_enum(r, "kind", org_kinds)};
    req_query_int(r, "parent_id", -1, 0, INT64_MAX, &flt.parent_id);
    req_query_int(r, "under", -1, 1, INT64_MAX, &flt.under);
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &flt.area_id);
    flt.q = req_query(r, "q");
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = org_list(r->db, &r->actor, &flt, page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_org_get(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such organisation");
    return api_record(r, 200, NULL, id, org_get);
}

Rc api_org_create(Req *r) {
    int64_t id = 0;
    Rc rc = org_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/orgs", id, org_get);
}

Rc api_org_update(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such organisation");
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = org_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, org_get);
}

Rc api_org_delete(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such organisation");
    Rc rc = org_delete(r->db, &r->actor, id, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}

Rc api_org_import(Req *r) {
    const char *dr = req_query(r, "dry_run");
    bool dry = dr && (strcmp(dr, "true") == 0 || strcmp(dr, "1") == 0);
    if (dr && !dry && strcmp(dr, "false") != 0 && strcmp(dr, "0") != 0) {
        fail_field(&r->fail, "dry_run", "enum", NULL);
        return fail_fields(&r->fail);
    }
    Rc rc = org_import(r->db, &r->actor, buf_str(&r->body), r->body.len, dry, &r->out, &r->fail);
    if (rc == RC_OK) {
        r->status = dry ? 200 : 201;
        r->ctype = "application/json";
    }
    return rc;
}

Rc api_org_directory(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    const char *kind = req_query_enum(r, "kind", org_kinds);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = org_directory(r->db, kind, req_query(r, "q"), page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}
