/*
 * graph_walk.c: one walk over the checked model for every picture writer.
 * Nodes come first, inside their boxes (machines, Parallel and Map states,
 * Parallel branches); edges come after, all at the top level, because
 * Graphviz and Mermaid both put a node in the box where it is first named.
 */
#include <string.h>

#include "graph.h"

typedef struct walk {
    const cc_unit *u;
    graph_writer *w;
    const char *machine;
} walk;

static bool is_cluster(const asl_state *s)
{
    return s->type == ASL_PARALLEL || s->type == ASL_MAP;
}

static graph_state state_at(const walk *c, const char *prefix, const asl_graph *g, int i)
{
    graph_state st = {cc_printf("%s_s%d", prefix, i), c->machine, &g->states[i], is_cluster(&g->states[i]), 0, 0};
    st.in = st.cluster ? cc_printf("%s_in", st.id) : st.id;
    st.out = st.cluster ? cc_printf("%s_out", st.id) : st.id;
    return st;
}

static const char *branch_id(const graph_state *st, int k)
{
    return st->s->type == ASL_MAP ? st->id : cc_printf("%s_b%d", st->id, k);
}

/* ------------------------------------------------------------ nodes */

static void nodes(walk *c, const char *prefix, const asl_graph *g)
{
    graph_writer *w = c->w;
    for (int i = 0; i < g->nstates; i++) {
        graph_state st = state_at(c, prefix, g, i);
        if (!st.cluster) {
            w->state(w, &st);
            continue;
        }
        w->open_state(w, &st);
        w->point(w, st.in);
        for (int k = 0; k < st.s->nbranches; k++) {
            if (st.s->type == ASL_PARALLEL)
                w->open_box(w, branch_id(&st, k), cc_printf("Branch %d", k + 1), NULL);
            nodes(c, branch_id(&st, k), st.s->branches[k]);
            if (st.s->type == ASL_PARALLEL)
                w->close_box(w);
        }
        w->point(w, st.out);
        w->close_state(w, &st);
    }
}

/* ------------------------------------------------------------ edges */

static const char *in_of(const walk *c, const char *prefix, const asl_graph *g, int i)
{
    return state_at(c, prefix, g, i).in;
}

/* The edges leaving one state; end is where End: true leads. */
static void state_edges(walk *c, const char *prefix, const asl_graph *g, int i, const char *end)
{
    graph_writer *w = c->w;
    graph_state st = state_at(c, prefix, g, i);
    const asl_state *s = st.s;
    for (int r = 0; r < s->nrules; r++)
        w->edge(w, st.out, in_of(c, prefix, g, s->choice_next[r]), GRAPH_CHOICE, graph_rule_text(s->rules[r]));
    if (s->type == ASL_CHOICE && s->default_next >= 0)
        w->edge(w, st.out, in_of(c, prefix, g, s->default_next), GRAPH_DEFAULT, "Default");
    if (s->type != ASL_CHOICE && s->next >= 0)
        w->edge(w, st.out, in_of(c, prefix, g, s->next), GRAPH_NEXT, NULL);
    else if (s->end || s->type == ASL_SUCCEED || s->type == ASL_FAIL)
        w->edge(w, st.out, end, GRAPH_NEXT, NULL);
    for (int k = 0; k < s->ncatch; k++)
        w->edge(w, st.out, in_of(c, prefix, g, s->catches[k].next), GRAPH_CATCH, graph_errors_text(&s->catches[k]));
    int child = graph_child_machine(c->u, s);
    if (child >= 0)
        w->edge(w, st.id, cc_printf("m%d_start", child), GRAPH_CHILD, graph_child_label(s));
}

static void edges(walk *c, const char *prefix, const asl_graph *g, const char *end)
{
    for (int i = 0; i < g->nstates; i++) {
        state_edges(c, prefix, g, i, end);
        graph_state st = state_at(c, prefix, g, i);
        for (int k = 0; st.cluster && k < st.s->nbranches; k++) {
            const asl_graph *b = st.s->branches[k];
            const char *bp = branch_id(&st, k);
            c->w->edge(c->w, st.in, in_of(c, bp, b, b->start), GRAPH_BRANCH, NULL);
            edges(c, bp, b, st.out);
        }
    }
}

void graph_indent(graph_writer *w)
{
    for (int i = -1; i < w->depth; i++)
        asl_buf_puts(w->b, "  ");
}

/* ------------------------------------------------------------ walk */

void graph_walk(const cc_unit *u, graph_writer *w)
{
    walk c = {u, w, NULL};
    bool boxed = u->nmachines > 1;   /* one machine needs no box around it */
    w->begin(w);
    for (int m = 0; m < u->nmachines; m++) {
        const char *p = cc_printf("m%d", m);
        c.machine = u->machines[m].m.name;
        if (boxed)
            w->open_box(w, p, c.machine, u->machines[m].m.file);
        w->terminal(w, cc_printf("%s_start", p), "Start");
        nodes(&c, p, u->machines[m].m.graph);
        w->terminal(w, cc_printf("%s_end", p), "End");
        if (boxed)
            w->close_box(w);
    }
    for (int m = 0; m < u->nmachines; m++) {
        const char *p = cc_printf("m%d", m);
        const asl_graph *g = u->machines[m].m.graph;
        c.machine = u->machines[m].m.name;
        w->edge(w, cc_printf("%s_start", p), in_of(&c, p, g, g->start), GRAPH_NEXT, NULL);
        edges(&c, p, g, cc_printf("%s_end", p));
    }
    w->end(w);
}
