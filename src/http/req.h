/*
 * req.h — one HTTP request as handlers see it, and the route table's row type. A Req carries the
 * acting user, the thread's database handle, the parsed body, the error details and the response
 * being built; it is allocated per request by the server and freed when the response completes.
 * Handlers fill r->out (JSON text) and r->status and return RC_OK, or return an Rc with details
 * in r->fail, which the dispatcher renders as application/problem+json.
 */
#ifndef SANQU_HTTP_REQ_H
#define SANQU_HTTP_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/rc.h"
#include "core/roles.h"
#include "store/db.h"
#include "util/buf.h"

struct MHD_Connection;
struct Req;

typedef Rc (*Handler)(struct Req *r);

/* Route flags. */
enum {
    R_PUBLIC = 1u << 0,     /* no session needed */
    R_WRITE = 1u << 1,      /* changes state: CSRF token required, writes audited */
    R_JSON = 1u << 2,       /* takes a JSON object body (415 otherwise; 400 if malformed) */
    R_CSV = 1u << 3,        /* takes a text/csv body */
    R_PWCHANGE = 1u << 4,   /* allowed while the user must still change a generated password */
    R_NO_CSRF = 1u << 5,    /* state-changing but before a session exists (login) */
    R_UPLOAD = 1u << 6,     /* takes a file as the raw body (limit: cfg->max_upload) */
    R_SECRET = 1u << 7,     /* the answer holds a secret (a one-time password): never stored for
                               Idempotency-Key replays */
};

/* One row of the route table (http/routes.c). */
typedef struct Route {
    const char *method;  /* GET, POST, PUT, DELETE */
    const char *path;    /* pattern: literal segments and {name} parameters */
    Handler handler;     /* the handler */
    uint32_t cap;        /* capability required (CAP_NONE: any signed-in user) */
    unsigned flags;      /* R_* */
    const char *help;    /* one line for `sanqu routes` and docs/api.md */
} Route;

enum { REQ_MAX_PARAMS = 4 };

/* Server-wide settings the handlers may read. */
typedef struct ServerConfig {
    char db_path[512];          /* database file */
    char web_root[512];         /* built web UI (index.html and assets) */
    char listen[128];           /* ADDR:PORT */
    char port_file[512];        /* where to write the bound port, or "" */
    int threads;                /* worker threads */
    size_t max_body;            /* request body limit in bytes */
    size_t max_upload;          /* body limit of upload routes (attachments) */
    char files_dir[600];        /* where attachments are stored (content-addressed) */
    int conn_timeout;           /* seconds of client inactivity before a connection is dropped */
    bool secure_cookies;        /* add Secure to the session cookie */
    AuthConfig auth;            /* session and lockout settings */
} ServerConfig;

/* Where request values come from (header, query argument, cookie). */
typedef enum ReqValueKind { REQ_HEADER, REQ_QUERY, REQ_COOKIE } ReqValueKind;

typedef struct Req {
    struct MHD_Connection *conn;   /* the libmicrohttpd connection (NULL in-process, e.g. fuzzing) */
    /* Looks up a request value; the server's reads from libmicrohttpd, tests supply their own. */
    const char *(*lookup)(const struct Req *r, ReqValueKind kind, const char *name);
    void *lookup_ctx;              /* for lookup implementations other than the server's */
    const ServerConfig *cfg;       /* server settings */
    Db *db;                        /* this thread's connection */
    const Route *route;            /* matched route, or NULL */
    char method[8];                /* request method */
    char path[1024];               /* path (decoded), without the query */
    char *params[REQ_MAX_PARAMS];  /* path parameters, pointing into parambuf */
    int nparams;
    char parambuf[1024];
    Buf body;                      /* request body */
    bool body_too_large;           /* the body passed its limit */
    size_t body_limit;             /* the limit for this request (max_body or max_upload) */
    int send_fd;                   /* a file to answer with instead of out (-1: none); owned */
    uint64_t send_size;            /* its size */
    char disposition[400];         /* Content-Disposition to send, or "" */
    bool responded;                /* an answer was queued before the body was read */
    bool late;                     /* arrived while the server stops: answered 503, not counted */
    struct MHD_Response *held;     /* the answer of a held write, sent once the write is durable */
    int held_status;
    bool suspended;                /* a held write's connection waits for the disk */
    /* A write's answer that is a record read after the write (api_record): when the server allows
     * it (render_later: a held write whose answer is not stored for an Idempotency-Key), the
     * read is left (render, render_id) until the write is durable, and then made on a reader
     * instead of on the writer, which other writes wait for. */
    bool render_later;
    Rc (*render)(Db *, const struct Actor *, int64_t, Buf *, Fail *);
    int64_t render_id;
    _Atomic int durable;           /* HELD_*: the suspended connection's write and its outcome */
    bool drop;                     /* a write run on the write thread whose answer could not be
                                      built: the connection is closed */
    struct Req *next_write;        /* the write thread's queue */
    const char *idem;              /* the Idempotency-Key, once the request is prepared */
    json_t *json;                  /* parsed body (R_JSON routes), owned */
    Actor actor;                   /* the signed-in user (user_id 0 when none) */
    char token[64];                /* the session cookie value */
    Fail fail;                     /* error details */
    int status;                    /* response status */
    Buf out;                       /* response body */
    const char *ctype;             /* response content type (static string) */
    char etag[40];                 /* ETag to send, or "" */
    char location[160];            /* Location to send, or "" */
    char cookie[400];              /* Set-Cookie to send, or "" */
    char allow[64];                /* Allow header for 405, or "" */
    int64_t t0;                    /* start time (µs, monotonic) for the access log */
} Req;

/* Path parameter i as a positive id; 0 when it is not one. */
int64_t req_param_id(const Req *r, int i);
/* A query-string argument, or NULL. */
const char *req_query(const Req *r, const char *name);
/* A request header, or NULL. */
const char *req_header(const Req *r, const char *name);
/* A cookie, or NULL. */
const char *req_cookie(const Req *r, const char *name);
/* Parses an integer query argument into *out (dflt when absent). Records a field error (and
 * returns false) when it is not an integer in [min, max]. */
bool req_query_int(Req *r, const char *name, int64_t dflt, int64_t min, int64_t max, int64_t *out);
/* Reads page and page_size; records field errors on bad values. */
bool req_page(Req *r, int *page, int *page_size);
/* A query argument that must be one of enumv (NULL-terminated) or absent; field error otherwise. */
const char *req_query_enum(Req *r, const char *name, const char *const *enumv);
/* A query argument that must be a date or absent. */
const char *req_query_date(Req *r, const char *name);
/* Sets a JSON response from text (copied). */
void req_reply(Req *r, int status, const char *json_text);
/* Sets a JSON response from a jansson value (stolen). */
void req_reply_json(Req *r, int status, json_t *j);
/* 204 No Content. */
void req_no_content(Req *r);
/* Checks If-Match against the current version: RC_PRECONDITION when present and different. */
Rc req_check_if_match(Req *r, int64_t version);
/* Sets ETag from a version. */
void req_set_etag(Req *r, int64_t version);
/* Extracts "version" from a JSON text answer and sets the ETag (single-record answers). */
void req_etag_from_body(Req *r);
/* Reads a record answer (r->render, r->render_id) into out on r->db, with its ETag. */
Rc req_render(Req *r);

#endif
