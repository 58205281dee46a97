/*
 * blob.c — content-addressed file storage shared by dossier attachments and activity photos; see
 * blob.h.
 */
#include "core/blob.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The types accepted, recognised by their first bytes (the declared type must agree). */
static const struct {
    const char *mime;
    const char *magic;
    size_t n;
} file_types[] = {
    {"image/png", "\x89PNG\r\n\x1a\n", 8},
    {"image/jpeg", "\xff\xd8\xff", 3},
    {"application/pdf", "%PDF-", 5},
    {"image/gif", "GIF8", 4},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04", 4},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04", 4},
};

json_t *blob_types_json(void) {
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof file_types / sizeof file_types[0]; i++) json_array_append_new(a, json_string(file_types[i].mime));
    return a;
}

bool blob_type_ok(const char *mime, const void *data, size_t len) {
    for (size_t i = 0; i < sizeof file_types / sizeof file_types[0]; i++)
        if (strcmp(mime, file_types[i].mime) == 0)
            return len >= file_types[i].n && memcmp(data, file_types[i].magic, file_types[i].n) == 0;
    return false;
}

/* Stores the bytes under dir/ab/abcdef… (SHA-256), once: write to a temporary file, flush, rename,
 * flush the directory. */
Rc blob_store(const char *dir, const char *hex, const void *data, size_t len, Fail *f) {
    char sub[700], path[800], tmp[820];
    snprintf(sub, sizeof sub, "%s/%.2s", dir, hex);
    snprintf(path, sizeof path, "%s/%s", sub, hex);
    if (access(path, F_OK) == 0) return RC_OK; /* content-addressed: already there */
    mkdir(dir, 0750);
    mkdir(sub, 0750);
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)pthread_self() % 100000);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return rc_fail(f, RC_UNAVAILABLE, "cannot store the file");
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
    }
    bool ok = left == 0 && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return rc_fail(f, RC_UNAVAILABLE, "cannot store the file (disk full?)");
    }
    int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return RC_OK;
}

