/* Fail raises the error and cause named in its payload
 * ({"error": ..., "cause": ...}). */
#include <cjson/cJSON.h>

#include "asl.h"

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Fail", fail)
{
    cJSON *p = cJSON_Parse(payload);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(p, "error");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(p, "cause");
    asl_task_fail(task, cJSON_IsString(e) ? e->valuestring : "Unnamed",
                  cJSON_IsString(c) ? c->valuestring : NULL);
    cJSON_Delete(p);
}
