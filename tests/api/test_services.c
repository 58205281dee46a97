/*
 * test_services.c — API tests of neighbourhood centres (邻里中心) and activities (邻里服务/活动)
 * against the real sanqu binary (issue #5 items 1, 2, 9–11): create, list (filters, pagination),
 * read, update (If-Match), delete (409 while activities refer to a centre) of centres and their
 * service catalogue and of activities; field errors naming the field (coordinates outside China,
 * an activity ending before it starts, an unknown kind or organiser, negative counts, no place);
 * scope (a community sees its own centre, not another's: 404; a committee only its area's);
 * roles (leader and inspector read, never write: 403); photo uploads (images only: 415 otherwise);
 * the figures, checked against records made here in an area of their own; and the demo's
 * figures (32 centres, 200+ institutional services, open-day reach above 5,000).
 *
 * Demo facts relied on (src/core/demo.c, demo_centers.c): area A01 belongs to the `committee`
 * account; `community` works for 西吟头村, a member of A01 that runs a centre; every area has
 * centres run by its villages; 泉州台商投资区医院 is a resident unit, 海峡雕刻艺术园 a park.
 *
 * Usage: test_services SANQU_BINARY SOURCE_DIR. One cmocka group, one server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static Server *S; /* the group's server */

static struct {
    long long a01, a02;            /* areas */
    long long xiyintou, houting;   /* communities (西吟头村 in A01; 后亭村) */
    long long hospital, park;      /* a resident unit and a park */
    long long luoyang;             /* 洛阳镇 */
    long long dongyuan_village;    /* 东园村: outside A01 */
} K;

/* Id of the organisation called name (through the admin). */
static long long org_named(Client *c, const char *name) {
    Resp *r = h_get(c, "/api/v1/orgs?page_size=200&q=%s", h_esc(name));
    size_t i;
    json_t *it;
    json_array_foreach(h_jpath(r->json, "items"), i, it) if (h_jstr(it, "name") && strcmp(h_jstr(it, "name"), name) == 0) return h_jint(it, "id");
    FAIL_RESP(r, "no organisation named %s", name);
    return -1;
}

static long long area_code(Client *c, const char *code) {
    Resp *r = h_get(c, "/api/v1/areas?q=%s", code);
    return h_jint(r->json, "items[0].id");
}

/* A valid centre body in area (owned by the caller). */
static json_t *center_body(const char *name, long long area) {
    return json_pack("{s:s, s:I, s:s, s:f, s:f, s:s, s:[s, s], s:s, s:s, s:[{s:s, s:s, s:I}]}", "name", name, "area_id",
                     (json_int_t)area, "address", "洛阳大道1号", "lat", 24.97, "lng", 118.71, "hours", "每日 8:00-20:00",
                     "functions", "gov", "housing", "contact_name", "陈丽华", "contact_phone", "13812345678", "services",
                     "name", "社保业务办理", "function", "gov", "provider_org_id", (json_int_t)K.hospital);
}

/* A valid activity body (owned by the caller). center 0: at a place. */
static json_t *activity_body(const char *title, long long center, long long org) {
    json_t *b = json_pack("{s:s, s:s, s:[I], s:s, s:s, s:i, s:i}", "kind", "free_clinic", "title", title, "organiser_ids",
                          (json_int_t)org, "starts_at", "2026-03-01T09:00", "ends_at", "2026-03-01T11:30", "participants", 8,
                          "people_served", 60);
    if (center > 0) json_object_set_new(b, "center_id", json_integer(center));
    else json_object_set_new(b, "place", json_string("村文化广场"));
    return b;
}

static long long created_id(Resp *r) {
    EXPECT_STATUS(r, 201);
    return h_jint(r->json, "id");
}

static bool has_id(json_t *items, long long id) {
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (h_jint(it, "id") == id) return true;
    return false;
}

/* ==== centres ================================================================================== */

static void center_create_read_update_delete(void **state) {
    (void)state;
    Client *c = h_client_as(S, "committee");
    Resp *r = h_send(c, "POST", "/api/v1/centers", center_body("测试邻里中心甲", K.a01));
    long long id = created_id(r);
    EXPECT_TRUE_R(r, h_header(r, "Location") && strstr(h_header(r, "Location"), "/api/v1/centers/"));
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 1 && h_header(r, "ETag"));
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "functions")) == 2);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "functions[0]"), "gov") == 0);
    EXPECT_TRUE_R(r, json_real_value(h_jpath(r->json, "lat")) > 24.969 && json_real_value(h_jpath(r->json, "lat")) < 24.971);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "contact_phone"), "138****5678") == 0);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "services")) == 1);
    EXPECT_TRUE_R(r, h_jint(r->json, "town_id") == K.luoyang); /* A01's villages all lie in 洛阳镇 */

    /* Listed, with the phone masked, under its filters. */
    r = h_get(c, "/api/v1/centers?area_id=%lld&function=housing&q=%s&page_size=200", K.a01, h_esc("测试邻里中心甲"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1 && h_jint(r->json, "items[0].id") == id);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "items[0].contact_phone"), "138****5678") == 0);
    EXPECT_TRUE_R(r, h_jint(r->json, "items[0].service_count") == 1);
    r = h_get(c, "/api/v1/centers?function=enterprise&q=%s", h_esc("测试邻里中心甲"));
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 0);
    r = h_get(c, "/api/v1/centers?function=nonsense");
    EXPECT_FIELD_ERROR(r, "function", NULL);
    /* Pagination as other lists. */
    r = h_get(c, "/api/v1/centers?page_size=1&page=2");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "items")) == 1 && h_jint(r->json, "page") == 2);

    /* Update with If-Match; the phone is kept when not sent; a stale version answers 412. */
    json_t *b = center_body("测试邻里中心甲（改）", K.a01);
    json_object_del(b, "contact_phone");
    json_object_set_new(b, "functions", json_pack("[s, s, s]", "gov", "convenience", "enterprise"));
    h_client_header(c, "If-Match: \"1\"");
    r = h_send(c, "PUT", h_fmt("/api/v1/centers/%lld", id), b);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 2 && json_array_size(h_jpath(r->json, "functions")) == 3);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "contact_phone"), "138****5678") == 0);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "name"), "测试邻里中心甲（改）") == 0);
    h_client_header(c, "If-Match: \"1\"");
    r = h_send(c, "PUT", h_fmt("/api/v1/centers/%lld", id), center_body("过期", K.a01));
    EXPECT_PROBLEM(r, 412, "precondition-failed");

    /* The catalogue: add, list, remove. */
    r = h_send(c, "POST", h_fmt("/api/v1/centers/%lld/services", id),
               json_pack("{s:s, s:s, s:s}", "name", "企业开办帮办", "function", "enterprise", "note", "每周三"));
    EXPECT_STATUS(r, 201);
    r = h_get(c, "/api/v1/centers/%lld/services", id);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "items")) == 2);
    long long sid = h_jint(r->json, "items[1].id");
    r = h_send(c, "POST", h_fmt("/api/v1/centers/%lld/services", id), json_pack("{s:s, s:s}", "name", "x", "function", "bank"));
    EXPECT_FIELD_ERROR(r, "function", "enum");
    r = h_send(c, "POST", h_fmt("/api/v1/centers/%lld/services", id),
               json_pack("{s:s, s:s, s:I}", "name", "x", "function", "gov", "provider_org_id", (json_int_t)99999999));
    EXPECT_FIELD_ERROR(r, "provider_org_id", "reference");
    EXPECT_STATUS(h_del(c, "/api/v1/centers/%lld/services/%lld", id, sid), 204);
    EXPECT_STATUS(h_del(c, "/api/v1/centers/%lld/services/%lld", id, sid), 404);
    r = h_get(c, "/api/v1/centers/%lld/services", id);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "items")) == 1);

    /* Referenced by an activity: 409 naming the references; free again once it is gone. */
    r = h_send(c, "POST", "/api/v1/activities", activity_body("测试中心的义诊", id, K.xiyintou));
    long long act = created_id(r);
    r = h_del(c, "/api/v1/centers/%lld", id);
    EXPECT_PROBLEM(r, 409, "conflict");
    EXPECT_TRUE_R(r, h_jint(r->json, "references[0].count") == 1);
    r = h_get(c, "/api/v1/centers/%lld", id);
    EXPECT_TRUE_R(r, h_jint(r->json, "activity_counts.activities") == 1 && h_jint(r->json, "activity_counts.people_served") == 60);
    EXPECT_TRUE_R(r, h_jint(r->json, "recent_activities[0].id") == act);
    EXPECT_STATUS(h_del(c, "/api/v1/activities/%lld", act), 204);
    EXPECT_STATUS(h_del(c, "/api/v1/centers/%lld", id), 204);
    EXPECT_PROBLEM(h_get(c, "/api/v1/centers/%lld", id), 404, "not-found");
    h_client_free(c);
}

static void center_field_errors(void **state) {
    (void)state;
    Client *c = h_client_as(S, "committee");
    static const struct {
        const char *member, *json, *field, *rule;
    } bad[] = {
        {"lat", "60.5", "lat", "range"},         {"lat", "17.9", "lat", "range"},        {"lng", "150", "lng", "range"},
        {"lng", "72.99", "lng", "range"},        {"lat", "\"24.9\"", "lat", "type"},    {"contact_phone", "\"12345\"", "contact_phone", "phone"},
        {"functions", "[]", "functions", "min_items"}, {"functions", "[\"bank\"]", "functions[0]", "enum"},
        {"functions", "[\"gov\", \"gov\"]", "functions[1]", "unique"}, {"name", "\"\"", "name", "required"},
        {"area_id", "2", "area_id", "reference"}, /* another committee's area */
        {"town_id", "1", "town_id", "kind"},     /* the district is not a town */
        {"org_id", "999999", "org_id", "reference"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = center_body("错误中心", K.a01);
        json_object_set_new(b, bad[i].member, json_loads(bad[i].json, JSON_DECODE_ANY, NULL));
        Resp *r = h_send(c, "POST", "/api/v1/centers", b);
        EXPECT_PROBLEM(r, 422, "validation");
        EXPECT_FIELD_ERROR(r, bad[i].field, bad[i].rule);
    }
    /* One coordinate without the other. */
    json_t *b = center_body("错误中心", K.a01);
    json_object_del(b, "lng");
    Resp *r = h_send(c, "POST", "/api/v1/centers", b);
    EXPECT_FIELD_ERROR(r, "lng", "required");
    /* Landlines are phones too. */
    b = center_body("座机中心", K.a01);
    json_object_set_new(b, "contact_phone", json_string("0595-87888000"));
    r = h_send(c, "POST", "/api/v1/centers", b);
    long long id = created_id(r);
    EXPECT_TRUE_R(r, h_jstr(r->json, "contact_phone") && strstr(h_jstr(r->json, "contact_phone"), "****"));
    EXPECT_STATUS(h_del(c, "/api/v1/centers/%lld", id), 204);
    h_client_free(c);
}

/* ==== activities ================================================================================ */

static void activity_create_read_update_delete(void **state) {
    (void)state;
    Client *c = h_client_as(S, "community");
    json_t *b = activity_body("西吟头村亲子阅读", 0, K.xiyintou);
    json_object_set_new(b, "kind", json_string("reading"));
    json_array_append_new(json_object_get(b, "organiser_ids"), json_integer(K.hospital));
    Resp *r = h_send(c, "POST", "/api/v1/activities", b);
    long long id = created_id(r);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "organisers")) == 2);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "starts_at"), "2026-03-01T09:00:00") == 0);
    EXPECT_TRUE_R(r, h_jint(r->json, "area_id") == K.a01); /* derived: 西吟头村 is a member of A01 */
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "kind_label_zh"), "绘本阅读") == 0);
    r = h_get(c, "/api/v1/activities?kind=reading&org_id=%lld&from=2026-03-01&to=2026-03-01&q=%s", K.hospital,
              h_esc("西吟头村亲子阅读"));
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 1 && h_jint(r->json, "items[0].id") == id);
    r = h_get(c, "/api/v1/activities?from=2026-03-02&q=%s", h_esc("西吟头村亲子阅读"));
    EXPECT_TRUE_R(r, h_jint(r->json, "total") == 0);

    b = activity_body("西吟头村亲子阅读（改）", 0, K.xiyintou);
    json_object_set_new(b, "people_served", json_integer(75));
    h_client_header(c, "If-Match: \"1\"");
    r = h_send(c, "PUT", h_fmt("/api/v1/activities/%lld", id), b);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "version") == 2 && h_jint(r->json, "people_served") == 75);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "organisers")) == 1);
    h_client_header(c, "If-Match: \"1\"");
    EXPECT_PROBLEM(h_send(c, "PUT", h_fmt("/api/v1/activities/%lld", id), activity_body("x", 0, K.xiyintou)), 412,
                   "precondition-failed");
    EXPECT_STATUS(h_del(c, "/api/v1/activities/%lld", id), 204);
    EXPECT_PROBLEM(h_get(c, "/api/v1/activities/%lld", id), 404, "not-found");
    h_client_free(c);
}

static void activity_field_errors(void **state) {
    (void)state;
    Client *c = h_client_as(S, "committee");
    static const struct {
        const char *member, *json, *field, *rule;
    } bad[] = {
        {"ends_at", "\"2026-03-01T08:00\"", "ends_at", "date_order"},
        {"ends_at", "\"2026-02-28T23:59:59\"", "ends_at", "date_order"},
        {"starts_at", "\"2026-02-30T09:00\"", "starts_at", "datetime"},
        {"starts_at", "\"2026-03-01 25:00\"", "starts_at", "datetime"},
        {"kind", "\"karaoke\"", "kind", "enum"},
        {"organiser_ids", "[999999]", "organiser_ids[0]", "reference"},
        {"organiser_ids", "[]", "organiser_ids", "min_items"},
        {"people_served", "-1", "people_served", "range"},
        {"participants", "-5", "participants", "range"},
        {"participants", "\"5\"", "participants", "type"},
        {"center_id", "999999", "center_id", "reference"},
        {"title", "\"\"", "title", "required"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = activity_body("错误活动", 0, K.xiyintou);
        json_object_set_new(b, bad[i].member, json_loads(bad[i].json, JSON_DECODE_ANY, NULL));
        Resp *r = h_send(c, "POST", "/api/v1/activities", b);
        EXPECT_PROBLEM(r, 422, "validation");
        EXPECT_FIELD_ERROR(r, bad[i].field, bad[i].rule);
    }
    /* Neither a centre nor a place. */
    json_t *b = activity_body("无地点活动", 0, K.xiyintou);
    json_object_del(b, "place");
    Resp *r = h_send(c, "POST", "/api/v1/activities", b);
    EXPECT_FIELD_ERROR(r, "place", "required");
    /* No organiser in the committee's scope (A01's members and below): refused on organiser_ids. */
    r = h_send(c, "POST", "/api/v1/activities", activity_body("越界活动", 0, K.dongyuan_village));
    EXPECT_FIELD_ERROR(r, "organiser_ids", "scope");
    h_client_free(c);
}

/* ==== scope and roles =========================================================================== */

static void scope_of_centres_and_activities(void **state) {
    (void)state;
    Client *adm = h_client_as(S, "admin"), *com = h_client_as(S, "community"), *cmt = h_client_as(S, "committee");
    /* A centre run by 后亭村 (another community) in A02; one run by 西吟头村 in A01. */
    json_t *b = center_body("后亭村测试中心", K.a02);
    json_object_set_new(b, "org_id", json_integer(K.houting));
    long long other = created_id(h_send(adm, "POST", "/api/v1/centers", b));
    b = center_body("西吟头村测试中心", K.a01);
    json_object_set_new(b, "org_id", json_integer(K.xiyintou));
    long long own = created_id(h_send(adm, "POST", "/api/v1/centers", b));

    EXPECT_STATUS(h_get(com, "/api/v1/centers/%lld", own), 200);
    EXPECT_PROBLEM(h_get(com, "/api/v1/centers/%lld", other), 404, "not-found");
    EXPECT_PROBLEM(h_send(com, "PUT", h_fmt("/api/v1/centers/%lld", other), center_body("x", K.a02)), 404, "not-found");
    EXPECT_PROBLEM(h_del(com, "/api/v1/centers/%lld", other), 404, "not-found");
    json_t *mine = h_all_items(com, "/api/v1/centers", NULL);
    EXPECT_TRUE_R(h_get(com, "/api/v1/centers"), has_id(mine, own) && !has_id(mine, other));
    size_t i;
    json_t *it;
    json_array_foreach(mine, i, it) if (h_jint(it, "org_id") != K.xiyintou) fail_msg("community lists centre %lld of org %lld", h_jint(it, "id"), h_jint(it, "org_id"));

    /* The committee sees exactly its area's centres. */
    json_t *area = h_all_items(cmt, "/api/v1/centers", NULL);
    EXPECT_TRUE_R(h_get(cmt, "/api/v1/centers"), json_array_size(area) >= 3 && has_id(area, own) && !has_id(area, other));
    json_array_foreach(area, i, it) if (h_jint(it, "area_id") != K.a01) fail_msg("committee lists centre %lld of area %lld", h_jint(it, "id"), h_jint(it, "area_id"));
    EXPECT_PROBLEM(h_get(cmt, "/api/v1/centers/%lld", other), 404, "not-found");
    /* …and may not record an activity at a centre it cannot see. */
    Resp *r = h_send(cmt, "POST", "/api/v1/activities", activity_body("越界中心活动", other, K.xiyintou));
    EXPECT_FIELD_ERROR(r, "center_id", "reference");

    /* Activities: one at the other centre by 后亭村 is invisible to the community. */
    long long act = created_id(h_send(adm, "POST", "/api/v1/activities", activity_body("后亭村义诊", other, K.houting)));
    EXPECT_PROBLEM(h_get(com, "/api/v1/activities/%lld", act), 404, "not-found");
    EXPECT_PROBLEM(h_req(com, "POST", h_fmt("/api/v1/activities/%lld/photos?name=a.png", act), "image/png", "\x89PNG\r\n\x1a\nxx", 10),
                   404, "not-found");
    json_t *acts = h_all_items(com, "/api/v1/activities?q=%E5%90%8E%E4%BA%AD%E6%9D%91", NULL); /* 后亭村 */
    EXPECT_TRUE_R(h_get(com, "/api/v1/activities"), !has_id(acts, act));
    EXPECT_STATUS(h_del(adm, "/api/v1/activities/%lld", act), 204);
    EXPECT_STATUS(h_del(adm, "/api/v1/centers/%lld", other), 204);
    EXPECT_STATUS(h_del(adm, "/api/v1/centers/%lld", own), 204);
    h_client_free(adm);
    h_client_free(com);
    h_client_free(cmt);
}

static void readers_may_not_write(void **state) {
    (void)state;
    static const char *const readers[] = {"leader", "inspector"};
    Client *adm = h_client_as(S, "admin");
    long long center = created_id(h_send(adm, "POST", "/api/v1/centers", center_body("只读测试中心", K.a01)));
    long long act = created_id(h_send(adm, "POST", "/api/v1/activities", activity_body("只读测试活动", center, K.xiyintou)));
    for (int k = 0; k < 2; k++) {
        Client *c = h_client_as(S, readers[k]);
        EXPECT_STATUS(h_get(c, "/api/v1/centers"), 200);
        EXPECT_STATUS(h_get(c, "/api/v1/centers/%lld", center), 200);
        EXPECT_STATUS(h_get(c, "/api/v1/activities/%lld", act), 200);
        EXPECT_STATUS(h_get(c, "/api/v1/activities/figures"), 200);
        EXPECT_PROBLEM(h_send(c, "POST", "/api/v1/centers", center_body("x", K.a01)), 403, "forbidden");
        EXPECT_PROBLEM(h_send(c, "PUT", h_fmt("/api/v1/centers/%lld", center), center_body("x", K.a01)), 403, "forbidden");
        EXPECT_PROBLEM(h_del(c, "/api/v1/centers/%lld", center), 403, "forbidden");
        EXPECT_PROBLEM(h_send(c, "POST", "/api/v1/activities", activity_body("x", center, K.xiyintou)), 403, "forbidden");
        EXPECT_PROBLEM(h_del(c, "/api/v1/activities/%lld", act), 403, "forbidden");
        h_client_free(c);
    }
    /* The auditor and secadmin read nothing here. */
    Client *aud = h_client_as(S, "auditor");
    EXPECT_PROBLEM(h_get(aud, "/api/v1/centers"), 403, "forbidden");
    h_client_free(aud);
    EXPECT_STATUS(h_del(adm, "/api/v1/activities/%lld", act), 204);
    EXPECT_STATUS(h_del(adm, "/api/v1/centers/%lld", center), 204);
    h_client_free(adm);
}

/* ==== photos ==================================================================================== */

static const char PNG[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
                          "\0\0\0\rIDATx\x9c" "c\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xae" "B`\x82";

static void photos_are_images(void **state) {
    (void)state;
    Client *c = h_client_as(S, "community");
    long long act = created_id(h_send(c, "POST", "/api/v1/activities", activity_body("带照片的活动", 0, K.xiyintou)));
    const char *path = h_fmt("/api/v1/activities/%lld/photos?name=%s", act, h_esc("现场.png"));
    char p[200];
    snprintf(p, sizeof p, "%s", path);
    Resp *r = h_req(c, "POST", p, "image/png", PNG, sizeof PNG - 1);
    EXPECT_STATUS(r, 201);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "items")) == 1);
    const char *loc = h_header(r, "Location");
    EXPECT_TRUE_R(r, loc != NULL);
    char where[200];
    snprintf(where, sizeof where, "%s", loc ? loc : "");
    Resp *g = h_get(c, "%s", where);
    EXPECT_STATUS(g, 200);
    EXPECT_TRUE_R(g, g->len == sizeof PNG - 1 && memcmp(g->body, PNG, g->len) == 0);
    EXPECT_TRUE_R(g, h_header(g, "Content-Type") && strncmp(h_header(g, "Content-Type"), "image/png", 9) == 0);
    /* Not an image, or not the image it claims to be: 415. */
    r = h_req(c, "POST", p, "application/pdf", "%PDF-1.4\n%%EOF\n", 15);
    EXPECT_PROBLEM(r, 415, "unsupported-media-type");
    r = h_req(c, "POST", p, "text/plain", "hello", 5);
    EXPECT_PROBLEM(r, 415, "unsupported-media-type");
    r = h_req(c, "POST", p, "image/jpeg", PNG, sizeof PNG - 1);
    EXPECT_PROBLEM(r, 415, "unsupported-media-type");
    r = h_req(c, "POST", h_fmt("/api/v1/activities/%lld/photos", act), "image/png", PNG, sizeof PNG - 1);
    EXPECT_FIELD_ERROR(r, "name", "required");
    r = h_get(c, "/api/v1/activities/%lld", act);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "photos")) == 1 && h_jint(r->json, "photo_count") == 1);
    EXPECT_PROBLEM(h_get(c, "/api/v1/activities/%lld/photos/999999", act), 404, "not-found");
    EXPECT_STATUS(h_del(c, "/api/v1/activities/%lld", act), 204);
    h_client_free(c);
}

/* ==== figures =================================================================================== */

static void figures_count_what_was_recorded(void **state) {
    (void)state;
    Client *adm = h_client_as(S, "admin");
    Resp *r = h_get(adm, "/api/v1/users?role=leader&q=leader&page_size=1");
    long long leader = h_jint(r->json, "items[0].id");
    long long area = created_id(h_send(adm, "POST", "/api/v1/areas",
                                       json_pack("{s:s, s:s, s:s, s:I}", "name", "统计测试片区", "code", "SV01",
                                                 "committee_name", "统计测试委员会", "convener_id", (json_int_t)leader)));
    const char *q = h_fmt("/api/v1/activities/figures?area_id=%lld", area);
    char fq[160];
    snprintf(fq, sizeof fq, "%s", q);
    r = h_get(adm, "%s", fq);
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "totals.activities") == 0 && h_jint(r->json, "summary.centers") == 0);

    json_t *b = center_body("统计测试中心", area);
    json_array_append_new(json_object_get(b, "services"), json_pack("{s:s, s:s}", "name", "人才公寓申请", "function", "housing"));
    long long center = created_id(h_send(adm, "POST", "/api/v1/centers", b));
    /* A free clinic by a resident unit (an institution), a reading by a village (not one), and
     * a park open day (its visitors are the reach) in March and April 2026. */
    b = activity_body("统计义诊", center, K.hospital);
    long long a1 = created_id(h_send(adm, "POST", "/api/v1/activities", b));
    b = activity_body("统计阅读", center, K.xiyintou);
    json_object_set_new(b, "kind", json_string("reading"));
    json_object_set_new(b, "participants", json_integer(3));
    json_object_set_new(b, "people_served", json_integer(20));
    long long a2 = created_id(h_send(adm, "POST", "/api/v1/activities", b));
    b = activity_body("统计开放日", 0, K.park);
    json_object_set_new(b, "kind", json_string("open_day"));
    json_object_set_new(b, "area_id", json_integer(area));
    json_object_set_new(b, "starts_at", json_string("2026-04-10T09:00"));
    json_object_set_new(b, "ends_at", json_string("2026-04-10T16:00"));
    json_object_set_new(b, "participants", json_integer(15));
    json_object_set_new(b, "people_served", json_integer(300));
    long long a3 = created_id(h_send(adm, "POST", "/api/v1/activities", b));

    r = h_get(adm, "%s", fq);
    EXPECT_STATUS(r, 200);
    struct {
        const char *path;
        long long want;
    } want[] = {{"summary.centers", 1}, {"summary.center_services", 2}, {"summary.activities", 3},
                {"summary.institution_services", 1}, {"summary.participants", 8 + 3 + 15},
                {"summary.people_served", 60 + 20 + 300}, {"summary.open_day_reach", 300},
                {"totals.activities", 3}, {"totals.people_served", 380}, {"by_month[0].activities", 2},
                {"by_area[0].activities", 3}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (h_jint(r->json, want[i].path) != want[i].want)
            FAIL_RESP(r, "%s = %lld, expected %lld", want[i].path, h_jint(r->json, want[i].path), want[i].want);
    EXPECT_TRUE_R(r, strcmp(h_jstr(r->json, "by_month[0].month"), "2026-03") == 0);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "by_kind")) == 3 && json_array_size(h_jpath(r->json, "by_organiser")) == 3);
    /* Dates narrow it (the centre and its catalogue are counted whatever the dates). */
    r = h_get(adm, "%s&from=2026-04-01&to=2026-04-30", fq);
    EXPECT_TRUE_R(r, h_jint(r->json, "summary.activities") == 1 && h_jint(r->json, "summary.open_day_reach") == 300);
    EXPECT_TRUE_R(r, h_jint(r->json, "summary.centers") == 1);
    r = h_get(adm, "/api/v1/activities/figures?from=2026-13-01");
    EXPECT_FIELD_ERROR(r, "from", NULL);

    EXPECT_STATUS(h_del(adm, "/api/v1/activities/%lld", a1), 204);
    EXPECT_STATUS(h_del(adm, "/api/v1/activities/%lld", a2), 204);
    EXPECT_STATUS(h_del(adm, "/api/v1/activities/%lld", a3), 204);
    EXPECT_STATUS(h_del(adm, "/api/v1/centers/%lld", center), 204);
    h_client_free(adm);
}

/* The demo district holds what the source text quotes. */
static void demo_figures(void **state) {
    (void)state;
    Client *l = h_client_as(S, "leader");
    Resp *r = h_get(l, "/api/v1/activities/figures");
    EXPECT_STATUS(r, 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "summary.centers") >= 32);
    EXPECT_TRUE_R(r, h_jint(r->json, "summary.institution_services") >= 200);
    EXPECT_TRUE_R(r, h_jint(r->json, "summary.open_day_reach") > 5000);
    EXPECT_TRUE_R(r, json_array_size(h_jpath(r->json, "by_month")) >= 20);
    r = h_get(l, "/api/v1/centers?page_size=200");
    EXPECT_TRUE_R(r, h_jint(r->json, "total") >= 32);
    size_t i;
    json_t *it;
    json_array_foreach(h_jpath(r->json, "items"), i, it) {
        double lat = json_real_value(h_jpath(it, "lat")), lng = json_real_value(h_jpath(it, "lng"));
        if (lat < 24.8 || lat > 25.1 || lng < 118.6 || lng > 118.9) FAIL_RESP(r, "centre %lld at %f, %f", h_jint(it, "id"), lat, lng);
        long long n = h_jint(it, "service_count");
        if (n < 2 || n > 6) FAIL_RESP(r, "centre %lld has %lld services", h_jint(it, "id"), n);
    }
    h_client_free(l);
}

/* ==== group ===================================================================================== */

static int start(void **state) {
    (void)state;
    static const char *const args[] = {"--ip-lock-failures", "0", NULL};
    S = h_server_start(args);
    if (!S) return -1;
    Client *a = h_client_as(S, "admin");
    K.a01 = area_code(a, "A01");
    K.a02 = area_code(a, "A02");
    K.xiyintou = org_named(a, "西吟头村");
    K.houting = org_named(a, "后亭村");
    K.hospital = org_named(a, "泉州台商投资区医院");
    K.park = org_named(a, "海峡雕刻艺术园");
    K.luoyang = org_named(a, "洛阳镇");
    K.dongyuan_village = org_named(a, "东园村");
    h_client_free(a);
    return K.a01 > 0 && K.a02 > 0 && K.xiyintou > 0 && K.houting > 0 && K.hospital > 0 && K.park > 0 ? 0 : -1;
}

static int stop(void **state) {
    (void)state;
    h_client_free_all();
    int rc = h_server_stop(S);
    h_server_free(S);
    S = NULL;
    return rc == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(center_create_read_update_delete),
        cmocka_unit_test(center_field_errors),
        cmocka_unit_test(activity_create_read_update_delete),
        cmocka_unit_test(activity_field_errors),
        cmocka_unit_test(scope_of_centres_and_activities),
        cmocka_unit_test(readers_may_not_write),
        cmocka_unit_test(photos_are_images),
        cmocka_unit_test(figures_count_what_was_recorded),
        cmocka_unit_test(demo_figures),
    };
    int failed = cmocka_run_group_tests_name("services", tests, start, stop);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
