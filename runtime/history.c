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
#include "pool.h"
#include "quotas.h"

struct asl_history {
    cJSON *events;     /* array */
};

/* Recording: kept in each execution (asl_exec_history_json). Details are
 * built when recording is on or an observer reads them. */
bool asl_history_on;

/* (Recording sets ASL_OBSERVING_DETAILS, which stays set while it is on:
 * the tests that let an event only be counted rely on it.) */
void asl_history_enable(bool on)
{
    asl_history_on = on;
    if (on)
        asl_observing |= ASL_OBSERVING_DETAILS;
    else if (!asl_engine_current())
        asl_observing = 0;
}

bool asl_history_recording(void)
{
    return asl_history_on;
}

const char *asl_history_details_key(const char *type, char *key, size_t n)
{
    /* AWS names the details after the type: TaskScheduled ->
     * taskScheduledEventDetails; *StateEntered -> stateEnteredEventDetails. */
    size_t tl = strlen(type);
    if (tl > 12 && !strcmp(type + tl - 12, "StateEntered"))
        type = "StateEntered";
    else if (tl > 11 && !strcmp(type + tl - 11, "StateExited"))
        type = "StateExited";
    size_t len = strlen(type);
    if (len + 13 > n)
        len = n > 13 ? n - 13 : 0;
    memcpy(key, type, len);
    memcpy(key + len, "EventDetails", 13);
    key[0] = (char)(key[0] + 32);
    return key;
}

/* The event as GetExecutionHistory shows it, with details (taken). */
static cJSON *event_object(const asl_event *ev, cJSON *details)
{
    cJSON *e = cJSON_CreateObject();
    char ts[40];
    asl_timestamp_format(ev->timestamp, ts);
    cJSON_AddStringToObject(e, "timestamp", ts);
    cJSON_AddStringToObject(e, "type", ev->type);
    cJSON_AddNumberToObject(e, "id", ev->id);
    cJSON_AddNumberToObject(e, "previousEventId", ev->previous_id);
    if (details) {
        char key[96];
        cJSON_AddItemToObject(e, asl_history_details_key(ev->type, key, sizeof key), details);
    }
    return e;
}

int asl_history_record(asl_exec *x, int prev, const char *type, cJSON *details, unsigned hearers)
{
    /* The quota is looked at only near it (most events are far from it). */
    if (asl_limit.history_events && x->events + 1 >= asl_limit.history_events && asl_history_over(x, type)) {
        asl_json_delete(details);
        return x->events;
    }
    int id = ++x->events;
    bool emit = (asl_observing & hearers) != 0;
    if (!asl_history_on && !emit) {
        if (details)
            asl_json_delete(details);
        return id;
    }
    double at = asl_now();
    if (emit)
        asl_engine_emit_heard(x, id, prev, type, at, details, hearers);
    if (!asl_history_on) {
        asl_json_drop(details);
        return id;
    }
    if (!x->history) {
        x->history = calloc(1, sizeof *x->history);
        if (!x->history)
            abort();
        x->history->events = cJSON_CreateArray();
    }
    asl_event ev = {x, id, prev, type, at, NULL};
    cJSON_AddItemToArray(x->history->events, event_object(&ev, details));
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
    asl_json_delete(h->events);
    free(h);
}

void asl_history_restore(asl_exec *x, cJSON *events)
{
    if (!x->history) {
        x->history = calloc(1, sizeof *x->history);
        if (!x->history)
            abort();
    } else {
        asl_json_delete(x->history->events);
    }
    x->history->events = events;
}

/* (A store writes every event: no printf here.) */
void asl_history_write_event(asl_buf *b, const asl_event *ev)
{
    char ts[40], key[96];
    asl_timestamp_format(ev->timestamp, ts);
    asl_buf_puts(b, "{\"timestamp\":\"");
    asl_buf_puts(b, ts);
    asl_buf_puts(b, "\",\"type\":\"");
    asl_buf_puts(b, ev->type); /* a name of ours: nothing to escape */
    asl_buf_puts(b, "\",\"id\":");
    asl_json_write_number(b, ev->id);
    asl_buf_puts(b, ",\"previousEventId\":");
    asl_json_write_number(b, ev->previous_id);
    if (ev->details) {
        asl_buf_puts(b, ",\"");
        asl_buf_puts(b, asl_history_details_key(ev->type, key, sizeof key));
        asl_buf_puts(b, "\":");
        asl_json_write(b, ev->details);
    }
    asl_buf_putc(b, '}');
}
