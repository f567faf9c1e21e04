/*
 * graph.h: the machine as a picture, shared by `aslc graph` (graph.c) and
 * the execution report (report.c). A walk over the checked model
 * (graph_walk.c) hands every state, edge and cluster to a writer: DOT for
 * Graphviz (graph_dot.c) or Mermaid (graph_mmd.c). graph_text.c words the
 * labels both writers use.
 *
 * Node ids are stable and derived from the model, so golden tests can fix
 * them and the report can find a state's shape in the SVG: "m0" is the
 * main machine (m1... the nested ones, in the unit's order), "m0_s3" its
 * fourth state, "m0_s3_b1" that Parallel's second branch, "m0_s3_b1_s0"
 * the first state in it; "_start", "_end", "_in" and "_out" are Start,
 * End and a cluster's entry and exit points.
 */
#ifndef ASLC_GRAPH_H
#define ASLC_GRAPH_H

#include "aslc.h"

/* ------------------------------------------------------- graph_walk.c */

typedef enum graph_edge_kind {
    GRAPH_NEXT,      /* Next, or the way from Start / to End */
    GRAPH_CHOICE,    /* a Choice rule; label = the rule, short */
    GRAPH_DEFAULT,   /* a Choice's Default */
    GRAPH_CATCH,     /* a catcher; label = its errors */
    GRAPH_CHILD,     /* a task starts a nested machine; label = the pattern */
    GRAPH_BRANCH,    /* a cluster's entry point to a branch's first state */
} graph_edge_kind;

/* A state as a writer sees it. */
typedef struct graph_state {
    const char *id;          /* node id (a cluster's id for Parallel and Map) */
    const char *machine;     /* the machine's name */
    const asl_state *s;
    bool cluster;            /* Parallel or Map: drawn as a box around its branches */
    const char *in, *out;    /* where edges into and out of it attach */
} graph_state;

typedef struct graph_writer graph_writer;
struct graph_writer {
    asl_buf *b;
    void *ctx;
    int depth;               /* boxes open: writers indent by it */
    void (*begin)(graph_writer *w);
    void (*end)(graph_writer *w);
    /* A machine, or a branch of a Parallel or Map: a box holding states. */
    void (*open_box)(graph_writer *w, const char *id, const char *title, const char *subtitle);
    void (*close_box)(graph_writer *w);
    void (*terminal)(graph_writer *w, const char *id, const char *text);   /* Start, End */
    void (*point)(graph_writer *w, const char *id);                        /* a cluster's entry/exit */
    void (*state)(graph_writer *w, const graph_state *st);                 /* a plain state */
    void (*open_state)(graph_writer *w, const graph_state *st);            /* Parallel, Map */
    void (*close_state)(graph_writer *w, const graph_state *st);
    void (*edge)(graph_writer *w, const char *from, const char *to, graph_edge_kind kind, const char *label);
};

/* Walks every machine of the unit and calls the writer's hooks. */
void graph_walk(const cc_unit *u, graph_writer *w);
/* Two spaces a level, one level more than the boxes open. */
void graph_indent(graph_writer *w);

/* ------------------------------------------------------- graph_text.c */

/* Labels, cc_alloc'd. */
const char *graph_type_name(const asl_state *s);
/* What the state does, in a few words: "lambda:invoke", "Wait 1 s" ... */
const char *graph_detail(const asl_state *s);
/* A Choice rule in short form: $.x == "a" and not ($.y > 2) */
const char *graph_rule_text(const asl_node *rule);
/* The Retry line of a state, or NULL: "Retry: Lambda.ServiceException... ×6" */
const char *graph_retry_text(const asl_state *s);
/* A catcher's errors: "States.Timeout, States.TaskFailed" */
const char *graph_errors_text(const asl_catcher *c);
/* "startExecution.sync:2" for a task that starts a nested machine */
const char *graph_child_label(const asl_state *s);
/* The machine a startExecution task starts, or -1 when it is chosen at
 * run time or not compiled in. */
int graph_child_machine(const cc_unit *u, const asl_state *s);

/* ------------------------------------------ graph_dot.c, graph_mmd.c */

/* The unit as DOT text / Mermaid text (malloc'd). */
char *graph_dot(const cc_unit *u);
char *graph_mermaid(const cc_unit *u);

/* ----------------------------------------------------------- graph.c */

/* The options that say what the unit is, shared by `aslc graph` and
 * `aslc report`: --machine ARN_OR_NAME=FILE, and for templates
 * --state-machine ID, --sub KEY=VALUE, --parameter NAME=VALUE. Takes
 * argv[*i] (and its value) into o and returns 1; returns 0 for another
 * option, 64 after reporting a bad value (prog names the command). */
int graph_unit_option(cc_opts *o, const char *prog, int argc, char **argv, int *i);
/* "aslc CMD: MSG" (msg a format for arg) and a hint on stderr; returns 64. */
int graph_usage_error(const char *cmd, const char *msg, const char *arg);

/* Renders DOT text with Graphviz's dot into format ("svg", "png") and
 * returns what dot printed (malloc'd, *len set), or NULL after reporting
 * why on stderr. */
char *graph_render(const char *dot_text, const char *format, size_t *len);

#endif
