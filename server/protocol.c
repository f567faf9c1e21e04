/*
 * protocol.c: AWS JSON 1.0 framing. A request is `POST /` with
 * `X-Amz-Target: AWSStepFunctions.<Action>` and a JSON object body; the
 * answer is a JSON object with status 200, or status 400 and
 * {"__type": ..., "message": ...}. Service errors carry the namespace AWS's
 * Step Functions puts before the name, protocol errors Coral's (clients
 * keep what follows '#').
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "server.h"

typedef void (*action_fn)(srv *s, srv_call *c);

static const struct action {
    const char *name;
    action_fn fn;
} actions[] = {
    {"CreateStateMachine", act_create_state_machine},
    {"DescribeStateMachine", act_describe_state_machine},
    {"UpdateStateMachine", act_update_state_machine},
    {"DeleteStateMachine", act_delete_state_machine},
    {"ListStateMachines", act_list_state_machines},
    {"ValidateStateMachineDefinition", act_validate_definition},
    {"StartExecution", act_start_execution},
    {"StartSyncExecution", act_start_sync_execution},
    {"DescribeExecution", act_describe_execution},
    {"StopExecution", act_stop_execution},
    {"GetExecutionHistory", act_get_execution_history},
    {"ListExecutions", act_list_executions},
    {"DescribeStateMachineForExecution", act_describe_for_execution},
    {"DescribeMapRun", act_describe_map_run},
    {"ListMapRuns", act_list_map_runs},
    {"UpdateMapRun", act_update_map_run},
    {"SendTaskSuccess", act_send_task_success},
    {"SendTaskFailure", act_send_task_failure},
    {"SendTaskHeartbeat", act_send_task_heartbeat},
    {"CreateActivity", act_create_activity},
    {"DescribeActivity", act_describe_activity},
    {"DeleteActivity", act_delete_activity},
    {"ListActivities", act_list_activities},
    {"GetActivityTask", act_get_activity_task},
    {"TestState", act_test_state},
    {"TagResource", act_tag_resource},
    {"UntagResource", act_untag_resource},
    {"ListTagsForResource", act_list_tags},
};

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *p = malloc((size_t)n + 1);
    if (!p)
        exit(70);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *srv_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = vformat(fmt, ap);
    va_end(ap);
    return p;
}

char *srv_json(const cJSON *v)
{
    asl_buf b = {0};
    asl_json_write(&b, v);
    return asl_buf_take(&b);
}

void srv_reply(srv_call *c, cJSON *out)
{
    c->status = 200;
    c->body = srv_json(out);
    cJSON_Delete(out);
}

/* The namespace before an error's name in __type. */
static const char *namespace_of(const char *type)
{
    if (!strcmp(type, "SerializationException") || !strcmp(type, "UnknownOperationException"))
        return "com.amazon.coral.service#";
    if (!strcmp(type, "ValidationException"))
        return "com.amazon.coral.validate#";
    return "com.amazonaws.swf.service.v2.model#";
}

void srv_reply_error(srv_call *c, const char *type, const char *fmt, ...)
{
    char *msg = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        msg = vformat(fmt, ap);
        va_end(ap);
    }
    cJSON *o = cJSON_CreateObject();
    char *t = srv_printf("%s%s", namespace_of(type), type);
    cJSON_AddStringToObject(o, "__type", t);
    if (msg)
        cJSON_AddStringToObject(o, "message", msg);
    free(t);
    free(msg);
    c->body = srv_json(o);
    cJSON_Delete(o);
    c->status = 400;
}

const char *srv_str(const srv_call *c, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, member);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool srv_has(const srv_call *c, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, member);
    return v && !cJSON_IsNull(v);
}

int srv_int(const srv_call *c, const char *member, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, member);
    return cJSON_IsNumber(v) ? (int)v->valuedouble : dflt;
}

bool srv_bool(const srv_call *c, const char *member, bool dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, member);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

cJSON *srv_time(double epoch)
{
    /* Milliseconds, as AWS keeps them. */
    return cJSON_CreateNumber((double)(long long)(epoch * 1000.0 + 0.5) / 1000.0);
}

cJSON *srv_iso_time(const char *iso)
{
    /* 2026-12-07T03:21:07.104Z, as the runtime writes dates. */
    struct tm tm = {0};
    double sec = 0;
    if (!iso || sscanf(iso, "%d-%d-%dT%d:%d:%lf", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                       &sec) != 6)
        return cJSON_CreateNumber(0);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return srv_time((double)timegm(&tm) + sec);
}

void srv_fix_times(cJSON *o, const char *const *keys)
{
    for (; *keys; keys++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *keys);
        if (cJSON_IsString(v))
            cJSON_ReplaceItemInObjectCaseSensitive(o, *keys, srv_iso_time(v->valuestring));
    }
}

static const struct action *find_action(const char *target)
{
    static const char prefix[] = "AWSStepFunctions.";
    if (!target || strncmp(target, prefix, sizeof prefix - 1))
        return NULL;
    target += sizeof prefix - 1;
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
        if (!strcmp(actions[i].name, target))
            return &actions[i];
    return NULL;
}

void srv_dispatch(srv *s, srv_call *c, const char *target, const char *body, size_t len)
{
    const struct action *a = find_action(target);
    c->action = a ? a->name : NULL;
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", body[i]))
        i++;
    const char *end = NULL;
    c->in = i == len ? cJSON_CreateObject() : cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (c->in && end) {
        while (end < body + len && strchr(" \t\r\n", *end))
            end++;
        if (end != body + len) {
            cJSON_Delete(c->in);
            c->in = NULL;
        }
    }
    if (!c->in) {
        srv_reply_error(c, "SerializationException", "the request body is not valid JSON");
        return;
    }
    if (!cJSON_IsObject(c->in)) {
        srv_reply_error(c, "SerializationException", "the request body must be a JSON object");
        return;
    }
    const char *type;
    char *msg;
    const char *name = target && strchr(target, '.') ? strchr(target, '.') + 1 : "";
    if (!api_check(a ? a->name : name, c->in, &type, &msg)) {
        if (msg)
            srv_reply_error(c, type, "%s", msg);
        else
            srv_reply_error(c, type, "unknown operation '%s'", target ? target : "(no X-Amz-Target)");
        free(msg);
        return;
    }
    if (!a) {
        srv_reply_error(c, "UnknownOperationException", "aslc serve does not implement %s", name);
        return;
    }
    a->fn(s, c);
    durable_after_call(s, c);
}
