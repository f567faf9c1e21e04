/*
 * handlers.c: the real service behind the state the test case leaves
 * unmocked: it answers with the message it was sent.
 */
#include <cjson/cJSON.h>

#include "asl.h"

ASL_HANDLER("arn:aws:states:::sqs:sendMessage", send_message)
{
    cJSON *event = cJSON_Parse(payload);
    cJSON *out = cJSON_CreateObject();
    cJSON *body = cJSON_DetachItemFromObjectCaseSensitive(event, "MessageBody");
    cJSON_AddItemToObject(out, "sent", body ? body : cJSON_CreateNull());
    char *text = cJSON_PrintUnformatted(out);
    asl_task_succeed(task, text);
    cJSON_free(text);
    cJSON_Delete(out);
    cJSON_Delete(event);
}
