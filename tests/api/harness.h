/*
 * harness.h — the API test harness: runs the real sanqu binary on an ephemeral loopback port over a
 * fresh demo database, and talks to it over HTTP (libcurl, one cookie jar per client) or over a raw
 * socket for requests that curl would normalise.
 *
 * Ownership in short: a Server is owned by the test program (h_server_start / h_server_free); a
 * Client owns every Resp it returns, and h_client_free frees them all, so tests never free a Resp.
 * Strings returned by h_fmt / h_esc live in a small ring of static buffers: use them at once, and
 * only from the test's main thread. A Client may be used by one thread at a time; create and free
 * clients on the main thread.
 *
 * Everything is bounded in time: curl requests time out after 10 s, raw sockets after 10 s, the
 * server must write its port file within 10 s and stop within 10 s of SIGTERM (each ten times
 * longer under SANQU_TEST_WRAPPER, see h_server_start).
 */
#ifndef SANQU_TESTS_API_HARNESS_H
#define SANQU_TESTS_API_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The password every demo account gets (meets the password policy). */
#define H_PASSWORD "Demo#2026pw"

/* A running (or stopped) server with its own temporary directory. */
typedef struct Server {
    char dir[256];  /* temporary directory: s.db, s.db.key, port, server.log, web/ */
    char db[320];   /* path of the database, DIR/s.db */
    char log[320];  /* the server's stdout and stderr, DIR/server.log */
    char base[64];  /* "http://127.0.0.1:PORT" */
    int port;       /* the port the server wrote to its port file */
    pid_t pid;      /* the server process; 0 once it has been reaped */
    int exit_status; /* what h_server_stop returned: 0-255, or -1 (signal, killed); -2 before */
} Server;

/* One HTTP response. Owned by the Client that made the request. */
typedef struct Resp {
    long status;      /* HTTP status, 0 when the request failed at the transport level */
    char method[16];  /* the request's method, for messages */
    char path[512];   /* the request's path and query, for messages */
    char *body;       /* the body, NUL-terminated (may hold NULs before len) */
    size_t len;       /* bytes in body */
    json_t *json;     /* the body parsed as JSON, NULL when it is not JSON */
    char **hname;     /* response header names, as sent */
    char **hvalue;    /* response header values, trimmed */
    size_t nheaders;  /* entries in hname / hvalue */
} Resp;

typedef struct Client Client;

/* ---- set-up ----------------------------------------------------------------------------------- */

/* Reads argv[1] (the sanqu binary) and argv[2] (the source directory), sets SANQU_PWHASH_MIN=1 for
 * every child, ignores SIGPIPE and initialises libcurl. Exits with status 2 on bad arguments. */
void h_init(int argc, char **argv);
/* The sanqu binary and source directory given to h_init. */
const char *h_bin(void);
const char *h_srcdir(void);
/* The factor by which every time limit is multiplied: 1, or 10 when the server runs under
 * SANQU_TEST_WRAPPER (valgrind), or SANQU_TEST_TIME_SCALE. Tests that measure time scale with it. */
int h_time_scale(void);
/* True when the server runs under SANQU_TEST_WRAPPER. */
bool h_wrapped(void);

/* Makes a temporary directory with a small web root, creates a demo database there with
 * H_PASSWORD for every account, and starts `sanqu serve` on 127.0.0.1:0 with extra (NULL-terminated
 * list of further arguments, or NULL). Returns a malloc'd Server once its port file exists, or
 * NULL after printing why (the log is shown).
 * When SANQU_TEST_WRAPPER is set (e.g. "valgrind --error-exitcode=99 --leak-check=full -q"), its
 * words, split on spaces, prefix the server's command line (only `serve`; `demo` and h_cli run
 * bare), and every time limit of the harness is multiplied by h_time_scale(). A wrapper's error
 * exit status then fails h_server_stop's caller like any non-zero exit. */
Server *h_server_start(const char *const *extra);
/* Sends SIGTERM and waits up to 10 s. Returns the exit status (0-255) when the process exited, or
 * -1 when it died of a signal or had to be killed with SIGKILL. Safe to call twice (returns the
 * first result). */
int h_server_stop(Server *s);
/* Stops the server if still running (SIGKILL), removes its directory (kept when SANQU_TEST_KEEP is
 * set in the environment) and frees s. NULL is ignored. */
void h_server_free(Server *s);
/* Runs `sanqu ARGS...` (NULL-terminated) to completion within 10 s, its output to DIR/cli.log.
 * Returns the exit status, or -1. When out is not NULL, *out receives the output (malloc'd). */
int h_cli(Server *s, const char *const *args, char **out);

/* ---- HTTP client ------------------------------------------------------------------------------ */

/* A client with an empty cookie jar that sends the CSRF token once logged in. Free with
 * h_client_free, which also frees every response it returned. */
Client *h_client(Server *s);
void h_client_free(Client *c);
/* Frees every client not yet freed (those of a test that failed half-way, or made for one
 * request): call it when a group ends. */
void h_client_free_all(void);
/* Whether X-CSRF-Token is sent automatically (default on). */
void h_client_send_csrf(Client *c, bool on);
/* Replaces the CSRF token the client sends (copied); NULL forgets it. */
void h_client_set_csrf(Client *c, const char *token);
/* The CSRF token from the last successful login, or "" */
const char *h_client_csrf(const Client *c);
/* Copies the sanqu_session cookie value from the jar into out; "" when there is none. */
void h_client_session_token(Client *c, char *out, size_t outsz);
/* Gives j (a reference is stolen) to the client, which frees it with itself; returns j. */
json_t *h_client_own(Client *c, json_t *j);
/* Adds one header line ("If-Match: \"3\"") to the next request only. */
void h_client_header(Client *c, const char *line);

/* Sends one request. content_type NULL sends no Content-Type; body NULL sends no body (a POST or
 * PUT then sends an empty one). The path may carry a query. Never returns NULL. */
Resp *h_req(Client *c, const char *method, const char *path, const char *content_type, const char *body,
            size_t len);
/* GET / DELETE of a printf-formatted path. */
Resp *h_get(Client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
Resp *h_del(Client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends body (a reference is stolen; NULL fails the test) as application/json. */
Resp *h_send(Client *c, const char *method, const char *path, json_t *body);
/* POST /api/v1/session; on 200 the client remembers the csrf_token. */
Resp *h_login(Client *c, const char *user, const char *password);
/* A client logged in as user with H_PASSWORD; fails the test unless the login answers 200. */
Client *h_client_as(Server *s, const char *user);

/* Every item of a list route (path may carry a query), walking the pages with page_size 200.
 * Returns an array owned by the client; *total (when not NULL) receives the first page's
 * "total". Fails the test unless every page answers 200 with items[]. */
json_t *h_all_items(Client *c, const char *path, long long *total);

/* First header named name (case-insensitive) in r, or NULL. */
const char *h_header(const Resp *r, const char *name);
/* The member at a dotted path ("user.username", "items[0].id", "errors") of j, or NULL. */
json_t *h_jpath(json_t *j, const char *path);
/* Integer / string at a dotted path: -1 / NULL when missing or of another type. */
long long h_jint(json_t *j, const char *path);
const char *h_jstr(json_t *j, const char *path);

/* printf into one of 16 rotating static buffers of 2 KiB. */
const char *h_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s percent-encoded for a query string, in a rotating static buffer. */
const char *h_esc(const char *s);

/* ---- raw sockets ------------------------------------------------------------------------------ */

/* A new loopback TCP connection to s with send and receive time-outs of 10 s (scaled), or -1.
 * The caller closes it. */
int h_raw_connect(const Server *s);
/* Sends len bytes of req on a new connection to s, reads until the server closes it (or 10 s pass)
 * and returns the status code of the answer, or -1 when there is none. *out, when out is not NULL,
 * receives the whole raw answer (malloc'd, NUL-terminated). */
int h_raw(const Server *s, const char *req, size_t len, char **out);
/* Like h_raw, but sends head, waits until after_head() has run (it may stop the server, for
 * example), then sends tail. */
int h_raw_split(const Server *s, const char *head, const char *tail, void (*after_head)(void *), void *ud,
                char **out);

/* ---- assertions ------------------------------------------------------------------------------- */
/* Each prints the request, the status and the body on failure, then fails the running test. */

void h_expect_status(const Resp *r, long want, const char *file, int line);
void h_expect_problem(const Resp *r, long status, const char *slug, const char *file, int line);
void h_expect_field_error(const Resp *r, const char *field, const char *rule, const char *file, int line);
void h_expect_no_field_error(const Resp *r, const char *field, const char *file, int line);
void h_expect_security_headers(const Resp *r, const char *file, int line);
void h_fail_resp(const Resp *r, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define EXPECT_STATUS(r, want) h_expect_status((r), (want), __FILE__, __LINE__)
/* status, Content-Type application/problem+json, type ending in slug, member status. */
#define EXPECT_PROBLEM(r, status, slug) h_expect_problem((r), (status), (slug), __FILE__, __LINE__)
/* errors[] holds an entry with this field and rule (any rule when rule is NULL). */
#define EXPECT_FIELD_ERROR(r, field, rule) h_expect_field_error((r), (field), (rule), __FILE__, __LINE__)
#define EXPECT_NO_FIELD_ERROR(r, field) h_expect_no_field_error((r), (field), __FILE__, __LINE__)
/* CSP without 'unsafe-inline' in script-src, nosniff, framing denied, a Referrer-Policy. */
#define EXPECT_SECURITY_HEADERS(r) h_expect_security_headers((r), __FILE__, __LINE__)
/* Fails with a message and the response. */
#define FAIL_RESP(r, ...) h_fail_resp((r), __FILE__, __LINE__, __VA_ARGS__)
/* Fails unless cond holds, showing the response. */
#define EXPECT_TRUE_R(r, cond)                                                                     \
    do {                                                                                           \
        if (!(cond)) h_fail_resp((r), __FILE__, __LINE__, "expected %s", #cond);                   \
    } while (0)

#endif
