/*
 * callback.c: the nested machine's Lambda function, as a C task handler.
 * On AWS it is a Lambda that calls SendTaskSuccess with the task token the
 * main machine passed down; here it does the same through aslc's runtime.
 * It takes its event as a value (ASL_HANDLER_JSON) and answers with one
 * (asl_send_task_success_json): no JSON text is printed or parsed.
 */
#include <cjson/cJSON.h>

#include "asl.h"

ASL_HANDLER_JSON("arn:aws:lambda:me-south-1:112233445566:function:WorkflowWithinAWorkflowCd-NestingPatternCallback6C-8ne4ql6WKx3W",
                 callback)
{
    /* event is lent for the call: read it, never change or keep it. */
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(event, "TaskToken");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(event, "Message");
    if (!cJSON_IsString(token)) {
        asl_task_fail(task, "CallbackError", "the event has no TaskToken");
        return;
    }
    /* The output the waiting task of the main machine receives (taken by
     * the runtime, whatever the answer). */
    cJSON *output = cJSON_CreateObject();
    cJSON_AddStringToObject(output, "Message", cJSON_IsString(message) ? message->valuestring : "");
    const char *error = asl_send_task_success_json(token->valuestring, output);
    if (error)
        asl_task_fail(task, error, "SendTaskSuccess was refused");
    else
        asl_task_succeed_json(task, NULL); /* the Lambda's own result: null */
}
