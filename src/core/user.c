/*
 * user.c — accounts; see user.h.
 */
#include "core/user.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/listq.h"
#include "store/scope.h"
#include "util/crypto.h"
#include "util/jsonh.h"
#include "util/timeutil.h"
#include "util/validate.h"

enum { LOCK_FOREVER = 253402300799LL }; /* 9999-12-31T23:59:59Z: locked until unlocked */

#define JBOOL(x) "json(CASE WHEN " x " THEN 'true' ELSE 'false' END)"
#define USER_JSON                                                                                 \
    "json_object('id', u.id, 'username', u.username, 'display_name', u.display_name, 'role', u.role," \
    " 'org_id', u.org_id, 'org_name', o.name, 'area_id', u.area_id, 'area_name', ar.name,"         \
    " 'phone', phone_masked(u.phone_sealed),"                                                      \
    " 'locked', " JBOOL("u.locked_until > CAST(strftime('%s','now') AS INTEGER)") ","               \
    " 'locked_until', CASE WHEN u.locked_until > CAST(strftime('%s','now') AS INTEGER)"            \
    "   THEN strftime('%Y-%m-%dT%H:%M:%SZ', u.locked_until, 'unixepoch') END,"                     \
    " 'must_change_password', " JBOOL("u.must_change_password") ","                                 \
    " 'disabled', " JBOOL("u.disabled") ", 'last_login_at', u.last_login_at,"                      \
    " 'created_at', u.created_at, 'version', u.version)"
#define USER_FROM " FROM users u JOIN orgs o ON o.id = u.org_id LEFT JOIN areas ar ON ar.id = u.area_id"

static const char *const privileged_roles[] = {"admin", "secadmin", "auditor", NULL};

static bool is_privileged(const char *role) {
    for (int i = 0; privileged_roles[i]; i++)
        if (role && strcmp(role, privileged_roles[i]) == 0) return true;
    return false;
}

Rc user_me(Db *db, const Actor *a, Buf *out, Fail *f) {
    json_t *caps = caps_json(a->caps);
    char *cs = json_dumps(caps, JSON_COMPACT);
    json_decref(caps);
    Rc r = listq_one(db, f, out,
                     "SELECT json_object('user', " USER_JSON ", 'capabilities', json(?),"
                     " 'scope', json_object('org_id', u.org_id, 'org_name', o.name, 'area_id', u.area_id,"
                     "   'area_name', ar.name, 'district_wide', " JBOOL("? = '/'") "),"
                     " 'csrf_token', ?, 'must_change_password', " JBOOL("u.must_change_password") ")"
                     USER_FROM " WHERE u.id = ?",
                     "ttti", cs ? cs : "[]", a->scope_lo, a->csrf, a->user_id);
    free(cs);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_UNAUTHENTICATED, "the account no longer exists");
    return r;
}

Rc user_list(Db *db, const Actor *a, const UserFilter *flt, int page, int page_size, Buf *out, Fail *f) {
#define USER_WHERE                                                                                 \
    USER_FROM " WHERE " SCOPE_ORG("o") " AND (?4 IS NULL OR u.role = ?4) AND (?5 IS NULL OR u.org_id = ?5)" \
    " AND (?6 IS NULL OR instr(u.username, ?6) > 0 OR instr(u.display_name, ?6) > 0)"               \
    " AND (?7 IS NULL OR (u.locked_until > CAST(strftime('%s','now') AS INTEGER)) = ?7)"
    return listq_run(db, f, out, page, page_size, "SELECT count(*)" USER_WHERE,
                     "SELECT " USER_JSON USER_WHERE " ORDER BY u.username LIMIT ?98 OFFSET ?99",
                     SCOPE_FMT "tNtN", SCOPE_ARGS(a), flt->role, flt->org_id, flt->q, (int64_t)flt->locked);
#undef USER_WHERE
}

Rc user_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f) {
    Rc r = listq_one(db, f, out, "SELECT " USER_JSON USER_FROM " WHERE " SCOPE_ORG("o") " AND u.id = ?",
                     SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (r == RC_NOT_FOUND) r = rc_fail(f, RC_NOT_FOUND, "user %lld not found", (long long)id);
    return r;
}

/* The organisation kinds an account of each role must belong to (NULL: any). */
static const char *role_org_kinds(const char *role) {
    if (!role) return NULL;
    if (strcmp(role, "enterprise") == 0) return "enterprise";
    if (strcmp(role, "community") == 0) return "community";
    if (strcmp(role, "town") == 0) return "town";
    if (strcmp(role, "department") == 0 || strcmp(role, "inspector") == 0) return "department";
    return NULL;
}

/* Validates org_id / area_id against the role; adds field errors. */
static void check_role_refs(Db *db, const Actor *a, const char *role, int64_t org_id, int64_t area_id,
                            bool has_area, Fail *f) {
    if (org_id) {
        char kind[16] = "";
        Rc r = db_text(db, NULL, kind, sizeof kind, "SELECT o.kind FROM orgs o WHERE " SCOPE_ORG("o") " AND o.id = ?",
                       SCOPE_FMT "i", SCOPE_ARGS(a), org_id);
        if (r != RC_OK) {
            fail_field(f, "org_id", "reference", NULL);
        } else {
            const char *want = role_org_kinds(role);
            if (want && strcmp(kind, want) != 0)
                fail_field(f, "org_id", "kind", json_pack("{s:[s]}", "allowed", want));
        }
    }
    if (area_id) {
        int64_t x;
        if (db_int(db, NULL, &x, "SELECT id FROM areas WHERE id = ?", "i", area_id) != RC_OK)
            fail_field(f, "area_id", "reference", NULL);
    } else if (role && strcmp(role, "committee") == 0 && !has_area) {
        fail_field(f, "area_id", "required", NULL);
    }
}

static const JField user_fields[] = {
    {"username", JF_STR, true, 3, 32, NULL, val_username, "format"},
    {"display_name", JF_STR, true, 1, 50, NULL, NULL, NULL},
    {"role", JF_STR, true, 0, 0, role_names, NULL, NULL},
    {"org_id", JF_ID, true, 0, 0, NULL, NULL, NULL},
    {"area_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    {"phone", JF_STR, false, 0, 20, NULL, val_mobile, "mobile"},
    {"password", JF_STR, false, 0, 128, NULL, val_password_policy, "password_policy"},
};

static Rc seal_phone(const char *phone, uint8_t *sealed, int *n, Fail *f) {
    *n = 0;
    if (!phone) return RC_OK;
    if (!crypto_seal(phone, strlen(phone), sealed)) return rc_fail(f, RC_INTERNAL, "no field key loaded");
    *n = (int)(strlen(phone) + CRYPTO_SEAL_OVERHEAD);
    return RC_OK;
}

Rc user_create(Db *db, const Actor *a, json_t *in, int64_t *id, char initial_pw[15], Fail *f) {
    jh_validate(in, user_fields, 7, f);
    const char *role = jh_str(in, "role");
    if (is_privileged(role) && !(a->caps & CAP_USER_ROLE)) fail_field(f, "role", "forbidden", NULL);
    const char *username = jh_str(in, "username");
    if (username) {
        int64_t x;
        if (db_int(db, NULL, &x, "SELECT id FROM users WHERE username = ?", "t", username) == RC_OK)
            fail_field(f, "username", "unique", NULL);
    }
    check_role_refs(db, a, role, jh_int(in, "org_id"), jh_int(in, "area_id"), false, f);
    Rc r = fail_fields(f);
    if (r != RC_OK) return r;
    const char *pw = jh_str(in, "password");
    initial_pw[0] = 0;
    if (!pw) {
        crypto_gen_password(initial_pw);
        pw = initial_pw;
    }
    char hash[CRYPTO_PWHASH_LEN];
    if (!crypto_pw_hash(pw, hash)) return rc_fail(f, RC_UNAVAILABLE, "cannot hash the password (memory)");
    uint8_t sealed[64 + CRYPTO_SEAL_OVERHEAD];
    int sn;
    if ((r = seal_phone(jh_str(in, "phone"), sealed, &sn, f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f,
               "INSERT INTO users(username, display_name, role, org_id, area_id, phone_sealed, pw_hash,"
               " must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               "tttiIbti", username, jh_str(in, "display_name"), role, jh_int(in, "org_id"), jh_int(in, "area_id"),
               sn ? (const void *)sealed : NULL, sn, hash, (int64_t)(initial_pw[0] != 0));
    if (r == RC_OK) {
        *id = db_last_id(db);
        r = audit_write(db, f, a, NULL, NULL, "create", "user", *id, "ok",
                        json_pack("{s:s, s:s}", "username", username, "role", role));
    }
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

/* Loads role and version of a user in scope. */
static Rc load_user(Db *db, const Actor *a, int64_t id, char role[16], int64_t *version, Fail *f) {
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT u.role, u.version FROM users u JOIN orgs o ON o.id = u.org_id WHERE "
                            SCOPE_ORG("o") " AND u.id = ?",
                            SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(role, 16, "%s", (const char *)sqlite3_column_text(st, 0));
        *version = sqlite3_column_int64(st, 1);
    }
    db_done(st);
    if (rc == SQLITE_ROW) return RC_OK;
    if (rc == SQLITE_DONE) return rc_fail(f, RC_NOT_FOUND, "user %lld not found", (long long)id);
    return db_fail(db, f, rc, __FILE__, __LINE__);
}

Rc user_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f) {
    static const JField fields[] = {
        {"display_name", JF_STR, true, 1, 50, NULL, NULL, NULL},
        {"org_id", JF_ID, true, 0, 0, NULL, NULL, NULL},
        {"area_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
        {"phone", JF_STR, false, 0, 20, NULL, val_mobile, "mobile"},
        {"disabled", JF_BOOL, false, 0, 0, NULL, NULL, NULL},
    };
    char role[16];
    int64_t version;
    Rc r = load_user(db, a, id, role, &version, f);
    if (r != RC_OK) return r;
    if (is_privileged(role) && !(a->caps & CAP_USER_ROLE))
        return rc_fail(f, RC_FORBIDDEN, "accounts of the role %s are managed by the security administrator", role);
    if (if_version > 0 && if_version != version) {
        fail_extra(f, "current_version", json_integer(version));
        return rc_fail(f, RC_PRECONDITION, "the record is at version %lld; reload and retry", (long long)version);
    }
    jh_validate(in, fields, 5, f);
    check_role_refs(db, a, role, jh_int(in, "org_id"), jh_int(in, "area_id"), false, f);
    if ((r = fail_fields(f)) != RC_OK) return r;
    bool disabled = jh_bool(in, "disabled", false);
    if (disabled && id == a->user_id) {
        fail_field(f, "disabled", "self", NULL);
        return fail_fields(f);
    }
    uint8_t sealed[64 + CRYPTO_SEAL_OVERHEAD];
    int sn;
    if ((r = seal_phone(jh_str(in, "phone"), sealed, &sn, f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f,
               "UPDATE users SET display_name = ?, org_id = ?, area_id = ?, disabled = ?,"
               " version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
               "tiIii", jh_str(in, "display_name"), jh_int(in, "org_id"), jh_int(in, "area_id"), (int64_t)disabled, id);
    /* The phone changes only when the member is sent (lists show it masked, so forms omit it);
     * null or "" clears it. */
    if (r == RC_OK && jh_has(in, "phone"))
        r = db_run(db, f, "UPDATE users SET phone_sealed = ? WHERE id = ?", "bi", sn ? (const void *)sealed : NULL, sn, id);
    if (r == RC_OK && disabled) r = db_run(db, f, "DELETE FROM sessions WHERE user_id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "update", "user", id, "ok", json_pack("{s:b}", "disabled", disabled));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc user_set_role(Db *db, const Actor *a, int64_t id, json_t *in, Fail *f) {
    static const JField fields[] = {
        {"role", JF_STR, true, 0, 0, role_names, NULL, NULL},
        {"area_id", JF_ID, false, 0, 0, NULL, NULL, NULL},
    };
    char old[16];
    int64_t version, org_id = 0;
    Rc r = load_user(db, a, id, old, &version, f);
    if (r != RC_OK) return r;
    if (id == a->user_id) return rc_fail(f, RC_FORBIDDEN, "nobody may change their own role");
    jh_validate(in, fields, 2, f);
    const char *role = jh_str(in, "role");
    db_int(db, NULL, &org_id, "SELECT org_id FROM users WHERE id = ?", "i", id);
    check_role_refs(db, a, role, org_id, jh_int(in, "area_id"), false, f);
    if ((r = fail_fields(f)) != RC_OK) return r;
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "UPDATE users SET role = ?, area_id = ?, version = version + 1,"
                      " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?",
               "tIi", role, jh_int(in, "area_id"), id);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM sessions WHERE user_id = ?", "i", id);
    if (r == RC_OK)
        r = audit_write(db, f, a, NULL, NULL, "role_change", "user", id, "ok",
                        json_pack("{s:s, s:s}", "from", old, "to", role));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc user_lock(Db *db, const Actor *a, int64_t id, bool lock, Fail *f) {
    char role[16];
    int64_t version;
    Rc r = load_user(db, a, id, role, &version, f);
    if (r != RC_OK) return r;
    if (lock && id == a->user_id) return rc_fail(f, RC_FORBIDDEN, "nobody may lock their own account");
    char username[40] = "";
    db_text(db, NULL, username, sizeof username, "SELECT username FROM users WHERE id = ?", "i", id);
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "UPDATE users SET locked_until = ?, version = version + 1 WHERE id = ?", "ii",
               lock ? (int64_t)LOCK_FOREVER : (int64_t)0, id);
    if (r == RC_OK && lock) r = db_run(db, f, "DELETE FROM sessions WHERE user_id = ?", "i", id);
    if (r == RC_OK && !lock)
        r = db_run(db, f, "INSERT INTO login_attempts(username, ip, at, ok) VALUES (?, ?, ?, 2)", "tti", username,
                   a->ip, time_now());
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, lock ? "lock" : "unlock", "user", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc user_reset_password(Db *db, const Actor *a, int64_t id, char new_pw[15], Fail *f) {
    char role[16];
    int64_t version;
    Rc r = load_user(db, a, id, role, &version, f);
    if (r != RC_OK) return r;
    if (is_privileged(role) && !(a->caps & CAP_USER_ROLE))
        return rc_fail(f, RC_FORBIDDEN, "accounts of the role %s are managed by the security administrator", role);
    crypto_gen_password(new_pw);
    char hash[CRYPTO_PWHASH_LEN];
    if (!crypto_pw_hash(new_pw, hash)) return rc_fail(f, RC_UNAVAILABLE, "cannot hash the password (memory)");
    if ((r = db_begin(db, f)) != RC_OK) return r;
    r = db_run(db, f, "UPDATE users SET pw_hash = ?, must_change_password = 1, version = version + 1 WHERE id = ?",
               "ti", hash, id);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM sessions WHERE user_id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "password_reset", "user", id, "ok", NULL);
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc user_phone(Db *db, const Actor *a, int64_t id, char out[64], Fail *f) {
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT u.phone_sealed FROM users u JOIN orgs o ON o.id = u.org_id WHERE "
                            SCOPE_ORG("o") " AND u.id = ?",
                            SCOPE_FMT "i", SCOPE_ARGS(a), id);
    if (!st) return f->rc;
    int rc = sqlite3_step(st);
    out[0] = 0;
    bool have = false, ok = true;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
        int n = sqlite3_column_bytes(st, 0);
        have = true;
        ok = n > CRYPTO_SEAL_OVERHEAD && n - CRYPTO_SEAL_OVERHEAD < 64 &&
             crypto_open(sqlite3_column_blob(st, 0), (size_t)n, out);
    }
    db_done(st);
    if (rc == SQLITE_DONE) return rc_fail(f, RC_NOT_FOUND, "user %lld not found", (long long)id);
    if (rc != SQLITE_ROW) return db_fail(db, f, rc, __FILE__, __LINE__);
    if (!ok) return rc_fail(f, RC_INTERNAL, "the phone number cannot be decrypted with this key");
    Rc r = audit_write(db, f, a, NULL, NULL, "pii_read", "user", id, "ok", json_pack("{s:s, s:b}", "field", "phone", "present", have));
    return r;
}

Rc user_set_password(Db *db, const Actor *a, const char *username, const char *password, bool must_change, Fail *f) {
    if (!val_password_policy(password)) {
        fail_field(f, "password", "password_policy", NULL);
        return fail_fields(f);
    }
    int64_t id;
    if (db_int(db, f, &id, "SELECT id FROM users WHERE username = ?", "t", username) != RC_OK)
        return rc_fail(f, RC_NOT_FOUND, "no user %s", username);
    char hash[CRYPTO_PWHASH_LEN];
    if (!crypto_pw_hash(password, hash)) return rc_fail(f, RC_UNAVAILABLE, "cannot hash the password (memory)");
    Rc r = db_begin(db, f);
    if (r != RC_OK) return r;
    r = db_run(db, f, "UPDATE users SET pw_hash = ?, must_change_password = ?, version = version + 1 WHERE id = ?",
               "tii", hash, (int64_t)must_change, id);
    if (r == RC_OK) r = db_run(db, f, "DELETE FROM sessions WHERE user_id = ?", "i", id);
    if (r == RC_OK) r = audit_write(db, f, a, NULL, NULL, "password_reset", "user", id, "ok", json_pack("{s:s}", "via", "cli"));
    if (r == RC_OK) r = db_commit(db, f);
    if (r != RC_OK) db_rollback(db);
    return r;
}

Rc user_print_all(Db *db, Fail *f) {
    sqlite3_stmt *st = db_q(db, f,
                            "SELECT u.username, u.role, o.name, u.display_name,"
                            " CASE WHEN u.locked_until > CAST(strftime('%s','now') AS INTEGER) THEN 'locked' ELSE '' END,"
                            " CASE WHEN u.must_change_password THEN 'must-change' ELSE '' END"
                            " FROM users u JOIN orgs o ON o.id = u.org_id ORDER BY u.role, u.username", NULL);
    if (!st) return f->rc;
    printf("%-16s %-11s %-8s %-12s %s\n", "USERNAME", "ROLE", "STATE", "", "ORGANISATION / NAME");
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("%-16s %-11s %-8s %-12s %s / %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
               sqlite3_column_text(st, 4), sqlite3_column_text(st, 5), sqlite3_column_text(st, 2),
               sqlite3_column_text(st, 3));
    db_done(st);
    return RC_OK;
}
