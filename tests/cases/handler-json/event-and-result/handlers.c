/*
 * handlers.c: Describe (ASL_HANDLER_JSON) reports what its event holds and
 * hands back part of it; DescribeText does the same with the text form, so
 * that the two can be compared; Nothing answers NULL (JSON null).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "asl.h"

/* What both forms answer for an event. */
static cJSON *describe(const cJSON *event)
{
    cJSON *out = cJSON_CreateObject();
    const char *kind = cJSON_IsObject(event) ? "object" : cJSON_IsArray(event) ? "array" : "other";
    cJSON_AddStringToObject(out, "kind", kind);
    cJSON_AddNumberToObject(out, "members", cJSON_GetArraySize(event));
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(event, "order");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(order, "items");
    double qty = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, items)
        qty += cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(item, "qty"));
    cJSON_AddNumberToObject(out, "qty", qty);
    /* parts of the event go in as copies */
    if (cJSON_GetArraySize(items) > 0)
        cJSON_AddItemToObject(out, "first", cJSON_Duplicate(cJSON_GetArrayItem(items, 0), 1));
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(order, "id");
    if (cJSON_IsString(id))
        cJSON_AddStringToObject(out, "id", id->valuestring);
    const cJSON *tag = cJSON_GetObjectItemCaseSensitive(event, "tag");
    if (cJSON_IsString(tag)) /* a reference the runtime must copy: the event goes away */
        cJSON_AddItemToObject(out, "tag", cJSON_CreateStringReference(tag->valuestring));
    if (cJSON_IsArray(event))
        cJSON_AddItemToObject(out, "echo", cJSON_Duplicate(event, 1));
    return out;
}

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Describe", describe_json)
{
    asl_task_succeed_json(task, describe(event));
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:DescribeText", describe_text)
{
    cJSON *event = cJSON_Parse(payload);
    cJSON *out = describe(event);
    char *text = cJSON_PrintUnformatted(out);
    asl_task_succeed(task, text);
    cJSON_free(text);
    cJSON_Delete(out);
    cJSON_Delete(event);
}

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Nothing", nothing)
{
    (void)event;
    asl_task_succeed_json(task, NULL);
}
