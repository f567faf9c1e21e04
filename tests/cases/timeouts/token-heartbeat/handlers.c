/* Keep remembers the task token it is given; Beat sends a heartbeat for
 * it, Send completes it with Send's payload, Reject fails it. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "asl.h"

static char *token;

ASL_HANDLER("Keep", keep)
{
    cJSON *p = cJSON_Parse(payload);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "token");
    free(token);
    token = NULL;
    if (cJSON_IsString(t)) {
        size_t n = strlen(t->valuestring) + 1;
        token = memcpy(malloc(n), t->valuestring, n);
    }
    cJSON_Delete(p);
    asl_task_succeed(task, "null"); /* the invocation itself; the token completes the task */
}

/* The token outlives the execution's last use of it. */
static void forget(void) __attribute__((destructor));
static void forget(void)
{
    free(token);
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
