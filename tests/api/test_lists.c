/*
 * test_lists.c — API tests of the three lists (三单) and published projects (揭榜领办) against the
 * real sanqu binary (issue #5 items 3–7, 9, 11): the resource catalogue (validation, provider
 * scope, phones masked, If-Match, capacity not below what is used, delete refused while used);
 * needs (validation of the configurable category, scope); matching (ranked, explained,
 * deterministic, only what has capacity left); projects linking needs and resources (capacity
 * accounting, a project over a resource's capacity refused naming the field, a need in a project
 * cannot be taken twice, write-off answers the needs, cancel releases needs and capacity); published
 * projects (period order, applications once per organisation, the lead among the applicants,
 * actions with participants and volunteer hours, evaluation not by the lead); the board and the
 * figures for a period and an area; configurable categories; and `sanqu verify` / `rebuild` on what
 * the suite wrote (rebuild recreates the capacity taken).
 *
 * Demo facts relied on (src/core/demo.c): area 1 (A01 洛阳片区) has the committee account
 * `committee`, area 2 another committee; `community` belongs to 西吟头村 (member of area 1),
 * `department` to 经济发展局, `volunteer` to 台商区义工协会, `enterprise` to an enterprise. Each test
 * makes the records it needs under titles of its own and compares before and after.
 *
 * Usage: test_lists SANQU_BINARY SOURCE_DIR
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

static Server *S;

enum { AREA_1 = 1, AREA_2 = 2 };

static int start_group(void **state) {
    (void)state;
    static const char *const args[] = {"--ip-lock-failures", "0", "--lock-failures", "100", NULL};
    S = h_server_start(args);
    return S ? 0 : -1;
}

static int stop_group(void **state) {
    (void)state;
    h_client_free_all();
    h_server_free(S);
    S = NULL;
    return 0;
}

/* The organisation of a demo account. */
static long long org_of(const char *user) {
    Client *c = h_client_as(S, user);
    Resp *r = h_get(c, "/api/v1/me");
    long long id = h_jint(r->json, "user.org_id");
    if (id <= 0) id = h_jint(r->json, "org_id");
    assert_true(id > 0);
    return id;
}

static long long created(Resp *r) {
    EXPECT_STATUS(r, 201);
    long long id = h_jint(r->json, "id");
    assert_true(id > 0);
    return id;
}

/* A resource of the department `department` covering area 1. */
static long long new_resource(const char *title, const char *category, int capacity) {
    Client *d = h_client_as(S, "department");
    return created(h_send(d, "POST", "/api/v1/resources",
                          json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:[i], s:s, s:s}", "provider_org_id",
                                    (json_int_t)org_of("department"), "category", category, "title", title, "description",
                                    "面向片区老年人提供午餐配送和助餐服务", "capacity", capacity, "unit", "人次", "valid_from",
                                    "2025-01-01", "area_ids", AREA_1, "contact_name", "王科长", "contact_phone", "13905950001")));
}

static long long new_need(const char *as, int area, const char *title, const char *category) {
    Client *c = h_client_as(S, as);
    return created(h_send(c, "POST", "/api/v1/dossiers",
                          json_pack("{s:s, s:s, s:s, s:s, s:i}", "type", "need", "title", title, "body",
                                    "村里独居老人午餐无人照料，希望开设助餐点或提供助餐配送。", "category", category, "area_id", area)));
}

static json_t *project_body(const char *title, long long need, long long res, int qty) {
    return json_pack("{s:s, s:s, s:i, s:[I], s:[{s:I, s:i}], s:I, s:I, s:[{s:s, s:s}]}", "type", "project", "title", title,
                     "area_id", AREA_1, "need_ids", (json_int_t)need, "allocations", "resource_id", (json_int_t)res, "quantity",
                     qty, "handler_org_id", (json_int_t)org_of("department"), "budget_fen", (json_int_t)12345600, "milestones",
                     "title", "方案制定", "due_on", "2026-12-31");
}

static const char *state_of(Client *c, long long id) {
    Resp *r = h_get(c, "/api/v1/dossiers/%lld", id);
    EXPECT_STATUS(r, 200);
    return h_jstr(r->json, "state");
}

static long long left_of(long long res) {
    Resp *r = h_get(h_client_as(S, "committee"), "/api/v1/resources/%lld", res);
    EXPECT_STATUS(r, 200);
    return h_jint(r->json, "left");
}

static Resp *act(Client *c, long long id, const char *action, json_t *body) {
    return h_send(c, "POST", h_fmt("/api/v1/dossiers/%lld/actions/%s", id, action), body ? body : json_object());
}

/* ==== resources ================================================================================== */

static void resource_validation_and_scope(void **state) {
    (void)state;
    Client *d = h_client_as(S, "department");
    long long own = org_of("department");
    /* Negative capacity, end before start, unknown category, no areas. */
    Resp *r = h_send(d, "POST", "/api/v1/resources",
                     json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:s}", "provider_org_id", (json_int_t)own, "category", "nonsense",
                               "title", "坏资源", "capacity", -5, "unit", "人次", "valid_from", "2026-05-01", "valid_to", "2026-01-01"));
    EXPECT_STATUS(r, 422);
    EXPECT_FIELD_ERROR(r, "capacity", "range");
    r = h_send(d, "POST", "/api/v1/resources",
               json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:s}", "provider_org_id", (json_int_t)own, "category", "nonsense",
                         "title", "坏资源", "capacity", 5, "unit", "人次", "valid_from", "2026-05-01", "valid_to", "2026-01-01"));
    EXPECT_STATUS(r, 422);
    EXPECT_FIELD_ERROR(r, "category", "category");
    EXPECT_FIELD_ERROR(r, "valid_to", "date_order");
    EXPECT_FIELD_ERROR(r, "area_ids", "required");
    /* Another department is not the department user's to offer from: its provider is refused. */
    Resp *depts = h_get(d, "/api/v1/orgs?kind=department&page_size=50");
    long long other = 0;
    size_t i;
    json_t *o;
    json_array_foreach(h_jpath(depts->json, "items"), i, o) if (h_jint(o, "id") != own) other = h_jint(o, "id");
    assert_true(other > 0);
    r = h_send(d, "POST", "/api/v1/resources",
               json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:b}", "provider_org_id", (json_int_t)other, "category", "elderly",
                         "title", "越界资源", "capacity", 5, "unit", "人次", "valid_from", "2026-01-01", "all_areas", 1));
    EXPECT_FIELD_ERROR(r, "provider_org_id", "reference");
    /* A good one: phone masked in the answer and the list, revealed (and audited) on request. */
    long long res = new_resource("测试助餐配送资源", "elderly", 10);
    r = h_get(d, "/api/v1/resources/%lld", res);
    EXPECT_STATUS(r, 200);
    assert_string_equal(h_jstr(r->json, "contact_phone"), "139****0001");
    assert_int_equal(h_jint(r->json, "left"), 10);
    assert_true(json_is_true(h_jpath(r->json, "valid")));
    r = h_get(d, "/api/v1/resources/%lld/phone", res);
    EXPECT_STATUS(r, 200);
    assert_string_equal(h_jstr(r->json, "contact_phone"), "13905950001");
    /* Readers of services see the catalogue; a committee may not change another's resource. */
    Client *cm = h_client_as(S, "committee");
    EXPECT_STATUS(h_get(cm, "/api/v1/resources/%lld", res), 200);
    r = h_send(cm, "PUT", h_fmt("/api/v1/resources/%lld", res), json_pack("{s:s}", "title", "x"));
    EXPECT_PROBLEM(r, 403, "forbidden");
    /* Stale If-Match. */
    h_client_header(d, "If-Match: \"999\"");
    r = h_send(d, "PUT", h_fmt("/api/v1/resources/%lld", res),
               json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:[i]}", "provider_org_id", (json_int_t)own, "category", "elderly",
                         "title", "测试助餐配送资源", "capacity", 12, "unit", "人次", "valid_from", "2025-01-01", "area_ids", AREA_1));
    EXPECT_STATUS(r, 412);
    /* Filters: by category and area, and `available`. */
    r = h_get(d, "/api/v1/resources?category=elderly&area_id=%d&q=%s&page_size=200", AREA_1, h_esc("测试助餐配送资源"));
    EXPECT_STATUS(r, 200);
    bool found = false;
    json_array_foreach(h_jpath(r->json, "items"), i, o) {
        found |= h_jint(o, "id") == res;
        assert_string_equal(h_jstr(o, "category"), "elderly");
    }
    assert_true(found);
    /* An unused resource is deleted; 404 after. */
    long long gone = new_resource("测试待删资源", "culture", 3);
    EXPECT_STATUS(h_del(d, "/api/v1/resources/%lld", gone), 204);
    EXPECT_STATUS(h_get(d, "/api/v1/resources/%lld", gone), 404);
}

/* ==== needs and matching ========================================================================= */

static void need_validation_and_scope(void **state) {
    (void)state;
    Client *c = h_client_as(S, "community");
    Resp *r = h_send(c, "POST", "/api/v1/dossiers",
                     json_pack("{s:s, s:s, s:s, s:s, s:i}", "type", "need", "title", "缺类别的需求", "body", "说明", "category",
                               "no_such_category", "area_id", AREA_1));
    EXPECT_STATUS(r, 422);
    EXPECT_FIELD_ERROR(r, "category", "category");
    /* Raised by a resident through a centre: the centre must exist and be in scope. */
    r = h_send(c, "POST", "/api/v1/dossiers",
               json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:i}", "type", "need", "title", "经邻里中心提出", "body", "说明", "category",
                         "elderly", "area_id", AREA_1, "source", "resident", "center_id", 999999));
    EXPECT_FIELD_ERROR(r, "center_id", "reference");
    long long need = new_need("community", AREA_1, "测试需求：助餐", "elderly");
    assert_string_equal(state_of(c, need), "open");
    /* Another area's committee does not see it; the area's own does. */
    EXPECT_STATUS(h_get(h_client_as(S, "committee"), "/api/v1/dossiers/%lld", need), 200);
    Resp *other = h_get(h_client_as(S, "enterprise"), "/api/v1/dossiers/%lld/matches", need);
    if (other->status != 404 && other->status != 200) fail_msg("enterprise: matches answered %ld", other->status);
    /* Matches of something that is not a need: 409. */
    Resp *types = h_get(c, "/api/v1/dossiers?type=agreed_item&limit=1");
    long long item = h_jint(types->json, "items[0].id");
    if (item > 0) EXPECT_STATUS(h_get(c, "/api/v1/dossiers/%lld/matches", item), 409);
}

static void matching_is_ranked_explained_and_deterministic(void **state) {
    (void)state;
    long long res = new_resource("测试匹配：老年助餐配送", "elderly", 50);
    long long full = new_resource("测试匹配：已用完的助餐资源", "elderly", 1);
    long long need = new_need("community", AREA_1, "测试匹配：独居老人午餐无人照料", "elderly");
    long long need2 = new_need("community", AREA_1, "测试匹配：用完资源的需求", "elderly");
    Client *cm = h_client_as(S, "committee");
    /* Use up `full` with a project. */
    created(h_send(cm, "POST", "/api/v1/dossiers", project_body("测试匹配：占满容量", need2, full, 1)));
    Resp *a = h_get(cm, "/api/v1/dossiers/%lld/matches?limit=50", need);
    EXPECT_STATUS(a, 200);
    json_t *items = h_jpath(a->json, "items");
    assert_true(json_array_size(items) > 0);
    long long prev = 1000;
    bool seen = false;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        long long score = h_jint(it, "score");
        assert_true(score <= prev);
        prev = score;
        assert_true(h_jint(it, "left") > 0);
        assert_true(h_jint(it, "id") != full);
        /* The parts add up to the score. */
        long long sum = 0;
        size_t k;
        json_t *reason;
        json_array_foreach(h_jpath(it, "reasons"), k, reason) sum += h_jint(reason, "points");
        assert_int_equal(sum, score);
        if (h_jint(it, "id") == res) {
            seen = true;
            /* Category, area, capacity and shared words. */
            const char *codes[4] = {0};
            json_array_foreach(h_jpath(it, "reasons"), k, reason) if (k < 4) codes[k] = h_jstr(reason, "code");
            assert_string_equal(codes[0], "category");
            assert_string_equal(codes[1], "area");
            assert_string_equal(codes[2], "capacity");
            assert_string_equal(codes[3], "text");
            assert_true(score >= 40 + 25 + 10);
        }
    }
    assert_true(seen);
    /* The same answer twice. */
    Resp *b = h_get(cm, "/api/v1/dossiers/%lld/matches?limit=50", need);
    assert_string_equal(a->body, b->body);
    /* From the resource's side: the need is among the open needs it could serve. */
    Resp *n = h_get(cm, "/api/v1/resources/%lld/needs?limit=50", res);
    EXPECT_STATUS(n, 200);
    seen = false;
    json_array_foreach(h_jpath(n->json, "items"), i, it) seen |= h_jint(it, "id") == need;
    assert_true(seen);
    /* A resource with nothing left serves nothing. */
    n = h_get(cm, "/api/v1/resources/%lld/needs", full);
    EXPECT_STATUS(n, 200);
    assert_int_equal(json_array_size(h_jpath(n->json, "items")), 0);
}

/* ==== projects =================================================================================== */

static void project_capacity_and_lifecycle(void **state) {
    (void)state;
    long long res = new_resource("测试项目：助餐配送", "elderly", 20);
    long long need = new_need("community", AREA_1, "测试项目：老人助餐", "elderly");
    Client *cm = h_client_as(S, "committee");
    /* Over the capacity: refused naming the field, nothing taken. */
    Resp *r = h_send(cm, "POST", "/api/v1/dossiers", project_body("测试项目：超出容量", need, res, 21));
    EXPECT_STATUS(r, 422);
    EXPECT_FIELD_ERROR(r, "allocations", "capacity");
    assert_int_equal(left_of(res), 20);
    assert_string_equal(state_of(cm, need), "open");
    /* A negative or zero quantity, a missing need. */
    r = h_send(cm, "POST", "/api/v1/dossiers", project_body("测试项目：零", need, res, 0));
    EXPECT_FIELD_ERROR(r, "allocations", "quantity");
    /* Within it: the need is taken up, capacity is used. */
    long long p = created(h_send(cm, "POST", "/api/v1/dossiers", project_body("测试项目：助餐点", need, res, 15)));
    assert_string_equal(state_of(cm, need), "in_project");
    assert_int_equal(left_of(res), 5);
    Resp *nd = h_get(cm, "/api/v1/dossiers/%lld", need);
    assert_int_equal(h_jint(nd->json, "fields.project_id"), p);
    /* The same need cannot go into a second project; the rest of the capacity can. */
    long long need2 = new_need("community", AREA_1, "测试项目：第二个需求", "elderly");
    r = h_send(cm, "POST", "/api/v1/dossiers", project_body("测试项目：重复", need, res, 1));
    EXPECT_FIELD_ERROR(r, "need_ids", "state");
    r = h_send(cm, "POST", "/api/v1/dossiers", project_body("测试项目：余量不够", need2, res, 6));
    EXPECT_FIELD_ERROR(r, "allocations", "capacity");
    /* The used resource cannot be deleted, nor shrunk below what is used. */
    Client *d = h_client_as(S, "department");
    EXPECT_STATUS(h_del(d, "/api/v1/resources/%lld", res), 409);
    r = h_send(d, "PUT", h_fmt("/api/v1/resources/%lld", res),
               json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:[i]}", "provider_org_id", (json_int_t)org_of("department"),
                         "category", "elderly", "title", "测试项目：助餐配送", "capacity", 10, "unit", "人次", "valid_from",
                         "2025-01-01", "area_ids", AREA_1));
    EXPECT_FIELD_ERROR(r, "capacity", "below_used");
    /* The handler (经济发展局) carries it out; the committee writes it off; the need is answered. */
    EXPECT_STATUS(act(cm, p, "start", NULL), 403);
    EXPECT_STATUS(act(d, p, "start", NULL), 200);
    r = act(d, p, "record_progress", json_pack("{s:s, s:s}", "note", "助餐点已选址", "progress_on", "2026-11-01"));
    EXPECT_STATUS(r, 200);
    r = h_get(cm, "/api/v1/dossiers/%lld", p);
    assert_string_equal(h_jstr(r->json, "fields.progress[0].note"), "助餐点已选址");
    assert_string_equal(h_jstr(r->json, "state"), "in_progress");
    EXPECT_FIELD_ERROR(act(d, p, "report_done", NULL), "outcome", "required");
    EXPECT_STATUS(act(d, p, "report_done", json_pack("{s:s}", "outcome", "助餐点开业，每日服务老人60人次")), 200);
    EXPECT_STATUS(act(d, p, "write_off", json_pack("{s:s}", "conclusion", "同意")), 403);
    EXPECT_STATUS(act(cm, p, "write_off", json_pack("{s:s}", "conclusion", "验收合格，同意销号")), 200);
    assert_string_equal(state_of(cm, p), "written_off");
    assert_string_equal(state_of(cm, need), "answered");
    /* The need's log records the answer and where it came from. */
    Resp *ev = h_get(cm, "/api/v1/dossiers/%lld/events", need);
    json_t *last = json_array_get(h_jpath(ev->json, "items"), json_array_size(h_jpath(ev->json, "items")) - 1);
    assert_string_equal(h_jstr(last, "action"), "answer");
    assert_int_equal(h_jint(last, "payload.cascade.dossier_id"), p);
    /* Capacity stays taken by a written-off project. */
    assert_int_equal(left_of(res), 5);
}

static void project_cancel_releases(void **state) {
    (void)state;
    long long res = new_resource("测试撤销：资源", "elderly", 8);
    long long need = new_need("community", AREA_1, "测试撤销：需求", "elderly");
    Client *cm = h_client_as(S, "committee");
    long long p = created(h_send(cm, "POST", "/api/v1/dossiers", project_body("测试撤销：项目", need, res, 8)));
    assert_int_equal(left_of(res), 0);
    EXPECT_FIELD_ERROR(act(cm, p, "cancel", NULL), "reason", "required");
    EXPECT_STATUS(act(cm, p, "cancel", json_pack("{s:s}", "reason", "资源调整")), 200);
    assert_int_equal(left_of(res), 8);
    assert_string_equal(state_of(cm, need), "open");
    /* The released need and capacity make a new project. */
    created(h_send(cm, "POST", "/api/v1/dossiers", project_body("测试撤销：重新立项", need, res, 8)));
    assert_string_equal(state_of(cm, need), "in_project");
}

static void project_field_errors(void **state) {
    (void)state;
    Client *cm = h_client_as(S, "committee");
    long long need = new_need("community", AREA_1, "测试字段：需求", "elderly");
    long long res = new_resource("测试字段：资源", "elderly", 5);
    json_t *b = project_body("测试字段：项目", need, res, 1);
    json_object_set_new(b, "budget_fen", json_integer(-1));
    json_object_set_new(b, "milestones", json_pack("[{s:s, s:s}]", "title", "", "due_on", "2026-13-45"));
    json_object_set_new(b, "partner_org_ids", json_pack("[i, i]", 999999, 999999));
    Resp *r = h_send(cm, "POST", "/api/v1/dossiers", b);
    EXPECT_STATUS(r, 422);
    EXPECT_FIELD_ERROR(r, "budget_fen", "range");
    EXPECT_FIELD_ERROR(r, "milestones[0].title", "required");
    EXPECT_FIELD_ERROR(r, "milestones[0].due_on", "date");
    EXPECT_FIELD_ERROR(r, "partner_org_ids", "reference");
    assert_string_equal(state_of(cm, need), "open");
    /* A resource that does not serve the project's area cannot be allocated. */
    Client *d = h_client_as(S, "department");
    long long elsewhere = created(h_send(d, "POST", "/api/v1/resources",
                                         json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:[i]}", "provider_org_id",
                                                   (json_int_t)org_of("department"), "category", "elderly", "title",
                                                   "测试字段：只服务片区2", "capacity", 9, "unit", "人次", "valid_from", "2025-01-01",
                                                   "area_ids", AREA_2)));
    r = h_send(cm, "POST", "/api/v1/dossiers", project_body("测试字段：资源不覆盖", need, elsewhere, 1));
    EXPECT_FIELD_ERROR(r, "allocations", "area");
    /* A need of another area's scope is not the committee's to link. */
    long long far = new_need("leader", AREA_2, "测试字段：别的片区的需求", "elderly");
    r = h_send(cm, "POST", "/api/v1/dossiers", project_body("测试字段：越界", far, res, 1));
    EXPECT_FIELD_ERROR(r, "need_ids", "reference");
}

/* ==== published projects ========================================================================= */

static void bounty_lifecycle(void **state) {
    (void)state;
    Client *cm = h_client_as(S, "committee"), *v = h_client_as(S, "volunteer"), *com = h_client_as(S, "community");
    Resp *r = h_send(cm, "POST", "/api/v1/dossiers",
                     json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "type", "bounty", "title", "测试揭榜：河道清理", "body",
                               "清理河道垃圾", "area_id", AREA_1, "period_from", "2026-06-01", "period_to", "2026-05-01"));
    EXPECT_STATUS(r, 422);
    EXPECT_FIELD_ERROR(r, "period_to", "before");
    long long b = created(h_send(cm, "POST", "/api/v1/dossiers",
                                 json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "type", "bounty", "title", "测试揭榜：河道清理",
                                           "body", "清理河道垃圾", "area_id", AREA_1, "period_from", "2026-06-01", "period_to",
                                           "2026-12-31", "support", "经费补助")));
    /* Visible to every reader of dossiers, also outside the area. */
    EXPECT_STATUS(h_get(h_client_as(S, "enterprise"), "/api/v1/dossiers/%lld", b), 200);
    long long vol_org = org_of("volunteer"), com_org = org_of("community"), ent_org = org_of("enterprise");
    EXPECT_STATUS(act(v, b, "apply", json_pack("{s:I, s:s}", "applicant_org_id", (json_int_t)vol_org, "plan", "分三批清理")), 200);
    r = act(v, b, "apply", json_pack("{s:I, s:s}", "applicant_org_id", (json_int_t)vol_org, "plan", "再来一次"));
    EXPECT_FIELD_ERROR(r, "applicant_org_id", "duplicate");
    /* One applies for its own organisation only. */
    r = act(com, b, "apply", json_pack("{s:I, s:s}", "applicant_org_id", (json_int_t)vol_org, "plan", "代报"));
    EXPECT_FIELD_ERROR(r, "applicant_org_id", "reference");
    EXPECT_STATUS(act(com, b, "apply", json_pack("{s:I, s:s}", "applicant_org_id", (json_int_t)com_org, "plan", "村民参与")), 200);
    /* The committee chooses among the applicants. */
    r = act(cm, b, "choose_lead", json_pack("{s:I}", "handler_org_id", (json_int_t)ent_org));
    EXPECT_FIELD_ERROR(r, "handler_org_id", "not_listed");
    EXPECT_STATUS(act(v, b, "choose_lead", json_pack("{s:I}", "handler_org_id", (json_int_t)vol_org)), 403);
    EXPECT_STATUS(act(cm, b, "choose_lead", json_pack("{s:I}", "handler_org_id", (json_int_t)vol_org)), 200);
    /* Only the lead records actions. */
    json_t *action = json_pack("{s:s, s:s, s:s, s:i, s:i}", "action_kind", "clean_up", "action_date", "2026-06-15", "place",
                               "洛阳江边", "participants", 25, "volunteer_hours", 75);
    EXPECT_STATUS(act(com, b, "record_action", json_deep_copy(action)), 403);
    r = act(v, b, "record_action", json_pack("{s:s, s:s, s:s, s:i}", "action_kind", "nonsense", "action_date", "2026-06-15",
                                             "place", "x", "participants", 0));
    EXPECT_FIELD_ERROR(r, "action_kind", "category");
    EXPECT_FIELD_ERROR(r, "participants", "range");
    EXPECT_STATUS(act(v, b, "record_action", action), 200);
    EXPECT_STATUS(act(v, b, "record_action",
                      json_pack("{s:s, s:s, s:s, s:i, s:i}", "action_kind", "typhoon", "action_date", "2026-07-20", "place",
                                "沿江村", "participants", 10, "volunteer_hours", 40)), 200);
    r = h_get(cm, "/api/v1/dossiers/%lld", b);
    assert_int_equal(json_array_size(h_jpath(r->json, "fields.actions")), 2);
    assert_int_equal(json_array_size(h_jpath(r->json, "fields.applications")), 2);
    /* Records name their organisations and who added them, also for a reader who cannot look the
     * other applicant up (the volunteer team does not see 西吟头村). */
    r = h_get(v, "/api/v1/dossiers/%lld", b);
    EXPECT_STATUS(r, 200);
    assert_non_null(h_jstr(r->json, "fields.applications[1].applicant_org_id_name"));
    assert_int_equal(h_get(v, "/api/v1/orgs/%lld", com_org)->status, 404);
    assert_non_null(h_jstr(r->json, "fields.applications[0].user_name"));
    assert_non_null(h_jstr(r->json, "fields.actions[0].user_name"));
    EXPECT_STATUS(act(v, b, "finish", json_pack("{s:s}", "summary", "完成两次行动")), 200);
    EXPECT_STATUS(act(v, b, "evaluate", json_pack("{s:s, s:s}", "evaluation", "好", "rating", "good")), 403);
    EXPECT_STATUS(act(cm, b, "evaluate", json_pack("{s:s, s:s}", "evaluation", "组织有力", "rating", "excellent")), 200);
    assert_string_equal(state_of(cm, b), "evaluated");
}

/* ==== the board, figures and categories ========================================================== */

static long long fig(json_t *j, const char *path) { return h_jint(j, path); }

static void figures_follow_the_records(void **state) {
    (void)state;
    Client *cm = h_client_as(S, "committee");
    const char *q = "/api/v1/stats/services?area_id=1&from=2026-01-01&to=2099-12-31";
    Resp *before = h_get(cm, "%s", q);
    EXPECT_STATUS(before, 200);
    json_t *b0 = json_incref(before->json);
    long long res = new_resource("测试统计：资源", "elderly", 5);
    long long need = new_need("community", AREA_1, "测试统计：需求", "elderly");
    long long p = created(h_send(cm, "POST", "/api/v1/dossiers", project_body("测试统计：项目", need, res, 1)));
    Client *d = h_client_as(S, "department");
    EXPECT_STATUS(act(d, p, "start", NULL), 200);
    EXPECT_STATUS(act(d, p, "report_done", json_pack("{s:s}", "outcome", "完成")), 200);
    EXPECT_STATUS(act(cm, p, "write_off", json_pack("{s:s}", "conclusion", "同意")), 200);
    long long bid = created(h_send(cm, "POST", "/api/v1/dossiers",
                                   json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "type", "bounty", "title", "测试统计：揭榜", "body",
                                             "要求", "area_id", AREA_1, "period_from", "2026-01-01", "period_to", "2026-12-31")));
    Client *v = h_client_as(S, "volunteer");
    long long vol_org = org_of("volunteer");
    EXPECT_STATUS(act(v, bid, "apply", json_pack("{s:I, s:s}", "applicant_org_id", (json_int_t)vol_org, "plan", "方案")), 200);
    EXPECT_STATUS(act(cm, bid, "choose_lead", json_pack("{s:I}", "handler_org_id", (json_int_t)vol_org)), 200);
    EXPECT_STATUS(act(v, bid, "record_action",
                      json_pack("{s:s, s:s, s:s, s:i, s:i}", "action_kind", "patrol", "action_date", "2026-03-03", "place", "村口",
                                "participants", 7, "volunteer_hours", 21)), 200);
    /* An action outside the period is not counted in it. */
    EXPECT_STATUS(act(v, bid, "record_action",
                      json_pack("{s:s, s:s, s:s, s:i, s:i}", "action_kind", "patrol", "action_date", "2025-03-03", "place", "村口",
                                "participants", 100, "volunteer_hours", 100)), 200);
    Resp *after = h_get(cm, "%s", q);
    EXPECT_STATUS(after, 200);
    json_t *a1 = after->json;
    assert_int_equal(fig(a1, "needs.raised"), fig(b0, "needs.raised") + 1);
    assert_int_equal(fig(a1, "needs.answered"), fig(b0, "needs.answered") + 1);
    assert_int_equal(fig(a1, "projects.started"), fig(b0, "projects.started") + 1);
    assert_int_equal(fig(a1, "projects.written_off"), fig(b0, "projects.written_off") + 1);
    assert_int_equal(fig(a1, "bounties.published"), fig(b0, "bounties.published") + 1);
    assert_int_equal(fig(a1, "actions.count"), fig(b0, "actions.count") + 1);
    assert_int_equal(fig(a1, "actions.participants"), fig(b0, "actions.participants") + 7);
    assert_int_equal(fig(a1, "actions.volunteer_hours"), fig(b0, "actions.volunteer_hours") + 21);
    assert_true(fig(a1, "resources.total") >= fig(b0, "resources.total") + 1);
    json_decref(b0);
    /* Another area's figures do not move with area 1's records. */
    Resp *other = h_get(h_client_as(S, "leader"), "/api/v1/stats/services?area_id=2");
    EXPECT_STATUS(other, 200);
    /* The board shows the project with its need and resource, and the counts. */
    Resp *board = h_get(cm, "/api/v1/three-lists?area_id=1");
    EXPECT_STATUS(board, 200);
    bool seen = false;
    size_t i;
    json_t *it;
    json_array_foreach(h_jpath(board->json, "projects"), i, it) {
        if (h_jint(it, "id") != p) continue;
        seen = true;
        assert_int_equal(h_jint(it, "needs[0].id"), need);
        assert_int_equal(h_jint(it, "resources[0].id"), res);
    }
    assert_true(seen);
    assert_true(fig(board->json, "counts.needs.answered") >= 1);
    /* Bad periods are named. */
    Resp *bad = h_get(cm, "/api/v1/stats/services?from=2026-05-01&to=2026-01-01");
    EXPECT_FIELD_ERROR(bad, "to", "date_order");
    /* A committee of another area sees none of area 1's needs on its board. */
    Resp *b2 = h_get(cm, "/api/v1/three-lists?area_id=2");
    EXPECT_STATUS(b2, 200);
    assert_int_equal(json_array_size(h_jpath(b2->json, "open_needs")), 0);
}

static void categories_are_configurable(void **state) {
    (void)state;
    Client *ad = h_client_as(S, "admin");
    Resp *r = h_send(ad, "POST", "/api/v1/categories",
                     json_pack("{s:s, s:s, s:s, s:s, s:i}", "domain", "service", "code", "legal_aid", "label_zh", "法律援助", "label_en",
                               "Legal aid", "sort", 120));
    EXPECT_STATUS(r, 201);
    r = h_send(ad, "POST", "/api/v1/categories",
               json_pack("{s:s, s:s, s:s, s:s}", "domain", "service", "code", "legal_aid", "label_zh", "重复", "label_en", "Dup"));
    EXPECT_STATUS(r, 409);
    r = h_send(ad, "POST", "/api/v1/categories",
               json_pack("{s:s, s:s, s:s, s:s}", "domain", "nowhere", "code", "Bad Code", "label_zh", "x", "label_en", "x"));
    EXPECT_FIELD_ERROR(r, "domain", "enum");
    EXPECT_FIELD_ERROR(r, "code", "code");
    /* Only the administrator configures. */
    EXPECT_STATUS(h_send(h_client_as(S, "committee"), "POST", "/api/v1/categories",
                         json_pack("{s:s, s:s, s:s, s:s}", "domain", "service", "code", "x1", "label_zh", "x", "label_en", "x")), 403);
    /* The new category is usable at once; retired, it is refused. */
    long long need = new_need("community", AREA_1, "测试类别：法律咨询", "legal_aid");
    assert_true(need > 0);
    r = h_send(ad, "PUT", "/api/v1/categories/legal_aid",
               json_pack("{s:s, s:s, s:s, s:i, s:b}", "domain", "service", "label_zh", "法律援助", "label_en", "Legal aid", "sort", 120,
                         "active", 0));
    EXPECT_STATUS(r, 200);
    r = h_send(h_client_as(S, "community"), "POST", "/api/v1/dossiers",
               json_pack("{s:s, s:s, s:s, s:s, s:i}", "type", "need", "title", "测试类别：停用后", "body", "说明", "category",
                         "legal_aid", "area_id", AREA_1));
    EXPECT_FIELD_ERROR(r, "category", "category");
    r = h_get(h_client_as(S, "community"), "/api/v1/categories?domain=service");
    EXPECT_STATUS(r, 200);
    size_t i;
    json_t *it;
    json_array_foreach(h_jpath(r->json, "items"), i, it) assert_string_not_equal(h_jstr(it, "code"), "legal_aid");
    EXPECT_STATUS(h_send(ad, "PUT", "/api/v1/categories/no_such",
                         json_pack("{s:s, s:s, s:s, s:b}", "domain", "service", "label_zh", "x", "label_en", "x", "active", 1)), 404);
}

/* Runs last: every chain the suite wrote (cascaded events included) holds, before and after
 * `sanqu rebuild` recreates the projections and the capacity taken. */
static void verify_and_rebuild(void **state) {
    (void)state;
    assert_int_equal(h_server_stop(S), 0);
    const char *const verify[] = {"verify", "--db", S->db, NULL}, *const rebuild[] = {"rebuild", "--db", S->db, NULL};
    for (int round = 0; round < 2; round++) {
        char *out = NULL;
        int rc = h_cli(S, verify, &out);
        if (rc != 0 || !out || !strstr(out, "all chains intact")) fail_msg("sanqu verify (round %d): exit %d\n%s", round, rc, out ? out : "");
        free(out);
        if (round == 1) break;
        out = NULL;
        rc = h_cli(S, rebuild, &out);
        if (rc != 0) fail_msg("sanqu rebuild: exit %d\n%s", rc, out ? out : "");
        free(out);
    }
    h_server_free(S);
    S = NULL;
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resource_validation_and_scope),
        cmocka_unit_test(need_validation_and_scope),
        cmocka_unit_test(matching_is_ranked_explained_and_deterministic),
        cmocka_unit_test(project_capacity_and_lifecycle),
        cmocka_unit_test(project_cancel_releases),
        cmocka_unit_test(project_field_errors),
        cmocka_unit_test(bounty_lifecycle),
        cmocka_unit_test(figures_follow_the_records),
        cmocka_unit_test(categories_are_configurable),
        cmocka_unit_test(verify_and_rebuild),
    };
    int failed = cmocka_run_group_tests_name("lists", tests, start_group, stop_group);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
