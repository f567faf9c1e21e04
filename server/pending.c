/*
 * pending.c: calls answered later. StartSyncExecution waits for its
 * execution to end and GetActivityTask for a task or its deadline; their
 * connections are suspended (http.c) and each turn of the loop asks every
 * pending call whether it can be answered now. Nothing here blocks.
 */
#include <stdlib.h>

#include "server.h"

void pending_add(srv *s, srv_call *c, pending_ready_fn ready, void *ud)
{
    srv_pending *p = calloc(1, sizeof *p);
    if (!p)
        exit(70);
    *p = (srv_pending){c, ready, ud, s->pending};
    s->pending = p;
}

int pending_check(srv *s)
{
    int answered = 0;
    for (srv_pending **pp = &s->pending; *pp;) {
        srv_pending *p = *pp;
        if (!p->ready(s, p, false)) {
            pp = &p->next;
            continue;
        }
        *pp = p->next;
        http_resume(p->call);
        free(p);
        answered++;
    }
    return answered;
}

void pending_cancel(srv *s)
{
    while (s->pending) {
        srv_pending *p = s->pending;
        s->pending = p->next;
        p->ready(s, p, true);
        http_resume(p->call);
        free(p);
    }
}
