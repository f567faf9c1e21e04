/*
 * token_keeper.c: Lambda functions for the task-token cases, as C handlers.
 * Keeper keeps the token it is given (in slot "slot") and returns, leaving
 * its task open; the others answer kept tokens through the SendTask* API,
 * as a worker would, and return what the API said (null: accepted).
 * Text printed by cJSON is released with cJSON_free: the runtime gives
 * cJSON an allocator of its own.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

#define SLOTS 64

static char kept[SLOTS][64]; /* tokens are 43 characters */

static int slot_of(const cJSON *event)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(event, "slot");
    int i = cJSON_IsNumber(s) ? (int)s->valuedouble : 0;
    return i >= 0 && i < SLOTS ? i : 0;
}

static void keep(int i, const char *token)
{
    snprintf(kept[i], sizeof kept[i], "%s", token);
}

/* Succeeds the task with {"refused": <API error or null>}. */
static void answer(asl_task *task, const char *refused)
{
    cJSON *o = cJSON_CreateObject();
    if (refused)
        cJSON_AddStringToObject(o, "refused", refused);
    else
        cJSON_AddNullToObject(o, "refused");
    char *text = cJSON_PrintUnformatted(o);
    asl_task_succeed(task, text);
    cJSON_free(text);
    cJSON_Delete(o);
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Keeper", keeper)
{
    cJSON *event = cJSON_Parse(payload);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(event, "token");
    if (!cJSON_IsString(token)) {
        cJSON_Delete(event);
        asl_task_fail(task, "Keeper.NoToken", "the event has no token");
        return;
    }
    int i = slot_of(event);
    keep(i, token->valuestring);
    cJSON_Delete(event);
    asl_task_succeed(task, "{\"kept\":true}");
}

/* {"slot": i, "output": ...}: SendTaskSuccess with output. */
ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Releaser", releaser)
{
    cJSON *event = cJSON_Parse(payload);
    char *output = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(event, "output"));
    const char *refused = asl_send_task_success(kept[slot_of(event)], output ? output : "null");
    cJSON_free(output);
    cJSON_Delete(event);
    answer(task, refused);
}

/* {"slot": i, "error": ..., "cause": ...}: SendTaskFailure. */
ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Failer", failer)
{
    cJSON *event = cJSON_Parse(payload);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(event, "error");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(event, "cause");
    const char *refused = asl_send_task_failure(kept[slot_of(event)], cJSON_IsString(e) ? e->valuestring : NULL,
                                                cJSON_IsString(c) ? c->valuestring : NULL);
    cJSON_Delete(event);
    answer(task, refused);
}

/* {"slot": i}: SendTaskHeartbeat. */
ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Beater", beater)
{
    cJSON *event = cJSON_Parse(payload);
    const char *refused = asl_send_task_heartbeat(kept[slot_of(event)]);
    cJSON_Delete(event);
    answer(task, refused);
}

static void note(cJSON *o, const char *key, const char *refused)
{
    if (refused)
        cJSON_AddStringToObject(o, key, refused);
    else
        cJSON_AddNullToObject(o, key);
}

/* Everything a worker can get wrong, then the right answer, then the
 * answer again: each with what the API said. */
ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Prober", prober)
{
    (void)payload;
    const char *token = kept[0];
    cJSON *o = cJSON_CreateObject();
    note(o, "malformed", asl_send_task_success("not a token", "{}"));
    note(o, "empty", asl_send_task_heartbeat(""));
    note(o, "unknown", asl_send_task_success("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "{}"));
    char tampered[64];
    snprintf(tampered, sizeof tampered, "%s", token);
    tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
    note(o, "tampered", asl_send_task_success(tampered, "{}"));
    note(o, "badOutput", asl_send_task_success(token, "{\"approved\": tru"));
    note(o, "heartbeat", asl_send_task_heartbeat(token));
    note(o, "success", asl_send_task_success(token, "{\"approved\":true}"));
    note(o, "again", asl_send_task_success(token, "{\"approved\":false}"));
    note(o, "failureAfter", asl_send_task_failure(token, "Too.Late", "already answered"));
    note(o, "heartbeatAfter", asl_send_task_heartbeat(token));
    char *text = cJSON_PrintUnformatted(o);
    asl_task_succeed(task, text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* Map items {"slot": i, "of": n, "token": ...}: keeps each token; the n-th
 * call answers them all, each with {"item": i}. */
ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Gatherer", gatherer)
{
    static int held;
    cJSON *event = cJSON_Parse(payload);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(event, "token");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(event, "of");
    int i = slot_of(event), n = cJSON_IsNumber(of) ? (int)of->valuedouble : 1;
    keep(i, cJSON_IsString(token) ? token->valuestring : "");
    cJSON_Delete(event);
    asl_task_succeed(task, "null");
    if (++held < n)
        return;
    for (int k = 0; k < n && k < SLOTS; k++) {
        char out[32];
        snprintf(out, sizeof out, "{\"item\":%d}", k);
        asl_send_task_success(kept[k], out);
    }
}
