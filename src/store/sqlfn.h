/*
 * sqlfn.h — application SQL functions registered on every connection:
 *   phone_masked(sealed BLOB) → '138****5678' (NULL for NULL), decrypting with the field key.
 *   dossier_type_public(type TEXT) → 1 when every reader of dossiers sees dossiers of that type
 *     (a declaration with "visible": "district", such as published projects), else 0; the answer
 *     comes from the function given to sqlfn_set_type_public (core/dtype.c), 0 before it is set.
 */
#ifndef SANQU_STORE_SQLFN_H
#define SANQU_STORE_SQLFN_H

#include <sqlite3.h>

int sqlfn_register(sqlite3 *h);
void sqlfn_set_type_public(int (*fn)(const char *type));

#endif
