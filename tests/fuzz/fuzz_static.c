/*
 * fuzz_static.c — libFuzzer target for the static-file resolver, static_response (src/http/static.c).
 *
 * The input is a request path as libmicrohttpd hands it over (already percent-decoded; it ends at
 * the first NUL byte). A temporary web root holds a few files and, around it, things that must never
 * be served: a directory outside the root, a sibling whose name starts with the root's name, a
 * hidden file, and symlinks inside the root pointing out of it (relative and absolute).
 *
 * The link is made with --wrap=MHD_create_response_from_fd, so every file the resolver decides to
 * serve passes through wrap_create_response_from_fd below, which checks through /proc/self/fd that
 * the open file lies inside the root and is not hidden. Properties checked on every input:
 *   - the status is 200 or 404 (index.html exists, so never 503), and 200 exactly when a file is
 *     served;
 *   - a path with "..", ".", a hidden segment, "//", a backslash or a control character is 404;
 *   - a safe path whose last segment has no extension is 200 (the file, or index.html for the
 *     single-page app's history routing);
 *   - a 200 for a path with an extension serves exactly the file the path names (after symlinks);
 *   - the served file descriptor is closed when the response is destroyed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "http/static.h"

static char g_dir[256];          /* the temporary directory */
static char g_root[PATH_MAX];    /* the web root, real path */
static int g_served_fd = -1;     /* fd of the last response made from a file, -1 when none */
static char g_served[PATH_MAX];  /* its real path */

struct MHD_Response *__real_MHD_create_response_from_fd(uint64_t size, int fd);
struct MHD_Response *__wrap_MHD_create_response_from_fd(uint64_t size, int fd);

/* Every response made from a file comes through here (see the link arguments in meson.build). */
struct MHD_Response *__wrap_MHD_create_response_from_fd(uint64_t size, int fd) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, g_served, sizeof g_served - 1);
    REQUIRE(n > 0);
    g_served[n] = 0;
    size_t rl = strlen(g_root);
    if (strncmp(g_served, g_root, rl) != 0 || g_served[rl] != '/') {
        fprintf(stderr, "served a file outside the web root: %s\n", g_served);
        abort();
    }
    if (strstr(g_served + rl, "/.")) {
        fprintf(stderr, "served a hidden file: %s\n", g_served);
        abort();
    }
    struct stat st;
    REQUIRE(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size);
    g_served_fd = fd;
    return __real_MHD_create_response_from_fd(size, fd);
}

/* Writes text to the file dir/name, aborting on failure. */
static void put_file(const char *name, const char *text) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    FILE *f = fopen(p, "w");
    REQUIRE(f != NULL);
    fputs(text, f);
    REQUIRE(fclose(f) == 0);
}

static void make_dir(const char *name) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    REQUIRE(mkdir(p, 0700) == 0);
}

static void make_link(const char *target, const char *name) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    REQUIRE(symlink(target, p) == 0);
}

/* Removes the temporary tree (it is small and made by us: names are known). */
static void cleanup(void) {
    static const char *const names[] = {
        "web/index.html", "web/favicon.ico", "web/assets/app.js", "web/assets/app.css",
        "web/assets/.cache", "web/.env", "web/sub/page.txt", "web/sub/deeper/x.json",
        "web/out", "web/leak.txt", "web/abs", "web/px", "web/inner.js", "web/sub/up.txt",
        "outside/secret.txt", "webx/secret.txt", "web/dir.js", "web/sub/deeper",
        "web/assets", "web/sub", "web", "outside", "webx"};
    char p[PATH_MAX];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", g_dir, names[i]);
        if (unlink(p) != 0) rmdir(p);
    }
    rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Builds the web root and its surroundings. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/sanqu-fuzz-static-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    REQUIRE(mkdtemp(g_dir) != NULL);
    atexit(cleanup);
    make_dir("web");
    make_dir("web/assets");
    make_dir("web/sub");
    make_dir("web/sub/deeper");
    make_dir("web/dir.js");
    make_dir("outside");
    make_dir("webx");
    put_file("web/index.html", "<!doctype html><title>sanqu</title>\n");
    put_file("web/favicon.ico", "ico");
    put_file("web/assets/app.js", "console.log(1)\n");
    put_file("web/assets/app.css", "body{}\n");
    put_file("web/assets/.cache", "hidden\n");
    put_file("web/.env", "SECRET=1\n");
    put_file("web/sub/page.txt", "page\n");
    put_file("web/sub/deeper/x.json", "{}\n");
    put_file("outside/secret.txt", "secret outside the root\n");
    put_file("webx/secret.txt", "secret in a sibling\n");
    make_link("../outside", "web/out");
    make_link("../outside/secret.txt", "web/leak.txt");
    char abs[PATH_MAX];
    snprintf(abs, sizeof abs, "%s/outside", g_dir);
    make_link(abs, "web/abs");
    make_link("../webx", "web/px");
    make_link("assets/app.js", "web/inner.js");
    make_link("../../outside/secret.txt", "web/sub/up.txt");
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s/web", g_dir);
    REQUIRE(realpath(root, g_root) != NULL);
    return 0;
}

/* The properties of path_safe in static.c, restated: every segment a plain, visible name. */
static bool path_plain(const char *p) {
    if (p[0] != '/' || strchr(p, '\\') || strstr(p, "//") || strstr(p, "/.")) return false;
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c < 0x20) return false;
    return true;
}

/* One fuzz iteration. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *path = malloc(size + 1);
    REQUIRE(path != NULL);
    memcpy(path, data, size);
    path[size] = 0;

    g_served_fd = -1;
    int status = -1;
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s/web", g_dir);
    struct MHD_Response *resp = static_response(root, path, &status);
    REQUIRE(resp != NULL);
    REQUIRE(status == 200 || status == 404);
    bool from_file = g_served_fd >= 0;
    REQUIRE((status == 200) == from_file);

    bool plain = path_plain(path);
    if (!plain) REQUIRE(status == 404);
    const char *last = strrchr(path, '/');
    bool has_ext = last && strchr(last, '.');
    if (plain && !has_ext) REQUIRE(status == 200);
    if (status == 200 && has_ext) {
        /* Exactly the file named, never index.html in its place. */
        char full[PATH_MAX * 2], want[PATH_MAX];
        snprintf(full, sizeof full, "%s%s", g_root, path);
        if (!realpath(full, want) || strcmp(want, g_served) != 0) {
            fprintf(stderr, "a %zu-byte path with an extension served %s\n", strlen(path), g_served);
            abort();
        }
    }

    MHD_destroy_response(resp);
    if (from_file) REQUIRE(fcntl(g_served_fd, F_GETFD) == -1 && errno == EBADF);
    free(path);
    return 0;
}
