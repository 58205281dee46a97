/*
 * api_session.c — sign in, sign out, the signed-in user and password change.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/user.h"
#include "util/jsonh.h"
#include "util/timeutil.h"

static const JField login_fields[] = {
    {"username", JF_STR, true, 1, 64, NULL, NULL, NULL},
    {"password", JF_STR, true, 1, 256, NULL, NULL, NULL},
};

static void set_session_cookie(Req *r, const char *token) {
    snprintf(r->cookie, sizeof r->cookie, "sanqu_session=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
             r->cfg->secure_cookies ? "; Secure" : "");
}

Rc api_session_create(Req *r) {
    jh_validate(r->json, login_fields, 2, &r->fail);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    LoginResult lr;
    rc = auth_login(r->db, &r->cfg->auth, jh_str(r->json, "username"), jh_str(r->json, "password"),
                    r->actor.ip, &lr, &r->fail);
    if (rc == RC_LOCKED || rc == RC_RATE_LIMITED) {
        char iso[32];
        time_iso(lr.locked_until, iso, sizeof iso);
        fail_extra(&r->fail, "locked_until", json_string(iso));
    }
    if (rc != RC_OK) return rc;
    set_session_cookie(r, lr.token);
    r->actor = lr.actor;
    buf_reset(&r->out);
    rc = user_me(r->db, &r->actor, &r->out, &r->fail);
    if (rc == RC_OK) {
        r->status = 200;
        r->ctype = "application/json";
    }
    return rc;
}

Rc api_session_delete(Req *r) {
    Rc rc = auth_logout(r->db, r->token, &r->actor, &r->fail);
    if (rc != RC_OK) return rc;
    snprintf(r->cookie, sizeof r->cookie, "sanqu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             r->cfg->secure_cookies ? "; Secure" : "");
    req_no_content(r);
    return RC_OK;
}

Rc api_me(Req *r) {
    Rc rc = user_me(r->db, &r->actor, &r->out, &r->fail);
    if (rc == RC_OK) {
        r->status = 200;
        r->ctype = "application/json";
    }
    return rc;
}

Rc api_me_password(Req *r) {
    static const JField fields[] = {
        {"old_password", JF_STR, true, 1, 256, NULL, NULL, NULL},
        {"new_password", JF_STR, true, 1, 128, NULL, NULL, NULL},
    };
    jh_validate(r->json, fields, 2, &r->fail);
    Rc rc = fail_fields(&r->fail);
    if (rc != RC_OK) return rc;
    rc = auth_change_password(r->db, &r->actor, r->token, jh_str(r->json, "old_password"),
                              jh_str(r->json, "new_password"), &r->fail);
    if (rc != RC_OK) return rc;
    req_no_content(r);
    return RC_OK;
}
