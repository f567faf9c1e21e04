/*
 * engine_test.c: the embedding API (asl_engine.h) as an embedder uses it:
 * one engine, a unit loaded and unloaded, executions started (and refused
 * as AWS refuses them), stopped, answered through their task token, driven
 * one turn at a time, and watched through the event stream, with the
 * inspection values TestState reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl_engine.h"

const asl_program *aslc_program(void);
extern char *approver_token;

#include "../harness/check.h"

static struct {
    int events, inspections, ended;
    bool shape_inspected;
    char last_type[64];
} seen;

static void on_event(void *ud, const asl_event *ev)
{
    if (!strcmp(ev->type, "StateInspection")) {
        CHECK(ev->id == 0);
        seen.inspections++;
        char *d = asl_event_details_json(ev);
        if (d && strstr(d, "\"afterInputPath\":\"{\\\"id\\\":7,\\\"qty\\\":2}\"") &&
            strstr(d, "\"stateName\":\"Shape\""))
            seen.shape_inspected = true;
        free(d);
        return;
    }
    seen.events++;
    CHECK(ev->id == seen.events || ev->id > 0);
    snprintf(seen.last_type, sizeof seen.last_type, "%s", ev->type);
}

static void count_event(void *ud, const asl_event *ev)
{
    (void)ev;
    ++*(int *)ud;
}

static int released;
static void on_release(void *ud)
{
    released++;
}

static void drive(asl_engine *e)
{
    asl_engine_wait w;
    while (asl_engine_step(e, &w) > 0 && w.deadline == 0)
        ;
}

static void expect_start_error(asl_engine *e, const char *arn, const char *name, const char *input,
                               const char *error)
{
    asl_err err = {0};
    CHECK(asl_engine_start(e, arn, name, input, &err) == NULL);
    CHECK(err.error && !strcmp(err.error, error));
    CHECK(err.cause && *err.cause);
    asl_err_clear(&err);
}

/* runtime-internal (exec.h): the tasks not freed yet */
int asl_task_count(void);

/* Many executions at once: each found by its ARN among the others, a
 * taken name refused, forgotten in any order (O(1) each), and their tasks
 * freed by the engine as it turns, with no call from the embedder. */
static void many(asl_engine *e, const char *arn)
{
    enum { N = 300 };
    asl_exec *xs[N];
    char name[32];
    asl_err err = {0};
    int tasks_before = asl_task_count();
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "many-%d", i);
        xs[i] = asl_engine_start(e, arn, name, "{\"order\":{\"id\":1,\"qty\":1}}", &err);
        CHECK(xs[i] != NULL);
        drive(e);
        CHECK(asl_send_task_success(approver_token, "{}") == NULL);
    }
    drive(e);
    expect_start_error(e, arn, "many-7", "{}", "ExecutionAlreadyExists");
    for (int i = 0; i < N; i++) {
        CHECK(asl_exec_status(xs[i]) == ASL_SUCCEEDED);
        CHECK(asl_engine_find(e, asl_exec_arn(xs[i])) == xs[i]);
    }
    CHECK(asl_task_count() < tasks_before + 64); /* freed while the engine turned */
    char arn_of[N][160];
    for (int i = 0; i < N; i++)
        snprintf(arn_of[i], sizeof arn_of[i], "%s", asl_exec_arn(xs[i]));
    for (int i = 0; i < N; i += 2)
        asl_engine_forget(e, xs[i]);
    int listed = 0;
    for (asl_exec *x = asl_engine_executions(e); x; x = asl_exec_next(x))
        listed += !strncmp(asl_exec_name(x), "many-", 5);
    CHECK(listed == N / 2);
    for (int i = 0; i < N; i++)
        CHECK(asl_engine_find(e, arn_of[i]) == (i % 2 ? xs[i] : NULL));
    CHECK((xs[0] = asl_engine_start(e, arn, "many-0", "{}", &err)) != NULL); /* its name is free again */
    drive(e);
    asl_engine_stop(e, xs[0], NULL, NULL);
    for (int i = 0; i < N; i += 2)
        asl_engine_forget(e, xs[i + 1]);
    asl_engine_forget(e, xs[0]);

    /* Unnamed executions go into the ARN table only when it is searched:
     * some forgotten before that (the first among them), the others found
     * after it, and none once all are gone. */
    enum { U = 5 };
    asl_exec *u[U];
    char uarn[U][160];
    for (int i = 0; i < U; i++) {
        CHECK((u[i] = asl_engine_start(e, arn, NULL, "{}", &err)) != NULL);
        snprintf(uarn[i], sizeof uarn[i], "%s", asl_exec_arn(u[i]));
    }
    for (int i = 0; i < U; i += 2) {
        asl_engine_stop(e, u[i], NULL, NULL);
        asl_engine_forget(e, u[i]);
    }
    for (int i = 0; i < U; i++)
        CHECK(asl_engine_find(e, uarn[i]) == (i % 2 ? u[i] : NULL));
    for (int i = 1; i < U; i += 2) {
        asl_engine_stop(e, u[i], NULL, NULL);
        asl_engine_forget(e, u[i]);
    }
    for (int i = 0; i < U; i++)
        CHECK(asl_engine_find(e, uarn[i]) == NULL);
}

int main(void)
{
    asl_engine_config c = {.record_history = true, .wait_scale = 0};
    asl_engine *e = asl_engine_new(&c);
    CHECK(e != NULL);
    CHECK(asl_engine_new(NULL) == NULL); /* one engine per process */
    int unit = asl_engine_load(e, aslc_program(), on_release, NULL);
    CHECK(unit > 0);
    const char *arn = asl_engine_machine_arn(e, &aslc_program()->machines[0]);
    CHECK(arn && !strcmp(arn, "arn:aws:states:us-east-1:123456789012:stateMachine:machine"));
    CHECK(asl_engine_machine(e, "machine") == &aslc_program()->machines[0]);
    int obs = asl_engine_observe(e, on_event, NULL, ASL_OBSERVE_DETAILS | ASL_OBSERVE_INSPECTION);

    expect_start_error(e, "arn:aws:states:us-east-1:123456789012:stateMachine:nope", NULL, "{}",
                       "StateMachineDoesNotExist");
    expect_start_error(e, arn, "bad name", "{}", "InvalidName");
    expect_start_error(e, arn, NULL, "{not json", "InvalidExecutionInput");

    asl_err err = {0};
    asl_exec *x = asl_engine_start(e, arn, "one", "{\"order\":{\"id\":7,\"qty\":2}}", &err);
    CHECK(x != NULL);
    expect_start_error(e, arn, "one", "{}", "ExecutionAlreadyExists");
    drive(e);
    /* wait_scale 0: the hour-long Wait is over; the task waits for its token. */
    CHECK(asl_exec_status(x) == ASL_RUNNING);
    CHECK(approver_token != NULL);
    CHECK(seen.shape_inspected);
    CHECK(asl_engine_find(e, asl_exec_arn(x)) == x);
    CHECK(asl_send_task_success(approver_token, "{\"approved\":true}") == NULL);
    CHECK(asl_send_task_success(approver_token, "{}") != NULL); /* tokens are single use */
    drive(e);
    CHECK(asl_exec_status(x) == ASL_SUCCEEDED);
    CHECK(!strcmp(seen.last_type, "ExecutionSucceeded"));
    char *out = asl_exec_output_json(x);
    CHECK(out && strstr(out, "\"approval\":{\"approved\":true}") && strstr(out, "\"shaped\":{\"id\":7,\"qty\":2}"));
    free(out);
    char *d = asl_exec_describe_json(x);
    CHECK(d && strstr(d, "\"status\":\"SUCCEEDED\""));
    free(d);
    CHECK(seen.inspections == 2); /* Shape and Approve: a Wait has no processing steps */

    /* StopExecution of an execution waiting for its token. */
    asl_exec *y = asl_engine_start(e, arn, "two", "{\"order\":{\"id\":8,\"qty\":1}}", &err);
    drive(e);
    CHECK(asl_exec_status(y) == ASL_RUNNING);
    const char *token = approver_token;
    CHECK(asl_engine_stop(e, y, "Operator", "no longer needed"));
    CHECK(!asl_engine_stop(e, y, NULL, NULL));
    CHECK(asl_exec_status(y) == ASL_ABORTED);
    CHECK(!strcmp(asl_exec_error(y), "Operator") && !strcmp(asl_exec_cause(y), "no longer needed"));
    CHECK(asl_send_task_success(token, "{}") != NULL); /* its token closed with it */
    char *h = asl_exec_history_json(y);
    CHECK(h && strstr(h, "\"type\":\"ExecutionAborted\""));
    free(h);

    many(e, arn);

    /* Observers are not capped: each of many hears every event, and each
     * one's leaving is its own. */
    enum { MANY = 100 };
    int ids[MANY], heard[MANY] = {0};
    for (int i = 0; i < MANY; i++) {
        ids[i] = asl_engine_observe(e, count_event, &heard[i], 0);
        CHECK(ids[i] > 0);
    }
    /* Two that want less: executions' starts and ends, and ends only. */
    int starts_ends = 0, ends = 0;
    int id_se = asl_engine_observe(e, count_event, &starts_ends, ASL_OBSERVE_EXECUTIONS);
    int id_ends = asl_engine_observe(e, count_event, &ends, ASL_OBSERVE_ENDS);
    asl_exec *z = asl_engine_start(e, arn, "three", "{\"order\":{\"id\":9,\"qty\":1}}", &err);
    drive(e);
    CHECK(asl_engine_stop(e, z, NULL, NULL));
    for (int i = 0; i < MANY; i += 2)
        asl_engine_unobserve(e, ids[i]);
    asl_exec *w = asl_engine_start(e, arn, "four", "{\"order\":{\"id\":9,\"qty\":1}}", &err);
    drive(e);
    CHECK(asl_engine_stop(e, w, NULL, NULL));
    for (int i = 0; i < MANY; i++) {
        CHECK(heard[i] == (i % 2 ? heard[1] : heard[0]));
        if (i % 2)
            asl_engine_unobserve(e, ids[i]);
    }
    CHECK(heard[0] > 0 && heard[1] == 2 * heard[0]);
    CHECK(starts_ends == 4 && ends == 2); /* three and four: started, aborted */
    asl_engine_unobserve(e, id_se);
    asl_engine_unobserve(e, id_ends);
    asl_engine_forget(e, z);
    asl_engine_forget(e, w);

    /* Unloading: no new executions; the unit is released once its
     * executions are gone. */
    asl_engine_unobserve(e, obs);
    asl_engine_unload(e, unit);
    expect_start_error(e, arn, NULL, "{}", "StateMachineDoesNotExist");
    CHECK(released == 0);
    asl_engine_forget(e, x);
    CHECK(asl_engine_find(e, arn) == NULL);
    asl_engine_forget(e, y);
    CHECK(released == 1);
    CHECK(asl_engine_executions(e) == NULL);
    asl_engine_free(e);
    free(approver_token);
    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    else
        puts("engine: all checks passed");
    return failures != 0;
}
