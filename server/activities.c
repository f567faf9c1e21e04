/*
 * activities.c: activities (CreateActivity, DescribeActivity,
 * DeleteActivity, ListActivities) and their workers (GetActivityTask,
 * answered by SendTask*). A Task whose Resource is an activity's ARN is
 * taken by the server's front handler (runtime/handlers.c) and queued on
 * its activity; GetActivityTask hands the oldest to a worker with a token
 * of its own, or waits for one as a long poll (pending.c, 60 seconds as on
 * AWS, then an answer without a token). The server holds each task as a C
 * handler would, until a worker answers it or it is found ended (timed out,
 * its execution stopped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec.h"
#include "handlers.h"
#include "ids.h"
#include "server.h"

enum { POLL_SECONDS = 60 };
#define TOKEN_PREFIX "act-"

typedef struct act_task {
    char token[48];
    asl_task *task;
    char *input;
    struct srv_activity *activity;
    bool delivered;
    struct act_task *next;      /* in the server's list, oldest first */
} act_task;

struct srv_activity {
    char *name, *arn;
    double created;
    srv_activity *next;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

srv_activity *activities_find(srv *s, const char *arn)
{
    for (srv_activity *a = s->activities; a; a = a->next)
        if (!strcmp(a->arn, arn))
            return a;
    return NULL;
}

/* Whether the execution still waits for t. */
static bool live(const asl_task *t)
{
    return !t->done && t->frame;
}

/* Drops an entry, releasing its task (a no-op for the execution when it
 * was answered or has ended). */
static void drop(srv *s, act_task *at, const char *error)
{
    for (act_task **p = &s->activity_tasks; *p; p = &(*p)->next)
        if (*p == at) {
            *p = at->next;
            break;
        }
    if (error)
        asl_task_fail(at->task, error, "the activity task was abandoned");
    free(at->input);
    free(at);
}

/* The front handler: takes the tasks of activities. */
static bool take(void *ud, asl_task *t, const cJSON *payload)
{
    srv *s = ud;
    const char *res = asl_task_resource(t);
    if (!strstr(res, ":activity:"))
        return testing_takes(s, t, payload);
    srv_activity *a = activities_find(s, res);
    if (!a) {
        asl_task_fail(t, "States.Runtime", "the activity does not exist");
        return true;
    }
    act_task *at = calloc(1, sizeof *at);
    if (!at)
        exit(70);
    /* "act-" and 43 random base64url characters: the prefix tells an
     * activity token this server answered already from one it never
     * issued (the runtime's tokens have no '-' at that place). A task
     * restored from the store keeps the token it had (its ref). */
    const char *ref = asl_task_ref(t);
    if (ref && strlen(ref) < sizeof at->token) {
        strcpy(at->token, ref);
    } else {
        unsigned char raw[43];
        asl_random_secure(raw, sizeof raw);
        static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        memcpy(at->token, TOKEN_PREFIX, 4);
        for (int i = 0; i < 43; i++)
            at->token[4 + i] = b64[raw[i] & 63];
        asl_task_set_ref(t, at->token);
    }
    at->task = t;
    at->input = asl_json_print(payload);
    at->activity = a;
    act_task **p = &s->activity_tasks;
    while (*p)
        p = &(*p)->next;
    *p = at;
    return true;
}

void activities_init(srv *s)
{
    asl_handlers_set_front(take, s);
}

void activities_free(srv *s)
{
    while (s->activity_tasks)
        drop(s, s->activity_tasks, "States.Runtime");
    asl_handlers_set_front(NULL, NULL);
    srv_activity *lists[] = {s->activities, s->deleted_activities};
    for (int i = 0; i < 2; i++)
        while (lists[i]) {
            srv_activity *a = lists[i];
            lists[i] = a->next;
            free(a->name);
            free(a->arn);
            free(a);
        }
    s->activities = s->deleted_activities = NULL;
}

/* ------------------------------------------------------------ workers */

/* The oldest task of a waiting for a worker, or NULL; drops those whose
 * execution no longer waits. */
static act_task *next_task(srv *s, const srv_activity *a)
{
    for (act_task *at = s->activity_tasks, *next; at; at = next) {
        next = at->next;
        if (at->activity != a || at->delivered)
            continue;
        if (live(at->task))
            return at;
        drop(s, at, "States.Runtime");
    }
    return NULL;
}

typedef struct poll_wait {
    srv_activity *activity;
    double deadline;
} poll_wait;

static bool deliver(srv *s, srv_pending *p, bool cancel)
{
    poll_wait *w = p->ud;
    act_task *at = next_task(s, w->activity);
    if (!at && !cancel && now() < w->deadline)
        return false;
    cJSON *out = cJSON_CreateObject();
    if (at) {
        at->delivered = true;
        cJSON_AddStringToObject(out, "taskToken", at->token);
        cJSON_AddStringToObject(out, "input", at->input);
    }
    srv_reply(p->call, out);
    free(w);
    return true;
}

void act_get_activity_task(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "activityArn");
    if (!machines_arn_ok(c, arn, "activity"))
        return;
    srv_activity *a = activities_find(s, arn);
    if (!a) {
        srv_reply_error(c, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn);
        return;
    }
    poll_wait *w = malloc(sizeof *w);
    if (!w)
        exit(70);
    *w = (poll_wait){a, now() + POLL_SECONDS};
    srv_pending p = {c, deliver, w, NULL};
    if (!deliver(s, &p, false))
        pending_add(s, c, deliver, w);
}

const char *activities_answer(srv *s, const char *token, const char *kind, const char *output, const char *error,
                              const char *cause)
{
    act_task *at = s->activity_tasks;
    while (at && strcmp(at->token, token))
        at = at->next;
    if (!at)
        return strncmp(token, TOKEN_PREFIX, 4) || strlen(token) != 47 ? NULL : "TaskDoesNotExist";
    if (!live(at->task)) {
        drop(s, at, "States.Runtime");
        return "TaskTimedOut";
    }
    if (!strcmp(kind, "heartbeat")) {
        asl_task_heartbeat(at->task);
        return "";
    }
    if (!strcmp(kind, "success")) {
        cJSON *v = cJSON_Parse(output);
        cJSON_Delete(v);
        if (!v)
            return "InvalidOutput";
        asl_task_succeed(at->task, output);
    } else {
        asl_task_fail(at->task, error ? error : "", cause);
    }
    drop(s, at, NULL);
    return "";
}

/* ---------------------------------------------------------- activities */

static cJSON *describe(const srv_activity *a)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "activityArn", a->arn);
    cJSON_AddStringToObject(o, "name", a->name);
    cJSON_AddItemToObject(o, "creationDate", srv_time(a->created));
    return o;
}

void act_create_activity(srv *s, srv_call *c)
{
    const char *name = srv_str(c, "name");
    if (!machines_name_ok(c, name))
        return;
    char *arn = machines_arn(s, "activity", name);
    srv_activity *a = activities_find(s, arn);
    if (!a) {
        a = calloc(1, sizeof *a);
        if (!a)
            exit(70);
        *a = (srv_activity){strdup(name), arn, now(), s->activities};
        s->activities = a;
        durable_activity(s, a->name, a->arn, a->created, false);
        tags_add(s, arn, cJSON_GetObjectItemCaseSensitive(c->in, "tags"));
    } else {
        free(arn);
    }
    cJSON *out = describe(a);
    cJSON_DeleteItemFromObjectCaseSensitive(out, "name");
    srv_reply(c, out);
}

void activities_restore(srv *s, const char *name, const char *arn, double created)
{
    srv_activity *a = calloc(1, sizeof *a);
    if (!a)
        exit(70);
    *a = (srv_activity){strdup(name), strdup(arn), created, s->activities};
    s->activities = a;
}

void act_describe_activity(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "activityArn");
    if (!machines_arn_ok(c, arn, "activity"))
        return;
    srv_activity *a = activities_find(s, arn);
    if (a)
        srv_reply(c, describe(a));
    else
        srv_reply_error(c, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn);
}

void act_delete_activity(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "activityArn");
    if (!machines_arn_ok(c, arn, "activity"))
        return;
    for (srv_activity **p = &s->activities; *p; p = &(*p)->next) {
        srv_activity *a = *p;
        if (strcmp(a->arn, arn))
            continue;
        /* Its tasks and pollers stay valid: they keep the activity until
         * they end, so it is only unlinked here and freed at exit. */
        *p = a->next;
        tags_drop(s, arn);
        a->next = s->deleted_activities;
        s->deleted_activities = a;
        durable_activity(s, a->name, a->arn, a->created, true);
        break;
    }
    srv_reply(c, cJSON_CreateObject());
}

static cJSON *list_item(const void *a)
{
    return describe(a);
}

void act_list_activities(srv *s, srv_call *c)
{
    int total = 0, i = 0;
    for (srv_activity *a = s->activities; a; a = a->next)
        total++;
    void **all = calloc((size_t)total + 1, sizeof *all);
    for (srv_activity *a = s->activities; a; a = a->next)
        all[total - ++i] = a;
    machines_page(c, "activities", all, total, list_item);
    free(all);
}
