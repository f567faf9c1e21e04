/*
 * task.c: Task states. A task's effective input goes to whatever serves its
 * resource (a C handler, a process, a child execution); the frame suspends
 * until the task is completed: by the handler, by SendTaskSuccess/Failure
 * for a task token, by a timeout or a missed heartbeat.
 *
 * A task lives until three things are over: its frame has taken its outcome
 * (or is gone), the handler serving it has called asl_task_succeed or
 * asl_task_fail (it may keep the pointer until then, even past a timeout),
 * and a .sync child execution no longer reports to it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "handlers.h"
#include "history.h"
#include "jsonata_fields.h"
#include "slab.h"

/* Every task (a doubly linked list: one leaves in O(1)), and the tasks
 * whose outcome is decided: the candidates to free. A candidate is freed
 * at the start of a scheduler turn once no frame, handler or child uses
 * it; the list is walked again only after it has doubled, so freeing costs
 * O(1) a task however many tasks are open. */
static asl_task *tasks;
static int ntasks;
static asl_slab task_slab = ASL_SLAB(asl_task); /* a million open tokens, a million tasks */
static asl_slab aux_slab = ASL_SLAB(asl_task_aux); /* made and dropped with each .sync task */
static struct {
    asl_task **v;
    size_t n, cap, kept;     /* kept: candidates left by the last walk */
} closed;

bool asl_task_reap_due;

static void note_closed(asl_task *t)
{
    if (t->closed)
        return;
    t->closed = true;
    if (closed.n == closed.cap) {
        closed.cap = closed.cap ? 2 * closed.cap : 256;
        closed.v = realloc(closed.v, closed.cap * sizeof *closed.v);
        if (!closed.v)
            abort();
    }
    closed.v[closed.n++] = t;
    if (closed.n >= 2 * closed.kept + 64)
        asl_task_reap_due = true;
}

asl_task *asl_task_restore(asl_frame *f, const asl_state *s, const char *resource)
{
    asl_task *t = asl_slab_alloc_raw(&task_slab);
    /* The state's own resource is borrowed (it lives with the unit, which
     * outlives the tasks a frame of it uses, as t->state does); any other is
     * copied. (Every field set here: the rest zero, without a memset call.) */
    bool borrowed = s && s->resource && (s->resource == resource || !strcmp(s->resource, resource));
    *t = (asl_task){.frame = f, .state = s, .borrowed = borrowed,
                    .resource = borrowed ? (char *)s->resource : strdup(resource)};
    /* A Lambda function ARN as the resource (the legacy form) has events
     * of its own: LambdaFunctionScheduled ... instead of TaskScheduled ... */
    t->lambda = !(t->borrowed && s->integration == ASL_RES_START_EXECUTION) &&
                !strncmp(t->resource, "arn:aws:lambda:", 15);
    t->next = tasks;
    if (tasks)
        tasks->prev = t;
    tasks = t;
    ntasks++;
    return t;
}

asl_task *asl_task_new(asl_frame *f, const asl_state *s, const char *resource)
{
    asl_task *t = asl_task_restore(f, s, resource);
    if (s->pattern == ASL_PATTERN_TOKEN)
        asl_token_issue(t);
    return t;
}

asl_task_aux *asl_task_aux_of(asl_task *t)
{
    if (!t->aux)
        t->aux = asl_slab_alloc(&aux_slab);
    return t->aux;
}

/* The payload was kept for a restart until someone answered the task. */
static void drop_payload(asl_task *t)
{
    if (t->aux) {
        asl_json_drop(t->aux->payload);
        t->aux->payload = NULL;
    }
}

static void task_free(asl_task *t)
{
    drop_payload(t);
    if (t->aux) {
        free(t->aux->ref);
        free(t->aux->log_result);
        asl_slab_free(&aux_slab, t->aux);
    }
    free(t->answer);
    cJSON_free(t->token); /* (token.c's and snapshot.c's: cJSON's allocator) */
    if (!t->borrowed) /* t->state may be gone with its unit: the flag says */
        free(t->resource);
    asl_slab_free(&task_slab, t);
    ntasks--;
}

int asl_task_count(void)
{
    return ntasks;
}

void asl_task_free_all(void)
{
    while (tasks) {
        asl_task *t = tasks;
        tasks = t->next;
        task_free(t);
    }
    free(closed.v);
    memset(&closed, 0, sizeof closed);
    asl_task_reap_due = false;
    asl_token_reset();
}

void asl_task_reap(void)
{
    if (closed.n < 2 * closed.kept + 64)
        return;
    size_t k = 0;
    for (size_t i = 0; i < closed.n; i++) {
        asl_task *t = closed.v[i];
        if (t->done && !t->frame && !t->held && !ASL_AUX(t, child)) {
            *(t->prev ? &t->prev->next : &tasks) = t->next;
            if (t->next)
                t->next->prev = t->prev;
            task_free(t);
        } else {
            closed.v[k++] = t;
        }
    }
    closed.n = closed.kept = k;
    asl_task_reap_due = false;
}

const char *asl_task_token(const asl_task *t)
{
    return t->token;
}

const char *asl_task_resource(const asl_task *t)
{
    return t->resource;
}

void asl_task_set_ref(asl_task *t, const char *ref)
{
    if (!ref && !t->aux)
        return;
    asl_task_aux *a = asl_task_aux_of(t);
    free(a->ref);
    a->ref = ref ? strdup(ref) : NULL;
}

const char *asl_task_ref(const asl_task *t)
{
    return ASL_AUX(t, ref);
}

/* ------------------------------------------------------------ events */

/* The frame's next event without details. Most runs keep no history and
 * observe no task events: then it is only counted, in line (as
 * asl_frame_event would count it). */
static inline void bare_event(asl_frame *f, const char *type)
{
    /* (a task's events are not an execution's: only observers of every
     * event hear them, ASL_OBSERVING_ALL) */
    if (asl_history_counted_only_by(f->exec, ASL_OBSERVING_ALL))
        f->src = ++f->exec->events;
    else
        asl_frame_event(f, type, NULL, false);
}

static void add_resource(cJSON *d, const asl_state *s)
{
    char type[64], name[256];
    asl_resource_parts(s->resource, type, sizeof type, name, sizeof name);
    cJSON_AddStringToObject(d, "resource", name);
    cJSON_AddStringToObject(d, "resourceType", type);
}

static void add_text(cJSON *d, const char *key, const cJSON *v, const char *details)
{
    char *text = asl_json_print(v);
    cJSON_AddStringToObject(d, key, text);
    free(text);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(d, details), "truncated", 0);
}

/* The task's events, and their names for a Lambda function ARN resource. */
typedef enum task_kind { K_STARTED, K_SUBMITTED, K_SUCCEEDED, K_FAILED, K_TIMED_OUT } task_kind;
static const char *const task_types[] = {"TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskFailed",
                                         "TaskTimedOut"};
static const char *const lambda_types[] = {"LambdaFunctionStarted", "TaskSubmitted", "LambdaFunctionSucceeded",
                                           "LambdaFunctionFailed", "LambdaFunctionTimedOut"};

/* task_event's details, built when someone reads them (out of line: the
 * common case, counting, stays small). */
__attribute__((noinline)) static void task_event_details(asl_task *t, asl_frame *f, task_kind kind,
                                                         const asl_err *err, const cJSON *output)
{
    cJSON *d = NULL;
    if (!(t->lambda && kind == K_STARTED)) {
        d = cJSON_CreateObject();
        if (err && err->cause)
            cJSON_AddStringToObject(d, "cause", err->cause);
        if (err && err->error)
            cJSON_AddStringToObject(d, "error", err->error);
        if (output)
            add_text(d, "output", output, "outputDetails");
        if (!t->lambda)
            add_resource(d, t->state);
    }
    asl_frame_event(f, (t->lambda ? lambda_types : task_types)[kind], d, false);
}

/* Records one of the task's events; err and output (borrowed) fill the
 * details. */
static inline void task_event(asl_task *t, asl_frame *f, task_kind kind, const asl_err *err, const cJSON *output)
{
    if (asl_history_enabled())
        task_event_details(t, f, kind, err, output);
    else
        bare_event(f, (t->lambda ? lambda_types : task_types)[kind]);
}

__attribute__((noinline)) static void scheduled_details(asl_task *t, asl_frame *f, const cJSON *payload,
                                                        double timeout, double heartbeat)
{
    bool lambda = t->lambda;
    cJSON *d = cJSON_CreateObject();
    if (lambda) {
        add_text(d, "input", payload, "inputDetails");
        cJSON_AddStringToObject(d, "resource", t->resource);
    } else {
        char *text = asl_json_print(payload);
        cJSON_AddStringToObject(d, "parameters", text);
        free(text);
        cJSON_AddStringToObject(d, "region", asl_region());
        add_resource(d, t->state);
    }
    if (timeout > 0)
        cJSON_AddNumberToObject(d, "timeoutInSeconds", timeout);
    if (heartbeat > 0 && !lambda)
        cJSON_AddNumberToObject(d, "heartbeatInSeconds", heartbeat);
    asl_frame_event(f, lambda ? "LambdaFunctionScheduled" : "TaskScheduled", d, false);
}

static inline void scheduled_event(asl_task *t, asl_frame *f, const cJSON *payload, double timeout,
                                   double heartbeat)
{
    if (asl_history_enabled())
        scheduled_details(t, f, payload, timeout, heartbeat);
    else
        bare_event(f, t->lambda ? "LambdaFunctionScheduled" : "TaskScheduled");
}

/* Recorded while the frame has not taken the task's outcome: an answer to
 * the token may come before the service's own response (a handler that
 * answers the token before it returns), and AWS still shows TaskSubmitted
 * first. */
void asl_task_submitted(asl_task *t, const cJSON *response)
{
    if (t->submitted || !t->frame || t->frame->task != t)
        return;
    t->submitted = true;
    drop_payload(t);
    task_event(t, t->frame, K_SUBMITTED, NULL, response);
}

/* ------------------------------------------------------- completion */

/* The task is over for its frame: its token no longer answers and a .sync
 * child no longer reports (AWS stops the job of a .sync task that ends
 * another way: timeout, heartbeat, a failed sibling branch). */
static void task_close(asl_task *t)
{
    bool open = !t->done; /* (a completed task's token was forgotten then) */
    t->done = true;
    note_closed(t);
    drop_payload(t);
    if (open)
        asl_token_forget(t);
    asl_exec *child = ASL_AUX(t, child);
    if (child) {
        t->aux->child = NULL;
        child->kin->waiter = NULL;
        asl_exec_abort(child, NULL, NULL);
    }
}

void asl_task_detach(asl_task *t)
{
    t->frame = NULL;
    task_close(t);
}

/* The frame takes the task's outcome. t is not used after task_close: a
 * child stopped there may end an execution, whose done hook may free
 * tasks. */
static asl_step task_resume(asl_frame *f)
{
    const asl_state *s = &f->graph->states[f->state];
    asl_task *t = f->task;
    bool selected = t->selected; /* (t is not read after task_close) */
    asl_timer_cancel(&f->timer);
    asl_timer_cancel(&f->heartbeat);
    asl_json_drop(f->effective);
    f->effective = NULL;
    cJSON *result = asl_task_take_result(f);
    if (f->err.error)
        task_event(t, f, t->timed_out ? K_TIMED_OUT : K_FAILED, &f->err, NULL);
    else
        task_event(t, f, K_SUCCEEDED, NULL, result);
    if (t->token && !f->err.error && (s->result_selector || s->assign || s->output_path || s->output)) {
        /* $$ was dropped while the task waited; what reads it now must
         * still see $$.Task.Token, which leaves with the task. */
        asl_ctx c;
        asl_ctx_init(&c, f, NULL);
        asl_ctx_context(&c);
    }
    f->task = NULL;
    t->frame = NULL;
    task_close(t);
    size_t bound = f->out_bound; /* (asl_task_complete_sized's) */
    f->out_bound = 0;
    if (f->err.error) {
        asl_json_drop(result);
        return ASL_STEP_FAIL;
    }
    cJSON *out;
    if (selected) { /* the result is OutputPath's selection already (asl_task_result_whole) */
        f->out_bound = bound ? bound : asl_json_size_bound(result, asl_limit.payload_bytes);
        out = result;
    } else {
        out = asl_state_output_sized(f, s, result, bound);
    }
    return out ? asl_advance(f, s, out) : ASL_STEP_FAIL;
}

static void complete(asl_task *t, cJSON *output, size_t bound, const char *error, const char *cause)
{
    asl_frame *f = t->frame;
    if (t->done || !f || f->task != t) {
        asl_json_drop(output);
        return;
    }
    t->done = true;
    note_closed(t);
    drop_payload(t);
    asl_token_forget(t);
    if (error) {
        asl_err_set(&f->err, error, cause ? "%s" : NULL, cause);
        asl_json_drop(output);
    } else {
        asl_json_drop(f->result);
        f->result = output;
        f->out_bound = output ? bound : 0; /* (an answer as text is measured when parsed) */
    }
    asl_wake(f, task_resume);
}

void asl_task_complete(asl_task *t, cJSON *output, const char *error, const char *cause)
{
    complete(t, output, 0, error, cause);
}

void asl_task_complete_sized(asl_task *t, cJSON *output, size_t bound)
{
    complete(t, output, bound, NULL, NULL);
}

/* The handler is done with t: whatever it says, t may be freed now. */
static bool release(asl_task *t)
{
    bool live = !t->done && t->frame;
    t->held = false;
    drop_payload(t);
    return live;
}

/* What a handler answered (v taken; NULL: nothing to take, or no JSON, as
 * why says). A token task's answer is the service's response: the service
 * accepted the request (Lambda ran) and the task waits for its token; AWS
 * records the response as TaskSubmitted. Any other task's is its result. */
static void answered(asl_task *t, bool live, cJSON *v, size_t bound, asl_buf *why)
{
    if (t->token) {
        if (v)
            asl_task_submitted(t, (v = asl_task_wrap_result(t, v, NULL)));
        t->submitted = true;
        asl_json_drop(v);
    } else if (live && v) {
        v = asl_task_wrap_result(t, v, &bound);
        asl_task_complete_sized(t, v, bound);
    } else if (live) {
        asl_buf cause = {0};
        asl_buf_printf(&cause, "handler returned invalid JSON: %s", why->p);
        asl_task_complete(t, NULL, "States.Runtime", cause.p);
        asl_buf_free(&cause);
    } else {
        asl_json_drop(v);
    }
    asl_buf_free(why);
}

/* Whether the answer is wanted: a token task's response only for history. */
static bool answer_wanted(const asl_task *t, bool live)
{
    return t->token ? asl_history_enabled() : live;
}

void asl_task_succeed(asl_task *t, const char *output_json)
{
    bool live = release(t);
    const char *text = output_json ? output_json : "null";
    if (live && !t->token && asl_payload_text_over(strlen(text))) {
        asl_task_fail_data_limit(t);
        return;
    }
    asl_buf why = {0};
    cJSON *v = NULL;
    /* (a Lambda function that returns nothing answers null: no parse) */
    if (answer_wanted(t, live))
        v = !strcmp(text, "null") ? cJSON_CreateNull() : asl_json_parse_checked(text, strlen(text), &why);
    answered(t, live, v, 0, &why); /* (a parsed number may print longer than its text) */
}

void asl_task_succeed_json(asl_task *t, cJSON *output)
{
    bool live = release(t);
    asl_buf why = {0};
    cJSON *v = NULL;
    size_t bound = 0;
    if (answer_wanted(t, live) && asl_json_value_check(output, &why, &bound)) {
        v = output ? output : asl_json_node(cJSON_NULL);
        output = NULL;
        size_t limit = asl_limit.payload_bytes;
        if (live && !t->token && limit && bound > limit && asl_json_size(v, limit) > limit) {
            asl_json_delete(v);
            asl_task_fail_data_limit(t);
            return;
        }
        asl_json_settle(v); /* references into the event (gone now) become copies */
    }
    asl_json_drop(output);
    answered(t, live, v, bound, &why);
}

void asl_task_fail(asl_task *t, const char *error, const char *cause)
{
    if (release(t))
        asl_task_complete(t, NULL, error ? error : "States.TaskFailed", cause);
}

/* ---------------------------------------------------------- timeouts */

static void timed_out(asl_frame *f, const char *error)
{
    asl_task *t = f->task;
    if (!t || t->done)
        return;
    t->timed_out = true;
    asl_task_complete(t, NULL, error, NULL);
}

static void task_timeout(asl_frame *f)
{
    timed_out(f, "States.Timeout");
}

static void heartbeat_timeout(asl_frame *f)
{
    timed_out(f, "States.HeartbeatTimeout");
}

void asl_task_heartbeat(asl_task *t)
{
    asl_frame *f = t->frame;
    if (!f || t->done || ASL_AUX(t, heartbeat_seconds) <= 0)
        return;
    asl_timer_cancel(&f->heartbeat);
    f->heartbeat = asl_timer_add(asl_now() + t->aux->heartbeat_seconds, f, heartbeat_timeout);
}

/* A timeout field: a number, or a path to a positive integer. */
static int seconds_field(asl_frame *f, const asl_node *n, const cJSON *in, const char *name, double *out)
{
    *out = 0;
    if (!n)
        return 0;
    if (n->kind == ASL_N_NUMBER) {
        *out = n->num;
        return 0;
    }
    if (n->kind == JSONATA_KIND_ROOT) {
        asl_jn j;
        asl_jn_init(&j, f, in);
        cJSON *v = asl_jn_eval_as(&j, n, name, cJSON_Number, "integer");
        if (!v)
            return asl_jn_fail(&j), -1;
        *out = v->valuedouble;
        asl_json_drop(v);
        if (*out > 0)
            return 0;
        asl_jn_fail_msg(f, "The %s field must be a positive integer, but was: %g", name, *out);
        return -1;
    }
    asl_ctx c;
    asl_ctx_init(&c, f, in);
    const cJSON *v = NULL;
    if (asl_path_peek(n, &c, &v) == 0 && cJSON_IsNumber(v) && v->valuedouble > 0) {
        *out = v->valuedouble;
        return 0;
    }
    asl_fail_runtime(f, "The %sPath field must reference a positive integer: %s", name, n->str);
    return -1;
}

/* ------------------------------------------------------------- Task */

/* Dispatches payload; owned is payload when the task owns it, NULL when it
 * points into the frame's input (which stays as it is while the task runs). */
static void task_send(asl_task *t, const cJSON *payload, cJSON *owned, size_t bound)
{
    asl_frame *f = t->frame;
    /* Whoever serves the task has taken what it needs from the payload by
     * the time dispatch returns: a suspended task keeps no copy, unless a
     * handler still holds it unanswered: a restart dispatches it again (at
     * least once) with this payload. */
    f->effective = (cJSON *)(uintptr_t)payload; /* (read by handlers while they dispatch) */
    asl_task_dispatch(t, payload, owned, bound);
    f->effective = NULL;
    if (f->task == t && t->held && !t->done && !t->submitted)
        asl_task_aux_of(t)->payload = owned ? owned : cJSON_Duplicate(payload, 1);
    else
        asl_json_drop(owned);
}

void asl_task_send(asl_task *t, cJSON *payload)
{
    task_send(t, payload, payload, 0);
}

asl_step asl_state_task(asl_frame *f, const asl_state *s)
{
    asl_task *t = asl_task_new(f, s, s->resource);
    f->task = t;
    double timeout = 0, heartbeat = 0;
    /* Without Parameters the payload is the input after InputPath, only read
     * while the task is dispatched: it points into f->data, no copy. */
    cJSON *owned = NULL;
    const cJSON *payload;
    size_t bound = 0; /* (of Parameters' value: a child's input is inside) */
    if (!s->jsonata && !s->parameters && !asl_engine_wants_inspection())
        payload = asl_path_view(f, s->input_path, f->data, &owned);
    else
        payload = owned = s->jsonata ? asl_jn_arguments(f, s) : asl_effective_input_sized(f, s, s->parameters, &bound);
    if (!payload || (s->timeout && seconds_field(f, s->timeout, f->data, "TimeoutSeconds", &timeout) < 0) ||
        (s->heartbeat && seconds_field(f, s->heartbeat, f->data, "HeartbeatSeconds", &heartbeat) < 0)) {
        asl_json_drop(owned);
        f->task = NULL;
        asl_task_detach(t);
        return ASL_STEP_FAIL;
    }
    f->wait = ASL_WAIT_TASK;
    if (timeout > 0)
        f->timer = asl_timer_add(asl_now() + timeout, f, task_timeout);
    if (heartbeat > 0) { /* (a new task has no heartbeat timer else) */
        asl_task_aux_of(t)->heartbeat_seconds = heartbeat;
        asl_task_heartbeat(t);
    }
    scheduled_event(t, f, payload, timeout, heartbeat);
    task_event(t, f, K_STARTED, NULL, NULL);
    task_send(t, payload, owned, bound);
    /* Nor does it keep $$ (a copy of the execution input and more): a
     * hundred thousand waiting tasks would hold that many. */
    if (f->task == t) {
        asl_json_drop(f->context);
        f->context = NULL;
    }
    return ASL_STEP_SUSPEND;
}

asl_step (*const asl_task_resume)(asl_frame *f) = task_resume;
void (*const asl_task_timeout)(asl_frame *f) = task_timeout;
void (*const asl_heartbeat_timeout)(asl_frame *f) = heartbeat_timeout;
