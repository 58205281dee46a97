/*
 * api.h — HTTP handlers, one file per resource family. Each is thin: read the path, query and
 * body, call core/, render. Authentication, CSRF, capability, content type and body size were
 * already enforced by the dispatcher from the route table (http/routes.c).
 */
#ifndef SANQU_API_API_H
#define SANQU_API_API_H

#include "http/req.h"

/* api_misc.c */
Rc api_health(Req *r);
Rc api_meta(Req *r);
Rc api_stats_overview(Req *r);
Rc api_audit_list(Req *r);

/* api_session.c */
Rc api_session_create(Req *r);
Rc api_session_delete(Req *r);
Rc api_me(Req *r);
Rc api_me_password(Req *r);

/* api_org.c */
Rc api_org_list(Req *r);
Rc api_org_create(Req *r);
Rc api_org_import(Req *r);
Rc api_org_get(Req *r);
Rc api_org_update(Req *r);
Rc api_org_delete(Req *r);
Rc api_org_directory(Req *r);

/* api_area.c */
Rc api_area_list(Req *r);
Rc api_area_create(Req *r);
Rc api_area_get(Req *r);
Rc api_area_update(Req *r);
Rc api_area_delete(Req *r);
Rc api_area_members(Req *r);
Rc api_area_member_add(Req *r);
Rc api_area_member_remove(Req *r);
Rc api_area_candidates(Req *r);

/* api_agreement.c */
Rc api_agreement_list(Req *r);
Rc api_agreement_create(Req *r);
Rc api_agreement_get(Req *r);
Rc api_agreement_update(Req *r);
Rc api_agreement_delete(Req *r);

/* api_liaison.c */
Rc api_liaison_list(Req *r);
Rc api_liaison_create(Req *r);
Rc api_liaison_get(Req *r);
Rc api_liaison_update(Req *r);
Rc api_liaison_delete(Req *r);

/* api_user.c */
Rc api_user_list(Req *r);
Rc api_user_create(Req *r);
Rc api_user_get(Req *r);
Rc api_user_update(Req *r);
Rc api_user_role(Req *r);
Rc api_user_lock(Req *r);
Rc api_user_unlock(Req *r);
Rc api_user_reset_password(Req *r);
Rc api_user_phone(Req *r);

/* api_dossier.c */
Rc api_dossier_types(Req *r);
Rc api_dossier_list(Req *r);
Rc api_dossier_create(Req *r);
Rc api_dossier_get(Req *r);
Rc api_dossier_act(Req *r);
Rc api_dossier_comment(Req *r);
Rc api_dossier_events(Req *r);
Rc api_dossier_attach(Req *r);
Rc api_dossier_attachments(Req *r);
Rc api_dossier_attachment_get(Req *r);

/* api_meeting.c */
Rc api_meeting_list(Req *r);
Rc api_meeting_get(Req *r);
Rc api_meeting_create(Req *r);
Rc api_meeting_update(Req *r);
Rc api_meeting_add_item(Req *r);
Rc api_meeting_carry(Req *r);
Rc api_meeting_close(Req *r);
Rc api_supervision(Req *r);

/* api_center.c */
Rc api_center_list(Req *r);
Rc api_center_create(Req *r);
Rc api_center_get(Req *r);
Rc api_center_update(Req *r);
Rc api_center_delete(Req *r);
Rc api_center_services(Req *r);
Rc api_center_service_add(Req *r);
Rc api_center_service_remove(Req *r);

/* api_activity.c */
Rc api_activity_list(Req *r);
Rc api_activity_figures(Req *r);
Rc api_activity_create(Req *r);
Rc api_activity_get(Req *r);
Rc api_activity_update(Req *r);
Rc api_activity_delete(Req *r);
Rc api_activity_photo_add(Req *r);
Rc api_activity_photos(Req *r);
Rc api_activity_photo_get(Req *r);

/* api_lists.c */
Rc api_category_list(Req *r);
Rc api_category_create(Req *r);
Rc api_category_update(Req *r);
Rc api_resource_list(Req *r);
Rc api_resource_create(Req *r);
Rc api_resource_get(Req *r);
Rc api_resource_update(Req *r);
Rc api_resource_delete(Req *r);
Rc api_resource_phone(Req *r);
Rc api_resource_needs(Req *r);
Rc api_dossier_matches(Req *r);
Rc api_lists_board(Req *r);
Rc api_stats_services(Req *r);

/* A file upload (raw body, ?name=, Content-Type naming its type) to record {id}: stored by add,
 * answered 201 with the record's files (list) and Location /api/v1/COLLECTION/{id}/FILES/{new id}. */
typedef Rc (*ApiFileAdd)(Db *, const Actor *, int64_t, const char *, const char *, const char *, const void *, size_t,
                         int64_t *, Fail *);
typedef Rc (*ApiFileOpen)(Db *, const Actor *, int64_t, int64_t, const char *, int *, uint64_t *, char[128], char[256], Fail *);
Rc api_upload(Req *r, const char *what, ApiFileAdd add, Rc (*list)(Db *, const Actor *, int64_t, Buf *, Fail *),
              const char *collection, const char *files);
/* Sends file {id}/{fid} opened by open: attached for download, or inline (images shown in place). */
Rc api_send_file(Req *r, const char *what, ApiFileOpen open, bool inline_);

/* Shared by handlers: the If-Match version (0 when absent or "*"; -1 and a 412 when malformed). */
int64_t api_if_match(Req *r);
/* Answers a single record: 200 (or 201 with Location for created) with ETag from its version. */
Rc api_record(Req *r, int status, const char *location_prefix, int64_t id,
              Rc (*get)(Db *, const Actor *, int64_t, Buf *, Fail *));

#endif
