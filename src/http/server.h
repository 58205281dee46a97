/*
 * server.h — the HTTP server: libmicrohttpd with its internal epoll thread pool, a pool of SQLite
 * connections borrowed per request, the dispatcher that enforces the route table's rules before any
 * handler runs, security headers, the access log, deadlines for slow clients (a watchdog thread for
 * request headers) and a graceful stop on SIGTERM/SIGINT.
 */
#ifndef SANQU_HTTP_SERVER_H
#define SANQU_HTTP_SERVER_H

#include "http/req.h"

/* Fills cfg with defaults (listen 127.0.0.1:8080, threads = cores, 1 MiB bodies, …). */
void server_config_defaults(ServerConfig *cfg);

/* Sets the header deadline (seconds, > 0; 10 by default): a connection whose request headers are
 * not complete that long after it opened, or after its previous answer was sent, is dropped.
 * Call before server_run. */
void server_set_header_timeout(int seconds);

/* Runs the server until SIGTERM or SIGINT, then lets in-flight requests finish, checkpoints the
 * WAL and returns 0; returns non-zero when it cannot start (the reason is logged). */
int server_run(const ServerConfig *cfg);

/* The database connection the calling worker holds for this call of the access handler (borrowed
 * from the server's pool on first use in the call, given back at its end); NULL when none can be
 * opened. */
Db *server_db(void);

/* Dispatches one fully-received request through the route table (used by the server and by the
 * in-process fuzz target). Fills r->status/out/ctype or the problem. */
void server_dispatch(Req *r);

/* Renders r->fail as problem+json into r->out and sets r->status. */
void server_render_problem(Req *r);

#endif
