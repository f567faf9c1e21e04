/*
 * handlers.c: Echo returns the payload it was sent (never reached here:
 * the template fails first).
 */
#include <cjson/cJSON.h>

#include "asl.h"

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Echo", echo)
{
    asl_task_succeed_json(task, cJSON_Duplicate(event, 1));
}
