/*
 * harness.c — see harness.h. Processes are started with fork/exec (the server with a parent-death
 * signal so a crashed test run leaves no server behind); HTTP goes through one libcurl easy handle
 * per client, whose in-memory cookie jar plays the browser's part.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { WAIT_BASE_MS = 10000, CURL_BASE_TIMEOUT_S = 10, MAX_WRAP = 32 };

static const char *g_bin;    /* argv[1]: the sanqu binary */
static const char *g_src;    /* argv[2]: the source directory */
static int g_scale = 1;      /* time-out multiplier: 10 under SANQU_TEST_WRAPPER (valgrind is slow) */
static char *g_wrap_text;    /* SANQU_TEST_WRAPPER copied, split in place by NULs (owned for the run) */
static char *g_wrap[MAX_WRAP]; /* its words, prefixed to the server's command line; NULL-terminated */

/* Start-up, stop and CLI time limit, and the per-request time limit, scaled under a wrapper. */
#define WAIT_MS (WAIT_BASE_MS * g_scale)
#define CURL_TIMEOUT_S (CURL_BASE_TIMEOUT_S * g_scale)

/* ---- small helpers --------------------------------------------------------------------------- */

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "harness: out of memory\n");
        abort();
    }
    return p;
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "harness: out of memory\n");
        abort();
    }
    return q;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s);
    char *d = xmalloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) return false;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

/* Reads a whole file (malloc'd, NUL-terminated) or returns NULL. */
static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *s = xmalloc(cap);
    size_t k;
    while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) s = xrealloc(s, cap *= 2);
    }
    fclose(f);
    s[n] = 0;
    return s;
}

/* Prints the last lines of a log file to stderr, for start-up and shutdown failures. */
static void show_log(const char *what, const char *path) {
    char *s = read_file(path);
    fprintf(stderr, "---- %s (%s) ----\n%s\n---- end ----\n", what, path, s ? s : "(unreadable)");
    free(s);
}

void h_init(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s SANQU_BINARY SOURCE_DIR\n", argc > 0 ? argv[0] : "test_api");
        exit(2);
    }
    g_bin = argv[1];
    g_src = argv[2];
    if (access(g_bin, X_OK) != 0) {
        fprintf(stderr, "test_api: %s is not an executable: %s\n", g_bin, strerror(errno));
        exit(2);
    }
    setenv("SANQU_PWHASH_MIN", "1", 1);
    /* SANQU_TEST_WRAPPER="valgrind --error-exitcode=99 ..." runs the server under that command
     * (split on spaces); every time limit grows tenfold (SANQU_TEST_TIME_SCALE=N sets the factor). */
    const char *wrap = getenv("SANQU_TEST_WRAPPER");
    if (wrap && *wrap) {
        g_wrap_text = xstrdup(wrap);
        int n = 0;
        for (char *w = strtok(g_wrap_text, " \t"); w && n < MAX_WRAP - 1; w = strtok(NULL, " \t")) g_wrap[n++] = w;
        g_wrap[n] = NULL;
        g_scale = 10;
    }
    const char *scale = getenv("SANQU_TEST_TIME_SCALE");
    if (scale && atoi(scale) > 0) g_scale = atoi(scale);
    unsetenv("SANQU_DB");
    unsetenv("SANQU_WEB_ROOT");
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "test_api: curl_global_init failed\n");
        exit(2);
    }
}

const char *h_bin(void) { return g_bin; }
const char *h_srcdir(void) { return g_src; }
int h_time_scale(void) { return g_scale; }
bool h_wrapped(void) { return g_wrap[0] != NULL; }

/* ---- processes ------------------------------------------------------------------------------- */

/* Forks and execs argv with stdout and stderr appended to log_path and stdin fed from stdin_text
 * (or /dev/null). die_with_parent asks the kernel to SIGTERM the child when we exit. Returns the
 * pid or -1. */
static pid_t spawn(char *const *argv, const char *stdin_text, const char *log_path, bool die_with_parent) {
    int in[2] = {-1, -1};
    if (stdin_text && pipe(in) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        if (stdin_text) {
            close(in[0]);
            close(in[1]);
        }
        return -1;
    }
    if (pid == 0) {
        if (die_with_parent) prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (stdin_text) {
            dup2(in[0], 0);
            close(in[0]);
            close(in[1]);
        } else {
            int nul = open("/dev/null", O_RDONLY);
            if (nul >= 0) {
                dup2(nul, 0);
                close(nul);
            }
        }
        execvp(argv[0], argv); /* a path, or a wrapper such as valgrind found on PATH */
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (stdin_text) {
        close(in[0]);
        size_t n = strlen(stdin_text), off = 0;
        while (off < n) {
            ssize_t w = write(in[1], stdin_text + off, n - off);
            if (w <= 0) break;
            off += (size_t)w;
        }
        close(in[1]);
    }
    return pid;
}

/* Waits up to ms for pid. Returns true when it was reaped, with its raw status in *status. */
static bool wait_for(pid_t pid, int *status, long ms) {
    long long until = now_ms() + ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) return true;
        if (r < 0 && errno != EINTR) return false;
        if (now_ms() > until) return false;
        sleep_ms(5);
    }
}

/* Exit status (0-255) from a raw wait status, or -1 for a death by signal. */
static int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

/* Runs argv to completion within WAIT_MS; returns the exit status or -1 (killed on time-out). */
static int run(char *const *argv, const char *stdin_text, const char *log_path) {
    pid_t pid = spawn(argv, stdin_text, log_path, true);
    if (pid < 0) return -1;
    int status = 0;
    if (!wait_for(pid, &status, WAIT_MS)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fprintf(stderr, "harness: %s did not finish within %d ms\n", argv[0], WAIT_MS);
        return -1;
    }
    return exit_code(status);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* The minimal web UI served from each test server's own web root. */
static bool make_web_root(const char *dir) {
    char p[512];
    snprintf(p, sizeof p, "%s/web", dir);
    if (mkdir(p, 0700) != 0) return false;
    snprintf(p, sizeof p, "%s/web/assets", dir);
    if (mkdir(p, 0700) != 0) return false;
    snprintf(p, sizeof p, "%s/web/index.html", dir);
    if (!write_file(p, "<!doctype html><html><head><title>sanqu test</title>"
                       "<script type=\"module\" src=\"/assets/app.js\"></script></head>"
                       "<body><div id=\"app\"></div></body></html>\n"))
        return false;
    snprintf(p, sizeof p, "%s/web/assets/app.js", dir);
    return write_file(p, "document.getElementById('app').textContent = 'sanqu';\n");
}

Server *h_server_start(const char *const *extra) {
    Server *s = xmalloc(sizeof *s);
    memset(s, 0, sizeof *s);
    s->exit_status = -2;
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/sanqu-api-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->dir)) {
        fprintf(stderr, "harness: mkdtemp %s: %s\n", s->dir, strerror(errno));
        free(s);
        return NULL;
    }
    snprintf(s->db, sizeof s->db, "%s/s.db", s->dir);
    snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
    if (!make_web_root(s->dir)) {
        fprintf(stderr, "harness: cannot create the web root in %s\n", s->dir);
        h_server_free(s);
        return NULL;
    }

    char demo_log[400];
    snprintf(demo_log, sizeof demo_log, "%s/demo.log", s->dir);
    char *demo_argv[] = {(char *)g_bin, "demo", "--db", s->db, "--password-stdin", NULL};
    int rc = run(demo_argv, H_PASSWORD "\n", demo_log);
    if (rc != 0) {
        fprintf(stderr, "harness: `sanqu demo` exited with %d\n", rc);
        show_log("demo output", demo_log);
        h_server_free(s);
        return NULL;
    }

    char port_file[400], web[400];
    snprintf(port_file, sizeof port_file, "%s/port", s->dir);
    snprintf(web, sizeof web, "%s/web", s->dir);
    char *argv[40 + MAX_WRAP];
    int n = 0;
    for (int i = 0; g_wrap[i]; i++) argv[n++] = g_wrap[i];
    const char *fixed[] = {g_bin,   "serve",        "--db",      s->db, "--listen", "127.0.0.1:0", "--port-file",
                           port_file, "--web-root", web, "--quiet"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) argv[n++] = (char *)fixed[i];
    for (int i = 0; extra && extra[i] && n < 39 + MAX_WRAP; i++) argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    s->pid = spawn(argv, NULL, s->log, true);
    if (s->pid < 0) {
        s->pid = 0;
        fprintf(stderr, "harness: cannot start the server: %s\n", strerror(errno));
        h_server_free(s);
        return NULL;
    }
    long long until = now_ms() + WAIT_MS;
    while (now_ms() < until) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            fprintf(stderr, "harness: the server exited during start-up with %d\n", exit_code(status));
            show_log("server log", s->log);
            h_server_free(s);
            return NULL;
        }
        char *p = read_file(port_file);
        if (p) {
            s->port = atoi(p);
            free(p);
            if (s->port > 0) break;
        }
        sleep_ms(5);
    }
    if (s->port <= 0) {
        fprintf(stderr, "harness: no port file %s within %d ms\n", port_file, WAIT_MS);
        show_log("server log", s->log);
        h_server_free(s);
        return NULL;
    }
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    return s;
}

int h_server_stop(Server *s) {
    if (!s) return -1;
    if (s->pid == 0) return s->exit_status;
    int status = 0;
    kill(s->pid, SIGTERM);
    if (wait_for(s->pid, &status, WAIT_MS)) {
        s->exit_status = exit_code(status);
    } else {
        fprintf(stderr, "harness: the server did not stop within %d ms of SIGTERM; killing it\n", WAIT_MS);
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
        s->exit_status = -1;
    }
    s->pid = 0;
    if (s->exit_status != 0) show_log("server log", s->log);
    return s->exit_status;
}

void h_server_free(Server *s) {
    if (!s) return;
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    if (s->dir[0]) {
        if (getenv("SANQU_TEST_KEEP")) fprintf(stderr, "harness: kept %s\n", s->dir);
        else nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(s);
}

int h_cli(Server *s, const char *const *args, char **out) {
    char log[400];
    snprintf(log, sizeof log, "%s/cli.log", s->dir);
    unlink(log);
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)g_bin;
    for (int i = 0; args[i] && n < 39; i++) argv[n++] = (char *)args[i];
    argv[n] = NULL;
    int rc = run(argv, NULL, log);
    if (out) *out = read_file(log);
    return rc;
}

/* ---- HTTP client ----------------------------------------------------------------------------- */

struct Client {
    Server *srv;           /* the server talked to */
    CURL *curl;            /* one easy handle: keeps the cookie jar and the connection */
    char csrf[128];        /* token sent in X-CSRF-Token, "" before login */
    bool send_csrf;        /* whether to send it */
    char *extra[8];        /* one-shot header lines for the next request (owned) */
    int nextra;            /* entries used in extra */
    Resp **resps;          /* every response returned (owned) */
    size_t nresps, cap;    /* entries used / allocated in resps */
    Client *next;          /* the next live client (list of clients not yet freed) */
};

static Client *live_clients; /* every client not yet freed, newest first */

Client *h_client(Server *s) {
    Client *c = xmalloc(sizeof *c);
    memset(c, 0, sizeof *c);
    c->srv = s;
    c->send_csrf = true;
    c->next = live_clients;
    live_clients = c;
    c->curl = curl_easy_init();
    if (!c->curl) {
        fprintf(stderr, "harness: curl_easy_init failed\n");
        abort();
    }
    curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, ""); /* in-memory jar */
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)CURL_TIMEOUT_S);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c->curl, CURLOPT_PATH_AS_IS, 1L);
    return c;
}

static void resp_free(Resp *r) {
    if (!r) return;
    free(r->body);
    json_decref(r->json);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->hname[i]);
        free(r->hvalue[i]);
    }
    free(r->hname);
    free(r->hvalue);
    free(r);
}

void h_client_free(Client *c) {
    if (!c) return;
    for (Client **p = &live_clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    for (size_t i = 0; i < c->nresps; i++) resp_free(c->resps[i]);
    free(c->resps);
    for (int i = 0; i < c->nextra; i++) free(c->extra[i]);
    curl_easy_cleanup(c->curl);
    free(c);
}

void h_client_free_all(void) {
    while (live_clients) h_client_free(live_clients);
}

void h_client_send_csrf(Client *c, bool on) { c->send_csrf = on; }

void h_client_set_csrf(Client *c, const char *token) {
    snprintf(c->csrf, sizeof c->csrf, "%s", token ? token : "");
}

const char *h_client_csrf(const Client *c) { return c->csrf; }

void h_client_session_token(Client *c, char *out, size_t outsz) {
    out[0] = 0;
    struct curl_slist *cookies = NULL;
    if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &cookies) != CURLE_OK) return;
    for (struct curl_slist *e = cookies; e; e = e->next) {
        /* Netscape format: domain, tailmatch, path, secure, expires, name, value (tab-separated). */
        const char *fields[7] = {0};
        int nf = 0;
        const char *p = e->data;
        fields[nf++] = p;
        while (*p && nf < 7) {
            if (*p == '\t') fields[nf++] = p + 1;
            p++;
        }
        if (nf == 7 && strncmp(fields[5], "sanqu_session\t", 14) == 0) snprintf(out, outsz, "%s", fields[6]);
    }
    curl_slist_free_all(cookies);
}

void h_client_header(Client *c, const char *line) {
    if (c->nextra < (int)(sizeof c->extra / sizeof c->extra[0])) c->extra[c->nextra++] = xstrdup(line);
}

/* Body collector. */
typedef struct Sink {
    char *data;
    size_t len, cap;
} Sink;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud) {
    Sink *s = ud;
    size_t n = size * nmemb;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1) cap *= 2;
        s->data = xrealloc(s->data, cap);
        s->cap = cap;
    }
    memcpy(s->data + s->len, ptr, n);
    s->len += n;
    s->data[s->len] = 0;
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud) {
    Resp *r = ud;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
        /* A new header block (after 100 Continue, say): forget the previous one. */
        for (size_t i = 0; i < r->nheaders; i++) {
            free(r->hname[i]);
            free(r->hvalue[i]);
        }
        r->nheaders = 0;
        return n;
    }
    const char *colon = memchr(ptr, ':', n);
    if (!colon) return n;
    size_t nl = (size_t)(colon - ptr);
    const char *v = colon + 1, *end = ptr + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    r->hname = xrealloc(r->hname, (r->nheaders + 1) * sizeof *r->hname);
    r->hvalue = xrealloc(r->hvalue, (r->nheaders + 1) * sizeof *r->hvalue);
    r->hname[r->nheaders] = xmalloc(nl + 1);
    memcpy(r->hname[r->nheaders], ptr, nl);
    r->hname[r->nheaders][nl] = 0;
    r->hvalue[r->nheaders] = xmalloc((size_t)(end - v) + 1);
    memcpy(r->hvalue[r->nheaders], v, (size_t)(end - v));
    r->hvalue[r->nheaders][end - v] = 0;
    r->nheaders++;
    return n;
}

static void keep(Client *c, Resp *r) {
    if (c->nresps == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->resps = xrealloc(c->resps, c->cap * sizeof *c->resps);
    }
    c->resps[c->nresps++] = r;
}

json_t *h_client_own(Client *c, json_t *j) {
    Resp *r = xmalloc(sizeof *r);
    memset(r, 0, sizeof *r);
    r->body = xstrdup("");
    r->json = j;
    keep(c, r);
    return j;
}

Resp *h_req(Client *c, const char *method, const char *path, const char *content_type, const char *body,
            size_t len) {
    Resp *r = xmalloc(sizeof *r);
    memset(r, 0, sizeof *r);
    keep(c, r);
    snprintf(r->method, sizeof r->method, "%s", method);
    snprintf(r->path, sizeof r->path, "%s", path);

    CURL *h = c->curl;
    char url[2048];
    snprintf(url, sizeof url, "%s%s", c->srv->base, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
    bool with_body = body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
                     strcmp(method, "PATCH") == 0;
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (with_body) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        if (strcmp(method, "POST") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        if (strcmp(method, "GET") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, "Expect:");
    char line[300];
    if (content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", content_type);
        hdrs = curl_slist_append(hdrs, line);
    } else {
        hdrs = curl_slist_append(hdrs, "Content-Type:");
    }
    if (c->send_csrf && c->csrf[0]) {
        snprintf(line, sizeof line, "X-CSRF-Token: %s", c->csrf);
        hdrs = curl_slist_append(hdrs, line);
    }
    for (int i = 0; i < c->nextra; i++) {
        hdrs = curl_slist_append(hdrs, c->extra[i]);
        free(c->extra[i]);
    }
    c->nextra = 0;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

    Sink sink = {0};
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);

    CURLcode cc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    if (cc != CURLE_OK) {
        fprintf(stderr, "harness: %s %s: %s\n", method, path, err[0] ? err : curl_easy_strerror(cc));
        r->status = 0;
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    }
    r->body = sink.data ? sink.data : xstrdup("");
    r->len = sink.len;
    if (r->len > 0) r->json = json_loadb(r->body, r->len, 0, NULL);
    return r;
}

__attribute__((format(printf, 3, 0))) static Resp *vreq(Client *c, const char *method, const char *fmt, va_list ap) {
    char path[1024];
    vsnprintf(path, sizeof path, fmt, ap);
    return h_req(c, method, path, NULL, NULL, 0);
}

Resp *h_get(Client *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Resp *r = vreq(c, "GET", fmt, ap);
    va_end(ap);
    return r;
}

Resp *h_del(Client *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Resp *r = vreq(c, "DELETE", fmt, ap);
    va_end(ap);
    return r;
}

Resp *h_send(Client *c, const char *method, const char *path, json_t *body) {
    if (!body) fail_msg("h_send %s %s: the JSON body could not be built (json_pack failed)", method, path);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    assert_non_null(text);
    Resp *r = h_req(c, method, path, "application/json", text, strlen(text));
    free(text);
    return r;
}

Resp *h_login(Client *c, const char *user, const char *password) {
    Resp *r = h_send(c, "POST", "/api/v1/session", json_pack("{s:s, s:s}", "username", user, "password", password));
    const char *tok = r->status == 200 ? h_jstr(r->json, "csrf_token") : NULL;
    if (tok) snprintf(c->csrf, sizeof c->csrf, "%s", tok);
    return r;
}

Client *h_client_as(Server *s, const char *user) {
    Client *c = h_client(s);
    Resp *r = h_login(c, user, H_PASSWORD);
    if (r->status != 200) h_fail_resp(r, __FILE__, __LINE__, "login as %s failed", user);
    return c;
}

const char *h_header(const Resp *r, const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->hname[i], name) == 0) return r->hvalue[i];
    return NULL;
}

json_t *h_jpath(json_t *j, const char *path) {
    char key[256];
    const char *p = path;
    while (j && *p) {
        size_t n = strcspn(p, ".[");
        if (n > 0) {
            if (n >= sizeof key) return NULL;
            memcpy(key, p, n);
            key[n] = 0;
            j = json_object_get(j, key);
            p += n;
        }
        while (j && *p == '[') {
            char *end;
            long idx = strtol(p + 1, &end, 10);
            if (*end != ']') return NULL;
            j = json_array_get(j, (size_t)idx);
            p = end + 1;
        }
        if (*p == '.') p++;
    }
    return j;
}

long long h_jint(json_t *j, const char *path) {
    json_t *v = h_jpath(j, path);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

const char *h_jstr(json_t *j, const char *path) {
    json_t *v = h_jpath(j, path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *h_all_items(Client *c, const char *path, long long *total) {
    json_t *all = h_client_own(c, json_array());
    char sep = strchr(path, '?') ? '&' : '?';
    if (total) *total = -1;
    for (int page = 1; page <= 1000; page++) {
        Resp *r = h_get(c, "%s%cpage=%d&page_size=200", path, sep, page);
        if (r->status != 200 || !json_is_array(h_jpath(r->json, "items"))) {
            h_fail_resp(r, __FILE__, __LINE__, "listing %s: expected 200 with items[]%s", path,
                        r->status == 200 && !r->json ? " (the body is not valid JSON)" : "");
            return all;
        }
        long long t = h_jint(r->json, "total");
        if (total && page == 1) *total = t;
        json_t *items = h_jpath(r->json, "items");
        json_array_extend(all, items);
        if ((long long)json_array_size(all) >= t || json_array_size(items) == 0) break;
    }
    return all;
}

static char ring[16][2048];
static int ring_next;

const char *h_fmt(const char *fmt, ...) {
    char *b = ring[ring_next++ % 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof ring[0], fmt, ap);
    va_end(ap);
    return b;
}

const char *h_esc(const char *s) {
    char *b = ring[ring_next++ % 16];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < sizeof ring[0]; p++) {
        if (isalnum(*p) || strchr("-_.~", *p)) b[o++] = (char)*p;
        else o += (size_t)snprintf(b + o, 4, "%%%02X", *p);
    }
    b[o] = 0;
    return b;
}

/* ---- raw sockets ------------------------------------------------------------------------------ */

int h_raw_connect(const Server *s) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct timeval tv = {CURL_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Writes all of buf; a peer that closes early (it answered already) is not an error. */
static void raw_write(int fd, const char *buf, size_t len) {
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL);
        if (w <= 0) return;
        off += (size_t)w;
    }
}

static int raw_finish(int fd, char **out) {
    Sink sink = {0};
    char buf[8192];
    long long until = now_ms() + CURL_TIMEOUT_S * 1000;
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) on_body(buf, 1, (size_t)n, &sink);
        if (n == 0 || now_ms() > until) break;
        if (n < 0 && errno != EINTR) break;
    }
    close(fd);
    int status = -1;
    if (sink.data && strncmp(sink.data, "HTTP/1.", 7) == 0 && strlen(sink.data) > 12)
        status = atoi(sink.data + 9);
    if (out) *out = sink.data ? sink.data : xstrdup("");
    else free(sink.data);
    return status;
}

int h_raw(const Server *s, const char *req, size_t len, char **out) {
    int fd = h_raw_connect(s);
    if (fd < 0) {
        if (out) *out = xstrdup("");
        return -1;
    }
    raw_write(fd, req, len);
    return raw_finish(fd, out);
}

int h_raw_split(const Server *s, const char *head, const char *tail, void (*after_head)(void *), void *ud,
                char **out) {
    int fd = h_raw_connect(s);
    if (fd < 0) {
        if (out) *out = xstrdup("");
        return -1;
    }
    raw_write(fd, head, strlen(head));
    if (after_head) after_head(ud);
    raw_write(fd, tail, strlen(tail));
    return raw_finish(fd, out);
}

/* ---- assertions ------------------------------------------------------------------------------- */

void h_fail_resp(const Resp *r, const char *file, int line, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r) {
        const char *ct = h_header(r, "Content-Type");
        print_error("%s\n  request: %s %s\n  status: %ld  content-type: %s\n  body: %.1500s%s\n", msg, r->method,
                    r->path, r->status, ct ? ct : "(none)", r->body ? r->body : "",
                    r->len > 1500 ? " …" : "");
    } else {
        print_error("%s\n", msg);
    }
    _fail(file, line);
}

void h_expect_status(const Resp *r, long want, const char *file, int line) {
    if (r->status != want) h_fail_resp(r, file, line, "expected status %ld, got %ld", want, r->status);
}

void h_expect_problem(const Resp *r, long status, const char *slug, const char *file, int line) {
    if (r->status != status) h_fail_resp(r, file, line, "expected status %ld (%s), got %ld", status, slug, r->status);
    const char *ct = h_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/problem+json", 24) != 0)
        h_fail_resp(r, file, line, "expected Content-Type application/problem+json");
    if (!json_is_object(r->json)) h_fail_resp(r, file, line, "the problem body is not a JSON object");
    const char *type = h_jstr(r->json, "type");
    size_t tl = type ? strlen(type) : 0, sl = strlen(slug);
    if (!type || tl < sl + 1 || strcmp(type + tl - sl, slug) != 0 || strchr(":/", type[tl - sl - 1]) == NULL)
        h_fail_resp(r, file, line, "expected a problem type ending in '%s', got '%s'", slug, type ? type : "(none)");
    if (h_jint(r->json, "status") != status)
        h_fail_resp(r, file, line, "expected member \"status\": %ld in the problem", status);
    if (!h_jstr(r->json, "title")) h_fail_resp(r, file, line, "expected a \"title\" in the problem");
}

/* True when errors[] of r holds field (and rule, unless rule is NULL). */
static bool has_field_error(const Resp *r, const char *field, const char *rule) {
    json_t *errs = h_jpath(r->json, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e) {
        const char *f = h_jstr(e, "field"), *ru = h_jstr(e, "rule");
        if (f && strcmp(f, field) == 0 && (!rule || (ru && strcmp(ru, rule) == 0))) return true;
    }
    return false;
}

void h_expect_field_error(const Resp *r, const char *field, const char *rule, const char *file, int line) {
    const char *want = rule ? rule : "(any)";
    if (!json_is_array(h_jpath(r->json, "errors")))
        h_fail_resp(r, file, line, "expected an errors[] array with {field: %s, rule: %s}", field, want);
    if (!has_field_error(r, field, rule))
        h_fail_resp(r, file, line, "expected errors[] to hold {field: %s, rule: %s}", field, want);
}

void h_expect_no_field_error(const Resp *r, const char *field, const char *file, int line) {
    if (has_field_error(r, field, NULL)) h_fail_resp(r, file, line, "expected no error on field %s", field);
}

/* The value of directive name in a CSP ("script-src 'self'"), copied into out; false when absent. */
static bool csp_directive(const char *csp, const char *name, char *out, size_t outsz) {
    size_t nl = strlen(name);
    const char *p = csp;
    while (*p) {
        while (*p == ' ' || *p == ';') p++;
        size_t dl = strcspn(p, ";");
        if (dl >= nl && strncasecmp(p, name, nl) == 0 && (p[nl] == ' ' || p[nl] == ';' || p[nl] == 0)) {
            snprintf(out, outsz, "%.*s", (int)dl, p);
            return true;
        }
        p += dl;
    }
    return false;
}

void h_expect_security_headers(const Resp *r, const char *file, int line) {
    const char *csp = h_header(r, "Content-Security-Policy");
    if (!csp) h_fail_resp(r, file, line, "missing Content-Security-Policy");
    char dir[512];
    bool script = csp_directive(csp, "script-src", dir, sizeof dir) || csp_directive(csp, "default-src", dir, sizeof dir);
    if (!script) h_fail_resp(r, file, line, "the CSP has neither script-src nor default-src: %s", csp);
    if (strstr(dir, "'unsafe-inline'") || strstr(dir, "'unsafe-eval'") || strstr(dir, "*"))
        h_fail_resp(r, file, line, "the CSP's script sources allow inline or foreign script: %s", dir);
    const char *nosniff = h_header(r, "X-Content-Type-Options");
    if (!nosniff || strcasecmp(nosniff, "nosniff") != 0) h_fail_resp(r, file, line, "missing X-Content-Type-Options: nosniff");
    const char *xfo = h_header(r, "X-Frame-Options");
    char fa[256];
    bool frames_denied = (xfo && (strcasecmp(xfo, "DENY") == 0 || strcasecmp(xfo, "SAMEORIGIN") == 0)) ||
                         (csp_directive(csp, "frame-ancestors", fa, sizeof fa) && !strstr(fa, "*"));
    if (!frames_denied) h_fail_resp(r, file, line, "neither X-Frame-Options nor CSP frame-ancestors limits framing");
    const char *rp = h_header(r, "Referrer-Policy");
    if (!rp || !*rp || strcasecmp(rp, "unsafe-url") == 0) h_fail_resp(r, file, line, "missing or unsafe Referrer-Policy");
}
