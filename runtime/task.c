/*
 * task.c: Task states. A task's effective input goes to whatever serves its
 * resource (a C handler, a process, a child execution); the frame suspends
 * until the task is completed: by the handler, by SendTaskSuccess/Failure
 * for a task token, by a timeout or a missed heartbeat.
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "handlers.h"
#include "history.h"

static asl_task *tasks;

asl_task *asl_task_new(asl_frame *f, const asl_state *s, const char *resource)
{
    asl_task *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    t->frame = f;
    t->state = s;
    t->resource = strdup(resource);
    t->next = tasks;
    tasks = t;
    if (s->pattern == ASL_PATTERN_TOKEN)
        t->token = asl_token_new();
    asl_token_register(t);
    return t;
}

void asl_task_free_all(void)
{
    while (tasks) {
        asl_task *t = tasks;
        tasks = t->next;
        free(t->token);
        free(t->resource);
        free(t);
    }
    asl_token_reset();
}

void asl_task_reap(void)
{
    asl_task **p = &tasks;
    while (*p) {
        asl_task *t = *p;
        if (t->done && !t->frame) {
            *p = t->next;
            free(t->token);
            free(t->resource);
            free(t);
        } else {
            p = &t->next;
        }
    }
}

const char *asl_task_token(const asl_task *t)
{
    return t->token;
}

const char *asl_task_resource(const asl_task *t)
{
    return t->resource;
}

/* ------------------------------------------------------- completion */

static asl_step task_resume(asl_frame *f)
{
    const asl_state *s = &f->graph->states[f->state];
    asl_timer_cancel(&f->timer);
    asl_timer_cancel(&f->heartbeat);
    f->task = NULL;
    cJSON_Delete(f->effective);
    f->effective = NULL;
    if (f->err.error) {
        asl_history_add(f->exec, "TaskFailed", asl_history_enabled() ? asl_task_event(s, &f->err, NULL) : NULL);
        return ASL_STEP_FAIL;
    }
    cJSON *result = f->result;
    f->result = NULL;
    asl_history_add(f->exec, "TaskSucceeded", asl_history_enabled() ? asl_task_event(s, NULL, result) : NULL);
    cJSON *out = asl_state_output(f, s, result);
    return out ? asl_advance(f, s, out) : ASL_STEP_FAIL;
}

void asl_task_complete(asl_task *t, cJSON *output, const char *error, const char *cause)
{
    asl_frame *f = t->frame;
    t->done = true;
    asl_token_forget(t);
    if (!f || f->task != t) {
        cJSON_Delete(output);
        return;
    }
    if (error) {
        asl_err_set(&f->err, error, cause ? "%s" : NULL, cause);
        cJSON_Delete(output);
    } else {
        cJSON_Delete(f->result);
        f->result = output;
    }
    t->frame = NULL;
    asl_wake(f, task_resume);
}

void asl_task_succeed(asl_task *t, const char *output_json)
{
    if (t->done)
        return;
    if (t->token && t->state->pattern == ASL_PATTERN_TOKEN)
        return; /* the handler returned; the token completes the task */
    cJSON *v = asl_json_parse(output_json ? output_json : "null");
    if (!v) {
        asl_task_complete(t, NULL, "States.Runtime", "handler returned invalid JSON");
        return;
    }
    asl_task_complete(t, asl_task_wrap_result(t, v), NULL, NULL);
}

void asl_task_fail(asl_task *t, const char *error, const char *cause)
{
    if (!t->done)
        asl_task_complete(t, NULL, error ? error : "States.TaskFailed", cause);
}

/* ---------------------------------------------------------- timeouts */

static void task_timeout(asl_frame *f)
{
    if (f->task)
        asl_task_complete(f->task, NULL, "States.Timeout", NULL);
}

static void heartbeat_timeout(asl_frame *f)
{
    if (f->task)
        asl_task_complete(f->task, NULL, "States.HeartbeatTimeout", NULL);
}

void asl_task_heartbeat(asl_task *t)
{
    asl_frame *f = t->frame;
    if (!f || t->heartbeat_seconds <= 0)
        return;
    asl_timer_cancel(&f->heartbeat);
    f->heartbeat = asl_timer_add(asl_now() + t->heartbeat_seconds, f, heartbeat_timeout);
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

asl_step asl_state_task(asl_frame *f, const asl_state *s)
{
    asl_task *t = asl_task_new(f, s, s->resource);
    f->task = t;
    cJSON *payload = asl_effective_input(f, s, s->parameters);
    if (!payload) {
        f->task = NULL;
        t->frame = NULL;
        asl_token_forget(t);
        return ASL_STEP_FAIL;
    }
    double timeout, heartbeat;
    if (seconds_field(f, s->timeout, f->data, "TimeoutSeconds", &timeout) < 0 ||
        seconds_field(f, s->heartbeat, f->data, "HeartbeatSeconds", &heartbeat) < 0) {
        cJSON_Delete(payload);
        f->task = NULL;
        t->frame = NULL;
        asl_token_forget(t);
        return ASL_STEP_FAIL;
    }
    f->wait = ASL_WAIT_TASK;
    if (timeout > 0)
        f->timer = asl_timer_add(asl_now() + timeout, f, task_timeout);
    t->heartbeat_seconds = heartbeat;
    asl_task_heartbeat(t);
    asl_history_add(f->exec, "TaskScheduled", asl_history_enabled() ? asl_task_scheduled_event(s, payload, timeout, heartbeat) : NULL);
    asl_history_add(f->exec, "TaskStarted", asl_history_enabled() ? asl_task_event(s, NULL, NULL) : NULL);
    f->effective = payload;
    asl_task_dispatch(t, payload);
    return ASL_STEP_SUSPEND;
}
