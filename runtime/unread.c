/*
 * unread.c: whether anything reads what a state outputs. A Task's result
 * that no later state reads, in a run nobody records or inspects, need not
 * be built in full: StartExecution's response that flows into a Parallel
 * whose branches read only $$, or a Lambda's response that a Wait passes
 * to a Pass with a Result, are seen by nothing.
 *
 * The walk follows the value from state to state and answers "unread" only
 * when every way on drops it; anything it does not follow (JSONata, Assign,
 * Choice, Map, a catcher that keeps the input, the end of a graph, more
 * than a few states) counts as read.
 */
#include <stdint.h>

#include "asl_engine.h"
#include "handlers.h"

enum { UNREAD_DEPTH = 8 };

/* Whether n (a template, path or intrinsic call) reads the state's input. */
static bool reads_input(const asl_node *n)
{
    if (!n)
        return false;
    if (n->kind == ASL_N_PATH && n->op != ASL_ROOT_CONTEXT && n->op != ASL_ROOT_VAR)
        return true;
    for (int i = 0; i < n->count; i++)
        if (reads_input(&n->kids[i]))
            return true;
    return false;
}

static bool output_unread(const asl_graph *g, int i, int depth);

/* Whether a catcher may pass the raw input on (its ResultPath keeps it). */
static bool catch_keeps_input(const asl_state *s)
{
    for (int k = 0; k < s->ncatch; k++)
        if (s->catches[k].result_path || s->catches[k].assign)
            return true;
    return false;
}

/* Whether state i of g reads its input or passes it on to a reader. */
static bool input_unread(const asl_graph *g, int i, int depth)
{
    if (i < 0 || i >= g->nstates || depth > UNREAD_DEPTH)
        return false;
    const asl_state *s = &g->states[i];
    /* InputPath may fail on what it does not find: it reads. */
    if (s->jsonata || s->assign || catch_keeps_input(s) || (s->input_path && s->input_path->kind != ASL_N_NULL))
        return false;
    /* Input flows on when ResultPath keeps it ("$.x" or null). */
    bool kept = s->result_path != NULL;
    switch (s->type) {
    case ASL_PASS:
        if (reads_input(s->parameters))
            return false;
        kept = kept || (!s->result && !s->parameters);
        break;
    case ASL_TASK:
        if (!s->parameters || reads_input(s->parameters) || reads_input(s->timeout) || reads_input(s->heartbeat) ||
            reads_input(s->credentials))
            return false;
        break;
    case ASL_WAIT:
        if (reads_input(s->seconds) || reads_input(s->timestamp))
            return false;
        kept = true;
        break;
    case ASL_FAIL:
        return !reads_input(s->error) && !reads_input(s->cause);
    case ASL_PARALLEL:
        if (reads_input(s->parameters))
            return false;
        for (int b = 0; !s->parameters && b < s->nbranches; b++)
            if (!input_unread(s->branches[b], s->branches[b]->start, depth + 1))
                return false;
        break;
    default: /* Choice reads it; Succeed ends the graph with it; Map */
        return false;
    }
    if (!kept)
        return true;
    /* Kept, it is written into (ResultPath "$.x") or selected from
     * (OutputPath), which may fail on what is not there: read. */
    if ((s->result_path && s->result_path->kind != ASL_N_NULL) ||
        (s->output_path && s->output_path->kind != ASL_N_NULL))
        return false;
    return output_unread(g, i, depth + 1);
}

/* Whether anything reads state i's output: the next state's input. */
static bool output_unread(const asl_graph *g, int i, int depth)
{
    const asl_state *s = &g->states[i];
    return !s->end && s->type != ASL_CHOICE && input_unread(g, s->next, depth);
}

bool asl_task_result_unread(const asl_task *t)
{
    const asl_state *s = t->state;
    const asl_frame *f = t->frame;
    if (!s || !f || f->task != t || s->jsonata || s->result_selector || s->assign || s->output_path)
        return false;
    if (s->result_path) /* null drops the result; "$.x" writes it into the input */
        return s->result_path->kind == ASL_N_NULL;
    /* The answer depends on the definition only: remembered by state and
     * unit (a unit's id is never reused; its states' addresses may be). */
    static struct {
        const asl_state *s;
        int unit;
        bool unread;
    } memo[64];
    int unit = asl_exec_unit(f->exec);
    size_t k = ((uintptr_t)s >> 4) & 63;
    if (memo[k].s != s || memo[k].unit != unit) {
        memo[k].s = s;
        memo[k].unit = unit;
        memo[k].unread = output_unread(f->graph, f->state, 0);
    }
    return memo[k].unread;
}
