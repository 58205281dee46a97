/*
 * user.h — accounts: listing and reading (phones masked), creation with a one-time password,
 * updates, role changes (secadmin), locks (secadmin), password resets (admin) and the audited
 * reveal of a phone number (pii.read). The 三员 roles (admin, secadmin, auditor) are given only by
 * secadmin or the CLI, never by admin.
 */
#ifndef SANQU_CORE_USER_H
#define SANQU_CORE_USER_H

#include <jansson.h>

#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

/* The login / GET /me answer for the actor. */
Rc user_me(Db *db, const Actor *a, Buf *out, Fail *f);

typedef struct UserFilter {
    const char *role;
    int64_t org_id;   /* -1 any */
    const char *q;
    int locked;       /* -1 any, 0, 1 */
} UserFilter;

Rc user_list(Db *db, const Actor *a, const UserFilter *flt, int page, int page_size, Buf *out, Fail *f);
Rc user_get(Db *db, const Actor *a, int64_t id, Buf *out, Fail *f);
/* Creates an account. When no password is given one is generated and written to initial_pw (15
 * bytes) and the user must change it at first login; otherwise initial_pw[0] = 0. */
Rc user_create(Db *db, const Actor *a, json_t *in, int64_t *id, char initial_pw[15], Fail *f);
Rc user_update(Db *db, const Actor *a, int64_t id, json_t *in, int64_t if_version, Fail *f);
Rc user_set_role(Db *db, const Actor *a, int64_t id, json_t *in, Fail *f);
Rc user_lock(Db *db, const Actor *a, int64_t id, bool lock, Fail *f);
Rc user_reset_password(Db *db, const Actor *a, int64_t id, char new_pw[15], Fail *f);
/* Writes the full phone number into out (64 bytes) and audits the read. */
Rc user_phone(Db *db, const Actor *a, int64_t id, char out[64], Fail *f);
/* Sets a password directly (CLI `user passwd`): policy-checked, clears must_change. */
Rc user_set_password(Db *db, const Actor *a, const char *username, const char *password, bool must_change, Fail *f);
/* Prints the account list for the CLI. */
Rc user_print_all(Db *db, Fail *f);

#endif
