/*
 * crypto.c — see crypto.h. Argon2id uses libsodium's interactive limits (64 MiB, 2 passes),
 * unless SANQU_PWHASH_MIN=1 is set in the environment (test suites that create many accounts);
 * the hash string records its own parameters, so verification works either way.
 */
#include "util/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint8_t field_key[CRYPTO_KEY_LEN];
static bool field_key_loaded;
static unsigned long long pw_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t pw_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;

bool crypto_init(void) {
    if (sodium_init() < 0) return false;
    const char *min = getenv("SANQU_PWHASH_MIN");
    if (min && strcmp(min, "1") == 0) {
        pw_ops = crypto_pwhash_OPSLIMIT_MIN;
        pw_mem = crypto_pwhash_MEMLIMIT_MIN;
    }
    return true;
}

void crypto_token(char out[CRYPTO_TOKEN_LEN + 1]) {
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, CRYPTO_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void crypto_digest(const char *token, uint8_t out[CRYPTO_DIGEST_LEN]) {
    crypto_generichash(out, CRYPTO_DIGEST_LEN, (const uint8_t *)token, strlen(token), NULL, 0);
}

bool crypto_pw_hash(const char *password, char out[CRYPTO_PWHASH_LEN]) {
    return crypto_pwhash_str_alg(out, password, strlen(password), pw_ops, pw_mem,
                                 crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool crypto_pw_verify(const char *hash, const char *password) {
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool crypto_str_eq(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return false;
    return sodium_memcmp(a, b, la) == 0;
}

void crypto_gen_password(char out[15]) {
    /* Each group guarantees one class; the rest come from the whole set. */
    static const char lower[] = "abcdefghijkmnpqrstuvwxyz";
    static const char upper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    static const char digit[] = "23456789";
    static const char other[] = "#%+-=@";
    static const char all[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789#%+-=@";
    out[0] = upper[randombytes_uniform(sizeof upper - 1)];
    out[1] = lower[randombytes_uniform(sizeof lower - 1)];
    out[2] = digit[randombytes_uniform(sizeof digit - 1)];
    out[3] = other[randombytes_uniform(sizeof other - 1)];
    for (int i = 4; i < 14; i++) out[i] = all[randombytes_uniform(sizeof all - 1)];
    /* Shuffle so the class positions are not fixed. */
    for (int i = 13; i > 0; i--) {
        uint32_t j = randombytes_uniform((uint32_t)i + 1);
        char t = out[i]; out[i] = out[j]; out[j] = t;
    }
    out[14] = 0;
}

bool crypto_load_key(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, field_key, sizeof field_key);
        close(fd);
        if (n != (ssize_t)sizeof field_key) return false;
        field_key_loaded = true;
        return true;
    }
    if (errno != ENOENT) return false;
    crypto_secretbox_keygen(field_key);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    ssize_t n = write(fd, field_key, sizeof field_key);
    int ok = n == (ssize_t)sizeof field_key && fsync(fd) == 0;
    close(fd);
    field_key_loaded = ok;
    return ok;
}

bool crypto_has_key(void) { return field_key_loaded; }

bool crypto_seal(const void *plain, size_t n, uint8_t *out) {
    if (!field_key_loaded) return false;
    randombytes_buf(out, crypto_secretbox_NONCEBYTES);
    return crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, n, out, field_key) == 0;
}

bool crypto_open(const uint8_t *sealed, size_t n, char *out) {
    if (!field_key_loaded || n < CRYPTO_SEAL_OVERHEAD) return false;
    if (crypto_secretbox_open_easy((uint8_t *)out, sealed + crypto_secretbox_NONCEBYTES,
                                   n - crypto_secretbox_NONCEBYTES, sealed, field_key) != 0)
        return false;
    out[n - CRYPTO_SEAL_OVERHEAD] = 0;
    return true;
}

void crypto_sha256(const void *data, size_t n, uint8_t out[32]) {
    crypto_hash_sha256(out, (const unsigned char *)data, n);
}

void crypto_hex(const uint8_t *bytes, size_t n, char *out) {
    sodium_bin2hex(out, n * 2 + 1, bytes, n);
}
