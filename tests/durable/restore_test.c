/*
 * restore_test.c: executions survive their engine (asl_engine.h's
 * durability calls). An execution is driven until it is suspended, saved
 * (its snapshot, its events as observed, the engine state), the engine is
 * freed, and a new engine restores it and goes on; five times, at a Wait,
 * at task tokens inside a Map inside a Parallel, at a retry back-off, at a
 * .sync child waiting for its token, and once its token is answered but
 * before its frame has run (the answer is kept as text until then, and
 * the snapshot holds it as the frame's result). The output must be what an
 * uninterrupted run gives, the history contiguous, every token the same.
 * A second execution is stopped after a restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asl_engine.h"

const asl_program *aslc_program(void);
extern char *approver_tokens[16], *approver_items[16];
extern int approver_ntokens, approver_calls, flaky_calls;

#include "../harness/check.h"

/* ------------------------------------------------- the events, saved */

enum { MAX_EXECS = 8 };

static struct saved {
    char *arn;
    char *events;           /* "[e1,e2" (closed when read) */
    size_t len;
    int last_id;
    bool gap;               /* an id that does not follow the one before */
} saved[MAX_EXECS];
static int nsaved;

static struct saved *saved_of(const char *arn)
{
    for (int i = 0; i < nsaved; i++)
        if (!strcmp(saved[i].arn, arn))
            return &saved[i];
    if (nsaved == MAX_EXECS)
        abort();
    saved[nsaved].arn = strdup(arn);
    return &saved[nsaved++];
}

static void on_event(void *ud, const asl_event *ev)
{
    struct saved *s = saved_of(asl_exec_arn(ev->exec));
    if (ev->id != s->last_id + 1)
        s->gap = true;
    s->last_id = ev->id;
    char *e = asl_event_json(ev);
    size_t n = strlen(e);
    s->events = realloc(s->events, s->len + n + 3);
    s->events[s->len] = s->len == 0 ? '[' : ',';
    s->len++;
    memcpy(s->events + s->len, e, n + 1);
    s->len += n;
    free(e);
}

static char *events_of(const char *arn)
{
    struct saved *s = saved_of(arn);
    char *text = malloc(s->len + 3);
    snprintf(text, s->len + 3, "%s]", s->len ? s->events : "[");
    return text;
}

/* ---------------------------------------------------------- engines */

static asl_engine *engine_new(void)
{
    asl_engine_config c = {.record_history = true};
    asl_engine *e = asl_engine_new(&c);
    CHECK(e && asl_engine_load(e, aslc_program(), NULL, NULL) > 0);
    asl_engine_observe(e, on_event, NULL, ASL_OBSERVE_DETAILS);
    return e;
}

/* Saves everything, frees the engine, restores into a new one. */
static asl_engine *restart(asl_engine *e)
{
    char *state = asl_engine_save_state(e), *snaps[MAX_EXECS];
    int n = 0;
    for (asl_exec *x = asl_engine_executions(e); x && n < MAX_EXECS; x = asl_exec_next(x))
        snaps[n++] = asl_exec_snapshot(x);
    asl_engine_free(e);
    e = engine_new();
    asl_err err = {0};
    CHECK(asl_engine_load_state(e, state, &err));
    for (int i = 0; i < n; i++) {
        char *arn = strstr(snaps[i], "\"arn\":\"") + 7;
        char *end = strchr(arn, '"');
        *end = '\0';
        char *events = events_of(arn);
        *end = '"';
        asl_exec *x = asl_engine_restore(e, 0, snaps[i], events, &err);
        if (!x)
            fprintf(stderr, "restore: %s: %s\n", err.error, err.cause);
        CHECK(x != NULL);
        asl_err_clear(&err);
        free(events);
        free(snaps[i]);
    }
    free(state);
    return e;
}

/* Runs until nothing can move on now (a timer or a token is next). */
static void drive(asl_engine *e)
{
    asl_engine_wait w;
    while (asl_engine_step(e, &w) > 0 && w.deadline == 0)
        ;
}

/* Runs, sleeping for timers, until a timer-free suspension (tokens). */
static void drive_timers(asl_engine *e)
{
    asl_engine_wait w;
    while (asl_engine_step(e, &w) > 0 && w.deadline >= 0)
        asl_engine_block(e, &w);
}

static void answer(int i)
{
    char out[64];
    snprintf(out, sizeof out, "{\"answer\":%s}", approver_items[i]);
    CHECK(asl_send_task_success(approver_tokens[i], out) == NULL);
}

int main(void)
{
    const char *arn = "arn:aws:states:us-east-1:123456789012:stateMachine:main";
    asl_engine *e = engine_new();
    asl_err err = {0};
    CHECK(asl_engine_start(e, arn, "run", "{\"items\":[1,2,3]}", &err) != NULL);
    CHECK(asl_engine_start(e, arn, "stopped", "{\"items\":[7]}", &err) != NULL);
    drive(e);
    /* At the Wait, and two items of three waiting for their tokens (run),
     * one (stopped). */
    CHECK(approver_ntokens == 3 && approver_calls == 3);
    e = restart(e);
    /* Tasks no one had answered are dispatched again, with their tokens. */
    CHECK(approver_ntokens == 3 && approver_calls == 6);
    asl_exec *stopped = asl_engine_find(e, "arn:aws:states:us-east-1:123456789012:execution:main:stopped");
    CHECK(stopped && asl_exec_status(stopped) == ASL_RUNNING);
    CHECK(asl_engine_stop(e, stopped, "Operator", "after a restart"));
    int stopped_token = -1;
    for (int i = 0; i < approver_ntokens; i++)
        if (!strcmp(approver_items[i], "7"))
            stopped_token = i;
    CHECK(stopped_token >= 0 && asl_send_task_success(approver_tokens[stopped_token], "{}") != NULL);
    answer(0);
    drive(e);
    CHECK(approver_ntokens == 4); /* the third item started in the first one's place */
    e = restart(e);
    CHECK(asl_send_task_success(approver_tokens[0], "{}") != NULL); /* answered before the restart */
    for (int i = 1; i < approver_ntokens; i++)
        if (i != stopped_token)
            answer(i);
    /* The Wait's timer, then Flaky fails once: the retry waits a second. */
    asl_engine_wait w;
    while (asl_engine_step(e, &w) > 0 && flaky_calls < 1)
        asl_engine_block(e, &w);
    CHECK(flaky_calls == 1);
    e = restart(e);
    drive_timers(e);
    /* Flaky succeeded at its third call; the child waits for its token. */
    CHECK(flaky_calls == 3 && approver_ntokens == 5);
    e = restart(e);
    answer(4);
    e = restart(e);
    CHECK(asl_send_task_success(approver_tokens[4], "{}") != NULL); /* answered before the restart */
    drive(e);

    asl_exec *x = asl_engine_find(e, "arn:aws:states:us-east-1:123456789012:execution:main:run");
    CHECK(x && asl_exec_status(x) == ASL_SUCCEEDED);
    char *out = x ? asl_exec_output_json(x) : NULL;
    const char *want = "{\"items\":[1,2,3],\"fan\":[{\"items\":[1,2,3]},[{\"answer\":1},{\"answer\":2},{\"answer\":3}]],"
                       "\"flaky\":{\"calls\":3},\"child\":{\"out\":{\"answer\":\"hello\"}}}";
    if (out && strcmp(out, want))
        fprintf(stderr, "output: %s\nwanted: %s\n", out, want);
    CHECK(out && !strcmp(out, want));
    free(out);
    CHECK(asl_exec_status(stopped = asl_engine_find(e, "arn:aws:states:us-east-1:123456789012:execution:main:stopped")) ==
          ASL_ABORTED);
    /* Restoring an execution the engine already holds is refused with
     * AWS's error name, and the one held stays. */
    char *snap = asl_exec_snapshot(x);
    asl_err_clear(&err);
    CHECK(snap && !asl_engine_restore(e, 0, snap, NULL, &err));
    CHECK(err.error && !strcmp(err.error, "ExecutionAlreadyExists") && strstr(err.cause, ":main:run"));
    CHECK(asl_engine_find(e, "arn:aws:states:us-east-1:123456789012:execution:main:run") == x);
    asl_err_clear(&err);
    free(snap);
    CHECK(nsaved == 3);
    for (int i = 0; i < nsaved; i++) {
        if (saved[i].gap)
            fprintf(stderr, "%s: %s\n", saved[i].arn, saved[i].events);
        CHECK(!saved[i].gap);
        /* The restored history is the one recorded, one event per id. */
        asl_exec *y = asl_engine_find(e, saved[i].arn);
        char *h = y ? asl_exec_history_json(y) : NULL, id[32];
        snprintf(id, sizeof id, "\"id\":%d,", saved[i].last_id);
        CHECK(h && strstr(h, id) && asl_exec_status(y) != ASL_RUNNING);
        free(h);
        free(saved[i].arn);
        free(saved[i].events);
    }
    asl_engine_free(e);
    for (int i = 0; i < approver_ntokens; i++) {
        free(approver_tokens[i]);
        free(approver_items[i]);
    }
    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    else
        puts("durable restore: all checks passed");
    return failures != 0;
}
