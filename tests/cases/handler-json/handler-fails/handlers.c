/*
 * handlers.c: Check fails: busy on its first two calls (retried), then
 * soft for an input without "caught" (caught), then hard.
 */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "asl.h"

static int calls;

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Check", check)
{
    char cause[96];
    double amount = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(event, "amount"));
    snprintf(cause, sizeof cause, "call %d: amount %g", ++calls, amount);
    if (calls <= 2)
        asl_task_fail(task, "Check.Busy", cause);
    else if (!cJSON_HasObjectItem(event, "caught"))
        asl_task_fail(task, "Check.Soft", cause);
    else
        asl_task_fail(task, "Check.Hard", cause);
}
