/*
 * auth.h — logins, sessions and lockouts. Passwords are argon2id hashes; a session is a random
 * token held by the browser in an HttpOnly cookie and stored only as a digest; each session has a
 * CSRF token. Five failures within the window lock the account (and, separately, the client
 * address) for the lock period; locks and their ends are audited.
 */
#ifndef SANQU_CORE_AUTH_H
#define SANQU_CORE_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/crypto.h"

typedef struct AuthConfig {
    int idle_timeout;      /* seconds without a request before a session ends (default 1800) */
    int max_session;       /* seconds after login when a session ends regardless (default 43200) */
    int lock_failures;     /* failures that lock an account (default 5) */
    int ip_lock_failures;  /* failures from one address that lock the address (default 5; 0 = off) */
    int lock_window;       /* seconds in which the failures count (default 900) */
    int lock_period;       /* seconds a lock lasts (default 900) */
} AuthConfig;

void auth_config_defaults(AuthConfig *c);

typedef struct LoginResult {
    char token[CRYPTO_TOKEN_LEN + 1];  /* the session cookie value */
    Actor actor;                       /* the user, with csrf filled */
    int64_t locked_until;              /* set with RC_LOCKED / RC_RATE_LIMITED */
} LoginResult;

/* Checks the credentials, applies lockout rules, and on success creates a session. Audits the
 * outcome. On RC_LOCKED/RC_RATE_LIMITED, out->locked_until says until when. */
Rc auth_login(Db *db, const AuthConfig *cfg, const char *username, const char *password,
              const char *ip, LoginResult *out, Fail *f);

/* Resolves a session token into an actor (scope filled). Expired sessions are deleted and answer
 * RC_SESSION_EXPIRED; unknown ones RC_UNAUTHENTICATED. Touches last_seen at most every 15 s. */
Rc auth_session(Db *db, const AuthConfig *cfg, const char *token, Actor *out, Fail *f);

/* Ends the session with this token (audited as logout). */
Rc auth_logout(Db *db, const char *token, const Actor *actor, Fail *f);

/* Changes the actor's password after checking the old one and the policy; ends the user's other
 * sessions. */
Rc auth_change_password(Db *db, const Actor *actor, const char *token, const char *old_pw,
                        const char *new_pw, Fail *f);

/* Fills actor (role, org, area, caps, scope) from the users row of user_id; RC_NOT_FOUND if none. */
Rc auth_load_actor(Db *db, int64_t user_id, Actor *actor, Fail *f);

#endif
