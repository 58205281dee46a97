/*
 * server.c — see server.h.
 *
 * libmicrohttpd calls the access handler several times per request: first with the headers (we
 * allocate the Req and return MHD_YES — queueing a response on this first call would make MHD
 * close the keep-alive connection, see PERFORMANCE-NOTES.md), then once per chunk of body, then a
 * final time with no data, when we dispatch and queue the answer.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "http/router.h"
#include "http/static.h"
#include "store/fts.h"
#include "util/jsonh.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/validate.h"

static const ServerConfig *g_cfg;
/* Reader connections: a pool filled when the server starts, one per worker. A worker borrows one
 * for each call of the access handler and gives it back at the end of the call. The pool is a
 * queue (first in, first out): every connection takes its turn, so all of them reach their
 * steady size (page cache, prepared statements) during the first minutes of load instead of one
 * after another over hours. The 10-minute soak saw open files drift 102 → 125 while connections
 * of workers first used late were opened, and resident memory grow 36 → 54 MB with a stack that
 * kept the deep connections cold until load peaked again. */
static pthread_mutex_t pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static Db **pool;
static int pool_head, pool_n, pool_cap;
static int pool_opened; /* connections opened for the pool by pool_fill (under pool_mutex) */
static _Thread_local Db *held;
static atomic_int in_flight;  /* requests taken before the stop began and not yet completed */
static atomic_bool stopping;  /* the stop has begun: new requests are answered 503 */

static const char CSP[] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'";

void server_config_defaults(ServerConfig *cfg) {
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->db_path, sizeof cfg->db_path, "data/sanqu.db");
    snprintf(cfg->web_root, sizeof cfg->web_root, "%s", SANQU_WEB_ROOT_DEFAULT);
    snprintf(cfg->listen, sizeof cfg->listen, "127.0.0.1:8080");
    /* Two workers per core (at most 64). A write does not keep its worker while the disk works:
     * its connection is suspended until the write is durable (db_hold_end), and its handler runs
     * on the write thread, so that few workers serve many writers (the appends below were
     * measured before the write thread). More workers only make runnable threads share the
     * cores and lengthen the tail: on two cores, search p99 13 ms with 2 workers, 19–25 ms with 4, 26–29 ms with 8,
     * 29–36 ms with 32; appends 3.1k/s with 2, 3.3–3.6k/s with 4, 4.0k/s with 8, 2.9k/s with 32
     * (docs/performance.md). A request that computes long (a login's password hash, a large
     * export) delays the other connections of its worker: --threads raises the count. */
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = n > 0 && n < 32 ? (int)n * 2 : 64;
    cfg->max_body = 1u << 20;
    cfg->max_upload = 10u << 20;
    cfg->conn_timeout = 30;
    auth_config_defaults(&cfg->auth);
}

/* Opens a reader connection and reads from it once, so that its files (database, WAL) are open
 * from now on rather than at its first request. */
static Db *reader_open(void) {
    char err[512];
    Db *db = db_open(g_cfg->db_path, false, err, sizeof err);
    if (!db) {
        log_error("%s", err);
        return NULL;
    }
    sqlite3_exec(db_handle(db), "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    return db;
}

Db *server_db(void) {
    if (held) return held;
    pthread_mutex_lock(&pool_mutex);
    Db *db = NULL;
    if (pool_n > 0) {
        db = pool[pool_head];
        pool_head = (pool_head + 1) % pool_cap;
        pool_n--;
    }
    pthread_mutex_unlock(&pool_mutex);
    held = db ? db : reader_open();
    return held;
}

/* Puts a connection at the end of the queue, or closes it when the pool is full. */
static void pool_put(Db *db) {
    pthread_mutex_lock(&pool_mutex);
    bool kept = pool_n < pool_cap;
    if (kept) pool[(pool_head + pool_n++) % pool_cap] = db;
    pthread_mutex_unlock(&pool_mutex);
    if (!kept) db_close(db);
}

/* Gives the calling thread's connection back to the pool. */
static void server_db_release(void) {
    if (!held) return;
    pool_put(held);
    held = NULL;
}

/* Fills the pool up to its size: started once the server listens, so that opening a connection
 * per worker (about 1.7 ms each: the schema is read) does not delay readiness. A worker that
 * finds the pool empty meanwhile opens its own, which joins the pool when it is given back. */
static void *pool_fill(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&pool_mutex);
        bool full = pool_n >= pool_cap || pool_opened >= pool_cap;
        if (!full) pool_opened++;
        pthread_mutex_unlock(&pool_mutex);
        if (full) return NULL;
        Db *db = reader_open();
        if (!db) return NULL;
        pool_put(db);
    }
}

/* Opens the first connection (the database must open for the server to start). */
static bool pool_open(int n) {
    pool = calloc((size_t)n, sizeof *pool);
    if (!pool) return false;
    pool_cap = n;
    Db *db = reader_open();
    if (!db) return false;
    pool_put(db);
    pool_opened = 1;
    return true;
}

static void pool_close(void) {
    for (int i = 0; i < pool_n; i++) db_close(pool[(pool_head + i) % pool_cap]);
    free(pool);
    pool = NULL;
    pool_head = pool_n = pool_cap = pool_opened = 0;
}

/* Copies s into out (outsz >= 4 bytes) as valid UTF-8: a byte that does not start a well-formed
 * sequence becomes U+FFFD. The path, and the detail that may quote it or be cut inside a character
 * at its last byte, come from the client; jansson refuses invalid UTF-8 and the problem would be
 * lost (found by tests/fuzz/fuzz_request). */
static void utf8_scrub(const char *s, char *out, size_t outsz) {
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    while (*p && o + 4 < outsz) {
        size_t len = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        if (strnlen((const char *)p, len) == len && val_utf8((const char *)p, len)) {
            memcpy(out + o, p, len);
            o += len;
            p += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            p++;
        }
    }
    out[o] = 0;
}

void server_render_problem(Req *r) {
    Fail *f = &r->fail;
    if (f->rc == RC_OK) f->rc = RC_INTERNAL;
    char detail[3 * sizeof f->detail + 4], instance[3 * sizeof r->path + 4];
    utf8_scrub(f->detail[0] ? f->detail : rc_title(f->rc), detail, sizeof detail);
    utf8_scrub(r->path, instance, sizeof instance);
    json_t *p = json_pack("{s:s+, s:s, s:i, s:s}", "type", "urn:sanqu:problem:", rc_slug(f->rc), "title",
                          rc_title(f->rc), "status", rc_status(f->rc), "detail", detail);
    if (p && f->errors) json_object_set(p, "errors", f->errors);
    if (p && f->extra) json_object_update(p, f->extra);
    if (p) json_object_set_new(p, "instance", json_string(instance));
    char *s = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    buf_reset(&r->out);
    if (s) buf_puts(&r->out, s);
    else buf_puts(&r->out, "{\"type\":\"urn:sanqu:problem:internal\",\"status\":500}");
    free(s);
    r->status = rc_status(f->rc);
    r->ctype = "application/problem+json";
    if (f->rc == RC_INTERNAL || f->rc == RC_UNAVAILABLE)
        log_msg(LOG_WARN, f->file ? f->file : "?", f->line, "%s %s: %s", r->method, r->path, f->detail);
}

static bool ctype_is(const char *ct, const char *want) {
    if (!ct) return false;
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n) != 0) return false;
    return ct[n] == 0 || ct[n] == ';' || ct[n] == ' ';
}

/* Idempotency-Key: the first request with a key reserves it (a row with status 0) before its
 * handler runs; concurrent retries wait for that answer and replay it; a retry after a failure
 * (a non-2xx answer removes the reservation) runs again. A reservation left by a crash is taken
 * over after IDEM_STALE seconds. Returns 1 when this request should run, 0 when an answer
 * (replay or problem) has been set. */
enum { IDEM_STALE = 60, IDEM_WAIT_MS = 10000 };

static int idem_begin(Req *r, const char *key) {
    char route[1100];
    snprintf(route, sizeof route, "%s %s", r->method, r->path);
    for (int waited = 0; waited <= IDEM_WAIT_MS; waited += 20) {
        int64_t now = time_now();
        Fail g = {0};
        Rc rc = db_begin(r->db, &g);
        if (rc == RC_OK)
            rc = db_run(r->db, &g, "INSERT OR IGNORE INTO idempotency(user_id, key, route, status, body, created_at)"
                                   " VALUES (?, ?, ?, 0, '', ?)", "itti", r->actor.user_id, key, route, now);
        int inserted = rc == RC_OK && db_changes(r->db) == 1;
        if (rc == RC_OK) rc = db_commit(r->db, &g);
        fail_clear(&g);
        if (rc != RC_OK) {
            rc_fail(&r->fail, rc, "cannot record the Idempotency-Key");
            return 0;
        }
        if (inserted) return 1;
        sqlite3_stmt *st = db_q(r->db, &r->fail, "SELECT route, status, body, created_at FROM idempotency"
                                                 " WHERE user_id = ? AND key = ?", "it", r->actor.user_id, key);
        if (!st) return 0;
        int step = sqlite3_step(st);
        if (step != SQLITE_ROW) {
            db_done(st);
            continue; /* removed after a failure meanwhile: try to reserve again */
        }
        const char *was = (const char *)sqlite3_column_text(st, 0);
        int status = sqlite3_column_int(st, 1);
        int64_t created = sqlite3_column_int64(st, 3);
        if (strcmp(was, route) != 0) {
            rc_fail(&r->fail, RC_CONFLICT, "Idempotency-Key was already used for %s", was);
            db_done(st);
            return 0;
        }
        if (status != 0) {
            r->status = status;
            buf_reset(&r->out);
            buf_append(&r->out, sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2));
            r->ctype = "application/json";
            db_done(st);
            return 0;
        }
        db_done(st);
        if (now - created > IDEM_STALE) {
            Fail h = {0};
            db_run(r->db, &h, "UPDATE idempotency SET created_at = ? WHERE user_id = ? AND key = ? AND status = 0"
                              " AND created_at = ?", "iiti", now, r->actor.user_id, key, created);
            int took = db_changes(r->db) == 1;
            fail_clear(&h);
            if (took) return 1;
        }
        usleep(20 * 1000); /* the first request is still running */
    }
    rc_fail(&r->fail, RC_CONFLICT, "a request with this Idempotency-Key is still in progress");
    return 0;
}

/* Records the answer of a reserved key (2xx), or frees the key so that a retry runs again. */
static void idem_finish(Req *r, const char *key) {
    Fail g = {0};
    if (r->fail.rc == RC_OK && r->status >= 200 && r->status < 300)
        db_run(r->db, &g, "UPDATE idempotency SET status = ?, body = ? WHERE user_id = ? AND key = ?", "itit",
               (int64_t)r->status, buf_str(&r->out), r->actor.user_id, key);
    else
        db_run(r->db, &g, "DELETE FROM idempotency WHERE user_id = ? AND key = ? AND status = 0", "it",
               r->actor.user_id, key);
    fail_clear(&g);
}

/* The checks before a request's handler: route, session, CSRF, body, Idempotency-Key (kept in
 * r->idem). Returns false when they decided the answer (r->fail). */
static bool dispatch_prepare(Req *r) {
    bool path_known = false;
    r->route = router_match(routes, routes_count, r->method, r->path, r->params, &r->nparams,
                            r->parambuf, sizeof r->parambuf, &path_known, r->allow, sizeof r->allow);
    const Route *rt = r->route;
    Fail *f = &r->fail;
    if (!rt) {
        if (path_known) rc_fail(f, RC_METHOD, "%s is not allowed here; allowed: %s", r->method, r->allow);
        else rc_fail(f, RC_NOT_FOUND, "no route for %s", r->path);
        return false;
    }
    if (r->body_too_large) {
        rc_fail(f, RC_TOO_LARGE, "the body is larger than %zu bytes", r->body_limit);
        return false;
    }
    if (!r->db) {
        rc_fail(f, RC_UNAVAILABLE, "the database cannot be opened");
        return false;
    }
    /* Authentication. */
    if (!(rt->flags & R_PUBLIC)) {
        const char *tok = req_cookie(r, "sanqu_session");
        if (!tok) { rc_fail(f, RC_UNAUTHENTICATED, "sign in first"); return false; }
        snprintf(r->token, sizeof r->token, "%s", tok);
        char ip[64];
        snprintf(ip, sizeof ip, "%s", r->actor.ip);
        if (auth_session(r->db, &r->cfg->auth, tok, &r->actor, f) != RC_OK) {
            if (f->rc == RC_SESSION_EXPIRED || f->rc == RC_UNAUTHENTICATED)
                snprintf(r->cookie, sizeof r->cookie, "sanqu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                         r->cfg->secure_cookies ? "; Secure" : "");
            return false;
        }
        snprintf(r->actor.ip, sizeof r->actor.ip, "%s", ip);
        /* CSRF on every state-changing request. */
        bool changes = (rt->flags & R_WRITE) || (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0);
        if (changes && !(rt->flags & R_NO_CSRF)) {
            const char *t = req_header(r, "X-CSRF-Token");
            if (!t || !crypto_str_eq(t, r->actor.csrf)) {
                rc_fail(f, RC_CSRF, "send the session's csrf_token in the X-CSRF-Token header");
                return false;
            }
        }
        if (r->actor.must_change_pw && !(rt->flags & R_PWCHANGE)) {
            rc_fail(f, RC_PW_CHANGE, "change the generated password first (POST /api/v1/me/password)");
            return false;
        }
        if (rt->cap && !(r->actor.caps & rt->cap)) {
            rc_fail(f, RC_FORBIDDEN, "the role %s may not do this", r->actor.role);
            return false;
        }
    }
    /* Body: content type and parsing. */
    if (rt->flags & R_JSON) {
        const char *ct = req_header(r, "Content-Type");
        if (!ctype_is(ct, "application/json")) {
            rc_fail(f, RC_MEDIA_TYPE, "send the body as application/json");
            return false;
        }
        if (!val_utf8(buf_str(&r->body), r->body.len)) {
            rc_fail(f, RC_BAD_REQUEST, "the body is not valid UTF-8");
            return false;
        }
        r->json = jh_parse_object(buf_str(&r->body), r->body.len, f);
        if (!r->json) return false;
    } else if (rt->flags & R_UPLOAD) {
        if (r->body.len == 0) {
            rc_fail(f, RC_BAD_REQUEST, "send the file as the request body");
            return false;
        }
    } else if (rt->flags & R_CSV) {
        const char *ct = req_header(r, "Content-Type");
        if (!ctype_is(ct, "text/csv")) {
            rc_fail(f, RC_MEDIA_TYPE, "send the body as text/csv");
            return false;
        }
    }
    r->idem = NULL;
    /* Answers holding a one-time password are never stored: such a POST simply runs again. */
    if (strcmp(r->method, "POST") == 0 && r->actor.user_id && !(rt->flags & R_SECRET)) {
        const char *idem = req_header(r, "Idempotency-Key");
        if (idem && (strlen(idem) == 0 || strlen(idem) > 200)) {
            fail_field(f, "Idempotency-Key", "max_length", json_pack("{s:i}", "max", 200));
            fail_fields(f);
            return false;
        }
        r->idem = idem;
    }
    return true;
}

/* The handler of a prepared request, with its Idempotency-Key. */
static void dispatch_run(Req *r) {
    const Route *rt = r->route;
    Fail *f = &r->fail;
    const char *idem = r->idem;
    if (idem && !idem_begin(r, idem)) return;
    /* An answer stored for its key is read at once (idem_finish keeps it). */
    if (idem) r->render_later = false;
    Rc rc = rt->handler(r);
    if (rc == RC_OK && f->rc == RC_OK && fail_nfields(f) > 0) rc = fail_fields(f);
    if (rc != RC_OK && f->rc == RC_OK) rc_fail(f, rc, "%s", rc_title(rc));
    if (rc == RC_OK && buf_oom(&r->out)) rc_fail(f, RC_UNAVAILABLE, "out of memory");
    if (idem) idem_finish(r, idem);
}

void server_dispatch(Req *r) {
    if (dispatch_prepare(r)) dispatch_run(r);
}

static void add_common_headers(struct MHD_Response *resp) {
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

static struct MHD_Response *api_response(Req *r) {
    if (r->fail.rc != RC_OK) server_render_problem(r);
    if (r->status == 0) r->status = 200;
    struct MHD_Response *resp;
    if (r->fail.rc == RC_OK && r->send_fd >= 0) {
        resp = MHD_create_response_from_fd(r->send_size, r->send_fd);
        if (!resp) return NULL;
        r->send_fd = -1; /* owned by the response now */
        MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "application/octet-stream");
        if (r->disposition[0]) MHD_add_response_header(resp, "Content-Disposition", r->disposition);
        MHD_add_response_header(resp, "Cache-Control", "private, no-store");
        return resp;
    }
    if (r->status == 204) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        size_t n = r->out.len;
        char *body = buf_detach(&r->out);
        resp = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) free(body);
    }
    if (!resp) return NULL;
    if (r->status != 204) MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->etag[0] && r->status < 300) MHD_add_response_header(resp, "ETag", r->etag);
    if (r->location[0]) MHD_add_response_header(resp, "Location", r->location);
    if (r->cookie[0]) MHD_add_response_header(resp, "Set-Cookie", r->cookie);
    if (r->status == 405 && r->allow[0]) MHD_add_response_header(resp, "Allow", r->allow);
    return resp;
}

static void client_ip(struct MHD_Connection *conn, char *out, size_t outsz) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, outsz, "?");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)outsz);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)outsz);
}

/* ---- deadlines before the request is known ---------------------------------------------------
 *
 * libmicrohttpd 0.9.75 restarts its inactivity time-out on every byte received and has no deadline
 * for the request headers: a client sending one byte a second would keep its connection forever.
 * So every connection carries a Watch. From the moment it is accepted, or its previous answer was
 * sent (keep-alive), until the access handler first sees the request, its headers must be complete
 * within the header deadline. A watchdog thread looks at the deadlines every WATCH_TICK_MS and
 * shuts down the socket of a late connection: libmicrohttpd, which owns the descriptor, then reads
 * end-of-file in its own thread and closes it. No worker waits for a slow client, and the watchdog
 * never closes a descriptor, so it cannot touch one reused by another connection: a Watch leaves the
 * list (under watch_lock) in the NOTIFY_CLOSED callback, which libmicrohttpd calls before it closes
 * the socket, and the watchdog shuts sockets down only while it holds watch_lock. */

enum { WATCH_TICK_MS = 200 };
#define WATCH_DROPPED INT64_C(-1) /* deadline_us of a connection the watchdog has shut down */

typedef struct Watch {
    struct Watch *prev, *next;    /* neighbours in the list of open connections (watch_lock) */
    int fd;                       /* the connection's socket; owned by libmicrohttpd, never closed here */
    char ip[64];                  /* client address, for the log */
    _Atomic int64_t deadline_us;  /* time_mono_us() by which the headers must be complete; 0 while a
                                   * request is being handled; WATCH_DROPPED once shut down */
} Watch;

static int g_header_timeout = 10;                     /* seconds; see server_set_header_timeout */
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cv;                       /* signals watch_stop (CLOCK_MONOTONIC) */
static Watch *watch_head;                             /* open connections (watch_lock) */
static bool watch_stop;                               /* the watchdog should end (watch_lock) */

void server_set_header_timeout(int seconds) {
    assert(seconds > 0);
    g_header_timeout = seconds;
}

static int64_t header_deadline(void) { return time_mono_us() + (int64_t)g_header_timeout * 1000000; }

/* The Watch of a connection (NULL when it has none). Call only from the connection's own callbacks:
 * libmicrohttpd answers in a per-connection buffer that other threads must not use. */
static Watch *conn_watch(struct MHD_Connection *conn) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* MHD_OPTION_NOTIFY_CONNECTION: a Watch is allocated (malloc) when a connection opens, armed with
 * the header deadline, and freed when it closes. Without memory for one, the connection is shut
 * down at once rather than left without a deadline. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci) return;
        Watch *w = calloc(1, sizeof *w);
        if (!w) {
            shutdown(ci->connect_fd, SHUT_RDWR);
            return;
        }
        w->fd = ci->connect_fd;
        client_ip(conn, w->ip, sizeof w->ip);
        atomic_init(&w->deadline_us, header_deadline());
        pthread_mutex_lock(&watch_lock);
        w->next = watch_head;
        if (watch_head) watch_head->prev = w;
        watch_head = w;
        pthread_mutex_unlock(&watch_lock);
        *socket_context = w;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        Watch *w = *socket_context;
        if (!w) return;
        /* What makes shutting sockets down from the watchdog safe: the socket is still open here. */
        assert(fcntl(w->fd, F_GETFD) != -1);
        pthread_mutex_lock(&watch_lock);
        if (w->prev) w->prev->next = w->next;
        else watch_head = w->next;
        if (w->next) w->next->prev = w->prev;
        pthread_mutex_unlock(&watch_lock);
        free(w);
        *socket_context = NULL;
    }
}

/* The background threads (idle work, watchdog) wait on condition variables of the monotonic
 * clock, a tick at a time. */
static void cond_init_monotonic(pthread_cond_t *cv) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}

/* Waits on cv (lock held) until signalled or ms milliseconds from now have passed. */
static void cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *lock, int ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += ms * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, lock, &ts);
}

/* When the last request was taken (µs, monotonic). */
static atomic_llong last_request_us;

/* Idle work, in a thread of its own (idle_main). A server that has taken no request for
 * UPKEEP_IDLE_US keeps its search indexes merged (store/fts.c fts_upkeep_step): steps of
 * UPKEEP_PAGES pages, each a short write transaction, for as long as it stays idle and there is
 * work (a step that merges a common word's long list of rows may take longer: a request that
 * arrives meanwhile waits for the writer at most that long; reads do not wait). Then, idle for
 * IDLE_RELEASE_US, it gives back the page caches of its connections (up to 4 MB for the writer
 * and 512 KB for each reader, filled by the last requests), once per idle spell, so that an idle
 * server holds the same memory whatever it served last (in the soak the writer's cache alone held
 * 0–1.8 MB at the moment of a sample). The next request reads its pages again from the file
 * system's cache. */
enum { IDLE_TICK_MS = 250, UPKEEP_IDLE_US = 2 * 1000000, UPKEEP_PAGES = 64, IDLE_RELEASE_US = 5 * 1000000 };
static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cv;
static bool idle_stop;      /* under idle_lock */
static bool idle_running;

static void release_caches(void) {
    pthread_mutex_lock(&pool_mutex);
    for (int i = 0; i < pool_n; i++) db_release_memory(pool[(pool_head + i) % pool_cap]);
    pthread_mutex_unlock(&pool_mutex);
    db_release_writer_memory();
}

/* Idle since `last` for at least `us`, with nothing in flight and no stop begun. */
static bool idle_for(int64_t last, int64_t us) {
    return atomic_load(&last_request_us) == last && time_mono_us() - last >= us && atomic_load(&in_flight) == 0 &&
           !atomic_load(&stopping);
}

static void *idle_main(void *arg) {
    (void)arg;
    int64_t merged_for = -1;   /* last_request_us when the indexes were found merged (or upkeep failed) */
    int64_t released_for = -1; /* last_request_us at the last release */
    pthread_mutex_lock(&idle_lock);
    while (!idle_stop) {
        pthread_mutex_unlock(&idle_lock);
        int64_t last = atomic_load(&last_request_us);
        if (last != merged_for && !db_is_read_only() && idle_for(last, UPKEEP_IDLE_US)) {
            Db *db = server_db();
            bool worked = db != NULL;
            while (worked && idle_for(last, UPKEEP_IDLE_US)) {
                Fail f = {0};
                if (fts_upkeep_step(db, UPKEEP_PAGES, &worked, &f) != RC_OK) {
                    log_warn("search index upkeep: %s", f.detail);
                    worked = false;
                }
                fail_clear(&f);
            }
            server_db_release();
            /* Interrupted by a request: taken up again at the next idle spell. */
            if (!worked) merged_for = last;
        }
        if (last != released_for && (last == merged_for || db_is_read_only()) && idle_for(last, IDLE_RELEASE_US)) {
            release_caches();
            malloc_trim(0);
            released_for = last;
        }
        pthread_mutex_lock(&idle_lock);
        if (!idle_stop) cond_wait_ms(&idle_cv, &idle_lock, IDLE_TICK_MS);
    }
    pthread_mutex_unlock(&idle_lock);
    return NULL;
}

static void idle_start(pthread_t *tid) {
    cond_init_monotonic(&idle_cv);
    idle_stop = false;
    int e = pthread_create(tid, NULL, idle_main, NULL);
    idle_running = e == 0;
    if (idle_running) pthread_setname_np(*tid, "sanqu-idle");
    if (e) log_warn("cannot start the idle upkeep: %s (the search indexes merge only as FTS5 does by itself)", strerror(e));
}

/* Stops the idle thread (before the pool closes); waits for a step under way. */
static void idle_end(pthread_t tid) {
    if (!idle_running) return;
    pthread_mutex_lock(&idle_lock);
    idle_stop = true;
    pthread_cond_signal(&idle_cv);
    pthread_mutex_unlock(&idle_lock);
    pthread_join(tid, NULL);
    pthread_cond_destroy(&idle_cv);
    idle_running = false;
}

/* How often the watchdog gives free heap memory back to the system. Workers allocate in their own
 * malloc arenas and free what a request took; what the arenas keep in between is counted as
 * resident until trimmed (the soak's memory criterion: resident memory must follow the live
 * heap, not the high-water mark of every arena). Trimming a 60 MB heap takes about a millisecond. */
enum { TRIM_EVERY_US = 10 * 1000000 };

/* The watchdog thread: shuts down every connection past its header deadline, until watch_stop. */
static void *watchdog(void *arg) {
    pthread_mutex_lock(&watch_lock);
    int64_t trimmed = time_mono_us();
    while (!watch_stop) {
        int64_t now = time_mono_us();
        if (now - trimmed >= TRIM_EVERY_US) {
            pthread_mutex_unlock(&watch_lock);
            malloc_trim(0);
            pthread_mutex_lock(&watch_lock);
            trimmed = now;
        }
        for (Watch *w = watch_head; w; w = w->next) {
            int64_t d = atomic_load(&w->deadline_us);
            /* The exchange loses against the access handler taking the request at the same moment. */
            if (d > 0 && d <= now && atomic_compare_exchange_strong(&w->deadline_us, &d, WATCH_DROPPED)) {
                shutdown(w->fd, SHUT_RDWR);
                if (log_access_enabled())
                    log_info("%s: request headers not complete after %d s, connection dropped", w->ip, g_header_timeout);
            }
        }
        cond_wait_ms(&watch_cv, &watch_lock, WATCH_TICK_MS);
    }
    pthread_mutex_unlock(&watch_lock);
    return NULL;
}

/* Starts the watchdog thread (false when it cannot: the reason is logged). */
static bool watchdog_start(pthread_t *tid) {
    cond_init_monotonic(&watch_cv);
    watch_stop = false;
    int e = pthread_create(tid, NULL, watchdog, NULL);
    if (!e) pthread_setname_np(*tid, "sanqu-watch");
    if (e) {
        log_error("cannot start the header watchdog: %s", strerror(e));
        pthread_cond_destroy(&watch_cv);
        return false;
    }
    return true;
}

/* Stops the watchdog thread; call after MHD_stop_daemon (which has closed every connection). */
static void watchdog_stop(pthread_t tid) {
    pthread_mutex_lock(&watch_lock);
    watch_stop = true;
    pthread_cond_signal(&watch_cv);
    pthread_mutex_unlock(&watch_lock);
    pthread_join(tid, NULL);
    pthread_cond_destroy(&watch_cv);
    assert(watch_head == NULL);
}

/* A request with more query arguments than this, or a query that would take more than three
 * quarters of the connection's memory counting 64 bytes for each argument (libmicrohttpd's record
 * is 48), is answered 400 without being parsed. libmicrohttpd 0.9.75 stores every argument in the connection's memory pool
 * beside the request line; when they do not fit it queues its error answer and then loses it (the
 * request line's parser overwrites the state), so the client would wait for --timeout with no
 * answer. Measured with the 24 KiB pool: 400 short arguments hang, and so do 50 arguments in a
 * 22 KB query or 100 in 20 KB; the routes read fewer than 20 arguments. */
enum { MAX_QUERY_ARGS = 100, CONN_MEMORY_LIMIT = 24 * 1024 };
static char query_flood; /* its address marks, as *con_cls, a request whose query was dropped */

/* MHD_OPTION_URI_LOG_CALLBACK: called with the raw request target once the request line is
 * complete, before libmicrohttpd parses the query in place. A query with too many arguments, or too
 * large to be parsed within the pool, is cut off here (its first byte becomes the terminator, so
 * nothing is parsed) and the request is marked so that the access handler answers 400. Returns
 * the initial *con_cls: NULL, or &query_flood. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
    char *q = strchr(uri, '?');
    if (!q || !q[1]) return NULL;
    size_t nargs = 1, len = strlen(q);
    for (const char *p = q + 1; *p; p++) nargs += *p == '&';
    if (q[len - 1] == '&') nargs--;
    if (nargs <= MAX_QUERY_ARGS && len + nargs * 64 <= CONN_MEMORY_LIMIT * 3 / 4) return NULL;
    q[1] = 0; /* the buffer is libmicrohttpd's own request line, which it parses in place */
    return &query_flood;
}

static const char *mhd_lookup(const Req *r, ReqValueKind kind, const char *name) {
    enum MHD_ValueKind k = kind == REQ_HEADER ? MHD_HEADER_KIND : kind == REQ_QUERY ? MHD_GET_ARGUMENT_KIND : MHD_COOKIE_KIND;
    return MHD_lookup_connection_value(r->conn, k, name);
}

/* Answers now with the problem the request already has (413), or 401 for a missing session;
 * libmicrohttpd then closes the connection without reading the rest of the body. */
static enum MHD_Result refuse_early(Req *r) {
    if (r->fail.rc == RC_OK) {
        if (r->body_too_large) rc_fail(&r->fail, RC_TOO_LARGE, "the body is larger than %zu bytes", r->body_limit);
        else rc_fail(&r->fail, RC_UNAUTHENTICATED, "sign in first");
    }
    r->responded = true;
    struct MHD_Response *resp = api_response(r);
    if (!resp) return MHD_NO;
    add_common_headers(resp);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* For a request with a body to a route that needs a session: is there a valid one? (Public
 * routes and unknown paths go on to the dispatcher, which answers them as usual.) */
static bool early_session_ok(Req *r) {
    char *pp[REQ_MAX_PARAMS];
    int np;
    char pb[1024], allow[64];
    bool known;
    const Route *rt = router_match(routes, routes_count, r->method, r->path, pp, &np, pb, sizeof pb, &known, allow, sizeof allow);
    if (!rt || (rt->flags & R_PUBLIC)) return true;
    const char *tok = req_cookie(r, "sanqu_session");
    if (!tok) return false;
    Db *db = server_db();
    if (!db) return true; /* the dispatcher answers 503 */
    Actor tmp;
    Fail g = {0};
    AuthConfig cfg = r->cfg->auth;
    cfg.idle_timeout += 60; /* do not expire it here: the dispatcher decides, with its message */
    bool ok = auth_session(db, &cfg, tok, &tmp, &g) == RC_OK;
    fail_clear(&g);
    return ok;
}

/* Req.durable: a held write's connection is suspended (WAITING) until its work is durable (OK)
 * or has failed (FAILED); a connection closed meanwhile (at the stop) leaves the request to the
 * callback to free (GONE). */
enum { HELD_NONE, HELD_WAITING, HELD_OK, HELD_FAILED, HELD_GONE };

static void req_free(Req *r);

/* DbDurable for a held write: called by the flusher (or the thread that failed the batch). */
static void on_durable(void *ctx, bool ok) {
    Req *r = ctx;
    struct MHD_Connection *conn = r->conn; /* r may be freed once durable is set */
    if (atomic_exchange(&r->durable, ok ? HELD_OK : HELD_FAILED) == HELD_GONE) {
        req_free(r);
        return;
    }
    MHD_resume_connection(conn);
}

/* Called again once resumed: sends the held answer, or 503 if the write was not made durable. */
static enum MHD_Result send_held(struct MHD_Connection *conn, Req *r) {
    int state = atomic_load(&r->durable);
    if (state == HELD_WAITING) return MHD_YES; /* not yet: woken early */
    if (r->drop) return MHD_NO;
    struct MHD_Response *resp = r->held;
    int status = r->held_status;
    r->held = NULL;
    r->suspended = false;
    atomic_store(&r->durable, HELD_NONE);
    if (state != HELD_OK) {
        if (resp) MHD_destroy_response(resp);
        resp = NULL;
        r->render = NULL;
        fail_clear(&r->fail);
        rc_fail(&r->fail, RC_UNAVAILABLE, "the write could not be made durable; retry it later");
    } else if (!resp) {
        /* The record answer: read now that the write is durable (committed before its flush
         * began, so a reader sees it), on this thread's reader. */
        r->db = server_db();
        if (!r->db) rc_fail(&r->fail, RC_UNAVAILABLE, "the database cannot be opened");
        else req_render(r);
    }
    if (!resp) {
        resp = api_response(r);
        status = r->status;
        if (!resp) return MHD_NO;
        add_common_headers(resp);
    }
    r->status = status;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The write thread. Writes run one at a time under the write lock whichever thread runs them;
 * when every worker ran its own, each one waited for the lock and was handed it in turn, and the
 * hand-overs (a futex wake-up of a thread that then has to be scheduled) left the lock idle
 * about half of the time at 64 appending clients while the machine was a third idle. A worker
 * now prepares a write (route, session, CSRF, body: in parallel with the others), suspends its
 * connection and queues it; this thread runs the handlers back to back and leaves each answer
 * to be sent, as for any held write, once the write is durable (on_durable, send_held). Writes
 * that compute long outside the lock (a password's hash, an upload or an import to parse) stay
 * on their worker, so that they do not hold up the others. */
static pthread_mutex_t wq_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wq_cond = PTHREAD_COND_INITIALIZER;
static Req *wq_head;
static Req **wq_tail = &wq_head;
static bool wq_stop;     /* under wq_mutex */
static bool wq_running;  /* the thread exists: set before the daemon starts, cleared after it stops */

static bool write_thread_takes(const Req *r) {
    return wq_running && r->route && !(r->route->flags & (R_PUBLIC | R_PWCHANGE | R_SECRET | R_UPLOAD | R_CSV));
}

/* Suspends a write's connection until its answer is ready (on_durable resumes it). */
static void write_suspend(Req *r) {
    r->suspended = true;
    atomic_store(&r->durable, HELD_WAITING);
    MHD_suspend_connection(r->conn);
}

/* Runs a prepared write as a held write (on the write thread, or on its worker) and leaves its
 * answer for send_held: once the write is durable, or at once when nothing was written. The
 * connection is suspended. */
static void write_job(Req *r) {
    r->db = server_db();
    db_hold_begin();
    if (r->db) dispatch_run(r);
    else rc_fail(&r->fail, RC_UNAVAILABLE, "the database cannot be opened");
    /* A record answer is read once the write is durable, on a reader (send_held): the writer
     * is not kept for it. Without a write it is read now. */
    bool later = r->render && r->fail.rc == RC_OK;
    if (later && !db_holding()) {
        req_render(r);
        later = false;
    }
    struct MHD_Response *resp = later ? NULL : api_response(r);
    if (resp) add_common_headers(resp);
    r->held = resp;
    r->held_status = r->status;
    r->drop = !resp && !later; /* out of memory: the connection is closed */
    if (r->drop || !db_holding()) {
        db_hold_end(NULL, NULL);
        on_durable(r, true);
    } else if (db_hold_end(on_durable, r) == DB_HOLD_FAILED) {
        on_durable(r, false);
    }
}

static void *write_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&wq_mutex);
    for (;;) {
        while (!wq_head && !wq_stop) pthread_cond_wait(&wq_cond, &wq_mutex);
        Req *r = wq_head;
        if (!r) break; /* stopping, and nothing left */
        wq_head = r->next_write;
        if (!wq_head) wq_tail = &wq_head;
        pthread_mutex_unlock(&wq_mutex);
        write_job(r);
        server_db_release(); /* borrowed for the one request, as a worker does */
        db_writes_queued(-1);
        pthread_mutex_lock(&wq_mutex);
    }
    pthread_mutex_unlock(&wq_mutex);
    return NULL;
}

/* Suspends the connection and queues its write; false once the thread is stopping (the worker
 * then runs the write itself). */
static bool write_push(Req *r) {
    pthread_mutex_lock(&wq_mutex);
    if (wq_stop) {
        pthread_mutex_unlock(&wq_mutex);
        return false;
    }
    write_suspend(r);
    r->next_write = NULL;
    db_writes_queued(1);
    *wq_tail = r;
    wq_tail = &r->next_write;
    pthread_cond_signal(&wq_cond);
    pthread_mutex_unlock(&wq_mutex);
    return true;
}

static void write_thread_start(pthread_t *tid) {
    wq_stop = false;
    wq_running = pthread_create(tid, NULL, write_main, NULL) == 0;
    if (wq_running) pthread_setname_np(*tid, "sanqu-writes");
}

/* Refuses further writes (their workers run them), runs what is queued, then ends. */
static void write_thread_end(pthread_t tid) {
    if (!wq_running) return;
    pthread_mutex_lock(&wq_mutex);
    wq_stop = true;
    pthread_cond_signal(&wq_cond);
    pthread_mutex_unlock(&wq_mutex);
    pthread_join(tid, NULL);
    wq_running = false;
}

static enum MHD_Result handle(struct MHD_Connection *conn, const char *url, const char *method,
                              const char *upload_data, size_t *upload_data_size, void **con_cls) {
    Req *r = *con_cls;
    if (!r || r == (void *)&query_flood) {
        /* The headers are complete: the header deadline ends here, unless the watchdog has just
         * dropped the connection. */
        Watch *w = conn_watch(conn);
        if (w && atomic_exchange(&w->deadline_us, 0) == WATCH_DROPPED) return MHD_NO;
        bool flood = r != NULL;
        *con_cls = NULL;
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        /* Counted before looking at the flag: the stopping thread sets the flag and then waits
         * for the count, so a request that found the flag clear is seen in the count. */
        atomic_fetch_add(&in_flight, 1);
        if (atomic_load(&stopping)) {
            atomic_fetch_sub(&in_flight, 1);
            r->late = true;
        }
        r->t0 = time_mono_us();
        atomic_store(&last_request_us, r->t0);
        r->conn = conn;
        r->lookup = mhd_lookup;
        r->cfg = g_cfg;
        snprintf(r->method, sizeof r->method, "%s", method);
        if (strlen(url) >= sizeof r->path) snprintf(r->path, sizeof r->path, "/too-long");
        else snprintf(r->path, sizeof r->path, "%s", url);
        client_ip(conn, r->actor.ip, sizeof r->actor.ip);
        r->send_fd = -1;
        /* Upload routes take larger bodies; everything else the general limit. */
        r->body_limit = g_cfg->max_body;
        if (strcmp(r->method, "POST") == 0 && strstr(r->path, "/attachments")) {
            char *pp[REQ_MAX_PARAMS];
            int np;
            char pb[1024], allow[64];
            bool known;
            const Route *rt = router_match(routes, routes_count, r->method, r->path, pp, &np, pb, sizeof pb, &known, allow,
                                           sizeof allow);
            if (rt && (rt->flags & R_UPLOAD)) r->body_limit = g_cfg->max_upload;
        }
        *con_cls = r;
        if (flood) {
            rc_fail(&r->fail, RC_BAD_REQUEST, "the query has too many arguments (at most %d) or is too long for them",
                    MAX_QUERY_ARGS);
            return refuse_early(r);
        }
        /* A body that cannot be accepted is refused before it is read: too large by its declared
         * length, or sent to a route that needs a session without a valid one. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
        bool has_body = (cl && strtoull(cl, NULL, 10) > 0) || te;
        /* Far over the limit: answered at once (the rest is never read). Slightly over: read and
         * dropped, then answered, so that a client still sending sees the answer rather than a
         * reset connection. */
        if (cl && strtoull(cl, NULL, 10) > r->body_limit) {
            r->body_too_large = true;
            if (strtoull(cl, NULL, 10) / 4 > r->body_limit) return refuse_early(r);
        }
        if (has_body && strncmp(r->path, "/api/", 5) == 0 && !early_session_ok(r)) return refuse_early(r);
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (r->body_too_large || r->body.len + *upload_data_size > r->body_limit) {
            /* Over the limit (chunked, so not known from the headers): the rest is read and
             * dropped, and 413 answered at the end; nothing more is buffered. */
            r->body_too_large = true;
            *upload_data_size = 0;
            return MHD_YES;
        }
        /* A body must keep coming: a client that trickles it is dropped after a total deadline. */
        if (time_mono_us() - r->t0 > (int64_t)g_cfg->conn_timeout * 4 * 1000000) return MHD_NO;
        buf_append(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->responded) return MHD_YES; /* refused early; the answer is queued */
    if (r->suspended) return send_held(conn, r);
    struct MHD_Response *resp;
    int status;
    if (r->late) {
        rc_fail(&r->fail, RC_UNAVAILABLE, "the server is stopping; retry in a moment");
        resp = api_response(r);
        status = r->status;
        if (resp) {
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
            MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
        }
    } else if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0) {
        /* A write's worker does not wait for the disk: the request holds its committed work,
         * and its answer waits, with the connection suspended, until the work is durable. (Not
         * for reads: the few that write, such as a session's last_seen, wait as before, so that
         * an export cannot keep the writer.) */
        bool hold = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
        r->db = server_db();
        r->render_later = hold;
        bool ready = dispatch_prepare(r);
        if (ready && hold) {
            /* On the write thread, or here (see write_thread_takes) with the same held path. */
            if (!write_thread_takes(r) || !write_push(r)) {
                write_suspend(r);
                write_job(r);
            }
            return MHD_YES;
        }
        if (ready) dispatch_run(r);
        resp = api_response(r);
        status = r->status;
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        snprintf(r->allow, sizeof r->allow, "GET, HEAD");
        rc_fail(&r->fail, RC_METHOD, "only GET and HEAD are served here");
        resp = api_response(r);
        status = r->status;
    } else {
        resp = static_response(g_cfg->web_root, r->path, &status);
        r->status = status;
    }
    if (!resp) return MHD_NO;
    add_common_headers(resp);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    (void)cls;
    (void)version;
    enum MHD_Result ret = handle(conn, url, method, upload_data, upload_data_size, con_cls);
    server_db_release();
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    /* Keep-alive: the next request must be complete within the longer of the header deadline and
     * the inactivity limit (--timeout) from now. A client that keeps a pooled connection idle is
     * not cut at the (shorter) header deadline, where its next request could meet the shutdown
     * half-way (a reset instead of an answer); one that trickles on it is still dropped. (Only
     * when the request was being handled: a dropped connection stays dropped.) */
    Watch *w = conn_watch(conn);
    int64_t handled = 0;
    int64_t idle_us = (int64_t)(g_cfg->conn_timeout > g_header_timeout ? g_cfg->conn_timeout : g_header_timeout) * 1000000;
    if (w) atomic_compare_exchange_strong(&w->deadline_us, &handled, time_mono_us() + idle_us);
    Req *r = *con_cls;
    *con_cls = NULL;
    if (!r || r == (void *)&query_flood) return;
    if (log_access_enabled())
        log_info("%s %s %d %lldus%s", r->method, r->path, r->status, (long long)(time_mono_us() - r->t0),
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    /* Closed while its held write waits for the disk: the callback frees it. */
    if (atomic_exchange(&r->durable, HELD_GONE) == HELD_WAITING) return;
    req_free(r);
}

static void req_free(Req *r) {
    if (r->held) MHD_destroy_response(r->held);
    json_decref(r->json);
    if (r->send_fd >= 0) close(r->send_fd);
    fail_clear(&r->fail);
    buf_free(&r->body);
    buf_free(&r->out);
    if (!r->late) atomic_fetch_sub(&in_flight, 1);
    free(r);
}

static bool parse_listen(const char *s, struct sockaddr_in *sa) {
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host) return false;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) return false;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "") == 0 || strcmp(host, "*") == 0) sa->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(host, "localhost") == 0) sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) return false;
    return true;
}

static void on_panic(void *cls, const char *file, unsigned int line, const char *reason) {
    log_msg(LOG_ERROR, file, (int)line, "libmicrohttpd panic: %s", reason ? reason : "?");
    abort();
}

int server_run(const ServerConfig *cfg) {
    g_cfg = cfg;
    struct sockaddr_in sa;
    if (!parse_listen(cfg->listen, &sa)) {
        log_error("bad --listen '%s' (want ADDR:PORT, e.g. 127.0.0.1:8080)", cfg->listen);
        return 2;
    }
    /* Signals are taken by sigwait in this thread; workers inherit the blocked mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    MHD_set_panic_func(on_panic, NULL);

    if (!pool_open(cfg->threads)) {
        pool_close();
        log_error("cannot open the database %s", cfg->db_path);
        return 1;
    }
    pthread_t watch_tid, write_tid;
    if (!watchdog_start(&watch_tid)) {
        pool_close();
        return 1;
    }
    write_thread_start(&write_tid);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                     MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->conn_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY_LIMIT,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_END);
    if (!d) {
        int e = errno;
        write_thread_end(write_tid);
        watchdog_stop(watch_tid);
        pool_close();
        log_error("cannot listen on %s: %s", cfg->listen, strerror(e));
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : ntohs(sa.sin_port);
    char host[64];
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
    if (cfg->port_file[0]) {
        char tmp[600];
        snprintf(tmp, sizeof tmp, "%s.tmp", cfg->port_file);
        FILE *pf = fopen(tmp, "w");
        if (pf) {
            fprintf(pf, "%u\n", port);
            fclose(pf);
            rename(tmp, cfg->port_file);
        }
    }
    log_info("sanqu %s listening on http://%s:%u/ (%d threads, database %s)", SANQU_VERSION, host, port,
             cfg->threads, cfg->db_path);
    pthread_t fill_tid, idle_tid;
    bool filling = pthread_create(&fill_tid, NULL, pool_fill, NULL) == 0;
    atomic_store(&last_request_us, time_mono_us()); /* idle spells are counted from the start */
    idle_start(&idle_tid);

    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: finishing in-flight requests", sig);
    /* Not MHD_quiesce_daemon: with a thread pool on epoll it races each worker for the removal
     * of the listening socket and libmicrohttpd 0.9.75 aborts the process when it loses
     * ("Failed to remove listen FD from epoll set"). Requests that arrive from now on are
     * answered 503 with Connection: close; those already taken have up to 5 s to finish. */
    atomic_store(&stopping, true);
    for (int i = 0; i < 100 && atomic_load(&in_flight) > 0; i++) usleep(50 * 1000);
    idle_end(idle_tid);
    write_thread_end(write_tid);
    MHD_stop_daemon(d);
    watchdog_stop(watch_tid);
    if (filling) pthread_join(fill_tid, NULL);
    pool_close();

    char err[256];
    Db *db = db_open(cfg->db_path, false, err, sizeof err);
    if (db) {
        Fail f = {0};
        db_exec(db, &f, "PRAGMA wal_checkpoint(TRUNCATE)");
        fail_clear(&f);
        db_close(db);
    }
    log_info("stopped");
    return 0;
}
