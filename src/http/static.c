/*
 * static.c — see static.h.
 */
#include "http/static.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext;
    const char *type;
} mime_types[] = {
    {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
    {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
    {".jpg", "image/jpeg"}, {".ico", "image/x-icon"}, {".woff2", "font/woff2"},
    {".woff", "font/woff"}, {".ttf", "font/ttf"}, {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"}, {".webp", "image/webp"},
};

static const char *mime_of(const char *path) {
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return "application/octet-stream";
    for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
        if (strcmp(dot, mime_types[i].ext) == 0) return mime_types[i].type;
    return "application/octet-stream";
}

static struct MHD_Response *text_response(const char *msg, int status, int *out_status) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
    if (resp) MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    *out_status = status;
    return resp;
}

/* True when every segment is a plain name: no "..", no ".", no hidden files, no backslashes. */
static bool path_safe(const char *path) {
    if (path[0] != '/' || strchr(path, '\\') || strstr(path, "//")) return false;
    for (const char *p = path; *p; p++) {
        if (*p == '/' && p[1] == '.') return false;
        if ((unsigned char)*p < 0x20) return false;
    }
    return true;
}

static struct MHD_Response *file_response(const char *root_real, const char *full, int *status,
                                          bool *missing) {
    char real[PATH_MAX];
    *missing = false;
    if (!realpath(full, real)) { *missing = true; return NULL; }
    size_t rl = strlen(root_real);
    if (strncmp(real, root_real, rl) != 0 || (real[rl] != '/' && real[rl] != 0)) { *missing = true; return NULL; }
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { *missing = true; return NULL; }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) { close(fd); *missing = true; return NULL; }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!resp) { close(fd); return NULL; }
    MHD_add_response_header(resp, "Content-Type", mime_of(real));
    if (strstr(real + rl, "/assets/"))
        MHD_add_response_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
    else
        MHD_add_response_header(resp, "Cache-Control", "no-cache");
    *status = 200;
    return resp;
}

struct MHD_Response *static_response(const char *root, const char *path, int *status) {
    char root_real[PATH_MAX];
    if (!realpath(root, root_real))
        return text_response("The web UI is not built: run `make` (or pass --web-root).\n", 503, status);
    if (!path_safe(path)) return text_response("Not found\n", 404, status);
    char full[PATH_MAX + 1100];
    bool missing;
    if (strcmp(path, "/") != 0 && strlen(root_real) + strlen(path) < sizeof full) {
        size_t rl = strlen(root_real);
        memcpy(full, root_real, rl);
        memcpy(full + rl, path, strlen(path) + 1);
        struct MHD_Response *resp = file_response(root_real, full, status, &missing);
        if (resp || !missing) return resp;
    }
    /* A missing file with an extension is a real 404; a route path gets the app. (Also for a path
     * too long to try, which used to get index.html: found by tests/fuzz/fuzz_static.) */
    const char *last = strrchr(path, '/');
    if (last && strchr(last, '.')) return text_response("Not found\n", 404, status);
    if (strlen(root_real) + 12 > sizeof full) return text_response("Not found\n", 404, status);
    memcpy(full, root_real, strlen(root_real));
    memcpy(full + strlen(root_real), "/index.html", 12);
    struct MHD_Response *resp = file_response(root_real, full, status, &missing);
    if (resp || !missing) return resp;
    return text_response("The web UI is not built: run `make` (or pass --web-root).\n", 503, status);
}
