/*
 * roles.c — the role → capability table (DESIGN.md "Who uses it"). admin, secadmin and auditor are
 * separated (三员分立): admin runs accounts and the registry but reads no personal data and no
 * audit log; secadmin handles roles and lockouts; auditor reads only the audit log.
 */
#include "core/roles.h"

#include <string.h>

const char *const role_names[] = {"admin", "secadmin", "auditor", "leader", "committee", "department",
                                  "town", "community", "enterprise", "inspector", "volunteer", NULL};

const char *const cap_names[CAP_COUNT] = {
    "org.read", "org.write", "area.read", "area.write", "area.members", "agreement.read",
    "agreement.write", "liaison.read", "liaison.write", "user.read", "user.write", "user.lock",
    "user.role", "audit.read", "pii.read", "stats.read", "dossier.read", "dossier.write", "service.read", "service.write", "settings.write"};

#define REGISTRY_READ (CAP_ORG_READ | CAP_AREA_READ | CAP_AGREEMENT_READ | CAP_LIAISON_READ | CAP_STATS_READ)
/* Dossiers (matters) are the business of the working roles, not of the three administrators. */
#define DOSSIERS (CAP_DOSSIER_READ | CAP_DOSSIER_WRITE)
/* Neighbourhood centres, activities and the resource catalogue (三单's 资源单). */
#define SERVICES (CAP_SERVICE_READ | CAP_SERVICE_WRITE)

static const struct {
    const char *role;
    uint32_t caps;
    bool district_wide;
} role_table[] = {
    {"admin", REGISTRY_READ | SERVICES | CAP_SETTINGS_WRITE | CAP_ORG_WRITE | CAP_AREA_WRITE | CAP_AREA_MEMBERS | CAP_AGREEMENT_WRITE |
                  CAP_LIAISON_WRITE | CAP_USER_READ | CAP_USER_WRITE, true},
    {"secadmin", CAP_USER_READ | CAP_USER_LOCK | CAP_USER_ROLE, true},
    {"auditor", CAP_AUDIT_READ, true},
    {"leader", REGISTRY_READ | CAP_PII_READ | DOSSIERS | CAP_SERVICE_READ, true},
    {"committee", REGISTRY_READ | CAP_AREA_MEMBERS | CAP_AGREEMENT_WRITE | DOSSIERS | SERVICES, false},
    {"department", REGISTRY_READ | DOSSIERS | SERVICES, true},
    {"town", REGISTRY_READ | CAP_ORG_WRITE | CAP_LIAISON_WRITE | DOSSIERS | SERVICES, false},
    {"community", REGISTRY_READ | DOSSIERS | SERVICES, false},
    {"enterprise", CAP_ORG_READ | CAP_AREA_READ | CAP_STATS_READ | DOSSIERS | SERVICES, false},
    {"inspector", CAP_ORG_READ | CAP_AREA_READ | CAP_STATS_READ | DOSSIERS | CAP_SERVICE_READ, true},
    {"volunteer", CAP_ORG_READ | CAP_AREA_READ | CAP_STATS_READ | DOSSIERS | SERVICES, false},
};

static int role_index(const char *role) {
    if (!role) return -1;
    for (size_t i = 0; i < sizeof role_table / sizeof role_table[0]; i++)
        if (strcmp(role_table[i].role, role) == 0) return (int)i;
    return -1;
}

bool role_valid(const char *role) { return role_index(role) >= 0; }

uint32_t role_caps(const char *role) {
    int i = role_index(role);
    return i < 0 ? 0 : role_table[i].caps;
}

bool role_district_wide(const char *role) {
    int i = role_index(role);
    return i >= 0 && role_table[i].district_wide;
}

json_t *caps_json(uint32_t caps) {
    json_t *a = json_array();
    for (int i = 0; i < CAP_COUNT; i++)
        if (caps & (1u << i)) json_array_append_new(a, json_string(cap_names[i]));
    return a;
}

uint32_t cap_by_name(const char *name) {
    for (int i = 0; i < CAP_COUNT; i++)
        if (strcmp(cap_names[i], name) == 0) return 1u << i;
    return CAP_NONE;
}
