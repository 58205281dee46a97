/*
 * api_meeting.c — 1+N joint meetings and the supervision board over HTTP.
 */
#include "api/api.h"
#include "core/dossier.h"
#include "core/meeting.h"
#include "util/jsonh.h"

Rc api_meeting_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    int64_t area;
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &area);
    const char *from = req_query_date(r, "from"), *to = req_query_date(r, "to");
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = meeting_list(r->db, &r->actor, area, from, to, req_query(r, "q"), page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_meeting_get(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such meeting");
    return api_record(r, 200, NULL, id, meeting_get);
}

Rc api_meeting_create(Req *r) {
    int64_t id = 0;
    Rc rc = meeting_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/meetings", id, meeting_get);
}

Rc api_meeting_update(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such meeting");
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = meeting_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, meeting_get);
}

Rc api_meeting_add_item(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such meeting");
    int64_t did = 0;
    Rc rc = meeting_add_item(r->db, &r->actor, id, r->json, &did, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/dossiers", did, dossier_get);
}

Rc api_meeting_carry(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such meeting");
    static const JField fields[] = {{"dossier_id", JF_ID, true, 0, 0, NULL, NULL, NULL}};
    jh_validate(r->json, fields, 1, &r->fail);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = meeting_carry(r->db, &r->actor, id, jh_int(r->json, "dossier_id"), &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, meeting_get);
}

Rc api_meeting_close(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such meeting");
    Rc rc = meeting_close(r->db, &r->actor, id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, meeting_get);
}

Rc api_supervision(Req *r) {
    int64_t area;
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &area);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = dossier_board(r->db, &r->actor, area, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}
