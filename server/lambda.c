/*
 * lambda.c: --lambda-endpoint URL. Every Lambda task that no local handler
 * serves (C handlers, --lambda processes) is sent to an endpoint that
 * speaks Lambda's Invoke API (`sam local start-lambda`, LocalStack):
 * POST URL/2015-03-31/functions/NAME/invocations with the event as body.
 * libcurl's multi interface runs the requests; serve.c's loop waits on
 * their sockets and calls lambda_run, so a slow function holds up nothing
 * else. The answer maps to the task's outcome as Step Functions maps it:
 * the payload on success (wrapped by the runtime as lambda:invoke returns
 * it), the function's errorType with the payload as cause when the
 * function failed (X-Amz-Function-Error), Lambda.<ErrorCode> for an error
 * of the service, Lambda.SdkClientException when the endpoint cannot be
 * reached.
 */
#include <curl/curl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "handlers.h"
#include "ids.h"
#include "server.h"

enum { MAX_RESPONSE = 6 << 20 };   /* Lambda's payload limit */

typedef struct invocation {
    asl_task *task;
    CURL *easy;
    struct curl_slist *headers;
    asl_buf body;
    char function_error[64];    /* X-Amz-Function-Error */
    char error_type[128];       /* x-amzn-ErrorType */
    bool too_big;
    struct invocation *next;    /* in the list of requests in flight */
} invocation;

static invocation *in_flight;   /* one server per process */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    invocation *iv = ud;
    size_t k = size * n;
    if (iv->body.len + k > MAX_RESPONSE)
        iv->too_big = true;
    else
        asl_buf_put(&iv->body, p, k);
    return k;
}

/* Keeps the header's value (trimmed, up to ':' for x-amzn-ErrorType). */
static void header_value(const char *line, size_t n, size_t skip, char *out, size_t cap, bool to_colon)
{
    const char *v = line + skip;
    size_t len = n - skip;
    while (len && (*v == ' ' || *v == '\t'))
        v++, len--;
    while (len && strchr("\r\n ", v[len - 1]))
        len--;
    if (to_colon)
        len = strcspn(v, ":\r\n") < len ? strcspn(v, ":\r\n") : len;
    snprintf(out, cap, "%.*s", (int)len, v);
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    invocation *iv = ud;
    size_t k = size * n;
    if (k > 21 && !strncasecmp(line, "X-Amz-Function-Error:", 21))
        header_value(line, k, 21, iv->function_error, sizeof iv->function_error, false);
    else if (k > 17 && !strncasecmp(line, "x-amzn-ErrorType:", 17))
        header_value(line, k, 17, iv->error_type, sizeof iv->error_type, true);
    return k;
}

static void invoke(void *ud, asl_task *t, const char *function, const char *event)
{
    srv *s = ud;
    invocation *iv = calloc(1, sizeof *iv);
    CURL *e = curl_easy_init();
    if (!iv || !e) {
        free(iv);
        asl_task_fail(t, "Lambda.SdkClientException", "cannot start an HTTP request");
        return;
    }
    iv->task = t;
    iv->easy = e;
    char *esc = curl_easy_escape(e, function, 0);
    const char *base = s->opt.lambda_endpoint;
    size_t bl = strlen(base);
    char *url = srv_printf("%.*s/2015-03-31/functions/%s/invocations", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl),
                           base, esc);
    curl_free(esc);
    iv->headers = curl_slist_append(NULL, "Content-Type: application/json");
    iv->headers = curl_slist_append(iv->headers, "X-Amz-Invocation-Type: RequestResponse");
    iv->headers = curl_slist_append(iv->headers, "Expect:");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, iv->headers);
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, event);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, iv);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, iv);
    curl_easy_setopt(e, CURLOPT_PRIVATE, iv);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 900L);      /* Lambda's longest run */
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    free(url);
    iv->next = in_flight;
    in_flight = iv;
    curl_multi_add_handle(s->lambda, e);
}

/* The task's outcome from a finished request. */
static void finish(invocation *iv, CURLcode rc)
{
    asl_task *t = iv->task;
    long status = 0;
    curl_easy_getinfo(iv->easy, CURLINFO_RESPONSE_CODE, &status);
    const char *body = iv->body.p ? iv->body.p : "";
    char id[37];
    asl_uuid(id);
    if (rc != CURLE_OK) {
        char *cause = srv_printf("Unable to execute HTTP request: %s", curl_easy_strerror(rc));
        asl_task_fail(t, "Lambda.SdkClientException", cause);
        free(cause);
    } else if (iv->too_big) {
        asl_task_fail(t, "Lambda.SdkClientException", "the function's response is larger than 6 MB");
    } else if (status >= 200 && status < 300 && iv->function_error[0]) {
        cJSON *p = cJSON_Parse(body);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "errorType");
        asl_task_fail(t, cJSON_IsString(type) ? type->valuestring : "Lambda.Unknown", body);
        cJSON_Delete(p);
    } else if (status >= 200 && status < 300) {
        asl_task_succeed(t, *body ? body : "null");
    } else {
        const char *code = iv->error_type[0] ? iv->error_type
                           : status == 429   ? "TooManyRequestsException"
                           : status >= 500   ? "ServiceException"
                                             : "AWSLambdaException";
        cJSON *p = cJSON_Parse(body);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(p, "Message");
        if (!m)
            m = cJSON_GetObjectItemCaseSensitive(p, "message");
        char *error = srv_printf("Lambda.%s", code);
        char *cause = srv_printf("%s (Service: AWSLambda; Status Code: %ld; Error Code: %s; Request ID: %s; Proxy: "
                                 "null)", cJSON_IsString(m) ? m->valuestring : body, status, code, id);
        asl_task_fail(t, error, cause);
        free(error);
        free(cause);
        cJSON_Delete(p);
    }
}

static void drop(srv *s, invocation *iv)
{
    for (invocation **p = &in_flight; *p; p = &(*p)->next)
        if (*p == iv) {
            *p = iv->next;
            break;
        }
    curl_multi_remove_handle(s->lambda, iv->easy);
    curl_easy_cleanup(iv->easy);
    curl_slist_free_all(iv->headers);
    asl_buf_free(&iv->body);
    free(iv);
}

bool lambda_init(srv *s)
{
    if (!s->opt.lambda_endpoint)
        return true;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(s->lambda = curl_multi_init())) {
        fputs("aslc serve: cannot start libcurl\n", stderr);
        return false;
    }
    asl_handlers_set_lambda(invoke, s);
    return true;
}

void lambda_run(srv *s)
{
    if (!s->lambda)
        return;
    int running;
    curl_multi_perform(s->lambda, &running);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(s->lambda, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        invocation *iv;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&iv);
        CURLcode rc = m->data.result;
        finish(iv, rc);
        drop(s, iv);
    }
}

int lambda_fds(srv *s, struct pollfd *fds, int max, long *timeout_ms)
{
    *timeout_ms = -1;
    if (!s->lambda)
        return 0;
    fd_set r, w, x;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    int maxfd = -1, n = 0;
    curl_multi_fdset(s->lambda, &r, &w, &x, &maxfd);
    for (int fd = 0; fd <= maxfd && n < max; fd++) {
        short ev = (short)((FD_ISSET(fd, &r) ? POLLIN : 0) | (FD_ISSET(fd, &w) ? POLLOUT : 0));
        if (ev)
            fds[n++] = (struct pollfd){.fd = fd, .events = ev};
    }
    curl_multi_timeout(s->lambda, timeout_ms);
    /* libcurl may have work without a socket yet (name resolution). */
    if (*timeout_ms < 0 || *timeout_ms > 100) {
        int running = 0;
        curl_multi_perform(s->lambda, &running);
        if (running && maxfd < 0)
            *timeout_ms = 10;
    }
    return n;
}

void lambda_free(srv *s)
{
    if (!s->lambda)
        return;
    asl_handlers_set_lambda(NULL, NULL);
    while (in_flight) {
        asl_task_fail(in_flight->task, "Lambda.SdkClientException", "aslc serve stopped");
        drop(s, in_flight);
    }
    curl_multi_cleanup(s->lambda);
    curl_global_cleanup();
    s->lambda = NULL;
}
