/*
 * handlers.c: an SQS queue stand-in. sendMessage.waitForTaskToken hands the
 * message (with the task token in it) to this handler, which plays both the
 * queue and the worker reading it: it answers the token at once with
 * SendTaskSuccess and returns SQS's response, which the history records as
 * TaskSubmitted.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "asl.h"

ASL_HANDLER("arn:aws:states:::sqs:sendMessage.waitForTaskToken", send_message)
{
    cJSON *event = cJSON_Parse(payload);
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(event, "MessageBody");
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(body, "token");
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(body, "order");
    const char *own = asl_task_token(task);
    char out[160];
    snprintf(out, sizeof out, "{\"shipped\":%d,\"tokenLength\":%zu,\"sameToken\":%s}",
             cJSON_IsNumber(order) ? (int)order->valuedouble : -1,
             cJSON_IsString(token) ? strlen(token->valuestring) : 0,
             cJSON_IsString(token) && own && !strcmp(own, token->valuestring) ? "true" : "false");
    const char *refused = cJSON_IsString(token) ? asl_send_task_success(token->valuestring, out) : "NoToken";
    cJSON_Delete(event);
    if (refused)
        asl_task_fail(task, "Queue.Refused", refused);
    else
        asl_task_succeed(task, "{\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e274\"}");
}
