/* A Lambda that always fails. */
#include "asl.h"

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Flaky", flaky)
{
    (void)payload;
    asl_task_fail(task, "Flaky.Error", "try again");
}
