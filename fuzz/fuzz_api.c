/*
 * fuzz_api.c: the HTTP API of `aslc serve` without sockets. One input is
 * a session, one request a line: the X-Amz-Target, a space, the JSON
 * body (AWS JSON 1.0). A target without a '.' gets "AWSStepFunctions."
 * before it, "-" stands for no X-Amz-Target header, and a line
 * "GET PATH [ARN]" asks for a page as a browser does. Each request goes
 * through srv_dispatch (server/protocol.c) as http.c hands it over, then
 * the engine runs on the virtual clock until nothing moves; calls that wait
 * (StartSyncExecution, GetActivityTask) are answered when they can, the
 * rest when the session ends. A fresh server per input, keeping nothing
 * (--in-memory). Seeds: the requests of tests/server/ and the cases of
 * tests/cases/ (fuzz/seed.py). A page's graph would run Graphviz's dot, a
 * process of its own that is not the server's code and takes seconds on a
 * busy machine: PATH is emptied so that pages take their no-graph branch.
 */
#include <stdio.h>

#include "aslc.h"
#include "common.h"
#include "server.h"

/* Bounds a session: requests, and engine turns after each one. */
enum { MAX_CALLS = 256, MAX_TURNS = 10000 };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setenv("PATH", "/nonexistent", 1);
    return 0;
}

static void settle(srv *s)
{
    for (int turn = 0; turn < MAX_TURNS; turn++) {
        asl_engine_wait w = {.deadline = -1};
        int running = asl_engine_step(s->engine, &w);
        int answered = pending_check(s);
        if (!answered && (!running || w.deadline < 0))
            break;
    }
}

static void page(srv *s, char *req)
{
    char *arn = strchr(req, ' ');
    if (arn)
        *arn++ = '\0';
    int status;
    free(pages_get(s, req, arn, &status));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    srv s = {.opt = {.host = "127.0.0.1", .region = "us-east-1", .account = "123456789012", .wait_scale = -1,
                     .in_memory = true, .virtual_time = true}};
    if (!srv_init(&s))
        abort();
    static int echo = -1; /* FUZZ_API_ECHO=1: each answer on stderr, to read a replay */
    if (echo < 0)
        echo = getenv("FUZZ_API_ECHO") != NULL;
    srv_call calls[MAX_CALLS];
    int ncalls = 0;
    /* Lines by length, not by NUL: a body may hold NUL bytes, as over HTTP. */
    for (char *line = text, *end = text + size, *rest; line < end && ncalls < MAX_CALLS; line = rest) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        rest = nl ? nl + 1 : end;
        *(nl ? nl : end) = '\0';
        if (!strncmp(line, "GET ", 4)) {
            page(&s, line + 4);
            continue;
        }
        char *body = memchr(line, ' ', strlen(line));
        size_t len = body ? (size_t)((nl ? nl : end) - ++body) : 0;
        if (body)
            body[-1] = '\0';
        char *target = NULL;
        if (strcmp(line, "-"))
            target = strchr(line, '.') ? strdup(line) : srv_printf("AWSStepFunctions.%s", line);
        srv_call *c = &calls[ncalls++];
        *c = (srv_call){0};
        srv_dispatch(&s, c, target, body ? body : "", len);
        free(target);
        settle(&s);
        if (echo)
            fprintf(stderr, "%d %s\n", c->status, c->body ? c->body : "(waits)");
    }
    pending_cancel(&s);
    for (int i = 0; i < ncalls; i++) {
        if (!calls[i].status || !calls[i].body)
            abort(); /* every call is answered by the end, as http.c needs */
        cJSON_Delete(calls[i].in);
        free(calls[i].body);
    }
    srv_free(&s);
    free(text);
    return 0;
}
