/*
 * api_agreement.c — co-building agreements over HTTP.
 */
#include "api/api.h"
#include "core/agreement.h"

static const char *const statuses[] = {"pending", "active", "expired", NULL};

Rc api_agreement_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    AgreementFilter flt = {.status = req_query_enum(r, "status", statuses), .q = req_query(r, "q")};
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &flt.area_id);
    req_query_int(r, "org_id", -1, 1, INT64_MAX, &flt.org_id);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = agreement_list(r->db, &r->actor, &flt, page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_agreement_get(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such agreement");
    return api_record(r, 200, NULL, id, agreement_get);
}

Rc api_agreement_create(Req *r) {
    int64_t id = 0;
    Rc rc = agreement_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/agreements", id, agreement_get);
}

Rc api_agreement_update(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such agreement");
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = agreement_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, agreement_get);
}

Rc api_agreement_delete(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such agreement");
    Rc rc = agreement_delete(r->db, &r->actor, id, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}
