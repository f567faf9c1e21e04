/*
 * executions.c: StartExecution, DescribeExecution, StopExecution,
 * GetExecutionHistory, ListExecutions, DescribeStateMachineForExecution.
 * The engine keeps the executions (every one, child executions included)
 * and their history; this file only shapes the answers. StartExecution is
 * idempotent by name as on AWS: the same name and input while the
 * execution runs answers the same execution, anything else is
 * ExecutionAlreadyExists. Page tokens are offsets (machines.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "internal.h"
#include "mock.h"
#include "server.h"

/* Answers an engine error (its AWS name and message). */
static void reply_err(srv_call *c, asl_err *err)
{
    srv_reply_error(c, err->error ? err->error : "InternalFailure", "%s", err->cause ? err->cause : "");
    asl_err_clear(err);
}

/* The execution the call's executionArn names; NULL after answering. */
static asl_exec *named(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "executionArn");
    if (!machines_arn_ok(c, arn, strstr(arn, ":express:") ? "express" : "execution"))
        return NULL;
    asl_exec *x = index_find(s, arn);
    if (!x)
        srv_reply_error(c, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
    return x;
}

/* Whether two JSON texts hold the same value. */
static bool same_json(const char *a, const char *b)
{
    cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
    bool same = x && y && cJSON_Compare(x, y, true);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

/* StartExecution's answer for an existing execution of the same name, or
 * ExecutionAlreadyExists. True when it answered. */
static bool existing(srv *s, srv_call *c, const srv_machine *m, const char *name, const char *input)
{
    char *arn = srv_printf("arn:aws:states:%s:%s:execution:%s:%s", s->opt.region, s->opt.account, m->name, name);
    asl_exec *x = index_find(s, arn);
    if (x) {
        char *old = asl_exec_input_json(x);
        if (asl_exec_status(x) == ASL_RUNNING && !strcmp(m->type, "STANDARD") && same_json(old, input)) {
            cJSON *out = cJSON_CreateObject();
            cJSON_AddStringToObject(out, "executionArn", asl_exec_arn(x));
            cJSON_AddItemToObject(out, "startDate", srv_time(asl_exec_start_date(x)));
            srv_reply(c, out);
        } else {
            srv_reply_error(c, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn);
        }
        free(old);
    }
    free(arn);
    return x != NULL;
}

/* The machine a StartExecution names, and the mock test case after its
 * '#' (Step Functions Local's ARN#TestCase) in *test_case (malloc'd, or
 * NULL); NULL after answering. */
static srv_machine *started_machine(srv *s, srv_call *c, char **test_case)
{
    const char *arn = srv_str(c, "stateMachineArn"), *hash = strchr(arn, '#');
    char *base = hash ? strndup(arn, (size_t)(hash - arn)) : strdup(arn);
    srv_machine *m = NULL;
    *test_case = NULL;
    if (machines_arn_ok(c, base, "stateMachine")) {
        m = machines_find(s, base);
        if (!m)
            srv_reply_error(c, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", base);
        else if (hash && !asl_mock_has_case(m->name, hash + 1))
            srv_reply_error(c, "ValidationException", "the mock configuration (--mock) has no test case '%s' for "
                            "state machine '%s'", hash + 1, m->name);
        else if (hash)
            *test_case = strdup(hash + 1);
    }
    free(base);
    return c->status ? NULL : m;
}

asl_exec *executions_start(srv *s, srv_call *c)
{
    const char *name = srv_str(c, "name");
    const char *input = srv_str(c, "input") ? srv_str(c, "input") : "{}";
    char *test_case;
    srv_machine *m = started_machine(s, c, &test_case);
    if (!m || (name && (!machines_name_ok(c, name) || existing(s, c, m, name, input)))) {
        free(test_case);
        return NULL;
    }
    asl_err err = {0};
    asl_exec *x = asl_engine_start(s->engine, m->arn, name, input, &err);
    if (!x) {
        reply_err(c, &err);
    } else {
        index_add(s, x);
        if (test_case)
            asl_mock_use_case(x, test_case);
    }
    free(test_case);
    return x;
}

void act_start_execution(srv *s, srv_call *c)
{
    asl_exec *x = executions_start(s, c);
    if (!x)
        return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "executionArn", asl_exec_arn(x));
    cJSON_AddItemToObject(out, "startDate", srv_time(asl_exec_start_date(x)));
    srv_reply(c, out);
}

static const char *const date_keys[] = {"startDate", "stopDate", NULL};

cJSON *executions_describe(const asl_exec *x)
{
    /* The runtime's own object (exec.h), not its text read back: this
     * answer is the busiest there is. */
    cJSON *out = asl_describe(x);
    srv_fix_times(out, date_keys);
    return out;
}

void act_describe_execution(srv *s, srv_call *c)
{
    asl_exec *x = named(s, c);
    if (!x)
        return;
    srv_reply(c, executions_describe(x));
}

void act_stop_execution(srv *s, srv_call *c)
{
    asl_exec *x = named(s, c);
    if (!x)
        return;
    asl_engine_stop(s->engine, x, srv_str(c, "error"), srv_str(c, "cause"));
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "stopDate", srv_time(asl_exec_stop_date(x)));
    srv_reply(c, out);
}

/* Drops the input and output of every event's details, for
 * includeExecutionData false. */
static void drop_data(cJSON *event)
{
    for (cJSON *d = event->child; d; d = d->next)
        if (cJSON_IsObject(d)) {
            cJSON_DeleteItemFromObjectCaseSensitive(d, "input");
            cJSON_DeleteItemFromObjectCaseSensitive(d, "output");
        }
}

void act_get_execution_history(srv *s, srv_call *c)
{
    asl_exec *x = named(s, c);
    if (!x)
        return;
    int start = machines_page_start(c), max = srv_int(c, "maxResults", 0);
    if (start < 0)
        return;
    if (max <= 0)
        max = 100;
    bool reverse = srv_bool(c, "reverseOrder", false), data = srv_bool(c, "includeExecutionData", true);
    char *text = asl_exec_history_json(x);
    cJSON *all = cJSON_Parse(text);
    free(text);
    cJSON *events = cJSON_GetObjectItemCaseSensitive(all, "events");
    int total = cJSON_GetArraySize(events), i;
    cJSON *out = cJSON_CreateObject(), *page = cJSON_AddArrayToObject(out, "events");
    for (i = start; i < total && i < start + max; i++) {
        cJSON *e = cJSON_Duplicate(cJSON_GetArrayItem(events, reverse ? total - 1 - i : i), true);
        static const char *const ts[] = {"timestamp", NULL};
        srv_fix_times(e, ts);
        if (!data)
            drop_data(e);
        cJSON_AddItemToArray(page, e);
    }
    machines_page_token(out, i, total);
    cJSON_Delete(all);
    srv_reply(c, out);
}

static cJSON *list_item(const void *p)
{
    const asl_exec *x = p;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "executionArn", asl_exec_arn(x));
    cJSON_AddStringToObject(o, "stateMachineArn", asl_exec_machine_arn(x));
    cJSON_AddStringToObject(o, "name", asl_exec_name(x));
    cJSON_AddStringToObject(o, "status", asl_status_name(asl_exec_status(x)));
    cJSON_AddItemToObject(o, "startDate", srv_time(asl_exec_start_date(x)));
    if (asl_exec_status(x) != ASL_RUNNING)
        cJSON_AddItemToObject(o, "stopDate", srv_time(asl_exec_stop_date(x)));
    return o;
}

/* A Map Run's child as ListExecutions with a mapRunArn lists it. */
static cJSON *run_item(const void *p)
{
    const asl_exec *x = p;
    cJSON *o = list_item(p);
    cJSON_AddStringToObject(o, "mapRunArn", asl_exec_map_run_arn(x));
    cJSON_AddNumberToObject(o, "itemCount", (double)asl_exec_item_count(x));
    return o;
}

/* Whether ListExecutions names what it lists: a known machine or Map Run
 * (not both); false after answering. */
static bool list_target(srv *s, srv_call *c, const char *arn, const char *run)
{
    if (arn && run) {
        srv_reply_error(c, "ValidationException", "Must provide either a StateMachine ARN or a MapRun ARN, not both");
        return false;
    }
    if (!arn && !run) {
        srv_reply_error(c, "ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
        return false;
    }
    if (run)
        return mapruns_named(s, c, run) != NULL;
    if (!machines_arn_ok(c, arn, "stateMachine"))
        return false;
    if (!machines_find(s, arn)) {
        srv_reply_error(c, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn);
        return false;
    }
    return true;
}

void act_list_executions(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "stateMachineArn"), *filter = srv_str(c, "statusFilter");
    const char *run = srv_str(c, "mapRunArn");
    if (!list_target(s, c, arn, run))
        return;
    int total = 0;
    void **match = NULL;
    for (asl_exec *x = asl_engine_executions(s->engine); x; x = asl_exec_next(x)) {
        const char *of = run ? asl_exec_map_run_arn(x) : asl_exec_machine_arn(x);
        if (!of || strcmp(of, run ? run : arn) ||
            (filter && strcmp(asl_status_name(asl_exec_status(x)), filter)))
            continue;
        void **grown = realloc(match, sizeof *match * (size_t)(total + 1));
        if (!grown)
            exit(70);
        match = grown;
        match[total++] = x;
    }
    /* Newest first, as AWS lists them. */
    for (int i = 0; i < total / 2; i++) {
        void *x = match[i];
        match[i] = match[total - 1 - i];
        match[total - 1 - i] = x;
    }
    machines_page(c, "executions", match, total, run ? run_item : list_item);
    free(match);
}

void act_describe_for_execution(srv *s, srv_call *c)
{
    asl_exec *x = named(s, c);
    if (!x)
        return;
    srv_machine *m = machines_find(s, asl_exec_machine_arn(x));
    if (!m) {
        srv_reply_error(c, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", asl_exec_machine_arn(x));
        return;
    }
    const srv_def *def = asl_exec_user(x) ? asl_exec_user(x) : m->def;
    cJSON *out = machines_describe(m);
    cJSON_DeleteItemFromObjectCaseSensitive(out, "status");
    cJSON_DeleteItemFromObjectCaseSensitive(out, "type");
    cJSON_DeleteItemFromObjectCaseSensitive(out, "creationDate");
    cJSON_ReplaceItemInObjectCaseSensitive(out, "definition", cJSON_CreateString(def->text));
    cJSON_ReplaceItemInObjectCaseSensitive(out, "revisionId", cJSON_CreateString(def->revision));
    cJSON_AddItemToObject(out, "updateDate", srv_time(def->date));
    srv_reply(c, out);
}
