/* Flaky fails its first 2 calls with Flaky.Error (cause "call N"), then
 * succeeds with {"calls": N, "payload": <its payload>}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

static int calls;

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Flaky", flaky)
{
    char buf[64];
    calls++;
    if (calls <= 2) {
        snprintf(buf, sizeof buf, "call %d", calls);
        asl_task_fail(task, "Flaky.Error", buf);
        return;
    }
    size_t n = strlen(payload) + 64;
    char *out = malloc(n);
    snprintf(out, n, "{\"calls\":%d,\"payload\":%s}", calls, payload);
    asl_task_succeed(task, out);
    free(out);
}
