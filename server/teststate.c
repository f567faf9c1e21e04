/*
 * teststate.c: TestState. (Being written.)
 */
#include "server.h"

bool testing_takes(srv *s, asl_task *t, const char *payload)
{
    (void)s;
    (void)t;
    (void)payload;
    return false;
}

void act_test_state(srv *s, srv_call *c)
{
    (void)s;
    srv_reply_error(c, "UnknownOperationException", "TestState is not supported yet");
}
