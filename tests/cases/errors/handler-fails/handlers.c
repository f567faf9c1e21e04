/* Refuse always fails. */
#include "asl.h"

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Refuse", refuse)
{
    (void)payload;
    asl_task_fail(task, "Refused.Error", "not today");
}
