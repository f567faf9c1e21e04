/*
 * child.c: the Step Functions integration arn:aws:states:::states:startExecution
 * (request-response, .sync, .sync:2, .waitForTaskToken). The child runs as
 * an execution of its own in the same scheduler; a .sync task waits for it,
 * and its end completes the parent's task with DescribeExecution's shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "history.h"
#include "ids.h"

static void add_date(cJSON *o, const char *key, double t)
{
    /* The SDK's Date: epoch milliseconds. */
    cJSON_AddNumberToObject(o, key, (double)(long long)(t * 1000));
}

static void add_sdk_metadata(cJSON *o, size_t length)
{
    char id[37], len[24], date[40];
    asl_uuid(id);
    snprintf(len, sizeof len, "%zu", length);
    asl_timestamp_format(asl_now(), date);
    cJSON *http = cJSON_AddObjectToObject(o, "SdkHttpMetadata");
    cJSON *all = cJSON_AddObjectToObject(http, "AllHttpHeaders");
    cJSON_AddStringToObject(all, "x-amzn-RequestId", id);
    cJSON_AddItemToObject(all, "connection", cJSON_CreateStringArray((const char *[]){"keep-alive"}, 1));
    cJSON_AddItemToObject(all, "Content-Length", cJSON_CreateStringArray((const char *[]){len}, 1));
    cJSON_AddStringToObject(all, "Date", date);
    cJSON_AddItemToObject(all, "Content-Type",
                          cJSON_CreateStringArray((const char *[]){"application/x-amz-json-1.0"}, 1));
    cJSON *h = cJSON_AddObjectToObject(http, "HttpHeaders");
    cJSON_AddStringToObject(h, "connection", "keep-alive");
    cJSON_AddStringToObject(h, "Content-Length", len);
    cJSON_AddStringToObject(h, "Content-Type", "application/x-amz-json-1.0");
    cJSON_AddStringToObject(h, "Date", date);
    cJSON_AddStringToObject(h, "x-amzn-RequestId", id);
    cJSON_AddNumberToObject(http, "HttpStatusCode", 200);
    cJSON *meta = cJSON_AddObjectToObject(o, "SdkResponseMetadata");
    cJSON_AddStringToObject(meta, "RequestId", id);
}

/* StartExecution's response. */
static cJSON *start_response(const asl_exec *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ExecutionArn", x->arn);
    add_sdk_metadata(o, strlen(x->arn) + 50);
    add_date(o, "StartDate", x->start);
    return o;
}

/* DescribeExecution's response as .sync (text) or .sync:2 (JSON) return it. */
static cJSON *describe(const asl_exec *x, bool parsed)
{
    cJSON *o = cJSON_CreateObject();
    if (x->status != ASL_SUCCEEDED) {
        if (x->err.cause)
            cJSON_AddStringToObject(o, "Cause", x->err.cause);
        if (x->err.error)
            cJSON_AddStringToObject(o, "Error", x->err.error);
    }
    cJSON_AddStringToObject(o, "ExecutionArn", x->arn);
    if (parsed) {
        cJSON_AddItemToObject(o, "Input", cJSON_Duplicate(x->input, 1));
    } else {
        char *t = asl_json_print(x->input);
        cJSON_AddStringToObject(o, "Input", t);
        free(t);
    }
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "InputDetails"), "Included", 1);
    cJSON_AddStringToObject(o, "Name", x->name);
    if (x->status == ASL_SUCCEEDED) {
        if (parsed) {
            cJSON_AddItemToObject(o, "Output", cJSON_Duplicate(x->output, 1));
        } else {
            char *t = asl_json_print(x->output);
            cJSON_AddStringToObject(o, "Output", t);
            free(t);
        }
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "OutputDetails"), "Included", 1);
        if (!parsed) {
            cJSON_AddNumberToObject(o, "RedriveCount", 0);
            cJSON_AddStringToObject(o, "RedriveStatus", "NOT_REDRIVABLE");
            cJSON_AddStringToObject(o, "RedriveStatusReason", "Execution is SUCCEEDED and cannot be redriven");
        }
    }
    add_date(o, "StartDate", x->start);
    cJSON_AddStringToObject(o, "StateMachineArn", x->machine_arn);
    cJSON_AddStringToObject(o, "Status", asl_status_name(x->status));
    add_date(o, "StopDate", x->stop);
    return o;
}

/* A child that a .sync task waits for ended: its DescribeExecution is the
 * task's result, or, unless it succeeded, the cause of States.TaskFailed. */
void asl_child_finished(asl_exec *child)
{
    asl_task *t = child->waiter;
    child->waiter = NULL;
    t->child = NULL;
    if (t->done || !t->frame)
        return;
    bool parsed = t->state->pattern == ASL_PATTERN_SYNC2;
    cJSON *d = describe(child, parsed);
    if (child->status == ASL_SUCCEEDED) {
        asl_task_complete(t, d, NULL, NULL);
        return;
    }
    char *cause = asl_json_print(d);
    cJSON_Delete(d);
    asl_task_complete(t, NULL, "States.TaskFailed", cause);
    free(cause);
}

/* Fails t as the optimized integration reports a StartExecution error:
 * StepFunctions.<Code>Exception, with the SDK's text as the cause. */
static void sdk_error(asl_task *t, const char *code, const char *message)
{
    char id[37];
    asl_uuid(id);
    asl_buf b = {0}, e = {0};
    asl_buf_printf(&b, "%s (Service: AWSStepFunctions; Status Code: 400; Error Code: %s; Request ID: %s; Proxy: null)",
                   message, code, id);
    asl_buf_printf(&e, "StepFunctions.%sException", code);
    asl_task_fail(t, e.p, b.p);
    asl_buf_free(&b);
    asl_buf_free(&e);
}

/* StartExecution's rule for names: 1 to 80 characters, none of them white
 * space, brackets, wildcards, the special characters below or control
 * characters. */
/* The child's input: Input as a value, or as JSON text when it is a string
 * (what the API takes); none or null is {}. NULL if the text is not JSON. */
static cJSON *child_input(const cJSON *input)
{
    if (!input || cJSON_IsNull(input))
        return cJSON_CreateObject();
    if (cJSON_IsString(input))
        return asl_json_parse(input->valuestring);
    return cJSON_Duplicate(input, 1);
}

void asl_child_start_task(asl_task *t, const cJSON *payload)
{
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(payload, "StateMachineArn");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(payload, "Name");
    if (cJSON_IsNull(name))
        name = NULL; /* the SDK leaves out a null field */
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(payload, "Input");
    if (!cJSON_IsString(arn)) {
        asl_task_fail(t, "States.Runtime", "StateMachineArn must be a string");
        return;
    }
    asl_unit *u;
    const asl_machine *m = asl_units_find(arn->valuestring, &u);
    asl_buf msg = {0};
    if (!m) {
        asl_buf_printf(&msg, "State Machine Does Not Exist: '%s'", arn->valuestring);
        sdk_error(t, "StateMachineDoesNotExist", msg.p);
        asl_buf_free(&msg);
        return;
    }
    if (name && !(cJSON_IsString(name) && asl_exec_name_valid(name->valuestring))) {
        char *text = cJSON_IsString(name) ? strdup(name->valuestring) : asl_json_print(name);
        asl_buf_printf(&msg, "Invalid Name: '%s'", text);
        free(text);
        sdk_error(t, "InvalidName", msg.p);
        asl_buf_free(&msg);
        return;
    }
    cJSON *in = child_input(input);
    if (!in) {
        asl_buf_printf(&msg, "Invalid State Machine Execution Input: '%s'", input->valuestring);
        sdk_error(t, "InvalidExecutionInput", msg.p);
        asl_buf_free(&msg);
        return;
    }
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(in, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID");
    asl_err e = {0};
    asl_exec *x = asl_exec_start(u, m, name ? name->valuestring : NULL, in,
                                 cJSON_IsString(by) ? by->valuestring : NULL, &e);
    if (!x) {
        if (e.error && !strcmp(e.error, "StepFunctions.ExecutionAlreadyExistsException"))
            sdk_error(t, "ExecutionAlreadyExists", e.cause);
        else
            asl_task_fail(t, e.error, e.cause);
        asl_err_clear(&e);
        return;
    }
    if (t->state->pattern == ASL_PATTERN_RESPONSE) {
        asl_task_complete(t, start_response(x), NULL, NULL);
        return;
    }
    if (t->state->pattern != ASL_PATTERN_TOKEN) {
        /* .sync, .sync:2: the child reports its end to the task; the task
         * ending first (timeout, a failed sibling branch) stops the child. */
        x->waiter = t;
        t->child = x;
    }
    /* Waiting, the task's result is what the child ends with (or its
     * token's output): StartExecution's response, SDK metadata and all, is
     * read only by the TaskSubmitted event's details, when they are kept. */
    cJSON *resp = asl_history_enabled() ? start_response(x) : NULL;
    asl_task_submitted(t, resp);
    cJSON_Delete(resp);
}
