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
    return api_upload(r, "activity", activity_photo_add, activity_photos, "activities", "photos");
}

Rc api_activity_photos(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such activity");
    Rc rc = activity_photos(r->db, &r->actor, id, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

Rc api_activity_photo_get(Req *r) { return api_send_file(r, "photo", activity_photo_open, true); }
