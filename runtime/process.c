/*
 * process.c: process task handlers (--lambda NAME=COMMAND). A task served by
 * a process runs COMMAND through /bin/sh -c with the event JSON on stdin:
 * exit status 0 and JSON on stdout is the function's result; a non-zero exit
 * status and a Lambda error payload ({"errorType", "errorMessage", ...}) on
 * stdout fails the task with errorType as the error and the payload as the
 * cause, as Step Functions reports a Lambda function's error. COMMAND may
 * also be python:FILE.py[:FUNCTION] or node:FILE.js[:FUNCTION], which call a
 * real Lambda handler through the runners in runners/: those stay alive
 * between invocations (warm.c), and an invocation is a request written to
 * an idle runner rather than a process started.
 *
 * Processes run while the scheduler goes on: each is a record here, with
 * non-blocking pipes for its stdin and stdout, and the scheduler calls
 * asl_poll_external whenever it has nothing ready. That writes the events,
 * reads the results, reaps the processes and delivers what they answered.
 * A process whose task ended first (TimeoutSeconds, HeartbeatSeconds, the
 * execution failing or timing out) is killed with its process group and its
 * answer dropped.
 *
 * Every process gets the environment of a Lambda function (AWS_REGION,
 * AWS_LAMBDA_FUNCTION_NAME, ...) plus what AWS's runtime API tells a runtime
 * per invocation: ASLC_REQUEST_ID, ASLC_FUNCTION_ARN and ASLC_DEADLINE_MS
 * (epoch milliseconds at which the task's timeout ends it).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "handlers.h"
#include "procgroups.h"
#include "ids.h"
#include "quotas.h"
#include "spawn.h"
#include "warm.h"

enum {
    RESPONSE_LIMIT = 6 * 1024 * 1024, /* Lambda's limit on a response: we keep no more */
    MAX_RUNNING = 64,                 /* processes at once; more wait for a free place */
    RETRY_MAX_MS = 100,               /* longest wait between looks at a closed-but-alive process */
};

/* Lambda's longest function timeout (--lambda-timeout changes it): a process
 * whose task sets no TimeoutSeconds is ended after it, as Lambda ends a
 * function, and it is the context's remaining time. */
static double function_timeout = 900.0;

void asl_process_set_timeout(double seconds)
{
    function_timeout = seconds;
}

#define LAMBDA_INVOKE "arn:aws:states:::lambda:invoke"

typedef struct proc {
    asl_task *task;
    char *command;              /* what follows NAME= */
    char *input;                /* the event, written to stdin */
    size_t in_len, in_off;
    char *fname, *arn;          /* the function's name and ARN */
    char request_id[37];
    double limit;               /* seconds the task may run (0: no limit) */
    double deadline;            /* real time at which its timers end it (0: none) */
    double cap;                 /* no timer: real time at which Lambda's own timeout ends it */
    bool cb_skip;               /* a callback line over the limit: dropping it up to its newline */
    asl_runner *runner;         /* the warm runner handling it (whose descriptors in, out, cb are) */
    bool warm;                  /* served by a warm runner (even once let go) */
    bool answered;              /* the runner's answer is complete in buf (then only the result) */
    bool keep;                  /* the runner stays alive after answering */
    bool warm_tail;             /* the runner was asked for the invocation's log (LogType Tail) */
    asl_buf tail;               /* the runner's log of the invocation (LogType Tail) */
    pid_t pid;                  /* 0 while waiting for a place */
    int in, out;                /* our pipe ends, -1 once closed */
    int cb;                     /* the callback pipe's read end (fd 3 in the process), -1 once closed */
    int log;                    /* LogType Tail: a memory file that is the process's stderr, else -1 */
    double started;             /* real time it was started */
    asl_buf cbbuf;              /* callback text not yet handled */
    asl_buf buf;                /* stdout so far */
    bool overflow;              /* stdout passed RESPONSE_LIMIT; the rest was dropped */
    int status;                 /* wait status, once reaped */
    bool reaped;
    int retry_ms;               /* stdout closed, process alive: look again this soon */
    struct proc *next;
} proc;

static struct {
    proc *head, *tail;          /* in the order they were started */
    int running;
} P;

static double real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the task still waits for this process's answer. */
static bool task_live(const asl_task *t)
{
    return !t->done && t->frame && t->frame->task == t;
}

/* ---------------------------------------------------- function identity */

static bool is_lambda_invoke(const char *resource)
{
    size_t n = strlen(LAMBDA_INVOKE);
    return !strncmp(resource, LAMBDA_INVOKE, n) && (resource[n] == '\0' || resource[n] == '.');
}

/* A Lambda function ARN used directly as the resource (the legacy form). */
static bool is_function_arn(const char *resource)
{
    return !strncmp(resource, "arn:", 4) && strstr(resource, ":lambda:") && strstr(resource, ":function:");
}

/* The function's name and ARN: from the resource, or from the FunctionName
 * parameter of lambda:invoke (a name, a partial or a full ARN). */
static void function_identity(proc *p, const asl_task *t)
{
    const char *ref = t->resource;
    if (is_lambda_invoke(t->resource) && t->frame) {
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(t->frame->effective, "FunctionName");
        if (cJSON_IsString(fn))
            ref = fn->valuestring;
    }
    const char *name = strstr(ref, ":function:");
    name = name ? name + 10 : ref;
    p->fname = strndup(name, strcspn(name, ":"));
    asl_buf b = {0};
    if (!strncmp(ref, "arn:", 4))
        asl_buf_puts(&b, ref);
    else
        asl_buf_printf(&b, "arn:aws:lambda:%s:%s:function:%s", asl_region(), asl_account(), p->fname);
    p->arn = b.p;
}

/* ------------------------------------------------------------ time limits */

/* Seconds the task's TimeoutSeconds(Path) allows, or 0. */
static double task_timeout(asl_task *t)
{
    const asl_node *n = t->state->timeout;
    asl_frame *f = t->frame;
    if (!n || !f)
        return 0;
    if (n->kind == ASL_N_NUMBER)
        return n->num;
    asl_ctx c;
    asl_ctx_init(&c, f, f->data);
    const cJSON *v = NULL;
    if (asl_path_peek(n, &c, &v) == 0 && cJSON_IsNumber(v) && v->valuedouble > 0)
        return v->valuedouble;
    return 0;
}

static double min_positive(double a, double b)
{
    return a <= 0 ? b : b <= 0 ? a : fmin(a, b);
}

/* Seconds before one of the task's timers (its timeout, heartbeat or the
 * execution's timeout) ends it, or 0 if none will. */
static double time_limit(asl_task *t)
{
    double limit = min_positive(task_timeout(t), ASL_AUX(t, heartbeat_seconds));
    asl_exec *x = t->frame ? t->frame->exec : NULL;
    if (x && x->machine->timeout && x->machine->timeout->kind == ASL_N_NUMBER)
        limit = min_positive(limit, fmax(x->start + x->machine->timeout->num - asl_now(), 0.001));
    return limit;
}

/* -------------------------------------------------------------- spawning */

/* The process's environment: ours plus a Lambda function's. */
static char **build_env(const proc *p)
{
    char deadline[32], group[300];
    double until = p->deadline > 0 ? p->deadline : real_now() + function_timeout;
    snprintf(deadline, sizeof deadline, "%.0f", floor(until * 1000));
    snprintf(group, sizeof group, "/aws/lambda/%s", p->fname);
    const char *pairs[] = {
        "AWS_REGION", asl_region(), "AWS_DEFAULT_REGION", asl_region(), "AWS_LAMBDA_FUNCTION_NAME", p->fname,
        "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128",
        "AWS_LAMBDA_LOG_GROUP_NAME", group, "AWS_LAMBDA_LOG_STREAM_NAME", p->request_id,
        "ASLC_REQUEST_ID", p->request_id, "ASLC_FUNCTION_ARN", p->arn, "ASLC_DEADLINE_MS", deadline,
        "ASLC_CALLBACK_FD", "3", NULL,
    };
    return asl_spawn_env(pairs, NULL);
}

/* lambda:invoke with "LogType": "Tail": the result carries the log. */
static bool wants_log(const asl_task *t)
{
    const cJSON *lt = t->frame ? cJSON_GetObjectItemCaseSensitive(t->frame->effective, "LogType") : NULL;
    return is_lambda_invoke(t->resource) && cJSON_IsString(lt) && !strcmp(lt->valuestring, "Tail");
}

/* What Lambda's log of the invocation holds (START, what the function
 * wrote on stderr, END, REPORT); its last 4 KB, Base64, become the task's
 * LogResult. The function's text still goes to our stderr (a warm runner
 * wrote it there itself and sent us a copy). */
static void keep_log(proc *p)
{
    if (p->log < 0 && !p->warm_tail)
        return;
    asl_buf b = {0};
    asl_buf_printf(&b, "START RequestId: %s Version: $LATEST\n", p->request_id);
    char chunk[65536];
    ssize_t n;
    off_t at = 0;
    while (p->log >= 0 && (n = pread(p->log, chunk, sizeof chunk, at)) > 0) {
        asl_buf_put(&b, chunk, (size_t)n);
        fwrite(chunk, 1, (size_t)n, stderr);
        at += n;
    }
    if (p->tail.len)
        asl_buf_put(&b, p->tail.p, p->tail.len);
    double ms = (real_now() - p->started) * 1000.0;
    asl_buf_printf(&b, "END RequestId: %s\nREPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %.0f ms\t"
                       "Memory Size: 128 MB\tMax Memory Used: 128 MB\t\n",
                   p->request_id, p->request_id, ms, ms < 1 ? 1 : ms + 0.5);
    size_t from = b.len > 4096 ? b.len - 4096 : 0;
    asl_buf enc = {0};
    asl_base64_encode(&enc, b.p + from, b.len - from);
    asl_task_aux *a = asl_task_aux_of(p->task);
    free(a->log_result);
    a->log_result = asl_buf_take(&enc);
    asl_buf_free(&b);
}

/* Hands the invocation to a warm runner of the function: the request
 * replaces the event as what goes to the runner's stdin. */
static int start_warm(proc *p)
{
    asl_runner *r = asl_warm_acquire(p->command, p->fname, p->arn);
    if (!r)
        return -1;
    const struct asl_runner_fds *fd = asl_runner_fds(r);
    p->runner = r;
    p->warm = true;
    p->pid = fd->pid;
    p->in = fd->in;
    p->out = fd->out;
    p->cb = fd->cb;
    p->started = real_now();
    double until = p->deadline > 0 ? p->deadline : real_now() + function_timeout;
    asl_buf req = {0};
    p->warm_tail = wants_log(p->task);
    asl_warm_request(&req, p->request_id, floor(until * 1000), p->warm_tail, p->input);
    free(p->input);
    p->input = req.p;
    p->in_len = req.len;
    return 0;
}

/* Starts the process (or hands the invocation to a warm runner); -1 with
 * errno set. */
static int spawn(proc *p)
{
    if (asl_warm_command(p->command))
        return start_warm(p);
    int pipes[3][2], *in = pipes[0], *out = pipes[1], *cb = pipes[2];
    if (asl_spawn_pipes(pipes, 3) < 0)
        return -1;
    char *argv[] = {"/bin/sh", "-c", p->command, NULL};
    char **env = build_env(p);
    if (wants_log(p->task))
        p->log = memfd_create("aslc-function-log", MFD_CLOEXEC);
    p->started = real_now();
    int fds[ASL_SPAWN_FDS] = {in[0], out[1], p->log, cb[1], -1};
    pid_t pid = asl_spawn(argv, env, false, fds);
    int e = errno;
    asl_spawn_env_free(env);
    asl_spawn_pipes_settle(in, out, cb, pid);
    if (pid < 0) {
        errno = e;
        return -1;
    }
    p->pid = pid;
    p->in = in[1];
    p->out = out[0];
    p->cb = cb[0];
    return 0;
}

/* ------------------------------------------------------------------- I/O */

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Stops using one of p's descriptors: a warm runner's are the runner's,
 * kept open for its next invocation. */
static void release_fd(proc *p, int *fd)
{
    if (p->warm)
        *fd = -1;
    else
        close_fd(fd);
}

/* write() to a pipe whose reader may be gone: SIGPIPE is blocked around the
 * call (and a pending one taken back), so that we only see EPIPE. */
static ssize_t write_quiet(int fd, const char *s, size_t n)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t w = write(fd, s, n);
    int e = errno;
    if (w < 0 && e == EPIPE && !sigismember(&old, SIGPIPE)) {
        const struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return w;
}

/* Writes as much of the event (a warm runner: the request) as the pipe
 * takes; closes stdin when all is written or the process stopped reading. */
static void pump_in(proc *p)
{
    while (p->in >= 0 && p->in_off < p->in_len) {
        ssize_t w = write_quiet(p->in, p->input + p->in_off, p->in_len - p->in_off);
        if (w > 0)
            p->in_off += (size_t)w;
        else if (w < 0 && errno == EINTR)
            continue;
        else if (w < 0 && errno == EAGAIN)
            return;
        else
            break;
    }
    release_fd(p, &p->in);
}

/* A warm runner's answer, once complete: buf keeps the result (or error
 * payload) alone, tail the log, and status says which it is as a process's
 * wait status would (exited 0 or 1). A malformed answer counts as the
 * runner exiting with status 1 without a payload; one announcing more than
 * RESPONSE_LIMIT as an overflow. Either way the runner is not kept. */
static void warm_answer(proc *p)
{
    asl_warm_answer a;
    int f = asl_warm_answer_parse(p->buf.p, p->buf.len, RESPONSE_LIMIT, &a);
    if (f == 0)
        return;
    p->out = -1;
    p->answered = true;
    p->keep = f == 1 && a.keep;
    p->status = (f < 0 ? 1 : a.status) << 8;
    p->overflow = f == 2;
    if (f == 1) {
        asl_buf_put(&p->tail, p->buf.p + a.head + a.len, a.loglen);
        memmove(p->buf.p, p->buf.p + a.head, a.len);
        p->buf.len = a.len;
    } else {
        p->buf.len = 0;
    }
    p->buf.p[p->buf.len] = '\0';
}

/* Reads what stdout (a warm runner: its answer descriptor) has; keeps at
 * most RESPONSE_LIMIT bytes. */
static void pump_out(proc *p)
{
    char chunk[65536];
    while (p->out >= 0) {
        ssize_t n = read(p->out, chunk, sizeof chunk);
        if (n > 0 && p->warm) {
            asl_buf_put(&p->buf, chunk, (size_t)n);
            warm_answer(p);
        } else if (n > 0) {
            if (!p->overflow && p->buf.len + (size_t)n <= RESPONSE_LIMIT)
                asl_buf_put(&p->buf, chunk, (size_t)n);
            else
                p->overflow = true;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return;
        } else {
            release_fd(p, &p->out);
            p->retry_ms = 1;
        }
    }
}

/* One line of the callback channel: a Step Functions call the function
 * makes, {"action": "SendTaskSuccess", "taskToken": ..., "output": ...}
 * (or SendTaskFailure with error and cause, SendTaskHeartbeat). A refused
 * call is reported on stderr: the channel has no way back. */
static void handle_callback(proc *p, const char *line)
{
    cJSON *c = asl_json_parse(line);
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(c, "action");
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(c, "taskToken");
    const char *a = cJSON_IsString(action) ? action->valuestring : "";
    const char *t = cJSON_IsString(token) ? token->valuestring : NULL;
    const char *refused = "InvalidRequest";
    if (!strcmp(a, "SendTaskSuccess")) {
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(c, "output");
        refused = asl_send_task_success(t, cJSON_IsString(out) ? out->valuestring : NULL);
    } else if (!strcmp(a, "SendTaskFailure")) {
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(c, "error");
        const cJSON *cause = cJSON_GetObjectItemCaseSensitive(c, "cause");
        refused = asl_send_task_failure(t, cJSON_IsString(err) ? err->valuestring : NULL,
                                        cJSON_IsString(cause) ? cause->valuestring : NULL);
    } else if (!strcmp(a, "SendTaskHeartbeat")) {
        refused = asl_send_task_heartbeat(t);
    }
    if (refused)
        fprintf(stderr, "aslc: function %s: %s was refused: %s\n", p->fname, a[0] ? a : "(no action)", refused);
    cJSON_Delete(c);
}

/* The longest callback line kept: a SendTaskSuccess output at the payload
 * limit, every byte escaped (6 bytes for \u00XX), and room for the rest. */
static size_t callback_line_limit(void)
{
    return asl_limit.payload_bytes ? asl_limit.payload_bytes * 6 + 65536 : (size_t)1 << 40;
}

/* Handles every complete line in the callback buffer; at the end of the
 * channel (eof) a last line without its newline too. A line over the limit
 * is refused and dropped up to its newline, so the buffer stays bounded. */
static void callback_lines(proc *p, bool eof)
{
    size_t start = 0;
    for (size_t i = 0; i < p->cbbuf.len; i++) {
        if (p->cbbuf.p[i] != '\n')
            continue;
        p->cbbuf.p[i] = '\0';
        if (!p->cb_skip)
            handle_callback(p, p->cbbuf.p + start);
        p->cb_skip = false;
        start = i + 1;
    }
    if (p->cbbuf.len - start > callback_line_limit()) {
        if (!p->cb_skip)
            fprintf(stderr, "aslc: function %s: a callback line longer than %zu bytes was refused\n", p->fname,
                    callback_line_limit());
        p->cb_skip = true;
        start = p->cbbuf.len;
    }
    if (eof && start < p->cbbuf.len && !p->cb_skip) {
        handle_callback(p, p->cbbuf.p + start);
        start = p->cbbuf.len;
    }
    if (start) {
        memmove(p->cbbuf.p, p->cbbuf.p + start, p->cbbuf.len - start);
        p->cbbuf.len -= start;
        p->cbbuf.p[p->cbbuf.len] = '\0';
    }
}

/* Reads the callback channel and handles every complete line. */
static void pump_cb(proc *p)
{
    char chunk[65536];
    while (p->cb >= 0) {
        ssize_t n = read(p->cb, chunk, sizeof chunk);
        if (n > 0) {
            asl_buf_put(&p->cbbuf, chunk, (size_t)n);
            if (p->cbbuf.len > callback_line_limit())
                callback_lines(p, false);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        release_fd(p, &p->cb);
        callback_lines(p, true);
        return;
    }
    callback_lines(p, false);
}

/* Reaps the process once its stdout is closed and it has exited. Whatever
 * it left running in its process group is killed first, while the exited
 * leader still holds the group's id. */
static bool try_reap(proc *p)
{
    if (p->out >= 0)
        return false;
    if (p->answered)
        return true;
    if (p->runner) { /* it died before answering */
        if (!asl_warm_exited(p->runner, &p->status))
            return false;
        asl_warm_discard(p->runner);
        p->runner = NULL;
        p->reaped = true;
        return true;
    }
    siginfo_t si = {0};
    if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0)
        return false;
    kill(-p->pid, SIGKILL);
    while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
        ;
    p->reaped = true;
    return true;
}

/* Ends a process whose answer nobody waits for any more. */
static void kill_proc(proc *p)
{
    release_fd(p, &p->in);
    release_fd(p, &p->out);
    if (p->runner) {
        asl_warm_discard(p->runner);
        p->runner = NULL;
    }
    if (p->warm || p->pid <= 0 || p->reaped)
        return;
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL);
    while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
        ;
    p->reaped = true;
}

/* ------------------------------------------------------------- answers */

/* Python's json.dumps layout (", " and ": "), in which AWS reports a Lambda
 * function's error payload for a function ARN resource. */
static void write_spaced(asl_buf *b, const cJSON *v)
{
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
        asl_json_write(b, v);
        return;
    }
    bool obj = cJSON_IsObject(v);
    asl_buf_putc(b, obj ? '{' : '[');
    for (const cJSON *c = v->child; c; c = c->next) {
        if (c != v->child)
            asl_buf_puts(b, ", ");
        if (obj) {
            asl_json_write_string(b, c->string);
            asl_buf_puts(b, ": ");
        }
        write_spaced(b, c);
    }
    asl_buf_putc(b, obj ? '}' : ']');
}

/* An error payload as the cause AWS reports: for a function ARN resource in
 * the layout AWS's Python runtime writes it, for lambda:invoke compact (the
 * recordings show both; the payload is reprinted so that any handler gives
 * AWS's text). Malloc'd. */
static char *payload_cause(const asl_task *t, const cJSON *payload)
{
    if (!is_function_arn(t->resource))
        return asl_json_print(payload);
    asl_buf b = {0};
    write_spaced(&b, payload);
    return b.p;
}

/* Exit status 0: stdout is the result. Lambda returns the bytes the function
 * wrote; text that is not JSON reaches the state as a string. */
static void deliver_result(proc *p, const char *text, size_t len)
{
    asl_task *t = p->task;
    if ((p->overflow || asl_payload_text_over(len)) && t->state->pattern != ASL_PATTERN_TOKEN) {
        asl_task_fail_data_limit(t);
        return;
    }
    asl_buf why = {0};
    if (!asl_json_text_check(text, len, &why)) {
        asl_buf cause = {0};
        asl_buf_printf(&cause, "handler returned invalid JSON: %s", why.p);
        asl_task_fail(t, "States.Runtime", cause.p);
        asl_buf_free(&cause);
        asl_buf_free(&why);
        return;
    }
    cJSON *v = len ? asl_json_parse(text) : NULL;
    if (v || !len) {
        cJSON_Delete(v);
        asl_task_succeed(t, len ? text : "null");
        return;
    }
    asl_buf s = {0};
    asl_json_write_string(&s, text);
    asl_task_succeed(t, s.p);
    asl_buf_free(&s);
}

/* Fails the task as Lambda reports an error of its own (not the
 * function's): errorType, and the payload {errorType, errorMessage} as
 * the cause. */
static void fail_lambda(proc *p, const char *type, const char *message)
{
    cJSON *payload = cJSON_CreateObject();
    cJSON_AddStringToObject(payload, "errorType", type);
    cJSON_AddStringToObject(payload, "errorMessage", message);
    char *cause = payload_cause(p->task, payload);
    asl_task_fail(p->task, type, cause);
    free(cause);
    cJSON_Delete(payload);
}

/* A process that died without an error payload: what Lambda reports when a
 * runtime exits before answering (error Runtime.ExitError). What it wrote
 * goes to stderr (the start of it), as Lambda puts it in the function's log. */
static void fail_exit(proc *p, const char *text)
{
    size_t len = strlen(text);
    if (len > 4096)
        fprintf(stderr, "%.4096s... (%zu more bytes)\n", text, len - 4096);
    else if (len)
        fprintf(stderr, "%s\n", text);
    char how[128];
    if (WIFSIGNALED(p->status)) {
        snprintf(how, sizeof how, "signal: %s", strsignal(WTERMSIG(p->status)));
        how[8] = (char)tolower((unsigned char)how[8]);
    } else {
        snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(p->status));
    }
    asl_buf msg = {0};
    asl_buf_printf(&msg, "RequestId: %s Error: Runtime exited with error: %s", p->request_id, how);
    fail_lambda(p, "Runtime.ExitError", msg.p);
    asl_buf_free(&msg);
}

/* Non-zero exit status: stdout should be Lambda's error payload. Its
 * errorType is the error; without one Step Functions reports Lambda.Unknown
 * (as for a function Lambda itself timed out). */
static void deliver_error(proc *p, const char *text)
{
    asl_task *t = p->task;
    cJSON *v = p->overflow || !text[0] ? NULL : asl_json_parse(text);
    if (!v) {
        fail_exit(p, text);
        return;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(v, "errorType");
    if (cJSON_IsString(type) && type->valuestring[0]) {
        char *cause = payload_cause(t, v);
        asl_task_fail(t, type->valuestring, cause);
        free(cause);
    } else {
        asl_buf b = {0};
        asl_buf_puts(&b, "The cause could not be determined because Lambda did not return an error type. "
                         "Returned payload: ");
        asl_json_write(&b, v);
        asl_task_fail(t, "Lambda.Unknown", b.p);
        asl_buf_free(&b);
    }
    cJSON_Delete(v);
}

/* Trims white space around stdout; returns the text, NUL-terminated. */
static char *trimmed(asl_buf *b, size_t *len)
{
    if (!b->p)
        asl_buf_puts(b, "");
    char *s = b->p, *e = b->p + b->len;
    while (s < e && *s && strchr(" \t\r\n", *s))
        s++;
    while (e > s && e[-1] && strchr(" \t\r\n", e[-1]))
        e--;
    *e = '\0';
    *len = (size_t)(e - s);
    return s;
}

static void deliver(proc *p)
{
    if (!task_live(p->task))
        return;
    keep_log(p);
    size_t len;
    char *text = trimmed(&p->buf, &len);
    if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0)
        deliver_result(p, text, len);
    else
        deliver_error(p, text);
}

/* --------------------------------------------------------- the registry */

static void proc_free(proc *p)
{
    p->task->held = false;
    release_fd(p, &p->in);
    release_fd(p, &p->out);
    release_fd(p, &p->cb);
    close_fd(&p->log);
    asl_buf_free(&p->tail);
    asl_buf_free(&p->cbbuf);
    free(p->command);
    free(p->input);
    free(p->fname);
    free(p->arn);
    asl_buf_free(&p->buf);
    free(p);
}

/* Forgets a process (reaped, killed or never started). */
static void remove_proc(proc *p)
{
    proc **pp = &P.head, *prev = NULL;
    while (*pp != p) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    *pp = p->next;
    if (P.tail == p)
        P.tail = prev;
    if (p->runner) /* idle again once it answered; else it is in no state to serve */
        p->answered ? asl_warm_release(p->runner, p->keep) : asl_warm_discard(p->runner);
    if (p->pid > 0) {
        P.running--;
        if (!p->warm) /* a runner's group is warm.c's */
            asl_procgroup_remove(p->pid);
    }
    asl_sched_note_pending(-1);
    proc_free(p);
}

/* Kills the processes whose task ended without them (timeout, heartbeat,
 * cancelled frame, a token answered first) and forgets waiting ones. A
 * warm runner finishes the invocation instead, as a Lambda function runs
 * on after Step Functions stopped waiting, until its deadline. */
static void drop_abandoned(void)
{
    proc *next;
    for (proc *p = P.head; p; p = next) {
        next = p->next;
        if (!task_live(p->task)) {
            if (p->runner && !p->answered && p->in_off == p->in_len) { /* (half a request: it goes) */
                double until = p->deadline > 0 ? p->deadline : p->cap > 0 ? p->cap : INFINITY;
                asl_warm_drain(p->runner, p->buf.p, p->buf.len, until);
                p->runner = NULL;
            }
            kill_proc(p);
            remove_proc(p);
        }
    }
}

/* Starts waiting processes while there is room; true if one could not be
 * started (its task failed). */
static bool start_waiting(void)
{
    bool delivered = false;
    proc *next;
    for (proc *p = P.head; p && P.running < MAX_RUNNING; p = next) {
        next = p->next;
        if (p->pid)
            continue;
        if (!task_live(p->task)) {
            remove_proc(p);
        } else if (spawn(p) == 0) {
            P.running++;
            asl_procgroup_add(p->pid);
            if (p->deadline <= 0 && function_timeout > 0)
                p->cap = real_now() + function_timeout;
            pump_in(p);
        } else {
            /* What Lambda answers when it cannot serve: a retriable service error. */
            asl_buf b = {0};
            asl_buf_printf(&b, "Could not start the function's process '%s': %s", p->command, strerror(errno));
            asl_task_fail(p->task, "Lambda.ServiceException", b.p);
            asl_buf_free(&b);
            remove_proc(p);
            delivered = true;
        }
    }
    return delivered;
}

/* Ends the processes that ran past Lambda's timeout, failing their tasks
 * as Lambda reports a function it timed out. */
static bool enforce_caps(void)
{
    bool delivered = false;
    double now = real_now();
    proc *next;
    for (proc *p = P.head; p; p = next) {
        next = p->next;
        if (p->pid <= 0 || p->cap <= 0 || now < p->cap)
            continue;
        kill_proc(p);
        asl_buf msg = {0};
        asl_buf_printf(&msg, "RequestId: %s Error: Task timed out after %.2f seconds", p->request_id,
                       function_timeout);
        fail_lambda(p, "Sandbox.Timedout", msg.p);
        asl_buf_free(&msg);
        remove_proc(p);
        delivered = true;
    }
    return delivered;
}

/* Delivers the answers of the processes that finished. */
static bool collect(void)
{
    bool delivered = false;
    proc *next;
    for (proc *p = P.head; p; p = next) {
        next = p->next;
        if (p->pid > 0 && try_reap(p)) {
            pump_cb(p); /* what it sent before it ended comes first */
            deliver(p);
            remove_proc(p);
            delivered = true;
        }
    }
    return delivered;
}

/* Waits up to wait_ms (-1: no limit) for any process's pipes, then moves
 * their data. */
int asl_process_fds(struct pollfd *fds, int max, double *retry)
{
    int n = 0;
    for (proc *p = P.head; p; p = p->next) {
        if (p->pid <= 0)
            continue;
        if (p->out < 0 && (*retry < 0 || real_now() + p->retry_ms / 1000.0 < *retry))
            *retry = real_now() + p->retry_ms / 1000.0;
        int fd[3] = {p->in, p->out, p->cb};
        for (int i = 0; i < 3 && n < max; i++)
            if (fd[i] >= 0)
                fds[n++] = (struct pollfd){.fd = fd[i], .events = i ? POLLIN : POLLOUT};
    }
    return n;
}

static void poll_once(int wait_ms)
{
    struct pollfd fds[3 * MAX_RUNNING];
    proc *owner[3 * MAX_RUNNING];
    int n = 0;
    for (proc *p = P.head; p && n < 3 * MAX_RUNNING; p = p->next) {
        if (p->pid <= 0)
            continue;
        if (p->out < 0) { /* closed stdout, still running: look again soon */
            if (wait_ms < 0 || p->retry_ms < wait_ms)
                wait_ms = p->retry_ms;
            p->retry_ms = p->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : p->retry_ms * 2;
        }
        if (p->in >= 0) {
            fds[n] = (struct pollfd){.fd = p->in, .events = POLLOUT};
            owner[n++] = p;
        }
        if (p->out >= 0) {
            fds[n] = (struct pollfd){.fd = p->out, .events = POLLIN};
            owner[n++] = p;
        }
        if (p->cb >= 0) {
            fds[n] = (struct pollfd){.fd = p->cb, .events = POLLIN};
            owner[n++] = p;
        }
    }
    if (poll(fds, (nfds_t)n, wait_ms) <= 0)
        return;
    for (int i = 0; i < n; i++) {
        if (!fds[i].revents)
            continue;
        if (fds[i].fd == owner[i]->in)
            pump_in(owner[i]);
        else if (fds[i].fd == owner[i]->cb)
            pump_cb(owner[i]);
        else
            pump_out(owner[i]);
    }
}

/* The earliest real time at which a running process's task times out
 * (with caps: or Lambda's own timeout ends a process). */
static double earliest_deadline(bool caps)
{
    double at = INFINITY;
    for (proc *p = P.head; p; p = p->next) {
        if (p->deadline > 0 && p->deadline < at)
            at = p->deadline;
        if (caps && p->cap > 0 && p->cap < at)
            at = p->cap;
    }
    return at;
}

static int ms_until(double at)
{
    if (isinf(at))
        return -1;
    double ms = ceil((at - real_now()) * 1000);
    return ms <= 0 ? 0 : ms > 1e9 ? 1000000000 : (int)ms;
}

/* ----------------------------------------------------------- interface */

void asl_process_run(asl_task *t, const char *command, const char *event_json)
{
    proc *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->task = t;
    t->held = true; /* not freed while we may still answer it */
    p->command = strdup(command);
    p->input = strdup(event_json ? event_json : "null");
    p->in_len = strlen(p->input);
    p->in = p->out = p->cb = p->log = -1;
    asl_uuid(p->request_id);
    function_identity(p, t);
    p->limit = time_limit(t);
    p->deadline = p->limit > 0 ? real_now() + p->limit : 0;
    if (P.tail)
        P.tail->next = p;
    else
        P.head = p;
    P.tail = p;
    asl_sched_note_pending(+1);
    start_waiting();
}

/*
 * In virtual time the scheduler only asks (timeout 0) before it jumps the
 * clock to its next timer, which may be the timeout of a task whose process
 * is still working. So while processes run, virtual time follows real time:
 * we wait until one answers or the earliest of their tasks' timeouts is due,
 * and move the virtual clock on by the time that took.
 */
bool asl_poll_external(int timeout_ms)
{
    drop_abandoned();
    bool delivered = start_waiting();
    double start = real_now();
    bool follow = timeout_ms == 0 && asl_virtual_time();
    double until = follow ? earliest_deadline(true) : timeout_ms < 0 ? INFINITY : start + timeout_ms / 1000.0;
    until = fmin(until, earliest_deadline(true));
    while (P.head) {
        poll_once(delivered ? 0 : ms_until(until));
        delivered |= collect();
        delivered |= enforce_caps();
        delivered |= start_waiting();
        if (delivered || real_now() >= until)
            break;
    }
    if (follow)
        asl_set_virtual_time(true, asl_now() + (real_now() - start));
    return delivered;
}
