/*
 * sched.c: the scheduler. A run queue of ready frames, a heap of timers and
 * the clock. Frames run until they suspend; when nothing is ready the clock
 * moves to the next timer: by sleeping (real time) or by jumping there
 * (virtual time), so hour-long Waits finish at once yet timestamps read as
 * if the time had passed.
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "exec.h"
#include "history.h"
#include "slab.h"

struct asl_timer {
    double at;
    unsigned long seq;       /* ties run in the order they were set */
    asl_frame *frame;
    void (*fn)(asl_frame *f);
    asl_timer *prev, *next;  /* in the queue (idx < 0) */
    int idx;                 /* place in the heap, or -1: in the queue */
};

/* Timers come and go with every Wait, retry and timeout: from a slab, no
 * malloc and free each. */
static asl_slab timer_slab = ASL_SLAB(asl_timer);

asl_clock_state asl_clock;

/* Timers are most often set in the order they fall due: Waits and
 * timeouts of one length, counted from a clock that only moves forward.
 * Such a timer (due no earlier than the last one queued) goes to the back
 * of a queue, in O(1); any other to a heap. The next to fire is the
 * earlier of the queue's head and the heap's root. */
static struct {
    asl_timer **heap;
    int n, cap;
    asl_timer *qhead, *qtail;
    unsigned long seq;
    asl_frame *head, *tail;
    int pending;             /* tasks served outside the scheduler */
} S;

double asl_real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool asl_virtual_time(void)
{
    return asl_clock.virt;
}

void asl_set_virtual_time(bool on, double start)
{
    asl_clock.virt = on;
    asl_clock.vnow = start > 0 ? start : floor(asl_real_now() * 1000) / 1000;
}

void asl_sched_note_pending(int delta)
{
    S.pending += delta;
}

/* ------------------------------------------------------------- timers */

static bool before(const asl_timer *a, const asl_timer *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void heap_set(int i, asl_timer *t)
{
    S.heap[i] = t;
    t->idx = i;
}

static void sift_up(int i)
{
    asl_timer *t = S.heap[i];
    while (i > 0 && before(t, S.heap[(i - 1) / 2])) {
        heap_set(i, S.heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(i, t);
}

static void sift_down(int i)
{
    asl_timer *t = S.heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= S.n)
            break;
        if (c + 1 < S.n && before(S.heap[c + 1], S.heap[c]))
            c++;
        if (!before(S.heap[c], t))
            break;
        heap_set(i, S.heap[c]);
        i = c;
    }
    heap_set(i, t);
}

static void heap_remove(asl_timer *t)
{
    int i = t->idx;
    asl_timer *last = S.heap[--S.n];
    if (i < S.n) {
        heap_set(i, last);
        sift_down(i);
        sift_up(last->idx);
    }
}

/* heap_remove of the earliest timer: the last one moves to the root and
 * only down (it has no parent to move up to). */
static void heap_pop(void)
{
    asl_timer *last = S.heap[--S.n];
    if (S.n > 0) {
        heap_set(0, last);
        sift_down(0);
    }
}

static void queue_remove(asl_timer *t)
{
    *(t->prev ? &t->prev->next : &S.qhead) = t->next;
    *(t->next ? &t->next->prev : &S.qtail) = t->prev;
}

/* The timer that fires next, or NULL. */
static asl_timer *earliest(void)
{
    asl_timer *q = S.qhead;
    if (!S.n)
        return q;
    return q && before(q, S.heap[0]) ? q : S.heap[0];
}

asl_timer *asl_timer_add(double at, asl_frame *f, void (*fn)(asl_frame *f))
{
    if (!S.qtail || at >= S.qtail->at) {
        asl_timer *t = asl_slab_alloc_raw(&timer_slab);
        *t = (asl_timer){.at = at, .seq = S.seq++, .frame = f, .fn = fn, .prev = S.qtail, .idx = -1};
        *(S.qtail ? &S.qtail->next : &S.qhead) = t;
        S.qtail = t;
        return t;
    }
    if (S.n == S.cap) {
        S.cap = S.cap ? 2 * S.cap : 64;
        S.heap = realloc(S.heap, sizeof *S.heap * (size_t)S.cap);
        if (!S.heap)
            abort();
    }
    asl_timer *t = asl_slab_alloc_raw(&timer_slab);
    *t = (asl_timer){.at = at, .seq = S.seq++, .frame = f, .fn = fn};
    heap_set(S.n++, t);
    sift_up(t->idx);
    return t;
}

void asl_timer_cancel(asl_timer **t)
{
    if (!*t)
        return;
    if ((*t)->idx < 0)
        queue_remove(*t);
    else
        heap_remove(*t);
    asl_slab_free(&timer_slab, *t);
    *t = NULL;
}

double asl_timer_at(const asl_timer *t)
{
    return t->at;
}

void (*asl_timer_fn(const asl_timer *t))(asl_frame *f)
{
    return t->fn;
}

/* Fires the earliest timer; the frame's pointer to it is cleared first so
 * the callback may set a new one. */
static void fire_next(void)
{
    asl_timer *t = earliest();
    if (t->idx < 0)
        queue_remove(t);
    else
        heap_pop();
    asl_frame *f = t->frame;
    void (*fn)(asl_frame *) = t->fn;
    if (f->timer == t)
        f->timer = NULL;
    if (f->heartbeat == t)
        f->heartbeat = NULL;
    if (f->exec->timeout == t)
        f->exec->timeout = NULL;
    asl_slab_free(&timer_slab, t);
    fn(f);
}

/* ---------------------------------------------------------- run queue */

void asl_wake(asl_frame *f, asl_step (*resume)(asl_frame *f))
{
    f->resume = resume;
    f->wait = ASL_WAIT_NONE;
    if (f->queued)
        return;
    f->queued = true;
    f->next_ready = NULL;
    if (S.tail)
        S.tail->next_ready = f;
    else
        S.head = f;
    S.tail = f;
}

/* A timer fires only once no frame is ready (asl_sched_turn drains the
 * queue first): the frame it wakes would be the next to run, so it runs
 * now, without a trip through the queue. */
void asl_wake_timed(asl_frame *f, asl_step (*resume)(asl_frame *f))
{
    if (S.head || f->queued) {
        asl_wake(f, resume);
        return;
    }
    f->resume = resume;
    f->wait = ASL_WAIT_NONE;
    asl_frame_step(f);
}

static asl_frame *pop_ready(void)
{
    asl_frame *f = S.head;
    if (f) {
        S.head = f->next_ready;
        if (!S.head)
            S.tail = NULL;
        f->queued = false;
    }
    return f;
}

void asl_sched_each_ready(void (*fn)(asl_frame *f, void *ud), void *ud)
{
    for (asl_frame *f = S.head; f; f = f->next_ready)
        fn(f, ud);
}

/* Removes a frame from the run queue (it is being cancelled). */
void asl_sched_forget(asl_frame *f)
{
    asl_frame **p = &S.head, *prev = NULL;
    while (*p && *p != f) {
        prev = *p;
        p = &(*p)->next_ready;
    }
    if (*p) {
        *p = f->next_ready;
        if (S.tail == f)
            S.tail = prev;
    }
    f->queued = false;
}

/* Every caller turns again while a turn did something, so a fired timer
 * is followed by the next turn here, without a return and a call. */
bool asl_sched_turn(void)
{
    bool did = false;
    for (;;) {
        asl_frame *f;
        if (asl_task_reap_due)
            asl_task_reap(); /* between turns nothing but a holder (t->held) uses a task */
        while ((f = pop_ready())) {
            asl_frame_step(f);
            did = true;
        }
        if (S.pending > 0 && asl_poll_external(0))
            return true;
        asl_timer *next = earliest();
        if (!next)
            return did;
        double at = next->at;
        if (asl_clock.virt) {
            if (at > asl_clock.vnow)
                asl_clock.vnow = at;
        } else if (at > asl_real_now()) {
            return did;
        }
        fire_next();
        did = true;
    }
}

double asl_sched_deadline(void)
{
    if (S.head)
        return 0;
    asl_timer *t = earliest();
    return t ? t->at : -1;
}

void asl_sched_block(double deadline)
{
    if (deadline == 0)
        return;
    double wait = deadline < 0 ? -1 : deadline - asl_now();
    if (S.pending > 0) {
        asl_poll_external(wait < 0 ? -1 : (int)ceil(wait * 1000));
    } else if (wait > 0) {
        struct timespec ts = {(time_t)wait, (long)((wait - floor(wait)) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

void asl_sched_run(void)
{
    for (;;) {
        if (asl_sched_turn())
            continue;
        asl_timer *t = earliest();
        if (!t && S.pending == 0)
            break;
        asl_sched_block(t ? t->at : -1);
    }
}

void asl_sched_reset(void)
{
    free(S.heap);
    S.heap = NULL;
    S.n = S.cap = 0;
    S.qhead = S.qtail = NULL;
}
