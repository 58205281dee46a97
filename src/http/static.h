/*
 * static.h — serving the built web UI from a directory: safe path resolution (no "..", no hidden
 * files, nothing outside the root after symlinks), content types, cache headers, and the
 * history-mode fallback (an unknown path without an extension answers index.html).
 */
#ifndef SANQU_HTTP_STATIC_H
#define SANQU_HTTP_STATIC_H

struct MHD_Response;

/* Builds the response for path under root; *status receives the HTTP status. Never NULL unless
 * out of memory. The caller queues and destroys it. */
struct MHD_Response *static_response(const char *root, const char *path, int *status);

#endif
