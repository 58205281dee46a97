/*
 * demo_lists.c — the three lists (三单) and published projects (揭榜领办) of the demo district:
 * 111 resources offered by the district's departments, needs raised at community desks, by
 * enterprises and by residents through the centres, 22 co-building projects made of them (most
 * written off, their needs answered), and 14 published projects with 60+ recorded actions. All run
 * through the dossier engine with back-dated events, like demo_matters.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/auth.h"
#include "core/demo.h"
#include "core/dossier.h"
#include "core/match.h"
#include "core/resource.h"
#include "util/jsonh.h"
#include "util/timeutil.h"

static Rc act(Db *db, const Actor *a, int64_t id, const char *action, json_t *in, Fail *f) {
    Rc r = dossier_act(db, a, id, action, in, 0, f);
    json_decref(in);
    return r;
}

static Rc open_dossier(Db *db, const Actor *a, json_t *in, int64_t *id, Fail *f) {
    Rc r = dossier_create(db, a, in, id, f);
    json_decref(in);
    return r;
}

/* What departments offer, by category: title, description, capacity, unit. */
static const struct {
    const char *category, *title, *desc, *unit;
    int capacity;
    int dept; /* index of the providing department in the demo's list (demo.c) */
} offers[] = {
    {"elderly", "老年助餐配送服务", "为高龄、独居老人提供午餐配送和助餐点就餐补贴", "人次", 3000, 2},
    {"elderly", "居家养老上门服务", "助洁、助浴、助医等居家养老上门服务", "人次", 800, 2},
    {"elderly", "适老化改造补助", "为困难老年人家庭实施扶手、防滑等适老化改造", "户", 60, 2},
    {"childcare", "托育机构指导服务", "普惠托育机构设置和运营指导", "场", 20, 2},
    {"childcare", "四点半课堂师资", "为社区四点半课堂提供课后托管和辅导师资", "课时", 400, 2},
    {"employment", "就业岗位推介会", "组织园区企业到社区举办招聘会，推介就业岗位", "场", 24, 9},
    {"employment", "职业技能培训", "电工、育婴员、电商运营等职业技能培训", "人次", 600, 9},
    {"employment", "零工市场对接服务", "为灵活就业人员对接零工岗位", "人次", 1000, 9},
    {"infrastructure", "道路养护维修", "村居道路坑洼修补、路面硬化", "处", 40, 6},
    {"infrastructure", "路灯维修更换", "村居和园区周边路灯维修、更换节能灯具", "盏", 300, 6},
    {"infrastructure", "排水管网疏通", "雨污管网疏通、防汛排涝点整治", "处", 50, 6},
    {"safety", "安全生产培训", "企业主要负责人和安全管理人员安全生产培训", "场", 30, 5},
    {"safety", "消防安全检查指导", "对九小场所、出租房开展消防安全检查指导", "次", 200, 4},
    {"safety", "燃气安全宣传排查", "燃气使用安全宣传和隐患排查", "户", 1500, 5},
    {"culture", "送戏下乡演出", "送戏曲、文艺演出进村居、进园区", "场", 36, 0},
    {"culture", "流动图书服务", "图书流动车和邻里书屋图书配送", "册", 5000, 0},
    {"culture", "文化课堂师资", "书法、南音、雕刻等文化课堂师资", "课时", 200, 0},
    {"enterprise", "惠企政策宣讲", "惠企政策解读、申报辅导", "场", 40, 1},
    {"enterprise", "融资对接服务", "银企对接、贷款贴息政策辅导", "次", 60, 1},
    {"enterprise", "知识产权指导", "商标、专利申请和保护指导", "次", 50, 3},
    {"health", "家庭医生签约服务", "家庭医生团队签约和上门随访", "人次", 2000, 2},
    {"health", "义诊巡诊服务", "组织医生到村居、园区开展义诊巡诊", "场", 48, 2},
    {"health", "心理健康咨询", "面向职工、青少年和老人的心理健康咨询", "人次", 300, 2},
    {"education", "家长学校讲座", "家庭教育讲座和亲子活动指导", "场", 30, 0},
    {"education", "青少年暑期托管", "暑期托管、安全教育和兴趣课程", "人次", 500, 0},
    {"environment", "垃圾分类指导", "垃圾分类宣传、督导和分类设施配置", "场", 60, 11},
    {"environment", "河道保洁清理", "村居河道、沟渠保洁和清淤", "处", 30, 11},
    {"environment", "绿化提升苗木", "村居小游园、边角地绿化苗木支持", "株", 2000, 11},
    {"housing", "人才公寓房源", "为园区引进人才提供人才公寓房源", "套", 120, 6},
    {"housing", "人才安居政策辅导", "人才购房、租房补贴政策辅导", "次", 100, 6},
};
enum { NOFFERS = sizeof offers / sizeof offers[0] };

/* Needs raised: title, description, category; matched to an offer by category and words. */
static const struct {
    const char *category, *title, *body;
} wants[] = {
    {"elderly", "独居老人午餐无人照料", "村里独居、高龄老人较多，子女外出务工，午餐无人照料，希望开设助餐点或提供助餐配送。"},
    {"elderly", "老年人居家养老上门服务需求", "失能半失能老人需要助洁、助浴等居家养老上门服务。"},
    {"childcare", "双职工家庭孩子放学后无人看管", "园区职工下班晚，孩子放学后无人看管，希望开设四点半课堂。"},
    {"employment", "村民就近就业岗位需求", "村里留守妇女和大龄村民希望在附近园区找到就业岗位。"},
    {"employment", "电商运营技能培训需求", "青年村民希望学习电商运营技能，开展直播带货。"},
    {"infrastructure", "村道路灯损坏夜间出行不便", "主干道多盏路灯损坏，夜间出行不便，存在安全隐患。"},
    {"infrastructure", "雨季排水不畅易内涝", "片区低洼处排水管网淤堵，雨季容易内涝，需要疏通排水管网。"},
    {"infrastructure", "村道路面坑洼需要修补", "通往园区的村道路面坑洼，货车通行困难，需要道路养护维修。"},
    {"safety", "出租房消防安全隐患", "外来务工人员出租房较多，电动车室内充电，存在消防安全隐患，需要消防安全检查指导。"},
    {"safety", "企业安全生产培训需求", "园区小微企业缺少安全管理人员，希望开展安全生产培训。"},
    {"culture", "村民希望观看戏曲演出", "老人喜欢南音和戏曲，希望送戏下乡演出进村。"},
    {"culture", "邻里书屋图书更新", "邻里书屋图书陈旧，希望增加流动图书服务和绘本。"},
    {"enterprise", "企业不了解惠企政策", "新落户企业对惠企政策和申报流程不了解，希望开展政策宣讲。"},
    {"enterprise", "小微企业融资难", "小微企业扩产缺少资金，希望对接银行融资服务。"},
    {"health", "村民看病远希望义诊", "偏远村居老人看病不便，希望医生定期下乡义诊巡诊。"},
    {"health", "职工心理健康咨询需求", "园区一线职工工作压力大，希望提供心理健康咨询。"},
    {"education", "家长希望家庭教育指导", "留守儿童家长缺少家庭教育方法，希望举办家长学校讲座。"},
    {"environment", "垃圾分类设施不足", "小区垃圾分类亭不足，居民分类意识不强，需要垃圾分类指导。"},
    {"environment", "村内沟渠淤积发臭", "村内沟渠长期淤积，夏天发臭，需要河道保洁清理。"},
    {"housing", "园区引进人才住房困难", "园区新引进的技术人才租房难，希望提供人才公寓房源。"},
};
enum { NWANTS = sizeof wants / sizeof wants[0] };

static const char *const bounty_titles[] = {
    "洛阳江沿岸环境整治", "台风季防汛巡查志愿行动", "老旧小区楼道清理", "园区周边交通劝导", "独居老人关爱走访",
    "反诈宣传进村居", "海岸线垃圾清理", "电动自行车安全充电宣传", "村居背街小巷整治", "防台风应急转移协助",
    "垃圾分类督导志愿服务", "校园周边平安守护", "邻里书屋志愿服务", "河道巡河护河行动"};
static const char *const bounty_kinds[] = {"clean_up", "typhoon", "clean_up", "patrol", "care", "publicity", "clean_up",
                                           "publicity", "clean_up", "typhoon", "clean_up", "patrol", "care", "clean_up"};

Rc demo_lists(Db *db, Fail *f) {
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    int64_t area_ids[12] = {0}, convener[12] = {0}, town[12] = {0}, member[12] = {0};
    int nareas = 0;
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT a.id, a.convener_id, (SELECT o.town_id FROM area_members m JOIN orgs o ON o.id = m.org_id"
                            " WHERE m.area_id = a.id AND o.kind = 'community' LIMIT 1), (SELECT m.org_id FROM area_members m"
                            " JOIN orgs o ON o.id = m.org_id WHERE m.area_id = a.id AND o.kind = 'community' ORDER BY m.org_id LIMIT 1)"
                            " FROM areas a ORDER BY a.id LIMIT 12", NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        area_ids[nareas] = sqlite3_column_int64(st, 0);
        convener[nareas] = sqlite3_column_int64(st, 1);
        town[nareas] = sqlite3_column_int64(st, 2);
        member[nareas] = sqlite3_column_int64(st, 3);
        nareas++;
    }
    db_done(st);
    int64_t depts[12] = {0};
    int ndepts = 0;
    st = db_q(db, f, "SELECT id FROM orgs WHERE kind = 'department' ORDER BY id LIMIT 12", NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) depts[ndepts++] = sqlite3_column_int64(st, 0);
    db_done(st);
    int64_t admin_id = 0, dept_user = 0, dept_org = 0, vol_user = 0, vol_org = 0, ent_user = 0, ent_org = 0, com_user = 0,
            com_org = 0;
    db_int(db, f, &admin_id, "SELECT id FROM users WHERE username = 'admin'", NULL);
    db_int(db, f, &dept_user, "SELECT id FROM users WHERE username = 'department'", NULL);
    db_int(db, f, &dept_org, "SELECT org_id FROM users WHERE username = 'department'", NULL);
    db_int(db, f, &vol_user, "SELECT id FROM users WHERE username = 'volunteer'", NULL);
    db_int(db, f, &vol_org, "SELECT org_id FROM users WHERE username = 'volunteer'", NULL);
    db_int(db, f, &ent_user, "SELECT id FROM users WHERE username = 'enterprise'", NULL);
    db_int(db, f, &ent_org, "SELECT org_id FROM users WHERE username = 'enterprise'", NULL);
    db_int(db, f, &com_user, "SELECT id FROM users WHERE username = 'community'", NULL);
    db_int(db, f, &com_org, "SELECT org_id FROM users WHERE username = 'community'", NULL);
    if (nareas != 12 || ndepts < 12 || !admin_id) {
        db_rollback(db);
        return rc_fail(f, RC_CONFLICT, "the demo district is missing (run sanqu demo on an empty database)");
    }
    Actor admin, dept, vol, ent, com;
    if ((r = auth_load_actor(db, admin_id, &admin, f)) == RC_OK && (r = auth_load_actor(db, dept_user, &dept, f)) == RC_OK &&
        (r = auth_load_actor(db, vol_user, &vol, f)) == RC_OK && (r = auth_load_actor(db, ent_user, &ent, f)) == RC_OK)
        r = auth_load_actor(db, com_user, &com, f);

    /* 111 resources: every department offers what fits it, some district-wide, some for a few areas. */
    int64_t res_ids[111];
    int res_offer[111];
    demo_at("2025-01-06", 0);
    for (int i = 0; i < 111 && r == RC_OK; i++) {
        int o = i % NOFFERS;
        json_t *areas = json_array();
        bool all = i % 3 == 0;
        if (!all)
            for (int k = 0; k < 3; k++) json_array_append_new(areas, json_integer(area_ids[(i + k * 4) % 12]));
        char title[160];
        if (i < NOFFERS) snprintf(title, sizeof title, "%s", offers[o].title);
        else snprintf(title, sizeof title, "%s（第%d批）", offers[o].title, i / NOFFERS + 1);
        const char *from = "2025-01-01";
        json_t *in = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:s?, s:b, s:o, s:s, s:s}", "provider_org_id",
                               (json_int_t)depts[offers[o].dept], "category", offers[o].category, "title", title, "description",
                               offers[o].desc, "capacity", offers[o].capacity, "unit", offers[o].unit, "valid_from", from,
                               "valid_to", i % 10 == 9 ? "2025-12-31" : "2027-12-31", "all_areas", all, "area_ids", areas,
                               "contact_name", "服务专员", "contact_phone", "13905951234");
        r = resource_create(db, &admin, in, &res_ids[i], f);
        json_decref(in);
        res_offer[i] = o;
    }

    /* Needs: 66 over the 12 areas in two years. */
    int64_t need_ids[66];
    int need_want[66], need_area[66];
    char need_day[66][11];
    static const char *const sources[] = {"desk", "enterprise", "resident"};
    for (int i = 0; i < 66 && r == RC_OK; i++) {
        int w = (i * 7) % NWANTS, ai = i % 12;
        demo_day_plus("2025-01-10", i * 10, need_day[i]);
        demo_at(need_day[i], 1);
        Actor conv;
        if ((r = auth_load_actor(db, convener[ai], &conv, f)) != RC_OK) break;
        const char *src = sources[i % 3];
        int64_t center = 0;
        if (strcmp(src, "resident") == 0)
            db_int(db, f, &center, "SELECT id FROM centers WHERE area_id = ? ORDER BY id LIMIT 1", "i", area_ids[ai]);
        json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "type", "need", "title", wants[w].title, "body",
                               wants[w].body, "category", wants[w].category, "area_id", (json_int_t)area_ids[ai], "org_id",
                               (json_int_t)(strcmp(src, "enterprise") == 0 ? ent_org : member[ai]), "source", src,
                               "priority", i % 5 == 0 ? "urgent" : "normal", "place",
                               strcmp(src, "resident") == 0 ? "邻里中心服务台" : "村（社区）党群服务中心");
        if (center > 0) json_object_set_new(in, "center_id", json_integer(center));
        r = open_dossier(db, &conv, in, &need_ids[i], f);
        need_want[i] = w;
        need_area[i] = ai;
    }

    /* Projects: 22, each from one or two needs of an area and the resources that fit them. */
    int nproj = 0;
    bool used_need[66] = {false};
    for (int i = 0; i < 66 && nproj < 22 && r == RC_OK; i++) {
        if (used_need[i] || i % 3 == 2) continue;
        int ai = need_area[i];
        /* The resource that fits best (the same ranking the matching offers), covering the area
         * and valid for years. */
        int pick = -1, best = -1;
        for (int k = 0; k < 111; k++) {
            if (k % 10 == 9 || !(k % 3 == 0 || (k % 12 == ai || (k + 4) % 12 == ai || (k + 8) % 12 == ai))) continue;
            if (strcmp(offers[res_offer[k]].category, wants[need_want[i]].category) != 0) continue;
            char a[600], b[600];
            snprintf(a, sizeof a, "%s %s", wants[need_want[i]].title, wants[need_want[i]].body);
            snprintf(b, sizeof b, "%s %s", offers[res_offer[k]].title, offers[res_offer[k]].desc);
            MatchText ta, tb;
            MatchScore sc;
            if (!match_text(a, &ta)) continue;
            if (match_text(b, &tb)) {
                match_score(&ta, &tb, strcmp(offers[res_offer[k]].category, wants[need_want[i]].category) == 0, true, 1, 1, true, &sc);
                if (sc.eligible && sc.total > best) {
                    best = sc.total;
                    pick = k;
                }
                match_text_free(&tb);
            }
            match_text_free(&ta);
        }
        if (pick < 0) continue; /* nothing offered here for it: the need stays open */
        json_t *needs = json_pack("[I]", (json_int_t)need_ids[i]);
        used_need[i] = true;
        for (int j = i + 1; j < 66; j++)
            if (!used_need[j] && need_area[j] == ai && strcmp(wants[need_want[j]].category, wants[need_want[i]].category) == 0) {
                json_array_append_new(needs, json_integer(need_ids[j]));
                used_need[j] = true;
                break;
            }
        int qty = offers[res_offer[pick]].capacity / 20 + 1;
        char day[11], title[200];
        demo_day_plus(need_day[i], 12, day);
        demo_at(day, 2);
        Actor conv;
        if ((r = auth_load_actor(db, convener[ai], &conv, f)) != RC_OK) break;
        bool by_dept = nproj % 3 == 0;
        int64_t owner = by_dept ? dept_org : town[ai];
        int64_t owner_user = dept_user;
        if (!by_dept) db_int(db, f, &owner_user, "SELECT id FROM users WHERE role = 'town' AND org_id = ? ORDER BY id LIMIT 1", "i", owner);
        snprintf(title, sizeof title, "%s共建项目", wants[need_want[i]].title);
        char m1[11], m2[11];
        demo_day_plus(day, 20, m1);
        demo_day_plus(day, 60, m2);
        json_t *in = json_pack("{s:s, s:s, s:s, s:I, s:o, s:[{s:I, s:i}], s:I, s:[I, I], s:I, s:[{s:s, s:s}, {s:s, s:s}]}",
                               "type", "project", "title", title, "body", "整合需求单与资源单，由牵头单位组织实施，成员单位共同参与。",
                               "area_id", (json_int_t)area_ids[ai], "need_ids", needs, "allocations", "resource_id",
                               (json_int_t)res_ids[pick], "quantity", qty, "handler_org_id", (json_int_t)owner, "partner_org_ids",
                               (json_int_t)member[ai], (json_int_t)depts[(nproj + 2) % 12], "budget_fen",
                               (json_int_t)(50000 + (nproj * 37 % 20) * 10000) * 100, "milestones", "title", "方案制定", "due_on", m1,
                               "title", "实施完成", "due_on", m2);
        int64_t pid = 0;
        if ((r = open_dossier(db, &conv, in, &pid, f)) != RC_OK) break;
        nproj++;
        Actor owner_a;
        if ((r = auth_load_actor(db, owner_user, &owner_a, f)) != RC_OK) break;
        demo_day_plus(day, 3, day);
        demo_at(day, 1);
        if ((r = act(db, &owner_a, pid, "start", json_object(), f)) != RC_OK) break;
        demo_day_plus(day, 15, day);
        demo_at(day, 3);
        if ((r = act(db, &owner_a, pid, "record_progress", json_pack("{s:s, s:s}", "note", "完成方案制定，资源已到位，开始实施。", "progress_on", day), f)) != RC_OK) break;
        /* The recent ones are still running; the rest are done and written off. */
        if (nproj > 17) continue;
        demo_day_plus(day, 25, day);
        demo_at(day, 2);
        if ((r = act(db, &owner_a, pid, "report_done", json_pack("{s:s, s:s}", "outcome", "项目已实施完成，服务群众，需求得到回应。", "evidence", "活动照片、签到表、验收单"), f)) != RC_OK) break;
        demo_day_plus(day, 3, day);
        demo_at(day, 4);
        if ((r = act(db, &conv, pid, "write_off", json_pack("{s:s}", "conclusion", "经片区协调委员会验收，项目成效明显，同意销号。"), f)) != RC_OK) break;
    }
    /* A few needs answered directly and one closed; the rest stay open (some overdue). */
    for (int i = 0; i < 66 && r == RC_OK; i++) {
        if (used_need[i] || i > 50) continue;
        Actor conv;
        if ((r = auth_load_actor(db, convener[need_area[i]], &conv, f)) != RC_OK) break;
        char day[11];
        demo_day_plus(need_day[i], 5, day);
        demo_at(day, 3);
        if (i % 2 == 0)
            r = act(db, &conv, need_ids[i], "answer_directly", json_pack("{s:s}", "answer", "已协调成员单位直接解决，群众表示满意。"), f);
        else if (i % 9 == 5)
            r = act(db, &conv, need_ids[i], "close", json_pack("{s:s}", "reason", "经核实不属于片区共建范围，已转交属地部门办理。"), f);
    }

    /* Published projects: 14, most led, carried out with actions and evaluated. */
    Actor *applicants[3] = {&vol, &com, &ent};
    int64_t applicant_orgs[3] = {vol_org, com_org, ent_org};
    int actions_total = 0;
    for (int b = 0; b < 14 && r == RC_OK; b++) {
        int ai = b % 12;
        char day[11], to[11];
        demo_day_plus("2025-02-10", b * 45, day);
        demo_day_plus(day, 90, to);
        demo_at(day, 1);
        Actor conv;
        if ((r = auth_load_actor(db, convener[ai], &conv, f)) != RC_OK) break;
        json_t *in = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "type", "bounty", "title", bounty_titles[b], "body",
                               "面向社会组织、企业和志愿服务队张榜，揭榜单位提交实施方案，经片区协调委员会确定领办单位后组织实施。",
                               "area_id", (json_int_t)area_ids[ai], "period_from", day, "period_to", to, "support",
                               "提供活动经费补助、物资保障和宣传支持，志愿服务时长计入志愿者档案。");
        int64_t bid = 0;
        if ((r = open_dossier(db, &conv, in, &bid, f)) != RC_OK) break;
        if (b == 13) {
            demo_day_plus(day, 5, day);
            demo_at(day, 2);
            r = act(db, &conv, bid, "withdraw", json_pack("{s:s}", "reason", "任务已由属地部门统筹安排。"), f);
            break;
        }
        int napp = 1 + b % 3;
        for (int k = 0; k < napp && r == RC_OK; k++) {
            demo_day_plus(day, 2 + k, day);
            demo_at(day, 3);
            r = act(db, applicants[k], bid, "apply",
                    json_pack("{s:I, s:s}", "applicant_org_id", (json_int_t)applicant_orgs[k], "plan",
                              "组建专项志愿服务队，分批次开展行动，做好安全保障和台账记录。"), f);
        }
        if (r != RC_OK || b >= 12) continue; /* the last two are still open for applications */
        int lead = b % napp;
        demo_day_plus(day, 3, day);
        demo_at(day, 2);
        if ((r = act(db, &conv, bid, "choose_lead", json_pack("{s:I}", "handler_org_id", (json_int_t)applicant_orgs[lead]), f)) != RC_OK) break;
        int nact = 4 + b % 4;
        for (int k = 0; k < nact && r == RC_OK; k++) {
            demo_day_plus(day, 7, day);
            demo_at(day, 4);
            char place[120];
            snprintf(place, sizeof place, "片区%d号网格", k + 1);
            r = act(db, applicants[lead], bid, "record_action",
                    json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "action_kind", bounty_kinds[b], "action_date", day, "place", place,
                              "participants", 12 + (b * 7 + k * 5) % 30, "volunteer_hours", (12 + (b * 7 + k * 5) % 30) * 3, "notes",
                              "行动有序开展，已留存照片和签到表。"), f);
            actions_total++;
        }
        if (r != RC_OK || b >= 10) continue; /* two still being carried out */
        demo_day_plus(day, 5, day);
        demo_at(day, 2);
        if ((r = act(db, applicants[lead], bid, "finish", json_pack("{s:s}", "summary", "按方案完成全部行动，群众反映良好。"), f)) != RC_OK) break;
        demo_day_plus(day, 4, day);
        demo_at(day, 3);
        r = act(db, &conv, bid, "evaluate",
                json_pack("{s:s, s:s}", "evaluation", "组织有力、成效明显，予以通报表扬。", "rating", b % 4 == 0 ? "excellent" : "good"), f);
    }
    (void)actions_total;
    time_set_offset(0);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}
