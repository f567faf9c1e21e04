/*
 * handlers.c: an SQS stand-in that tries SendTaskSuccess every wrong way,
 * value form and text form, then answers its token with what each was told;
 * Report says what answering the same token again was told; Deep and
 * DeepText answer 1000 arrays deep, as deep as JSON text may be.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

enum { OVER = 262144 + 1 };

static const char *again_json, *again_text;

/* A string value OVER bytes long as JSON (quotes included). */
static cJSON *big_value(void)
{
    char *s = malloc(OVER - 1);
    memset(s, 'x', OVER - 2);
    s[OVER - 2] = '\0';
    cJSON *v = cJSON_CreateString(s);
    free(s);
    return v;
}

static char *big_text(void)
{
    char *s = malloc(OVER + 1);
    memset(s, 'x', OVER);
    s[0] = s[OVER - 1] = '"';
    s[OVER] = '\0';
    return s;
}

static cJSON *infinite_value(void)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddNumberToObject(v, "n", HUGE_VAL);
    return v;
}

/* n arrays, one in another. */
static cJSON *nested_value(int n)
{
    cJSON *v = cJSON_CreateArray();
    for (int i = 1; i < n; i++) {
        cJSON *outer = cJSON_CreateArray();
        cJSON_AddItemToArray(outer, v);
        v = outer;
    }
    return v;
}

static char *nested_text(int n)
{
    char *s = malloc(2 * (size_t)n + 1);
    memset(s, '[', (size_t)n);
    memset(s + n, ']', (size_t)n);
    s[2 * n] = '\0';
    return s;
}

static void add(cJSON *list, const char *refused)
{
    cJSON_AddItemToArray(list, cJSON_CreateString(refused ? refused : "accepted"));
}

ASL_HANDLER_JSON("arn:aws:states:::sqs:sendMessage.waitForTaskToken", queue)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(event, "MessageBody"), "token");
    const char *token = cJSON_GetStringValue(t);
    const char *unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    cJSON *answer = cJSON_CreateObject();
    cJSON *json = cJSON_AddArrayToObject(answer, "json");
    cJSON *text = cJSON_AddArrayToObject(answer, "text");
    add(json, asl_send_task_success_json("not a token", cJSON_CreateTrue()));
    add(text, asl_send_task_success("not a token", "true"));
    add(json, asl_send_task_success_json(unknown, cJSON_CreateTrue()));
    add(text, asl_send_task_success(unknown, "true"));
    add(json, asl_send_task_success_json(token, big_value()));
    char *big = big_text();
    add(text, asl_send_task_success(token, big));
    free(big);
    add(json, asl_send_task_success_json(token, infinite_value()));
    add(text, asl_send_task_success(token, "{\"n\": 1e400}"));
    /* not JSON and too large: the size is judged first */
    cJSON *both = infinite_value();
    cJSON_AddItemToObject(both, "s", big_value());
    add(json, asl_send_task_success_json(token, both));
    big = big_text();
    big[1] = '1', big[2] = 'e', big[3] = '4', big[4] = '0', big[5] = '0', big[6] = ',', big[7] = '"';
    big[0] = '[', big[OVER - 1] = ']', big[OVER - 2] = '"';
    add(text, asl_send_task_success(token, big));
    free(big);
    add(json, asl_send_task_success_json(token, cJSON_CreateString("caf\xc3")));
    add(text, asl_send_task_success(token, "\"caf\xc3\""));
    cJSON *key = cJSON_CreateObject();
    cJSON_AddTrueToObject(key, "\xff");
    add(json, asl_send_task_success_json(token, key));
    add(text, asl_send_task_success(token, "{\"\xff\": true}"));
    add(json, asl_send_task_success_json(token, nested_value(1001)));
    char *deep = nested_text(1001);
    add(text, asl_send_task_success(token, deep));
    free(deep);
    add(json, asl_send_task_success_json(token, cJSON_CreateRaw("[1, 2]")));
    /* the refusals above left the task open: this answer is taken */
    const char *refused = asl_send_task_success_json(token, answer);
    again_json = asl_send_task_success_json(token, cJSON_CreateFalse());
    again_text = asl_send_task_success(token, "false");
    if (refused)
        asl_task_fail(task, "Queue.Refused", refused);
    else
        asl_task_succeed_json(task, NULL);
}

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Report", report)
{
    (void)event;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "json", again_json ? again_json : "accepted");
    cJSON_AddStringToObject(out, "text", again_text ? again_text : "accepted");
    asl_task_succeed_json(task, out);
}

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Deep", deep)
{
    (void)event;
    asl_task_succeed_json(task, nested_value(1000));
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:DeepText", deep_text)
{
    (void)payload;
    char *text = nested_text(1000);
    asl_task_succeed(task, text);
    free(text);
}
