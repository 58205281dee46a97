/*
 * demo.c — the demo district; see demo.h. Names follow the source text (泉州台商投资区 with
 * 洛阳镇, 东园镇, 张坂镇, 百崎回族乡; 海峡雕刻艺术园, 鼎盛跨境电商产业园; 西吟头村, 后亭村 …).
 * A fixed-seed generator makes every run produce the same district.
 */
#include "core/demo.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/clock.h"
#include "core/dossier.h"
#include "core/meeting.h"
#include "util/timeutil.h"
#include "util/crypto.h"
#include "util/validate.h"

typedef struct Demo {
    Db *db;
    Fail *f;
    uint64_t rng;
    Rc rc;
    int64_t next_id;
} Demo;

static uint32_t rnd(Demo *d, uint32_t n) {
    d->rng = d->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(d->rng >> 33) % n;
}

/* Inserts an organisation under parent (0 for the root); returns its id. */
static int64_t add_org(Demo *d, int64_t parent, const char *kind, const char *name, const char *credit,
                       const char *address, const char *contact, const char *phone) {
    if (d->rc != RC_OK) return 0;
    int64_t id = d->next_id++;
    char path[200] = "", ppath[160] = "";
    int64_t town = 0;
    if (parent) {
        sqlite3_stmt *st = db_q(d->db, d->f, "SELECT path, coalesce(town_id, 0) FROM orgs WHERE id = ?", "i", parent);
        if (st && sqlite3_step(st) == SQLITE_ROW) {
            snprintf(ppath, sizeof ppath, "%s", (const char *)sqlite3_column_text(st, 0));
            town = sqlite3_column_int64(st, 1);
        }
        db_done(st);
    }
    snprintf(path, sizeof path, "%s%s%lld/", ppath, parent ? "" : "/", (long long)id);
    if (strcmp(kind, "town") == 0) town = id;
    d->rc = db_run(d->db, d->f,
                   "INSERT INTO orgs(id, parent_id, kind, name, credit_code, address, contact_name, contact_phone, path, town_id)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "iItttttttI", id, parent, kind, name, credit, address, contact, phone, path, town);
    return id;
}

static const char *const surnames[] = {"陈", "林", "黄", "王", "李", "张", "吴", "刘", "蔡", "郑", "许", "洪",
                                       "杨", "苏", "庄", "曾", "郭", "何", "施", "骆"};
static const char *const given[] = {"建华", "志明", "丽娟", "晓东", "秀兰", "文斌", "雅婷", "国强", "海燕", "明辉",
                                    "伟杰", "淑芬", "振宇", "美玲", "福生", "清雄", "心怡", "芳蓉", "永嘉", "水秀",
                                    "剑生", "依婷", "家豪", "思远"};

static void person(Demo *d, char *out, size_t n) {
    snprintf(out, n, "%s%s", surnames[rnd(d, 20)], given[rnd(d, 24)]);
}

static void mobile(Demo *d, char *out, size_t n) {
    static const char *const pre[] = {"138", "139", "135", "159", "188", "177", "150", "136"};
    snprintf(out, n, "%s%08u", pre[rnd(d, 8)], rnd(d, 100000000));
}

static void credit_code(Demo *d, char out[19]) {
    static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    char body[18];
    snprintf(body, sizeof body, "91350500");
    for (int i = 8; i < 17; i++) body[i] = cs[rnd(d, 31)];
    body[17] = 0;
    val_credit_code_make(body, out);
}

typedef struct Account {
    const char *username, *display, *role;
} Account;

static int64_t add_user(Demo *d, const char *username, const char *display, const char *role, int64_t org,
                        int64_t area, const char *hash, const char *phone) {
    if (d->rc != RC_OK) return 0;
    uint8_t sealed[64 + CRYPTO_SEAL_OVERHEAD];
    int sn = 0;
    if (phone && crypto_has_key() && crypto_seal(phone, strlen(phone), sealed))
        sn = (int)(strlen(phone) + CRYPTO_SEAL_OVERHEAD);
    d->rc = db_run(d->db, d->f,
                   "INSERT INTO users(username, display_name, role, org_id, area_id, phone_sealed, pw_hash)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                   "tttiIbt", username, display, role, org, area, sn ? (const void *)sealed : NULL, sn, hash);
    return db_last_id(d->db);
}

Rc demo_build(Db *db, const char *password, FILE *accounts, Fail *f) {
    int64_t existing = 0;
    if (db_int(db, f, &existing, "SELECT count(*) FROM orgs", NULL) != RC_OK) return f->rc;
    if (existing > 0) return rc_fail(f, RC_CONFLICT, "the database already holds organisations; demo data goes only into a new database");
    Demo d = {.db = db, .f = f, .rng = 20251112, .rc = RC_OK, .next_id = 1};
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;

    int64_t district = add_org(&d, 0, "district", "泉州台商投资区", NULL, "福建省泉州市台商投资区", NULL, "0595-87888000");

    /* Towns with their villages and communities. */
    static const struct {
        const char *town;
        const char *places[14];
    } towns[] = {
        {"洛阳镇", {"西吟头村", "后亭村", "屿头村", "万安村", "洛阳村", "桥南村", "前亭村", "古山村", "西头村",
                   "塘西村", "洛阳社区", "桥南社区", NULL}},
        {"东园镇", {"东园村", "阳光村", "锦田村", "埭边村", "新厝村", "玉埕村", "群力村", "西埔村", "凤山村",
                   "东园社区", "海湾社区", NULL}},
        {"张坂镇", {"张坂村", "前头村", "上塘村", "塔埔村", "浮山村", "后边村", "玉塘村", "下坂村", "锦厝村",
                   "张坂社区", "惠南社区", NULL}},
        {"百崎回族乡", {"白奇村", "里春村", "下埭村", "莲埭村", "百崎社区", NULL}},
    };
    int64_t town_ids[4] = {0};
    int64_t village_ids[4][14] = {{0}};
    int nvillages[4] = {0};
    for (int t = 0; t < 4; t++) {
        char addr[128];
        snprintf(addr, sizeof addr, "泉州台商投资区%s人民政府", towns[t].town);
        town_ids[t] = add_org(&d, district, "town", towns[t].town, NULL, addr, NULL, "0595-87880000");
        for (int v = 0; towns[t].places[v]; v++) {
            char contact[16], phone[16];
            person(&d, contact, sizeof contact);
            mobile(&d, phone, sizeof phone);
            snprintf(addr, sizeof addr, "%s%s党群服务中心", towns[t].town, towns[t].places[v]);
            village_ids[t][v] = add_org(&d, town_ids[t], "community", towns[t].places[v], NULL, addr, contact, phone);
            nvillages[t]++;
        }
    }

    static const char *const departments[] = {"党群工作部", "经济发展局", "民生保障局", "市场监督管理局", "消防救援大队",
                                              "应急管理局", "住房和城乡建设局", "自然资源和规划局", "行政审批局",
                                              "人力资源和社会保障局", "财政局", "生态环境局"};
    int64_t dept_ids[12];
    for (int i = 0; i < 12; i++) dept_ids[i] = add_org(&d, district, "department", departments[i], NULL, "台商投资区行政服务中心", NULL, NULL);

    static const struct {
        const char *name;
        int town; /* -1: directly under the district */
    } parks[] = {
        {"海峡雕刻艺术园", 0}, {"鼎盛跨境电商产业园", 1}, {"张坂工业园", 2}, {"东园智能装备产业园", 1},
        {"百崎湖新材料产业园", 3}, {"洛阳江科创园", 0}, {"杏田新能源产业园", -1},
    };
    int64_t park_ids[7];
    for (int i = 0; i < 7; i++)
        park_ids[i] = add_org(&d, parks[i].town < 0 ? district : town_ids[parks[i].town], "park", parks[i].name, NULL, NULL, NULL, NULL);

    /* Enterprises: a few hundred, spread over parks and towns. */
    static const char *const brand[] = {"鑫泰", "恒盛", "闽辉", "海丰", "嘉瑞", "宏达", "润华", "永盛", "金源", "天工",
                                        "凯达", "华锦", "信和", "德隆", "泰禾", "瑞丰", "盛源", "新宇", "远航", "伟业",
                                        "联创", "启明", "万邦", "中闽", "汇通", "安捷", "锦程", "银河", "顺昌", "光大"};
    static const char *const trade[] = {"石材雕刻", "跨境电商", "智能装备", "新材料科技", "食品", "鞋业", "服装",
                                        "包装印刷", "电子科技", "机械制造", "光电科技", "新能源", "建材", "物流"};
    int64_t ent_ids[320];
    int nent = 0;
    for (int i = 0; i < 320; i++) {
        char name[128], code[19], contact[16], phone[16];
        snprintf(name, sizeof name, "泉州%s%s有限公司", brand[rnd(&d, 30)], trade[rnd(&d, 14)]);
        if (i % 17 == 0) snprintf(name + strlen(name) - strlen("有限公司"), 32, "股份有限公司");
        /* Names repeat across brands × trades; add a branch mark when taken. */
        int64_t x;
        Fail g = {0};
        if (db_int(db, &g, &x, "SELECT id FROM orgs WHERE name = ?", "t", name) == RC_OK)
            snprintf(name + strlen(name), sizeof name - strlen(name), "（%d分公司）", i);
        fail_clear(&g);
        credit_code(&d, code);
        person(&d, contact, sizeof contact);
        mobile(&d, phone, sizeof phone);
        int64_t parent = i % 5 == 4 ? town_ids[rnd(&d, 4)] : park_ids[rnd(&d, 7)];
        ent_ids[nent++] = add_org(&d, parent, "enterprise", name, code, NULL, contact, phone);
    }

    static const char *const new_orgs[] = {"台商区义工协会", "西吟头村爱心助残驿站", "泉州市启胜听力语言康复中心",
                                           "台商区电商协会", "台商区青年创业促进会", "台商区社会工作服务中心",
                                           "洛阳镇老年协会", "东园镇志愿服务队", "张坂镇乡贤理事会",
                                           "百崎回族乡民族团结促进会", "台商区雕刻艺术协会", "台商区应急救援志愿队",
                                           "台商区巾帼志愿者协会", "台商区退役军人服务协会", "台商区书香阅读会",
                                           "台商区台青创业联盟", "台商区物流行业协会", "台商区鞋服行业协会",
                                           "后亭村新时代文明实践站", "台商区红十字志愿服务队"};
    int64_t new_org_ids[20];
    for (int i = 0; i < 20; i++) {
        int t = i % 4;
        int64_t parent = i == 1 ? village_ids[0][0] : i == 18 ? village_ids[0][1] : town_ids[t];
        new_org_ids[i] = add_org(&d, parent, "new_org", new_orgs[i], NULL, NULL, NULL, NULL);
    }
    static const char *const residents[] = {"泉州台商投资区医院", "国网泉州台商投资区供电公司", "中国移动台商区分公司",
                                            "台商区公安分局洛阳派出所", "台商区公安分局东园派出所", "台商区实验小学",
                                            "泉州五中台商区分校", "台商区税务局", "中国银行台商区支行",
                                            "台商区自来水公司", "台商区邮政分公司", "中国电信台商区分公司",
                                            "台商区消防救援站", "台商区疾病预防控制中心", "台商区市场监管所",
                                            "福建海峡银行台商区支行"};
    int64_t res_ids[16];
    for (int i = 0; i < 16; i++) res_ids[i] = add_org(&d, i % 3 == 0 ? district : town_ids[i % 4], "resident_unit", residents[i], NULL, NULL, NULL, NULL);

    /* Accounts. */
    char hash_demo[CRYPTO_PWHASH_LEN], hash_none[CRYPTO_PWHASH_LEN];
    char locked_pw[15];
    crypto_gen_password(locked_pw);
    crypto_pw_hash(locked_pw, hash_none);
    if (password) crypto_pw_hash(password, hash_demo);

    /* Twelve district leaders convene the twelve areas. */
    int64_t leader_ids[12];
    for (int i = 0; i < 12; i++) {
        char un[24], nm[24], phone[16];
        snprintf(un, sizeof un, i == 0 ? "leader" : "leader%02d", i + 1);
        person(&d, nm, sizeof nm);
        mobile(&d, phone, sizeof phone);
        leader_ids[i] = add_user(&d, un, nm, "leader", district, 0, hash_none, phone);
    }
    static const char *const area_names[] = {"洛阳片区", "洛阳江片区", "东园片区", "东园滨海片区", "张坂片区", "张坂工业片区",
                                             "百崎片区", "百崎湖片区", "杏田片区", "秀涂片区", "埭边片区", "海湾新城片区"};
    static const int area_town[] = {0, 0, 1, 1, 2, 2, 3, 3, 1, 2, 1, 0};
    int64_t area_ids[12];
    for (int i = 0; i < 12; i++) {
        char code[8], committee[128], desc[256];
        snprintf(code, sizeof code, "A%02d", i + 1);
        snprintf(committee, sizeof committee, "%s党建工作协调委员会", area_names[i]);
        snprintf(desc, sizeof desc, "由区领导担任召集人，吸纳属地村居、园区机构、两新组织、驻区单位等党组织协同联动。");
        if (d.rc == RC_OK)
            d.rc = db_run(db, f, "INSERT INTO areas(name, code, committee_name, convener_id, description) VALUES (?, ?, ?, ?, ?)",
                          "tttit", area_names[i], code, committee, leader_ids[i], desc);
        area_ids[i] = db_last_id(db);
    }
    /* Members of all four kinds. */
    int vcursor[4] = {0};
    for (int i = 0; i < 12 && d.rc == RC_OK; i++) {
        int t = area_town[i];
        int64_t members[16];
        int nm = 0;
        for (int k = 0; k < 4 && vcursor[t] < nvillages[t]; k++) members[nm++] = village_ids[t][vcursor[t]++];
        if (vcursor[t] >= nvillages[t]) vcursor[t] = 0;
        members[nm++] = park_ids[i % 7];
        members[nm++] = new_org_ids[i % 20];
        members[nm++] = new_org_ids[(i + 12) % 20];
        members[nm++] = res_ids[i % 16];
        if (i < 4) members[nm++] = res_ids[12 + i];
        for (int m = 0; m < nm && d.rc == RC_OK; m++) {
            char joined[32];
            snprintf(joined, sizeof joined, "2024-%02d-%02d", 1 + (int)rnd(&d, 12), 1 + (int)rnd(&d, 28));
            d.rc = db_run(db, f, "INSERT OR IGNORE INTO area_members(area_id, org_id, joined_on, duty) VALUES (?, ?, ?, ?)",
                          "iitt", area_ids[i], members[m], joined, m < 4 ? "属地共建、议定事项落实" : "资源共享、联建共驻");
        }
    }

    /* Demo accounts, one per role. */
    const char *hash = password ? hash_demo : NULL;
    struct {
        const char *username, *display, *role;
        int64_t org, area;
        char pw[15];
    } demo[] = {
        {"admin", "系统管理员", "admin", district, 0, ""},
        {"secadmin", "安全管理员", "secadmin", district, 0, ""},
        {"auditor", "审计管理员", "auditor", district, 0, ""},
        {"leader", NULL, "leader", district, 0, ""},
        {"committee", "洛阳片区秘书", "committee", district, area_ids[0], ""},
        {"department", "经发局干部", "department", dept_ids[1], 0, ""},
        {"town", "洛阳镇包村干部", "town", town_ids[0], 0, ""},
        {"community", "西吟头村社工", "community", village_ids[0][0], 0, ""},
        {"enterprise", "企业联络员", "enterprise", ent_ids[0], 0, ""},
        {"inspector", "市场监管检查员", "inspector", dept_ids[3], 0, ""},
        {"volunteer", "义工协会志愿者", "volunteer", new_org_ids[0], 0, ""},
    };
    for (size_t i = 0; i < sizeof demo / sizeof demo[0] && d.rc == RC_OK; i++) {
        char h[CRYPTO_PWHASH_LEN];
        if (!password) {
            crypto_gen_password(demo[i].pw);
            crypto_pw_hash(demo[i].pw, h);
        }
        const char *use = password ? hash : h;
        if (strcmp(demo[i].username, "leader") == 0) {
            d.rc = db_run(db, f, "UPDATE users SET pw_hash = ? WHERE id = ?", "ti", use, leader_ids[0]);
            continue;
        }
        char phone[16];
        mobile(&d, phone, sizeof phone);
        add_user(&d, demo[i].username, demo[i].display, demo[i].role, demo[i].org, demo[i].area, use, phone);
    }
    if (d.rc == RC_OK)
        d.rc = db_run(db, f, "UPDATE areas SET secretary_id = (SELECT id FROM users WHERE username = 'committee') WHERE id = ?",
                      "i", area_ids[0]);

    /* Town cadres (包村联企): one per few villages, plus those who visit enterprises. */
    int64_t cadre_ids[24];
    for (int i = 0; i < 24; i++) {
        char un[24], nm[24], phone[16];
        snprintf(un, sizeof un, "cadre%02d", i + 1);
        person(&d, nm, sizeof nm);
        mobile(&d, phone, sizeof phone);
        cadre_ids[i] = add_user(&d, un, nm, "town", town_ids[i % 4], 0, hash_none, phone);
    }
    int64_t town_user = 0;
    db_int(db, f, &town_user, "SELECT id FROM users WHERE username = 'town'", NULL);

    /* Liaisons. */
#define LIAISON(kind, user, dept, area, target, start)                                                     \
    if (d.rc == RC_OK)                                                                                     \
        d.rc = db_run(db, f, "INSERT INTO liaisons(kind, user_id, department_id, area_id, target_org_id, start_on) VALUES (?, ?, ?, ?, ?, ?)", \
                      "tIIIIt", kind, (int64_t)(user), (int64_t)(dept), (int64_t)(area), (int64_t)(target), start)
    for (int i = 0; i < 12; i++) LIAISON("leader_area", leader_ids[i], 0, area_ids[i], 0, "2024-01-01");
    for (int i = 0; i < 12; i++) {
        LIAISON("department_area", 0, dept_ids[i], area_ids[i], 0, "2024-03-01");
        LIAISON("department_area", 0, dept_ids[(i + 5) % 12], area_ids[i], 0, "2024-03-01");
    }
    for (int i = 0; i < 10; i++) LIAISON("department_point", 0, dept_ids[i % 12], 0, park_ids[i % 7], "2024-06-01");
    for (int t = 0; t < 4; t++)
        for (int v = 0; v < nvillages[t]; v++) {
            int64_t cadre = (t == 0 && v < 3) ? town_user : cadre_ids[(t + 4 * (v % 6)) % 24];
            LIAISON("cadre_village", cadre, 0, 0, village_ids[t][v], "2024-02-01");
        }
    for (int i = 0; i < 100; i++) {
        int64_t ent = ent_ids[(i * 3) % nent];
        int64_t ent_town = 0;
        Fail g = {0};
        db_int(db, &g, &ent_town, "SELECT coalesce(town_id, 0) FROM orgs WHERE id = ?", "i", ent);
        fail_clear(&g);
        int64_t cadre = cadre_ids[i % 24];
        for (int t = 0; t < 4; t++)
            if (town_ids[t] == ent_town) cadre = cadre_ids[t + 4 * (i % 6)];
        if (i < 3 && ent_town == town_ids[0]) cadre = town_user;
        LIAISON("cadre_enterprise", cadre, 0, 0, ent, "2025-03-01");
    }
#undef LIAISON

    /* Co-building agreements: three per area, with two to four parties each. */
    static const char *const topics[] = {"邻里中心共建", "园区开放日共办", "安全隐患联防联治", "就业服务共享",
                                         "人居环境整治", "志愿服务联动"};
    static const char *const duties[] = {"提供场地和日常管理，组织群众参与", "派驻专业人员，提供技术和培训支持",
                                         "落实资金保障，定期通报进展", "组织志愿者开展服务活动",
                                         "开放园区资源，接待居民和企业员工"};
    for (int i = 0; i < 12 && d.rc == RC_OK; i++) {
        for (int k = 0; k < 3 && d.rc == RC_OK; k++) {
            char title[160], signed_on[32], end[32];
            int year = 2024 + (k == 2 ? 1 : 0) - (i % 5 == 0 && k == 0 ? 1 : 0);
            int month = 1 + (int)rnd(&d, 12);
            snprintf(title, sizeof title, "%s%s联建协议", area_names[i], topics[(i + k) % 6]);
            snprintf(signed_on, sizeof signed_on, "%d-%02d-%02d", year, month, 1 + (int)rnd(&d, 28));
            snprintf(end, sizeof end, "%d-%02d-%02d", year + (k == 0 && i % 5 == 0 ? 1 : 3), month, 1 + (int)rnd(&d, 28));
            d.rc = db_run(db, f, "INSERT INTO agreements(title, area_id, signed_on, term_start, term_end, content) VALUES (?, ?, ?, ?, ?, ?)",
                          "titttt", title, area_ids[i], signed_on, signed_on, end,
                          "各方围绕共建事项明确职责，定期会商，资源共享、优势互补、共驻共建。");
            int64_t ag = db_last_id(db);
            int64_t parties[4];
            int np = 0;
            sqlite3_stmt *st = db_q(db, f, "SELECT org_id FROM area_members WHERE area_id = ? ORDER BY org_id", "i", area_ids[i]);
            int64_t mem[16];
            int nmem = 0;
            while (st && sqlite3_step(st) == SQLITE_ROW && nmem < 16) mem[nmem++] = sqlite3_column_int64(st, 0);
            db_done(st);
            int want = 2 + (int)rnd(&d, 3);
            for (int p = 0; p < nmem && np < want; p++)
                if ((p + k) % 2 == 0 || nmem - p <= want - np) parties[np++] = mem[p];
            for (int p = 0; p < np && d.rc == RC_OK; p++)
                d.rc = db_run(db, f, "INSERT INTO agreement_parties(agreement_id, org_id, responsibilities, seq) VALUES (?, ?, ?, ?)",
                              "iiti", ag, parties[p], duties[(p + k) % 5], (int64_t)p);
        }
    }

    if (d.rc == RC_OK) d.rc = demo_centers(db, f);
    if (d.rc == RC_OK)
        d.rc = audit_write(db, f, NULL, "cli", "local", "import", "demo", 0, "ok", json_pack("{s:s}", "what", "demo district"));
    if (d.rc == RC_OK) d.rc = db_commit(db, f);
    if (d.rc != RC_OK) {
        db_rollback(db);
        return d.rc;
    }
    for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++)
        fprintf(accounts, "%-11s %-10s %s\n", demo[i].username, demo[i].role, password ? "(the password given)" : demo[i].pw);
    return RC_OK;
}

Rc demo_scale(Db *db, int64_t n, Fail *f) {
    static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const char *const brand[] = {"鑫泰", "恒盛", "闽辉", "海丰", "嘉瑞", "宏达", "润华", "永盛", "金源", "天工",
                                        "凯达", "华锦", "信和", "德隆", "泰禾", "瑞丰", "盛源", "新宇", "远航", "伟业"};
    static const char *const trade[] = {"石材雕刻", "跨境电商", "智能装备", "新材料科技", "食品", "鞋业", "服装",
                                        "包装印刷", "电子科技", "机械制造", "光电科技", "新能源", "建材", "物流"};
    /* Parents: the parks and towns, with their paths and towns. */
    int64_t pid[64], ptown[64];
    char ppath[64][160];
    int np = 0;
    sqlite3_stmt *st = db_q(db, f, "SELECT id, path, coalesce(town_id, 0) FROM orgs WHERE kind IN ('park', 'town') ORDER BY id", NULL);
    if (!st) return f->rc;
    while (sqlite3_step(st) == SQLITE_ROW && np < 64) {
        pid[np] = sqlite3_column_int64(st, 0);
        snprintf(ppath[np], sizeof ppath[np], "%s", (const char *)sqlite3_column_text(st, 1));
        ptown[np] = sqlite3_column_int64(st, 2);
        np++;
    }
    db_done(st);
    if (np == 0) return rc_fail(f, RC_CONFLICT, "run the demo first: --scale adds to the demo district");
    int64_t next = 0, base = 0;
    if (db_int(db, f, &next, "SELECT coalesce(max(id), 0) + 1 FROM orgs", NULL) != RC_OK) return f->rc;
    if (db_int(db, f, &base, "SELECT count(*) FROM orgs WHERE kind = 'enterprise'", NULL) != RC_OK) return f->rc;
    Demo d = {.db = db, .f = f, .rng = 77, .rc = RC_OK};
    for (int64_t done = 0; done < n && d.rc == RC_OK;) {
        if ((d.rc = db_begin(db, f)) != RC_OK) break;
        for (int k = 0; k < 10000 && done < n && d.rc == RC_OK; k++, done++) {
            int64_t id = next++;
            int p = (int)rnd(&d, (uint32_t)np);
            char name[160], body[18], code[19], path[200], contact[16], phone[16];
            snprintf(name, sizeof name, "泉州%s%s有限公司（%lld）", brand[rnd(&d, 20)], trade[rnd(&d, 14)], (long long)(base + done + 1));
            /* A serial number in base 31 in positions 9-17 keeps every code distinct. */
            memcpy(body, "913505", 6);
            body[6] = '0';
            body[7] = '0';
            uint64_t serial = (uint64_t)(base + done + 1000000);
            for (int i = 16; i >= 8; i--) {
                body[i] = cs[serial % 31];
                serial /= 31;
            }
            body[17] = 0;
            val_credit_code_make(body, code);
            snprintf(path, sizeof path, "%s%lld/", ppath[p], (long long)id);
            person(&d, contact, sizeof contact);
            mobile(&d, phone, sizeof phone);
            d.rc = db_run(db, f,
                          "INSERT INTO orgs(id, parent_id, kind, name, credit_code, contact_name, contact_phone, path, town_id)"
                          " VALUES (?, ?, 'enterprise', ?, ?, ?, ?, ?, ?)",
                          "iitttttI", id, pid[p], name, code, contact, phone, path, ptown[p]);
        }
        if (d.rc == RC_OK) d.rc = db_commit(db, f);
        else db_rollback(db);
    }
    return d.rc;
}

/* ---- two years of joint meetings and agreed items ------------------------------------------ */

/* Moves the engine's clock to 09:00 (UTC+8) + hours on day (YYYY-MM-DD), so that events, time
 * limits and write-offs carry the dates they would have had. */
void demo_at(const char *day, int hours) {
    int y = 0, m = 0, d = 0;
    sscanf(day, "%d-%d-%d", &y, &m, &d);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 1};
    time_t t = timegm(&tm) + hours * 3600;
    time_set_offset((int64_t)t - (int64_t)time(NULL));
}

void demo_day_plus(const char *day, int n, char out[11]) {
    int y = 0, m = 0, d = 0;
    sscanf(day, "%d-%d-%d", &y, &m, &d);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + n, .tm_hour = 12};
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static Rc act(Db *db, const Actor *a, int64_t id, const char *action, json_t *in, Fail *f) {
    Rc r = dossier_act(db, a, id, action, in, 0, f);
    json_decref(in);
    return r;
}

Rc demo_matters(Db *db, Fail *f) {
    static const char *const places[] = {"党群服务中心", "邻里中心", "新时代文明实践站", "园区党群服务站"};
    static const char *const works[] = {
        "道路硬化改造", "排水管网改造", "路灯更换", "停车位规划建设", "交通安全隐患整治", "养老院消防通道整改",
        "垃圾分类亭建设", "雨污分流改造", "老旧小区电梯加装", "农贸市场周边环境整治", "企业用工对接",
        "园区周边公交线路优化", "防汛排涝点整治", "邻里书屋建设", "共享食堂选址", "电动自行车充电桩安装",
        "背街小巷立面整治", "学校周边交通秩序整治", "燃气管道安全排查", "园区污水直排整改"};
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    /* Areas with their convener, a town and the communities that are members. */
    int64_t area_ids[12] = {0}, convener[12] = {0}, town[12] = {0};
    char area_name[12][64];
    int nareas = 0;
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT a.id, a.convener_id, a.name, (SELECT o.town_id FROM area_members m JOIN orgs o ON o.id = m.org_id"
                            " WHERE m.area_id = a.id AND o.kind = 'community' LIMIT 1) FROM areas a ORDER BY a.id LIMIT 12", NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        area_ids[nareas] = sqlite3_column_int64(st, 0);
        convener[nareas] = sqlite3_column_int64(st, 1);
        snprintf(area_name[nareas], sizeof area_name[nareas], "%s", (const char *)sqlite3_column_text(st, 2));
        town[nareas] = sqlite3_column_int64(st, 3);
        nareas++;
    }
    db_done(st);
    int64_t verifier_id = 0, dept_user = 0, dept_org = 0;
    db_int(db, f, &verifier_id, "SELECT id FROM users WHERE username = 'committee'", NULL);
    db_int(db, f, &dept_user, "SELECT id FROM users WHERE username = 'department'", NULL);
    db_int(db, f, &dept_org, "SELECT org_id FROM users WHERE username = 'department'", NULL);
    Demo d = {.db = db, .f = f, .rng = 2024, .rc = RC_OK};
    int64_t items[128], item_area[128];
    char item_day[128][11];
    int nitems = 0, meeting_no[12] = {0};
    int64_t meeting_ids[80];
    char meeting_day[80][11];
    int meeting_area[80];
    for (int k = 0; k < 70 && r == RC_OK && nareas == 12; k++) {
        int ai = k % 12;
        char day[11];
        demo_day_plus("2024-12-02", k * 104 / 10, day);
        demo_at(day, 0);
        Actor conv;
        if ((r = auth_load_actor(db, convener[ai], &conv, f)) != RC_OK) break;
        meeting_no[ai]++;
        char title[128], place[128];
        snprintf(title, sizeof title, "%s第%d次“1+N”联席会议", area_name[ai], meeting_no[ai]);
        char town_name[64] = "";
        db_text(db, f, town_name, sizeof town_name, "SELECT name FROM orgs WHERE id = ?", "i", town[ai]);
        snprintf(place, sizeof place, "%s%s", town_name, places[k % 4]);
        json_t *orgs = json_array(), *list = json_array();
        st = db_q(db, f, "SELECT org_id FROM area_members WHERE area_id = ? ORDER BY org_id LIMIT 6", "i", area_ids[ai]);
        while (st && sqlite3_step(st) == SQLITE_ROW) json_array_append_new(orgs, json_integer(sqlite3_column_int64(st, 0)));
        db_done(st);
        int nit = k < 30 ? 2 : 1;
        for (int j = 0; j < nit; j++) {
            int64_t where = json_integer_value(json_array_get(orgs, (size_t)j % json_array_size(orgs)));
            char where_name[64] = "", it[160];
            db_text(db, f, where_name, sizeof where_name, "SELECT name FROM orgs WHERE id = ?", "i", where);
            const char *w = works[(k * 3 + j * 7) % 20];
            snprintf(it, sizeof it, "%s%s", where_name, w);
            bool dept = (k + j) % 5 == 2 && dept_org;
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:I}", "title", it, "body",
                                                  "经联席会议议定，明确责任单位和完成时限，实行一事一档销号管理。", "priority",
                                                  (k + j) % 4 == 0 ? "urgent" : "normal", "org_id", (json_int_t)where,
                                                  "handler_org_id", (json_int_t)(dept ? dept_org : town[ai])));
        }
        json_t *in = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "area_id", (json_int_t)area_ids[ai], "title",
                               title, "held_on", day, "place", place, "attendees", "片区召集人、各成员单位党组织书记",
                               "agenda", "通报上次议定事项办理情况；研究本片区群众急难愁盼问题；议定事项交办。", "minutes",
                               "会议听取了各成员单位情况汇报，逐项研究议定事项，明确承办单位和办理时限。",
                               "org_ids", orgs, "items", list);
        int64_t mid = 0;
        r = meeting_create(db, &conv, in, &mid, f);
        json_decref(in);
        if (r != RC_OK) break;
        meeting_ids[k] = mid;
        snprintf(meeting_day[k], 11, "%s", day);
        meeting_area[k] = ai;
        st = db_q(db, f, "SELECT dossier_id FROM meeting_items WHERE meeting_id = ? ORDER BY dossier_id", "i", mid);
        while (st && sqlite3_step(st) == SQLITE_ROW && nitems < 128) {
            items[nitems] = sqlite3_column_int64(st, 0);
            item_area[nitems] = ai;
            snprintf(item_day[nitems], 11, "%s", day);
            nitems++;
        }
        db_done(st);
    }
    /* Each item's life: accepted, handled, verified by the committee secretary (or a leader who did
     * not handle it) and written off — except the recent ones, some carried, some overdue. */
    Actor verifier;
    if (r == RC_OK) r = auth_load_actor(db, verifier_id, &verifier, f);
    for (int i = 0; i < nitems && r == RC_OK; i++) {
        int ai = (int)item_area[i];
        int64_t handler_org = 0, handler_user = 0;
        db_int(db, f, &handler_org, "SELECT handler_org_id FROM dossiers WHERE id = ?", "i", items[i]);
        if (handler_org == dept_org) handler_user = dept_user;
        else db_int(db, f, &handler_user, "SELECT id FROM users WHERE role = 'town' AND org_id = ? ORDER BY id LIMIT 1", "i", handler_org);
        Actor h, v, conv;
        if ((r = auth_load_actor(db, handler_user, &h, f)) != RC_OK) break;
        if ((r = auth_load_actor(db, convener[ai], &conv, f)) != RC_OK) break;
        /* The committee secretary verifies in its own area; elsewhere the convener does. */
        v = ai == 0 ? verifier : conv;
        char day[11];
        demo_day_plus(item_day[i], 1 + (int)rnd(&d, 2), day);
        demo_at(day, 1);
        if ((r = act(db, &h, items[i], "accept", json_object(), f)) != RC_OK) break;
        int age = 0;
        {
            char today[11];
            time_set_offset(0);
            time_today(today, sizeof today);
            ClockDay a0, b0;
            clock_parse_day(item_day[i], &a0);
            clock_parse_day(today, &b0);
            age = b0 - a0;
        }
        bool carried = i % 23 == 7 && i + 12 < nitems;
        if (age < 80 && !carried) {
            /* Recent: leave some in progress; supervise the overdue ones. */
            if (i % 3 == 0) {
                demo_day_plus(item_day[i], 30, day);
                if (age > 30) {
                    demo_at(day, 2);
                    r = act(db, &conv, items[i], "supervise",
                            json_pack("{s:s, s:i}", "level", i % 2 ? "listed" : "supervise", "limit_days", 5), f);
                }
                continue;
            }
            if (i % 3 == 1) continue;
        }
        if (carried) {
            /* Still open at the area's next meeting: carried to it, then finished. */
            int next = -1;
            for (int k = 0; k < 70; k++)
                if (meeting_area[k] == ai && strcmp(meeting_day[k], item_day[i]) > 0) { next = k; break; }
            if (next >= 0) {
                demo_at(meeting_day[next], 2);
                Actor cv;
                if ((r = auth_load_actor(db, convener[ai], &cv, f)) != RC_OK) break;
                if ((r = meeting_carry(db, &cv, meeting_ids[next], items[i], f)) != RC_OK) break;
                snprintf(item_day[i], 11, "%s", meeting_day[next]);
            }
        }
        demo_day_plus(item_day[i], 6 + (int)rnd(&d, 15), day);
        demo_at(day, 3);
        char result[200];
        snprintf(result, sizeof result, "已按议定要求完成，现场照片和验收材料已归档（第%d号）。", (int)items[i]);
        if ((r = act(db, &h, items[i], "report_done", json_pack("{s:s, s:s}", "result", result, "evidence", "现场照片3张、施工记录1份"), f)) != RC_OK) break;
        demo_day_plus(day, 1 + (int)rnd(&d, 3), day);
        demo_at(day, 4);
        if ((r = act(db, &v, items[i], "verify", json_pack("{s:s}", "conclusion", "经现场查看，群众满意，同意验收。"), f)) != RC_OK) break;
        demo_at(day, 6);
        if ((r = act(db, &v, items[i], "write_off", json_object(), f)) != RC_OK) break;
    }
    /* Close the follow-up of meetings whose items are all written off or carried. */
    for (int k = 0; k < 70 && r == RC_OK; k++) {
        char day[11];
        demo_day_plus(meeting_day[k], 60, day);
        time_set_offset(0);
        char today[11];
        time_today(today, sizeof today);
        if (strcmp(day, today) > 0) continue;
        demo_at(day, 0);
        Actor conv;
        if ((r = auth_load_actor(db, convener[meeting_area[k]], &conv, f)) != RC_OK) break;
        Fail g = {0};
        meeting_close(db, &conv, meeting_ids[k], &g); /* refused (409) while items are open: fine */
        fail_clear(&g);
    }
    time_set_offset(0);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}
