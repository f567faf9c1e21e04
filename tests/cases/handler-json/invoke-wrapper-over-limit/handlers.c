/*
 * handlers.c: Near answers, as JSON, a string 300 bytes short of the
 * 256 KiB limit: alone it fits, wrapped in lambda:invoke's response (about
 * 600 bytes more) it does not. Fits answers one 1,100 bytes short.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

static void answer(asl_task *task, size_t len)
{
    char *s = malloc(len + 1);
    memset(s, 'x', len);
    s[len] = '\0';
    asl_task_succeed_json(task, cJSON_CreateString(s));
    free(s);
}

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Near", near)
{
    (void)event;
    answer(task, 262144 - 300);
}

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Fits", fits)
{
    (void)event;
    answer(task, 262144 - 1100);
}
