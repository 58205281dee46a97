/*
 * demo_centers.c — the demo district's 32 "党建+" neighbourhood centres over the 12 areas (run by
 * a member village or community, or by a park or a two-new organisation where the area has no
 * village left), each with its
 * functions and a catalogue of 2–6 services; about 240 neighbourhood services run by institutions
 * over the last two years (free clinics, help for the elderly and the disabled, picture-book
 * reading, training …) and two dozen park open days whose visitors total more than 5,000.
 * Coordinates lie in 泉州台商投资区 (lat 24.88–25.02, lng 118.66–118.86), around each centre's
 * town. A fixed-seed generator makes every run the same (dates count back from the day it runs).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/demo.h"
#include "util/crypto.h"
#include "util/timeutil.h"

typedef struct Gen {
    uint64_t rng; /* linear congruential state */
} Gen;

static uint32_t gen(Gen *g, uint32_t n) {
    g->rng = g->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(g->rng >> 33) % n;
}

/* The day n days before today (district date) into out[11]. */
static void days_ago(int n, char out[11]) {
    char today[11];
    time_today(today, sizeof today);
    int y = 0, m = 0, d = 0;
    sscanf(today, "%d-%d-%d", &y, &m, &d);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d - n, .tm_hour = 12};
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Ids of up to max organisations of a kind (in id order) into ids; returns how many. */
static int ids_of_kind(Db *db, Fail *f, const char *kind, int64_t *ids, int max) {
    int n = 0;
    sqlite3_stmt *st = db_q(db, f, "SELECT id FROM orgs WHERE kind = ? ORDER BY id", "t", kind);
    while (st && n < max && sqlite3_step(st) == SQLITE_ROW) ids[n++] = sqlite3_column_int64(st, 0);
    db_done(st);
    return n;
}

/* Base coordinates (micro-degrees) of the demo towns, by position in id order. */
static const int64_t town_lat[4] = {24983000, 24925000, 24895000, 24948000};
static const int64_t town_lng[4] = {118702000, 118755000, 118818000, 118790000};
static const char *const roads[] = {"洛阳大道", "海江路", "东园大街", "张坂路", "滨海大道", "百崎路", "秀涂路", "杏田路",
                                    "锦田路", "塔埔街"};
static const char *const hours[] = {"周一至周五 8:30-12:00、14:30-17:30；周六 9:00-17:00", "每日 8:00-20:00",
                                    "周一至周日 8:30-21:00", "周二至周日 9:00-12:00、14:00-20:30"};
static const char *const surnames[] = {"陈", "林", "黄", "王", "李", "张", "吴", "刘", "蔡", "郑", "许", "洪"};
static const char *const given[] = {"丽华", "志强", "秀珍", "伟明", "美玲", "建国", "晓燕", "文杰", "惠芬", "少华"};

/* The catalogue by function: name and the kind of organisation that provides it. */
static const struct {
    const char *fn, *name, *provider;
} catalogue[] = {
    {"gov", "社保医保业务办理", "民生保障局"},           {"gov", "户籍证明与居住证代办", "行政审批局"},
    {"gov", "老年优待证办理", "民生保障局"},             {"gov", "不动产登记咨询", "自然资源和规划局"},
    {"convenience", "老年助餐点", "台商区社会工作服务中心"}, {"convenience", "便民理发与家电维修", "台商区义工协会"},
    {"convenience", "邻里书屋", "台商区书香阅读会"},       {"convenience", "四点半课堂", "台商区实验小学"},
    {"convenience", "健康小屋", "泉州台商投资区医院"},     {"enterprise", "企业开办帮办", "行政审批局"},
    {"enterprise", "惠企政策兑现咨询", "经济发展局"},       {"enterprise", "用工招聘对接", "人力资源和社会保障局"},
    {"housing", "人才公寓申请受理", "党群工作部"},         {"housing", "人才政策咨询与落户服务", "人力资源和社会保障局"},
};
enum { NCATALOGUE = sizeof catalogue / sizeof catalogue[0] };

/* Neighbourhood services by kind: a title pattern (%s: the centre) and who runs them. */
static const struct {
    const char *kind, *title, *org;
} services[] = {
    {"free_clinic", "义诊进邻里", "泉州台商投资区医院"},
    {"free_clinic", "慢病筛查与健康咨询", "台商区疾病预防控制中心"},
    {"elderly_help", "助老服务日：探访独居老人", "台商区义工协会"},
    {"elderly_help", "长者智能手机课堂", "中国移动台商区分公司"},
    {"disability_help", "助残服务：听力筛查与辅具适配", "泉州市启胜听力语言康复中心"},
    {"disability_help", "爱心助残上门服务", "西吟头村爱心助残驿站"},
    {"reading", "亲子绘本共读", "台商区书香阅读会"},
    {"reading", "周末绘本故事会", "台商区实验小学"},
    {"training", "电商直播技能培训", "人力资源和社会保障局"},
    {"training", "消防安全知识培训", "台商区消防救援站"},
    {"culture_class", "南音与剪纸文化课堂", "台商区雕刻艺术协会"},
    {"volunteer", "红十字应急救护志愿服务", "台商区红十字志愿服务队"},
    {"volunteer", "巾帼志愿者环境清洁行动", "台商区巾帼志愿者协会"},
};
enum { NSERVICES = sizeof services / sizeof services[0] };

Rc demo_centers(Db *db, Fail *f) {
    Gen g = {.rng = 20260315};
    int64_t towns[4];
    if (ids_of_kind(db, f, "town", towns, 4) != 4) return rc_fail(f, RC_CONFLICT, "demo_centers needs the demo district");
    int64_t areas[12];
    int nareas = 0;
    sqlite3_stmt *st = db_q(db, f, "SELECT id FROM areas ORDER BY id LIMIT 12", NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) areas[nareas++] = sqlite3_column_int64(st, 0);
    db_done(st);
    if (nareas != 12) return rc_fail(f, RC_CONFLICT, "demo_centers needs the 12 demo areas");
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;

    int64_t centers[32], center_area[32], center_host[32];
    char center_name[32][128];
    int ncenters = 0;
    for (int i = 0; i < 12 && r == RC_OK; i++) {
        int want = i < 8 ? 3 : 2; /* 8 × 3 + 4 × 2 = 32 */
        /* Hosts: member villages and communities without a centre yet, then the area's park. */
        int64_t hosts[6];
        int nh = 0;
        st = db_q(db, f,
                  "SELECT o.id FROM area_members m JOIN orgs o ON o.id = m.org_id WHERE m.area_id = ? AND o.kind = 'community'"
                  " AND NOT EXISTS (SELECT 1 FROM centers c WHERE c.org_id = o.id) ORDER BY o.id",
                  "i", areas[i]);
        while (st && nh < 6 && sqlite3_step(st) == SQLITE_ROW) hosts[nh++] = sqlite3_column_int64(st, 0);
        db_done(st);
        st = db_q(db, f,
                  "SELECT o.id FROM area_members m JOIN orgs o ON o.id = m.org_id WHERE m.area_id = ? AND o.kind = 'park'"
                  " ORDER BY o.id", "i", areas[i]);
        while (st && nh < 6 && sqlite3_step(st) == SQLITE_ROW) hosts[nh++] = sqlite3_column_int64(st, 0);
        db_done(st);
        /* Then two-new organisations of the area that run no centre yet. */
        st = db_q(db, f,
                  "SELECT o.id FROM area_members m JOIN orgs o ON o.id = m.org_id WHERE m.area_id = ? AND o.kind = 'new_org'"
                  " AND NOT EXISTS (SELECT 1 FROM centers c WHERE c.org_id = o.id) ORDER BY o.id", "i", areas[i]);
        while (st && nh < 6 && sqlite3_step(st) == SQLITE_ROW) hosts[nh++] = sqlite3_column_int64(st, 0);
        db_done(st);
        for (int k = 0; k < want && k < nh && r == RC_OK; k++) {
            char host_name[100] = "", host_kind[16] = "", town_name[64] = "";
            int64_t town = 0;
            db_text(db, f, host_name, sizeof host_name, "SELECT name FROM orgs WHERE id = ?", "i", hosts[k]);
            db_text(db, f, host_kind, sizeof host_kind, "SELECT kind FROM orgs WHERE id = ?", "i", hosts[k]);
            db_int(db, f, &town, "SELECT coalesce(town_id, 0) FROM orgs WHERE id = ?", "i", hosts[k]);
            if (town) db_text(db, f, town_name, sizeof town_name, "SELECT name FROM orgs WHERE id = ?", "i", town);
            int t = 0;
            for (int x = 0; x < 4; x++)
                if (towns[x] == town) t = x;
            char name[128], address[200], contact[16], phone[16];
            snprintf(name, sizeof name, "%s党建+邻里中心", host_name);
            snprintf(address, sizeof address, "泉州台商投资区%s%s%s%u号", town_name, host_name, roads[gen(&g, 10)],
                     10 + gen(&g, 290));
            snprintf(contact, sizeof contact, "%s%s", surnames[gen(&g, 12)], given[gen(&g, 10)]);
            snprintf(phone, sizeof phone, "1%u%09u", 35 + gen(&g, 5), gen(&g, 1000000000));
            int64_t lat = town_lat[t] + (int64_t)gen(&g, 36000) - 18000, lng = town_lng[t] + (int64_t)gen(&g, 40000) - 20000;
            uint8_t sealed[64];
            int ns = crypto_seal(phone, strlen(phone), sealed) ? (int)(strlen(phone) + CRYPTO_SEAL_OVERHEAD) : 0;
            r = db_run(db, f,
                       "INSERT INTO centers(name, area_id, org_id, town_id, address, lat_e6, lng_e6, hours, contact_name,"
                       " contact_phone_sealed, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       "tiiItiitt" "b" "t", name, areas[i], hosts[k], town, address, lat, lng, hours[gen(&g, 4)], contact,
                       ns ? (const void *)sealed : NULL, ns,
                       "党建引领，整合政务服务、便民服务、涉企服务、人才安居等功能，打造15分钟便民服务圈。");
            int64_t c = db_last_id(db);
            centers[ncenters] = c;
            center_area[ncenters] = areas[i];
            center_host[ncenters] = hosts[k];
            snprintf(center_name[ncenters], sizeof center_name[ncenters], "%s", host_name);
            ncenters++;
            /* Functions: every centre offers government and convenience services; enterprise
             * services where a park is near, talent housing in every third. */
            bool fn[4] = {true, true, strcmp(host_kind, "park") == 0 || gen(&g, 2) == 0, ncenters % 3 == 0};
            static const char *const fnames[] = {"gov", "convenience", "enterprise", "housing"};
            for (int x = 0; x < 4 && r == RC_OK; x++)
                if (fn[x]) r = db_run(db, f, "INSERT INTO center_functions(center_id, function) VALUES (?, ?)", "it", c, fnames[x]);
            /* 2–6 catalogue entries under its functions. */
            int nserv = 2 + (int)gen(&g, 5), added = 0;
            int start = (int)gen(&g, NCATALOGUE);
            for (int x = 0; x < NCATALOGUE && added < nserv && r == RC_OK; x++) {
                int e = (start + x * 5) % NCATALOGUE;
                int fi = strcmp(catalogue[e].fn, "gov") == 0 ? 0 : strcmp(catalogue[e].fn, "convenience") == 0 ? 1
                       : strcmp(catalogue[e].fn, "enterprise") == 0 ? 2 : 3;
                if (!fn[fi]) continue;
                int64_t provider = 0;
                Fail q = {0};
                db_int(db, &q, &provider, "SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 1", "t", catalogue[e].provider);
                fail_clear(&q);
                r = db_run(db, f, "INSERT INTO center_services(center_id, name, function, provider_org_id) VALUES (?, ?, ?, ?)",
                           "ittI", c, catalogue[e].name, catalogue[e].fn, provider);
                added++;
            }
        }
    }

    /* About 240 neighbourhood services run by institutions over the last two years. */
    for (int i = 0; i < 240 && r == RC_OK && ncenters > 0; i++) {
        int s = (int)gen(&g, NSERVICES), c = (int)gen(&g, (uint32_t)ncenters);
        int64_t org = 0;
        Fail q = {0};
        db_int(db, &q, &org, "SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 1", "t", services[s].org);
        fail_clear(&q);
        if (!org) continue;
        char day[11], starts[40], ends[40], title[200];
        days_ago(1 + (int)gen(&g, 728), day);
        int h = gen(&g, 2) ? 9 : 14, len = 2 + (int)gen(&g, 2);
        snprintf(starts, sizeof starts, "%sT%02d:%s:00", day, h, h == 9 ? "00" : "30");
        snprintf(ends, sizeof ends, "%sT%02d:%s:00", day, h + len, h == 9 ? "00" : "30");
        snprintf(title, sizeof title, "%s%s", center_name[c], services[s].title);
        int participants = 4 + (int)gen(&g, 26), served = 20 + (int)gen(&g, 160);
        r = db_run(db, f,
                   "INSERT INTO activities(kind, title, center_id, area_id, starts_at, ends_at, participants, people_served,"
                   " description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "ttiitt" "ii" "t", services[s].kind, title, centers[c], center_area[c], starts, ends, (int64_t)participants,
                   (int64_t)served, "由驻区单位、两新组织等机构走进邻里中心开展服务，村居组织群众参与。");
        int64_t act = db_last_id(db);
        if (r == RC_OK)
            r = db_run(db, f, "INSERT INTO activity_organisers(activity_id, org_id, seq) VALUES (?, ?, 0)", "ii", act, org);
        if (r == RC_OK && org != center_host[c] && gen(&g, 3) != 0)
            r = db_run(db, f, "INSERT INTO activity_organisers(activity_id, org_id, seq) VALUES (?, ?, 1)", "ii", act, center_host[c]);
    }

    /* Park open days: two a year in each park, about 250 visitors each. */
    int64_t parks[7];
    int np = ids_of_kind(db, f, "park", parks, 7);
    for (int i = 0; i < 24 && r == RC_OK && np > 0; i++) {
        int64_t park = parks[i % np], area = 0;
        char park_name[100] = "", day[11], starts[20], ends[20], title[200], place[200];
        db_text(db, f, park_name, sizeof park_name, "SELECT name FROM orgs WHERE id = ?", "i", park);
        Fail q = {0};
        db_int(db, &q, &area, "SELECT min(area_id) FROM area_members WHERE org_id = ? HAVING count(*) > 0", "i", park);
        fail_clear(&q);
        days_ago(3 + i * 29 + (int)gen(&g, 20), day);
        snprintf(starts, sizeof starts, "%sT09:00:00", day);
        snprintf(ends, sizeof ends, "%sT16:30:00", day);
        snprintf(title, sizeof title, "%s开放日：走进园区、认识企业", park_name);
        snprintf(place, sizeof place, "%s党群服务站及园区企业", park_name);
        r = db_run(db, f,
                   "INSERT INTO activities(kind, title, place, area_id, starts_at, ends_at, participants, people_served, description)"
                   " VALUES ('open_day', ?, ?, ?, ?, ?, ?, ?, ?)",
                   "ttIttiit", title, place, area, starts, ends, (int64_t)(12 + gen(&g, 20)), (int64_t)(180 + gen(&g, 160)),
                   "园区机构联合企业开放生产线、展厅和研发中心，邀请周边居民、学生和求职者参观。");
        int64_t act = db_last_id(db);
        if (r == RC_OK) r = db_run(db, f, "INSERT INTO activity_organisers(activity_id, org_id, seq) VALUES (?, ?, 0)", "ii", act, park);
    }
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}
