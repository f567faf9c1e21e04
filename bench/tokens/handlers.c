/*
 * handlers.c: the token-scale check's Lambda. Each call keeps the task
 * token and returns at once (the task stays open: it waits for
 * SendTaskSuccess). Once it holds BENCH_TOKENS tokens (default 1), that is,
 * once every execution of the batch is suspended on its token at the same
 * time, it completes them all with asl_send_task_success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl.h"

static struct {
    char **tokens;
    long held, want;
} K;

/* How many tokens to hold before answering: BENCH_TOKENS, default 1. */
static long wanted(void)
{
    const char *s = getenv("BENCH_TOKENS");
    long n = s ? strtol(s, NULL, 10) : 1;
    return n > 0 ? n : 1;
}

/* strdup is POSIX, not C11 (handlers are compiled as C11). */
static char *copy_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}

static void release_all(void)
{
    for (long i = 0; i < K.held; i++) {
        const char *error = asl_send_task_success(K.tokens[i], "{\"status\":\"approved\"}");
        if (error)
            fprintf(stderr, "tokens: SendTaskSuccess refused: %s\n", error);
        free(K.tokens[i]);
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
    char *copy = token ? copy_text(token) : NULL;
    if (!copy) {
        asl_task_fail(task, "TokenKeeper.NoToken", "the task has no token");
        return;
    }
    K.tokens[K.held++] = copy;
    asl_task_succeed(task, "null"); /* the Lambda's own answer; the token completes the task */
    if (K.held == K.want)
        release_all();
}
