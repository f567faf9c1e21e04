/*
 * server.h: `aslc serve`, the Step Functions API (AWS JSON 1.0) on a local
 * port. One header for the server's files, a section per file.
 *
 * Everything runs on one thread: libmicrohttpd is polled from the same
 * loop that turns the engine's scheduler (serve.c), so an action runs
 * between two scheduler turns and needs no lock. A request that must wait
 * (StartSyncExecution, GetActivityTask) suspends its connection and is
 * answered from the loop later; no request ever blocks the loop.
 */
#ifndef ASLC_SERVER_H
#define ASLC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "asl_engine.h"

/* ----------------------------------------------------------- serve.c */

/* The command line of `aslc serve`. */
typedef struct srv_options {
    const char *host;           /* address to bind (default 127.0.0.1) */
    int port;                   /* 0: any free port */
    bool verbose;               /* one line per request on stderr */
    const char **defs;          /* definitions that exist at start */
    int ndefs;
    const char **machines;      /* --machine ARN_OR_NAME=FILE */
    int nmachines;
    const char **tasks;         /* --tasks FILE.c */
    int ntasks;
    const char **lambdas;       /* --lambda NAME=COMMAND */
    int nlambdas;
    const char *region;
    const char *account;
    double wait_scale;          /* --wait-time-scale (negative: 1) */
    const char *lambda_endpoint; /* --lambda-endpoint URL, or NULL */
    const char *data;           /* --data DIR: the store's folder (default ./.aslc) */
    bool in_memory;             /* --in-memory: keep nothing */
    bool virtual_time;          /* the clock jumps to the next timer (fuzz/fuzz_api.c only) */
} srv_options;

typedef struct srv_machine srv_machine;
typedef struct srv_def srv_def;
typedef struct srv_call srv_call;
typedef struct srv_pending srv_pending;
typedef struct srv_activity srv_activity;
typedef struct act_task act_task;
typedef struct srv_durable srv_durable;

/* Executions by ARN (index.c). */
typedef struct srv_index {
    asl_exec **slots;
    size_t cap, n;
} srv_index;

/* The server: options, the engine, and what the API created. */
typedef struct srv {
    srv_options opt;
    asl_engine *engine;
    srv_machine *machines;      /* newest first */
    srv_def *defs;              /* every definition a machine had, kept for its executions */
    srv_pending *pending;       /* calls answered later */
    srv_activity *activities;   /* newest first */
    srv_activity *deleted_activities;  /* kept until exit: tasks may name them */
    act_task *activity_tasks;   /* tasks taken for activities, oldest first */
    srv_index index;
    void *lambda;               /* libcurl's multi handle (lambda.c), or NULL */
    srv_durable *durable;       /* the store (durable.c), NULL with --in-memory */
    int exit_status;            /* set when the server must stop (the store failed) */
    cJSON *tags;                /* ARN -> {key: value} (tags.c) */
} srv;

int cmd_serve(int argc, char **argv);
/* The server without its HTTP side, for cmd_serve and fuzz/fuzz_api.c:
 * the engine (as s->opt says), the execution index and the front handler;
 * false if the engine cannot start. srv_free releases everything the API
 * created (lambda.c's and the store's parts too) and the engine. */
bool srv_init(srv *s);
void srv_free(srv *s);

/* -------------------------------------------------------- protocol.c */

/* One API call: its action, its input (validated against the API model),
 * and, once answered, its HTTP status and body. */
struct srv_call {
    const char *action;
    cJSON *in;
    int status;                 /* 0 until answered */
    char *body;                 /* response body (malloc'd) */
    void *conn;                 /* http.c's connection, while suspended */
};

/* Runs the request: parses body (len bytes) as the input of action (from
 * X-Amz-Target), checks it against the API model and calls the action.
 * On return the call is answered, or deferred (status 0) until an action
 * answers it later with srv_reply_*. */
void srv_dispatch(srv *s, srv_call *c, const char *target, const char *body, size_t len);
/* v as compact JSON text, numbers as AWS prints them (malloc'd). */
char *srv_json(const cJSON *v);
/* Answers with 200 and the JSON object out (taken). */
void srv_reply(srv_call *c, cJSON *out);
/* Answers with status 400 and AWS's error body for error type (the name
 * the API Reference gives: StateMachineDoesNotExist, ValidationException...). */
void srv_reply_error(srv_call *c, const char *type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A member of the input, or NULL (the model checked its type already). */
const char *srv_str(const srv_call *c, const char *member);
bool srv_has(const srv_call *c, const char *member);
int srv_int(const srv_call *c, const char *member, int dflt);
bool srv_bool(const srv_call *c, const char *member, bool dflt);
/* vsnprintf into a new malloc'd string (exits on exhaustion). */
char *srv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* AWS's timestamp (epoch seconds with milliseconds, as a JSON number). */
cJSON *srv_time(double epoch);
/* The same for an ISO 8601 date as the runtime writes it. */
cJSON *srv_iso_time(const char *iso);
/* Replaces the ISO dates at keys (NULL-terminated) of o with AWS's numbers. */
void srv_fix_times(cJSON *o, const char *const *keys);

/* ------------------------------------------------------------- api.c */

/* Checks input against the API model's input shape of action; false with
 * *type and *msg (malloc'd) set to AWS's exception and message. Unknown
 * actions: false with type UnknownOperationException. */
bool api_check(const char *action, const cJSON *in, const char **type, char **msg);
void api_free(void);

/* -------------------------------------------------------- compile.c */

/* Compiles a definition (text, or the file named when text is NULL) into
 * the engine as machine name of type (STANDARD, EXPRESS; NULL: STANDARD:
 * EXPRESS machines refuse .sync, .waitForTaskToken and activities). Returns the unit id, or 0 with *status set
 * to 65/66/70; *diags (malloc'd, free it) is aslc's diagnostics, one per
 * line. A file's machines (its project file's too) are added to the
 * server's list. */
int compile_load(srv *s, const char *name, const char *type, const char *file, const char *text, char **diags,
                 int *status);
/* Checks a definition only: ValidateStateMachineDefinition's diagnostics
 * (a new JSON array) and whether it is valid. */
bool compile_check(srv *s, const char *text, const char *type, cJSON **diagnostics);

/* -------------------------------------------------------- machines.c */

/* A definition as a machine had it from a date on: executions keep the one
 * they started with (asl_exec_user), for DescribeStateMachineForExecution. */
struct srv_def {
    char *text;
    double date;
    char revision[37];          /* revisionId: a UUID per definition */
    srv_def *next;
};

struct srv_machine {
    char *name, *arn, *role_arn, *type, *description;
    srv_def *def;               /* the current definition */
    double created;
    int unit;                   /* engine unit */
    int version;                /* the store's version of its definition (durable.c) */
    srv_machine *next;
};

srv_machine *machines_find(srv *s, const char *arn);
/* Adds a machine (STANDARD, with a placeholder role) to the list. */
srv_machine *machines_add(srv *s, const char *name, const char *arn, const char *definition, int unit);
/* Whether arn is a well-formed ARN of kind ("stateMachine", "execution",
 * "activity"); else answers InvalidArn and returns false. */
bool machines_arn_ok(srv_call *c, const char *arn, const char *kind);
/* Whether a name is one AWS accepts; else answers InvalidName. */
bool machines_name_ok(srv_call *c, const char *name);
/* A page of a list: the offset nextToken names (0 without one), or -1
 * after answering InvalidToken; and the token for the page after. */
int machines_page_start(srv_call *c);
void machines_page_token(cJSON *out, int next, int total);
/* Answers a List* call with the page it asks for (maxResults, nextToken)
 * of items (in list order) as item describes them, under key. */
void machines_page(srv_call *c, const char *key, void *const *items, int total, cJSON *(*item)(const void *));
void machines_free(srv *s);
/* arn:aws:states:REGION:ACCOUNT:KIND:NAME (malloc'd). */
char *machines_arn(const srv *s, const char *kind, const char *name);
/* DescribeStateMachine's answer for m (a new object). */
cJSON *machines_describe(const srv_machine *m);
void act_create_state_machine(srv *s, srv_call *c);
void act_describe_state_machine(srv *s, srv_call *c);
void act_update_state_machine(srv *s, srv_call *c);
void act_delete_state_machine(srv *s, srv_call *c);
void act_list_state_machines(srv *s, srv_call *c);
void act_validate_definition(srv *s, srv_call *c);

/* ------------------------------------------------------ executions.c */

/* Starts the execution StartExecution (or StartSyncExecution) asks for;
 * NULL after answering (an error, or the same running execution). */
asl_exec *executions_start(srv *s, srv_call *c);
/* DescribeExecution's answer for x (a new object). */
cJSON *executions_describe(const asl_exec *x);
void act_start_execution(srv *s, srv_call *c);
void act_describe_execution(srv *s, srv_call *c);
void act_stop_execution(srv *s, srv_call *c);
void act_get_execution_history(srv *s, srv_call *c);
void act_list_executions(srv *s, srv_call *c);
void act_describe_for_execution(srv *s, srv_call *c);

/* ------------------------------------------------------- mapruns.c */

/* The Map Run arn names; NULL after answering (InvalidArn, ResourceNotFound). */
asl_map_run *mapruns_named(srv *s, srv_call *c, const char *arn);
void act_describe_map_run(srv *s, srv_call *c);
void act_list_map_runs(srv *s, srv_call *c);
void act_update_map_run(srv *s, srv_call *c);

/* ------------------------------------------------------------ tags.c */

/* Adds (or replaces) the tags of an AWS tag list [{key, value}] to arn's. */
void tags_add(srv *s, const char *arn, const cJSON *list);
/* Forgets arn's tags (its resource was deleted). */
void tags_drop(srv *s, const char *arn);
void tags_free(srv *s);
void act_tag_resource(srv *s, srv_call *c);
void act_untag_resource(srv *s, srv_call *c);
void act_list_tags(srv *s, srv_call *c);

/* ------------------------------------------------------------ sync.c */

void act_start_sync_execution(srv *s, srv_call *c);

/* ------------------------------------------------------ activities.c */

/* Installs the server's front handler (activities, then TestState). */
void activities_init(srv *s);
/* Releases every held task and every activity. */
void activities_free(srv *s);
/* SendTask* for an activity task's token: NULL when token is not one,
 * "" when answered, else the AWS error. kind: success, failure, heartbeat. */
const char *activities_answer(srv *s, const char *token, const char *kind, const char *output, const char *error,
                              const char *cause);
/* The activity an ARN names, or NULL. */
srv_activity *activities_find(srv *s, const char *arn);
void act_create_activity(srv *s, srv_call *c);
void act_describe_activity(srv *s, srv_call *c);
void act_delete_activity(srv *s, srv_call *c);
void act_list_activities(srv *s, srv_call *c);
void act_get_activity_task(srv *s, srv_call *c);

/* ------------------------------------------------------- teststate.c */

/* The front handler's part for TestState: takes the tasks of a TestState
 * run that has a mock. */
bool testing_takes(srv *s, asl_task *t, const cJSON *payload);
void act_test_state(srv *s, srv_call *c);

/* ----------------------------------------------------------- tasks.c */

void act_send_task_success(srv *s, srv_call *c);
void act_send_task_failure(srv *s, srv_call *c);
void act_send_task_heartbeat(srv *s, srv_call *c);

/* ----------------------------------------------------------- index.c */

/* Starts indexing every execution the engine starts. */
void index_init(srv *s);
void index_add(srv *s, asl_exec *x);
/* The execution an ARN names, or NULL. */
asl_exec *index_find(srv *s, const char *arn);
void index_remove(srv *s, asl_exec *x);
void index_free(srv *s);

/* --------------------------------------------------------- durable.c */

/* Opens the store (--data), brings back its machines, activities and
 * executions, and saves the machines given on the command line; 0 or an
 * exit status after a message. Nothing with --in-memory. */
int durable_open(srv *s);
/* Saves what changed since the last commit (a scheduler turn, an API
 * call): executions touched, their new events, machines, activities. On
 * failure s->exit_status is set after a message naming the file. */
bool durable_commit(srv *s);
/* After an API call: commits, and answers InternalFailure instead if the
 * store failed. */
void durable_after_call(srv *s, srv_call *c);
/* A machine's new definition (its version goes up), or its deletion. */
void durable_machine(srv *s, srv_machine *m);
void durable_machine_deleted(srv *s, srv_machine *m);
/* An activity created or deleted. */
void durable_activity(srv *s, const char *name, const char *arn, double created, bool deleted);
void durable_close(srv *s);

/* activities.c: an activity brought back from the store. */
void activities_restore(srv *s, const char *name, const char *arn, double created);

/* --------------------------------------------------------- pending.c */

/* Answers p's call if it can be answered now (or, with cancel, must be:
 * the server stops) and returns true; false to be asked again. */
typedef bool (*pending_ready_fn)(srv *s, srv_pending *p, bool cancel);
struct srv_pending {
    srv_call *call;
    pending_ready_fn ready;
    void *ud;
    srv_pending *next;
};
/* Defers c (left unanswered by its action) until ready says so. */
void pending_add(srv *s, srv_call *c, pending_ready_fn ready, void *ud);
/* Asks every pending call; returns how many were answered. */
int pending_check(srv *s);
/* Answers every pending call (the server stops). */
void pending_cancel(srv *s);

/* ---------------------------------------------------------- lambda.c */

struct pollfd;
/* --lambda-endpoint: installs the runtime's Lambda handler (false after a
 * message). Does nothing without the option. */
bool lambda_init(srv *s);
/* Moves the requests in flight on and completes the tasks of those done. */
void lambda_run(srv *s);
/* The sockets to wait on (at most max) and the milliseconds libcurl wants
 * to be called within (-1: no limit). */
int lambda_fds(srv *s, struct pollfd *fds, int max, long *timeout_ms);
/* Ends every request in flight (their tasks fail) and libcurl. */
void lambda_free(srv *s);

/* ----------------------------------------------------------- pages.c */

/* GET url: the page (malloc'd HTML) with *status 200, or a short text
 * with 404. "/" lists the machines and their executions; "/execution"
 * is the report of the execution arn names (the decoded query argument). */
char *pages_get(srv *s, const char *url, const char *arn, int *status);

/* ------------------------------------------------------------ http.c */

typedef struct srv_http srv_http;
/* Listens on host:port; prints nothing. NULL after a message on stderr. */
srv_http *http_start(srv *s, const char *host, int port);
int http_port(const srv_http *h);
/* The epoll descriptor to wait on, and the milliseconds MHD wants to be
 * called again within (-1: no limit). */
int http_fd(const srv_http *h);
long http_timeout(srv_http *h);
/* Serves what is ready, without blocking. */
void http_run(srv_http *h);
/* Resumes the suspended connection of a call that was just answered. */
void http_resume(srv_call *c);
void http_stop(srv_http *h);

#endif
