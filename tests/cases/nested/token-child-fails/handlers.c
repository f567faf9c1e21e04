/* The child's Lambda: answers the parent's task token with SendTaskFailure
 * and returns what SendTaskFailure said (null when it was accepted). */
#include <stdio.h>
#include <string.h>

#include "asl.h"

/* The string value of "key" in a flat JSON object (enough for this test). */
static int field(const char *json, const char *key, char *out, size_t n)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(json, pat);
    if (!p)
        return 0;
    p += strlen(pat);
    size_t k = strcspn(p, "\"");
    if (k >= n)
        return 0;
    memcpy(out, p, k);
    out[k] = '\0';
    return 1;
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Rejecter", reject)
{
    char token[128];
    if (!field(payload, "token", token, sizeof token)) {
        asl_task_fail(task, "Test.NoToken", payload);
        return;
    }
    const char *refused = asl_send_task_failure(token, "Order.Rejected", "no stock for this order");
    char result[64];
    snprintf(result, sizeof result, refused ? "\"%s\"" : "null", refused);
    asl_task_succeed(task, result);
}
