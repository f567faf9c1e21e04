/*
 * handlers.c: serving Task resources. A resource is matched against the
 * process handlers given at run time (--lambda), which win, then the
 * handlers compiled in (--tasks); for Lambda
 * the function name or ARN (the resource itself, or Parameters.FunctionName
 * for arn:aws:states:::lambda:invoke) is matched too. A handler compiled
 * in takes the payload as text (ASL_HANDLER: printed for it) or as a value
 * (ASL_HANDLER_JSON: lent as it is, nothing printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "history.h"
#include "ids.h"
#include "mock.h"
#include "quotas.h"
#include "warm.h"

#define LAMBDA_INVOKE "arn:aws:states:::lambda:invoke"

static bool is_lambda_invoke(const char *resource)
{
    size_t n = strlen(LAMBDA_INVOKE);
    return !strncmp(resource, LAMBDA_INVOKE, n) && (resource[n] == '\0' || resource[n] == '.');
}

/* "arn:aws:lambda:r:a:function:NAME[:qualifier]" -> NAME; else the text. */
static void function_name(const char *s, char *out, size_t n)
{
    const char *p = strstr(s, ":function:");
    if (p)
        s = p + 10;
    size_t len = strcspn(s, ":");
    if (len >= n)
        len = n - 1;
    memcpy(out, s, len);
    out[len] = '\0';
}

/* The Lambda function a task invokes: as the state names it (an ARN, a
 * partial ARN or a name), and its name, found on first need (a binding
 * usually names the function as the state does: one strcmp). */
typedef struct lambda_fn {
    const char *named; /* NULL: the task invokes no Lambda function */
    char name[256];    /* "" until found */
} lambda_fn;

static const char *fn_name(lambda_fn *f)
{
    if (f->named && !f->name[0])
        function_name(f->named, f->name, sizeof f->name);
    return f->name;
}

static bool binding_matches(const char *bound, const char *resource, lambda_fn *f)
{
    if (!strcmp(bound, resource) || (f->named && !strcmp(bound, f->named)))
        return true;
    if (!*fn_name(f))
        return false;
    char b[256];
    function_name(bound, b, sizeof b);
    return !strcmp(b, f->name);
}

void asl_resource_parts(const char *resource, char *type, size_t tn, char *name, size_t nn)
{
    /* arn:aws:states:::lambda:invoke.waitForTaskToken -> lambda, invoke.waitForTaskToken
     * arn:aws:lambda:r:a:function:F -> lambda, F */
    const char *p = strstr(resource, ":::");
    if (p) {
        p += 3;
        size_t k = strcspn(p, ":");
        snprintf(type, tn, "%.*s", (int)k, p);
        snprintf(name, nn, "%s", p[k] ? p + k + 1 : "");
        return;
    }
    if (!strncmp(resource, "arn:aws:lambda:", 15)) {
        snprintf(type, tn, "lambda");
        function_name(resource, name, nn);
        return;
    }
    snprintf(type, tn, "handler");
    snprintf(name, nn, "%s", resource);
}

void asl_task_fail_data_limit(asl_task *t)
{
    /* AWS names the service of an integration (arn:aws:states:::lambda:invoke
     * -> 'lambda') and the resource itself otherwise (a function's ARN). */
    char type[64], name[256];
    asl_resource_parts(t->resource, type, sizeof type, name, sizeof name);
    asl_buf b = {0};
    asl_buf_printf(&b, "The state/task '%s' returned a result with a size exceeding the maximum number "
                       "of bytes service limit.", strstr(t->resource, ":::") ? type : t->resource);
    asl_task_fail(t, "States.DataLimitExceeded", b.p);
    asl_buf_free(&b);
}

const char *asl_task_result_key(const asl_task *t)
{
    const asl_state *s = t->state;
    if (asl_history_enabled() || asl_engine_wants_inspection() || !s || s->jsonata || s->result_selector ||
        s->result_path || s->assign)
        return NULL;
    if (!s->output_path)
        return asl_task_result_unread(t) ? "" : NULL;
    const asl_node *p = s->output_path;
    if (!p || p->kind != ASL_N_PATH || p->op != ASL_ROOT_INPUT || p->count < 1 || p->kids[0].kind != ASL_N_STEP_NAME)
        return NULL;
    return p->kids[0].str;
}

bool asl_task_result_whole(const asl_task *t)
{
    return !t->token && t->state->output_path && t->state->output_path->count == 1;
}

cJSON *asl_resp_obj(cJSON *o, const char *key)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddItemToObjectCS(o, key, v);
    return v;
}

void asl_resp_lit(cJSON *o, const char *key, const char *lit)
{
    cJSON_AddItemToObjectCS(o, key, cJSON_CreateStringReference(lit));
}

void asl_resp_str(cJSON *o, const char *key, const char *s)
{
    cJSON_AddItemToObjectCS(o, key, cJSON_CreateString(s));
}

void asl_resp_num(cJSON *o, const char *key, double n)
{
    cJSON_AddItemToObjectCS(o, key, cJSON_CreateNumber(n));
}

void asl_resp_list(cJSON *o, const char *key, const char *s, bool lit)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, lit ? cJSON_CreateStringReference(s) : cJSON_CreateString(s));
    cJSON_AddItemToObjectCS(o, key, a);
}

/* What lambda:invoke's response adds around its Payload, at most, printed
 * (about 600 bytes: three 36-character request ids among fixed fields),
 * LogResult aside. */
enum { WRAP_BOUND = 1024 };

cJSON *asl_task_wrap_result(asl_task *t, cJSON *result, size_t *bound)
{
    if (!is_lambda_invoke(t->resource))
        return result;
    /* OutputPath "$.Payload" (the usual case) reads nothing else; an
     * unread response needs only its size judged (LogResult's 4 KiB and
     * the headers are under 8 KiB): it stays the bare result, which no
     * state reads and the next size check measures no larger. */
    const char *only = asl_task_result_key(t);
    size_t limit = asl_limit.payload_bytes;
    size_t rb = bound && *bound ? *bound : 0;
    if (only && !*only && (!limit || (limit > 8192 && (rb ? rb : asl_json_size_bound(result, limit)) <= limit - 8192)))
        return result;
    if (only && !strcmp(only, "Payload") && asl_task_result_whole(t)) {
        t->selected = true; /* OutputPath "$.Payload": the result is the output */
        return result;
    }
    cJSON *o = cJSON_CreateObject();
    if (bound && *bound) {
        const char *log = ASL_AUX(t, log_result);
        *bound += WRAP_BOUND + (log ? 16 + 6 * strlen(log) : 0);
    }
    if (only && !strcmp(only, "Payload")) {
        cJSON_AddItemToObjectCS(o, "Payload", result);
        return o;
    }
    char id[37];
    asl_uuid(id);
    asl_resp_lit(o, "ExecutedVersion", "$LATEST");
    if (ASL_AUX(t, log_result))
        asl_resp_str(o, "LogResult", t->aux->log_result);
    cJSON_AddItemToObjectCS(o, "Payload", result);
    cJSON *http = asl_resp_obj(o, "SdkHttpMetadata");
    cJSON *h = asl_resp_obj(http, "AllHttpHeaders");
    asl_resp_list(h, "X-Amz-Executed-Version", "$LATEST", true);
    asl_resp_list(h, "x-amzn-Remapped-Content-Length", "0", true);
    asl_resp_list(h, "Connection", "keep-alive", true);
    asl_resp_list(h, "x-amzn-RequestId", id, false);
    asl_resp_list(h, "Content-Type", "application/json", true);
    cJSON *hh = asl_resp_obj(http, "HttpHeaders");
    asl_resp_lit(hh, "Connection", "keep-alive");
    asl_resp_lit(hh, "Content-Type", "application/json");
    asl_resp_lit(hh, "X-Amz-Executed-Version", "$LATEST");
    asl_resp_lit(hh, "x-amzn-Remapped-Content-Length", "0");
    asl_resp_str(hh, "x-amzn-RequestId", id);
    asl_resp_num(http, "HttpStatusCode", 200);
    asl_resp_str(asl_resp_obj(o, "SdkResponseMetadata"), "RequestId", id);
    asl_resp_num(o, "StatusCode", 200);
    return o;
}

/* ---------------------------------------------------------- dispatch */

typedef struct process_handler {
    char *name;
    char *command;
    struct process_handler *next;
} process_handler;

static process_handler *processes;

void asl_handlers_add_process(const char *name, const char *command)
{
    process_handler *h = calloc(1, sizeof *h);
    if (!h)
        abort();
    h->name = strdup(name);
    h->command = strdup(command);
    h->next = processes;
    processes = h;
}

void asl_handlers_free(void)
{
    asl_warm_shutdown();
    while (processes) {
        process_handler *h = processes;
        processes = h->next;
        free(h->name);
        free(h->command);
        free(h);
    }
}

static asl_front_handler front;
static void *front_ud;

void asl_handlers_set_front(asl_front_handler fn, void *ud)
{
    front = fn;
    front_ud = ud;
}

static asl_lambda_handler lambda_fallback;
static void *lambda_fallback_ud;

void asl_handlers_set_lambda(asl_lambda_handler fn, void *ud)
{
    lambda_fallback = fn;
    lambda_fallback_ud = ud;
}

/* Offers t to the front end's handler; true if it took t. */
static bool front_takes(asl_task *t, const cJSON *payload)
{
    if (!front)
        return false;
    t->held = true;
    bool taken = front(front_ud, t, payload);
    if (!taken)
        t->held = false;
    return taken;
}

/* The process handler (--lambda, run time) that serves the task, or NULL:
 * it wins over the handlers compiled in. */
static process_handler *process_for(const char *resource, lambda_fn *f)
{
    for (process_handler *h = processes; h; h = h->next)
        if (binding_matches(h->name, resource, f))
            return h;
    return NULL;
}

/* Calls an ASL_HANDLER_JSON handler with the event as a value: nothing
 * printed. The event is the payload (or its part) in place, read-only and
 * lent for the call; lambda:invoke's Payload given as a string holding
 * JSON is that JSON, parsed for the call, as for the text form. */
static void run_json(asl_task *t, asl_handler_json_fn fn, const cJSON *event, bool lambda_payload)
{
    cJSON empty = {.type = cJSON_Object}; /* Lambda's event when there is no payload */
    cJSON *inner = lambda_payload && cJSON_IsString(event) ? asl_json_parse(event->valuestring) : NULL;
    t->held = true; /* the handler may keep t until asl_task_succeed/fail */
    fn(t, inner ? inner : event ? event : &empty);
    asl_json_drop(inner);
}

void asl_task_dispatch(asl_task *t, const cJSON *payload, cJSON *owned, size_t bound)
{
    const asl_state *s = t->state;
    if (asl_mock_dispatch(t))
        return; /* --mock/--test-case: a mocked response, no service call */
    if (front_takes(t, payload))
        return;
    if (s->integration == ASL_RES_START_EXECUTION) {
        asl_child_start_task(t, payload, owned, bound);
        return;
    }
    lambda_fn fn;
    fn.named = NULL;
    fn.name[0] = '\0'; /* (the rest is written when the name is found) */
    const cJSON *event = payload;
    if (is_lambda_invoke(t->resource)) {
        /* FunctionName and Payload in one pass (the first of a key counts,
         * as cJSON_GetObjectItemCaseSensitive finds it) */
        const cJSON *named = NULL;
        event = NULL;
        for (const cJSON *c = payload && cJSON_IsObject(payload) ? payload->child : NULL; c; c = c->next) {
            const char *k = c->string;
            if (!k)
                continue;
            if (*k == 'F' && !named && !strcmp(k, "FunctionName"))
                named = c;
            else if (*k == 'P' && !event && !strcmp(k, "Payload"))
                event = c;
        }
        if (cJSON_IsString(named))
            fn.named = named->valuestring;
    } else if (!strncmp(t->resource, "arn:aws:lambda:", 15)) {
        fn.named = t->resource;
    }
    const asl_program *p = asl_unit_program(t->frame->exec->unit);
    const asl_binding *served = NULL;
    for (int i = 0; i < p->nbindings && !served; i++)
        if (binding_matches(p->bindings[i].resource, t->resource, &fn))
            served = &p->bindings[i];
    process_handler *process = process_for(t->resource, &fn);
    if (served && served->json && !process) {
        run_json(t, served->json, event, event != payload);
        return;
    }
    /* Lambda hands a function invoked with no payload an empty object. */
    char *text = event ? asl_json_print(event) : strdup("{}");
    /* lambda:invoke's Payload is the bytes sent: a string holding JSON text
     * ("\"x\"", "0.0") reaches the function as that JSON, as with the SDK. */
    cJSON *inner = event != payload && cJSON_IsString(event) ? asl_json_parse(event->valuestring) : NULL;
    if (inner) {
        free(text);
        text = strdup(event->valuestring);
        asl_json_drop(inner);
    }
    if (process) {
        t->held = true; /* until the process answers: asl_task_succeed/fail */
        asl_process_run(t, process->command, text);
        free(text);
        return;
    }
    if (served) {
        t->held = true; /* the handler may keep t until asl_task_succeed/fail */
        served->fn(t, text);
        free(text);
        return;
    }
    const char *fname = fn_name(&fn);
    if (fname[0] && lambda_fallback) {
        t->held = true; /* until the endpoint answers */
        lambda_fallback(lambda_fallback_ud, t, fname, text);
        free(text);
        return;
    }
    free(text);
    if (fname[0]) {
        /* What Lambda answers for a function that does not exist. */
        char id[37];
        asl_uuid(id);
        asl_buf b = {0};
        asl_buf_printf(&b, "Function not found: arn:aws:lambda:%s:%s:function:%s:$LATEST (Service: AWSLambda; "
                           "Status Code: 404; Error Code: ResourceNotFoundException; Request ID: %s; Proxy: null)",
                       asl_region(), asl_account(), fname, id);
        asl_task_fail(t, "Lambda.ResourceNotFoundException", b.p);
        asl_buf_free(&b);
        return;
    }
    /* A machine compiled with --mock needs no handler for the states its
     * test cases mock: run without the mock, such a task ends here. */
    asl_buf b = {0};
    asl_buf_printf(&b, "state '%s': no handler serves the resource '%s': run with --mock FILE --test-case NAME "
                       "(a test case that mocks this state), or give --lambda %s=COMMAND",
                   s->name, t->resource, t->resource);
    asl_task_fail(t, "States.Runtime", b.p);
    asl_buf_free(&b);
}
