/*
 * roles.h — roles, capabilities and the acting user. The role → capability table is data
 * (roles.c); the dispatcher checks a route's capability before the handler runs, and the store's
 * scope filter (store/scope.h) limits which records the actor can see.
 */
#ifndef SANQU_CORE_ROLES_H
#define SANQU_CORE_ROLES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum Cap {
    CAP_NONE = 0,
    CAP_ORG_READ = 1u << 0,
    CAP_ORG_WRITE = 1u << 1,
    CAP_AREA_READ = 1u << 2,
    CAP_AREA_WRITE = 1u << 3,
    CAP_AREA_MEMBERS = 1u << 4,
    CAP_AGREEMENT_READ = 1u << 5,
    CAP_AGREEMENT_WRITE = 1u << 6,
    CAP_LIAISON_READ = 1u << 7,
    CAP_LIAISON_WRITE = 1u << 8,
    CAP_USER_READ = 1u << 9,
    CAP_USER_WRITE = 1u << 10,
    CAP_USER_LOCK = 1u << 11,
    CAP_USER_ROLE = 1u << 12,
    CAP_AUDIT_READ = 1u << 13,
    CAP_PII_READ = 1u << 14,
    CAP_STATS_READ = 1u << 15,
    CAP_DOSSIER_READ = 1u << 16,
    CAP_DOSSIER_WRITE = 1u << 17,
    CAP_SERVICE_READ = 1u << 18,   /* centres, activities, the resource catalogue */
    CAP_SERVICE_WRITE = 1u << 19,
    CAP_SETTINGS_WRITE = 1u << 20, /* configurable lists such as categories */
} Cap;

enum { CAP_COUNT = 21 };

/* The user on whose behalf a request runs, with the scope used by every query. */
typedef struct Actor {
    int64_t user_id;        /* 0 when anonymous */
    char username[40];      /* login name */
    char role[16];          /* role code */
    int64_t org_id;         /* the user's organisation */
    int64_t area_id;        /* the user's area (committee role), or 0 */
    uint32_t caps;          /* capability bits of the role */
    bool must_change_pw;    /* a generated password is still in use */
    char csrf[48];          /* the session's CSRF token */
    char scope_lo[160];     /* organisation subtree: paths p with scope_lo <= p < scope_hi */
    char scope_hi[160];
    int64_t scope_area;     /* an area whose members (and their subtrees) are also in scope, or 0 */
    char org_path[160];     /* the user's organisation's path ('/1/4/') */
    char ip[64];            /* client address */
} Actor;

extern const char *const role_names[];  /* NULL-terminated list of role codes */
extern const char *const cap_names[];   /* names indexed by bit position */

bool role_valid(const char *role);
uint32_t role_caps(const char *role);
/* Roles whose scope is the whole district whatever their organisation. */
bool role_district_wide(const char *role);
/* Array of capability names for the bits in caps (new reference). */
json_t *caps_json(uint32_t caps);
/* Bit of a capability name, or CAP_NONE. */
uint32_t cap_by_name(const char *name);

#endif
