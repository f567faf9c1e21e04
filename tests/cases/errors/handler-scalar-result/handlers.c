/* Num returns a number. */
#include "asl.h"

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Num", num)
{
    (void)payload;
    asl_task_succeed(task, "42.5");
}
