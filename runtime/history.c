/*
 * history.c: the event history of an execution, in the shape of AWS's
 * GetExecutionHistory. Event ids are counted for every execution (causes
 * quote "entered at the event id #N"); the events themselves are kept only
 * when recording is on.
 *
 * previousEventId is not simply id - 1: AWS links each event to the one
 * that led to it. Each frame (the execution, a Parallel branch, a Map
 * iteration) carries its place in that chain (asl_frame.src, see
 * asl_frame_event): ExecutionStarted has 0 and so does the first state's
 * StateEntered; a branch or iteration starts from ParallelStateStarted or
 * its MapIterationStarted; the state that owns them continues from the
 * last event of the branch or iteration that ended; ParallelStateSucceeded,
 * MapStateSucceeded and MapIterationFailed are links that nothing follows
 * (the StateExited after them points where they point). This matches the
 * histories AWS recorded for Parallel, Map, Retry and Catch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "quotas.h"

struct asl_history {
    cJSON *events;     /* array */
};

static bool enabled;

void asl_history_enable(bool on)
{
    enabled = on;
}

bool asl_history_enabled(void)
{
    return enabled;
}

int asl_history_add(asl_exec *x, int prev, const char *type, cJSON *details)
{
    if (asl_history_over(x, type)) {
        cJSON_Delete(details);
        return x->events;
    }
    int id = ++x->events;
    if (!enabled) {
        cJSON_Delete(details);
        return id;
    }
    if (!x->history) {
        x->history = calloc(1, sizeof *x->history);
        if (!x->history)
            abort();
        x->history->events = cJSON_CreateArray();
    }
    cJSON *e = cJSON_CreateObject();
    char ts[40];
    asl_timestamp_format(asl_now(), ts);
    cJSON_AddStringToObject(e, "timestamp", ts);
    cJSON_AddStringToObject(e, "type", type);
    cJSON_AddNumberToObject(e, "id", id);
    cJSON_AddNumberToObject(e, "previousEventId", prev);
    if (details) {
        /* AWS names the details after the type: TaskScheduled ->
         * taskScheduledEventDetails; *StateEntered -> stateEnteredEventDetails. */
        char key[96];
        const char *t = type;
        size_t tl = strlen(t);
        if (tl > 12 && !strcmp(t + tl - 12, "StateEntered"))
            t = "StateEntered";
        else if (tl > 11 && !strcmp(t + tl - 11, "StateExited"))
            t = "StateExited";
        snprintf(key, sizeof key, "%c%sEventDetails", t[0] + 32, t + 1);
        cJSON_AddItemToObject(e, key, details);
    }
    cJSON_AddItemToArray(x->history->events, e);
    return id;
}

cJSON *asl_history_json(const asl_exec *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "events", x->history ? cJSON_Duplicate(x->history->events, 1)
                                                  : cJSON_CreateArray());
    return o;
}

void asl_history_free(asl_history *h)
{
    if (!h)
        return;
    cJSON_Delete(h->events);
    free(h);
}
