/*
 * index.c: executions by ARN. The engine finds an execution by walking
 * its list, which grows with every execution a server runs; DescribeExecution
 * and friends look executions up here instead, in a hash table (open
 * addressing, linear probing) that an observer fills as executions start,
 * child executions included. Executions stay until the server stops, but
 * for TestState's, which are taken out before they are forgotten.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void put(srv_index *ix, asl_exec *x)
{
    size_t mask = ix->cap - 1, i = hash(asl_exec_arn(x)) & mask;
    while (ix->slots[i]) {
        if (ix->slots[i] == x)
            return;
        i = (i + 1) & mask;
    }
    ix->slots[i] = x;
    ix->n++;
}

void index_add(srv *s, asl_exec *x)
{
    srv_index *ix = &s->index;
    if (2 * (ix->n + 1) > ix->cap) {
        srv_index old = *ix;
        ix->cap = old.cap ? 2 * old.cap : 1024;
        ix->slots = calloc(ix->cap, sizeof *ix->slots);
        if (!ix->slots)
            exit(70);
        ix->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i])
                put(ix, old.slots[i]);
        free(old.slots);
    }
    put(ix, x);
}

asl_exec *index_find(srv *s, const char *arn)
{
    srv_index *ix = &s->index;
    if (!ix->cap)
        return NULL;
    size_t mask = ix->cap - 1, i = hash(arn) & mask;
    for (; ix->slots[i]; i = (i + 1) & mask)
        if (!strcmp(asl_exec_arn(ix->slots[i]), arn))
            return ix->slots[i];
    return NULL;
}

void index_remove(srv *s, asl_exec *x)
{
    srv_index *ix = &s->index;
    if (!ix->cap)
        return;
    size_t mask = ix->cap - 1, i = hash(asl_exec_arn(x)) & mask;
    while (ix->slots[i] && ix->slots[i] != x)
        i = (i + 1) & mask;
    if (!ix->slots[i])
        return;
    ix->slots[i] = NULL;
    ix->n--;
    /* Put back the rest of the cluster, so that no probe stops early. */
    for (size_t j = (i + 1) & mask; ix->slots[j]; j = (j + 1) & mask) {
        asl_exec *y = ix->slots[j];
        ix->slots[j] = NULL;
        ix->n--;
        put(ix, y);
    }
}

static void on_event(void *ud, const asl_event *ev)
{
    if (strcmp(ev->type, "ExecutionStarted"))
        return;
    srv *s = ud;
    index_add(s, ev->exec);
    /* The definition it runs, for DescribeStateMachineForExecution. */
    srv_machine *m = machines_find(s, asl_exec_machine_arn(ev->exec));
    if (m)
        asl_exec_set_user(ev->exec, m->def);
}

void index_init(srv *s)
{
    asl_engine_observe(s->engine, on_event, s, 0);
}

void index_free(srv *s)
{
    free(s->index.slots);
    memset(&s->index, 0, sizeof s->index);
}
