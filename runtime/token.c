/*
 * token.c: task tokens. A .waitForTaskToken task registers its token here;
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat find the task by
 * token (a hash table: a run may hold a hundred thousand at once). A token
 * is single-use: once its task completes it is forgotten, and a second
 * completion gets AWS's TaskDoesNotExist.
 */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"

static struct {
    asl_task **slot;     /* open addressing; NULL empty, TOMB deleted */
    size_t cap, used;
} T;

static asl_task tomb_task;
#define TOMB (&tomb_task)

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

static void grow(void)
{
    size_t old = T.cap;
    asl_task **slots = T.slot;
    T.cap = old ? old * 2 : 256;
    T.slot = calloc(T.cap, sizeof *T.slot);
    if (!T.slot)
        abort();
    T.used = 0;
    for (size_t i = 0; i < old; i++)
        if (slots[i] && slots[i] != TOMB)
            asl_token_register(slots[i]);
    free(slots);
}

void asl_token_register(asl_task *t)
{
    if (!t->token)
        return;
    if ((T.used + 1) * 2 > T.cap)
        grow();
    size_t i = hash(t->token) & (T.cap - 1);
    while (T.slot[i] && T.slot[i] != TOMB)
        i = (i + 1) & (T.cap - 1);
    T.slot[i] = t;
    T.used++;
}

static asl_task **lookup(const char *token)
{
    if (!T.cap)
        return NULL;
    size_t i = hash(token) & (T.cap - 1);
    for (size_t n = 0; T.slot[i] && n < T.cap; n++) {
        if (T.slot[i] != TOMB && !strcmp(T.slot[i]->token, token))
            return &T.slot[i];
        i = (i + 1) & (T.cap - 1);
    }
    return NULL;
}

asl_task *asl_token_find(const char *token)
{
    asl_task **p = token ? lookup(token) : NULL;
    return p ? *p : NULL;
}

void asl_token_forget(asl_task *t)
{
    if (!t->token)
        return;
    asl_task **p = lookup(t->token);
    if (p && *p == t)
        *p = TOMB;
}

void asl_token_reset(void)
{
    free(T.slot);
    memset(&T, 0, sizeof T);
}

/* ---------------------------------------------------- SendTask* APIs */

/* A token we issued is 43 base64url characters. */
static bool well_formed(const char *token)
{
    if (!token || strlen(token) != 43)
        return false;
    for (const char *p = token; *p; p++)
        if (!(*p == '-' || *p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z')))
            return false;
    return true;
}

static const char *find_open(const char *token, asl_task **out)
{
    if (!well_formed(token))
        return "InvalidToken";
    asl_task *t = asl_token_find(token);
    if (!t || t->done || !t->frame)
        return "TaskDoesNotExist";
    *out = t;
    return NULL;
}

const char *asl_send_task_success(const char *token, const char *output_json)
{
    asl_task *t;
    const char *err = find_open(token, &t);
    if (err)
        return err;
    cJSON *v = output_json ? asl_json_parse(output_json) : NULL;
    if (!v)
        return "InvalidOutput";
    asl_task_complete(t, v, NULL, NULL);
    return NULL;
}

const char *asl_send_task_failure(const char *token, const char *error, const char *cause)
{
    asl_task *t;
    const char *err = find_open(token, &t);
    if (err)
        return err;
    asl_task_complete(t, NULL, error ? error : "", cause);
    return NULL;
}

const char *asl_send_task_heartbeat(const char *token)
{
    asl_task *t;
    const char *err = find_open(token, &t);
    if (err)
        return err;
    asl_task_heartbeat(t);
    return NULL;
}
