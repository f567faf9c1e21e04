/*
 * child.c: the Step Functions integration arn:aws:states:::states:startExecution
 * (request-response, .sync, .sync:2, .waitForTaskToken). The child runs as
 * an execution of its own in the same scheduler; a .sync task waits for it,
 * and its end completes the parent's task with DescribeExecution's shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "history.h"
#include "ids.h"
#include "quotas.h"

/* cJSON_IsString and cJSON_IsNull, in line (a child's start tests a
 * dozen fields). */
static inline bool is_string(const cJSON *v)
{
    return v && (v->type & 0xff) == cJSON_String;
}

static inline bool is_null(const cJSON *v)
{
    return v && (v->type & 0xff) == cJSON_NULL;
}

/* The SDK's Date: epoch milliseconds. */
static void add_date(cJSON *o, const char *key, double t)
{
    asl_resp_num(o, key, (double)(long long)(t * 1000));
}

/* Now as a timestamp; formatted again only when the clock has moved. */
static const char *date_now(void)
{
    static double at = -1;
    static char date[40];
    double now = asl_now();
    if (now != at) {
        asl_timestamp_format(now, date);
        at = now;
    }
    return date;
}

static void add_sdk_metadata(cJSON *o, size_t length)
{
    char id[37], len[24], *p = len + sizeof len;
    asl_uuid(id);
    *--p = '\0';
    do
        *--p = (char)('0' + length % 10);
    while (length /= 10);
    const char *date = date_now();
    cJSON *http = asl_resp_obj(o, "SdkHttpMetadata");
    cJSON *all = asl_resp_obj(http, "AllHttpHeaders");
    asl_resp_str(all, "x-amzn-RequestId", id);
    asl_resp_list(all, "connection", "keep-alive", true);
    asl_resp_list(all, "Content-Length", p, false);
    asl_resp_str(all, "Date", date);
    asl_resp_list(all, "Content-Type", "application/x-amz-json-1.0", true);
    cJSON *h = asl_resp_obj(http, "HttpHeaders");
    asl_resp_lit(h, "connection", "keep-alive");
    asl_resp_str(h, "Content-Length", p);
    asl_resp_lit(h, "Content-Type", "application/x-amz-json-1.0");
    asl_resp_str(h, "Date", date);
    asl_resp_str(h, "x-amzn-RequestId", id);
    asl_resp_num(http, "HttpStatusCode", 200);
    asl_resp_str(asl_resp_obj(o, "SdkResponseMetadata"), "RequestId", id);
}

/* Whether a response field is built: all of them unless the state reads
 * one key only (asl_task_result_key). */
static bool want(const char *only, const char *key)
{
    return !only || (*only == *key && !strcmp(only, key));
}

/* What StartExecution's response holds besides its ExecutionArn, at most,
 * printed (about 570 bytes: three request ids, two dates, two lengths among
 * fixed fields). */
enum { START_BOUND = 1024 };

/* StartExecution's response. */
static cJSON *start_response(const asl_exec *x, const char *only)
{
    cJSON *o = asl_json_node(cJSON_Object);
    if (want(only, "ExecutionArn"))
        asl_resp_str(o, "ExecutionArn", x->arn);
    if (!only)
        add_sdk_metadata(o, strlen(x->arn) + 50);
    if (want(only, "StartDate"))
        add_date(o, "StartDate", x->start);
    return o;
}

/* The execution's input or output: a copy (.sync:2) or JSON text (.sync). */
static void add_value(cJSON *o, const char *key, const cJSON *v, bool parsed)
{
    if (parsed) {
        cJSON_AddItemToObjectCS(o, key, cJSON_Duplicate(v, 1));
        return;
    }
    char *t = asl_json_print(v);
    asl_resp_str(o, key, t);
    free(t);
}

/* DescribeExecution's response as .sync (text) or .sync:2 (JSON) return it. */
static cJSON *describe(const asl_exec *x, bool parsed, const char *only)
{
    cJSON *o = asl_json_node(cJSON_Object);
    if (x->status != ASL_SUCCEEDED) {
        if (x->err.cause && want(only, "Cause"))
            asl_resp_str(o, "Cause", x->err.cause);
        if (x->err.error && want(only, "Error"))
            asl_resp_str(o, "Error", x->err.error);
    }
    if (want(only, "ExecutionArn"))
        asl_resp_str(o, "ExecutionArn", x->arn);
    if (want(only, "Input"))
        add_value(o, "Input", x->input, parsed);
    if (!only)
        cJSON_AddBoolToObject(asl_resp_obj(o, "InputDetails"), "Included", 1);
    if (want(only, "Name"))
        asl_resp_str(o, "Name", x->name);
    if (x->status == ASL_SUCCEEDED) {
        if (want(only, "Output"))
            add_value(o, "Output", x->output, parsed);
        if (!only)
            cJSON_AddBoolToObject(asl_resp_obj(o, "OutputDetails"), "Included", 1);
        if (!parsed && !only) {
            asl_resp_num(o, "RedriveCount", 0);
            asl_resp_lit(o, "RedriveStatus", "NOT_REDRIVABLE");
            asl_resp_lit(o, "RedriveStatusReason", "Execution is SUCCEEDED and cannot be redriven");
        }
    }
    if (want(only, "StartDate"))
        add_date(o, "StartDate", x->start);
    if (want(only, "StateMachineArn"))
        asl_resp_str(o, "StateMachineArn", x->machine_arn);
    if (want(only, "Status"))
        asl_resp_lit(o, "Status", asl_status_name(x->status));
    if (want(only, "StopDate"))
        add_date(o, "StopDate", x->stop);
    return o;
}

/* A child that a .sync task waits for ended: its DescribeExecution is the
 * task's result, or, unless it succeeded, the cause of States.TaskFailed. */
void asl_child_finished(asl_exec *child)
{
    asl_task *t = child->kin->waiter;
    child->kin->waiter = NULL;
    t->aux->child = NULL;
    if (t->done || !t->frame)
        return;
    bool parsed = t->state->pattern == ASL_PATTERN_SYNC2;
    bool ok = child->status == ASL_SUCCEEDED;
    /* A failure's cause is the whole response, as text. */
    const char *only = ok ? asl_task_result_key(t) : NULL;
    if (only && !*only) /* unread, but the child's input and output count for the quota */
        only = NULL;
    if (parsed && only && child->output && !strcmp(only, "Output") && asl_task_result_whole(t)) {
        /* OutputPath "$.Output" (the usual one): the output alone, which
         * is the state's output (no object to take it out of) */
        cJSON *out = cJSON_Duplicate(child->output, 1);
        if (child->unit != t->frame->exec->unit)
            asl_keys_adopt(out, t->frame->exec->machine); /* (as below) */
        t->selected = true;
        asl_task_complete_sized(t, out, child->kin->output_bound);
        return;
    }
    cJSON *d = describe(child, parsed, only);
    if (child->unit != t->frame->exec->unit)
        asl_keys_adopt(d, t->frame->exec->machine); /* (keys of the child's unit: keys.c) */
    if (ok) {
        /* {"Output": output} (the usual OutputPath): bounded by the output's */
        size_t ob = child->kin->output_bound;
        bool output_only = parsed && only && !strcmp(only, "Output") && ob;
        asl_task_complete_sized(t, d, output_only ? ob + 16 : 0);
        return;
    }
    char *cause = asl_json_print(d);
    asl_json_drop(d);
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
 * (what the API takes); none or null is {}. NULL if the text is not JSON.
 * A value is taken from an owned payload (it is deleted after dispatch). */
static cJSON *child_input(const cJSON *input, cJSON *owned)
{
    if (!input || is_null(input))
        return cJSON_CreateObject();
    if (is_string(input))
        return asl_json_parse(input->valuestring);
    /* (a view's members are the parent's input: copied, not taken) */
    if (!owned || (owned->type & cJSON_IsReference)) /* (asl_json_is_view, in line) */
        return cJSON_Duplicate(input, 1);
    cJSON *v = cJSON_DetachItemViaPointer(owned, (cJSON *)(uintptr_t)input);
    if (!(v->type & cJSON_StringIsConst))
        cJSON_free(v->string);
    v->string = NULL;
    v->type &= ~cJSON_StringIsConst;
    /* Views of the parent's input would outlive it (view.c). */
    asl_json_settle(v);
    return v;
}

/* The parent execution the input names (cJSON_GetObjectItemCaseSensitive,
 * with the keys that cannot be it passed over by their first letter). */
static const cJSON *started_by(const cJSON *in)
{
    static const char key[] = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID";
    for (const cJSON *c = in->child; c; c = c->next)
        if (c->string && c->string[0] == 'A' && !strcmp(c->string, key))
            return c;
    return NULL;
}

void asl_child_start_task(asl_task *t, const cJSON *payload, cJSON *owned, size_t bound)
{
    /* The request's fields, in one pass (the first of a key counts; the
     * three start with letters of their own). */
    const cJSON *arn = NULL, *name = NULL, *input = NULL;
    for (const cJSON *c = payload ? payload->child : NULL; c; c = c->next) {
        const char *k = c->string;
        if (!k)
            continue;
        if (*k == 'S' && !arn && !strcmp(k, "StateMachineArn"))
            arn = c;
        else if (*k == 'N' && !name && !strcmp(k, "Name"))
            name = c;
        else if (*k == 'I' && !input && !strcmp(k, "Input"))
            input = c;
    }
    if (is_null(name))
        name = NULL; /* the SDK leaves out a null field */
    if (!is_string(arn)) {
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
    if (name && !(is_string(name) && asl_exec_name_valid(name->valuestring))) {
        char *text = is_string(name) ? strdup(name->valuestring) : asl_json_print(name);
        asl_buf_printf(&msg, "Invalid Name: '%s'", text);
        free(text);
        sdk_error(t, "InvalidName", msg.p);
        asl_buf_free(&msg);
        return;
    }
    cJSON *in = child_input(input, owned);
    if (in && t->frame && u != t->frame->exec->unit)
        asl_keys_adopt(in, m); /* (its keys may be the parent's unit's: keys.c) */
    if (!in) {
        asl_buf_printf(&msg, "Invalid State Machine Execution Input: '%s'", input->valuestring);
        sdk_error(t, "InvalidExecutionInput", msg.p);
        asl_buf_free(&msg);
        return;
    }
    const cJSON *by = started_by(in);
    asl_err e = {0};
    /* The payload's bound bounds the input inside it: measured again only
     * near the quota (a string Input was parsed: not bounded by it). */
    size_t limit = asl_limit.payload_bytes;
    size_t size = bound && !is_string(input) && (!limit || bound <= limit) ? bound : 0;
    asl_exec *x = asl_exec_start_sized(u, m, name ? name->valuestring : NULL, in, size,
                                       is_string(by) ? by->valuestring : NULL, &e);
    if (!x) {
        if (e.error && !strcmp(e.error, "StepFunctions.ExecutionAlreadyExistsException"))
            sdk_error(t, "ExecutionAlreadyExists", e.cause);
        else
            asl_task_fail(t, e.error, e.cause);
        asl_err_clear(&e);
        return;
    }
    if (t->state->pattern == ASL_PATTERN_RESPONSE) {
        const char *only = asl_task_result_key(t);
        size_t arn_len = strlen(x->arn);
        /* Unread, it is built empty, unless a quota so low that the whole
         * response would fail it is set. */
        if (only && !*only && asl_limit.payload_bytes && asl_limit.payload_bytes < 2 * arn_len + 2048)
            only = NULL;
        /* (its size is bounded by the ARN's: the rest is ids, dates and fixed text) */
        asl_task_complete_sized(t, start_response(x, only), START_BOUND + 6 * arn_len);
        return;
    }
    if (t->state->pattern != ASL_PATTERN_TOKEN) {
        /* .sync, .sync:2: the child reports its end to the task; the task
         * ending first (timeout, a failed sibling branch) stops the child. */
        asl_exec_kin_of(x)->waiter = t;
        asl_task_aux_of(t)->child = x;
    }
    /* Waiting, the task's result is what the child ends with (or its
     * token's output): StartExecution's response, SDK metadata and all, is
     * read only by the TaskSubmitted event's details, when they are kept. */
    cJSON *resp = asl_history_enabled() ? start_response(x, NULL) : NULL;
    asl_task_submitted(t, resp);
    asl_json_drop(resp);
}
