/*
 * api_area.c — areas, committees and their members over HTTP.
 */
#include "api/api.h"
#include "core/area.h"
#include "core/org.h"

static int64_t area_id_param(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) rc_fail(&r->fail, RC_NOT_FOUND, "no such area");
    return id;
}

Rc api_area_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = area_list(r->db, &r->actor, req_query(r, "q"), page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_area_get(Req *r) {
    int64_t id = area_id_param(r);
    if (!id) return RC_NOT_FOUND;
    return api_record(r, 200, NULL, id, area_get);
}

Rc api_area_create(Req *r) {
    int64_t id = 0;
    Rc rc = area_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/areas", id, area_get);
}

Rc api_area_update(Req *r) {
    int64_t id = area_id_param(r);
    if (!id) return RC_NOT_FOUND;
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = area_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, area_get);
}

Rc api_area_delete(Req *r) {
    int64_t id = area_id_param(r);
    if (!id) return RC_NOT_FOUND;
    Rc rc = area_delete(r->db, &r->actor, id, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}

Rc api_area_members(Req *r) {
    int64_t id = area_id_param(r);
    if (!id) return RC_NOT_FOUND;
    int page, size;
    req_page(r, &page, &size);
    const char *kind = req_query_enum(r, "kind", member_kinds);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = area_members(r->db, &r->actor, id, kind, page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_area_member_add(Req *r) {
    int64_t id = area_id_param(r);
    if (!id) return RC_NOT_FOUND;
    Rc rc = area_member_add(r->db, &r->actor, id, r->json, &r->fail);
    if (rc != RC_OK) return rc;
    buf_reset(&r->out);
    rc = area_get(r->db, &r->actor, id, &r->out, &r->fail);
    if (rc == RC_OK) {
        r->status = 201;
        r->ctype = "application/json";
    }
    return rc;
}

Rc api_area_member_remove(Req *r) {
    int64_t id = area_id_param(r);
    int64_t org = req_param_id(r, 1);
    if (!id || !org) return rc_fail(&r->fail, RC_NOT_FOUND, "no such member");
    Rc rc = area_member_remove(r->db, &r->actor, id, org, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}

Rc api_area_candidates(Req *r) {
    int64_t id = area_id_param(r);
    if (!id) return RC_NOT_FOUND;
    int page, size;
    req_page(r, &page, &size);
    const char *kind = req_query_enum(r, "kind", member_kinds);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = area_candidates(r->db, &r->actor, id, kind, req_query(r, "q"), page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}
