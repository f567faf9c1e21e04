/*
 * handlers.c: the token-scale check's Lambda. Each call keeps the task
 * token and returns at once (the task stays open: it waits for
 * SendTaskSuccess). Once it holds BENCH_TOKENS tokens (default 1), that is,
 * once every execution of the batch is suspended on its token at the same
 * time, it completes them all with asl_send_task_success.
 *
 * The tokens are kept side by side in one array of fixed-size slots (a
 * token is 43 characters), not one allocation each: the run measures what
 * the engine holds per suspended execution, and a million small copies
 * here would add some 30 bytes each of the handler's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

enum { TOKEN_SLOT = 44 }; /* 43 characters and the NUL */

static struct {
    char (*tokens)[TOKEN_SLOT];
    long held, want;
} K;

/* How many tokens to hold before answering: BENCH_TOKENS, default 1. */
static long wanted(void)
{
    const char *s = getenv("BENCH_TOKENS");
    long n = s ? strtol(s, NULL, 10) : 1;
    return n > 0 ? n : 1;
}

static void release_all(void)
{
    for (long i = 0; i < K.held; i++) {
        const char *error = asl_send_task_success(K.tokens[i], "{\"status\":\"approved\"}");
        if (error)
            fprintf(stderr, "tokens: SendTaskSuccess refused: %s\n", error);
    }
    free(K.tokens);
    K.tokens = NULL;
    K.held = 0;
}

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:TokenKeeper", keep_token)
{
    (void)payload; /* it holds the same token as "token" */
    if (!K.tokens) {
        K.want = wanted();
        K.tokens = malloc((size_t)K.want * sizeof *K.tokens);
        if (!K.tokens) {
            asl_task_fail(task, "TokenKeeper.OutOfMemory", "cannot hold the tokens");
            return;
        }
    }
    const char *token = asl_task_token(task);
    if (!token || strlen(token) >= TOKEN_SLOT) {
        asl_task_fail(task, "TokenKeeper.NoToken", "the task has no token of 43 characters");
        return;
    }
    strcpy(K.tokens[K.held++], token);
    asl_task_succeed(task, "null"); /* the Lambda's own answer; the token completes the task */
    if (K.held == K.want)
        release_all();
}
