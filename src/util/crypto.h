/*
 * crypto.h — the project's only door to libsodium: random tokens, token digests, argon2id password
 * hashes, constant-time comparison and sealed (encrypted) personal-data fields.
 */
#ifndef SANQU_UTIL_CRYPTO_H
#define SANQU_UTIL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CRYPTO_TOKEN_LEN = 43,    /* base64url (no padding) of 32 random bytes */
    CRYPTO_DIGEST_LEN = 32,   /* BLAKE2b-256 digest of a token */
    CRYPTO_PWHASH_LEN = 128,  /* crypto_pwhash_STRBYTES */
    CRYPTO_KEY_LEN = 32,      /* secretbox key */
    CRYPTO_SEAL_OVERHEAD = 40 /* nonce (24) + MAC (16) */
};

/* Initialises libsodium; returns false if it cannot. Call once at start-up. */
bool crypto_init(void);
/* Writes a fresh random token (43 characters + NUL) into out[44]. */
void crypto_token(char out[CRYPTO_TOKEN_LEN + 1]);
/* Digest of a token for storage (sessions are looked up by digest, never by the token itself). */
void crypto_digest(const char *token, uint8_t out[CRYPTO_DIGEST_LEN]);
/* argon2id hash (interactive limits) of password into out[128]; false on failure (memory). */
bool crypto_pw_hash(const char *password, char out[CRYPTO_PWHASH_LEN]);
/* True when password matches the stored hash. */
bool crypto_pw_verify(const char *hash, const char *password);
/* Constant-time equality of two strings (false when lengths differ). */
bool crypto_str_eq(const char *a, const char *b);
/* Generates a password that meets the policy: 14 characters from a set without look-alikes. */
void crypto_gen_password(char out[15]);
/* Loads the field key from path, creating it (mode 0600) when absent. False on I/O error. */
bool crypto_load_key(const char *path);
/* True once a field key is loaded. */
bool crypto_has_key(void);
/* Seals n bytes of plaintext into out (n + CRYPTO_SEAL_OVERHEAD bytes). False without a key. */
bool crypto_seal(const void *plain, size_t n, uint8_t *out);
/* Opens a sealed value of n bytes into out (n - CRYPTO_SEAL_OVERHEAD bytes, NUL added, so out must
 * have n - CRYPTO_SEAL_OVERHEAD + 1 bytes). False when it does not authenticate. */
bool crypto_open(const uint8_t *sealed, size_t n, char *out);

/* SHA-256 of n bytes into out[32]. */
void crypto_sha256(const void *data, size_t n, uint8_t out[32]);
/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void crypto_hex(const uint8_t *bytes, size_t n, char *out);

#endif
