/*
 * handlers.c: Park keeps the task token and a copy of the order (the event
 * is only lent for the call) and returns; Approve answers the token with a
 * value (asl_send_task_success_json takes it) and reports what it got back.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

static char *parked_token;
static cJSON *parked_order;

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Park", park)
{
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(event, "token");
    if (!cJSON_IsString(token)) {
        asl_task_fail(task, "Park.NoToken", "the event has no token");
        return;
    }
    parked_token = strdup(token->valuestring);
    parked_order = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(event, "order"), 1);
    cJSON *response = cJSON_CreateObject(); /* the Lambda's own result: TaskSubmitted */
    cJSON_AddBoolToObject(response, "parked", 1);
    asl_task_succeed_json(task, response);
}

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Approve", approve)
{
    (void)event;
    cJSON *answer = cJSON_CreateObject();
    cJSON_AddStringToObject(answer, "verdict", "approved");
    cJSON_AddItemToObject(answer, "order", parked_order); /* moves into the answer */
    const char *refused = asl_send_task_success_json(parked_token, answer);
    free(parked_token);
    parked_token = NULL;
    parked_order = NULL;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "sent", refused ? refused : "ok");
    asl_task_succeed_json(task, out);
}
