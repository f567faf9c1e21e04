/*
 * http.c: HTTP/1.1 through libmicrohttpd, polled from the server's loop
 * (no thread of its own: MHD_USE_EPOLL gives one descriptor to wait on).
 * A request's body is gathered up to MAX_BODY bytes, then handed to
 * protocol.c; the answer is queued at once, or, when the action defers it,
 * the connection is suspended until http_resume. A GET without
 * X-Amz-Target is a browser's: it gets a page (pages.c). MHD does the socket work
 * without blocking, so a client that stalls holds only its own connection.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"
#include "server.h"

/* The largest body taken: a definition may be 1 MiB, and its JSON string
 * escapes may double it. */
enum { MAX_BODY = 4 << 20 };

struct srv_http {
    srv *s;
    struct MHD_Daemon *d;
    unsigned long requests;
};

typedef struct conn {
    srv_http *h;
    struct MHD_Connection *mc;
    asl_buf body;
    bool too_big;
    bool dispatched;
    srv_call call;
    struct timespec start;
} conn;

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

static enum MHD_Result respond(conn *c)
{
    srv_http *h = c->h;
    const char *body = c->call.body ? c->call.body : "{}";
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    char id[40];
    h->requests++;
    snprintf(id, sizeof id, "00000000-0000-4000-8000-%012lx", h->requests);
    MHD_add_response_header(r, "Content-Type", "application/x-amz-json-1.0");
    MHD_add_response_header(r, "x-amzn-RequestId", id);
    enum MHD_Result ok = MHD_queue_response(c->mc, (unsigned)c->call.status, r);
    MHD_destroy_response(r);
    if (h->s->opt.verbose)
        fprintf(stderr, "aslc serve: %s %d %.2f ms\n", c->call.action ? c->call.action : "-", c->call.status,
                since(&c->start));
    return ok;
}

/* GET without X-Amz-Target: a browser's request for a page (pages.c). */
static enum MHD_Result page(conn *c, const char *url)
{
    int status;
    const char *arn = MHD_lookup_connection_value(c->mc, MHD_GET_ARGUMENT_KIND, "arn");
    char *body = pages_get(c->h->s, url, arn, &status);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", status == 200 ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(c->mc, (unsigned)status, r);
    MHD_destroy_response(r);
    if (c->h->s->opt.verbose)
        fprintf(stderr, "aslc serve: GET %s %d %.2f ms\n", url, status, since(&c->start));
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **ctx)
{
    (void)version;
    conn *c = *ctx;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        c->h = cls;
        c->mc = mc;
        clock_gettime(CLOCK_MONOTONIC, &c->start);
        *ctx = c;
        return MHD_YES;
    }
    if (*upload_size) {
        if (c->body.len + *upload_size > MAX_BODY)
            c->too_big = true;
        else
            asl_buf_put(&c->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strcmp(method, "GET") && !MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Amz-Target") &&
        !c->dispatched) {
        c->dispatched = true;
        return page(c, url);
    }
    if (!c->dispatched) {
        c->dispatched = true;
        if (strcmp(method, "POST")) {
            srv_reply_error(&c->call, "UnknownOperationException", "the Step Functions API takes POST /, not %s",
                            method);
        } else if (c->too_big) {
            srv_reply_error(&c->call, "ValidationException", "the request body is larger than %d bytes", MAX_BODY);
        } else {
            const char *target = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Amz-Target");
            asl_buf_putc(&c->body, '\0');
            srv_dispatch(c->h->s, &c->call, target, c->body.p, c->body.len - 1);
        }
        if (!c->call.status) {
            c->call.conn = c;
            MHD_suspend_connection(mc);
            return MHD_YES;
        }
    }
    return respond(c);
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **ctx, enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)mc;
    (void)why;
    conn *c = *ctx;
    if (!c)
        return;
    asl_buf_free(&c->body);
    cJSON_Delete(c->call.in);
    free(c->call.body);
    free(c);
    *ctx = NULL;
}

void http_resume(srv_call *call)
{
    conn *c = call->conn;
    if (!c)
        return;
    call->conn = NULL;
    MHD_resume_connection(c->mc);
}

static bool resolve(const char *host, int port, struct sockaddr_storage *sa, socklen_t *len)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    if (getaddrinfo(host, service, &hints, &res) || !res)
        return false;
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

srv_http *http_start(srv *s, const char *host, int port)
{
    struct sockaddr_storage sa;
    socklen_t salen;
    if (!resolve(host, port, &sa, &salen)) {
        fprintf(stderr, "aslc serve: cannot resolve host '%s'\n", host);
        return NULL;
    }
    srv_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->s = s;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO;
    if (sa.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_LISTEN_BACKLOG_SIZE,
                            (unsigned)512, MHD_OPTION_END);
    if (!h->d) {
        fprintf(stderr, "aslc serve: cannot listen on %s port %d (in use?)\n", host, port);
        free(h);
        return NULL;
    }
    return h;
}

int http_port(const srv_http *h)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

int http_fd(const srv_http *h)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
    return i ? i->epoll_fd : -1;
}

long http_timeout(srv_http *h)
{
    MHD_UNSIGNED_LONG_LONG t;
    if (MHD_get_timeout(h->d, &t) != MHD_YES)
        return -1;
    return t > 60000 ? 60000 : (long)t;
}

void http_run(srv_http *h)
{
    MHD_run(h->d);
}

void http_stop(srv_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    free(h);
}
