/*
 * api_dossier.c — the dossier engine over HTTP: types, dossiers, actions, comments, events.
 */
#include <string.h>

#include "api/api.h"
#include "core/dossier.h"
#include "core/dtype.h"
#include "util/jsonh.h"

Rc api_dossier_types(Req *r) {
    req_reply_json(r, 200, json_pack("{s:o}", "items", dtype_all_json()));
    return RC_OK;
}

Rc api_dossier_list(Req *r) {
    static const char *const statuses[] = {"green", "yellow", "red", NULL};
    DossierFilter flt = {.state = req_query(r, "state"), .q = req_query(r, "q")};
    flt.type = req_query_enum(r, "type", dtype_names());
    flt.time_status = req_query_enum(r, "time_status", statuses);
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &flt.area_id);
    req_query_int(r, "org_id", -1, 1, INT64_MAX, &flt.org_id);
    req_query_int(r, "handler_org_id", -1, 1, INT64_MAX, &flt.handler_org_id);
    flt.from = req_query_date(r, "from");
    flt.to = req_query_date(r, "to");
    int64_t cursor, limit;
    req_query_int(r, "cursor", 0, 0, INT64_MAX, &cursor);
    req_query_int(r, "limit", 20, 1, 200, &limit);
    const char *open = req_query(r, "open"), *sup = req_query(r, "supervised");
    flt.open_only = open && strcmp(open, "true") == 0;
    flt.supervised = sup && strcmp(sup, "true") == 0;
    flt.cursor = cursor;
    flt.limit = (int)limit;
    if (flt.state && strlen(flt.state) > 32) fail_field(&r->fail, "state", "max_length", json_pack("{s:i}", "max", 32));
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = dossier_list(r->db, &r->actor, &flt, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_dossier_create(Req *r) {
    int64_t id = 0;
    Rc rc = dossier_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/dossiers", id, dossier_get);
}

Rc api_dossier_get(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such dossier");
    return api_record(r, 200, NULL, id, dossier_get);
}

Rc api_dossier_act(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such dossier");
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = dossier_act(r->db, &r->actor, id, r->params[1], r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, dossier_get);
}

Rc api_dossier_comment(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such dossier");
    static const JField fields[] = {{"body", JF_TEXT, true, 1, 5000, NULL, NULL, NULL}};
    jh_validate(r->json, fields, 1, &r->fail);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    /* Answered with the comment's event and the dossier's new head, not the whole dossier: a
     * re-read of it would begin after every write of the batch, on an emptied cache. */
    buf_reset(&r->out);
    rc = dossier_comment(r->db, &r->actor, id, jh_str(r->json, "body"), &r->out, &r->fail);
    if (rc != RC_OK) return rc;
    r->status = 201;
    r->ctype = "application/json";
    return RC_OK;
}

Rc api_dossier_events(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such dossier");
    Rc rc = dossier_events(r->db, &r->actor, id, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_dossier_attach(Req *r) {
    return api_upload(r, "dossier", dossier_attach, dossier_attachments, "dossiers", "attachments");
}

Rc api_dossier_attachments(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such dossier");
    Rc rc = dossier_attachments(r->db, &r->actor, id, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_dossier_attachment_get(Req *r) { return api_send_file(r, "attachment", dossier_attachment_open, false); }
