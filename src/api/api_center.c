/*
 * api_center.c — neighbourhood centres and their service catalogue over HTTP.
 */
#include "api/api.h"
#include "core/center.h"

Rc api_center_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    CenterFilter flt = {.area_id = -1};
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &flt.area_id);
    flt.function = req_query_enum(r, "function", center_functions);
    flt.q = req_query(r, "q");
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = center_list(r->db, &r->actor, &flt, page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_center_get(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such centre");
    return api_record(r, 200, NULL, id, center_get);
}

Rc api_center_create(Req *r) {
    int64_t id = 0;
    Rc rc = center_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/centers", id, center_get);
}

Rc api_center_update(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such centre");
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = center_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, center_get);
}

Rc api_center_delete(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such centre");
    Rc rc = center_delete(r->db, &r->actor, id, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}

Rc api_center_services(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such centre");
    Rc rc = center_services(r->db, &r->actor, id, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

/* Answers the centre (with its catalogue) and points Location at it. */
Rc api_center_service_add(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such centre");
    int64_t sid = 0;
    Rc rc = center_service_add(r->db, &r->actor, id, r->json, &sid, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/centers", id, center_get);
}

Rc api_center_service_remove(Req *r) {
    int64_t id = req_param_id(r, 0), sid = req_param_id(r, 1);
    if (!id || !sid) return rc_fail(&r->fail, RC_NOT_FOUND, "no such service");
    Rc rc = center_service_remove(r->db, &r->actor, id, sid, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}
