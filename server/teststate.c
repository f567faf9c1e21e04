/*
 * teststate.c: TestState. The state under test runs for real, in a small
 * machine built around it: an optional first Pass state that assigns the
 * request's `variables`, the state itself (its Retry removed: AWS reports
 * RETRIABLE instead of retrying, and a Wait made a Pass: AWS does not wait),
 * and a Succeed state for each state it can go to, so that the execution
 * stops right after it. The machine is compiled like any other, run by the
 * engine, and watched through an observer: the state's StateInspection
 * event is its inspectionData, and the state entered after it is
 * nextState. A `mock` answers the state's Task through the server's front
 * handler instead of its service (runs in progress are listed here: the
 * front handler finds the run of a task's execution). The answer waits (pending.c) until the
 * execution ends; then the execution is forgotten and its unit unloaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "server.h"

#define PRELUDE "aslc TestState variables"

typedef struct test_run {
    srv *s;
    srv_call *call;
    char *state;            /* the state under test */
    cJSON *retry;           /* its Retry, or NULL */
    cJSON *catch;           /* a copy of its Catch, or NULL */
    cJSON *mock;            /* the request's mock, or NULL */
    asl_exec *exec;
    int unit, observer;
    cJSON *inspection;      /* the state's StateInspection details */
    bool entered;           /* the state was entered */
    char *next;             /* the state entered after it */
    struct test_run *next_run;
} test_run;

static test_run *runs;      /* in progress */

/* ------------------------------------------------------------ mocks */

bool testing_takes(srv *s, asl_task *t, const cJSON *payload)
{
    (void)s;
    (void)payload;
    test_run *r = runs;
    while (r && (!t->frame || r->exec != t->frame->exec))
        r = r->next_run;
    if (!r || !r->mock)
        return false;
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(r->mock, "result");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(r->mock, "errorOutput");
    const char *token = asl_task_token(t);
    char *tok = token ? strdup(token) : NULL;
    if (cJSON_IsString(result) && tok) {
        asl_task_succeed(t, "{}");
        asl_send_task_success(tok, result->valuestring);
    } else if (cJSON_IsString(result)) {
        /* The mock is the service's whole answer: no Lambda wrapping. */
        t->held = false;
        asl_task_complete(t, cJSON_Parse(result->valuestring), NULL, NULL);
    } else {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(err, "error");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(err, "cause");
        const char *error = cJSON_IsString(e) ? e->valuestring : "", *cause = cJSON_IsString(c) ? c->valuestring : NULL;
        if (tok) {
            asl_task_succeed(t, "{}");
            asl_send_task_failure(tok, error, cause);
        } else {
            asl_task_fail(t, error, cause);
        }
    }
    free(tok);
    return true;
}

/* ------------------------------------------------------- the machine */

static void add_target(cJSON *states, const cJSON *v)
{
    if (cJSON_IsString(v) && !cJSON_GetObjectItemCaseSensitive(states, v->valuestring)) {
        cJSON *stub = cJSON_AddObjectToObject(states, v->valuestring);
        cJSON_AddStringToObject(stub, "Type", "Succeed");
    }
}

/* Every state the state can go to becomes a Succeed state. */
static void add_targets(cJSON *states, const cJSON *st)
{
    add_target(states, cJSON_GetObjectItemCaseSensitive(st, "Next"));
    add_target(states, cJSON_GetObjectItemCaseSensitive(st, "Default"));
    const char *lists[] = {"Choices", "Catch"};
    for (int i = 0; i < 2; i++) {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(st, lists[i]);
        for (const cJSON *k = cJSON_IsArray(l) ? l->child : NULL; k; k = k->next)
            add_target(states, cJSON_GetObjectItemCaseSensitive(k, "Next"));
    }
}

/* A Wait passes its input on at once (TestState does not wait). */
static void no_wait(cJSON *st)
{
    const char *keys[] = {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"};
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(st, "Type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "Wait"))
        return;
    for (int i = 0; i < 4; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(st, keys[i]);
    cJSON_ReplaceItemInObjectCaseSensitive(st, "Type", cJSON_CreateString("Pass"));
}

/* The machine to run, or NULL after answering. */
static cJSON *build(srv_call *c, test_run *r)
{
    cJSON *def = cJSON_Parse(srv_str(c, "definition"));
    if (!cJSON_IsObject(def)) {
        srv_reply_error(c, "InvalidDefinition", "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: the "
                        "definition is not a JSON object'");
        cJSON_Delete(def);
        return NULL;
    }
    const char *name = srv_str(c, "stateName");
    const cJSON *states = cJSON_GetObjectItemCaseSensitive(def, "States");
    const cJSON *start = cJSON_GetObjectItemCaseSensitive(def, "StartAt");
    cJSON *st = NULL;
    if (cJSON_IsObject(states)) {
        if (!name && cJSON_IsString(start))
            name = start->valuestring;
        st = name ? cJSON_DetachItemFromObjectCaseSensitive((cJSON *)states, name) : NULL;
    } else if (!name) {
        name = "TestState";
        st = cJSON_Duplicate(def, true);
    }
    if (!cJSON_IsObject(st)) {
        srv_reply_error(c, "InvalidDefinition", "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: no "
                        "state named \"%s\" in the definition'", name ? name : "");
        cJSON_Delete(st);
        cJSON_Delete(def);
        return NULL;
    }
    r->state = strdup(name);
    r->retry = cJSON_DetachItemFromObjectCaseSensitive(st, "Retry");
    r->catch = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(st, "Catch"), true);
    no_wait(st);
    cJSON *m = cJSON_CreateObject();
    const cJSON *ql = cJSON_GetObjectItemCaseSensitive(def, "QueryLanguage");
    if (ql)
        cJSON_AddItemToObject(m, "QueryLanguage", cJSON_Duplicate(ql, true));
    cJSON *out = cJSON_AddObjectToObject(m, "States");
    const char *vars = srv_str(c, "variables");
    cJSON *v = vars ? cJSON_Parse(vars) : NULL;
    if (v) {
        cJSON *pre = cJSON_AddObjectToObject(out, PRELUDE);
        cJSON_AddStringToObject(pre, "Type", "Pass");
        cJSON_AddItemToObject(pre, "Assign", v);
        cJSON_AddStringToObject(pre, "Next", name);
    }
    cJSON_AddItemToObject(out, name, st);
    add_targets(out, st);
    cJSON_AddStringToObject(m, "StartAt", v ? PRELUDE : name);
    cJSON_Delete(def);
    return m;
}

/* ----------------------------------------------------------- running */

static void observe(void *ud, const asl_event *ev)
{
    test_run *r = ud;
    /* Registered just before the start, whose first events come at
     * once: the first execution to start is this run's. */
    if (!r->exec && !strcmp(ev->type, "ExecutionStarted"))
        r->exec = ev->exec;
    if (ev->exec != r->exec)
        return;
    size_t n = strlen(ev->type);
    if (n >= 12 && !strcmp(ev->type + n - 12, "StateEntered")) {
        char *d = asl_event_details_json(ev);
        cJSON *o = cJSON_Parse(d);
        free(d);
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
        if (cJSON_IsString(nm)) {
            if (r->entered && !r->next)
                r->next = strdup(nm->valuestring);
            else if (!strcmp(nm->valuestring, r->state))
                r->entered = true;
        }
        cJSON_Delete(o);
    } else if (!strcmp(ev->type, "StateInspection") && !r->inspection) {
        char *d = asl_event_details_json(ev);
        cJSON *o = cJSON_Parse(d);
        free(d);
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "stateName");
        if (cJSON_IsString(nm) && !strcmp(nm->valuestring, r->state))
            r->inspection = o;
        else
            cJSON_Delete(o);
    }
}

/* The index of the first retrier (or catcher) of list that matches error
 * (ErrorEquals, States.ALL, States.TaskFailed for any error not named
 * States.*), or -1. A retrier with MaxAttempts 0 never matches. */
static int matching(const cJSON *list, const char *error)
{
    int i = 0;
    for (const cJSON *k = cJSON_IsArray(list) ? list->child : NULL; k; k = k->next, i++) {
        const cJSON *eq = cJSON_GetObjectItemCaseSensitive(k, "ErrorEquals");
        const cJSON *max = cJSON_GetObjectItemCaseSensitive(k, "MaxAttempts");
        if (cJSON_IsNumber(max) && max->valuedouble <= 0)
            continue;
        for (const cJSON *e = cJSON_IsArray(eq) ? eq->child : NULL; e; e = e->next)
            if (cJSON_IsString(e) && (!strcmp(e->valuestring, error) || !strcmp(e->valuestring, "States.ALL") ||
                                      (!strcmp(e->valuestring, "States.TaskFailed") && strncmp(error, "States.", 7))))
                return i;
    }
    return -1;
}

/* inspectionData.errorDetails as AWS gives it: which catcher caught the
 * error, or which retrier would retry it and after how long. */
static cJSON *error_details(const test_run *r, const char *error, bool caught)
{
    cJSON *d = cJSON_CreateObject();
    int i = matching(caught ? r->catch : r->retry, error);
    if (caught && i >= 0) {
        cJSON_AddNumberToObject(d, "catchIndex", i);
    } else if (i >= 0) {
        const cJSON *interval = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r->retry, i), "IntervalSeconds");
        cJSON_AddNumberToObject(d, "retryIndex", i);
        cJSON_AddNumberToObject(d, "retryBackoffIntervalSeconds", cJSON_IsNumber(interval) ? interval->valuedouble : 1);
    }
    return d;
}

static void run_free(test_run *r)
{
    for (test_run **p = &runs; *p; p = &(*p)->next_run)
        if (*p == r) {
            *p = r->next_run;
            break;
        }
    free(r->state);
    free(r->next);
    cJSON_Delete(r->retry);
    cJSON_Delete(r->catch);
    cJSON_Delete(r->mock);
    cJSON_Delete(r->inspection);
    free(r);
}

/* The inspectionData AWS gives at DEBUG and TRACE: the values the state
 * passed through, as JSON text. */
static void add_inspection(cJSON *out, test_run *r)
{
    cJSON *data = cJSON_AddObjectToObject(out, "inspectionData");
    for (cJSON *k = r->inspection ? r->inspection->child : NULL; k; k = k->next)
        if (cJSON_IsString(k) && strcmp(k->string, "stateName"))
            cJSON_AddStringToObject(data, k->string, k->valuestring);
}

static bool ended(srv *s, srv_pending *p, bool cancel)
{
    test_run *r = p->ud;
    asl_exec *x = r->exec;
    if (cancel && asl_exec_status(x) == ASL_RUNNING)
        asl_engine_stop(s->engine, x, "States.Runtime", "aslc serve stopped");
    if (asl_exec_status(x) == ASL_RUNNING)
        return false;
    cJSON *out = cJSON_CreateObject();
    const cJSON *errd = cJSON_GetObjectItemCaseSensitive(r->inspection, "errorDetails");
    const char *status = "SUCCEEDED";
    cJSON *details = NULL;
    if (asl_exec_status(x) == ASL_SUCCEEDED) {
        char *o = asl_exec_output_json(x);
        cJSON_AddStringToObject(out, "output", o);
        free(o);
        if (errd) {
            status = "CAUGHT_ERROR";
            cJSON_AddItemToObject(out, "error", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(errd, "error"), 1));
            const cJSON *cause = cJSON_GetObjectItemCaseSensitive(errd, "cause");
            if (cause)
                cJSON_AddItemToObject(out, "cause", cJSON_Duplicate(cause, 1));
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(errd, "error");
            details = error_details(r, cJSON_IsString(e) ? e->valuestring : "", true);
        }
    } else {
        const char *error = asl_exec_error(x) ? asl_exec_error(x) : "States.Runtime";
        status = matching(r->retry, error) >= 0 ? "RETRIABLE" : "FAILED";
        details = status[0] == 'R' ? error_details(r, error, false) : NULL;
        cJSON_AddStringToObject(out, "error", error);
        if (asl_exec_cause(x))
            cJSON_AddStringToObject(out, "cause", asl_exec_cause(x));
    }
    cJSON_DeleteItemFromObjectCaseSensitive(r->inspection, "errorDetails");
    const char *level = srv_str(p->call, "inspectionLevel");
    if (level && strcmp(level, "INFO")) {
        add_inspection(out, r);
        if (details)
            cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(out, "inspectionData"), "errorDetails", details);
        details = NULL;
    }
    cJSON_Delete(details);
    if (r->next)
        cJSON_AddStringToObject(out, "nextState", r->next);
    cJSON_AddStringToObject(out, "status", status);
    srv_reply(p->call, out);
    asl_engine_unobserve(s->engine, r->observer);
    index_remove(s, x);
    asl_engine_forget(s->engine, x);
    asl_engine_unload(s->engine, r->unit);
    run_free(r);
    return true;
}

/* The mock, checked: a result that is JSON, or an errorOutput; only for
 * the states AWS mocks. False after answering. */
static bool mock_ok(srv_call *c, test_run *r, const cJSON *machine)
{
    const cJSON *mock = cJSON_GetObjectItemCaseSensitive(c->in, "mock");
    if (!mock)
        return true;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(machine, "States"), r->state);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(st, "Type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "Task")) {
        srv_reply_error(c, "ValidationException", "aslc serve mocks Task states only (the state is a %s)",
                        cJSON_IsString(type) ? type->valuestring : "state of no type");
        return false;
    }
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(mock, "result");
    if (cJSON_IsString(result)) {
        cJSON *v = cJSON_Parse(result->valuestring);
        cJSON_Delete(v);
        if (!v) {
            srv_reply_error(c, "ValidationException", "the mock result is not valid JSON");
            return false;
        }
    } else if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(mock, "errorOutput"))) {
        srv_reply_error(c, "ValidationException", "a mock needs a result or an errorOutput");
        return false;
    }
    r->mock = cJSON_Duplicate(mock, true);
    return true;
}

void act_test_state(srv *s, srv_call *c)
{
    static unsigned long count;
    test_run *r = calloc(1, sizeof *r);
    if (!r)
        exit(70);
    r->s = s;
    cJSON *m = build(c, r);
    if (!m || !mock_ok(c, r, m)) {
        cJSON_Delete(m);
        run_free(r);
        return;
    }
    char *text = srv_json(m);
    cJSON_Delete(m);
    char name[48], *diags;
    snprintf(name, sizeof name, "aslc-test-state-%lu", ++count);
    int status;
    r->unit = compile_load(s, name, NULL, NULL, text, &diags, &status);
    free(text);
    if (!r->unit) {
        for (char *p = diags; *p; p++)
            if (*p == '\n')
                *p = ';';
        srv_reply_error(c, "InvalidDefinition", "Invalid State Machine Definition: '%s'", diags);
        free(diags);
        run_free(r);
        return;
    }
    free(diags);
    r->observer = asl_engine_observe(s->engine, observe, r, ASL_OBSERVE_DETAILS | ASL_OBSERVE_INSPECTION);
    if (r->observer < 0) {
        /* The engine's observers are all taken by other TestState runs. */
        asl_engine_unload(s->engine, r->unit);
        run_free(r);
        srv_reply_error(c, "ThrottlingException", "too many TestState calls at once; try again");
        return;
    }
    char *arn = machines_arn(s, "stateMachine", name);
    asl_err err = {0};
    const char *input = srv_str(c, "input");
    asl_exec *x = asl_engine_start(s->engine, arn, NULL, input ? input : "{}", &err);
    free(arn);
    if (!x) {
        srv_reply_error(c, err.error ? err.error : "ValidationException", "%s", err.cause ? err.cause : "");
        asl_err_clear(&err);
        asl_engine_unobserve(s->engine, r->observer);
        asl_engine_unload(s->engine, r->unit);
        run_free(r);
        return;
    }
    r->exec = x;
    r->next_run = runs;
    runs = r;
    pending_add(s, c, ended, r);
}
