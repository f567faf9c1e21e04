/* handlers.c: Measure answers a value holding an infinite number. */
#include <cjson/cJSON.h>
#include <math.h>

#include "asl.h"

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Measure", measure)
{
    (void)event;
    cJSON *out = cJSON_CreateObject();
    cJSON *sizes = cJSON_AddArrayToObject(cJSON_AddObjectToObject(out, "box"), "sizes");
    cJSON_AddItemToArray(sizes, cJSON_CreateNumber(1));
    cJSON_AddItemToArray(sizes, cJSON_CreateNumber(HUGE_VAL));
    asl_task_succeed_json(task, out);
}
