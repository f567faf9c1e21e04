/* Keep remembers the task token it is given; Beat sends a heartbeat for
 * it, Send completes it with Send's payload, Reject fails it. */
#include <string.h>

#include <cjson/cJSON.h>

#include "asl.h"

/* A static copy: nothing to free when the program (or the JIT) ends. */
static char buf[512];
static const char *token;

ASL_HANDLER("Keep", keep)
{
    cJSON *p = cJSON_Parse(payload);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "token");
    token = NULL;
    if (cJSON_IsString(t) && strlen(t->valuestring) < sizeof buf)
        token = strcpy(buf, t->valuestring);
    cJSON_Delete(p);
    asl_task_succeed(task, "null"); /* the invocation itself; the token completes the task */
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Beat", beat)
{
    const char *err = token ? asl_send_task_heartbeat(token) : "no token";
    asl_task_succeed(task, err ? "\"refused\"" : "\"beat\"");
    (void)payload;
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Send", send)
{
    const char *err = token ? asl_send_task_success(token, payload) : "no token";
    asl_task_succeed(task, err ? "\"refused\"" : "\"sent\"");
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Reject", reject)
{
    const char *err = token ? asl_send_task_failure(token, "Remote.Error", "rejected remotely") : "no token";
    asl_task_succeed(task, err ? "\"refused\"" : "\"rejected\"");
    (void)payload;
}
