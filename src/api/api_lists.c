/*
 * api_lists.c — the three lists (三单) outside the engine over HTTP: the resource catalogue,
 * matching, the board, service figures and the configurable categories.
 */
#include <string.h>

#include "api/api.h"
#include "core/activity.h"
#include "core/resource.h"
#include "util/jsonh.h"

static const char *const domains[] = {"service", "activity", "bounty_action", NULL};

static Rc json_ok(Req *r, Rc rc) {
    if (rc == RC_OK) {
        r->status = 200;
        r->ctype = "application/json";
    }
    return rc;
}

Rc api_category_list(Req *r) {
    const char *domain = req_query_enum(r, "domain", domains);
    const char *all = req_query(r, "all");
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    return json_ok(r, category_list(r->db, domain, all && strcmp(all, "true") == 0, &r->out, &r->fail));
}

Rc api_category_create(Req *r) {
    Rc rc = category_create(r->db, &r->actor, r->json, &r->fail);
    if (rc != RC_OK) return rc;
    rc = category_list(r->db, jh_str(r->json, "domain"), true, &r->out, &r->fail);
    if (rc == RC_OK) {
        r->status = 201;
        r->ctype = "application/json";
    }
    return rc;
}

Rc api_category_update(Req *r) {
    Rc rc = category_update(r->db, &r->actor, r->params[0], r->json, &r->fail);
    if (rc != RC_OK) return rc;
    return json_ok(r, category_list(r->db, jh_str(r->json, "domain"), true, &r->out, &r->fail));
}

Rc api_resource_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    ResourceFilter flt = {.category = req_query(r, "category"), .q = req_query(r, "q")};
    req_query_int(r, "provider_org_id", -1, 1, INT64_MAX, &flt.provider_org_id);
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &flt.area_id);
    const char *av = req_query(r, "available");
    flt.available = av && strcmp(av, "true") == 0;
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    return json_ok(r, resource_list(r->db, &r->actor, &flt, page, size, &r->out, &r->fail));
}

Rc api_resource_get(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such resource");
    return api_record(r, 200, NULL, id, resource_get);
}

Rc api_resource_create(Req *r) {
    int64_t id = 0;
    Rc rc = resource_create(r->db, &r->actor, r->json, &id, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 201, "/api/v1/resources", id, resource_get);
}

Rc api_resource_update(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such resource");
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = resource_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, resource_get);
}

Rc api_resource_delete(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such resource");
    Rc rc = resource_delete(r->db, &r->actor, id, &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}

Rc api_resource_phone(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such resource");
    char phone[64];
    Rc rc = resource_phone(r->db, &r->actor, id, phone, &r->fail);
    if (rc != RC_OK) return rc;
    req_reply_json(r, 200, json_pack("{s:I, s:s?}", "id", (json_int_t)id, "contact_phone", phone[0] ? phone : NULL));
    return RC_OK;
}

static int limit_of(Req *r) {
    int64_t limit = 10;
    req_query_int(r, "limit", 10, 1, 50, &limit);
    return (int)limit;
}

Rc api_resource_needs(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such resource");
    int limit = limit_of(r);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    return json_ok(r, resource_needs(r->db, &r->actor, id, limit, &r->out, &r->fail));
}

Rc api_dossier_matches(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) return rc_fail(&r->fail, RC_NOT_FOUND, "no such need");
    int limit = limit_of(r);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    return json_ok(r, resource_matches(r->db, &r->actor, id, limit, &r->out, &r->fail));
}

Rc api_lists_board(Req *r) {
    int64_t area;
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &area);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    return json_ok(r, lists_board(r->db, &r->actor, area, &r->out, &r->fail));
}

Rc api_stats_services(Req *r) {
    int64_t area;
    req_query_int(r, "area_id", -1, 1, INT64_MAX, &area);
    const char *from = req_query_date(r, "from"), *to = req_query_date(r, "to");
    if (from && to && strcmp(to, from) < 0) fail_field(&r->fail, "to", "date_order", json_pack("{s:s}", "after", "from"));
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    json_t *out = json_pack("{s:s?, s:s?}", "from", from, "to", to);
    json_object_set_new(out, "area_id", area > 0 ? json_integer(area) : json_null());
    json_t *centres = json_object();
    rc = service_figures(r->db, &r->actor, area, from, to, centres, &r->fail);
    json_object_set_new(out, "services", centres);
    if (rc == RC_OK) rc = lists_figures(r->db, &r->actor, area, from, to, out, &r->fail);
    if (rc != RC_OK) {
        json_decref(out);
        return rc;
    }
    req_reply_json(r, 200, out);
    return RC_OK;
}
