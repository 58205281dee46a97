/*
 * routes.c — the route table: every API route is one row (method, path, handler, capability,
 * flags, help). The dispatcher (server.c) enforces authentication, CSRF, capability, content type
 * and body size from these rows before any handler runs; `sanqu routes` prints them and
 * tests/api checks docs/api.md against them.
 */
#include "api/api.h"
#include "http/router.h"

#define W R_WRITE
#define J R_JSON

const Route routes[] = {
    {"GET", "/api/v1/health", api_health, CAP_NONE, R_PUBLIC, "liveness and version, no session needed"},
    {"POST", "/api/v1/session", api_session_create, CAP_NONE, R_PUBLIC | R_NO_CSRF | W | J, "sign in: sets the session cookie, returns the user and csrf_token"},
    {"DELETE", "/api/v1/session", api_session_delete, CAP_NONE, W | R_PWCHANGE, "sign out"},
    {"GET", "/api/v1/me", api_me, CAP_NONE, R_PWCHANGE, "the signed-in user, capabilities, scope and csrf_token"},
    {"POST", "/api/v1/me/password", api_me_password, CAP_NONE, W | J | R_PWCHANGE, "change one's own password"},
    {"GET", "/api/v1/meta", api_meta, CAP_NONE, 0, "enumerations: organisation kinds, roles, liaison kinds"},
    {"GET", "/api/v1/stats/overview", api_stats_overview, CAP_STATS_READ, 0, "home-page figures in the caller's scope"},

    {"GET", "/api/v1/orgs", api_org_list, CAP_ORG_READ, 0, "list organisations (kind, parent_id, under, area_id, q, page)"},
    {"POST", "/api/v1/orgs", api_org_create, CAP_ORG_WRITE, W | J, "create an organisation"},
    {"POST", "/api/v1/orgs/import", api_org_import, CAP_ORG_WRITE, W | R_CSV, "import organisations from CSV (dry_run=true to check only)"},
    {"GET", "/api/v1/orgs/{id}", api_org_get, CAP_ORG_READ, 0, "one organisation with its areas"},
    {"PUT", "/api/v1/orgs/{id}", api_org_update, CAP_ORG_WRITE, W | J, "update (or move) an organisation"},
    {"DELETE", "/api/v1/orgs/{id}", api_org_delete, CAP_ORG_WRITE, W, "delete an unreferenced organisation"},

    {"GET", "/api/v1/org-directory", api_org_directory, CAP_DOSSIER_WRITE, 0, "the district's organisations by name (id, name, kind, town): whom a matter may be handed to"},

    {"GET", "/api/v1/areas", api_area_list, CAP_AREA_READ, 0, "list areas and their committees"},
    {"POST", "/api/v1/areas", api_area_create, CAP_AREA_WRITE, W | J, "create an area with its committee"},
    {"GET", "/api/v1/areas/{id}", api_area_get, CAP_AREA_READ, 0, "one area"},
    {"PUT", "/api/v1/areas/{id}", api_area_update, CAP_AREA_WRITE, W | J, "update an area"},
    {"DELETE", "/api/v1/areas/{id}", api_area_delete, CAP_AREA_WRITE, W, "delete an unreferenced area"},
    {"GET", "/api/v1/areas/{id}/members", api_area_members, CAP_AREA_READ, 0, "member organisations of an area committee"},
    {"POST", "/api/v1/areas/{id}/members", api_area_member_add, CAP_AREA_MEMBERS, W | J, "add a member organisation"},
    {"GET", "/api/v1/areas/{id}/candidates", api_area_candidates, CAP_AREA_MEMBERS, 0, "organisations that may join the area (member kinds, not yet members)"},
    {"DELETE", "/api/v1/areas/{id}/members/{org_id}", api_area_member_remove, CAP_AREA_MEMBERS, W, "remove a member organisation"},

    {"GET", "/api/v1/agreements", api_agreement_list, CAP_AGREEMENT_READ, 0, "list co-building agreements"},
    {"POST", "/api/v1/agreements", api_agreement_create, CAP_AGREEMENT_WRITE, W | J, "record a co-building agreement"},
    {"GET", "/api/v1/agreements/{id}", api_agreement_get, CAP_AGREEMENT_READ, 0, "one agreement with its parties"},
    {"PUT", "/api/v1/agreements/{id}", api_agreement_update, CAP_AGREEMENT_WRITE, W | J, "update an agreement"},
    {"DELETE", "/api/v1/agreements/{id}", api_agreement_delete, CAP_AGREEMENT_WRITE, W, "delete an agreement"},

    {"GET", "/api/v1/liaisons", api_liaison_list, CAP_LIAISON_READ, 0, "list liaison assignments"},
    {"POST", "/api/v1/liaisons", api_liaison_create, CAP_LIAISON_WRITE, W | J, "create a liaison assignment"},
    {"GET", "/api/v1/liaisons/{id}", api_liaison_get, CAP_LIAISON_READ, 0, "one liaison assignment"},
    {"PUT", "/api/v1/liaisons/{id}", api_liaison_update, CAP_LIAISON_WRITE, W | J, "update a liaison assignment"},
    {"DELETE", "/api/v1/liaisons/{id}", api_liaison_delete, CAP_LIAISON_WRITE, W, "delete a liaison assignment"},

    {"GET", "/api/v1/users", api_user_list, CAP_USER_READ, 0, "list accounts (phones masked)"},
    {"POST", "/api/v1/users", api_user_create, CAP_USER_WRITE, W | J | R_SECRET, "create an account"},
    {"GET", "/api/v1/users/{id}", api_user_get, CAP_USER_READ, 0, "one account"},
    {"PUT", "/api/v1/users/{id}", api_user_update, CAP_USER_WRITE, W | J, "update an account"},
    {"PUT", "/api/v1/users/{id}/role", api_user_role, CAP_USER_ROLE, W | J, "change an account's role (secadmin)"},
    {"POST", "/api/v1/users/{id}/lock", api_user_lock, CAP_USER_LOCK, W, "lock an account (secadmin)"},
    {"POST", "/api/v1/users/{id}/unlock", api_user_unlock, CAP_USER_LOCK, W, "unlock an account (secadmin)"},
    {"POST", "/api/v1/users/{id}/reset-password", api_user_reset_password, CAP_USER_WRITE, W | R_SECRET, "issue a new one-time password"},
    {"GET", "/api/v1/users/{id}/phone", api_user_phone, CAP_PII_READ, 0, "reveal an account's phone number (audited)"},

    {"GET", "/api/v1/dossier-types", api_dossier_types, CAP_DOSSIER_READ, 0, "dossier types: fields, states, time limits, actions"},
    {"GET", "/api/v1/dossiers", api_dossier_list, CAP_DOSSIER_READ, 0, "list dossiers (type, state, area_id, org_id, handler_org_id, time_status, from, to, q, open, supervised; cursor)"},
    {"POST", "/api/v1/dossiers", api_dossier_create, CAP_DOSSIER_WRITE, W | J, "open a dossier of a type"},
    {"GET", "/api/v1/dossiers/{id}", api_dossier_get, CAP_DOSSIER_READ, 0, "one dossier with allowed_actions, due_on and time_status"},
    {"POST", "/api/v1/dossiers/{id}/actions/{action}", api_dossier_act, CAP_DOSSIER_WRITE, W | J, "take an action (If-Match with the version)"},
    {"POST", "/api/v1/dossiers/{id}/comments", api_dossier_comment, CAP_DOSSIER_WRITE, W | J, "comment on a dossier"},
    {"POST", "/api/v1/dossiers/{id}/attachments", api_dossier_attach, CAP_DOSSIER_WRITE, W | R_UPLOAD, "attach a file (raw body, name=; png, jpeg, gif, pdf, docx, xlsx; 10 MiB)"},
    {"GET", "/api/v1/dossiers/{id}/attachments", api_dossier_attachments, CAP_DOSSIER_READ, 0, "a dossier's attachments"},
    {"GET", "/api/v1/dossiers/{id}/attachments/{aid}", api_dossier_attachment_get, CAP_DOSSIER_READ, 0, "download an attachment"},
    {"GET", "/api/v1/dossiers/{id}/events", api_dossier_events, CAP_DOSSIER_READ, 0, "the dossier's hash-chained event log"},

    {"GET", "/api/v1/meetings", api_meeting_list, CAP_DOSSIER_READ, 0, "list 1+N joint meetings (area_id, from, to, q, page)"},
    {"POST", "/api/v1/meetings", api_meeting_create, CAP_DOSSIER_WRITE, W | J, "hold a meeting with its member organisations and agreed items"},
    {"GET", "/api/v1/meetings/{id}", api_meeting_get, CAP_DOSSIER_READ, 0, "one meeting with its items' progress"},
    {"PUT", "/api/v1/meetings/{id}", api_meeting_update, CAP_DOSSIER_WRITE, W | J, "update a meeting (minutes, attendees …)"},
    {"POST", "/api/v1/meetings/{id}/items", api_meeting_add_item, CAP_DOSSIER_WRITE, W | J, "add an agreed item to a meeting"},
    {"POST", "/api/v1/meetings/{id}/carry", api_meeting_carry, CAP_DOSSIER_WRITE, W | J, "carry an open item of an earlier meeting to this one"},
    {"POST", "/api/v1/meetings/{id}/close", api_meeting_close, CAP_DOSSIER_WRITE, W, "close the meeting's follow-up (every item written off or carried)"},
    {"GET", "/api/v1/supervision", api_supervision, CAP_DOSSIER_READ, 0, "supervision board: red and yellow matters by area and handler"},

    {"GET", "/api/v1/centers", api_center_list, CAP_SERVICE_READ, 0, "list neighbourhood centres (area_id, function, q, page; phones masked)"},
    {"POST", "/api/v1/centers", api_center_create, CAP_SERVICE_WRITE, W | J, "register a neighbourhood centre with its functions and services"},
    {"GET", "/api/v1/centers/{id}", api_center_get, CAP_SERVICE_READ, 0, "one centre with its services, recent activities and their counts"},
    {"PUT", "/api/v1/centers/{id}", api_center_update, CAP_SERVICE_WRITE, W | J, "update a centre (If-Match with the version)"},
    {"DELETE", "/api/v1/centers/{id}", api_center_delete, CAP_SERVICE_WRITE, W, "delete a centre no activity refers to"},
    {"GET", "/api/v1/centers/{id}/services", api_center_services, CAP_SERVICE_READ, 0, "a centre's service catalogue"},
    {"POST", "/api/v1/centers/{id}/services", api_center_service_add, CAP_SERVICE_WRITE, W | J, "add a service to a centre's catalogue"},
    {"DELETE", "/api/v1/centers/{id}/services/{sid}", api_center_service_remove, CAP_SERVICE_WRITE, W, "remove a service from a centre's catalogue"},
    {"GET", "/api/v1/activities", api_activity_list, CAP_SERVICE_READ, 0, "list activities (kind, area_id, center_id, org_id, from, to, q, page)"},
    {"GET", "/api/v1/activities/figures", api_activity_figures, CAP_SERVICE_READ, 0, "activities, participants and people served by kind, organiser, area and month (from, to, area_id)"},
    {"POST", "/api/v1/activities", api_activity_create, CAP_SERVICE_WRITE, W | J, "record an activity with its organisers"},
    {"GET", "/api/v1/activities/{id}", api_activity_get, CAP_SERVICE_READ, 0, "one activity with its organisers and photos"},
    {"PUT", "/api/v1/activities/{id}", api_activity_update, CAP_SERVICE_WRITE, W | J, "update an activity (If-Match with the version)"},
    {"DELETE", "/api/v1/activities/{id}", api_activity_delete, CAP_SERVICE_WRITE, W, "delete an activity"},
    {"POST", "/api/v1/activities/{id}/photos", api_activity_photo_add, CAP_SERVICE_WRITE, W | R_UPLOAD, "add a photo (raw body, name=; png, jpeg, gif; 10 MiB)"},
    {"GET", "/api/v1/activities/{id}/photos", api_activity_photos, CAP_SERVICE_READ, 0, "an activity's photos"},
    {"GET", "/api/v1/activities/{id}/photos/{pid}", api_activity_photo_get, CAP_SERVICE_READ, 0, "download a photo"},

    {"GET", "/api/v1/categories", api_category_list, CAP_NONE, 0, "configurable categories (domain: service, activity, bounty_action; all=true with inactive)"},
    {"POST", "/api/v1/categories", api_category_create, CAP_SETTINGS_WRITE, W | J, "add a category to a domain"},
    {"PUT", "/api/v1/categories/{code}", api_category_update, CAP_SETTINGS_WRITE, W | J, "relabel, reorder or retire a category ({domain, label_zh, label_en, sort, active})"},
    {"GET", "/api/v1/resources", api_resource_list, CAP_SERVICE_READ, 0, "the resource catalogue (category, provider_org_id, area_id, q, available, page; phones masked)"},
    {"POST", "/api/v1/resources", api_resource_create, CAP_SERVICE_WRITE, W | J, "offer a resource (its provider in the caller's scope)"},
    {"GET", "/api/v1/resources/{id}", api_resource_get, CAP_SERVICE_READ, 0, "one resource with capacity used and left and the projects taking it"},
    {"PUT", "/api/v1/resources/{id}", api_resource_update, CAP_SERVICE_WRITE, W | J, "update a resource (If-Match; capacity not below what is used)"},
    {"DELETE", "/api/v1/resources/{id}", api_resource_delete, CAP_SERVICE_WRITE, W, "delete a resource no project takes"},
    {"GET", "/api/v1/resources/{id}/phone", api_resource_phone, CAP_SERVICE_READ, 0, "reveal a resource's contact phone (audited)"},
    {"GET", "/api/v1/resources/{id}/needs", api_resource_needs, CAP_DOSSIER_READ, 0, "open needs the resource could serve, ranked with reasons (limit)"},
    {"GET", "/api/v1/dossiers/{id}/matches", api_dossier_matches, CAP_DOSSIER_READ, 0, "for a need: resources ranked with the reasons (category, area, capacity, shared words; limit)"},
    {"GET", "/api/v1/three-lists", api_lists_board, CAP_DOSSIER_READ, 0, "the three lists as one board: needs → resources → projects, with counts (area_id)"},
    {"GET", "/api/v1/stats/services", api_stats_services, CAP_STATS_READ, 0, "service figures for a period and area: centres, activities, needs, resources, projects, published projects, actions (from, to, area_id)"},

    {"GET", "/api/v1/audit", api_audit_list, CAP_AUDIT_READ, 0, "the audit log (auditor only)"},
};

const int routes_count = (int)(sizeof routes / sizeof routes[0]);
