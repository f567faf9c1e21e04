/* The task handlers of tests/durable/main.asl.json. Approver keeps each
 * token with its item, as a human approver would (a restart dispatches it
 * again: it counts the calls and keeps a token once); Flaky fails twice,
 * then succeeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

char *approver_tokens[16], *approver_items[16];
int approver_ntokens, approver_calls, flaky_calls;

ASL_HANDLER("Approver", approver)
{
    approver_calls++;
    const char *token = asl_task_token(task);
    for (int i = 0; i < approver_ntokens; i++)
        if (!strcmp(approver_tokens[i], token))
            return;
    if (approver_ntokens == 16)
        abort();
    const char *item = strstr(payload, "\"item\":");
    approver_items[approver_ntokens] = strndup(item + 7, strcspn(item + 7, ",}"));
    approver_tokens[approver_ntokens++] = strdup(token);
}

ASL_HANDLER("Flaky", flaky)
{
    if (++flaky_calls <= 2)
        asl_task_fail(task, "Flaky.Error", "not yet");
    else
        asl_task_succeed(task, "{\"calls\":3}");
}
