/*
 * callback.c: the nested machine's Lambda function, as a C task handler.
 * On AWS it is a Lambda that calls SendTaskSuccess with the task token the
 * main machine passed down; here it does the same through aslc's runtime.
 */
#include <cjson/cJSON.h>

#include "asl.h"

ASL_HANDLER("arn:aws:lambda:me-south-1:112233445566:function:WorkflowWithinAWorkflowCd-NestingPatternCallback6C-8ne4ql6WKx3W",
            callback)
{
    cJSON *event = cJSON_Parse(payload);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(event, "TaskToken");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(event, "Message");
    if (!cJSON_IsString(token)) {
        cJSON_Delete(event);
        asl_task_fail(task, "CallbackError", "the event has no TaskToken");
        return;
    }
    /* The output the waiting task of the main machine receives. */
    cJSON *output = cJSON_CreateObject();
    cJSON_AddStringToObject(output, "Message", cJSON_IsString(message) ? message->valuestring : "");
    char *text = cJSON_PrintUnformatted(output);
    const char *error = asl_send_task_success(token->valuestring, text);
    cJSON_free(text);
    cJSON_Delete(output);
    cJSON_Delete(event);
    if (error)
        asl_task_fail(task, error, "SendTaskSuccess was refused");
    else
        asl_task_succeed(task, "null"); /* the Lambda's own result */
}
