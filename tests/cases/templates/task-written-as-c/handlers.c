/*
 * handlers.c: Echo answers its task's token with the payload it was sent
 * (the event is only lent for the call: copied), "token" replaced by
 * whether it was the task's own.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "asl.h"

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Echo", echo)
{
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(event, "token");
    const char *own = asl_task_token(task);
    if (!cJSON_IsString(token) || !own) {
        asl_task_fail(task, "Echo.NoToken", "the event has no token");
        return;
    }
    cJSON *answer = cJSON_Duplicate(event, 1);
    cJSON_ReplaceItemInObjectCaseSensitive(answer, "token", cJSON_CreateBool(!strcmp(token->valuestring, own)));
    const char *refused = asl_send_task_success_json(own, answer);
    cJSON *response = cJSON_CreateObject(); /* the Lambda's own result */
    cJSON_AddStringToObject(response, "sent", refused ? refused : "ok");
    asl_task_succeed_json(task, response);
}
