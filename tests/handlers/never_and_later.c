/* Never keeps its task and never finishes it. Later keeps its task until
 * Release (called by another branch) finishes it with Release's payload. */
#include <stddef.h>

#include "asl.h"

static asl_task *pending;

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Never", never)
{
    (void)task;
    (void)payload;
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Later", later)
{
    (void)payload;
    pending = task;
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Release", release)
{
    if (pending)
        asl_task_succeed(pending, payload);
    pending = NULL;
    asl_task_succeed(task, "\"released\"");
}
