/*
 * blob.h — files stored once by their SHA-256 under a folder (dir/ab/abcdef…), written to a
 * temporary file, flushed and renamed so that a stored file is always whole.
 */
#ifndef SANQU_CORE_BLOB_H
#define SANQU_CORE_BLOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/rc.h"

/* True when mime is an accepted type (png, jpeg, gif, pdf, docx, xlsx) and the bytes start with
 * that type's signature. */
bool blob_type_ok(const char *mime, const void *data, size_t len);
/* The accepted types as a JSON array of strings (new reference). */
json_t *blob_types_json(void);
/* Stores len bytes at data under dir by their hex SHA-256 (64 characters), once. */
Rc blob_store(const char *dir, const char *hex, const void *data, size_t len, Fail *f);

#endif
