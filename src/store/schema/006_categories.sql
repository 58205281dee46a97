-- 006_categories.sql: configurable categories (配置项) used across modules. domain 'service' is the
-- shared category of needs (需求单) and resources (资源单) — matching compares them —, 'activity'
-- the kinds of neighbourhood services and events, 'bounty_action' the kinds of actions under a
-- published project (揭榜领办). Labels are data so that a district can add its own; codes are
-- stable identifiers stored in records.

CREATE TABLE categories (
    domain   TEXT NOT NULL CHECK (domain IN ('service', 'activity', 'bounty_action')),
    code     TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    sort     INTEGER NOT NULL DEFAULT 0,
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (domain, code)
) STRICT, WITHOUT ROWID;

INSERT INTO categories(domain, code, label_zh, label_en, sort) VALUES
    ('service', 'elderly',        '养老服务', 'Elderly care', 10),
    ('service', 'childcare',      '托育服务', 'Childcare', 20),
    ('service', 'employment',     '就业服务', 'Employment', 30),
    ('service', 'infrastructure', '基础设施', 'Infrastructure', 40),
    ('service', 'safety',         '安全生产', 'Safety', 50),
    ('service', 'culture',        '文化服务', 'Culture', 60),
    ('service', 'enterprise',     '涉企服务', 'Enterprise services', 70),
    ('service', 'health',         '医疗健康', 'Health', 80),
    ('service', 'education',      '教育培训', 'Education and training', 90),
    ('service', 'environment',    '环境整治', 'Environment', 100),
    ('service', 'housing',        '人才安居', 'Talent housing', 110),
    ('activity', 'free_clinic',     '义诊', 'Free clinic', 10),
    ('activity', 'elderly_help',    '助老服务', 'Help for the elderly', 20),
    ('activity', 'disability_help', '助残服务', 'Help for the disabled', 30),
    ('activity', 'reading',         '绘本阅读', 'Picture-book reading', 40),
    ('activity', 'open_day',        '园区开放日', 'Park open day', 50),
    ('activity', 'training',        '技能培训', 'Training', 60),
    ('activity', 'culture_class',   '文化课堂', 'Culture class', 70),
    ('activity', 'volunteer',       '志愿服务', 'Volunteer service', 80),
    ('bounty_action', 'clean_up',   '环境整治', 'Environmental clean-up', 10),
    ('bounty_action', 'typhoon',    '防台防汛', 'Typhoon and flood defence', 20),
    ('bounty_action', 'patrol',     '平安巡逻', 'Safety patrol', 30),
    ('bounty_action', 'publicity',  '政策宣传', 'Publicity', 40),
    ('bounty_action', 'care',       '关爱帮扶', 'Care visits', 50),
    ('bounty_action', 'other',      '其他', 'Other', 90);
