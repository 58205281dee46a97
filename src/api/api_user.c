/*
 * api_user.c — accounts over HTTP.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/user.h"

Rc api_user_list(Req *r) {
    int page, size;
    req_page(r, &page, &size);
    UserFilter flt = {.role = req_query_enum(r, "role", role_names), .q = req_query(r, "q")};
    req_query_int(r, "org_id", -1, 1, INT64_MAX, &flt.org_id);
    int64_t locked;
    req_query_int(r, "locked", -1, 0, 1, &locked);
    const char *ls = req_query(r, "locked");
    if (ls && strcmp(ls, "true") == 0) locked = 1, fail_clear(&r->fail);
    else if (ls && strcmp(ls, "false") == 0) locked = 0, fail_clear(&r->fail);
    flt.locked = (int)locked;
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = user_list(r->db, &r->actor, &flt, page, size, &r->out, &r->fail);
    if (rc == RC_OK) r->ctype = "application/json";
    return rc;
}

static int64_t user_id_param(Req *r) {
    int64_t id = req_param_id(r, 0);
    if (!id) rc_fail(&r->fail, RC_NOT_FOUND, "no such user");
    return id;
}

Rc api_user_get(Req *r) {
    int64_t id = user_id_param(r);
    if (!id) return RC_NOT_FOUND;
    return api_record(r, 200, NULL, id, user_get);
}

Rc api_user_create(Req *r) {
    int64_t id = 0;
    char pw[15];
    Rc rc = user_create(r->db, &r->actor, r->json, &id, pw, &r->fail);
    if (rc != RC_OK) return rc;
    r->render_later = false; /* read now: the one-time password is added to the answer */
    rc = api_record(r, 201, "/api/v1/users", id, user_get);
    if (rc == RC_OK && pw[0]) {
        json_t *j = json_loadb(r->out.data, r->out.len, 0, NULL);
        if (j) {
            json_object_set_new(j, "initial_password", json_string(pw));
            req_reply_json(r, 201, j);
        }
    }
    return rc;
}

Rc api_user_update(Req *r) {
    int64_t id = user_id_param(r);
    if (!id) return RC_NOT_FOUND;
    int64_t ver = api_if_match(r);
    if (ver < 0) return r->fail.rc;
    Rc rc = user_update(r->db, &r->actor, id, r->json, ver, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, user_get);
}

Rc api_user_role(Req *r) {
    int64_t id = user_id_param(r);
    if (!id) return RC_NOT_FOUND;
    Rc rc = user_set_role(r->db, &r->actor, id, r->json, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, user_get);
}

static Rc lock_or_unlock(Req *r, bool lock) {
    int64_t id = user_id_param(r);
    if (!id) return RC_NOT_FOUND;
    Rc rc = user_lock(r->db, &r->actor, id, lock, &r->fail);
    if (rc != RC_OK) return rc;
    return api_record(r, 200, NULL, id, user_get);
}

Rc api_user_lock(Req *r) { return lock_or_unlock(r, true); }
Rc api_user_unlock(Req *r) { return lock_or_unlock(r, false); }

Rc api_user_reset_password(Req *r) {
    int64_t id = user_id_param(r);
    if (!id) return RC_NOT_FOUND;
    char pw[15];
    Rc rc = user_reset_password(r->db, &r->actor, id, pw, &r->fail);
    if (rc != RC_OK) return rc;
    req_reply_json(r, 200, json_pack("{s:s}", "initial_password", pw));
    return RC_OK;
}

Rc api_user_phone(Req *r) {
    int64_t id = user_id_param(r);
    if (!id) return RC_NOT_FOUND;
    char phone[64];
    Rc rc = user_phone(r->db, &r->actor, id, phone, &r->fail);
    if (rc != RC_OK) return rc;
    req_reply_json(r, 200, json_pack("{s:s?}", "phone", phone[0] ? phone : NULL));
    return RC_OK;
}
