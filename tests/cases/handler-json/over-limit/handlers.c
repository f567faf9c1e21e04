/*
 * handlers.c: Big answers a string value 262,145 bytes long as JSON, one
 * over the limit; BigText answers the same as text.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

enum { OVER = 262144 + 1 };

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Big", big)
{
    (void)event;
    char *s = malloc(OVER - 1);
    memset(s, 'x', OVER - 2);
    s[OVER - 2] = '\0';
    asl_task_succeed_json(task, cJSON_CreateString(s));
    free(s);
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:BigText", big_text)
{
    (void)payload;
    char *s = malloc(OVER + 1);
    memset(s, 'x', OVER);
    s[0] = s[OVER - 1] = '"';
    s[OVER] = '\0';
    asl_task_succeed(task, s);
    free(s);
}
