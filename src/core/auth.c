/*
 * auth.c — see auth.h.
 */
#include "core/auth.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "store/scope.h"
#include "util/timeutil.h"
#include "util/validate.h"

void auth_config_defaults(AuthConfig *c) {
    c->idle_timeout = 1800;
    c->max_session = 12 * 3600;
    c->lock_failures = 5;
    c->ip_lock_failures = 5;
    c->lock_window = 900;
    c->lock_period = 900;
}

/* A hash of a random password, verified against when the user name is unknown so that the answer
 * takes as long as for a real account. */
static char dummy_hash[CRYPTO_PWHASH_LEN];
static void ensure_dummy_hash(void) {
    if (!dummy_hash[0]) {
        char pw[15];
        crypto_gen_password(pw);
        crypto_pw_hash(pw, dummy_hash);
    }
}

Rc auth_load_actor(Db *db, int64_t user_id, Actor *a, Fail *f) {
    memset(a, 0, sizeof *a);
    snprintf(a->ip, sizeof a->ip, "local");
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT u.username, u.role, u.org_id, coalesce(u.area_id,0),"
                            " u.must_change_password, o.path FROM users u JOIN orgs o ON o.id = u.org_id"
                            " WHERE u.id = ?",
                            "i", user_id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_done(st);
        return rc == SQLITE_DONE ? rc_fail(f, RC_NOT_FOUND, "no such user") : db_fail(db, f, rc, __FILE__, __LINE__);
    }
    a->user_id = user_id;
    snprintf(a->username, sizeof a->username, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(a->role, sizeof a->role, "%s", (const char *)sqlite3_column_text(st, 1));
    a->org_id = sqlite3_column_int64(st, 2);
    a->area_id = sqlite3_column_int64(st, 3);
    a->must_change_pw = sqlite3_column_int(st, 4) != 0;
    char path[160];
    snprintf(path, sizeof path, "%s", (const char *)sqlite3_column_text(st, 5));
    db_done(st);
    a->caps = role_caps(a->role);
    scope_init(a, path);
    return RC_OK;
}

/* Failures for username (or, when by_ip, from ip) since the last success/unlock and inside the
 * window. */
static int64_t recent_failures(Db *db, Fail *f, const AuthConfig *cfg, const char *key, bool by_ip) {
    int64_t n = 0;
    int64_t since = time_now() - cfg->lock_window;
    if (by_ip)
        db_int(db, f, &n,
               "SELECT count(*) FROM login_attempts WHERE ip = ? AND ok = 0 AND at > ? AND id >"
               " coalesce((SELECT max(id) FROM login_attempts WHERE ip = ? AND ok = 3), 0)",
               "tit", key, since, key);
    else
        db_int(db, f, &n,
               "SELECT count(*) FROM login_attempts WHERE username = ? AND ok = 0 AND at > ? AND id >"
               " coalesce((SELECT max(id) FROM login_attempts WHERE username = ? AND ok IN (1, 2)), 0)",
               "tit", key, since, key);
    return n;
}

/* Records a failed attempt and applies the account and address locks. Runs in its own
 * transaction so a failure is counted even though the login answers an error. */
static Rc record_failure(Db *db, const AuthConfig *cfg, const char *username, int64_t user_id,
                         const char *ip, const char *reason, LoginResult *out) {
    Fail f = {0};
    Rc locked = RC_OK;
    int64_t now = time_now();
    if (db_begin(db, &f) != RC_OK) { fail_clear(&f); return RC_OK; }
    db_run(db, &f, "INSERT INTO login_attempts(username, ip, at, ok) VALUES (?, ?, ?, 0)", "tti",
           username, ip, now);
    audit_write(db, &f, NULL, username, ip, "login_failed", "user", user_id, "denied",
                json_pack("{s:s}", "reason", reason));
    if (user_id && cfg->lock_failures > 0 && recent_failures(db, &f, cfg, username, false) >= cfg->lock_failures) {
        int64_t until = now + cfg->lock_period;
        db_run(db, &f, "UPDATE users SET locked_until = ? WHERE id = ?", "ii", until, user_id);
        char iso[32];
        time_iso(until, iso, sizeof iso);
        audit_write(db, &f, NULL, username, ip, "lockout", "user", user_id, "ok",
                    json_pack("{s:s, s:i}", "locked_until", iso, "failures", cfg->lock_failures));
        out->locked_until = until;
        locked = RC_LOCKED;
    }
    if (cfg->ip_lock_failures > 0 && recent_failures(db, &f, cfg, ip, true) >= cfg->ip_lock_failures) {
        int64_t until = now + cfg->lock_period;
        db_run(db, &f, "INSERT INTO ip_locks(ip, locked_until) VALUES (?, ?) ON CONFLICT(ip) DO UPDATE"
                       " SET locked_until = excluded.locked_until", "ti", ip, until);
        db_run(db, &f, "INSERT INTO login_attempts(username, ip, at, ok) VALUES ('', ?, ?, 3)", "ti", ip, now);
        char iso[32];
        time_iso(until, iso, sizeof iso);
        audit_write(db, &f, NULL, username, ip, "lockout", "address", 0, "ok",
                    json_pack("{s:s, s:s}", "address", ip, "locked_until", iso));
        if (locked == RC_OK) {
            out->locked_until = until;
            locked = RC_RATE_LIMITED;
        }
    }
    if (db_commit(db, &f) != RC_OK) locked = RC_OK;
    fail_clear(&f);
    return locked;
}

/* Audits the end of a lock once, when the first login attempt after it arrives. */
static void audit_lock_end(Db *db, const char *username, int64_t user_id, int64_t until, const char *ip) {
    Fail f = {0};
    char iso[32];
    time_iso(until, iso, sizeof iso);
    if (db_begin(db, &f) == RC_OK) {
        db_run(db, &f, "UPDATE users SET locked_until = 0 WHERE id = ? AND locked_until = ?", "ii", user_id, until);
        if (db_changes(db) > 0) {
            db_run(db, &f, "INSERT INTO login_attempts(username, ip, at, ok) VALUES (?, ?, ?, 2)", "tti",
                   username, ip, time_now());
            audit_write(db, &f, NULL, username, ip, "unlock", "user", user_id, "ok",
                        json_pack("{s:s, s:s}", "reason", "lock expired", "locked_until", iso));
        }
        db_commit(db, &f);
    }
    fail_clear(&f);
}

Rc auth_login(Db *db, const AuthConfig *cfg, const char *username, const char *password,
              const char *ip, LoginResult *out, Fail *f) {
    memset(out, 0, sizeof *out);
    int64_t now = time_now();
    int64_t ip_until = 0;
    if (db_int(db, f, &ip_until, "SELECT locked_until FROM ip_locks WHERE ip = ?", "t", ip) == RC_OK &&
        ip_until > now) {
        out->locked_until = ip_until;
        Fail g = {0};
        audit_write(db, &g, NULL, username, ip, "login_failed", "address", 0, "denied",
                    json_pack("{s:s}", "reason", "address locked"));
        fail_clear(&g);
        return rc_fail(f, RC_RATE_LIMITED, "too many failed logins from this address");
    }
    if (f->rc == RC_NOT_FOUND) fail_clear(f);

    sqlite3_stmt *st = db_q(db, f, "SELECT id, pw_hash, disabled, locked_until FROM users WHERE username = ?",
                            "t", username);
    if (!st) return f->rc;
    int64_t uid = 0, locked_until = 0;
    int disabled = 0;
    char hash[CRYPTO_PWHASH_LEN] = {0};
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        uid = sqlite3_column_int64(st, 0);
        snprintf(hash, sizeof hash, "%s", (const char *)sqlite3_column_text(st, 1));
        disabled = sqlite3_column_int(st, 2);
        locked_until = sqlite3_column_int64(st, 3);
    }
    db_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_fail(db, f, rc, __FILE__, __LINE__);

    if (uid && locked_until > now) {
        out->locked_until = locked_until;
        Fail g = {0};
        audit_write(db, &g, NULL, username, ip, "login_failed", "user", uid, "denied",
                    json_pack("{s:s}", "reason", "account locked"));
        fail_clear(&g);
        return rc_fail(f, RC_LOCKED, "account locked");
    }
    if (uid && locked_until > 0 && locked_until <= now) audit_lock_end(db, username, uid, locked_until, ip);

    bool ok;
    if (uid) {
        ok = crypto_pw_verify(hash, password);
    } else {
        ensure_dummy_hash();
        crypto_pw_verify(dummy_hash, password);
        ok = false;
    }
    if (!ok || disabled) {
        Rc lock = record_failure(db, cfg, username, uid, ip, !uid ? "unknown user" : disabled ? "disabled" : "bad password", out);
        if (lock == RC_LOCKED) return rc_fail(f, RC_LOCKED, "account locked after repeated failures");
        if (lock == RC_RATE_LIMITED) return rc_fail(f, RC_RATE_LIMITED, "too many failed logins from this address");
        return rc_fail(f, RC_BAD_CREDENTIALS, "wrong user name or password");
    }

    Rc r = auth_load_actor(db, uid, &out->actor, f);
    if (r != RC_OK) return r;
    crypto_token(out->token);
    crypto_token(out->actor.csrf);
    uint8_t digest[CRYPTO_DIGEST_LEN];
    crypto_digest(out->token, digest);
    char iso[32];
    time_iso(now, iso, sizeof iso);
    snprintf(out->actor.ip, sizeof out->actor.ip, "%s", ip);
    if ((r = db_begin(db, f)) != RC_OK) return r;
    if ((r = db_run(db, f, "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?", "ii",
                    now - cfg->idle_timeout, now - cfg->max_session)) == RC_OK &&
        (r = db_run(db, f, "INSERT INTO sessions(digest, user_id, csrf, created_at, last_seen, ip) VALUES (?, ?, ?, ?, ?, ?)",
                    "bitiit", digest, (int)sizeof digest, uid, out->actor.csrf, now, now, ip)) == RC_OK &&
        (r = db_run(db, f, "INSERT INTO login_attempts(username, ip, at, ok) VALUES (?, ?, ?, 1)", "tti",
                    username, ip, now)) == RC_OK &&
        (r = db_run(db, f, "UPDATE users SET last_login_at = ? WHERE id = ?", "ti", iso, uid)) == RC_OK &&
        (r = audit_write(db, f, &out->actor, NULL, ip, "login", "user", uid, "ok", NULL)) == RC_OK)
        r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc auth_session(Db *db, const AuthConfig *cfg, const char *token, Actor *out, Fail *f) {
    if (!token || strlen(token) != CRYPTO_TOKEN_LEN) return rc_fail(f, RC_UNAUTHENTICATED, "no session");
    uint8_t digest[CRYPTO_DIGEST_LEN];
    crypto_digest(token, digest);
    /* One statement resolves the session, the user and the user's organisation path. */
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT s.user_id, s.csrf, s.created_at, s.last_seen, u.disabled, u.locked_until,"
                            " u.username, u.role, u.org_id, coalesce(u.area_id, 0), u.must_change_password, o.path"
                            " FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id"
                            " WHERE s.digest = ?",
                            "b", digest, (int)sizeof digest);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_done(st);
        return rc == SQLITE_DONE ? rc_fail(f, RC_UNAUTHENTICATED, "no session")
                                 : db_fail(db, f, rc, __FILE__, __LINE__);
    }
    int64_t created = sqlite3_column_int64(st, 2), last = sqlite3_column_int64(st, 3);
    int disabled = sqlite3_column_int(st, 4);
    int64_t locked_until = sqlite3_column_int64(st, 5);
    Actor *a = out;
    a->user_id = sqlite3_column_int64(st, 0);
    snprintf(a->csrf, sizeof a->csrf, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(a->username, sizeof a->username, "%s", (const char *)sqlite3_column_text(st, 6));
    snprintf(a->role, sizeof a->role, "%s", (const char *)sqlite3_column_text(st, 7));
    a->org_id = sqlite3_column_int64(st, 8);
    a->area_id = sqlite3_column_int64(st, 9);
    a->must_change_pw = sqlite3_column_int(st, 10) != 0;
    char path[160];
    snprintf(path, sizeof path, "%s", (const char *)sqlite3_column_text(st, 11));
    db_done(st);
    a->caps = role_caps(a->role);
    scope_init(a, path);
    int64_t now = time_now();
    bool expired = now - last > cfg->idle_timeout || now - created > cfg->max_session;
    if (expired || disabled || locked_until > now) {
        Fail g = {0};
        db_run(db, &g, "DELETE FROM sessions WHERE digest = ?", "b", digest, (int)sizeof digest);
        fail_clear(&g);
        memset(a, 0, sizeof *a);
        if (expired) return rc_fail(f, RC_SESSION_EXPIRED, "session expired");
        return rc_fail(f, RC_UNAUTHENTICATED, "account disabled or locked");
    }
    /* last_seen is written at most every 15 s (a write per request would cost an fsync), and
     * at least twice per idle period so that an active session never expires. */
    int64_t touch = cfg->idle_timeout / 2 < 15 ? cfg->idle_timeout / 2 : 15;
    if (now - last >= touch) {
        Fail g = {0};
        db_run(db, &g, "UPDATE sessions SET last_seen = ? WHERE digest = ?", "ib", now, digest, (int)sizeof digest);
        fail_clear(&g); /* a failed touch (disk full) must not fail a read */
    }
    return RC_OK;
}

Rc auth_logout(Db *db, const char *token, const Actor *actor, Fail *f) {
    uint8_t digest[CRYPTO_DIGEST_LEN];
    crypto_digest(token, digest);
    Rc r = db_begin(db, f);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM sessions WHERE digest = ?", "b", digest, (int)sizeof digest);
    if (r == RC_OK) r = audit_write(db, f, actor, NULL, NULL, "logout", "user", actor->user_id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    else db_rollback(db);
    return r;
}

Rc auth_change_password(Db *db, const Actor *actor, const char *token, const char *old_pw,
                        const char *new_pw, Fail *f) {
    char hash[CRYPTO_PWHASH_LEN] = {0};
    Rc r = db_text(db, f, hash, sizeof hash, "SELECT pw_hash FROM users WHERE id = ?", "i", actor->user_id);
    if (r != RC_OK) return r;
    if (!old_pw || !crypto_pw_verify(hash, old_pw)) fail_field(f, "old_password", "mismatch", NULL);
    if (!new_pw) fail_field(f, "new_password", "required", NULL);
    else if (!val_password_policy(new_pw)) fail_field(f, "new_password", "password_policy", NULL);
    else if (old_pw && strcmp(old_pw, new_pw) == 0) fail_field(f, "new_password", "same_as_old", NULL);
    if ((r = fail_fields(f)) != RC_OK) return r;
    char nh[CRYPTO_PWHASH_LEN];
    if (!crypto_pw_hash(new_pw, nh)) return rc_fail(f, RC_UNAVAILABLE, "cannot hash the password (memory)");
    uint8_t digest[CRYPTO_DIGEST_LEN];
    crypto_digest(token, digest);
    if ((r = db_begin(db, f)) != RC_OK) return r;
    if ((r = db_run(db, f, "UPDATE users SET pw_hash = ?, must_change_password = 0, version = version + 1,"
                           " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
                    "ti", nh, actor->user_id)) == RC_OK &&
        (r = db_run(db, f, "DELETE FROM sessions WHERE user_id = ? AND digest <> ?", "ib", actor->user_id,
                    digest, (int)sizeof digest)) == RC_OK &&
        (r = audit_write(db, f, actor, NULL, NULL, "password_change", "user", actor->user_id, "ok", NULL)) == RC_OK)
        r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}
