/*
 * sqlfn.h — application SQL functions registered on every connection:
 *   phone_masked(sealed BLOB) → '138****5678' (NULL for NULL), decrypting with the field key.
 */
#ifndef SANQU_STORE_SQLFN_H
#define SANQU_STORE_SQLFN_H

#include <sqlite3.h>

int sqlfn_register(sqlite3 *h);

#endif
