/*
 * warm.c: the pool of warm Lambda runners (see warm.h). A runner is
 * started for a function the first time no idle runner of it is free, and
 * then kept: busy while it handles an invocation, idle between them,
 * draining when the task it worked for ended first (it finishes the
 * invocation, as a Lambda function goes on after Step Functions stopped
 * waiting, until that invocation's deadline). A runner that exited, timed
 * out or answered garbage is discarded; the next invocation starts a new
 * one, as Lambda replaces a container. All of them are killed, with their
 * process groups, when the handlers are freed or the process exits.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "ids.h"
#include "procgroups.h"
#include "spawn.h"
#include "warm.h"

#include "runners/runners.inc"

enum { WARM_MAX = 64 }; /* runners at once; the least recently used idle one makes room */

typedef enum { RUNNER_BUSY, RUNNER_IDLE, RUNNER_DRAINING } runner_state;

struct asl_runner {
    struct asl_runner_fds fd;
    char *key;            /* command, function ARN and working directory */
    runner_state state;
    bool reaped;
    double used;          /* real time it was last given back (the least recent makes room) */
    double until;         /* draining: killed at this real time */
    asl_buf drain;        /* draining: its answer so far */
    struct asl_runner *next;
};

static asl_runner *pool;
static int pool_size;

static double real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const struct asl_runner_fds *asl_runner_fds(const asl_runner *r)
{
    return &r->fd;
}

bool asl_warm_command(const char *command)
{
    return !strncmp(command, "python:", 7) || !strncmp(command, "node:", 5);
}

/* "python:FILE[:FUNCTION]" or "node:FILE[:FUNCTION]" as the runner's
 * command (FILE and FUNCTION point into spec, cut in place). */
static void runner_argv(char *spec, char *argv[6])
{
    bool py = !strncmp(spec, "python:", 7);
    spec += py ? 7 : 5;
    char *fn = strrchr(spec, ':');
    if (fn && fn[1] && !strpbrk(fn + 1, "/.")) /* FILE:FUNCTION, not a path with ':' in it */
        *fn++ = '\0';
    else
        fn = "handler";
    argv[0] = py ? "python3" : "node";
    argv[1] = py ? "-c" : "-e";
    argv[2] = (char *)(py ? asl_python_runner : asl_node_runner);
    argv[3] = spec;
    argv[4] = fn;
    argv[5] = NULL;
}

static char *runner_key(const char *command, const char *arn)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    asl_buf b = {0};
    asl_buf_printf(&b, "%s\n%s\n%s", command, arn, cwd);
    return b.p;
}

/* ------------------------------------------------------------ lifetime */

void asl_warm_discard(asl_runner *r)
{
    asl_runner **pp = &pool;
    while (*pp && *pp != r)
        pp = &(*pp)->next;
    if (*pp) {
        *pp = r->next;
        pool_size--;
    }
    if (!r->reaped) {
        kill(-r->fd.pid, SIGKILL);
        kill(r->fd.pid, SIGKILL);
        while (waitpid(r->fd.pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    asl_procgroup_remove(r->fd.pid);
    close(r->fd.in);
    close(r->fd.out);
    close(r->fd.cb);
    asl_buf_free(&r->drain);
    free(r->key);
    free(r);
}

void asl_warm_shutdown(void)
{
    while (pool)
        asl_warm_discard(pool);
}

bool asl_warm_exited(asl_runner *r, int *status)
{
    siginfo_t si = {0};
    if (waitid(P_PID, (id_t)r->fd.pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0)
        return false;
    /* what it left running in its group goes too, while the exited leader
     * still holds the group's id */
    kill(-r->fd.pid, SIGKILL);
    while (waitpid(r->fd.pid, status, 0) < 0 && errno == EINTR)
        ;
    r->reaped = true;
    return true;
}

static asl_runner *spawn_runner(const char *command, const char *fname, const char *arn, char *key)
{
    int pipes[3][2], *in = pipes[0], *out = pipes[1], *cb = pipes[2];
    if (asl_spawn_pipes(pipes, 3) < 0) {
        free(key);
        return NULL;
    }
    char group[300], stream[80], id[37];
    snprintf(group, sizeof group, "/aws/lambda/%s", fname);
    asl_uuid(id);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(stream, sizeof stream, "%04d/%02d/%02d/[$LATEST]%.8s%.4s%.4s%.4s%.12s", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, id, id + 9, id + 14, id + 19, id + 24);
    const char *pairs[] = {
        "AWS_REGION", asl_region(), "AWS_DEFAULT_REGION", asl_region(), "AWS_LAMBDA_FUNCTION_NAME", fname,
        "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128",
        "AWS_LAMBDA_LOG_GROUP_NAME", group, "AWS_LAMBDA_LOG_STREAM_NAME", stream, "ASLC_FUNCTION_ARN", arn,
        "ASLC_CALLBACK_FD", "3", NULL,
    };
    const char *unset[] = {"ASLC_REQUEST_ID", "ASLC_DEADLINE_MS", NULL};
    char **env = asl_spawn_env(pairs, unset);
    char *spec = strdup(command), *argv[6];
    runner_argv(spec, argv);
    /* stdout is our stderr: whatever the handler (or a process it starts)
     * prints goes to the log, never into an answer, which has fd 4 */
    int fds[ASL_SPAWN_FDS] = {in[0], ASL_SPAWN_STDERR, -1, cb[1], out[1]};
    pid_t pid = asl_spawn(argv, env, true, fds);
    int e = errno;
    asl_spawn_env_free(env);
    free(spec);
    asl_spawn_pipes_settle(in, out, cb, pid);
    if (pid < 0) {
        free(key);
        errno = e;
        return NULL;
    }
    asl_runner *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->fd = (struct asl_runner_fds){.pid = pid, .in = in[1], .out = out[0], .cb = cb[0]};
    r->key = key;
    r->state = RUNNER_BUSY;
    asl_procgroup_add(pid);
    static bool hooked;
    if (!hooked)
        hooked = atexit(asl_warm_shutdown) == 0;
    return r;
}

/* --------------------------------------------------------------- answers */

void asl_warm_request(asl_buf *b, const char *request_id, double deadline_ms, bool tail, const char *event)
{
    asl_buf_printf(b, "%s %.0f %d %zu\n", request_id, deadline_ms, tail ? 1 : 0, strlen(event));
    asl_buf_puts(b, event);
}

int asl_warm_answer_parse(const char *buf, size_t len, size_t limit, asl_warm_answer *a)
{
    const char *nl = memchr(buf, '\n', len < 100 ? len : 100);
    if (!nl)
        return len < 100 ? 0 : -1;
    int status, keep, used = 0;
    unsigned long long n, logn;
    char head[101];
    memcpy(head, buf, (size_t)(nl - buf));
    head[nl - buf] = '\0';
    if (sscanf(head, "%d %llu %llu %d%n", &status, &n, &logn, &keep, &used) != 4 || used != nl - buf ||
        (status != 0 && status != 1))
        return -1;
    *a = (asl_warm_answer){.status = status, .head = (size_t)(nl - buf) + 1, .len = (size_t)n,
                           .loglen = (size_t)logn, .keep = keep != 0};
    if (n > limit)
        return 2;
    return len >= a->head + a->len + a->loglen ? 1 : 0;
}

/* Reads what a draining runner answered; true once it answered all (or
 * died, or answered garbage: then it is discarded). */
static bool drain_done(asl_runner *r)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(r->fd.out, chunk, sizeof chunk);
        if (n > 0) {
            asl_buf_put(&r->drain, chunk, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        asl_warm_discard(r); /* it died */
        return true;
    }
    asl_warm_answer a;
    int f = r->drain.len ? asl_warm_answer_parse(r->drain.p, r->drain.len, (size_t)-1, &a) : 0;
    if (f == 0)
        return false;
    if (f == 1 && a.keep && r->drain.len == a.head + a.len + a.loglen) {
        asl_buf_free(&r->drain);
        r->state = RUNNER_IDLE;
        r->used = real_now();
    } else {
        asl_warm_discard(r);
    }
    return true;
}

/* Discards runners that exited while idle and draining ones past their
 * deadline; makes idle the draining ones that answered. */
static void sweep(void)
{
    double now = real_now();
    asl_runner *next;
    for (asl_runner *r = pool; r; r = next) {
        next = r->next;
        int status;
        if (r->state == RUNNER_IDLE && asl_warm_exited(r, &status))
            asl_warm_discard(r);
        else if (r->state == RUNNER_DRAINING && !drain_done(r) && now >= r->until)
            asl_warm_discard(r);
    }
}

/* Below WARM_MAX runners: the least recently used idle runner (else a
 * draining one) goes. */
static void make_room(void)
{
    while (pool_size >= WARM_MAX) {
        asl_runner *victim = NULL;
        for (asl_runner *r = pool; r; r = r->next)
            if (r->state == RUNNER_IDLE && (!victim || r->used < victim->used))
                victim = r;
        for (asl_runner *r = pool; r && !victim; r = r->next)
            if (r->state == RUNNER_DRAINING)
                victim = r;
        if (!victim)
            return;
        asl_warm_discard(victim);
    }
}

asl_runner *asl_warm_acquire(const char *command, const char *fname, const char *arn)
{
    sweep();
    char *key = runner_key(command, arn);
    for (asl_runner *r = pool; r; r = r->next)
        if (r->state == RUNNER_IDLE && !strcmp(r->key, key)) {
            free(key);
            r->state = RUNNER_BUSY;
            return r;
        }
    make_room();
    asl_runner *r = spawn_runner(command, fname, arn, key);
    if (r) {
        r->next = pool;
        pool = r;
        pool_size++;
    }
    return r;
}

void asl_warm_release(asl_runner *r, bool keep)
{
    if (!keep) {
        asl_warm_discard(r);
        return;
    }
    r->state = RUNNER_IDLE;
    r->used = real_now();
}

void asl_warm_drain(asl_runner *r, const char *partial, size_t len, double until)
{
    if (until <= real_now()) {
        asl_warm_discard(r);
        return;
    }
    r->state = RUNNER_DRAINING;
    r->until = until;
    asl_buf_put(&r->drain, partial ? partial : "", partial ? len : 0);
}
