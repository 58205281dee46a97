/*
 * api_liaison.c — liaison assignments over HTTP.
 */
#include "api/api.h"
#include "core/liaison.h"

Rc api_liaison_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    LiaisonFilter flt = {.kind = req_query_enum(r, "kind", liaison_kinds)};
    req_query_int(r, "user_id", -1, 1, INT64_MAX, &flt.user_id);
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &flt.area_id);
    req_query_int(r, "org_id", -1, 1, INT64_MAX, &flt.org_id);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = liaison_list(r->db, &r->actor, &flt, page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_liaison_get(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such liaison");
    return api_record(r, 200, NULL, id, liaison_get);
}

Rc api_liaison_create(Req *r) {
    int64_t id = 0;
    Rc rc = liaison_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/liaisons", id, liaison_get);
}

Rc api_liaison_update(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such liaison");
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = liaison_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, liaison_get);
}

Rc api_liaison_delete(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such liaison");
    Rc rc = liaison_delete(r->db, &r->actor, id, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}
