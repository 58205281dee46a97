/*
 * sqlfn.c — see sqlfn.h.
 */
#include "store/sqlfn.h"

#include "util/crypto.h"
#include "util/validate.h"

static void phone_masked(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
        sqlite3_result_null(ctx);
        return;
    }
    int n = sqlite3_value_bytes(argv[0]);
    const unsigned char *b = sqlite3_value_blob(argv[0]);
    char plain[128], masked[128];
    if (n <= CRYPTO_SEAL_OVERHEAD || n - CRYPTO_SEAL_OVERHEAD >= (int)sizeof plain ||
        !crypto_open(b, (size_t)n, plain)) {
        sqlite3_result_text(ctx, "***", -1, SQLITE_STATIC);
        return;
    }
    val_mask_phone(plain, masked, sizeof masked);
    sqlite3_result_text(ctx, masked, -1, SQLITE_TRANSIENT);
}

static int (*type_public_fn)(const char *type);

void sqlfn_set_type_public(int (*fn)(const char *type)) { __atomic_store_n(&type_public_fn, fn, __ATOMIC_RELEASE); }

static void dossier_type_public(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    int (*fn)(const char *) = __atomic_load_n(&type_public_fn, __ATOMIC_ACQUIRE);
    const unsigned char *t = sqlite3_value_text(argv[0]);
    sqlite3_result_int(ctx, fn && t ? fn((const char *)t) : 0);
}

int sqlfn_register(sqlite3 *h) {
    int rc = sqlite3_create_function(h, "phone_masked", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, phone_masked, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(h, "dossier_type_public", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, dossier_type_public,
                                     NULL, NULL);
    return rc;
}
