/*
 * serve.c: `aslc serve`, the command. Parses the options, compiles the
 * definitions named on the command line, listens, and runs the one loop
 * that serves HTTP and turns the engine: wait (poll) on the HTTP epoll
 * descriptor, the process handlers' pipes and a signal pipe until the
 * next timer, then serve what is ready and run what can move on. SIGINT
 * and SIGTERM end the loop; everything is freed on the way out.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "handlers.h"
#include "mock.h"
#include "s3.h"
#include "server.h"

static const char usage[] =
    "usage: aslc serve [DEF.asl.json ...] [OPTIONS]\n"
    "Serves the Step Functions API (AWS JSON 1.0) for the AWS CLI and SDKs:\n"
    "    aws stepfunctions --endpoint-url http://127.0.0.1:8083 list-state-machines\n"
    "Each DEF (and the machines of its aslc.json) exists at start, named after its file.\n"
    "\n"
    "  --port N               port to listen on (default 8083; 0: any free port)\n"
    "  --host ADDRESS         address to bind (default 127.0.0.1)\n"
    "  --verbose              one line per request on stderr\n"
    "  --machine ARN_OR_NAME=FILE, --tasks FILE.c, --lambda NAME=COMMAND\n"
    "                         as for aslc run (every machine gets them)\n"
    "  --mock FILE            mock configuration (also SFN_MOCK_CONFIG); start\n"
    "                         ARN#TestCase to run a test case\n"
    "  --wait-time-scale F    Wait durations times F (0: Waits end at once)\n"
    "  --s3 BUCKET=DIR        serve S3 bucket BUCKET from folder DIR (Distributed Map)\n"
    "  --s3-endpoint URL      other buckets from the S3 API at URL (LocalStack, MinIO...)\n"
    "  --lambda-endpoint URL  send Lambda tasks no local handler serves to URL\n"
    "                         (Lambda's Invoke API: sam local start-lambda, LocalStack)\n"
    "  --region REGION        region in ARNs (default us-east-1)\n"
    "  --account ID           account in ARNs (default 123456789012)\n"
    "  --data DIR             keep machines, activities and executions in DIR\n"
    "                         (default ./.aslc): a restart resumes them\n"
    "  --in-memory            keep nothing: everything ends with the server\n";

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(sig_pipe[1], "x", 1) < 0) {
        /* nothing to do: the pipe is full, a stop is already pending */
    }
    errno = saved;
}

static int bad_usage(const char *fmt, const char *arg)
{
    fputs("aslc serve: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(try aslc serve --help)\n", stderr);
    return 64;
}

static void push(const char ***list, int *n, const char *v)
{
    const char **l = realloc(*list, sizeof *l * (size_t)(*n + 1));
    if (!l)
        exit(70);
    l[(*n)++] = v;
    *list = l;
}

/* Parses argv into o; 0, -1 after --help, or an exit status. */
static int parse(srv_options *o, int argc, char **argv)
{
    *o = (srv_options){.host = "127.0.0.1", .port = 8083, .region = "us-east-1", .account = "123456789012",
                       .wait_scale = -1, .data = ".aslc"};
    bool mock = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--port") || !strcmp(a, "--host") || !strcmp(a, "--machine") ||
                     !strcmp(a, "--tasks") || !strcmp(a, "--lambda") || !strcmp(a, "--mock") ||
                     !strcmp(a, "--region") || !strcmp(a, "--account") || !strcmp(a, "--wait-time-scale") ||
                     !strcmp(a, "--lambda-endpoint") || !strcmp(a, "--data") || !strcmp(a, "--s3") ||
                     !strcmp(a, "--s3-endpoint");
        if (takes && !v)
            return bad_usage("option %s needs a value", a);
        char *end;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--port")) {
            long p = strtol(v, &end, 10);
            if (*end || end == v || p < 0 || p > 65535)
                return bad_usage("--port takes a number from 0 to 65535, got '%s'", v);
            o->port = (int)p;
        } else if (!strcmp(a, "--host")) {
            o->host = v;
        } else if (!strcmp(a, "--verbose")) {
            o->verbose = true;
        } else if (!strcmp(a, "--data")) {
            o->data = v;
        } else if (!strcmp(a, "--in-memory")) {
            o->in_memory = true;
        } else if (!strcmp(a, "--machine") || !strcmp(a, "--lambda")) {
            if (!strchr(v, '=') || v[0] == '=')
                return bad_usage(a[2] == 'm' ? "--machine takes ARN_OR_NAME=FILE, got '%s'"
                                             : "--lambda takes NAME=COMMAND, got '%s'", v);
            if (a[2] == 'm')
                push(&o->machines, &o->nmachines, v);
            else
                push(&o->lambdas, &o->nlambdas, v);
        } else if (!strcmp(a, "--tasks")) {
            push(&o->tasks, &o->ntasks, v);
        } else if (!strcmp(a, "--mock")) {
            mock = true;
            int rc = asl_mock_option(a, v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--s3")) {
            int rc = asl_s3_option("aslc serve", v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--s3-endpoint")) {
            int rc = asl_s3_endpoint_option("aslc serve", v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--lambda-endpoint")) {
            if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
                return bad_usage("--lambda-endpoint takes an http:// or https:// URL, got '%s'", v);
            o->lambda_endpoint = v;
        } else if (!strcmp(a, "--region")) {
            o->region = v;
        } else if (!strcmp(a, "--account")) {
            o->account = v;
        } else if (!strcmp(a, "--wait-time-scale")) {
            o->wait_scale = strtod(v, &end);
            if (*end || end == v || !(o->wait_scale >= 0) || isinf(o->wait_scale))
                return bad_usage("--wait-time-scale takes a number >= 0, got '%s'", v);
        } else if (a[0] == '-') {
            return bad_usage("unknown option '%s'", a);
        } else {
            push(&o->defs, &o->ndefs, a);
        }
        i += takes;
    }
    const char *env = getenv("SFN_MOCK_CONFIG");
    if (env && *env && !mock)
        return asl_mock_option("SFN_MOCK_CONFIG", env);
    return 0;
}

static void free_options(srv_options *o)
{
    free(o->defs);
    free(o->machines);
    free(o->tasks);
    free(o->lambdas);
}

/* Compiles the definitions named on the command line; 0 or an exit status. */
static int load_defs(srv *s)
{
    for (int i = 0; i < s->opt.ndefs; i++) {
        char *diags;
        int status;
        if (!compile_load(s, NULL, NULL, s->opt.defs[i], NULL, &diags, &status)) {
            fprintf(stderr, "%s\n", diags);
            free(diags);
            return status ? status : 65;
        }
        free(diags);
    }
    return 0;
}

static double now(void)
{
    struct timeval t;
    gettimeofday(&t, NULL);
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* Milliseconds to wait: until the engine's next timer or MHD's, 0 when
 * something is ready now, -1 for no limit. */
static int wait_ms(const asl_engine_wait *w, long http)
{
    long ms = -1;
    if (w->deadline == 0)
        ms = 0;
    else if (w->deadline > 0)
        ms = w->deadline <= now() ? 0 : (long)ceil((w->deadline - now()) * 1000.0);
    if (http >= 0 && (ms < 0 || http < ms))
        ms = http;
    return ms > 60000 ? 60000 : (int)ms;
}

static void loop(srv *s, srv_http *h)
{
    for (;;) {
        http_run(h);
        lambda_run(s);
        asl_engine_wait w = {.deadline = -1};
        asl_engine_step(s->engine, &w);
        if (!durable_commit(s))
            break;
        int ready = pending_check(s);
        enum { MAX_FDS = 2 + sizeof w.fds / sizeof w.fds[0] + 64 };
        struct pollfd fds[MAX_FDS] = {{.fd = http_fd(h), .events = POLLIN}, {.fd = sig_pipe[0], .events = POLLIN}};
        int n = 2;
        for (int i = 0; i < w.nfds && n < MAX_FDS; i++)
            fds[n++] = w.fds[i];
        long curl_ms;
        n += lambda_fds(s, fds + n, MAX_FDS - n, &curl_ms);
        int ms = ready ? 0 : wait_ms(&w, http_timeout(h));
        if (curl_ms >= 0 && (ms < 0 || curl_ms < ms))
            ms = (int)curl_ms;
        if (poll(fds, (nfds_t)n, ms) < 0 && errno != EINTR)
            break;
        if (fds[1].revents || s->exit_status)
            break;
    }
}

bool srv_init(srv *s)
{
    asl_engine_config cfg = {.region = s->opt.region, .account = s->opt.account, .record_history = true,
                             .wait_scale = s->opt.wait_scale, .virtual_time = s->opt.virtual_time};
    s->engine = asl_engine_new(&cfg);
    if (!s->engine)
        return false;
    index_init(s);
    activities_init(s);
    return true;
}

void srv_free(srv *s)
{
    durable_close(s);
    lambda_free(s);
    activities_free(s);
    machines_free(s);
    tags_free(s);
    index_free(s);
    api_free();
    asl_engine_free(s->engine);
    s->engine = NULL;
}

int cmd_serve(int argc, char **argv)
{
    srv s = {0};
    int rc = parse(&s.opt, argc, argv);
    if (rc) {
        free_options(&s.opt);
        asl_s3_free();
        return rc < 0 ? 0 : rc;
    }
    if (!srv_init(&s)) {
        free_options(&s.opt);
        return 70;
    }
    srv_http *h = NULL;
    if (!lambda_init(&s))
        rc = 70;
    for (int i = 0; i < s.opt.nlambdas; i++) {
        const char *l = s.opt.lambdas[i], *eq = strchr(l, '=');
        char *name = strndup(l, (size_t)(eq - l));
        asl_handlers_add_process(name, eq + 1);
        free(name);
    }
    if (!rc)
        rc = load_defs(&s);
    if (!rc)
        rc = durable_open(&s);
    if (!rc && !(h = http_start(&s, s.opt.host, s.opt.port)))
        rc = 74;
    if (!rc && pipe(sig_pipe) < 0)
        rc = 70;
    if (!rc) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        for (srv_machine *m = s.machines; m; m = m->next)
            printf("aslc serve: state machine %s\n", m->arn);
        printf("aslc serve: listening on http://%s%s%s:%d\n", strchr(s.opt.host, ':') ? "[" : "", s.opt.host,
               strchr(s.opt.host, ':') ? "]" : "", http_port(h));
        fflush(stdout);
        loop(&s, h);
        pending_cancel(&s);
        rc = s.exit_status;
        fputs("aslc serve: stopped\n", stderr);
    }
    http_stop(h);
    srv_free(&s);
    free_options(&s.opt);
    for (int i = 0; i < 2; i++)
        if (sig_pipe[i] >= 0)
            close(sig_pipe[i]);
    return rc;
}
