/*
 * tags.c: TagResource, UntagResource, ListTagsForResource, and the tags
 * CreateStateMachine and CreateActivity take. Tags are kept per ARN (one
 * JSON object: ARN -> {key: value}); a resource's tags go when it does.
 * Tagging an ARN that names no state machine or activity of this server is
 * ResourceNotFound, as on AWS.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* The resource's tag object (created when missing). */
static cJSON *tags_of(srv *s, const char *arn)
{
    if (!s->tags)
        s->tags = cJSON_CreateObject();
    cJSON *t = cJSON_GetObjectItemCaseSensitive(s->tags, arn);
    return t ? t : cJSON_AddObjectToObject(s->tags, arn);
}

void tags_add(srv *s, const char *arn, const cJSON *list)
{
    cJSON *t = tags_of(s, arn);
    for (const cJSON *k = list ? list->child : NULL; k; k = k->next) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(k, "key");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(k, "value");
        if (!cJSON_IsString(key))
            continue;
        cJSON *v = cJSON_CreateString(cJSON_IsString(value) ? value->valuestring : "");
        if (cJSON_GetObjectItemCaseSensitive(t, key->valuestring))
            cJSON_ReplaceItemInObjectCaseSensitive(t, key->valuestring, v);
        else
            cJSON_AddItemToObject(t, key->valuestring, v);
    }
}

void tags_drop(srv *s, const char *arn)
{
    cJSON_DeleteItemFromObjectCaseSensitive(s->tags, arn);
}

void tags_free(srv *s)
{
    cJSON_Delete(s->tags);
    s->tags = NULL;
}

/* Whether the call's resourceArn names a machine or activity; else
 * answers. */
static bool known(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "resourceArn");
    if (machines_find(s, arn) || activities_find(s, arn))
        return true;
    if (strncmp(arn, "arn:", 4))
        srv_reply_error(c, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn);
    else
        srv_reply_error(c, "ResourceNotFound", "Resource not found: '%s'", arn);
    return false;
}

void act_tag_resource(srv *s, srv_call *c)
{
    if (!known(s, c))
        return;
    tags_add(s, srv_str(c, "resourceArn"), cJSON_GetObjectItemCaseSensitive(c->in, "tags"));
    srv_reply(c, cJSON_CreateObject());
}

void act_untag_resource(srv *s, srv_call *c)
{
    if (!known(s, c))
        return;
    cJSON *t = tags_of(s, srv_str(c, "resourceArn"));
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(c->in, "tagKeys");
    for (const cJSON *k = keys->child; k; k = k->next)
        cJSON_DeleteItemFromObjectCaseSensitive(t, k->valuestring);
    srv_reply(c, cJSON_CreateObject());
}

void act_list_tags(srv *s, srv_call *c)
{
    if (!known(s, c))
        return;
    cJSON *out = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(out, "tags");
    for (const cJSON *k = tags_of(s, srv_str(c, "resourceArn"))->child; k; k = k->next) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "key", k->string);
        cJSON_AddStringToObject(o, "value", k->valuestring);
        cJSON_AddItemToArray(list, o);
    }
    srv_reply(c, out);
}
